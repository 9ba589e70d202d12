package dev.crossrole.it;

import static dev.crossrole.it.Docs.allow;
import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.LoginProfile;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.PasswordPolicy;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Console passwords through the AWS SDK for Java v2: login profiles (every operation), ChangePassword, the account
 * password policy and its enforcement, IAM's errors for bad input (which change nothing), and no reach into another
 * account.
 */
class IamLoginProfilesSdkTest {
    static TestCrossrole crossrole;
    static IamClient iam;
    static IamClient otherAccount;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
        otherAccount = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        otherAccount.close();
        crossrole.close();
    }

    private static void noPasswordPolicy(IamClient client) {
        try {
            client.deleteAccountPasswordPolicy();
        } catch (IamException e) {
            assertEquals("NoSuchEntity", e.awsErrorDetails().errorCode());
        }
    }

    /** The user's own IAM client, signing with a fresh access key of it. */
    private static IamClient asUser(String name, String... allowedActions) {
        AccessKey key = crossrole.user(SOURCE, name, allowedActions.length == 0 ? Map.of()
                : Map.of("self", allow("*", allowedActions)));
        return IamSdk.iam(crossrole, TestCrossrole.credentials(key));
    }

    /** An IAM client with the account root's credentials (a new root access key). */
    private static IamClient asRoot() {
        return IamSdk.iam(crossrole, TestCrossrole.credentials(crossrole.iam().createAccessKey(SOURCE, null)));
    }

    /** Whether {@code password} is the user's password now, as crossrole stored it (only a hash is kept). */
    private static boolean isPassword(String user, String password) {
        LoginProfile profile = crossrole.iam().loginProfile(crossrole.iam().user(SOURCE, user).orElseThrow().userId())
                .orElseThrow();
        return dev.crossrole.server.iam.PasswordHash.verify(password, profile.passwordHash());
    }

    @Test
    void aLoginProfileLivesThroughEveryOperation() {
        noPasswordPolicy(iam);
        iam.createUser(r -> r.userName("console-user"));
        Instant before = Instant.now().minusSeconds(1);
        var created = iam.createLoginProfile(r -> r.userName("console-user").password("First-Passw0rd")
                .passwordResetRequired(true)).loginProfile();
        assertEquals("console-user", created.userName());
        assertTrue(created.passwordResetRequired());
        assertTrue(created.createDate().isAfter(before));

        var got = iam.getLoginProfile(r -> r.userName("console-user")).loginProfile();
        assertEquals("console-user", got.userName());
        assertTrue(got.passwordResetRequired());
        assertEquals(created.createDate(), got.createDate());
        assertTrue(isPassword("console-user", "First-Passw0rd"));
        LoginProfile stored = crossrole.iam().loginProfile(crossrole.iam().user(SOURCE, "console-user").orElseThrow()
                .userId()).orElseThrow();
        assertFalse(stored.passwordHash().contains("First-Passw0rd"), "only a salted hash is kept");

        assertError(() -> iam.createLoginProfile(r -> r.userName("console-user").password("Another-Passw0rd")), 409,
                "EntityAlreadyExists", "Login Profile for user console-user already exists.");

        iam.updateLoginProfile(r -> r.userName("console-user").passwordResetRequired(false));
        assertFalse(iam.getLoginProfile(r -> r.userName("console-user")).loginProfile().passwordResetRequired());
        assertTrue(isPassword("console-user", "First-Passw0rd"), "the password is kept when only the flag changes");
        iam.updateLoginProfile(r -> r.userName("console-user").password("Second-Passw0rd"));
        assertTrue(isPassword("console-user", "Second-Passw0rd"));
        assertFalse(isPassword("console-user", "First-Passw0rd"));

        assertError(() -> iam.deleteUser(r -> r.userName("console-user")), 409, "DeleteConflict",
                "Cannot delete entity, must delete login profile first.");
        iam.deleteLoginProfile(r -> r.userName("console-user"));
        assertError(() -> iam.getLoginProfile(r -> r.userName("console-user")), 404, "NoSuchEntity",
                "Login Profile for User console-user cannot be found.");
        assertError(() -> iam.deleteLoginProfile(r -> r.userName("console-user")), 404, "NoSuchEntity",
                "Login Profile for User console-user cannot be found.");
        assertError(() -> iam.updateLoginProfile(r -> r.userName("console-user").password("Third-Passw0rd")), 404,
                "NoSuchEntity", "Login Profile for User console-user cannot be found.");
        iam.deleteUser(r -> r.userName("console-user"));
        assertError(() -> iam.getLoginProfile(r -> r.userName("console-user")), 404, "NoSuchEntity",
                "The user with name console-user cannot be found.");
        assertError(() -> iam.createLoginProfile(r -> r.userName("console-user").password("First-Passw0rd")), 404,
                "NoSuchEntity", "The user with name console-user cannot be found.");
    }

    @Test
    void aRenamedUserKeepsItsPasswordAndTheCallerIsTheDefaultUser() {
        noPasswordPolicy(iam);
        try (IamClient self = asUser("self-service", "iam:CreateLoginProfile", "iam:GetLoginProfile",
                "iam:DeleteLoginProfile")) {
            // Without a UserName the calls act on the calling user.
            assertEquals("self-service", self.createLoginProfile(r -> r.password("Self-Passw0rd")).loginProfile()
                    .userName());
            assertEquals("self-service", self.getLoginProfile(r -> { }).loginProfile().userName());
            assertFalse(self.getLoginProfile(r -> { }).loginProfile().passwordResetRequired());
        }
        iam.updateUser(r -> r.userName("self-service").newUserName("self-service-renamed"));
        assertEquals("self-service-renamed", iam.getLoginProfile(r -> r.userName("self-service-renamed")).loginProfile()
                .userName());
        assertTrue(isPassword("self-service-renamed", "Self-Passw0rd"));
        // The root must name the user (AWS asks for an AssumeRoot session to omit it).
        try (IamClient root = asRoot()) {
            assertError(() -> root.getLoginProfile(r -> { }), 400, "ValidationError",
                    "Must specify userName when calling with non-User credentials");
        }
    }

    @Test
    void thePasswordPolicyLivesThroughItsOperations() {
        noPasswordPolicy(iam);
        assertError(() -> iam.getAccountPasswordPolicy(), 404, "NoSuchEntity",
                "The Password Policy with domain name " + SOURCE + " cannot be found.");
        assertError(() -> iam.deleteAccountPasswordPolicy(), 404, "NoSuchEntity",
                "The account policy with name PasswordPolicy cannot be found.");

        iam.updateAccountPasswordPolicy(r -> r.minimumPasswordLength(14).requireSymbols(true).requireNumbers(true)
                .requireUppercaseCharacters(true).requireLowercaseCharacters(true).allowUsersToChangePassword(true)
                .maxPasswordAge(90).passwordReusePrevention(5).hardExpiry(false));
        PasswordPolicy full = iam.getAccountPasswordPolicy().passwordPolicy();
        assertEquals(14, full.minimumPasswordLength());
        assertTrue(full.requireSymbols() && full.requireNumbers() && full.requireUppercaseCharacters()
                && full.requireLowercaseCharacters() && full.allowUsersToChangePassword());
        assertTrue(full.expirePasswords());
        assertEquals(90, full.maxPasswordAge());
        assertEquals(5, full.passwordReusePrevention());
        assertFalse(full.hardExpiry());

        // No partial updates: what is left out returns to its default.
        iam.updateAccountPasswordPolicy(r -> r.requireNumbers(true));
        PasswordPolicy defaults = iam.getAccountPasswordPolicy().passwordPolicy();
        assertEquals(6, defaults.minimumPasswordLength());
        assertTrue(defaults.requireNumbers());
        assertFalse(defaults.requireSymbols() || defaults.requireUppercaseCharacters()
                || defaults.requireLowercaseCharacters() || defaults.allowUsersToChangePassword());
        assertFalse(defaults.expirePasswords());
        assertNull(defaults.maxPasswordAge());
        assertNull(defaults.passwordReusePrevention());
        assertNull(defaults.hardExpiry());

        assertError(() -> iam.updateAccountPasswordPolicy(r -> r.minimumPasswordLength(5)), 400, "ValidationError",
                IamSdk.validation("5", "minimumPasswordLength", "Member must have value greater than or equal to 6"));
        assertError(() -> iam.updateAccountPasswordPolicy(r -> r.passwordReusePrevention(25)), 400, "ValidationError",
                IamSdk.validation("25", "passwordReusePrevention", "Member must have value less than or equal to 24"));
        assertEquals(defaults, iam.getAccountPasswordPolicy().passwordPolicy(), "refused updates changed nothing");

        // Another account's policy is its own.
        assertError(() -> otherAccount.getAccountPasswordPolicy(), 404, "NoSuchEntity",
                "The Password Policy with domain name " + DESTINATION + " cannot be found.");
        iam.deleteAccountPasswordPolicy();
        assertError(() -> iam.getAccountPasswordPolicy(), 404, "NoSuchEntity",
                "The Password Policy with domain name " + SOURCE + " cannot be found.");
    }

    @Test
    void newPasswordsMustSatisfyThePolicyOrTheDefaultOne() {
        noPasswordPolicy(iam);
        iam.createUser(r -> r.userName("policy-user"));
        // AWS's default policy: eight characters of three kinds.
        for (String weak : new String[] {"Sh0rt!", "alllowercase1", "NoDigitsOrSymbols"}) {
            assertError(() -> iam.createLoginProfile(r -> r.userName("policy-user").password(weak)), 400,
                    "PasswordPolicyViolation", "Password does not conform to the account password policy.");
        }
        assertError(() -> iam.getLoginProfile(r -> r.userName("policy-user")), 404, "NoSuchEntity",
                "Login Profile for User policy-user cannot be found.");
        iam.createLoginProfile(r -> r.userName("policy-user").password("Good-Enough1"));

        iam.updateAccountPasswordPolicy(r -> r.minimumPasswordLength(12).requireSymbols(true)
                .passwordReusePrevention(2));
        try {
            assertError(() -> iam.updateLoginProfile(r -> r.userName("policy-user").password("NoSymbolsHere12")), 400,
                    "PasswordPolicyViolation", "Password does not conform to the account password policy.");
            assertError(() -> iam.updateLoginProfile(r -> r.userName("policy-user").password("short!1")), 400,
                    "PasswordPolicyViolation", "Password does not conform to the account password policy.");
            assertTrue(isPassword("policy-user", "Good-Enough1"), "a refused password changes nothing");
            iam.updateLoginProfile(r -> r.userName("policy-user").password("long-enough-now!"));
            iam.updateLoginProfile(r -> r.userName("policy-user").password("and-another-one!"));
            // The policy remembers two: the current and the one before it.
            assertError(() -> iam.updateLoginProfile(r -> r.userName("policy-user").password("long-enough-now!")), 400,
                    "PasswordPolicyViolation",
                    "Policy constraint violation with password reuse prevention during password change.");
            assertTrue(isPassword("policy-user", "and-another-one!"));
        } finally {
            iam.deleteAccountPasswordPolicy();
        }
    }

    @Test
    void aUserChangesItsOwnPassword() {
        noPasswordPolicy(iam);
        try (IamClient alice = asUser("alice")) {
            iam.createLoginProfile(r -> r.userName("alice").password("Alice-Passw0rd").passwordResetRequired(true));
            // Without a policy of its own and without AllowUsersToChangePassword, alice may not.
            IamException denied = IamSdk.fails(() -> alice.changePassword(r -> r.oldPassword("Alice-Passw0rd")
                    .newPassword("Alice-Passw0rd2")));
            assertEquals(403, denied.statusCode());
            assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
            assertTrue(denied.awsErrorDetails().errorMessage().contains("iam:ChangePassword"), denied.getMessage());
            assertError(() -> alice.getAccountPasswordPolicy(), 403, "AccessDenied", "User: "
                    + TestCrossrole.userArn(SOURCE, "alice") + " is not authorized to perform: iam:GetAccountPasswordPolicy"
                    + " because no identity-based policy allows the iam:GetAccountPasswordPolicy action");

            // The password policy lets every user change its own password (and read the policy).
            iam.updateAccountPasswordPolicy(r -> r.allowUsersToChangePassword(true).minimumPasswordLength(10)
                    .passwordReusePrevention(1));
            try {
                assertTrue(alice.getAccountPasswordPolicy().passwordPolicy().allowUsersToChangePassword());
                assertError(() -> alice.changePassword(r -> r.oldPassword("not-my-password").newPassword("Alice-Passw0rd2")),
                        403, "AccessDenied", "The old password was incorrect.");
                assertError(() -> alice.changePassword(r -> r.oldPassword("Alice-Passw0rd").newPassword("short")),
                        400, "PasswordPolicyViolation", "Password does not conform to the account password policy.");
                assertError(() -> alice.changePassword(r -> r.oldPassword("Alice-Passw0rd").newPassword("Alice-Passw0rd")),
                        400, "PasswordPolicyViolation",
                        "Policy constraint violation with password reuse prevention during password change.");
                assertTrue(isPassword("alice", "Alice-Passw0rd"), "refused changes changed nothing");
                assertTrue(iam.getLoginProfile(r -> r.userName("alice")).loginProfile().passwordResetRequired());

                alice.changePassword(r -> r.oldPassword("Alice-Passw0rd").newPassword("Alice-Passw0rd2"));
                assertTrue(isPassword("alice", "Alice-Passw0rd2"));
                assertFalse(iam.getLoginProfile(r -> r.userName("alice")).loginProfile().passwordResetRequired(),
                        "a changed password no longer needs resetting");
                assertError(() -> alice.changePassword(r -> r.oldPassword("Alice-Passw0rd").newPassword("Alice-Passw0rd3")),
                        403, "AccessDenied", "The old password was incorrect.");

                // An explicit deny still wins over the allowance, as on AWS.
                iam.putUserPolicy(r -> r.userName("alice").policyName("no-changes").policyDocument(Docs.doc(
                        Docs.stmt("Deny", Docs.actions("iam:ChangePassword"), "*"))));
                assertEquals(403, IamSdk.fails(() -> alice.changePassword(r -> r.oldPassword("Alice-Passw0rd2")
                        .newPassword("Alice-Passw0rd3"))).statusCode());
                iam.deleteUserPolicy(r -> r.userName("alice").policyName("no-changes"));
            } finally {
                iam.deleteAccountPasswordPolicy();
            }
        }
        // A user without a login profile has no password to change.
        try (IamClient bob = asUser("bob-no-console", "iam:ChangePassword")) {
            assertError(() -> bob.changePassword(r -> r.oldPassword("whatever-1A").newPassword("Whatever-2A")), 404,
                    "NoSuchEntity", "Login Profile for User bob-no-console cannot be found.");
        }
    }

    @Test
    void aUserWhosePathHoldsQuotesChangesItsPasswordToo() {
        noPasswordPolicy(iam);
        iam.createUser(r -> r.userName("odd-path").path("/q\"uo\\te/"));
        var key = iam.createAccessKey(r -> r.userName("odd-path")).accessKey();
        iam.createLoginProfile(r -> r.userName("odd-path").password("Odd-Passw0rd"));
        iam.updateAccountPasswordPolicy(r -> r.allowUsersToChangePassword(true));
        try (IamClient odd = IamSdk.iam(crossrole, software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(key.accessKeyId(),
                        key.secretAccessKey())))) {
            odd.changePassword(r -> r.oldPassword("Odd-Passw0rd").newPassword("Odd-Passw0rd2"));
            assertTrue(isPassword("odd-path", "Odd-Passw0rd2"));
        } finally {
            iam.deleteAccountPasswordPolicy();
        }
    }

    @Test
    void onlyIamUsersChangeTheirPasswordsThisWay() {
        try (IamClient root = asRoot()) {
            assertError(() -> root.changePassword(r -> r.oldPassword("Root-Passw0rd").newPassword("Root-Passw0rd2")),
                    400, "InvalidUserType", "Only IAM users can change their own password.");
        }
        crossrole.role(SOURCE, "password-role", Docs.trustAws(SOURCE), allow("*", "iam:ChangePassword"));
        Credentials session;
        // The root cannot assume roles; a user of the account does.
        AccessKey assumer = crossrole.user(SOURCE, "assumer", Map.of("assume", allow("*", "sts:AssumeRole")));
        try (var asAssumer = crossrole.sts(assumer)) {
            session = asAssumer.assumeRole(r -> r.roleArn(TestCrossrole.roleArn(SOURCE, "password-role"))
                    .roleSessionName("password-session")).credentials();
        }
        try (IamClient asRole = IamSdk.iam(crossrole, TestCrossrole.session(session))) {
            assertError(() -> asRole.changePassword(r -> r.oldPassword("Role-Passw0rd").newPassword("Role-Passw0rd2")),
                    400, "InvalidUserType", "Only IAM users can change their own password.");
        }
    }

    @Test
    void badInputGetsIamsErrorsAndChangesNothing() {
        noPasswordPolicy(iam);
        iam.createUser(r -> r.userName("bad-input"));
        assertError(() -> iam.createLoginProfile(r -> r.userName("bad-input")), 400, "ValidationError",
                "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not"
                        + " be null");
        assertError(() -> iam.createLoginProfile(r -> r.userName("bad-input").password("x".repeat(129))), 400,
                "ValidationError", "1 validation error detected: Value at 'password' failed to satisfy constraint:"
                        + " Member must have length less than or equal to 128");
        assertError(() -> iam.createLoginProfile(r -> r.userName("bad input").password("Good-Enough1")), 400,
                "ValidationError", "The specified value for userName is invalid. It must contain only alphanumeric"
                        + " characters and/or the following: +=,.@_-");
        assertError(() -> iam.getLoginProfile(r -> r.userName("bad-input")), 404, "NoSuchEntity",
                "Login Profile for User bad-input cannot be found.");
    }

    @Test
    void anotherAccountNeitherSeesNorChangesThisAccountsPasswords() {
        noPasswordPolicy(iam);
        iam.createUser(r -> r.userName("guarded"));
        iam.createLoginProfile(r -> r.userName("guarded").password("Guarded-Passw0rd"));
        // Names resolve in the caller's own account: there is no "guarded" there.
        assertError(() -> otherAccount.getLoginProfile(r -> r.userName("guarded")), 404, "NoSuchEntity",
                "The user with name guarded cannot be found.");
        assertError(() -> otherAccount.updateLoginProfile(r -> r.userName("guarded").password("Stolen-Passw0rd")), 404,
                "NoSuchEntity", "The user with name guarded cannot be found.");
        assertError(() -> otherAccount.deleteLoginProfile(r -> r.userName("guarded")), 404, "NoSuchEntity",
                "The user with name guarded cannot be found.");
        assertTrue(isPassword("guarded", "Guarded-Passw0rd"));
        // A user of the other account, allowed everything in its own account, cannot touch this account's user.
        AccessKey intruderKey = crossrole.user(DESTINATION, "intruder", Map.of("all", allow("*", "iam:*")));
        try (IamClient intruder = IamSdk.iam(crossrole, TestCrossrole.credentials(intruderKey))) {
            assertError(() -> intruder.getLoginProfile(r -> r.userName("guarded")), 404, "NoSuchEntity",
                    "The user with name guarded cannot be found.");
        }
        assertEquals("guarded", iam.getLoginProfile(r -> r.userName("guarded")).loginProfile().userName());
    }
}
