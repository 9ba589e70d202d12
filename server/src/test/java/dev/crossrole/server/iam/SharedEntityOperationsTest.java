package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.UserGroupOperationsTest.ACCOUNT;
import static dev.crossrole.server.iam.UserGroupOperationsTest.ALLOW_LIST_ROLES;
import static dev.crossrole.server.iam.UserGroupOperationsTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.iam.UserGroupOperationsTest.Keys;
import dev.crossrole.server.iam.UserGroupOperationsTest.Response;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operations that roles, users and groups share (inline and attached policies; for roles and users
 * also tags and permissions boundaries), run for each kind through the HTTP pipeline: the same
 * behaviour, with the kind's own names in parameters, shapes and messages.
 */
class SharedEntityOperationsTest {
    static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
    static final String READ_ONLY_IAM = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
    static final String TASK_EXECUTION = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

    @TempDir
    static Path dir;
    static CrossroleServer server;
    static Keys admin;

    @BeforeAll
    static void start() throws Exception {
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        admin = new Keys(server.profiles().get(0).accessKeyId(), server.profiles().get(0).secretAccessKey());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Response iam(String action, String... params) throws Exception {
        return query(server, admin, action, params);
    }

    static void create(String kind, String name) throws Exception {
        switch (kind) {
            case "Role" -> iam("CreateRole", "RoleName", name, "AssumeRolePolicyDocument", TRUST).ok();
            case "User" -> iam("CreateUser", "UserName", name).ok();
            default -> iam("CreateGroup", "GroupName", name).ok();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Role", "User", "Group"})
    void inlinePolicies(String kind) throws Exception {
        String nameParameter = kind + "Name";
        String entity = "inline-" + kind.toLowerCase();
        String lower = kind.toLowerCase();
        iam("Put" + kind + "Policy", nameParameter, entity, "PolicyName", "p", "PolicyDocument", ALLOW_LIST_ROLES)
                .error(404, "NoSuchEntity", "The " + lower + " with name " + entity + " cannot be found.");
        create(kind, entity);

        iam("Put" + kind + "Policy", nameParameter, entity, "PolicyName", "b", "PolicyDocument", ALLOW_LIST_ROLES).ok();
        iam("Put" + kind + "Policy", nameParameter, entity, "PolicyName", "a", "PolicyDocument", ALLOW_LIST_ROLES).ok();
        Response got = iam("Get" + kind + "Policy", nameParameter, entity, "PolicyName", "a").ok();
        assertEquals(entity, got.value(nameParameter));
        assertEquals("a", got.value("PolicyName"));
        assertEquals(IamSupport.encodeDocument(ALLOW_LIST_ROLES), got.value("PolicyDocument"));
        assertEquals(List.of("a", "b"), iam("List" + kind + "Policies", nameParameter, entity).ok().values("member"));

        // A bad document or name changes nothing.
        iam("Put" + kind + "Policy", nameParameter, entity, "PolicyName", "c", "PolicyDocument", "{\"Statement\":[]")
                .error(400, "MalformedPolicyDocument", null);
        iam("Put" + kind + "Policy", nameParameter, entity, "PolicyName", "bad name!", "PolicyDocument", ALLOW_LIST_ROLES)
                .error(400, "ValidationError", null);
        iam("Get" + kind + "Policy", nameParameter, entity).error(400, "ValidationError", null);
        assertEquals(List.of("a", "b"), iam("List" + kind + "Policies", nameParameter, entity).ok().values("member"));

        iam("Delete" + kind + "Policy", nameParameter, entity, "PolicyName", "a").ok();
        iam("Delete" + kind + "Policy", nameParameter, entity, "PolicyName", "a").error(404, "NoSuchEntity",
                "The " + lower + " policy with name a cannot be found.");
        iam("Get" + kind + "Policy", nameParameter, entity, "PolicyName", "a").error(404, "NoSuchEntity",
                "The " + lower + " policy with name a cannot be found.");
        assertEquals(List.of("b"), iam("List" + kind + "Policies", nameParameter, entity).ok().values("member"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Role", "User", "Group"})
    void attachedPolicies(String kind) throws Exception {
        String nameParameter = kind + "Name";
        String entity = "attached-" + kind.toLowerCase();
        iam("Attach" + kind + "Policy", nameParameter, entity, "PolicyArn", READ_ONLY_IAM)
                .error(404, "NoSuchEntity", "The " + kind.toLowerCase() + " with name " + entity + " cannot be found.");
        create(kind, entity);

        iam("Attach" + kind + "Policy", nameParameter, entity, "PolicyArn", READ_ONLY_IAM).ok();
        iam("Attach" + kind + "Policy", nameParameter, entity, "PolicyArn", READ_ONLY_IAM).ok();
        iam("Attach" + kind + "Policy", nameParameter, entity, "PolicyArn", TASK_EXECUTION).ok();
        Response all = iam("ListAttached" + kind + "Policies", nameParameter, entity).ok();
        assertEquals(List.of(READ_ONLY_IAM, TASK_EXECUTION), all.values("PolicyArn"));
        assertEquals(List.of("AmazonECSTaskExecutionRolePolicy"),
                iam("ListAttached" + kind + "Policies", nameParameter, entity, "PathPrefix", "/service-role/").ok()
                        .values("PolicyName"));
        iam("ListAttached" + kind + "Policies", nameParameter, entity, "PathPrefix", "").error(400, "ValidationError", null);

        String missing = "arn:aws:iam::" + ACCOUNT + ":policy/none";
        iam("Attach" + kind + "Policy", nameParameter, entity, "PolicyArn", missing).error(404, "NoSuchEntity",
                "Policy " + missing + " does not exist or is not attachable.");
        iam("Attach" + kind + "Policy", nameParameter, entity, "PolicyArn", "short").error(400, "ValidationError", null);
        iam("Detach" + kind + "Policy", nameParameter, entity, "PolicyArn", READ_ONLY_IAM).ok();
        iam("Detach" + kind + "Policy", nameParameter, entity, "PolicyArn", READ_ONLY_IAM).error(404, "NoSuchEntity",
                "Policy " + READ_ONLY_IAM + " was not found.");
        assertEquals(List.of(TASK_EXECUTION),
                iam("ListAttached" + kind + "Policies", nameParameter, entity).ok().values("PolicyArn"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Role", "User"})
    void tags(String kind) throws Exception {
        String nameParameter = kind + "Name";
        String entity = "tagged-" + kind.toLowerCase();
        iam("Tag" + kind, nameParameter, entity, "Tags.member.1.Key", "team", "Tags.member.1.Value", "a")
                .error(404, "NoSuchEntity", "The " + kind.toLowerCase() + " with name " + entity + " cannot be found.");
        create(kind, entity);

        iam("Tag" + kind, nameParameter, entity, "Tags.member.1.Key", "team", "Tags.member.1.Value", "a",
                "Tags.member.2.Key", "env", "Tags.member.2.Value", "dev").ok();
        // Tagging again replaces the value of an existing key.
        iam("Tag" + kind, nameParameter, entity, "Tags.member.1.Key", "team", "Tags.member.1.Value", "b").ok();
        Response listed = iam("List" + kind + "Tags", nameParameter, entity).ok();
        assertEquals(List.of("team", "env"), listed.values("Key"));
        assertEquals(List.of("b", "dev"), listed.values("Value"));
        Response first = iam("List" + kind + "Tags", nameParameter, entity, "MaxItems", "1").ok();
        assertEquals("true", first.value("IsTruncated"));
        assertEquals(1, first.values("Key").size());

        // Keys are unique regardless of case: a differently cased key replaces the tag in its place.
        iam("Tag" + kind, nameParameter, entity, "Tags.member.1.Key", "ENV", "Tags.member.1.Value", "prod").ok();
        assertEquals(List.of("team", "ENV"), iam("List" + kind + "Tags", nameParameter, entity).ok().values("Key"));

        iam("Tag" + kind, nameParameter, entity).error(400, "ValidationError", null);
        iam("Untag" + kind, nameParameter, entity).error(400, "ValidationError", null);
        // Keys are matched without regard to case when removed.
        iam("Untag" + kind, nameParameter, entity, "TagKeys.member.1", "TEAM").ok();
        assertEquals(List.of("ENV"), iam("List" + kind + "Tags", nameParameter, entity).ok().values("Key"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Role", "User"})
    void permissionsBoundaries(String kind) throws Exception {
        String nameParameter = kind + "Name";
        String entity = "bounded-" + kind.toLowerCase();
        create(kind, entity);
        iam("Delete" + kind + "PermissionsBoundary", nameParameter, entity).error(404, "NoSuchEntity",
                "The " + kind.toLowerCase() + " with name " + entity + " does not have a permissions boundary.");
        iam("Put" + kind + "PermissionsBoundary", nameParameter, entity).error(400, "ValidationError", null);
        String missing = "arn:aws:iam::" + ACCOUNT + ":policy/no-such-boundary";
        iam("Put" + kind + "PermissionsBoundary", nameParameter, entity, "PermissionsBoundary", missing)
                .error(404, "NoSuchEntity", null);
        assertEquals(null, iam("Get" + kind, nameParameter, entity).ok().value("PermissionsBoundaryArn"));

        iam("Put" + kind + "PermissionsBoundary", nameParameter, entity, "PermissionsBoundary", READ_ONLY_IAM).ok();
        assertEquals(READ_ONLY_IAM, iam("Get" + kind, nameParameter, entity).ok().value("PermissionsBoundaryArn"));
        iam("Delete" + kind + "PermissionsBoundary", nameParameter, entity).ok();
        assertEquals(null, iam("Get" + kind, nameParameter, entity).ok().value("PermissionsBoundaryArn"));
    }

    /** One model type constrains every role description, so each operation that takes one refuses it alike. */
    @Test
    void everyRoleDescriptionMeetsTheSamePattern() throws Exception {
        String bad = "tab\u0080";
        String refusal = "1 validation error detected: Value '" + bad + "' at 'description' failed to satisfy"
                + " constraint: Member must satisfy regular expression pattern:"
                + " [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*";
        iam("CreateRole", "RoleName", "described", "AssumeRolePolicyDocument", TRUST, "Description", bad)
                .error(400, "ValidationError", refusal);
        create("Role", "described");
        iam("UpdateRole", "RoleName", "described", "Description", bad).error(400, "ValidationError", refusal);
        iam("UpdateRoleDescription", "RoleName", "described", "Description", bad).error(400, "ValidationError", refusal);
        assertEquals(null, iam("GetRole", "RoleName", "described").ok().value("Description"), "nothing was changed");
        iam("DeleteRole", "RoleName", "described").ok();
    }
}
