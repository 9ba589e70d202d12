package dev.crossrole.policy;

import java.util.regex.Pattern;

/**
 * Who makes a request: the account root user, an IAM user, a role session, a federated-user session,
 * an AWS service principal, the holder of an identity provider's token, or an anonymous caller. Each knows the ARN AWS prints in AccessDenied
 * messages and the values of the principal condition keys.
 */
public sealed interface Principal {

    Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    /** A service principal name, e.g. {@code ecs-tasks.amazonaws.com}. */
    Pattern SERVICE_PRINCIPAL = Pattern.compile("[a-z0-9][a-z0-9.-]*\\.amazonaws\\.com(\\.cn)?");
    /** The unique id of a user or role (AIDA…, AROA…), as IAM stores it in trust policies. */
    Pattern UNIQUE_ID = Pattern.compile("A(IDA|ROA)[A-Z0-9]{12,}");

    /** The principal as AWS prints it in AccessDenied messages (the session ARN for sessions). */
    String displayName();

    /** The account the principal belongs to; {@code null} for service principals and anonymous callers. */
    String accountId();

    /** The value of {@code aws:PrincipalArn}, or {@code null} where AWS sets none. */
    String principalArn();

    /** The value of {@code aws:PrincipalType}, or {@code null} where AWS sets none. */
    String principalType();

    /** The value of {@code aws:userid}, or {@code null} when not known. */
    String userId();

    /** The account root user, {@code arn:aws:iam::ACCOUNT:root}. */
    record AccountRoot(String accountId) implements Principal {
        public String arn() {
            return "arn:aws:iam::" + accountId + ":root";
        }

        @Override
        public String displayName() {
            return arn();
        }

        @Override
        public String principalArn() {
            return arn();
        }

        @Override
        public String principalType() {
            return "Account";
        }

        @Override
        public String userId() {
            return accountId;
        }
    }

    /** An IAM user; {@code uniqueId} ({@code AIDA...}) may be {@code null} when unknown. */
    record IamUser(String arn, String accountId, String name, String uniqueId) implements Principal {
        @Override
        public String displayName() {
            return arn;
        }

        @Override
        public String principalArn() {
            return arn;
        }

        @Override
        public String principalType() {
            return "User";
        }

        @Override
        public String userId() {
            return uniqueId;
        }
    }

    /**
     * A session of an IAM role. {@code roleArn} is the role's ARN (with its path when known);
     * {@code roleUniqueId} ({@code AROA...}) may be {@code null} when unknown.
     */
    record RoleSession(String sessionArn, String accountId, String roleName, String sessionName, String roleArn,
                       String roleUniqueId) implements Principal {
        @Override
        public String displayName() {
            return sessionArn;
        }

        @Override
        public String principalArn() {
            return roleArn;
        }

        @Override
        public String principalType() {
            return "AssumedRole";
        }

        @Override
        public String userId() {
            return roleUniqueId == null ? null : roleUniqueId + ":" + sessionName;
        }
    }

    /** A federated-user session from GetFederationToken. */
    record FederatedUser(String arn, String accountId, String name) implements Principal {
        @Override
        public String displayName() {
            return arn;
        }

        @Override
        public String principalArn() {
            return arn;
        }

        @Override
        public String principalType() {
            return "FederatedUser";
        }

        @Override
        public String userId() {
            return accountId + ":" + name;
        }
    }

    /** An AWS service acting as itself, such as {@code ecs-tasks.amazonaws.com} assuming a task role. */
    record ServicePrincipal(String name) implements Principal {
        @Override
        public String displayName() {
            return name;
        }

        @Override
        public String accountId() {
            return null;
        }

        @Override
        public String principalArn() {
            return null;
        }

        @Override
        public String principalType() {
            return null;
        }

        @Override
        public String userId() {
            return null;
        }
    }

    /**
     * The holder of a token an identity provider issued ({@code AssumeRoleWithWebIdentity}, {@code AssumeRoleWithSAML}):
     * a trust policy names it by the provider, {@code {"Federated": "arn:aws:iam::ACCOUNT:oidc-provider/HOST"}}. It
     * belongs to no account, so no identity policy and no SCP applies to it; only the role's trust policy can let it in.
     *
     * @param provider the provider as trust policies name it (the IAM provider's ARN)
     * @param subject the token's subject, shown in records and explanations
     */
    record WebIdentity(String provider, String subject) implements Principal {
        @Override
        public String displayName() {
            return subject == null ? provider : provider + " (subject " + subject + ")";
        }

        @Override
        public String accountId() {
            return null;
        }

        @Override
        public String principalArn() {
            return null;
        }

        @Override
        public String principalType() {
            return "WebIdentityUser";
        }

        @Override
        public String userId() {
            return null;
        }
    }

    /** An unsigned request (S3 and a few other services allow them). */
    record Anonymous() implements Principal {
        @Override
        public String displayName() {
            return "anonymous";
        }

        @Override
        public String accountId() {
            return null;
        }

        @Override
        public String principalArn() {
            return null;
        }

        @Override
        public String principalType() {
            return "Anonymous";
        }

        @Override
        public String userId() {
            return "anonymous";
        }
    }

    /**
     * Reads a principal from its ARN, a service principal name ({@code *.amazonaws.com}), or {@code anonymous}.
     *
     * @throws IllegalArgumentException with a readable reason when the text is none of these
     */
    static Principal parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a principal is required");
        }
        if (text.equals("anonymous")) {
            return new Anonymous();
        }
        if (!text.startsWith("arn:")) {
            if (SERVICE_PRINCIPAL.matcher(text).matches()) {
                return new ServicePrincipal(text);
            }
            throw new IllegalArgumentException("'" + text + "' is not a principal ARN, a service principal"
                    + " (name.amazonaws.com) or \"anonymous\"");
        }
        String[] parts = text.split(":", 6);
        if (parts.length != 6 || parts[1].isEmpty() || !ACCOUNT_ID.matcher(parts[4]).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an ARN of the form"
                    + " arn:PARTITION:SERVICE::ACCOUNT(12 digits):RESOURCE");
        }
        String account = parts[4];
        String resource = parts[5];
        if (parts[2].equals("iam")) {
            if (resource.equals("root")) {
                return new AccountRoot(account);
            }
            if (resource.startsWith("user/") && resource.length() > 5) {
                return new IamUser(text, account, resource.substring(resource.lastIndexOf('/') + 1), null);
            }
            if (resource.startsWith("oidc-provider/") && resource.length() > 14
                    || resource.startsWith("saml-provider/") && resource.length() > 14) {
                return new WebIdentity(text, null);
            }
        } else if (parts[2].equals("sts")) {
            if (resource.startsWith("assumed-role/")) {
                String[] session = resource.split("/", -1);
                if (session.length == 3 && !session[1].isEmpty() && !session[2].isEmpty()) {
                    String roleArn = "arn:" + parts[1] + ":iam::" + account + ":role/" + session[1];
                    return new RoleSession(text, account, session[1], session[2], roleArn, null);
                }
            } else if (resource.startsWith("federated-user/") && resource.length() > 15) {
                return new FederatedUser(text, account, resource.substring(15));
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a principal: expected arn:aws:iam::ACCOUNT:root,"
                + " arn:aws:iam::ACCOUNT:user/NAME, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION,"
                + " arn:aws:sts::ACCOUNT:federated-user/NAME or an identity provider's holder,"
                + " arn:aws:iam::ACCOUNT:oidc-provider/HOST");
    }
}
