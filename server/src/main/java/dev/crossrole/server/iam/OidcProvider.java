package dev.crossrole.server.iam;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An IAM OpenID Connect identity provider: the issuer an account trusts for {@code AssumeRoleWithWebIdentity}.
 * Immutable, replaced on change.
 *
 * @param url the issuer's URL without its {@code https://} (as IAM reports it, {@code token.actions.githubusercontent.com})
 * @param clientIds the audiences a token may name
 * @param thumbprints the server certificate thumbprints, lower case
 */
public record OidcProvider(String account, String url, List<String> clientIds, List<String> thumbprints,
                           Map<String, String> tags, Instant created) {
    public OidcProvider {
        clientIds = List.copyOf(clientIds);
        thumbprints = List.copyOf(thumbprints);
        tags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
    }

    public static String arn(String account, String url) {
        return "arn:aws:iam::" + account + ":oidc-provider/" + url;
    }

    public String arn() {
        return arn(account, url);
    }

    /** The issuer as a token's {@code iss} names it. */
    public String issuer() {
        return "https://" + url;
    }

    OidcProvider withClientIds(List<String> ids) {
        return new OidcProvider(account, url, ids, thumbprints, tags, created);
    }

    OidcProvider withThumbprints(List<String> list) {
        return new OidcProvider(account, url, clientIds, list, tags, created);
    }

    OidcProvider withTags(Map<String, String> newTags) {
        return new OidcProvider(account, url, clientIds, thumbprints, newTags, created);
    }
}
