package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.LoginProfile;
import software.amazon.awssdk.services.iam.model.MFADevice;
import software.amazon.awssdk.services.iam.model.PasswordPolicy;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Login profiles (their password hashes and remembered passwords), password policies and virtual MFA devices (their
 * seeds, users, tags and used-up codes) survive a restart on the same data directory; what was deleted stays deleted.
 */
class IamSignInRestartTest {
    @TempDir
    Path dir;

    private static CrossroleServer start(Path data, MutableClock clock) throws Exception {
        return CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0).withClock(clock));
    }

    private static IamClient iam(CrossroleServer server, AwsCredentialsProvider credentials) {
        return IamClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static StsClient sts(CrossroleServer server, AwsCredentialsProvider credentials) {
        return StsClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static AwsCredentialsProvider admin(CrossroleServer server) {
        Bootstrap.Profile p = server.profiles().get(0);
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(), p.secretAccessKey()));
    }

    private static AwsCredentialsProvider key(AccessKey key) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()));
    }

    @Test
    void passwordsPoliciesAndMfaDevicesSurviveARestart() throws Exception {
        Path data = dir.resolve("data");
        MutableClock clock = new MutableClock(Instant.ofEpochSecond(Instant.now().getEpochSecond() / 30 * 30 + 10));
        String account = "111122223333";
        String serial = "arn:aws:iam::" + account + ":mfa/kept/phone";
        String usedCode;
        String seed;
        AccessKey userKey;
        LoginProfile profileBefore;
        PasswordPolicy policyBefore;
        MFADevice deviceBefore;
        try (CrossroleServer server = start(data, clock); IamClient iam = iam(server, admin(server))) {
            iam.createUser(r -> r.userName("kept"));
            iam.putUserPolicy(r -> r.userName("kept").policyName("own").policyDocument(Docs.allow("*",
                    "iam:ChangePassword", "sts:GetSessionToken")));
            userKey = iam.createAccessKey(r -> r.userName("kept")).accessKey();
            iam.updateAccountPasswordPolicy(r -> r.minimumPasswordLength(10).requireNumbers(true)
                    .passwordReusePrevention(3).maxPasswordAge(30).allowUsersToChangePassword(true));
            iam.createLoginProfile(r -> r.userName("kept").password("Kept-Passw0rd").passwordResetRequired(true));
            seed = iam.createVirtualMFADevice(r -> r.path("/kept/").virtualMFADeviceName("phone")
                    .tags(Tag.builder().key("owner").value("kept").build())).virtualMFADevice().base32StringSeed()
                    .asUtf8String();
            IamMfaDevicesSdkTest.enable(iam, "kept", serial, seed, clock.instant());
            // Deleted before the restart: these stay deleted.
            iam.createUser(r -> r.userName("gone"));
            iam.createLoginProfile(r -> r.userName("gone").password("Gone-Passw0rd"));
            iam.deleteLoginProfile(r -> r.userName("gone"));
            iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("gone-phone"));
            iam.deleteVirtualMFADevice(r -> r.serialNumber("arn:aws:iam::" + account + ":mfa/gone-phone"));

            clock.advance(Duration.ofSeconds(30));
            usedCode = Otp.code(seed, clock.instant());
            String code = usedCode;
            try (StsClient sts = sts(server, key(userKey))) {
                sts.getSessionToken(r -> r.serialNumber(serial).tokenCode(code));
            }
            profileBefore = iam.getLoginProfile(r -> r.userName("kept")).loginProfile();
            policyBefore = iam.getAccountPasswordPolicy().passwordPolicy();
            deviceBefore = iam.listMFADevices(r -> r.userName("kept")).mfaDevices().get(0);
        }

        try (CrossroleServer again = start(data, clock); IamClient iam = iam(again, admin(again));
             IamClient asKept = iam(again, key(userKey)); StsClient sts = sts(again, key(userKey))) {
            assertEquals(profileBefore, iam.getLoginProfile(r -> r.userName("kept")).loginProfile());
            assertEquals(policyBefore, iam.getAccountPasswordPolicy().passwordPolicy());
            assertEquals(List.of(deviceBefore), iam.listMFADevices(r -> r.userName("kept")).mfaDevices());
            assertEquals("kept", iam.listMFADeviceTags(r -> r.serialNumber(serial)).tags().get(0).value());
            assertEquals(1, iam.getAccountSummary().summaryMapAsStrings().get("MFADevices"),
                    "one device kept, and the deleted one stays deleted");

            // The hash survived: the old password is still the one that works, and is remembered afterwards.
            asKept.changePassword(r -> r.oldPassword("Kept-Passw0rd").newPassword("Kept-Passw0rd2"));
            IamException reused = assertThrows(IamException.class, () -> asKept.changePassword(r -> r
                    .oldPassword("Kept-Passw0rd2").newPassword("Kept-Passw0rd")));
            assertEquals("PasswordPolicyViolation", reused.awsErrorDetails().errorCode());
            assertFalse(iam.getLoginProfile(r -> r.userName("kept")).loginProfile().passwordResetRequired());

            // The code used before the restart stays used; the device's next code works.
            StsException again1 = assertThrows(StsException.class, () -> sts.getSessionToken(r -> r.serialNumber(serial)
                    .tokenCode(usedCode)));
            assertEquals("MultiFactorAuthentication failed with invalid MFA one time pass code. ",
                    again1.awsErrorDetails().errorMessage());
            clock.advance(Duration.ofSeconds(30));
            sts.getSessionToken(r -> r.serialNumber(serial).tokenCode(Otp.code(seed, clock.instant())));

            IamException gone = assertThrows(IamException.class, () -> iam.getLoginProfile(r -> r.userName("gone")));
            assertEquals("NoSuchEntity", gone.awsErrorDetails().errorCode());
            assertTrue(iam.listVirtualMFADevices().virtualMFADevices().stream()
                    .noneMatch(d -> d.serialNumber().endsWith("gone-phone")));
        }
    }
}
