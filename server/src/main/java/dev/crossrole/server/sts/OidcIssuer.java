package dev.crossrole.server.sts;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * crossrole's own OpenID Connect issuer, for tests of web-identity federation: it signs ID tokens (ES256) for any
 * issuer name — {@code token.actions.githubusercontent.com} makes tokens a GitHub-Actions-style trust policy accepts
 * as written — and publishes, for each name, a discovery document and its keys under
 * {@code /_crossrole/oidc/<name>/}. Every name shares one P-256 key, kept in the store so that every node and every
 * restart verify the tokens it signed. An IAM OIDC provider whose URL is {@code https://<name>} trusts these tokens
 * unless its {@code crossrole:jwks} tag names the issuer's own keys.
 */
public final class OidcIssuer {
    /** The issuer name as a provider URL names it without {@code https://}: a DNS host, then an optional path. */
    public static final Pattern NAME = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)*");
    public static final String DEFAULT_NAME = "token.actions.githubusercontent.com";
    /** At most a day: a test token, not a credential to keep. */
    public static final Duration MAX_LIFETIME = Duration.ofDays(1);

    /** Where the issuer's key is kept: read it if it exists, or make it (which writes the store). */
    public interface KeySource {
        java.util.Optional<byte[]> existing();

        byte[] existingOrNew();
    }

    private final KeySource source;
    private volatile ECKey key;
    private final Clock clock;

    public OidcIssuer(byte[] storedKey, Clock clock) {
        this(new KeySource() {
            public java.util.Optional<byte[]> existing() {
                return java.util.Optional.of(storedKey);
            }

            public byte[] existingOrNew() {
                return storedKey;
            }
        }, clock);
    }

    /**
     * An issuer whose key is made the first time it signs or publishes (never at start), and which verification reads
     * only if it exists: a token can only have been signed once the key was made, and verification runs under the
     * store's write lock, where making it would wait for that same lock.
     */
    public OidcIssuer(KeySource source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    private ECKey key(boolean make) {
        ECKey known = key;
        if (known == null) {
            synchronized (this) {
                known = key;
                if (known == null) {
                    java.util.Optional<byte[]> stored = make ? java.util.Optional.of(source.existingOrNew())
                            : source.existing();
                    if (stored.isEmpty()) {
                        return null;
                    }
                    try {
                        known = ECKey.parse(new String(stored.get(), StandardCharsets.UTF_8));
                    } catch (ParseException e) {
                        throw new IllegalStateException("the stored OIDC issuer key cannot be read: " + e.getMessage(), e);
                    }
                    key = known;
                }
            }
        }
        return known;
    }

    /** A new key, as the store keeps it (a private JWK). */
    public static byte[] newKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
                    .keyID("crossrole-" + UUID.randomUUID().toString().substring(0, 8)).generate().toJSONString()
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make an EC key: " + e.getMessage(), e);
        }
    }

    /** The public keys every issuer name signs with, to publish (made if they do not exist yet). */
    public JWKSet publicKeys() {
        return new JWKSet(key(true).toPublicJWK());
    }

    /** The public keys tokens may have been signed with: none before the issuer first signed. */
    public JWKSet verificationKeys() {
        ECKey known = key(false);
        return known == null ? new JWKSet() : new JWKSet(known.toPublicJWK());
    }

    /** The issuer URL of a name, as its tokens' {@code iss} claim holds it. */
    public static String issuer(String name) {
        return "https://" + name;
    }

    /** The discovery document of an issuer name, pointing at the keys crossrole serves for it at {@code baseUrl}. */
    public static Map<String, Object> discovery(String name, String baseUrl) {
        return Map.of("issuer", issuer(name),
                "jwks_uri", baseUrl + "/_crossrole/oidc/" + name + "/jwks",
                "response_types_supported", List.of("id_token"),
                "subject_types_supported", List.of("public"),
                "id_token_signing_alg_values_supported", List.of("ES256"),
                "claims_supported", List.of("sub", "aud", "exp", "iat", "iss", "nbf", "jti", "amr", "azp"));
    }

    /**
     * A signed ID token of {@code name} for {@code subject} and {@code audiences}, valid from now for {@code lifetime},
     * with any further claims (GitHub's {@code repository}, {@code ref}, ...).
     *
     * @throws IllegalArgumentException when the name, subject, audiences or lifetime are not usable
     */
    public String token(String name, String subject, List<String> audiences, Duration lifetime,
                        Map<String, Object> claims) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("the issuer name must be a host name with an optional path, as an IAM"
                    + " OIDC provider's URL has them after https:// (such as " + DEFAULT_NAME + ")");
        }
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("a token needs a subject (sub)");
        }
        if (audiences.isEmpty() || audiences.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a token needs at least one audience (aud)");
        }
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("a token lives from 1 second to 1 day");
        }
        Instant now = clock.instant();
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder();
        claims.forEach(set::claim);
        set.issuer(issuer(name)).subject(subject).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime))).jwtID(UUID.randomUUID().toString());
        if (audiences.size() == 1) {
            set.audience(audiences.get(0));
        } else {
            set.audience(audiences);
        }
        ECKey key = key(true);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), set.build());
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
