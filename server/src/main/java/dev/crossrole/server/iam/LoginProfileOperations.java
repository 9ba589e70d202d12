package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.InputValidation;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.security.SecureRandom;
import java.util.List;

/**
 * Console passwords and the rules for them: login profiles ({@code Create/Get/Update/DeleteLoginProfile}), a user
 * changing its own password ({@code ChangePassword}), and the account's password policy
 * ({@code Update/Get/DeleteAccountPasswordPolicy}), which every new password must satisfy (AWS's default policy while
 * the account has none). Passwords are kept only as salted hashes ({@link PasswordHash}) and never returned.
 */
final class LoginProfileOperations {
    static final String PASSWORD_POLICY_VIOLATION = "Password does not conform to the account password policy.";
    static final String REUSE_VIOLATION = "Policy constraint violation with password reuse prevention during password"
            + " change.";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IamSupport support;
    private final IamDirectory iam;

    LoginProfileOperations(IamSupport support) {
        this.support = support;
        this.iam = support.iam;
    }

    static AwsException noSuchLoginProfile(String userName) {
        return IamSupport.noSuchEntity("Login Profile for User " + userName + " cannot be found.");
    }

    private static AwsException passwordPolicyViolation(String message) {
        return new AwsException("PasswordPolicyViolation", 400, message);
    }

    private SecureRandom random() {
        return iam.ids().random();
    }

    /** The user an optional {@code UserName} names; for root credentials IAM wants the name (or an AssumeRoot session). */
    private static String target(Call call, String given) {
        String target = UserOperations.targetUser(call, given);
        if (target == null) {
            throw AwsException.validation(UserOperations.NON_USER_CREDENTIALS);
        }
        return target;
    }

    private AccessCheck onUser(Call call, String action, String name) {
        IamUser user = iam.user(account(call), name).orElse(null);
        RequestContext.Builder context = RequestContext.builder();
        if (user != null) {
            IamSupport.resourceTags(context, user.tags());
        }
        return IamSupport.check(action, user != null ? user.arn() : support.arn(account(call), "user", "/", name),
                context.build());
    }

    private IamUser existingUser(Call call, String name) {
        return iam.user(account(call), name).orElseThrow(() -> IamSupport.noSuchUser(name));
    }

    /** Refuses a password the account's policy (or AWS's default one) does not allow, and a remembered one. */
    private void checkNewPassword(String account, String password, LoginProfile current) {
        PasswordPolicy policy = iam.passwordPolicy(account).orElse(null);
        if (!PasswordPolicy.allows(policy, password)) {
            throw passwordPolicyViolation(PASSWORD_POLICY_VIOLATION);
        }
        Integer remembered = policy == null ? null : policy.passwordReusePrevention();
        if (current != null && remembered != null) {
            // The current password counts as the most recent of the remembered ones.
            List<String> recent = new java.util.ArrayList<>();
            recent.add(current.passwordHash());
            recent.addAll(current.previousHashes());
            for (String hash : recent.subList(0, Math.min(remembered, recent.size()))) {
                if (PasswordHash.verify(password, hash)) {
                    throw passwordPolicyViolation(REUSE_VIOLATION);
                }
            }
        }
    }

    private static Shape profileShape(IamUser user, LoginProfile profile) {
        return Shape.of().put("UserName", user.name()).put("CreateDate", profile.created())
                .put("PasswordResetRequired", profile.resetRequired());
    }

    // ---- login profiles ---------------------------------------------------------------------

    PreparedCall createLoginProfile(Call call, Input input) {
        String name = target(call, input.string("UserName"));
        String password = input.string("Password");
        Boolean reset = input.bool("PasswordResetRequired");
        if (password == null) {
            // Optional in the model for AssumeRoot sessions (which set the root's password); an IAM user needs one.
            throw AwsException.validation(InputValidation.message(List.of(
                    "Value null at 'password' failed to satisfy constraint: Member must not be null")));
        }
        return PreparedCall.of(List.of(onUser(call, "iam:CreateLoginProfile", name)), () -> {
            synchronized (iam) {
                IamUser user = existingUser(call, name);
                if (iam.loginProfile(user.userId()).isPresent()) {
                    throw IamSupport.alreadyExists("Login Profile for user " + user.name() + " already exists.");
                }
                checkNewPassword(user.account(), password, null);
                LoginProfile profile = new LoginProfile(user.account(), user.userId(),
                        PasswordHash.hash(password, random()), iam.clock().instant(), reset != null && reset, List.of());
                iam.putLoginProfile(profile);
                return Shape.of().put("LoginProfile", profileShape(user, profile));
            }
        });
    }

    PreparedCall getLoginProfile(Call call, Input input) {
        String name = target(call, input.string("UserName"));
        return PreparedCall.of(List.of(onUser(call, "iam:GetLoginProfile", name)), () -> {
            IamUser user = existingUser(call, name);
            LoginProfile profile = iam.loginProfile(user.userId()).orElseThrow(() -> noSuchLoginProfile(user.name()));
            return Shape.of().put("LoginProfile", profileShape(user, profile));
        });
    }

    PreparedCall updateLoginProfile(Call call, Input input) {
        String name = input.string("UserName");
        String password = input.string("Password");
        Boolean reset = input.bool("PasswordResetRequired");
        return PreparedCall.of(List.of(onUser(call, "iam:UpdateLoginProfile", name)), () -> {
            synchronized (iam) {
                IamUser user = existingUser(call, name);
                LoginProfile profile = iam.loginProfile(user.userId())
                        .orElseThrow(() -> noSuchLoginProfile(user.name()));
                LoginProfile updated = profile;
                if (password != null) {
                    checkNewPassword(user.account(), password, profile);
                    updated = profile.withPassword(PasswordHash.hash(password, random()), iam.clock().instant(),
                            reset != null ? reset : profile.resetRequired());
                } else if (reset != null) {
                    updated = profile.withResetRequired(reset);
                }
                if (updated != profile) {
                    iam.putLoginProfile(updated);
                }
                return null;
            }
        });
    }

    PreparedCall deleteLoginProfile(Call call, Input input) {
        String name = target(call, input.string("UserName"));
        return PreparedCall.of(List.of(onUser(call, "iam:DeleteLoginProfile", name)), () -> {
            synchronized (iam) {
                IamUser user = existingUser(call, name);
                if (!iam.deleteLoginProfile(user.userId())) {
                    throw noSuchLoginProfile(user.name());
                }
                return null;
            }
        });
    }

    // ---- ChangePassword ---------------------------------------------------------------------

    /**
     * The calling IAM user changes its own password: the old one must match, the new one satisfy the password
     * policy. Only IAM users have passwords to change this way (the root's is changed in the console).
     */
    PreparedCall changePassword(Call call, Input input) {
        String oldPassword = input.string("OldPassword");
        String newPassword = input.string("NewPassword");
        if (!(call.caller().principal() instanceof Principal.IamUser caller)) {
            throw new AwsException("InvalidUserType", 400, "Only IAM users can change their own password.");
        }
        String account = account(call);
        IamUser self = iam.userById(caller.userId()).orElse(null);
        String arn = self != null ? self.arn() : caller.arn();
        RequestContext.Builder context = RequestContext.builder();
        if (self != null) {
            IamSupport.resourceTags(context, self.tags());
        }
        Policy allowance = iam.passwordPolicy(account).filter(PasswordPolicy::allowUsersToChangePassword)
                .map(p -> usersMayChangePasswords(caller.userId(), "iam:ChangePassword", "*")).orElse(null);
        AccessCheck check = new AccessCheck("iam:ChangePassword", arn, account, allowance, context.build(),
                IamSupport.shown("iam:ChangePassword", arn));
        return PreparedCall.of(List.of(check), () -> {
            synchronized (iam) {
                IamUser user = iam.userById(caller.userId()).orElseThrow(() -> IamSupport.noSuchUser(caller.name()));
                LoginProfile profile = iam.loginProfile(user.userId())
                        .orElseThrow(() -> noSuchLoginProfile(user.name()));
                if (!PasswordHash.verify(oldPassword, profile.passwordHash())) {
                    throw AwsException.accessDenied("The old password was incorrect.");
                }
                checkNewPassword(account, newPassword, profile);
                iam.putLoginProfile(profile.withPassword(PasswordHash.hash(newPassword, random()), iam.clock().instant(),
                        false));
                return null;
            }
        });
    }

    /**
     * What {@code AllowUsersToChangePassword} gives every IAM user of the account (IAM API Reference,
     * UpdateAccountPasswordPolicy): {@code iam:ChangePassword} on itself and {@code iam:GetAccountPasswordPolicy},
     * without a policy of its own. It is granted as a same-account resource policy naming the user by its unique id
     * (as IAM keeps principals; an ARN's path may hold characters a principal may not), for the one check it comes
     * with, so an explicit deny (a policy that requires MFA, say) still wins, as on AWS.
     */
    static Policy usersMayChangePasswords(String userId, String action, String resource) {
        ObjectNode statement = JSON.createObjectNode().put("Sid", "AllowUsersToChangePassword").put("Effect", "Allow");
        statement.putObject("Principal").put("AWS", userId);
        statement.put("Action", action).put("Resource", resource);
        ObjectNode document = JSON.createObjectNode().put("Version", "2012-10-17");
        document.putArray("Statement").add(statement);
        return Policies.parseValid(document.toString(), PolicyKind.RESOURCE,
                "the account password policy's AllowUsersToChangePassword");
    }

    // ---- the account password policy --------------------------------------------------------

    /** Every member given or its default: the call replaces the whole policy (IAM API Reference). */
    PreparedCall updateAccountPasswordPolicy(Call call, Input input) {
        Integer minimum = input.integer("MinimumPasswordLength");
        PasswordPolicy policy = new PasswordPolicy(account(call), minimum == null ? 6 : minimum,
                flag(input, "RequireSymbols"), flag(input, "RequireNumbers"), flag(input, "RequireUppercaseCharacters"),
                flag(input, "RequireLowercaseCharacters"), flag(input, "AllowUsersToChangePassword"),
                input.integer("MaxPasswordAge"), input.integer("PasswordReusePrevention"), input.bool("HardExpiry"));
        return PreparedCall.of(List.of(IamSupport.check("iam:UpdateAccountPasswordPolicy", "*", RequestContext.empty())),
                () -> {
                    iam.putPasswordPolicy(policy);
                    return null;
                });
    }

    private static boolean flag(Input input, String member) {
        Boolean value = input.bool(member);
        return value != null && value;
    }

    PreparedCall getAccountPasswordPolicy(Call call, Input input) {
        String account = account(call);
        Policy allowance = null;
        if (call.caller().principal() instanceof Principal.IamUser caller
                && iam.passwordPolicy(account).filter(PasswordPolicy::allowUsersToChangePassword).isPresent()) {
            allowance = usersMayChangePasswords(caller.userId(), "iam:GetAccountPasswordPolicy", "*");
        }
        AccessCheck check = new AccessCheck("iam:GetAccountPasswordPolicy", "*", account, allowance,
                RequestContext.empty());
        return PreparedCall.of(List.of(check), () -> {
            PasswordPolicy policy = iam.passwordPolicy(account).orElseThrow(() -> IamSupport.noSuchEntity(
                    "The Password Policy with domain name " + account + " cannot be found."));
            Shape shape = Shape.of()
                    .put("MinimumPasswordLength", policy.minimumLength())
                    .put("RequireSymbols", policy.requireSymbols())
                    .put("RequireNumbers", policy.requireNumbers())
                    .put("RequireUppercaseCharacters", policy.requireUppercase())
                    .put("RequireLowercaseCharacters", policy.requireLowercase())
                    .put("AllowUsersToChangePassword", policy.allowUsersToChangePassword())
                    .put("ExpirePasswords", policy.expirePasswords())
                    .put("MaxPasswordAge", policy.maxPasswordAge())
                    .put("PasswordReusePrevention", policy.passwordReusePrevention())
                    .put("HardExpiry", policy.hardExpiry());
            return Shape.of().put("PasswordPolicy", shape);
        });
    }

    PreparedCall deleteAccountPasswordPolicy(Call call, Input input) {
        return PreparedCall.of(List.of(IamSupport.check("iam:DeleteAccountPasswordPolicy", "*", RequestContext.empty())),
                () -> {
                    if (!iam.deletePasswordPolicy(account(call))) {
                        throw IamSupport.noSuchEntity("The account policy with name PasswordPolicy cannot be found.");
                    }
                    return null;
                });
    }
}
