package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.it.RawAws.Creds;
import dev.crossrole.it.RawAws.Req;
import dev.crossrole.it.RawAws.Res;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModel;
import dev.crossrole.server.model.ServiceModels;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * What crossrole answers for a service of the models it does not serve (the service named, in that protocol's
 * shape) and for an operation of a served service's model it does not implement (501 NotImplemented, the same for
 * every one), after authenticating the request as AWS does.
 */
class UnservedAndUnimplementedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KMS_JSON = "application/x-amz-json-1.1";

    static TestCrossrole crossrole;
    static RawAws raw;
    static Creds admin;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        raw = new RawAws(crossrole.endpoint());
        var p = crossrole.admin(SOURCE);
        admin = new Creds(p.accessKeyId(), p.secretAccessKey(), null);
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    private static void assertSdkError(AwsServiceException e, int status, String code, String message) {
        assertAll(
                () -> assertEquals(code, e.awsErrorDetails().errorCode(), "error code"),
                () -> assertEquals(message, e.awsErrorDetails().errorMessage(), "error message"),
                () -> assertEquals(status, e.statusCode(), "HTTP status"),
                () -> assertNotNull(e.requestId(), "request id"));
    }

    private static Res json(String service, String target, Creds creds) throws Exception {
        Req req = new Req().header("Content-Type", KMS_JSON).header("X-Amz-Target", target);
        req.body = "{}";
        return creds == null ? raw.send(req) : raw.send(raw.sign(req, creds, Instant.now(), "us-east-1", service));
    }

    private static Req query(String action, String version) {
        Req req = RawAws.query(action);
        req.body = RawAws.form(Map.of("Action", action, "Version", version));
        return req;
    }

    private static JsonNode jsonBody(Res r) throws Exception {
        return JSON.readTree(r.body());
    }

    // ---- a service crossrole does not serve ------------------------------------------------------------------------

    @Test
    void anOperationOfKmsCrossroleLacksIsNotImplementedThroughTheSdk() {
        try (KmsClient kms = KmsClient.builder().endpointOverride(URI.create(crossrole.endpoint()))
                .region(Region.US_EAST_1).credentialsProvider(crossrole.adminCredentials(SOURCE))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
            AwsServiceException e = assertThrows(AwsServiceException.class, () -> kms.deriveSharedSecret(r -> r
                    .keyId("1234abcd-12ab-34cd-56ef-1234567890ab").keyAgreementAlgorithm("ECDH")
                    .publicKey(software.amazon.awssdk.core.SdkBytes.fromByteArray(new byte[] {1}))));
            assertSdkError(e, 501, "NotImplemented", "crossrole does not implement kms:DeriveSharedSecret yet");
        }
    }

    @Test
    void aJsonServiceCrossroleHasNoModelOfIsNamedInJson() throws Exception {
        // Every service of the models crossrole carries is served; Athena's is not among them.
        Res r = json("athena", "AmazonAthena.ListWorkGroups", admin);
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.header("Content-Type").startsWith("application/x-amz-json"), r.header("Content-Type"));
        assertEquals("UnknownOperationException", jsonBody(r).get("__type").asText());
        assertEquals("crossrole does not emulate the service 'athena'", jsonBody(r).get("message").asText());
    }

    @Test
    void aRequestOfNoProtocolSignedForAServedServiceDoesNotCallItUnemulated() throws Exception {
        Req req = new Req();
        req.method = "GET";
        Res r = raw.send(raw.sign(req, admin, Instant.now(), "us-east-1", "ecs"));
        assertEquals(400, r.status(), r.toString());
        assertEquals("InvalidAction", r.xmlText("Code"));
        assertEquals("crossrole does not emulate the service 'ecs' or cannot tell its protocol from this request.",
                r.xmlText("Message"));
    }

    @Test
    void anUnservedServiceStillAuthenticatesFirst() throws Exception {
        Res unsigned = json("athena", "AmazonAthena.ListWorkGroups", null);
        assertEquals(403, unsigned.status(), unsigned.toString());
        assertEquals("MissingAuthenticationTokenException", jsonBody(unsigned).get("__type").asText());

        Res badlySigned = json("athena", "AmazonAthena.ListWorkGroups", new Creds(admin.accessKeyId(), "not-the-secret",
                null));
        assertEquals(403, badlySigned.status(), badlySigned.toString());
        assertEquals("InvalidSignatureException", jsonBody(badlySigned).get("__type").asText());

        Res unknownKey = json("athena", "AmazonAthena.ListWorkGroups", new Creds("AKIAIOSFODNN7EXAMPLE", "secret",
                null));
        assertEquals(403, unknownKey.status(), unknownKey.toString());
        assertEquals("UnrecognizedClientException", jsonBody(unknownKey).get("__type").asText());
    }

    // ---- an operation of a served model crossrole lacks ------------------------------------------------------------

    @Test
    void unimplementedOperationsThroughTheSdks() {
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
             EcsClient ecs = EcsSdk.ecs(crossrole, crossrole.adminCredentials(SOURCE));
             StsClient sts = StsClient.builder().endpointOverride(URI.create(crossrole.endpoint()))
                     .region(Region.US_EAST_1).credentialsProvider(crossrole.adminCredentials(SOURCE))
                     .httpClient(UrlConnectionHttpClient.create())
                     .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
            assertSdkError(assertThrows(AwsServiceException.class, () -> iam.setSecurityTokenServicePreferences(b -> b
                    .globalEndpointTokenVersion("v2Token"))), 501, "NotImplemented",
                    "crossrole does not implement iam:SetSecurityTokenServicePreferences yet");
            assertSdkError(assertThrows(AwsServiceException.class, () -> ecs.createCapacityProvider(b -> b.name("cp"))),
                    501, "NotImplemented", "crossrole does not implement ecs:CreateCapacityProvider yet");
            assertSdkError(assertThrows(AwsServiceException.class, () -> sts.assumeRoot(b -> b.targetPrincipal("555566667777")
                    .taskPolicyArn(p -> p.arn("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")))),
                    501, "NotImplemented", "crossrole does not implement sts:AssumeRoot yet");
        }
    }

    @Test
    void anUnimplementedOperationStillAuthenticatesFirst() throws Exception {
        Res unsigned = raw.send(query("SetSecurityTokenServicePreferences", "2010-05-08"));
        assertEquals(403, unsigned.status(), unsigned.toString());
        assertEquals("MissingAuthenticationToken", unsigned.xmlText("Code"));
        Res badlySigned = raw.send(raw.sign(query("SetSecurityTokenServicePreferences", "2010-05-08"),
                new Creds(admin.accessKeyId(), "not-the-secret", null), Instant.now(), "us-east-1", "iam"));
        assertEquals(403, badlySigned.status(), badlySigned.toString());
        assertEquals("SignatureDoesNotMatch", badlySigned.xmlText("Code"));
    }

    @Test
    void aNameInNoModelKeepsAwsAnswerForAnUnknownOperation() throws Exception {
        Res iam = raw.send(raw.sign(query("CreateNothing", "2010-05-08"), admin, Instant.now(), "us-east-1", "iam"));
        assertEquals(400, iam.status(), iam.toString());
        assertEquals("InvalidAction", iam.xmlText("Code"));
        Res ecs = json("ecs", "AmazonEC2ContainerServiceV20141113.CreateNothing", admin);
        assertEquals(400, ecs.status(), ecs.toString());
        assertEquals("UnknownOperationException", jsonBody(ecs).get("__type").asText());
    }

    /**
     * Every operation of the sts, iam, ecs and sns models, sent with no parameters: implemented ones answer (a success
     * or their validation error), the others 501 NotImplemented naming themselves; none answers a server error or an
     * unknown operation.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sts", "iam", "ecs", "sns"})
    void everyOperationIsImplementedOrNotImplemented(String id) throws Exception {
        ServiceModel model = ServiceModels.all().byId(id);
        List<String> notImplemented = new ArrayList<>();
        Map<String, String> wrong = new TreeMap<>();
        for (OperationModel operation : model.operations()) {
            Res r;
            String code;
            String message;
            if (model.targetPrefix() != null) {
                r = json(model.signingName(), model.targetPrefix() + "." + operation.name(), admin);
                JsonNode body = jsonBody(r);
                code = body.path("__type").asText(null);
                message = body.path("message").asText(null);
            } else {
                r = raw.send(raw.sign(query(operation.name(), model.apiVersion()), admin, Instant.now(), "us-east-1",
                        model.signingName()));
                code = r.status() == 200 ? null : r.xmlText("Code");
                message = r.status() == 200 ? null : r.xmlText("Message");
            }
            if (r.status() == 501) {
                notImplemented.add(operation.name());
                if (!"NotImplemented".equals(code) || !("crossrole does not implement " + model.signingName() + ":"
                        + operation.name() + " yet").equals(message)) {
                    wrong.put(operation.name(), r.toString());
                }
            } else if (r.status() >= 500 || code != null
                    && Set.of("InvalidAction", "UnknownOperationException", "MissingAction").contains(code)) {
                wrong.put(operation.name(), r.toString());
            }
        }
        System.out.println(id + ": " + notImplemented.size() + " of " + model.operations().size()
                + " operations answer NotImplemented: " + new java.util.TreeSet<>(notImplemented));
        assertEquals(Map.of(), wrong);
    }

    /**
     * Every operation of the S3 model, sent as its binding says (anonymously, to a bucket that does not exist):
     * implemented ones answer as S3 does, the others 501 NotImplemented naming the model operation of that binding.
     */
    @Test
    void everyS3OperationIsImplementedOrNotImplemented() throws Exception {
        ServiceModel model = ServiceModels.all().byId("s3");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        List<String> notImplemented = new ArrayList<>();
        Map<String, String> wrong = new TreeMap<>();
        for (OperationModel operation : model.operations()) {
            StringBuilder uri = new StringBuilder(operation.requestUri().replace("{Bucket}", "no-such-sweep-bucket")
                    .replace("{Key+}", "k"));
            for (String required : operation.requiredQuery()) {
                uri.append(uri.indexOf("?") < 0 ? '?' : '&').append(required).append("=1");
            }
            var response = http.send(java.net.http.HttpRequest.newBuilder(URI.create(crossrole.endpoint() + uri))
                    .method(operation.httpMethod(), java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            Res r = new Res(response.statusCode(), response.headers().map(), response.body());
            String code = r.body().isEmpty() ? null : r.xmlText("Code");
            if (r.status() == 501) {
                notImplemented.add(operation.name());
                String named = r.xmlText("Message");
                boolean namesItself = ("crossrole does not implement s3:" + operation.name() + " yet").equals(named);
                // Deprecated operations share their binding with their successors, which the answer names.
                boolean namesSuccessor = operation.deprecated() && named.matches("crossrole does not implement s3:"
                        + operation.name() + "\\w+ yet");
                // WriteGetObjectResponse belongs to S3 Object Lambda's endpoint; here it is a browser form upload.
                boolean formUpload = operation.name().equals("WriteGetObjectResponse");
                if (!"NotImplemented".equals(code) || !(namesItself || namesSuccessor || formUpload)) {
                    wrong.put(operation.name(), r.toString());
                }
            } else if (r.status() >= 500 || code != null
                    && Set.of("MethodNotAllowed", "InvalidRequest").contains(code)) {
                wrong.put(operation.name(), r.toString());
            }
        }
        System.out.println("s3: " + notImplemented.size() + " of " + model.operations().size()
                + " operations answer NotImplemented: " + new java.util.TreeSet<>(notImplemented));
        assertEquals(Map.of(), wrong);
    }
}
