package dev.crossrole.it;

import static dev.crossrole.it.Docs.actions;
import static dev.crossrole.it.Docs.aws;
import static dev.crossrole.it.Docs.cond;
import static dev.crossrole.it.Docs.doc;
import static dev.crossrole.it.Docs.trustAws;
import static dev.crossrole.it.Docs.trustStmt;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.roleArn;
import static dev.crossrole.it.TestCrossrole.rootArn;
import static dev.crossrole.it.TestCrossrole.userArn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * The SDK's own role_arn + source_profile chain: ProfileCredentialsProvider reads the credentials
 * file crossrole writes plus a config file, and its internal STS client calls AssumeRole on crossrole.
 *
 * <p>That internal client is built by the SDK, not by us: an endpoint set on the outer client does not
 * reach it, and it reads endpoint settings from the environment or the default config file, never
 * from the ProfileFile handed to the provider (clients.md section 3). In-process, without
 * environment variables, the system property {@code aws.endpointUrl} is the one setting that reaches
 * it, so the test sets it for its duration. Each role profile carries {@code region}: without one the
 * SDK pins the internal client to {@code https://sts.amazonaws.com}, which beats the property.
 */
class ProfileChainSdkTest {
    static final String A = SOURCE;
    static final String B = DESTINATION;
    static final String ENDPOINT_PROPERTY = "aws.endpointUrl";

    static TestCrossrole crossrole;
    static ProfileFile profiles;
    static String previousEndpoint;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        // The source administrator has AdministratorAccess; the destination trust names that user.
        crossrole.role(B, "destination-account-role", trustAws(userArn(A, "admin")));
        crossrole.role(B, "untrusting-role", trustAws(rootArn("999999999999")));
        crossrole.role(B, "external-id-role", doc(trustStmt("Allow", aws(rootArn(A)), actions("sts:AssumeRole"),
                cond("StringEquals", "sts:ExternalId", "profile-external-id"))));

        Path config = crossrole.dataDir.resolve("sdk-config");
        Files.writeString(config, String.join("\n",
                "[default]",
                "region = us-east-1",
                "",
                "[profile cross-account]",
                "role_arn = " + roleArn(B, "destination-account-role"),
                "source_profile = source",
                "region = us-east-1",
                "",
                "[profile named-session]",
                "role_arn = " + roleArn(B, "external-id-role"),
                "source_profile = source",
                "role_session_name = my-named-session",
                "external_id = profile-external-id",
                "region = us-east-1",
                "",
                "[profile denied]",
                "role_arn = " + roleArn(B, "untrusting-role"),
                "source_profile = source",
                "region = us-east-1",
                ""));
        profiles = ProfileFile.aggregator()
                .addFile(ProfileFile.builder().content(config).type(ProfileFile.Type.CONFIGURATION).build())
                .addFile(ProfileFile.builder().content(crossrole.server.credentialsFile())
                        .type(ProfileFile.Type.CREDENTIALS).build())
                .build();

        previousEndpoint = System.getProperty(ENDPOINT_PROPERTY);
        System.setProperty(ENDPOINT_PROPERTY, crossrole.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        if (previousEndpoint == null) {
            System.clearProperty(ENDPOINT_PROPERTY);
        } else {
            System.setProperty(ENDPOINT_PROPERTY, previousEndpoint);
        }
        crossrole.close();
    }

    static ProfileCredentialsProvider profile(String name) {
        return ProfileCredentialsProvider.builder().profileFile(profiles).profileName(name).build();
    }

    @Test
    void sourceProfileIsTheSourceAdministrator() {
        try (ProfileCredentialsProvider source = profile("source"); StsClient sts = crossrole.sts(source)) {
            assertEquals(userArn(A, "admin"), sts.getCallerIdentity().arn());
        }
    }

    @Test
    void roleArnProfileAssumesTheDestinationRole() {
        long before = System.currentTimeMillis();
        GetCallerIdentityResponse me;
        try (ProfileCredentialsProvider xacct = profile("cross-account"); StsClient sts = crossrole.sts(xacct)) {
            me = sts.getCallerIdentity();
        }
        long after = System.currentTimeMillis();
        Matcher m = Pattern.compile("arn:aws:sts::" + B + ":assumed-role/destination-account-role/aws-sdk-java-(\\d+)")
                .matcher(me.arn());
        assertTrue(m.matches(), me.arn());
        long millis = Long.parseLong(m.group(1));
        assertTrue(millis >= before - 1000 && millis <= after + 1000, "session name time " + millis);
        assertEquals(B, me.account());
        String roleId = crossrole.iam().role(B, "destination-account-role").orElseThrow().roleId();
        assertEquals(roleId + ":aws-sdk-java-" + m.group(1), me.userId());

        // The SDK's inner AssumeRole reached crossrole, signed by the source administrator.
        boolean seen = crossrole.server.requestLog().recent(100).stream().anyMatch(r -> "AssumeRole".equals(r.operation())
                && r.httpStatus() == 200 && userArn(A, "admin").equals(r.caller()));
        assertTrue(seen, "no successful AssumeRole by the source administrator was recorded");
    }

    @Test
    void profileSessionNameAndExternalIdAreUsed() {
        try (ProfileCredentialsProvider named = profile("named-session"); StsClient sts = crossrole.sts(named)) {
            assertEquals("arn:aws:sts::" + B + ":assumed-role/external-id-role/my-named-session",
                    sts.getCallerIdentity().arn());
        }
    }

    @Test
    void untrustingRoleFailsWithAwsAccessDenied() {
        try (ProfileCredentialsProvider denied = profile("denied"); StsClient sts = crossrole.sts(denied)) {
            Throwable thrown = assertThrows(RuntimeException.class, sts::getCallerIdentity);
            StsException cause = null;
            for (Throwable t = thrown; t != null && cause == null; t = t.getCause()) {
                if (t instanceof StsException e) {
                    cause = e;
                }
            }
            assertNotNull(cause, "no StsException behind " + thrown);
            assertEquals("AccessDenied", cause.awsErrorDetails().errorCode());
            assertEquals(403, cause.statusCode());
            assertEquals("User: " + userArn(A, "admin") + " is not authorized to perform: sts:AssumeRole on resource: "
                    + roleArn(B, "untrusting-role"), cause.awsErrorDetails().errorMessage());
        }
    }
}
