package dev.crossrole.it;

import static dev.crossrole.it.CrossroleFixture.DESTINATION;
import static dev.crossrole.it.CrossroleFixture.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;

/** The walkthrough's cross-account hop with the AWS SDK for Java v2: allowed, and denied for each reason. */
class WalkthroughAssumeRoleIT {
    static CrossroleFixture crossrole;

    static final String TASK_ROLE = "arn:aws:iam::" + SOURCE + ":role/my-ECS-task-role";
    static final String DEST_ROLE = "arn:aws:iam::" + DESTINATION + ":role/destination-account-role";

    @BeforeAll
    static void start() throws Exception {
        crossrole = new CrossroleFixture();
        var iam = crossrole.server.iam();
        iam.createRole(SOURCE, "my-ECS-task-role", "/", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},\"Action\":\"sts:AssumeRole\"}]}", 3600, Map.of());
        iam.putRolePolicy(SOURCE, "my-ECS-task-role", "assume-destination", "{\"Version\":\"2012-10-17\",\"Statement\":"
                + "{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"" + DEST_ROLE + "\"}}");
        iam.createRole(DESTINATION, "destination-account-role", "/", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Allow\",\"Principal\":{\"AWS\":\"" + TASK_ROLE + "\"},\"Action\":\"sts:AssumeRole\"}]}", 43200, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    private static StsClient taskSession() {
        StsClient admin = crossrole.sts(crossrole.adminCredentials(SOURCE));
        AssumeRoleResponse task = admin.assumeRole(r -> r.roleArn(TASK_ROLE).roleSessionName("8f2c1e0d9b7a4c6e8d1f0a2b3c4d5e6f"));
        return crossrole.sts(CrossroleFixture.session(task.credentials()));
    }

    @Test
    void taskRoleSessionAssumesTheDestinationRole() {
        StsClient task = taskSession();
        GetCallerIdentityResponse me = task.getCallerIdentity();
        assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/my-ECS-task-role/8f2c1e0d9b7a4c6e8d1f0a2b3c4d5e6f", me.arn());
        assertTrue(me.userId().startsWith("AROA") && me.userId().endsWith(":8f2c1e0d9b7a4c6e8d1f0a2b3c4d5e6f"), me.userId());

        AssumeRoleResponse hop = task.assumeRole(r -> r.roleArn(DEST_ROLE).roleSessionName("botocore-session-1764276000"));
        assertTrue(hop.credentials().accessKeyId().startsWith("ASIA"));
        assertEquals("arn:aws:sts::" + DESTINATION + ":assumed-role/destination-account-role/botocore-session-1764276000",
                hop.assumedRoleUser().arn());
        GetCallerIdentityResponse there = crossrole.sts(CrossroleFixture.session(hop.credentials())).getCallerIdentity();
        assertEquals(DESTINATION, there.account());
        assertEquals(hop.assumedRoleUser().arn(), there.arn());
    }

    @Test
    void chainedHopIsCappedAtOneHour() {
        StsException e = assertThrows(StsException.class, () -> taskSession().assumeRole(r -> r.roleArn(DEST_ROLE)
                .roleSessionName("long").durationSeconds(7200)));
        assertEquals("ValidationError", e.awsErrorDetails().errorCode());
        assertEquals(400, e.statusCode());
        assertEquals("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
                e.awsErrorDetails().errorMessage());
    }

    @Test
    void untrustedCallerIsDeniedWithoutRevealingWhy() {
        StsClient admin = crossrole.sts(crossrole.adminCredentials(SOURCE));
        StsException e = assertThrows(StsException.class, () -> admin.assumeRole(r -> r.roleArn(DEST_ROLE)
                .roleSessionName("admin")));
        assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
        assertEquals(403, e.statusCode());
        assertEquals("User: arn:aws:iam::" + SOURCE + ":user/admin is not authorized to perform: sts:AssumeRole on"
                + " resource: " + DEST_ROLE, e.awsErrorDetails().errorMessage());
        // The request id leads to the full explanation.
        var recorded = crossrole.server.requestLog().find(e.requestId()).orElseThrow();
        assertEquals("trust", recorded.decision().decidedBy().cliName());
    }
}
