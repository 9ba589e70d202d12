package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.policy.Policies;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.auth.SigV4;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users, access keys and groups through the real HTTP pipeline, signed with SigV4. */
class UserGroupOperationsTest {
    static final String ACCOUNT = "111122223333";
    static final String ALLOW_LIST_ROLES = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"iam:ListRoles\",\"Resource\":\"*\"}]}";

    @TempDir
    static Path dir;
    static CrossroleServer server;
    static Keys admin;

    record Keys(String id, String secret, String token) {
        Keys(String id, String secret) {
            this(id, secret, null);
        }
    }

    record Response(int status, String body) {
        String value(String element) {
            Matcher m = Pattern.compile("<" + element + ">([^<]*)</" + element + ">").matcher(body);
            return m.find() ? m.group(1) : null;
        }

        List<String> values(String element) {
            Matcher m = Pattern.compile("<" + element + ">([^<]*)</" + element + ">").matcher(body);
            List<String> out = new ArrayList<>();
            while (m.find()) {
                out.add(m.group(1));
            }
            return out;
        }

        Response ok() {
            assertEquals(200, status, body);
            return this;
        }

        Response error(int expectedStatus, String code, String message) {
            assertEquals(expectedStatus, status, body);
            assertEquals(code, value("Code"), body);
            if (message != null) {
                assertEquals(message, unescape(value("Message")), body);
            }
            return this;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0));
        admin = new Keys(server.profiles().get(0).accessKeyId(), server.profiles().get(0).secretAccessKey());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ---- the client -------------------------------------------------------------------------

    static Response iam(Keys keys, String action, String... params) throws Exception {
        return query(server, keys, action, params);
    }

    static Response post(Keys keys, String service, String body) throws Exception {
        return post(server, keys, service, body);
    }

    /** An IAM Query call: {@code params} are name, value pairs, form-encoded here. */
    static Response query(CrossroleServer server, Keys keys, String action, String... params) throws Exception {
        StringBuilder body = new StringBuilder("Action=").append(action).append("&Version=2010-05-08");
        for (int i = 0; i + 1 < params.length; i += 2) {
            body.append('&').append(encode(params[i])).append('=').append(encode(params[i + 1]));
        }
        return post(server, keys, "iam", body.toString());
    }

    /** A Query request signed with SigV4 (header form) for {@code service} in us-east-1. */
    static Response post(CrossroleServer server, Keys keys, String service, String body) throws Exception {
        String amzDate = SigV4.formatAmzDate(Instant.now());
        URI uri = URI.create(server.endpoint() + "/");
        String host = uri.getHost() + ":" + uri.getPort();
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        List<Map.Entry<String, String>> headers = new ArrayList<>(List.of(
                Map.entry("Content-Type", "application/x-www-form-urlencoded"), Map.entry("Host", host),
                Map.entry("X-Amz-Date", amzDate)));
        List<String> signed = new ArrayList<>(List.of("content-type", "host", "x-amz-date"));
        if (keys.token() != null) {
            headers.add(Map.entry("X-Amz-Security-Token", keys.token()));
            signed.add("x-amz-security-token");
        }
        SigV4.Credential scope = new SigV4.Credential(keys.id(), amzDate.substring(0, 8), "us-east-1", service);
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts("POST", "/", null, headers, payload),
                signed, SigV4.sha256Hex(payload), true, false);
        String signature = SigV4.signature(SigV4.signingKey(keys.secret(), scope.date(), scope.region(), scope.service()),
                SigV4.stringToSign(amzDate, scope, canonical));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Amz-Date", amzDate)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + keys.id() + "/" + scope.scope()
                        + ", SignedHeaders=" + String.join(";", signed) + ", Signature=" + signature);
        if (keys.token() != null) {
            request.header("X-Amz-Security-Token", keys.token());
        }
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(),
                        HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body());
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String unescape(String s) {
        return s == null ? null : s.replace("&quot;", "\"").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
    }

    static Keys newKey(String user) throws Exception {
        Response r = iam(admin, "CreateAccessKey", "UserName", user).ok();
        return new Keys(r.value("AccessKeyId"), r.value("SecretAccessKey"));
    }

    static String callerArn(Keys keys) throws Exception {
        Response r = post(keys, "sts", "Action=GetCallerIdentity&Version=2011-06-15");
        return r.status() == 200 ? r.value("Arn") : r.value("Code");
    }

    /** A customer-managed policy put straight into the directory (managed-policy operations are tested elsewhere). */
    static String managedPolicy(String name, String document) {
        String arn = "arn:aws:iam::" + ACCOUNT + ":policy/" + name;
        server.iam().putPolicy(ManagedPolicy.of(arn, name, "/", server.iam().ids().policyId(),
                Policies.parseValid(document, PolicyKind.IDENTITY, name), Instant.now()));
        return arn;
    }

    // ---- users ------------------------------------------------------------------------------

    @Test
    void userLifecycle() throws Exception {
        Response created = iam(admin, "CreateUser", "UserName", "alice", "Path", "/team/",
                "Tags.member.1.Key", "dept", "Tags.member.1.Value", "eng").ok();
        assertEquals("arn:aws:iam::" + ACCOUNT + ":user/team/alice", created.value("Arn"));
        assertTrue(created.value("UserId").matches("AIDA[A-Z2-7]{17}"), created.body());
        assertEquals("eng", created.value("Value"));
        iam(admin, "CreateUser", "UserName", "ALICE").error(409, "EntityAlreadyExists", "User with name ALICE already exists.");

        Response got = iam(admin, "GetUser", "UserName", "alice").ok();
        assertEquals("/team/", got.value("Path"));
        assertEquals("dept", got.value("Key"));
        Response listed = iam(admin, "ListUsers", "PathPrefix", "/team/").ok();
        assertEquals(List.of("alice"), listed.values("UserName"));
        assertFalse(listed.body().contains("<Tags>"), "ListUsers leaves tags out");

        iam(admin, "TagUser", "UserName", "alice", "Tags.member.1.Key", "level", "Tags.member.1.Value", "2").ok();
        iam(admin, "UntagUser", "UserName", "alice", "TagKeys.member.1", "dept").ok();
        assertEquals(List.of("level"), iam(admin, "ListUserTags", "UserName", "alice").ok().values("Key"));

        iam(admin, "CreateGroup", "GroupName", "alices").ok();
        iam(admin, "AddUserToGroup", "GroupName", "alices", "UserName", "alice").ok();
        Keys key = newKey("alice");
        iam(admin, "UpdateUser", "UserName", "alice", "NewUserName", "alicia", "NewPath", "/").ok();
        iam(admin, "GetUser", "UserName", "alice").error(404, "NoSuchEntity", "The user with name alice cannot be found.");
        assertEquals("arn:aws:iam::" + ACCOUNT + ":user/alicia", iam(admin, "GetUser", "UserName", "alicia").ok().value("Arn"));
        // The key and the group membership follow the rename.
        assertEquals("arn:aws:iam::" + ACCOUNT + ":user/alicia", callerArn(key));
        assertEquals(List.of("alices"), iam(admin, "ListGroupsForUser", "UserName", "alicia").ok().values("GroupName"));

        iam(admin, "DeleteAccessKey", "UserName", "alicia", "AccessKeyId", key.id()).ok();
        iam(admin, "RemoveUserFromGroup", "GroupName", "alices", "UserName", "alicia").ok();
        iam(admin, "DeleteUser", "UserName", "alicia").ok();
        iam(admin, "DeleteUser", "UserName", "alicia").error(404, "NoSuchEntity", "The user with name alicia cannot be found.");
        iam(admin, "DeleteGroup", "GroupName", "alices").ok();
    }

    @Test
    void getUserWithoutANameDescribesTheCaller() throws Exception {
        Response me = iam(admin, "GetUser").ok();
        assertEquals("admin", me.value("UserName"));
        assertEquals("arn:aws:iam::" + ACCOUNT + ":user/admin", me.value("Arn"));
    }

    @Test
    void validationErrorsUseAwsWording() throws Exception {
        iam(admin, "CreateUser", "UserName", "bad name!").error(400, "ValidationError",
                "The specified value for userName is invalid. It must contain only alphanumeric characters and/or the"
                        + " following: +=,.@_-");
        iam(admin, "CreateUser", "UserName", "ok", "Path", "no-slashes").error(400, "ValidationError",
                "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric"
                        + " characters and/or / characters.");
        iam(admin, "CreateUser").error(400, "ValidationError",
                "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null");
        iam(admin, "CreateGroup", "GroupName", "x".repeat(129)).error(400, "ValidationError", null);
        iam(admin, "UpdateAccessKey", "AccessKeyId", "AKIAAAAAAAAAAAAAAAAA", "Status", "Paused").error(400,
                "ValidationError", "1 validation error detected: Value 'Paused' at 'status' failed to satisfy constraint:"
                        + " Member must satisfy enum value set: [Active, Inactive, Expired]");
        // The model's status type names Expired too, but a caller may set only Active or Inactive.
        iam(admin, "UpdateAccessKey", "AccessKeyId", "AKIAAAAAAAAAAAAAAAAA", "Status", "Expired").error(400,
                "ValidationError", "1 validation error detected: Value 'Expired' at 'status' failed to satisfy"
                        + " constraint: Member must satisfy enum value set: [Active, Inactive]");
    }

    @Test
    void paginationWithMaxItemsAndMarker() throws Exception {
        for (String name : List.of("page-a", "page-b", "page-c")) {
            iam(admin, "CreateUser", "UserName", name, "Path", "/paged/").ok();
        }
        List<String> seen = new ArrayList<>();
        String marker = null;
        int calls = 0;
        do {
            Response page = marker == null ? iam(admin, "ListUsers", "PathPrefix", "/paged/", "MaxItems", "1").ok()
                    : iam(admin, "ListUsers", "PathPrefix", "/paged/", "MaxItems", "1", "Marker", marker).ok();
            seen.addAll(page.values("UserName"));
            marker = "true".equals(page.value("IsTruncated")) ? page.value("Marker") : null;
            calls++;
        } while (marker != null && calls < 10);
        assertEquals(List.of("page-a", "page-b", "page-c"), seen);
        assertEquals(3, calls);
        for (String name : List.of("page-a", "page-b", "page-c")) {
            iam(admin, "DeleteUser", "UserName", name).ok();
        }
    }

    // ---- access keys ------------------------------------------------------------------------

    @Test
    void accessKeyLifecycleAndAuthentication() throws Exception {
        iam(admin, "CreateUser", "UserName", "bob").ok();
        Response created = iam(admin, "CreateAccessKey", "UserName", "bob").ok();
        assertEquals("bob", created.value("UserName"));
        assertEquals("Active", created.value("Status"));
        Keys first = new Keys(created.value("AccessKeyId"), created.value("SecretAccessKey"));
        assertTrue(first.id().startsWith("AKIA"), first.id());

        // The new key signs requests at once.
        assertEquals("arn:aws:iam::" + ACCOUNT + ":user/bob", callerArn(first));
        Response used = iam(admin, "GetAccessKeyLastUsed", "AccessKeyId", first.id()).ok();
        assertEquals("bob", used.value("UserName"));
        assertEquals("sts", used.value("ServiceName"));
        assertEquals("us-east-1", used.value("Region"));
        assertTrue(used.value("LastUsedDate") != null, used.body());

        Keys second = newKey("bob");
        Response unused = iam(admin, "GetAccessKeyLastUsed", "AccessKeyId", second.id()).ok();
        assertEquals("N/A", unused.value("ServiceName"));
        assertEquals("N/A", unused.value("Region"));
        assertEquals(null, unused.value("LastUsedDate"));
        iam(admin, "CreateAccessKey", "UserName", "bob").error(409, "LimitExceeded",
                "Cannot exceed quota for AccessKeysPerUser: 2");

        Response listed = iam(admin, "ListAccessKeys", "UserName", "bob").ok();
        assertEquals(List.of(first.id(), second.id()).stream().sorted().toList(),
                listed.values("AccessKeyId").stream().sorted().toList());
        assertFalse(listed.body().contains("SecretAccessKey"), listed.body());

        // A user lists its own keys without naming itself (bob has no permissions: denied as bob).
        iam(first, "ListAccessKeys").error(403, "AccessDenied", "User: arn:aws:iam::" + ACCOUNT + ":user/bob is not"
                + " authorized to perform: iam:ListAccessKeys on resource: user bob because no"
                + " identity-based policy allows the iam:ListAccessKeys action");

        iam(admin, "UpdateAccessKey", "UserName", "bob", "AccessKeyId", first.id(), "Status", "Inactive").ok();
        Response statuses = iam(admin, "ListAccessKeys", "UserName", "bob").ok();
        assertEquals("Inactive", statuses.values("Status").get(statuses.values("AccessKeyId").indexOf(first.id())));
        post(first, "sts", "Action=GetCallerIdentity&Version=2011-06-15").error(403, "InvalidClientTokenId",
                "The security token included in the request is invalid.");
        iam(admin, "UpdateAccessKey", "UserName", "bob", "AccessKeyId", first.id(), "Status", "Active").ok();
        assertEquals("arn:aws:iam::" + ACCOUNT + ":user/bob", callerArn(first));

        // A key of another user is not found under this one.
        iam(admin, "UpdateAccessKey", "UserName", "admin", "AccessKeyId", first.id(), "Status", "Inactive").error(404,
                "NoSuchEntity", "The Access Key with id " + first.id() + " cannot be found.");

        iam(admin, "DeleteUser", "UserName", "bob").error(409, "DeleteConflict",
                "Cannot delete entity, must delete access keys first.");
        iam(admin, "DeleteAccessKey", "UserName", "bob", "AccessKeyId", first.id()).ok();
        post(first, "sts", "Action=GetCallerIdentity&Version=2011-06-15").error(403, "InvalidClientTokenId", null);
        iam(admin, "DeleteAccessKey", "UserName", "bob", "AccessKeyId", first.id()).error(404, "NoSuchEntity",
                "The Access Key with id " + first.id() + " cannot be found.");
        iam(admin, "DeleteAccessKey", "UserName", "bob", "AccessKeyId", second.id()).ok();
        iam(admin, "DeleteUser", "UserName", "bob").ok();
    }

    @Test
    void theCallingUserGetsASecondKeyButNotAThird() throws Exception {
        Response second = iam(admin, "CreateAccessKey").ok();
        assertEquals("admin", second.value("UserName"));
        Keys key = new Keys(second.value("AccessKeyId"), second.value("SecretAccessKey"));
        assertNotEquals(admin.id(), key.id());
        try {
            assertEquals("arn:aws:iam::" + ACCOUNT + ":user/admin", callerArn(key));
            iam(admin, "CreateAccessKey").error(409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2");
            assertEquals(2, iam(admin, "ListAccessKeys").ok().values("AccessKeyId").size());
        } finally {
            iam(admin, "DeleteAccessKey", "AccessKeyId", key.id()).ok();
        }
        assertEquals(List.of(admin.id()), iam(admin, "ListAccessKeys").ok().values("AccessKeyId"));
    }

    // ---- conflicts and quotas -----------------------------------------------------------------

    @Test
    void deleteConflictsUntilTheUserIsBare() throws Exception {
        iam(admin, "CreateUser", "UserName", "carl").ok();
        iam(admin, "PutUserPolicy", "UserName", "carl", "PolicyName", "inline", "PolicyDocument", ALLOW_LIST_ROLES).ok();
        iam(admin, "AttachUserPolicy", "UserName", "carl", "PolicyArn", IamDirectory.ADMINISTRATOR_ACCESS).ok();
        iam(admin, "CreateGroup", "GroupName", "carls").ok();
        iam(admin, "AddUserToGroup", "GroupName", "carls", "UserName", "carl").ok();

        iam(admin, "DeleteUser", "UserName", "carl").error(409, "DeleteConflict",
                "Cannot delete entity, must delete policies first.");
        Response doc = iam(admin, "GetUserPolicy", "UserName", "carl", "PolicyName", "inline").ok();
        assertEquals(IamSupport.encodeDocument(ALLOW_LIST_ROLES), doc.value("PolicyDocument"));
        assertEquals(List.of("inline"), iam(admin, "ListUserPolicies", "UserName", "carl").ok().values("member"));
        iam(admin, "DeleteUserPolicy", "UserName", "carl", "PolicyName", "inline").ok();
        iam(admin, "GetUserPolicy", "UserName", "carl", "PolicyName", "inline").error(404, "NoSuchEntity",
                "The user policy with name inline cannot be found.");

        iam(admin, "DeleteUser", "UserName", "carl").error(409, "DeleteConflict",
                "Cannot delete entity, must detach all policies first.");
        assertEquals(List.of("AdministratorAccess"),
                iam(admin, "ListAttachedUserPolicies", "UserName", "carl").ok().values("PolicyName"));
        iam(admin, "DetachUserPolicy", "UserName", "carl", "PolicyArn", IamDirectory.ADMINISTRATOR_ACCESS).ok();

        iam(admin, "DeleteUser", "UserName", "carl").error(409, "DeleteConflict",
                "Cannot delete entity, must remove users from group first.");
        iam(admin, "DeleteGroup", "GroupName", "carls").error(409, "DeleteConflict",
                "Cannot delete entity, must remove users from group first.");
        iam(admin, "RemoveUserFromGroup", "GroupName", "carls", "UserName", "carl").ok();
        iam(admin, "DeleteUser", "UserName", "carl").ok();
        iam(admin, "DeleteGroup", "GroupName", "carls").ok();
    }

    @Test
    void quotasOnAttachedAndInlinePolicies() throws Exception {
        iam(admin, "CreateUser", "UserName", "quota").ok();
        iam(admin, "CreateGroup", "GroupName", "quota-group").ok();
        List<String> arns = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            arns.add(managedPolicy("quota-" + i, ALLOW_LIST_ROLES));
        }
        for (int i = 0; i < 10; i++) {
            iam(admin, "AttachUserPolicy", "UserName", "quota", "PolicyArn", arns.get(i)).ok();
            iam(admin, "AttachGroupPolicy", "GroupName", "quota-group", "PolicyArn", arns.get(i)).ok();
        }
        // Attaching one already attached is not counted again.
        iam(admin, "AttachUserPolicy", "UserName", "quota", "PolicyArn", arns.get(0)).ok();
        iam(admin, "AttachUserPolicy", "UserName", "quota", "PolicyArn", arns.get(10)).error(409, "LimitExceeded",
                "Cannot exceed quota for PoliciesPerUser: 10");
        iam(admin, "AttachGroupPolicy", "GroupName", "quota-group", "PolicyArn", arns.get(10)).error(409, "LimitExceeded",
                "Cannot exceed quota for PoliciesPerGroup: 10");
        iam(admin, "AttachUserPolicy", "UserName", "quota", "PolicyArn", "arn:aws:iam::" + ACCOUNT + ":policy/missing")
                .error(404, "NoSuchEntity", "Policy arn:aws:iam::" + ACCOUNT + ":policy/missing does not exist or is not"
                        + " attachable.");
        Response page = iam(admin, "ListAttachedGroupPolicies", "GroupName", "quota-group", "MaxItems", "4").ok();
        assertEquals(4, page.values("PolicyArn").size());
        assertEquals("true", page.value("IsTruncated"));

        // Inline policies: the aggregate of a user's documents, without whitespace, is capped at 2,048.
        String big = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::" + "b".repeat(1100) + "/*\"}]}";
        iam(admin, "PutUserPolicy", "UserName", "quota", "PolicyName", "one", "PolicyDocument", big).ok();
        iam(admin, "PutUserPolicy", "UserName", "quota", "PolicyName", "one", "PolicyDocument", big).ok();
        iam(admin, "PutUserPolicy", "UserName", "quota", "PolicyName", "two", "PolicyDocument", big).error(409,
                "LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user quota");
        // Groups get 5,120.
        iam(admin, "PutGroupPolicy", "GroupName", "quota-group", "PolicyName", "one", "PolicyDocument", big).ok();
        iam(admin, "PutGroupPolicy", "GroupName", "quota-group", "PolicyName", "two", "PolicyDocument", big).ok();
        iam(admin, "PutGroupPolicy", "GroupName", "quota-group", "PolicyName", "three", "PolicyDocument", big).ok();
        iam(admin, "PutGroupPolicy", "GroupName", "quota-group", "PolicyName", "four", "PolicyDocument", big).ok();
        iam(admin, "PutGroupPolicy", "GroupName", "quota-group", "PolicyName", "five", "PolicyDocument", big).error(409,
                "LimitExceeded", "Maximum policy size of 5120 bytes exceeded for group quota-group");
        iam(admin, "PutUserPolicy", "UserName", "quota", "PolicyName", "bad", "PolicyDocument", "{not json").error(400,
                "MalformedPolicyDocument", null);
    }

    // ---- groups -----------------------------------------------------------------------------

    @Test
    void groupLifecycle() throws Exception {
        Response created = iam(admin, "CreateGroup", "GroupName", "devs", "Path", "/eng/").ok();
        assertEquals("arn:aws:iam::" + ACCOUNT + ":group/eng/devs", created.value("Arn"));
        assertTrue(created.value("GroupId").startsWith("AGPA"), created.body());
        iam(admin, "CreateGroup", "GroupName", "DEVS").error(409, "EntityAlreadyExists", "Group with name DEVS already exists.");
        iam(admin, "GetGroup", "GroupName", "nope").error(404, "NoSuchEntity", "The group with name nope cannot be found.");
        iam(admin, "AddUserToGroup", "GroupName", "devs", "UserName", "ghost").error(404, "NoSuchEntity",
                "The user with name ghost cannot be found.");

        iam(admin, "CreateUser", "UserName", "dev-1").ok();
        iam(admin, "CreateUser", "UserName", "dev-2").ok();
        iam(admin, "AddUserToGroup", "GroupName", "devs", "UserName", "dev-1").ok();
        iam(admin, "AddUserToGroup", "GroupName", "devs", "UserName", "dev-2").ok();
        Response first = iam(admin, "GetGroup", "GroupName", "devs", "MaxItems", "1").ok();
        assertEquals("devs", first.value("GroupName"));
        assertEquals(List.of("dev-1"), first.values("UserName"));
        Response second = iam(admin, "GetGroup", "GroupName", "devs", "Marker", first.value("Marker")).ok();
        assertEquals(List.of("dev-2"), second.values("UserName"));
        assertEquals("false", second.value("IsTruncated"));

        iam(admin, "UpdateGroup", "GroupName", "devs", "NewGroupName", "developers", "NewPath", "/").ok();
        assertEquals(List.of("developers"), iam(admin, "ListGroups", "PathPrefix", "/").ok().values("GroupName").stream()
                .filter(g -> g.startsWith("dev")).toList());
        assertEquals(2, iam(admin, "GetGroup", "GroupName", "developers").ok().values("UserName").size());
        assertEquals(List.of("developers"), iam(admin, "ListGroupsForUser", "UserName", "dev-1").ok().values("GroupName"));

        iam(admin, "PutGroupPolicy", "GroupName", "developers", "PolicyName", "p", "PolicyDocument", ALLOW_LIST_ROLES).ok();
        assertEquals(IamSupport.encodeDocument(ALLOW_LIST_ROLES),
                iam(admin, "GetGroupPolicy", "GroupName", "developers", "PolicyName", "p").ok().value("PolicyDocument"));
        iam(admin, "GetGroupPolicy", "GroupName", "developers", "PolicyName", "q").error(404, "NoSuchEntity",
                "The group policy with name q cannot be found.");

        for (String user : List.of("dev-1", "dev-2")) {
            iam(admin, "RemoveUserFromGroup", "GroupName", "developers", "UserName", user).ok();
            iam(admin, "DeleteUser", "UserName", user).ok();
        }
        iam(admin, "DeleteGroup", "GroupName", "developers").error(409, "DeleteConflict",
                "Cannot delete entity, must delete policies first.");
        iam(admin, "DeleteGroupPolicy", "GroupName", "developers", "PolicyName", "p").ok();
        iam(admin, "AttachGroupPolicy", "GroupName", "developers", "PolicyArn", IamDirectory.ADMINISTRATOR_ACCESS).ok();
        iam(admin, "DeleteGroup", "GroupName", "developers").error(409, "DeleteConflict",
                "Cannot delete entity, must detach all policies first.");
        iam(admin, "DetachGroupPolicy", "GroupName", "developers", "PolicyArn", IamDirectory.ADMINISTRATOR_ACCESS).ok();
        iam(admin, "DeleteGroup", "GroupName", "developers").ok();
    }

    @Test
    void groupPoliciesGrantTheirMembers() throws Exception {
        iam(admin, "CreateUser", "UserName", "member").ok();
        Keys member = newKey("member");
        iam(admin, "CreateGroup", "GroupName", "readers").ok();
        iam(admin, "AddUserToGroup", "GroupName", "readers", "UserName", "member").ok();
        String denied = "User: arn:aws:iam::" + ACCOUNT + ":user/member is not authorized to perform: iam:ListRoles"
                + " on resource: arn:aws:iam::" + ACCOUNT + ":role/ because no identity-based policy allows the iam:ListRoles"
                + " action";
        iam(member, "ListRoles").error(403, "AccessDenied", denied);

        String arn = managedPolicy("list-roles", ALLOW_LIST_ROLES);
        iam(admin, "AttachGroupPolicy", "GroupName", "readers", "PolicyArn", arn).ok();
        iam(member, "ListRoles").ok();
        iam(admin, "DetachGroupPolicy", "GroupName", "readers", "PolicyArn", arn).ok();
        iam(member, "ListRoles").error(403, "AccessDenied", denied);

        iam(admin, "PutGroupPolicy", "GroupName", "readers", "PolicyName", "inline", "PolicyDocument", ALLOW_LIST_ROLES).ok();
        iam(member, "ListRoles").ok();
        // Leaving the group takes the permission away.
        iam(admin, "RemoveUserFromGroup", "GroupName", "readers", "UserName", "member").ok();
        iam(member, "ListRoles").error(403, "AccessDenied", denied);
    }

    @Test
    void rootAndRoleSessionCallersWithoutAUserName() throws Exception {
        AccessKey rootKey = server.iam().createAccessKey(ACCOUNT, null);
        Keys root = new Keys(rootKey.accessKeyId(), rootKey.secretAccessKey());
        try {
            Response me = iam(root, "GetUser").ok();
            assertEquals(ACCOUNT, me.value("UserId"));
            assertEquals("arn:aws:iam::" + ACCOUNT + ":root", me.value("Arn"));
            assertEquals(null, me.value("UserName"));
            Response listed = iam(root, "ListAccessKeys").ok();
            assertEquals(List.of(rootKey.accessKeyId()), listed.values("AccessKeyId"));
            assertEquals(null, listed.value("UserName"));
            // The root names users like anyone else.
            assertEquals("admin", iam(root, "GetUser", "UserName", "admin").ok().value("UserName"));
        } finally {
            server.iam().deleteAccessKey(rootKey.accessKeyId());
        }

        String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                + "{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":root\"},\"Action\":\"sts:AssumeRole\"}]}";
        iam(admin, "CreateRole", "RoleName", "operator", "AssumeRolePolicyDocument", trust).ok();
        iam(admin, "AttachRolePolicy", "RoleName", "operator", "PolicyArn", IamDirectory.ADMINISTRATOR_ACCESS).ok();
        Response assumed = post(admin, "sts", "Action=AssumeRole&Version=2011-06-15&RoleSessionName=ops&RoleArn="
                + encode("arn:aws:iam::" + ACCOUNT + ":role/operator")).ok();
        Keys session = new Keys(assumed.value("AccessKeyId"), assumed.value("SecretAccessKey"),
                assumed.value("SessionToken"));
        String nonUser = "Must specify userName when calling with non-User credentials";
        iam(session, "GetUser").error(400, "ValidationError", nonUser);
        iam(session, "ListAccessKeys").error(400, "ValidationError", nonUser);
        iam(session, "CreateAccessKey").error(400, "ValidationError", nonUser);
        assertEquals("admin", iam(session, "GetUser", "UserName", "admin").ok().value("UserName"));
    }

    @Test
    void aUserWithoutIamPermissionsIsDenied() throws Exception {
        iam(admin, "CreateUser", "UserName", "nobody").ok();
        Keys nobody = newKey("nobody");
        iam(nobody, "CreateUser", "UserName", "someone").error(403, "AccessDenied", "User: arn:aws:iam::" + ACCOUNT
                + ":user/nobody is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::" + ACCOUNT
                + ":user/someone because no identity-based policy allows the iam:CreateUser action");
        iam(nobody, "CreateGroup", "GroupName", "g", "Path", "/x/").error(403, "AccessDenied", "User: arn:aws:iam::"
                + ACCOUNT + ":user/nobody is not authorized to perform: iam:CreateGroup on resource: arn:aws:iam::"
                + ACCOUNT + ":group/x/g because no identity-based policy allows the iam:CreateGroup action");
        iam(admin, "GetUser", "UserName", "someone").error(404, "NoSuchEntity", null);
    }
}
