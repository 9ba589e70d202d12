package dev.crossrole.server.sts;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.OidcProvider;
import dev.crossrole.server.protocol.AwsException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies an OpenID Connect ID token as STS does for {@code AssumeRoleWithWebIdentity}: its issuer must be an IAM
 * OIDC provider of the role's account, its signature must verify under the issuer's keys, one of its audiences must
 * be a client id of the provider, and it must be current. The issuer's keys are crossrole's built-in issuer's
 * ({@link OidcIssuer}) unless the provider's {@code crossrole:jwks} tag names a JWKS file ({@code file:/path}) or a
 * JWKS URL on this machine ({@code http://127.0.0.1:PORT/...}): crossrole fetches nothing from elsewhere.
 */
public final class WebIdentityTokens {
    /** The provider tag naming the issuer's own keys. */
    public static final String JWKS_TAG = "crossrole:jwks";
    /** Clock difference tolerated on {@code nbf} and {@code iat}. */
    static final Duration SKEW = Duration.ofMinutes(5);
    /**
     * Claims STS offers as condition keys besides {@code sub}, {@code aud}, {@code oaud} and {@code amr}, for the
     * issuers the Service Authorization Reference lists them for (sts:AssumeRoleWithWebIdentity's condition keys).
     */
    static final Set<String> GITHUB_CLAIMS = Set.of("actor", "actor_id", "enterprise_id", "environment",
            "job_workflow_ref", "ref", "repository", "repository_id", "repository_owner_id", "workflow");
    static final Set<String> GITLAB_CLAIMS = Set.of("namespace_id", "pipeline_source", "project_id", "ref_protected",
            "runner_environment", "user_access_level", "user_email", "user_id", "user_login");
    /** Hosts a {@code crossrole:jwks} URL may name, written as addresses so that no name lookup is involved. */
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "[::1]", "localhost");
    private static final String NOT_VALIDATED = "The web identity token that was passed could not be validated by"
            + " AWS. Get a new identity token from the identity provider and then retry the request.";
    private static final String NO_KEY = "Couldn't retrieve verification key from your identity provider,  please"
            + " reference AssumeRoleWithWebIdentity documentation for requirements";

    private final IamDirectory iam;
    private final OidcIssuer builtIn;
    /** Made when a provider's keys are first fetched from a URL: most never are, and start-up should not pay for it. */
    private volatile HttpClient http;

    public WebIdentityTokens(IamDirectory iam, OidcIssuer builtIn) {
        this.iam = iam;
        this.builtIn = builtIn;
    }

    /**
     * What a verified token says.
     *
     * @param provider the IAM provider that trusts the issuer
     * @param issuer the token's {@code iss}
     * @param audience the client id it was issued for ({@code azp} when present, else the {@code aud} the provider
     *     knows)
     * @param conditionKeys the keys a trust policy may test: {@code <provider url>:sub}, {@code :aud}, ...
     */
    public record Verified(OidcProvider provider, String issuer, String subject, String audience,
                           Map<String, List<String>> conditionKeys, SessionClaims session) {}

    /**
     * What the token asks of the session (IAM User Guide, "Passing session tags using AssumeRoleWithWebIdentity"): the
     * {@code https://aws.amazon.com/tags} claim's {@code principal_tags} (each a list of one value) and
     * {@code transitive_tag_keys}, and the {@code https://aws.amazon.com/source_identity} claim.
     */
    public record SessionClaims(Map<String, String> tags, List<String> transitiveTagKeys, String sourceIdentity) {}

    static final String TAGS_CLAIM = "https://aws.amazon.com/tags";
    static final String SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity";

    static AwsException invalid(String message) {
        return new AwsException("InvalidIdentityToken", 400, message);
    }

    /** The token's claims once every check passed; STS's error for the first that fails. */
    public Verified verify(String token, String roleAccount, Instant now) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token.trim());
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw invalid("The ID token is not a signed JWT: " + e.getMessage());
        }
        String issuer = claims.getIssuer();
        if (issuer == null || issuer.isEmpty()) {
            throw invalid("The ID token has no issuer (iss).");
        }
        String url = issuer.startsWith("https://") ? issuer.substring("https://".length()) : issuer;
        OidcProvider provider = iam.oidcProvider(OidcProvider.arn(roleAccount, url)).orElseThrow(
                () -> invalid("No OpenIDConnect provider found in your account for " + issuer));
        if (!signedByIssuer(jwt, keys(provider))) {
            throw invalid(NOT_VALIDATED);
        }
        Date expires = claims.getExpirationTime();
        if (expires == null) {
            throw invalid("The ID token has no expiration time (exp).");
        }
        if (!now.isBefore(expires.toInstant())) {
            throw new AwsException("ExpiredTokenException", 400, "Token expired: current date/time "
                    + now.getEpochSecond() + " must be before the expiration date/time" + expires.toInstant().getEpochSecond());
        }
        Date notBefore = claims.getNotBeforeTime();
        Date issued = claims.getIssueTime();
        if (notBefore != null && notBefore.toInstant().isAfter(now.plus(SKEW))
                || issued != null && issued.toInstant().isAfter(now.plus(SKEW))) {
            throw invalid(NOT_VALIDATED);
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isEmpty()) {
            throw invalid("The ID token has no subject (sub).");
        }
        List<String> audiences = claims.getAudience();
        String authorizedParty = stringClaim(claims, "azp");
        String audience = null;
        if (authorizedParty != null && provider.clientIds().contains(authorizedParty)) {
            audience = authorizedParty;
        } else {
            for (String aud : audiences) {
                if (provider.clientIds().contains(aud)) {
                    audience = aud;
                    break;
                }
            }
        }
        if (audience == null) {
            throw invalid("Incorrect token audience");
        }
        return new Verified(provider, issuer, subject, audience, conditionKeys(provider.url(), claims, audiences,
                authorizedParty), sessionClaims(claims));
    }

    /** The session tags and source identity a token carries; a malformed tags claim refuses the token. */
    static SessionClaims sessionClaims(JWTClaimsSet claims) {
        Map<String, String> tags = new java.util.LinkedHashMap<>();
        List<String> transitive = new ArrayList<>();
        Object tagsClaim = claims.getClaim(TAGS_CLAIM);
        if (tagsClaim != null) {
            if (!(tagsClaim instanceof Map<?, ?> tagsObject)) {
                throw invalid("The " + TAGS_CLAIM + " claim must be an object with principal_tags and transitive_tag_keys.");
            }
            Object principalTags = tagsObject.get("principal_tags");
            if (principalTags != null) {
                if (!(principalTags instanceof Map<?, ?> byKey)) {
                    throw invalid("principal_tags must map each tag key to a list of one value.");
                }
                for (Map.Entry<?, ?> tag : byKey.entrySet()) {
                    if (!(tag.getValue() instanceof List<?> values) || values.size() != 1) {
                        throw invalid("principal_tags must map each tag key to a list of one value.");
                    }
                    tags.put(String.valueOf(tag.getKey()), String.valueOf(values.get(0)));
                }
            }
            Object keys = tagsObject.get("transitive_tag_keys");
            if (keys instanceof List<?> list) {
                list.forEach(k -> transitive.add(String.valueOf(k)));
            } else if (keys != null) {
                throw invalid("transitive_tag_keys must be a list of tag keys.");
            }
        }
        Object sourceIdentity = claims.getClaim(SOURCE_IDENTITY_CLAIM);
        return new SessionClaims(tags, transitive, sourceIdentity == null ? null : String.valueOf(sourceIdentity));
    }

    /** STS's keys of the token: {@code <url>:sub}, {@code :aud} (azp when present), {@code :oaud}, {@code :amr}, ... */
    static Map<String, List<String>> conditionKeys(String url, JWTClaimsSet claims, List<String> audiences,
                                                   String authorizedParty) {
        Map<String, List<String>> keys = new java.util.LinkedHashMap<>();
        keys.put(url + ":sub", List.of(claims.getSubject()));
        if (authorizedParty != null) {
            keys.put(url + ":aud", List.of(authorizedParty));
            keys.put(url + ":oaud", audiences);
        } else {
            keys.put(url + ":aud", audiences);
        }
        List<String> amr = listClaim(claims, "amr");
        if (!amr.isEmpty()) {
            keys.put(url + ":amr", amr);
        }
        String host = url.contains("/") ? url.substring(0, url.indexOf('/')) : url;
        Set<String> extra = host.equals("token.actions.githubusercontent.com") || host.endsWith(".ghe.com")
                || url.startsWith("github.com/enterprises/") ? GITHUB_CLAIMS
                : host.equals("gitlab.com") ? GITLAB_CLAIMS : Set.of();
        for (String claim : extra) {
            String value = stringClaim(claims, claim);
            if (value != null) {
                keys.put(url + ":" + claim, List.of(value));
            }
        }
        return keys;
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        return value == null ? null : String.valueOf(value);
    }

    private static List<String> listClaim(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(v -> out.add(String.valueOf(v)));
        } else if (value != null) {
            out.add(String.valueOf(value));
        }
        return out;
    }

    private static boolean signedByIssuer(SignedJWT jwt, JWKSet keys) {
        String kid = jwt.getHeader().getKeyID();
        for (JWK key : keys.getKeys()) {
            if (kid != null && key.getKeyID() != null && !kid.equals(key.getKeyID())) {
                continue;
            }
            try {
                JWSVerifier verifier = key instanceof ECKey ec ? new ECDSAVerifier(ec.toECPublicKey())
                        : key instanceof RSAKey rsa ? new RSASSAVerifier(rsa.toRSAPublicKey()) : null;
                if (verifier != null && verifier.supportedJWSAlgorithms().contains(jwt.getHeader().getAlgorithm())
                        && jwt.verify(verifier)) {
                    return true;
                }
            } catch (JOSEException | IllegalStateException e) {
                // a key of another kind or curve: try the next
            }
        }
        return false;
    }

    /** The issuer's keys: the provider's {@code crossrole:jwks} tag, else crossrole's built-in issuer. */
    private JWKSet keys(OidcProvider provider) {
        String source = provider.tags().get(JWKS_TAG);
        if (source == null) {
            return builtIn.verificationKeys();
        }
        try {
            if (source.startsWith("file:")) {
                return JWKSet.parse(Files.readString(Path.of(URI.create(source))));
            }
            URI uri = URI.create(source);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    || !LOOPBACK_HOSTS.contains(uri.getHost())) {
                throw invalid(NO_KEY);
            }
            HttpClient client = http;
            if (client == null) {
                client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                http = client;
            }
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw invalid(NO_KEY);
            }
            return JWKSet.parse(response.body());
        } catch (IOException | ParseException | IllegalArgumentException e) {
            throw invalid(NO_KEY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw invalid(NO_KEY);
        }
    }
}
