package dev.crossrole.it;

import static dev.crossrole.it.Docs.trustAws;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.rootArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.it.RawAws.Creds;
import dev.crossrole.it.RawAws.Req;
import dev.crossrole.it.RawAws.Res;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SigV4 authentication and the Query protocol envelope, with hand-made requests: every way a request
 * can fail authentication gets AWS's code, status and text, and no malformed request gets a 500.
 */
class AuthenticationTest {
    static final String A = SOURCE;
    static final String STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
    static final String INVALID_TOKEN = "The security token included in the request is invalid.";
    static final String MISMATCH = "The request signature we calculated does not match the signature you provided."
            + " Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    static MutableClock clock;
    static Instant base;
    static TestCrossrole crossrole;
    static RawAws raw;
    static Creds admin;

    @BeforeAll
    static void start() throws Exception {
        clock = MutableClock.frozenNow();
        base = clock.instant();
        crossrole = new TestCrossrole(clock);
        raw = new RawAws(crossrole.endpoint());
        var p = crossrole.admin(A);
        admin = new Creds(p.accessKeyId(), p.secretAccessKey(), null);
        // The administrator (AdministratorAccess) may assume it: the trust names the account.
        crossrole.role(A, "worker", "/", trustAws(rootArn(A)), 3600, Map.of());
    }

    @BeforeEach
    void resetClock() {
        clock.set(base);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    // ---- helpers ------------------------------------------------------------------------------

    static Instant now() {
        return clock.instant();
    }

    static Req callerIdentity() {
        return RawAws.query("GetCallerIdentity");
    }

    static Res call(Req req, Creds creds) throws Exception {
        return raw.call(req, creds, now());
    }

    /** Role-session credentials of the administrator, from a raw AssumeRole. */
    static Creds session(String name, int seconds) throws Exception {
        Res r = call(RawAws.query("AssumeRole", "RoleArn", "arn:aws:iam::" + A + ":role/worker", "RoleSessionName", name,
                "DurationSeconds", String.valueOf(seconds)), admin);
        assertEquals(200, r.status(), r.toString());
        return new Creds(r.xmlText("AccessKeyId"), r.xmlText("SecretAccessKey"), r.xmlText("SessionToken"));
    }

    static void assertOk(Res r) {
        assertEquals(200, r.status(), r.toString());
        assertEquals("GetCallerIdentityResponse", r.xmlRoot().getLocalName(), r.body());
    }

    /** A Query-protocol error: status, text/xml, {@code <ErrorResponse><Error><Type>Sender</Type><Code>…}, request id. */
    static void assertQueryError(Res r, int status, String code, String message) {
        assertAll(
                () -> assertEquals(status, r.status(), "HTTP status of " + r),
                () -> assertTrue(r.header("Content-Type") != null && r.header("Content-Type").startsWith("text/xml"),
                        "Content-Type " + r.header("Content-Type")),
                () -> assertEquals("ErrorResponse", r.xmlRoot().getLocalName()),
                () -> assertEquals(STS_NS, r.xmlRoot().getNamespaceURI()),
                () -> assertEquals("Sender", r.xmlText("Type")),
                () -> assertEquals(code, r.xmlText("Code")),
                () -> {
                    if (message != null) {
                        assertEquals(message, r.xmlText("Message"));
                    }
                },
                () -> assertNotNull(r.header("x-amzn-RequestId"), "x-amzn-RequestId"),
                () -> assertEquals(r.header("x-amzn-RequestId"), r.xmlText("RequestId")),
                () -> assertNotNull(r.header("Date"), "Date header"));
    }

    // ---- the envelope ---------------------------------------------------------------------------

    @Test
    void missingAuthorization() throws Exception {
        assertQueryError(raw.send(callerIdentity()), 403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    }

    @Test
    void authorizationWithoutCredentialOrSignature() throws Exception {
        Req req = raw.sign(callerIdentity(), admin, now());
        String header = "AWS4-HMAC-SHA256 SignedHeaders=content-type;host;x-amz-date";
        req.header("Authorization", header);
        assertQueryError(raw.send(req), 400, "IncompleteSignature", "Authorization header requires 'Credential' parameter."
                + " Authorization header requires 'Signature' parameter. Authorization=" + header);
    }

    @Test
    void authorizationWithNothingButTheAlgorithmAndNoDate() throws Exception {
        Req req = callerIdentity().header("Authorization", "AWS4-HMAC-SHA256");
        assertQueryError(raw.send(req), 400, "IncompleteSignature", "Authorization header requires 'Credential' parameter."
                + " Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders'"
                + " parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                + " Authorization=AWS4-HMAC-SHA256");
    }

    @Test
    void unknownAccessKey() throws Exception {
        assertQueryError(call(callerIdentity(), new Creds("AKIDEXAMPLE", admin.secretAccessKey(), null)), 403,
                "InvalidClientTokenId", INVALID_TOKEN);
    }

    @Test
    void wellFormedKeyCrossroleDidNotIssue() throws Exception {
        assertQueryError(call(callerIdentity(), new Creds("AKIA6RVFFB77RE7OLMKI", admin.secretAccessKey(), null)), 403,
                "InvalidClientTokenId", INVALID_TOKEN);
    }

    @Test
    void wrongSecret() throws Exception {
        assertQueryError(call(callerIdentity(), new Creds(admin.accessKeyId(), "x".repeat(40), null)), 403,
                "SignatureDoesNotMatch", MISMATCH);
    }

    @Test
    void tamperedBodyAfterSigning() throws Exception {
        Req req = raw.sign(callerIdentity(), admin, now());
        req.body = req.body + "&Extra=1";
        assertQueryError(raw.send(req), 403, "SignatureDoesNotMatch", MISMATCH);
    }

    // ---- clock skew -------------------------------------------------------------------------

    @Test
    void signedSixteenMinutesAgo() throws Exception {
        Instant at = now().minus(Duration.ofMinutes(16));
        assertQueryError(raw.call(callerIdentity(), admin, at), 403, "SignatureDoesNotMatch",
                "Signature expired: " + RawAws.amzDate(at) + " is now earlier than "
                        + RawAws.amzDate(now().minus(Duration.ofMinutes(15))) + " (" + RawAws.amzDate(now()) + " - 15 min.)");
        assertOk(raw.call(callerIdentity(), admin, now().minus(Duration.ofMinutes(14))));
    }

    @Test
    void signedSixteenMinutesAhead() throws Exception {
        Instant at = now().plus(Duration.ofMinutes(16));
        assertQueryError(raw.call(callerIdentity(), admin, at), 403, "SignatureDoesNotMatch",
                "Signature not yet current: " + RawAws.amzDate(at) + " is still later than "
                        + RawAws.amzDate(now().plus(Duration.ofMinutes(15))) + " (" + RawAws.amzDate(now()) + " + 15 min.)");
        assertOk(raw.call(callerIdentity(), admin, now().plus(Duration.ofMinutes(14))));
    }

    // ---- presigned URLs ---------------------------------------------------------------------

    static final Map<String, String> GET_CALLER_IDENTITY = new LinkedHashMap<>(Map.of(
            "Action", "GetCallerIdentity", "Version", "2011-06-15"));

    @Test
    void presignedGetCallerIdentity() throws Exception {
        Req req = new Req();
        req.method = "GET";
        req.rawQuery = raw.presign(GET_CALLER_IDENTITY, admin, now(), 60);
        Res r = raw.send(req);
        assertOk(r);
        assertEquals(userArn(A, "admin"), r.xmlText("Arn"));
    }

    @Test
    void expiredPresignedUrl() throws Exception {
        Req req = new Req();
        req.method = "GET";
        req.rawQuery = raw.presign(GET_CALLER_IDENTITY, admin, now().minusSeconds(120), 60);
        Res r = raw.send(req);
        assertQueryError(r, 403, "SignatureDoesNotMatch", null);
        assertTrue(r.xmlText("Message").startsWith("Signature expired: "), r.xmlText("Message"));
    }

    // ---- temporary credentials ------------------------------------------------------------------

    @Test
    void sessionCredentialsWork() throws Exception {
        Res r = call(callerIdentity(), session("ok", 900));
        assertOk(r);
        assertEquals("arn:aws:sts::" + A + ":assumed-role/worker/ok", r.xmlText("Arn"));
    }

    @Test
    void sessionKeyWithoutItsToken() throws Exception {
        Creds s = session("no-token", 900);
        assertQueryError(call(callerIdentity(), s.withToken(null)), 403, "InvalidClientTokenId", INVALID_TOKEN);
    }

    @Test
    void alteredSessionToken() throws Exception {
        Creds s = session("altered", 900);
        char[] token = s.sessionToken().toCharArray();
        int i = token.length / 2;
        token[i] = token[i] == 'A' ? 'B' : 'A';
        assertQueryError(call(callerIdentity(), s.withToken(new String(token))), 403, "InvalidClientTokenId", INVALID_TOKEN);
    }

    @Test
    void tokenOfAnotherSessionKey() throws Exception {
        Creds one = session("one", 900);
        Creds two = session("two", 900);
        assertNotEquals(one.accessKeyId(), two.accessKeyId());
        assertQueryError(call(callerIdentity(), one.withToken(two.sessionToken())), 403, "InvalidClientTokenId",
                INVALID_TOKEN);
    }

    @Test
    void expiredSession() throws Exception {
        Creds s = session("expiring", 900);
        clock.advance(Duration.ofSeconds(899));
        assertOk(call(callerIdentity(), s));
        clock.advance(Duration.ofSeconds(2));
        assertQueryError(call(callerIdentity(), s), 403, "ExpiredToken", "The security token included in the request is expired");
    }

    // ---- response envelope --------------------------------------------------------------------

    @Test
    void responsesCarryRequestIdAndDate() throws Exception {
        Res r = call(callerIdentity(), admin);
        assertOk(r);
        String id = r.header("x-amzn-RequestId");
        assertNotNull(id);
        assertEquals(id, r.xmlText("RequestId"));
        assertEquals(STS_NS, r.xmlRoot().getNamespaceURI());
        assertTrue(r.header("Content-Type").startsWith("text/xml"), r.header("Content-Type"));
        assertEquals(DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC).format(now()), r.header("Date"));
    }

    // ---- protocol errors --------------------------------------------------------------------

    @Test
    void unknownAction() throws Exception {
        assertQueryError(call(RawAws.query("FooBar"), admin), 400, "InvalidAction",
                "Could not find operation FooBar for version 2011-06-15");
    }

    @Test
    void missingAction() throws Exception {
        Req req = new Req().header("Content-Type", RawAws.FORM);
        req.body = "Version=2011-06-15";
        assertQueryError(call(req, admin), 400, "MissingAction", null);
    }

    @Test
    void getFormOfTheQueryProtocol() throws Exception {
        Req req = new Req();
        req.method = "GET";
        req.rawQuery = "Action=GetCallerIdentity&Version=2011-06-15";
        Res r = call(req, admin);
        assertOk(r);
        assertEquals(userArn(A, "admin"), r.xmlText("Arn"));
    }

    @Test
    void jsonRequestWithUnknownTarget() throws Exception {
        Req req = new Req().header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.NoSuchOperation");
        req.body = "{}";
        Res r = raw.send(raw.sign(req, admin, now(), "us-east-1", "ecs"));
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.header("Content-Type").startsWith("application/x-amz-json"), r.header("Content-Type"));
        assertTrue(r.body().replace(" ", "").contains("\"__type\":\"UnknownOperationException\""), r.body());
        assertNotNull(r.header("x-amzn-RequestId"));
    }

    @Test
    void jsonRequestToStsIsAnUnknownOperation() throws Exception {
        Req req = new Req().header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", "AWSSecurityTokenServiceV20110615.GetCallerIdentity");
        req.body = "{}";
        Res r = call(req, admin);
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.body().replace(" ", "").contains("\"__type\":\"UnknownOperationException\""), r.body());
    }

    @Test
    void bodyThatIsNotAFormAndNoTarget() throws Exception {
        Req req = new Req().header("Content-Type", "text/plain");
        req.body = "hello";
        Res r = call(req, admin);
        assertTrue(r.status() >= 400 && r.status() < 500, r.toString());
        assertNotNull(r.xmlText("Code"), r.body());
        assertNotNull(r.header("x-amzn-RequestId"));
    }

    /** Whatever arrives, the answer is an AWS error, never a 500. */
    @Test
    void noMalformedRequestGetsA500() throws Exception {
        Map<String, Req> cases = new LinkedHashMap<>();
        cases.put("empty form POST, unsigned", new Req().header("Content-Type", RawAws.FORM));
        cases.put("empty POST without content type, unsigned", new Req());
        cases.put("garbage Authorization", callerIdentity().header("Authorization", "garbage"));
        cases.put("other scheme", callerIdentity().header("Authorization", "AWS4-HMAC-SHA512 Credential=a/b/c/d/e"));
        cases.put("part without '='", callerIdentity().header("X-Amz-Date", RawAws.amzDate(now()))
                .header("Authorization", "AWS4-HMAC-SHA256 Credential, SignedHeaders, Signature"));
        cases.put("short credential", callerIdentity().header("X-Amz-Date", RawAws.amzDate(now())).header("Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIA/20260101, SignedHeaders=host, Signature=00"));
        cases.put("credential with a wrong terminator", callerIdentity().header("X-Amz-Date", RawAws.amzDate(now()))
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + admin.accessKeyId() + "/"
                        + RawAws.amzDate(now()).substring(0, 8) + "/us-east-1/sts/aws5_request, SignedHeaders=host,"
                        + " Signature=00"));
        cases.put("bad X-Amz-Date", callerIdentity().header("X-Amz-Date", "yesterday").header("Authorization",
                "AWS4-HMAC-SHA256 Credential=" + admin.accessKeyId() + "/20260101/us-east-1/sts/aws4_request,"
                        + " SignedHeaders=host;x-amz-date, Signature=00"));
        cases.put("scope date differs from X-Amz-Date", callerIdentity().header("X-Amz-Date", RawAws.amzDate(now()))
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + admin.accessKeyId()
                        + "/19991231/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"));
        cases.put("signed header that is absent", withHeader(raw.sign(callerIdentity(), admin, now()), "Authorization",
                a -> a.replace("SignedHeaders=", "SignedHeaders=x-missing;")));
        cases.put("non-hex signature", withHeader(raw.sign(callerIdentity(), admin, now()), "Authorization",
                a -> a.substring(0, a.indexOf("Signature=")) + "Signature=zz"));
        Req badEscape = new Req().header("Content-Type", RawAws.FORM);
        badEscape.body = "Action=%ZZ&Version=2011-06-15";
        cases.put("broken percent-escape in the body", raw.sign(badEscape, admin, now()));
        Req onlySignature = new Req();
        onlySignature.method = "GET";
        onlySignature.rawQuery = "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Signature=abc";
        cases.put("presigned with only a signature", onlySignature);
        for (String expires : List.of("abc", "0", "-5", "999999999999")) {
            Req presigned = new Req();
            presigned.method = "GET";
            presigned.rawQuery = raw.presign(GET_CALLER_IDENTITY, admin, now(), 60).replace("X-Amz-Expires=60",
                    "X-Amz-Expires=" + expires);
            cases.put("presigned X-Amz-Expires=" + expires, presigned);
        }
        cases.put("unknown service in the scope", raw.sign(callerIdentity(), admin, now(), "us-east-1", "nosuchservice"));
        cases.put("empty region in the scope", raw.sign(callerIdentity(), admin, now(), "", "sts"));
        cases.put("session token with a long-term key", raw.sign(callerIdentity(), admin.withToken("x".repeat(60)), now()));
        cases.put("garbage session token", raw.sign(callerIdentity(),
                new Creds("ASIA6RVFFB77RE7OLMKI", "s", "not-a-token"), now()));
        Req json = new Req().header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters");
        json.body = "this is not json";
        cases.put("JSON target with a non-JSON body", raw.sign(json, admin, now(), "us-east-1", "ecs"));
        Req jsonArray = new Req().header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters");
        jsonArray.body = "[1,2,3]";
        cases.put("JSON target with an array body", raw.sign(jsonArray, admin, now(), "us-east-1", "ecs"));
        cases.put("AssumeRole without any parameter", raw.sign(RawAws.query("AssumeRole"), admin, now()));
        cases.put("AssumeRole with a huge duration", raw.sign(RawAws.query("AssumeRole", "RoleArn",
                "arn:aws:iam::" + A + ":role/worker", "RoleSessionName", "s", "DurationSeconds", "99999999999999"), admin, now()));
        cases.put("AssumeRole with a non-numeric duration", raw.sign(RawAws.query("AssumeRole", "RoleArn",
                "arn:aws:iam::" + A + ":role/worker", "RoleSessionName", "ss", "DurationSeconds", "soon"), admin, now()));
        cases.put("AssumeRole with odd list indexes", raw.sign(RawAws.query("AssumeRole", "RoleArn",
                "arn:aws:iam::" + A + ":role/worker", "RoleSessionName", "ss", "Tags.member.9999999.Key", "k",
                "Tags.member.x.Key", "k", "Tags.member.1.Value", "no-key", "PolicyArns.member.1.arn", "",
                "TransitiveTagKeys", ""), admin, now()));
        cases.put("AssumeRole with non-Latin-1 policy", raw.sign(RawAws.query("AssumeRole", "RoleArn",
                "arn:aws:iam::" + A + ":role/worker", "RoleSessionName", "ss", "Policy", "{\"Statement\":\"\u2603\"}"),
                admin, now()));
        cases.put("GetAccessKeyInfo of a short key", raw.sign(RawAws.query("GetAccessKeyInfo", "AccessKeyId", "AKIA"),
                admin, now()));
        cases.put("GetAccessKeyInfo of an old-format key", raw.sign(RawAws.query("GetAccessKeyInfo", "AccessKeyId",
                "AKIAIOSFODNN7EXAMPLE"), admin, now()));
        cases.put("DecodeAuthorizationMessage of garbage", raw.sign(RawAws.query("DecodeAuthorizationMessage",
                "EncodedMessage", "garbage"), admin, now()));
        cases.put("IAM version on the STS scope", raw.sign(withBody(RawAws.query("GetCallerIdentity"),
                b -> b.replace("2011-06-15", "2010-05-08")), admin, now()));
        cases.put("IAM scope", raw.sign(RawAws.query("ListRoles"), admin, now(), "us-east-1", "iam"));
        Req put = callerIdentity();
        put.method = "PUT";
        cases.put("PUT", raw.sign(put, admin, now()));
        Req delete = new Req();
        delete.method = "DELETE";
        delete.rawQuery = "Action=GetCallerIdentity&Version=2011-06-15";
        cases.put("DELETE with a Query", raw.sign(delete, admin, now()));

        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Req> c : cases.entrySet()) {
            Res r = raw.send(c.getValue());
            if (r.status() >= 500 || r.status() < 400) {
                failures.add(c.getKey() + " -> HTTP " + r.status() + " " + r.body());
            } else if (r.header("x-amzn-RequestId") == null && r.header("x-amz-request-id") == null) {
                // Unsigned requests that are neither Query nor JSON are S3's, which names its id x-amz-request-id.
                failures.add(c.getKey() + " -> no request id: HTTP " + r.status() + " " + r.body());
            }
        }
        // An STS operation crossrole lacks is the one 5xx, and only as NotImplemented naming it.
        Res notImplemented = raw.send(raw.sign(RawAws.query("AssumeRoot", "TargetPrincipal", "555566667777",
                "TaskPolicyArn.arn", "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"), admin, now()));
        if (notImplemented.status() != 501 || !"NotImplemented".equals(notImplemented.xmlText("Code"))
                || !"crossrole does not implement sts:AssumeRoot yet".equals(notImplemented.xmlText("Message"))) {
            failures.add("not-implemented STS operation -> HTTP " + notImplemented.status() + " " + notImplemented.body());
        }
        Res dotted = raw.send(callerIdentity(), "/a/../../b");
        if (dotted.status() >= 500) {
            failures.add("dotted path -> HTTP " + dotted.status() + " " + dotted.body());
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static Req withHeader(Req req, String name, java.util.function.UnaryOperator<String> change) {
        req.headers.put(name, change.apply(req.headers.get(name)));
        return req;
    }

    private static Req withBody(Req req, java.util.function.UnaryOperator<String> change) {
        req.body = change.apply(req.body);
        return req;
    }
}
