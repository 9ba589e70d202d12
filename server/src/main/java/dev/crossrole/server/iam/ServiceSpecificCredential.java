package dev.crossrole.server.iam;

import java.time.Instant;

/**
 * A service-specific credential of an IAM user: a user name and password for CodeCommit's Git over HTTPS or Amazon
 * Keyspaces, or an API key (alias and secret) for Amazon Bedrock and CloudWatch Logs.
 *
 * @param id the credential id ({@code ACCA…})
 * @param userId the owner's unique id, which survives a rename
 * @param service the service's name ({@code codecommit.amazonaws.com})
 * @param serviceUserName {@code <user>-at-<account>} for password credentials, else {@code null}
 * @param secret the password or the API key's secret, returned only by Create and Reset
 * @param alias an API key's public part, else {@code null}
 * @param expires when an API key created with an age expires, else {@code null}
 */
public record ServiceSpecificCredential(String account, String userId, String id, String service,
                                        String serviceUserName, String secret, String alias, boolean active,
                                        Instant created, Instant expires) {
    /** Whether this is an API key (alias and secret) rather than a user name and password. */
    public boolean apiKey() {
        return alias != null;
    }

    ServiceSpecificCredential withActive(boolean isActive) {
        return new ServiceSpecificCredential(account, userId, id, service, serviceUserName, secret, alias, isActive,
                created, expires);
    }

    ServiceSpecificCredential withSecret(String newSecret) {
        return new ServiceSpecificCredential(account, userId, id, service, serviceUserName, newSecret, alias, active,
                created, expires);
    }
}
