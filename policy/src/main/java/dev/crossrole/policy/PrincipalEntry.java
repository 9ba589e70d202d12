package dev.crossrole.policy;

import java.util.regex.Pattern;

/**
 * One value of a {@code Principal} or {@code NotPrincipal} element, classified once at compile time.
 * The {@link Kind} also says how strongly an Allow naming it grants within the same account.
 */
record PrincipalEntry(Type type, String written, Kind kind, String account, String name) {


    /** The element key the value appeared under. */
    enum Type { AWS, SERVICE, FEDERATED, CANONICAL_USER, STAR }

    enum Kind {
        /** {@code "*"}: everyone, including anonymous callers. */
        ANY,
        /** An account id or {@code arn:aws:iam::ACCOUNT:root}: delegates to the account's identity policies. */
        ACCOUNT,
        /** An IAM user ARN. */
        USER,
        /** An IAM role ARN: every session of the role. */
        ROLE,
        /** One role session ARN, exactly. */
        SESSION,
        /** One federated-user session ARN. */
        FEDERATED_SESSION,
        /** A user's unique id ({@code AIDA...}). */
        USER_ID,
        /** A role's unique id ({@code AROA...}). */
        ROLE_ID,
        /** A service principal such as {@code ecs-tasks.amazonaws.com}. */
        SERVICE,
        /** An identity provider ({@code Federated}): the holders of its tokens. */
        PROVIDER,
        /** An S3 canonical user: no caller of this kind is modelled. */
        OTHER,
        /** A value that can never match (partial wildcards, malformed ARNs). */
        NEVER
    }

    static PrincipalEntry classify(Type type, String value) {
        switch (type) {
            case STAR:
                return new PrincipalEntry(type, value, Kind.ANY, null, null);
            case SERVICE:
                return new PrincipalEntry(type, value, value.equals("*") ? Kind.ANY : Kind.SERVICE, null, value);
            case FEDERATED:
                return new PrincipalEntry(type, value, value.equals("*") ? Kind.ANY : Kind.PROVIDER, null, value);
            case CANONICAL_USER:
                return new PrincipalEntry(type, value, value.equals("*") ? Kind.ANY : Kind.OTHER, null, value);
            default:
                break;
        }
        if (value.equals("*")) {
            return new PrincipalEntry(type, value, Kind.ANY, null, null);
        }
        if (Principal.ACCOUNT_ID.matcher(value).matches()) {
            return new PrincipalEntry(type, value, Kind.ACCOUNT, value, null);
        }
        if (Principal.UNIQUE_ID.matcher(value).matches()) {
            return new PrincipalEntry(type, value, value.startsWith("AIDA") ? Kind.USER_ID : Kind.ROLE_ID, null, value);
        }
        if (value.indexOf('*') >= 0 || value.indexOf('?') >= 0) {
            return new PrincipalEntry(type, value, Kind.NEVER, null, null);
        }
        String[] parts = value.split(":", 6);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[3].isEmpty()
                || !Principal.ACCOUNT_ID.matcher(parts[4]).matches()) {
            return new PrincipalEntry(type, value, Kind.NEVER, null, null);
        }
        String account = parts[4];
        String resource = parts[5];
        if (parts[2].equals("iam")) {
            if (resource.equals("root")) {
                return new PrincipalEntry(type, value, Kind.ACCOUNT, account, null);
            }
            if (resource.startsWith("user/") && resource.length() > 5 && !resource.endsWith("/")) {
                return new PrincipalEntry(type, value, Kind.USER, account, resource.substring(resource.lastIndexOf('/') + 1));
            }
            if (resource.startsWith("role/") && resource.length() > 5 && !resource.endsWith("/")) {
                return new PrincipalEntry(type, value, Kind.ROLE, account, resource.substring(resource.lastIndexOf('/') + 1));
            }
        } else if (parts[2].equals("sts")) {
            String[] pieces = resource.split("/", -1);
            if (pieces.length == 3 && pieces[0].equals("assumed-role") && !pieces[1].isEmpty() && !pieces[2].isEmpty()) {
                return new PrincipalEntry(type, value, Kind.SESSION, account, pieces[1]);
            }
            if (pieces.length == 2 && pieces[0].equals("federated-user") && !pieces[1].isEmpty()) {
                return new PrincipalEntry(type, value, Kind.FEDERATED_SESSION, account, pieces[1]);
            }
        }
        return new PrincipalEntry(type, value, Kind.NEVER, null, null);
    }

    /** Whether this entry names the given principal at the given identity level. */
    boolean matches(Principal principal, Level level) {
        switch (kind) {
            case ANY:
                return true;
            case ACCOUNT:
                return level == Level.ACCOUNT && account.equals(principal.accountId());
            case USER:
                return level == Level.ENTITY && principal instanceof Principal.IamUser user
                        && account.equals(user.accountId()) && name.equals(user.name());
            case USER_ID:
                return level == Level.ENTITY && principal instanceof Principal.IamUser user && name.equals(user.uniqueId());
            case ROLE:
                return level == Level.ENTITY && principal instanceof Principal.RoleSession session
                        && account.equals(session.accountId()) && name.equals(session.roleName());
            case ROLE_ID:
                return level == Level.ENTITY && principal instanceof Principal.RoleSession session
                        && name.equals(session.roleUniqueId());
            case SESSION:
                return level == Level.SESSION && principal instanceof Principal.RoleSession session
                        && written.equals(session.sessionArn());
            case FEDERATED_SESSION:
                return level == Level.SESSION && principal instanceof Principal.FederatedUser federated
                        && written.equals(federated.arn());
            case SERVICE:
                return level == Level.SERVICE && principal instanceof Principal.ServicePrincipal service
                        && name.equalsIgnoreCase(service.name());
            case PROVIDER:
                return level == Level.PROVIDER && principal instanceof Principal.WebIdentity holder
                        && written.equals(holder.provider());
            default:
                return false;
        }
    }

    /** The identity levels AWS may evaluate a principal at: its account, its user or role, its session. */
    enum Level {
        ACCOUNT, ENTITY, SESSION, SERVICE, PROVIDER, ANONYMOUS;

        static final Level[] ROOT = {ACCOUNT};
        static final Level[] USER = {ACCOUNT, ENTITY};
        static final Level[] ROLE_SESSION = {ACCOUNT, ENTITY, SESSION};
        static final Level[] FEDERATED = {ACCOUNT, SESSION};
        static final Level[] SERVICE_ONLY = {SERVICE};
        static final Level[] PROVIDER_ONLY = {PROVIDER};
        static final Level[] ANONYMOUS_ONLY = {ANONYMOUS};

        static Level[] of(Principal principal) {
            if (principal instanceof Principal.AccountRoot) {
                return ROOT;
            } else if (principal instanceof Principal.IamUser) {
                return USER;
            } else if (principal instanceof Principal.RoleSession) {
                return ROLE_SESSION;
            } else if (principal instanceof Principal.FederatedUser) {
                return FEDERATED;
            } else if (principal instanceof Principal.ServicePrincipal) {
                return SERVICE_ONLY;
            } else if (principal instanceof Principal.WebIdentity) {
                return PROVIDER_ONLY;
            }
            return ANONYMOUS_ONLY;
        }
    }
}
