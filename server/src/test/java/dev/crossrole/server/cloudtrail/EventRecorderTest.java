package dev.crossrole.server.cloudtrail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.Principal;
import dev.crossrole.server.requestlog.RecordedRequest;
import dev.crossrole.server.requestlog.RequestDetails;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Caller;
import dev.crossrole.server.service.SessionClaims;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which events a request makes, for whom, and how its caller is written. */
class EventRecorderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String A = "111122223333";
    private static final String B = "555566667777";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.250Z");
    private final EventRecorder recorder = new EventRecorder(null, key -> key.equals("AKIAKNOWN") ? A : null,
            Set.of(A, B)::contains);

    private static RecordedRequest request(String service, String operation, String errorCode) {
        return new RecordedRequest("req-1", NOW, service, operation, null, null, null, null,
                errorCode == null ? 200 : 403, errorCode, errorCode == null ? null : "denied because", 10);
    }

    private static RequestDetails details(String service, String operation, Caller caller, List<AccessCheck> checks) {
        return new RequestDetails(service, operation, caller, null, "10.0.0.7", "aws-cli/1.45", "eu-west-1", false,
                null, null, null, null, checks);
    }

    private static Caller user(String account, String name) {
        return new Caller(new Principal.IamUser("arn:aws:iam::" + account + ":user/" + name, account, name,
                "AIDAEXAMPLE"), "AKIAEXAMPLE", null);
    }

    private static JsonNode record(TrailEvent event) throws Exception {
        return JSON.readTree(event.cloudTrailEvent());
    }

    @Test
    void dataEventsAreNotRecorded() {
        for (String[] call : new String[][] {{"sqs", "SendMessage"}, {"sqs", "ReceiveMessage"}, {"s3", "GetObject"},
                {"s3", "PutObject"}, {"dynamodb", "PutItem"}, {"sns", "Publish"}, {"lambda", "Invoke"}}) {
            assertEquals(List.of(), recorder.events(request(call[0], call[1], null),
                    details(call[0], call[1], user(A, "alice"), List.of())), String.join(":", call));
        }
        assertEquals(1, recorder.events(request("sqs", "CreateQueue", null),
                details("sqs", "CreateQueue", user(A, "alice"), List.of())).size());
    }

    @Test
    void anotherServedAccountsResourceMakesAnEventInEachAccount() throws Exception {
        AccessCheck queue = AccessCheck.of("sqs:GetQueueAttributes", "arn:aws:sqs:eu-west-1:" + B + ":shared");
        List<TrailEvent> events = recorder.events(request("sqs", "GetQueueAttributes", null),
                details("sqs", "GetQueueAttributes", user(A, "alice"), List.of(queue)));
        assertEquals(List.of(A, B), events.stream().map(TrailEvent::recipient).toList());
        assertNotEquals(events.get(0).eventId(), events.get(1).eventId());
        JsonNode mine = record(events.get(0));
        JsonNode theirs = record(events.get(1));
        assertEquals(mine.path("sharedEventID").asText(), theirs.path("sharedEventID").asText());
        assertEquals(B, theirs.path("recipientAccountId").asText());
        assertEquals(A, theirs.path("userIdentity").path("accountId").asText());
        // The resource owner's copy names the calling account, not the caller's key or ARN.
        assertEquals("AWSAccount", theirs.path("userIdentity").path("type").asText());
        assertEquals("AIDAEXAMPLE", theirs.path("userIdentity").path("principalId").asText());
        assertFalse(theirs.path("userIdentity").has("accessKeyId") || theirs.path("userIdentity").has("arn"));
        assertEquals(null, events.get(1).accessKeyId());
        assertEquals("IAMUser", mine.path("userIdentity").path("type").asText());
        assertEquals("AKIAEXAMPLE", events.get(0).accessKeyId());
        assertEquals("eu-west-1", theirs.path("awsRegion").asText());
        assertEquals("2026-03-01T12:00:00Z", theirs.path("eventTime").asText());
        assertTrue(theirs.path("readOnly").asBoolean());
        // An account crossrole does not serve gets nothing.
        AccessCheck elsewhere = AccessCheck.of("sqs:GetQueueAttributes", "arn:aws:sqs:eu-west-1:999988887777:q");
        assertEquals(List.of(A), recorder.events(request("sqs", "GetQueueAttributes", null),
                details("sqs", "GetQueueAttributes", user(A, "alice"), List.of(elsewhere))).stream()
                .map(TrailEvent::recipient).toList());
    }

    @Test
    void globalServicesAreRecordedInUsEast1() {
        TrailEvent event = recorder.events(request("iam", "CreateRole", null),
                details("iam", "CreateRole", user(A, "alice"), List.of())).get(0);
        assertEquals("us-east-1", event.region());
        assertEquals("iam.amazonaws.com", event.eventSource());
    }

    @Test
    void aFailedAuthenticationIsRecordedOnlyForAServedAccountsKey() throws Exception {
        RequestDetails known = new RequestDetails("sqs", "ListQueues", null, "AKIAKNOWN", "10.0.0.7", null,
                "us-east-1", false, null, null, null, null, List.of());
        TrailEvent event = recorder.events(request("sqs", "ListQueues", "InvalidSignatureException"), known).get(0);
        JsonNode identity = record(event).path("userIdentity");
        assertEquals("Unknown", identity.path("type").asText());
        assertEquals(A, identity.path("accountId").asText());
        assertEquals("AKIAKNOWN", identity.path("accessKeyId").asText());
        assertEquals("InvalidSignatureException", record(event).path("errorCode").asText());
        RequestDetails unknown = new RequestDetails("sqs", "ListQueues", null, "AKIANOBODY", "10.0.0.7", null,
                "us-east-1", false, null, null, null, null, List.of());
        assertEquals(List.of(), recorder.events(request("sqs", "ListQueues", "UnrecognizedClientException"),
                unknown));
    }

    @Test
    void identitiesAsCloudTrailWritesThem() {
        SessionClaims roleClaims = new SessionClaims(SessionClaims.ROLE, "ASIAEXAMPLE", "secret", A, "deployer", "/",
                "AROAEXAMPLE", "ci", null, null, null, List.of(), Map.of(), List.of(), "jane", false, true,
                NOW.getEpochSecond() - 60, NOW.getEpochSecond() + 3600, NOW.getEpochSecond() - 60);
        Caller role = new Caller(new Principal.RoleSession("arn:aws:sts::" + A + ":assumed-role/deployer/ci", A,
                "deployer", "ci", "arn:aws:iam::" + A + ":role/deployer", "AROAEXAMPLE"), "ASIAEXAMPLE", roleClaims);
        JsonNode identity = EventRecorder.userIdentity(role, A, null);
        assertEquals("AssumedRole", identity.path("type").asText());
        assertEquals("AROAEXAMPLE:ci", identity.path("principalId").asText());
        assertEquals("arn:aws:iam::" + A + ":role/deployer", identity.path("sessionContext").path("sessionIssuer")
                .path("arn").asText());
        assertEquals("true", identity.path("sessionContext").path("attributes").path("mfaAuthenticated").asText());
        assertEquals("2026-03-01T11:59:00Z", identity.path("sessionContext").path("attributes").path("creationDate")
                .asText());
        assertEquals("jane", identity.path("sessionContext").path("sourceIdentity").asText());
        assertFalse(identity.toString().contains("secret"));
        assertEquals("ci", EventRecorder.username(role));

        SessionClaims federatedClaims = new SessionClaims(SessionClaims.FEDERATED, "ASIAFED", "secret", A, null, null,
                null, "bob", "alice", "AIDAALICE", null, List.of(), Map.of(), List.of(), null, false, false,
                NOW.getEpochSecond(), NOW.getEpochSecond() + 3600, 0);
        Caller federated = new Caller(new Principal.FederatedUser("arn:aws:sts::" + A + ":federated-user/bob", A, "bob"),
                "ASIAFED", federatedClaims);
        JsonNode fed = EventRecorder.userIdentity(federated, A, null);
        assertEquals("FederatedUser", fed.path("type").asText());
        assertEquals(A + ":bob", fed.path("principalId").asText());
        assertEquals("IAMUser", fed.path("sessionContext").path("sessionIssuer").path("type").asText());
        assertEquals("arn:aws:iam::" + A + ":user/alice", fed.path("sessionContext").path("sessionIssuer").path("arn")
                .asText());
        assertEquals("AIDAALICE", fed.path("sessionContext").path("sessionIssuer").path("principalId").asText());
        assertEquals("bob", EventRecorder.username(federated));

        JsonNode root = EventRecorder.userIdentity(new Caller(new Principal.AccountRoot(A), "AKIAROOT", null), A, null);
        assertEquals("Root", root.path("type").asText());
        assertEquals("arn:aws:iam::" + A + ":root", root.path("arn").asText());
        assertEquals("root", EventRecorder.username(new Caller(new Principal.AccountRoot(A), "AKIAROOT", null)));

        JsonNode service = EventRecorder.userIdentity(new Caller(new Principal.ServicePrincipal(
                "ecs-tasks.amazonaws.com"), null, null), null, null);
        assertEquals("AWSService", service.path("type").asText());
        assertEquals("ecs-tasks.amazonaws.com", service.path("invokedBy").asText());

        JsonNode web = EventRecorder.userIdentity(new Caller(new Principal.WebIdentity(
                "arn:aws:iam::" + A + ":oidc-provider/token.actions.githubusercontent.com", "repo:o/r"), null, null),
                null, null);
        assertEquals("WebIdentityUser", web.path("type").asText());
        assertEquals("token.actions.githubusercontent.com", web.path("identityProvider").asText());
        assertEquals("repo:o/r", web.path("userName").asText());
    }

    @Test
    void resourceTypesAndNamesFromArns() {
        assertEquals("AWS::IAM::Role", EventRecorder.resourceType("arn:aws:iam::" + A + ":role/path/deployer"));
        assertEquals("AWS::SQS::Queue", EventRecorder.resourceType("arn:aws:sqs:us-east-1:" + A + ":q"));
        assertEquals("AWS::S3::Bucket", EventRecorder.resourceType("arn:aws:s3:::bucket"));
        assertEquals("AWS::S3::Object", EventRecorder.resourceType("arn:aws:s3:::bucket/key"));
        assertEquals("AWS::KMS::Key", EventRecorder.resourceType("arn:aws:kms:us-east-1:" + A + ":key/1234"));
        assertEquals("AWS::SecretsManager::Secret",
                EventRecorder.resourceType("arn:aws:secretsmanager:us-east-1:" + A + ":secret:db-AbCdEf"));
        assertEquals("AWS::Logs::LogGroup", EventRecorder.resourceType("arn:aws:logs:us-east-1:" + A + ":log-group:g"));
        assertEquals("AWS::IAM::OIDCProvider", EventRecorder.resourceType("arn:aws:iam::" + A + ":oidc-provider/x"));
        assertEquals("deployer", CloudTrailService.shortName("arn:aws:iam::" + A + ":role/deployer"));
        assertEquals("db-AbCdEf", CloudTrailService.shortName("arn:aws:secretsmanager:us-east-1:" + A
                + ":secret:db-AbCdEf"));
        assertEquals("q", CloudTrailService.shortName("arn:aws:sqs:us-east-1:" + A + ":q"));
    }
}
