package dev.crossrole.it;

import static dev.crossrole.it.Docs.actions;
import static dev.crossrole.it.Docs.allow;
import static dev.crossrole.it.Docs.aws;
import static dev.crossrole.it.Docs.cond;
import static dev.crossrole.it.Docs.doc;
import static dev.crossrole.it.Docs.stmt;
import static dev.crossrole.it.Docs.trustStmt;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.iam.AccessKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * MFA in STS through the AWS SDK for Java v2: GetSessionToken and AssumeRole check {@code TokenCode} against the calling
 * user's enabled virtual MFA device (codes computed from the seed as an app computes them), refuse a wrong, foreign or
 * reused code with STS's AccessDenied, and only then mark the session {@code aws:MultiFactorAuthPresent}, with an
 * {@code aws:MultiFactorAuthAge} that grows with the session.
 */
class StsMfaSdkTest {
    static final String INVALID = "MultiFactorAuthentication failed with invalid MFA one time pass code. ";
    static final String NOT_ASSOCIATED = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify"
            + " your MFA serial number is valid and associated with this user.";

    static MutableClock clock;
    static TestCrossrole crossrole;
    static AccessKey human;
    static AccessKey colleague;
    static String serial;
    static String seed;
    static String colleagueSerial;
    static String colleagueSeed;
    static String roleArn;

    @BeforeAll
    static void start() throws Exception {
        clock = new MutableClock(Instant.ofEpochSecond(Instant.now().getEpochSecond() / 30 * 30 + 10));
        crossrole = new TestCrossrole(clock);
        String assume = allow("*", "sts:AssumeRole", "sts:GetSessionToken");
        human = crossrole.user(SOURCE, "mfa-human", Map.of("assume", assume));
        colleague = crossrole.user(SOURCE, "mfa-colleague", Map.of("assume", assume));
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            seed = iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("human-phone")).virtualMFADevice()
                    .base32StringSeed().asUtf8String();
            serial = "arn:aws:iam::" + SOURCE + ":mfa/human-phone";
            IamMfaDevicesSdkTest.enable(iam, "mfa-human", serial, seed, clock.instant());
            colleagueSeed = iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("colleague-phone"))
                    .virtualMFADevice().base32StringSeed().asUtf8String();
            colleagueSerial = "arn:aws:iam::" + SOURCE + ":mfa/colleague-phone";
            IamMfaDevicesSdkTest.enable(iam, "mfa-colleague", colleagueSerial, colleagueSeed, clock.instant());
        }
        // The role trusts the account's users, but only with MFA. Its session may list users while MFA-authenticated,
        // and roles only within two minutes of the MFA.
        String trust = doc(trustStmt("Allow", aws("arn:aws:iam::" + SOURCE + ":root"), actions("sts:AssumeRole"),
                cond("Bool", "aws:MultiFactorAuthPresent", "true")));
        crossrole.role(SOURCE, "needs-mfa", trust, doc(
                stmt("Allow", actions("iam:ListUsers"), "*", cond("Bool", "aws:MultiFactorAuthPresent", "true")),
                stmt("Allow", actions("iam:ListRoles"), "*", cond("NumericLessThan", "aws:MultiFactorAuthAge", "120"))));
        roleArn = TestCrossrole.roleArn(SOURCE, "needs-mfa");
        // The code of the step the devices were enabled in is used up: later tests start one step on.
        clock.advance(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
    }

    /** The device's code now. */
    static String code() {
        return Otp.code(seed, clock.instant());
    }

    /** Moves crossrole's clock to the next 30-second step, so that the device has a fresh code. */
    static void nextStep() {
        clock.advance(Duration.ofSeconds(30));
    }

    static void assertDenied(StsException e, String message) {
        assertEquals(403, e.statusCode());
        assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
        assertEquals(message, e.awsErrorDetails().errorMessage());
    }

    static Credentials assumeRole(StsClient sts, String serialNumber, String tokenCode) {
        return sts.assumeRole(r -> r.roleArn(roleArn).roleSessionName("with-mfa").serialNumber(serialNumber)
                .tokenCode(tokenCode)).credentials();
    }

    static boolean allowed(Credentials session, boolean listRoles) {
        try (IamClient iam = IamSdk.iam(crossrole, TestCrossrole.session(session))) {
            if (listRoles) {
                iam.listRoles();
            } else {
                iam.listUsers();
            }
            return true;
        } catch (IamException e) {
            assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
            return false;
        }
    }

    @Test
    void aRoleThatRequiresMfaIsAssumedOnlyWithACorrectCode() {
        nextStep();
        try (StsClient sts = crossrole.sts(human)) {
            StsException withoutMfa = assertThrows(StsException.class, () -> sts.assumeRole(r -> r.roleArn(roleArn)
                    .roleSessionName("no-mfa")));
            assertEquals(403, withoutMfa.statusCode());
            assertEquals("AccessDenied", withoutMfa.awsErrorDetails().errorCode());

            assertDenied(assertThrows(StsException.class, () -> assumeRole(sts, serial, Otp.wrongCode(seed,
                    clock.instant()))), INVALID);
            assertDenied(assertThrows(StsException.class, () -> assumeRole(sts, serial,
                    Otp.code(seed, clock.instant(), -3))), INVALID);
            assertDenied(assertThrows(StsException.class, () -> assumeRole(sts, "arn:aws:iam::" + SOURCE
                    + ":mfa/no-such-phone", code())), NOT_ASSOCIATED);
            assertDenied(assertThrows(StsException.class, () -> sts.assumeRole(r -> r.roleArn(roleArn)
                    .roleSessionName("half").serialNumber(serial))), INVALID);

            String code = code();
            Credentials session = assumeRole(sts, serial, code);
            // The same code a second time, even a moment later, is refused.
            assertDenied(assertThrows(StsException.class, () -> assumeRole(sts, serial, code)), INVALID);

            assertEquals(true, allowed(session, false), "the session is MFA-authenticated");
            assertEquals(true, allowed(session, true), "and its MFA is recent");
            clock.advance(Duration.ofSeconds(150));
            assertEquals(true, allowed(session, false));
            assertEquals(false, allowed(session, true), "aws:MultiFactorAuthAge grows with the session");
        }
    }

    @Test
    void aCodeOfAnotherUsersDeviceOrAccountIsRefusedAndNotUsedUp() {
        nextStep();
        String code = code();
        try (StsClient sts = crossrole.sts(colleague)) {
            assertDenied(assertThrows(StsException.class, () -> assumeRole(sts, serial, code)), NOT_ASSOCIATED);
            assertDenied(assertThrows(StsException.class, () -> sts.getSessionToken(r -> r.serialNumber(serial)
                    .tokenCode(code))), NOT_ASSOCIATED);
        }
        AccessKey stranger = crossrole.user(DESTINATION, "stranger", Map.of("assume", allow("*", "sts:AssumeRole")));
        try (StsClient sts = crossrole.sts(stranger)) {
            assertDenied(assertThrows(StsException.class, () -> sts.getSessionToken(r -> r.serialNumber(serial)
                    .tokenCode(code))), NOT_ASSOCIATED);
        }
        try (StsClient sts = crossrole.sts(TestCrossrole.credentials(crossrole.iam().createAccessKey(SOURCE, null)))) {
            assertDenied(assertThrows(StsException.class, () -> sts.getSessionToken(r -> r.serialNumber(serial)
                    .tokenCode(code))), NOT_ASSOCIATED);
        }
        try (StsClient sts = crossrole.sts(human)) {
            assumeRole(sts, serial, code); // still unused: the refusals above used nothing up
        }
    }

    @Test
    void aRoleSessionHasNoMfaDeviceOfItsOwn() {
        nextStep();
        Credentials first;
        try (StsClient sts = crossrole.sts(human)) {
            first = assumeRole(sts, serial, code());
        }
        nextStep();
        try (StsClient asRole = crossrole.sts(first)) {
            assertDenied(assertThrows(StsException.class, () -> assumeRole(asRole, serial, code())), NOT_ASSOCIATED);
        }
    }

    @Test
    void getSessionTokenWithMfaCarriesItIntoTheRolesItAssumes() {
        nextStep();
        Credentials plain;
        Credentials withMfa;
        try (StsClient sts = crossrole.sts(human)) {
            assertDenied(assertThrows(StsException.class, () -> sts.getSessionToken(r -> r.serialNumber(serial)
                    .tokenCode(Otp.wrongCode(seed, clock.instant())))), INVALID);
            plain = sts.getSessionToken().credentials();
            withMfa = sts.getSessionToken(r -> r.serialNumber(serial).tokenCode(code())).credentials();
        }
        try (StsClient sts = crossrole.sts(plain)) {
            StsException denied = assertThrows(StsException.class, () -> sts.assumeRole(r -> r.roleArn(roleArn)
                    .roleSessionName("plain")));
            assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
        }
        Credentials role;
        try (StsClient sts = crossrole.sts(withMfa)) {
            role = sts.assumeRole(r -> r.roleArn(roleArn).roleSessionName("from-mfa-session")).credentials();
        }
        assertEquals(true, allowed(role, false), "the role session is MFA-authenticated too");
        assertEquals(true, allowed(role, true));
        clock.advance(Duration.ofSeconds(150));
        assertEquals(false, allowed(role, true), "its MFA age counts from the code checked by GetSessionToken");
    }
}
