package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.iam.UserGroupOperationsTest.Keys;
import dev.crossrole.server.iam.UserGroupOperationsTest.Response;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GetAccountAuthorizationDetails, GetAccountSummary and the account alias, through the HTTP pipeline. */
class AccountOperationsTest {
    static final String ACCOUNT = "111122223333";
    static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"sts:AssumeRole\"}]}";
    static final String INLINE = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bucket/*\"}]}";

    @TempDir
    static Path dir;
    static CrossroleServer server;
    static Keys admin;

    @BeforeAll
    static void start() throws Exception {
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        admin = new Keys(server.profiles().get(0).accessKeyId(), server.profiles().get(0).secretAccessKey());
        iam("CreateRole", "RoleName", "deployer", "Path", "/ci/", "AssumeRolePolicyDocument", TRUST).ok();
        iam("PutRolePolicy", "RoleName", "deployer", "PolicyName", "read", "PolicyDocument", INLINE).ok();
        iam("CreateUser", "UserName", "viewer").ok();
        iam("PutUserPolicy", "UserName", "viewer", "PolicyName", "read", "PolicyDocument", INLINE).ok();
        iam("CreateGroup", "GroupName", "viewers").ok();
        iam("AddUserToGroup", "GroupName", "viewers", "UserName", "viewer").ok();
        iam("PutGroupPolicy", "GroupName", "viewers", "PolicyName", "read", "PolicyDocument", INLINE).ok();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Response iam(String action, String... params) throws Exception {
        return UserGroupOperationsTest.query(server, admin, action, params);
    }

    /** The text of each {@code <member>} directly inside the named list. */
    static List<String> members(String body, String list) {
        int start = body.indexOf("<" + list + ">");
        int end = body.indexOf("</" + list + ">");
        if (start < 0 || end < 0) {
            return List.of();
        }
        String inside = body.substring(start, end);
        List<String> out = new ArrayList<>();
        int depth = 0;
        int from = -1;
        Matcher m = Pattern.compile("</?member>").matcher(inside);
        while (m.find()) {
            if (m.group().equals("<member>")) {
                if (depth++ == 0) {
                    from = m.end();
                }
            } else if (--depth == 0) {
                out.add(inside.substring(from, m.start()));
            }
        }
        return out;
    }

    static String value(String xml, String element) {
        Matcher m = Pattern.compile("<" + element + ">([^<]*)</" + element + ">").matcher(xml);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void authorizationDetailsListEveryEntityWithEncodedDocuments() throws Exception {
        Response details = iam("GetAccountAuthorizationDetails").ok();
        String body = details.body();

        List<String> users = members(body, "UserDetailList");
        String adminUser = users.stream().filter(u -> u.contains("<UserName>admin</UserName>")).findFirst().orElseThrow();
        assertTrue(adminUser.contains("<PolicyArn>" + IamDirectory.ADMINISTRATOR_ACCESS + "</PolicyArn>"), adminUser);
        String viewer = users.stream().filter(u -> u.contains("<UserName>viewer</UserName>")).findFirst().orElseThrow();
        assertTrue(viewer.contains("<PolicyDocument>" + IamSupport.encodeDocument(INLINE) + "</PolicyDocument>"), viewer);
        assertEquals(List.of("viewers"), members(viewer, "GroupList"));

        String group = members(body, "GroupDetailList").get(0);
        assertEquals("viewers", value(group, "GroupName"));
        assertTrue(group.contains("<PolicyDocument>" + IamSupport.encodeDocument(INLINE) + "</PolicyDocument>"), group);

        String role = members(body, "RoleDetailList").get(0);
        assertEquals("arn:aws:iam::" + ACCOUNT + ":role/ci/deployer", value(role, "Arn"));
        assertEquals(IamSupport.encodeDocument(TRUST), value(role, "AssumeRolePolicyDocument"));
        assertTrue(value(role, "AssumeRolePolicyDocument").startsWith("%7B%22Version%22%3A"), role);
        assertTrue(role.contains("<InstanceProfileList></InstanceProfileList>"), role);
        assertTrue(role.contains("<RolePolicyList><member><PolicyName>read</PolicyName>"), role);

        // AdministratorAccess is AWS-managed and attached to admin: it is listed with its versions.
        List<String> policies = members(body, "Policies");
        assertEquals(1, policies.size(), body);
        String policy = policies.get(0);
        assertEquals(IamDirectory.ADMINISTRATOR_ACCESS, value(policy, "Arn"));
        assertEquals("1", value(policy, "AttachmentCount"));
        String version = members(policy, "PolicyVersionList").get(0);
        assertEquals("v1", value(version, "VersionId"));
        assertEquals("true", value(version, "IsDefaultVersion"));
        assertTrue(value(version, "Document").startsWith("%7B"), version);
        assertFalse(value(version, "Document").contains("\""), version);
    }

    @Test
    void authorizationDetailsFilterAndPaginate() throws Exception {
        Response roles = iam("GetAccountAuthorizationDetails", "Filter.member.1", "Role").ok();
        assertEquals(1, members(roles.body(), "RoleDetailList").size());
        assertEquals(List.of(), members(roles.body(), "UserDetailList"));
        assertEquals(List.of(), members(roles.body(), "Policies"));

        Response local = iam("GetAccountAuthorizationDetails", "Filter.member.1", "LocalManagedPolicy").ok();
        assertEquals(List.of(), members(local.body(), "Policies"));

        // Two users, one group, one role, one policy: five entries, two a page.
        List<String> names = new ArrayList<>();
        String marker = null;
        int pages = 0;
        do {
            Response page = marker == null ? iam("GetAccountAuthorizationDetails", "MaxItems", "2").ok()
                    : iam("GetAccountAuthorizationDetails", "MaxItems", "2", "Marker", marker).ok();
            for (String list : List.of("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")) {
                for (String item : members(page.body(), list)) {
                    names.add(value(item, "Arn"));
                }
            }
            marker = "true".equals(page.value("IsTruncated")) ? page.value("Marker") : null;
            pages++;
        } while (marker != null && pages < 10);
        assertEquals(3, pages);
        assertEquals(List.of("arn:aws:iam::" + ACCOUNT + ":user/admin", "arn:aws:iam::" + ACCOUNT + ":user/viewer",
                "arn:aws:iam::" + ACCOUNT + ":group/viewers", "arn:aws:iam::" + ACCOUNT + ":role/ci/deployer",
                IamDirectory.ADMINISTRATOR_ACCESS), names);

        iam("GetAccountAuthorizationDetails", "Filter.member.1", "Users").error(400, "ValidationError",
                "1 validation error detected: Value '[Users]' at 'filter' failed to satisfy constraint: Member must"
                        + " satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy,"
                        + " AWSManagedPolicy]]");
    }

    @Test
    void accountSummaryCountsEntities() throws Exception {
        String body = iam("GetAccountSummary").ok().body();
        assertEquals("2", entry(body, "Users"));
        assertEquals("1", entry(body, "Groups"));
        assertEquals("1", entry(body, "Roles"));
        assertEquals("0", entry(body, "Policies"));
        assertEquals("2", entry(body, "AccessKeysPerUserQuota"));
        assertEquals("2048", entry(body, "UserPolicySizeQuota"));
        assertEquals("0", entry(body, "AccountAccessKeysPresent"));
    }

    static String entry(String body, String key) {
        Matcher m = Pattern.compile("<entry><key>" + key + "</key><value>([^<]*)</value></entry>").matcher(body);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void accountAliasCanBeReplacedAndDeleted() throws Exception {
        assertEquals(List.of("source"), iam("ListAccountAliases").ok().values("member"));
        iam("CreateAccountAlias", "AccountAlias", "destination").error(409, "EntityAlreadyExists",
                "The account alias destination already exists.");
        iam("CreateAccountAlias", "AccountAlias", "Bad--Alias").error(400, "ValidationError", null);
        iam("CreateAccountAlias", "AccountAlias", "source-two").ok();
        assertEquals(List.of("source-two"), iam("ListAccountAliases").ok().values("member"));
        iam("DeleteAccountAlias", "AccountAlias", "source").error(404, "NoSuchEntity",
                "The account alias source cannot be found.");
        iam("DeleteAccountAlias", "AccountAlias", "source-two").ok();
        assertEquals(List.of(), iam("ListAccountAliases").ok().values("member"));
        iam("CreateAccountAlias", "AccountAlias", "source").ok();
        assertEquals(List.of("source"), iam("ListAccountAliases").ok().values("member"));
    }
}
