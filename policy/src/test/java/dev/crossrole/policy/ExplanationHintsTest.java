package dev.crossrole.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a denial's explanation says of statements that allow the action on other resources. */
class ExplanationHintsTest {
    private static final PolicyEngine ENGINE =
            new PolicyEngine(Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC));
    private static final Principal ROLE = Principal.parse("arn:aws:sts::111122223333:assumed-role/writer/s");

    private static Decision denied(String action, String resource, String policy) throws InvalidPolicyException {
        Decision decision = ENGINE.evaluate(new AuthorizationRequest(ROLE, action, resource),
                PolicySet.builder().identity(Policies.parse(policy, PolicyKind.IDENTITY, "write")).build());
        assertEquals(Outcome.IMPLICIT_DENY, decision.outcome());
        return decision;
    }

    @Test
    void aStatementAllowingTheActionElsewhereIsNamedWithItsResources() throws Exception {
        Decision decision = denied("s3:GetObject", "arn:aws:s3:::reports/2026.csv", "{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Sid\":\"Reports\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::reports\"},{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\","
                + "\"Resource\":\"*\"}]}");
        Explanation explanation = decision.explanation();
        assertEquals(1, explanation.resourceMisses().size());
        assertEquals("Reports", explanation.resourceMisses().get(0).statement().sid());
        assertEquals(List.of("arn:aws:s3:::reports"), explanation.resourceMisses().get(0).policyResources());
        assertTrue(explanation.fix().endsWith("write statement 0 (Sid Reports) allows s3:GetObject, but on"
                + " [arn:aws:s3:::reports], which does not match arn:aws:s3:::reports/2026.csv."), explanation.fix());
        assertTrue(explanation.toText(decision).contains("Statements that allow the action on other resources:\n"
                + "  write statement 0 (Sid Reports) [identity]: Resource [arn:aws:s3:::reports]\n"));
        assertEquals("Reports", explanation.toJson().path("resourceMisses").path(0).path("statement").path("sid")
                .asText());
    }

    @Test
    void aLogGroupArnWithoutItsTrailingWildcardGetsCloudWatchLogsHint() throws Exception {
        String group = "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app";
        Decision decision = denied("logs:PutLogEvents", group + ":log-stream:web/app/1", "{\"Version\":\"2012-10-17\","
                + "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"logs:PutLogEvents\",\"Resource\":\"" + group + "\"}}");
        assertTrue(decision.explanation().fix().endsWith("CloudWatch Logs asks about a log group's actions on its ARN"
                + " with a trailing :* (" + group + ":*), which also covers its streams."), decision.explanation().fix());
    }

    @Test
    void allowedRequestsAndDenyStatementsListNoMisses() throws Exception {
        Decision allowed = ENGINE.evaluate(new AuthorizationRequest(ROLE, "s3:GetObject", "arn:aws:s3:::b/k"),
                PolicySet.builder().identity(Policies.parse("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                        + "\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::other/*\"},{\"Effect\":"
                        + "\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}", PolicyKind.IDENTITY, "p")).build());
        assertEquals(Outcome.ALLOW, allowed.outcome());
        assertTrue(allowed.explanation().resourceMisses().isEmpty());
    }
}
