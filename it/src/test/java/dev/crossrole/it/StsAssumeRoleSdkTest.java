package dev.crossrole.it;

import static dev.crossrole.it.Docs.actions;
import static dev.crossrole.it.Docs.allow;
import static dev.crossrole.it.Docs.aws;
import static dev.crossrole.it.Docs.cond;
import static dev.crossrole.it.Docs.doc;
import static dev.crossrole.it.Docs.stmt;
import static dev.crossrole.it.Docs.trustAws;
import static dev.crossrole.it.Docs.trustStmt;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.rootArn;
import static dev.crossrole.it.TestCrossrole.sessionArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.iam.AccessKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.PolicyDescriptorType;
import software.amazon.awssdk.services.sts.model.StsException;
import software.amazon.awssdk.services.sts.model.Tag;

/**
 * AssumeRole through the AWS SDK for Java v2, same-account and cross-account, allowed and denied for
 * every reason AWS distinguishes, with AWS's error code, HTTP status and message.
 */
@SuppressWarnings("deprecation") // PackedPolicySize is deprecated in the SDK model but still on the wire
class StsAssumeRoleSdkTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;
    static final String ASSUME = "sts:AssumeRole";
    static final String TAG = "sts:TagSession";
    static final String SET_SOURCE = "sts:SetSourceIdentity";

    static TestCrossrole crossrole;
    static AccessKey alice;      // A, no identity policy
    static AccessKey bob;        // A, may assume anything
    static AccessKey bounded;    // A, may assume anything, but its boundary allows only s3
    static AccessKey root;       // A, the account root
    static AccessKey xuser;      // A, may assume, tag and set source identity on B's roles
    static AccessKey xother;     // A, same permissions as xuser
    static AccessKey xnoperm;    // A, no identity policy
    static AccessKey xdenied;    // A, sts:* allowed but sts:AssumeRole on B's roles explicitly denied

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        TestCrossrole c = crossrole;
        String anyAssume = allow("*", ASSUME);
        String bRoles = "arn:aws:iam::" + B + ":role/*";
        String crossPerms = allow(bRoles, ASSUME, TAG, SET_SOURCE);

        // Same account.
        alice = c.user(A, "alice", Map.of());
        bob = c.user(A, "bob", Map.of("assume", anyAssume));
        String s3Only = c.managedPolicy(A, "s3-only", allow("*", "s3:*"));
        bounded = c.boundedUser(A, "bounded", Map.of("assume", anyAssume), s3Only);
        root = c.iam().createAccessKey(A, null);
        c.role(A, "trusts-alice", trustAws(userArn(A, "alice")));
        c.role(A, "trusts-account", trustAws(rootArn(A)));
        c.role(A, "trusts-bounded", trustAws(userArn(A, "bounded")));
        c.role(A, "pathed", "/team/app/", trustAws(userArn(A, "alice")), 3600, Map.of());

        // Cross account: callers in A.
        xuser = c.user(A, "xuser", Map.of("cross", crossPerms));
        xother = c.user(A, "xother", Map.of("cross", crossPerms));
        xnoperm = c.user(A, "xnoperm", Map.of());
        xdenied = c.user(A, "xdenied", Map.of("p", doc(stmt("Allow", actions("sts:*"), "*"),
                stmt("Deny", actions(ASSUME), bRoles))));
        c.role(A, "xcaller", trustAws(userArn(A, "bob")), allow(bRoles, ASSUME));

        // Cross account: roles in B.
        c.role(B, "trusts-role-arn", trustAws(roleArn(A, "xcaller")));
        c.role(B, "trusts-root", trustAws(rootArn(A)));
        c.role(B, "trusts-account-id", trustAws(A));
        c.role(B, "trusts-session-arn", trustAws(sessionArn(A, "xcaller", "fixed-session")));
        c.role(B, "trusts-star-if-xuser", doc(trustStmt("Allow", "{\"AWS\":\"*\"}", actions(ASSUME),
                cond("ArnEquals", "aws:PrincipalArn", userArn(A, "xuser")))));
        c.role(B, "trusts-root-denies-xuser", doc(trustStmt("Allow", aws(rootArn(A)), actions(ASSUME), null),
                trustStmt("Deny", aws(userArn(A, "xuser")), actions(ASSUME), null)));
        c.role(B, "needs-external-id", doc(trustStmt("Allow", aws(rootArn(A)), actions(ASSUME),
                cond("StringEquals", "sts:ExternalId", "correct-horse-battery"))));
        c.role(B, "plain", trustAws(rootArn(A)));
        c.role(B, "short-role", "/", trustAws(rootArn(A)), 3600, Map.of());
        c.role(B, "long-role", "/", trustAws(rootArn(A)), 43200, Map.of());

        // Session policies: hop-role may assume anything; its sessions are narrowed by session policies.
        c.role(B, "hop-role", trustAws(rootArn(A)), allow("*", ASSUME));
        c.role(B, "hop-allowed", trustAws(rootArn(B)));
        c.role(B, "hop-forbidden", trustAws(rootArn(B)));
        c.managedPolicy(B, "only-hop-allowed", allow(roleArn(B, "hop-allowed"), ASSUME));

        // Session tags and source identity.
        String all3 = allow("*", ASSUME, TAG, SET_SOURCE);
        c.role(B, "tagging", trustAws(rootArn(A), ASSUME, TAG, SET_SOURCE), all3);
        c.role(B, "tag-hop2", trustAws(rootArn(B), ASSUME, TAG, SET_SOURCE), all3);
        c.role(B, "tag-hop3-project", doc(trustStmt("Allow", aws(rootArn(B)), actions(ASSUME, TAG, SET_SOURCE),
                cond("StringEquals", "aws:PrincipalTag/Project", "blue"))));
        c.role(B, "tag-hop3-cost", doc(trustStmt("Allow", aws(rootArn(B)), actions(ASSUME, TAG, SET_SOURCE),
                cond("Null", "aws:PrincipalTag/Cost", "false"))));
        c.role(B, "srcid-is-alice", doc(trustStmt("Allow", aws(rootArn(B)), actions(ASSUME, SET_SOURCE),
                cond("StringEquals", "aws:SourceIdentity", "alice-src"))));
        c.role(B, "srcid-is-mallory", doc(trustStmt("Allow", aws(rootArn(B)), actions(ASSUME, SET_SOURCE),
                cond("StringEquals", "aws:SourceIdentity", "mallory"))));
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    // ---- helpers ------------------------------------------------------------------------------

    static StsClient as(AccessKey key) {
        return crossrole.sts(key);
    }

    static StsClient as(Credentials session) {
        return crossrole.sts(session);
    }

    static AssumeRoleResponse assume(StsClient client, String roleArn, String session) {
        return client.assumeRole(r -> r.roleArn(roleArn).roleSessionName(session));
    }

    static StsException fails(StsClient client, Consumer<AssumeRoleRequest.Builder> request) {
        return assertThrows(StsException.class, () -> client.assumeRole(request));
    }

    static StsException denied(StsClient client, String roleArn, String session) {
        return fails(client, r -> r.roleArn(roleArn).roleSessionName(session));
    }

    static String notAuthorized(String caller, String action, String resource, String suffix) {
        return "User: " + caller + " is not authorized to perform: " + action + " on resource: " + resource
                + (suffix == null ? "" : " " + suffix);
    }

    static void assertError(StsException e, int status, String code, String message) {
        assertAll(
                () -> assertEquals(code, e.awsErrorDetails().errorCode(), "error code"),
                () -> assertEquals(status, e.statusCode(), "HTTP status"),
                () -> assertEquals(message, e.awsErrorDetails().errorMessage(), "error message"),
                () -> assertNotNull(e.requestId(), "request id"));
    }

    static void assertAccessDenied(StsException e, String message) {
        assertError(e, 403, "AccessDenied", message);
    }

    static void assertSession(AssumeRoleResponse response, String account, String role, String session) {
        assertEquals(sessionArn(account, role, session), response.assumedRoleUser().arn());
        assertTrue(response.credentials().accessKeyId().startsWith("ASIA"), response.credentials().accessKeyId());
        GetCallerIdentityResponse me = as(response.credentials()).getCallerIdentity();
        assertEquals(account, me.account());
        assertEquals(sessionArn(account, role, session), me.arn());
    }

    static Credentials xcallerSession(String name) {
        return assume(as(bob), roleArn(A, "xcaller"), name).credentials();
    }

    // ---- same account -------------------------------------------------------------------------

    @Test
    void trustNamingTheCallerNeedsNoIdentityPolicy() {
        assertSession(assume(as(alice), roleArn(A, "trusts-alice"), "alice-1"), A, "trusts-alice", "alice-1");
    }

    @Test
    void trustNamingTheAccountRootNeedsAnIdentityPolicy() {
        StsException e = denied(as(alice), roleArn(A, "trusts-account"), "alice-2");
        assertAccessDenied(e, notAuthorized(userArn(A, "alice"), ASSUME, roleArn(A, "trusts-account"),
                "because no identity-based policy allows the sts:AssumeRole action"));

        assertSession(assume(as(bob), roleArn(A, "trusts-account"), "bob-1"), A, "trusts-account", "bob-1");
    }

    @Test
    void trustNamingSomeoneElseIsDeniedWithoutAReason() {
        StsException e = denied(as(bob), roleArn(A, "trusts-alice"), "bob-2");
        assertAccessDenied(e, notAuthorized(userArn(A, "bob"), ASSUME, roleArn(A, "trusts-alice"), null));
    }

    @Test
    void permissionsBoundaryWithoutAssumeRoleDenies() {
        StsException e = denied(as(bounded), roleArn(A, "trusts-bounded"), "bounded-1");
        assertAccessDenied(e, notAuthorized(userArn(A, "bounded"), ASSUME, roleArn(A, "trusts-bounded"),
                "because no permissions boundary allows the sts:AssumeRole action"));
    }

    @Test
    void rootCredentialsCannotAssumeRoles() {
        StsException e = denied(as(root), roleArn(A, "trusts-account"), "root-1");
        assertAccessDenied(e, "Roles may not be assumed by root accounts.");
    }

    // ---- cross account: who the trust policy names ----------------------------------------------

    @Test
    void trustNamingTheCallersRole() {
        Credentials task = xcallerSession("task-1");
        assertSession(assume(as(task), roleArn(B, "trusts-role-arn"), "hop-1"), B, "trusts-role-arn", "hop-1");
    }

    @Test
    void trustNamingTheAccountRoot() {
        assertSession(assume(as(xuser), roleArn(B, "trusts-root"), "x-1"), B, "trusts-root", "x-1");
    }

    @Test
    void trustNamingTheAccountId() {
        assertSession(assume(as(xuser), roleArn(B, "trusts-account-id"), "x-2"), B, "trusts-account-id", "x-2");
    }

    @Test
    void trustNamingOneSessionArnTrustsThatSessionOnly() {
        Credentials fixed = xcallerSession("fixed-session");
        assertSession(assume(as(fixed), roleArn(B, "trusts-session-arn"), "hop-2"), B, "trusts-session-arn", "hop-2");

        Credentials other = xcallerSession("other-session");
        StsException e = denied(as(other), roleArn(B, "trusts-session-arn"), "hop-3");
        assertAccessDenied(e, notAuthorized(sessionArn(A, "xcaller", "other-session"), ASSUME,
                roleArn(B, "trusts-session-arn"), null));
    }

    @Test
    void trustNamingEveryoneNarrowedByPrincipalArn() {
        assertSession(assume(as(xuser), roleArn(B, "trusts-star-if-xuser"), "x-3"), B, "trusts-star-if-xuser", "x-3");

        StsException e = denied(as(xother), roleArn(B, "trusts-star-if-xuser"), "x-4");
        assertAccessDenied(e, notAuthorized(userArn(A, "xother"), ASSUME, roleArn(B, "trusts-star-if-xuser"), null));
    }

    @Test
    void callerWithoutAnIdentityPolicyIsDenied() {
        StsException e = denied(as(xnoperm), roleArn(B, "trusts-root"), "x-5");
        assertAccessDenied(e, notAuthorized(userArn(A, "xnoperm"), ASSUME, roleArn(B, "trusts-root"),
                "because no identity-based policy allows the sts:AssumeRole action"));
    }

    @Test
    void explicitDenyInTheCallersIdentityPolicy() {
        StsException e = denied(as(xdenied), roleArn(B, "trusts-root"), "x-6");
        assertAccessDenied(e, notAuthorized(userArn(A, "xdenied"), ASSUME, roleArn(B, "trusts-root"),
                "with an explicit deny in an identity-based policy"));
    }

    @Test
    void explicitDenyInTheTrustPolicy() {
        StsException e = denied(as(xuser), roleArn(B, "trusts-root-denies-xuser"), "x-7");
        assertAccessDenied(e, notAuthorized(userArn(A, "xuser"), ASSUME, roleArn(B, "trusts-root-denies-xuser"),
                "with an explicit deny in the role trust policy"));

        assertSession(assume(as(xother), roleArn(B, "trusts-root-denies-xuser"), "x-8"), B,
                "trusts-root-denies-xuser", "x-8");
    }

    @Test
    void roleThatDoesNotExistLooksLikeAnUntrustingRole() {
        StsException missing = denied(as(xuser), roleArn(B, "no-such-role"), "x-9");
        assertAccessDenied(missing, notAuthorized(userArn(A, "xuser"), ASSUME, roleArn(B, "no-such-role"), null));

        StsException untrusting = denied(as(xuser), roleArn(B, "trusts-role-arn"), "x-9");
        assertAccessDenied(untrusting, notAuthorized(userArn(A, "xuser"), ASSUME, roleArn(B, "trusts-role-arn"), null));
    }

    @Test
    void externalIdRequiredByTheTrustPolicy() {
        String arn = roleArn(B, "needs-external-id");
        String expected = notAuthorized(userArn(A, "xuser"), ASSUME, arn, null);
        assertAccessDenied(fails(as(xuser), r -> r.roleArn(arn).roleSessionName("ext-1")), expected);
        assertAccessDenied(fails(as(xuser), r -> r.roleArn(arn).roleSessionName("ext-2").externalId("wrong-id")),
                expected);

        AssumeRoleResponse ok = as(xuser).assumeRole(r -> r.roleArn(arn).roleSessionName("ext-3")
                .externalId("correct-horse-battery"));
        assertSession(ok, B, "needs-external-id", "ext-3");
    }

    @Test
    void deniedRequestIsExplainedByTheAdminApi() throws Exception {
        StsException e = denied(as(xnoperm), roleArn(B, "trusts-root"), "why-1");
        var text = crossrole.adminGet("/_crossrole/requests/" + e.requestId() + "?format=text");
        assertEquals(200, text.statusCode());
        assertTrue(text.body().contains(e.awsErrorDetails().errorMessage()), text.body());
        var json = crossrole.adminGet("/_crossrole/requests/" + e.requestId());
        assertEquals(200, json.statusCode());
        assertTrue(json.body().contains("\"outcome\":\"ImplicitDeny\""), json.body());
        assertTrue(json.body().contains("\"errorCode\":\"AccessDenied\""), json.body());
    }

    // ---- session policies ------------------------------------------------------------------

    @Test
    void inlineSessionPolicyLimitsTheSession() {
        String policy = allow(roleArn(B, "hop-allowed"), ASSUME);
        AssumeRoleResponse hop = as(xuser).assumeRole(r -> r.roleArn(roleArn(B, "hop-role")).roleSessionName("sp")
                .policy(policy));
        assertNotNull(hop.packedPolicySize(), "PackedPolicySize is returned when a session policy is passed");
        assertSession(assume(as(hop.credentials()), roleArn(B, "hop-allowed"), "sp-ok"), B, "hop-allowed", "sp-ok");

        StsException e = denied(as(hop.credentials()), roleArn(B, "hop-forbidden"), "sp-no");
        assertAccessDenied(e, notAuthorized(sessionArn(B, "hop-role", "sp"), ASSUME, roleArn(B, "hop-forbidden"),
                "because no session policy allows the sts:AssumeRole action"));
    }

    @Test
    void managedSessionPoliciesLimitTheSession() {
        String managed = "arn:aws:iam::" + B + ":policy/only-hop-allowed";
        AssumeRoleResponse hop = as(xuser).assumeRole(r -> r.roleArn(roleArn(B, "hop-role")).roleSessionName("spa")
                .policyArns(PolicyDescriptorType.builder().arn(managed).build()));
        assertNotNull(hop.packedPolicySize(), "PackedPolicySize is returned when session policies are passed");
        assertSession(assume(as(hop.credentials()), roleArn(B, "hop-allowed"), "spa-ok"), B, "hop-allowed", "spa-ok");

        StsException e = denied(as(hop.credentials()), roleArn(B, "hop-forbidden"), "spa-no");
        assertAccessDenied(e, notAuthorized(sessionArn(B, "hop-role", "spa"), ASSUME, roleArn(B, "hop-forbidden"),
                "because no session policy allows the sts:AssumeRole action"));
    }

    @Test
    void withoutSessionPolicyTheRolePermissionsApply() {
        AssumeRoleResponse hop = assume(as(xuser), roleArn(B, "hop-role"), "nsp");
        assertNull(hop.packedPolicySize(), "no PackedPolicySize without session policies or tags");
        assertSession(assume(as(hop.credentials()), roleArn(B, "hop-forbidden"), "nsp-ok"), B, "hop-forbidden", "nsp-ok");
    }

    // ---- session tags and source identity ---------------------------------------------------

    @Test
    void tagsNeedTagSessionInTheTrustPolicy() {
        StsException e = fails(as(xuser), r -> r.roleArn(roleArn(B, "plain")).roleSessionName("tag-1")
                .tags(Tag.builder().key("Project").value("blue").build()));
        assertAccessDenied(e, notAuthorized(userArn(A, "xuser"), TAG, roleArn(B, "plain"), null));
    }

    @Test
    void tagsAllowedWithTagSession() {
        AssumeRoleResponse r = as(xuser).assumeRole(q -> q.roleArn(roleArn(B, "tagging")).roleSessionName("tag-2")
                .tags(Tag.builder().key("Project").value("blue").build()));
        assertEquals(sessionArn(B, "tagging", "tag-2"), r.assumedRoleUser().arn());
        assertNotNull(r.packedPolicySize(), "PackedPolicySize is returned when tags are passed");
        assertTrue(r.packedPolicySize() >= 1 && r.packedPolicySize() <= 100, "PackedPolicySize " + r.packedPolicySize());
    }

    @Test
    void transitiveTagsFollowTheChainAndOthersDoNot() {
        AssumeRoleResponse first = as(xuser).assumeRole(q -> q.roleArn(roleArn(B, "tagging")).roleSessionName("tt-1")
                .tags(Tag.builder().key("Project").value("blue").build(), Tag.builder().key("Cost").value("42").build())
                .transitiveTagKeys("Project"));
        AssumeRoleResponse second = assume(as(first.credentials()), roleArn(B, "tag-hop2"), "tt-2");

        // Project was transitive: the second session still carries it.
        assertSession(assume(as(second.credentials()), roleArn(B, "tag-hop3-project"), "tt-3"), B,
                "tag-hop3-project", "tt-3");
        // Cost was not: it stayed with the first session.
        StsException e = denied(as(second.credentials()), roleArn(B, "tag-hop3-cost"), "tt-4");
        assertAccessDenied(e, notAuthorized(sessionArn(B, "tag-hop2", "tt-2"), ASSUME, roleArn(B, "tag-hop3-cost"), null));

        // An inherited transitive tag cannot be overridden (keys compare case-insensitively).
        StsException override = fails(as(first.credentials()), q -> q.roleArn(roleArn(B, "tag-hop2"))
                .roleSessionName("tt-5").tags(Tag.builder().key("project").value("red").build()));
        assertEquals(400, override.statusCode());
        assertEquals("InvalidParameterValue", override.awsErrorDetails().errorCode());
        // AWS's words as recorded by localstack/localstack (tests/aws/services/sts,
        // test_iam_role_chaining_override_transitive_tags).
        assertEquals("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag"
                + " key from the calling session.", override.awsErrorDetails().errorMessage());
    }

    @Test
    void sourceIdentityNeedsSetSourceIdentityInTheTrustPolicy() {
        StsException e = fails(as(xuser), r -> r.roleArn(roleArn(B, "plain")).roleSessionName("si-1")
                .sourceIdentity("alice-src"));
        assertAccessDenied(e, notAuthorized(userArn(A, "xuser"), SET_SOURCE, roleArn(B, "plain"), null));
    }

    @Test
    void sourceIdentityIsEchoedAndVisibleToLaterPolicies() {
        AssumeRoleResponse r = as(xuser).assumeRole(q -> q.roleArn(roleArn(B, "tagging")).roleSessionName("si-2")
                .sourceIdentity("alice-src"));
        assertEquals("alice-src", r.sourceIdentity());

        assertSession(assume(as(r.credentials()), roleArn(B, "srcid-is-alice"), "si-3"), B, "srcid-is-alice", "si-3");
        StsException e = denied(as(r.credentials()), roleArn(B, "srcid-is-mallory"), "si-4");
        assertAccessDenied(e, notAuthorized(sessionArn(B, "tagging", "si-2"), ASSUME, roleArn(B, "srcid-is-mallory"),
                null));
    }

    // ---- durations -------------------------------------------------------------------------

    @Test
    void moreThanTheRolesMaxSessionDuration() {
        StsException e = fails(as(xuser), r -> r.roleArn(roleArn(B, "short-role")).roleSessionName("d-1")
                .durationSeconds(7200));
        assertError(e, 400, "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }

    @Test
    void twoHoursFromAUserWhenTheRoleAllowsTwelve() {
        Instant before = Instant.now();
        AssumeRoleResponse r = as(xuser).assumeRole(q -> q.roleArn(roleArn(B, "long-role")).roleSessionName("d-2")
                .durationSeconds(7200));
        Duration left = Duration.between(before, r.credentials().expiration());
        assertTrue(left.compareTo(Duration.ofSeconds(7200 - 60)) > 0 && left.compareTo(Duration.ofSeconds(7200 + 60)) < 0,
                "Expiration " + r.credentials().expiration() + " is not about 2 hours after " + before);
    }

    // ---- response shapes -------------------------------------------------------------------

    @Test
    void assumeRoleResponseOfARoleWithAPath() {
        Instant before = Instant.now();
        AssumeRoleResponse r = assume(as(alice), "arn:aws:iam::" + A + ":role/team/app/pathed", "shape-session");
        String roleId = crossrole.iam().role(A, "pathed").orElseThrow().roleId();
        assertAll(
                () -> assertTrue(roleId.startsWith("AROA"), roleId),
                () -> assertEquals(roleId + ":shape-session", r.assumedRoleUser().assumedRoleId()),
                () -> assertEquals("arn:aws:sts::" + A + ":assumed-role/pathed/shape-session", r.assumedRoleUser().arn()),
                () -> assertTrue(r.credentials().accessKeyId().matches("ASIA[A-Z2-7]{16}"), r.credentials().accessKeyId()),
                () -> assertEquals(40, r.credentials().secretAccessKey().length()),
                () -> assertTrue(r.credentials().sessionToken().length() > 40),
                () -> {
                    Duration left = Duration.between(before, r.credentials().expiration());
                    assertTrue(left.compareTo(Duration.ofSeconds(3540)) > 0 && left.compareTo(Duration.ofSeconds(3660)) < 0,
                            "default duration is one hour: " + r.credentials().expiration());
                },
                () -> assertNull(r.packedPolicySize()),
                () -> assertNull(r.sourceIdentity()));

        GetCallerIdentityResponse me = as(r.credentials()).getCallerIdentity();
        assertAll(
                () -> assertEquals(roleId + ":shape-session", me.userId()),
                () -> assertEquals(A, me.account()),
                () -> assertEquals("arn:aws:sts::" + A + ":assumed-role/pathed/shape-session", me.arn()));
    }

    @Test
    void callerIdentityOfTheRoot() {
        GetCallerIdentityResponse me = as(root).getCallerIdentity();
        assertAll(
                () -> assertEquals(A, me.userId()),
                () -> assertEquals(A, me.account()),
                () -> assertEquals("arn:aws:iam::" + A + ":root", me.arn()));
    }

    @Test
    void callerIdentityCannotBeDenied() {
        AccessKey denyAll = crossrole.user(A, "deny-all", Map.of("deny", doc(stmt("Deny", actions("*"), "*"))));
        assertEquals(userArn(A, "deny-all"), as(denyAll).getCallerIdentity().arn());
    }

    @Test
    void callerIdentityOfAUser() {
        GetCallerIdentityResponse me = as(alice).getCallerIdentity();
        String userId = crossrole.iam().user(A, "alice").orElseThrow().userId();
        assertAll(
                () -> assertTrue(userId.matches("AIDA[A-Z0-9]{17}"), userId),
                () -> assertEquals(userId, me.userId()),
                () -> assertEquals(A, me.account()),
                () -> assertEquals(userArn(A, "alice"), me.arn()));
    }
}
