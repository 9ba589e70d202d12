package dev.crossrole.server.sts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IdGenerator;
import dev.crossrole.server.iam.OidcProvider;
import dev.crossrole.server.protocol.AwsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token verification as STS does it, each check failing alone, and the condition keys a verified token gives. */
class WebIdentityTokensTest {
    static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    static final String ACCOUNT = "111122223333";
    final IamDirectory iam = new IamDirectory(Clock.fixed(NOW, ZoneOffset.UTC), new IdGenerator(new SecureRandom()));
    final OidcIssuer issuer = new OidcIssuer(OidcIssuer.newKey(), Clock.fixed(NOW, ZoneOffset.UTC));
    final WebIdentityTokens tokens = new WebIdentityTokens(iam, issuer);

    void provider(String url, List<String> clientIds, Map<String, String> tags) {
        iam.putOidcProvider(new OidcProvider(ACCOUNT, url, clientIds, List.of(), tags, NOW));
    }

    String github(String sub, Duration lifetime, Map<String, Object> claims) {
        return issuer.token("token.actions.githubusercontent.com", sub, List.of("sts.amazonaws.com"), lifetime, claims);
    }

    static AwsException refused(Runnable call) {
        return assertThrows(AwsException.class, call::run);
    }

    @Test
    void aGithubTokenGivesItsClaimsAsKeys() {
        provider("token.actions.githubusercontent.com", List.of("sts.amazonaws.com"), Map.of());
        WebIdentityTokens.Verified verified = tokens.verify(github("repo:o/a:ref:refs/heads/main", Duration.ofHours(1),
                Map.of("repository", "o/a", "ref", "refs/heads/main", "not_a_key", "x")), ACCOUNT, NOW);
        assertEquals("sts.amazonaws.com", verified.audience());
        assertEquals("https://token.actions.githubusercontent.com", verified.issuer());
        assertEquals(Map.of(
                "token.actions.githubusercontent.com:sub", List.of("repo:o/a:ref:refs/heads/main"),
                "token.actions.githubusercontent.com:aud", List.of("sts.amazonaws.com"),
                "token.actions.githubusercontent.com:repository", List.of("o/a"),
                "token.actions.githubusercontent.com:ref", List.of("refs/heads/main")), verified.conditionKeys());
    }

    @Test
    void eachCheckRefusesAlone() {
        provider("token.actions.githubusercontent.com", List.of("sts.amazonaws.com"), Map.of());
        String good = github("repo:o/a:ref:refs/heads/main", Duration.ofHours(1), Map.of());

        AwsException otherAccount = refused(() -> tokens.verify(good, "555566667777", NOW));
        assertEquals("InvalidIdentityToken", otherAccount.code());
        assertEquals("No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com",
                otherAccount.getMessage());

        AwsException expired = refused(() -> tokens.verify(good, ACCOUNT, NOW.plus(Duration.ofHours(1))));
        assertEquals("ExpiredTokenException", expired.code());
        assertEquals("Token expired: current date/time " + NOW.plusSeconds(3600).getEpochSecond()
                + " must be before the expiration date/time" + NOW.plusSeconds(3600).getEpochSecond(), expired.getMessage());

        AwsException early = refused(() -> tokens.verify(good, ACCOUNT, NOW.minus(Duration.ofMinutes(6))));
        assertEquals("InvalidIdentityToken", early.code());

        String otherAudience = issuer.token("token.actions.githubusercontent.com", "s", List.of("api://x"),
                Duration.ofHours(1), Map.of());
        assertEquals("Incorrect token audience", refused(() -> tokens.verify(otherAudience, ACCOUNT, NOW)).getMessage());

        String[] parts = good.split("\\.");
        assertEquals("InvalidIdentityToken", refused(() -> tokens.verify(parts[0] + "." + parts[1] + ".", ACCOUNT, NOW))
                .code());
        // alg "none": not a signed JWT at all
        String none = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + parts[1] + ".";
        assertEquals("InvalidIdentityToken", refused(() -> tokens.verify(none, ACCOUNT, NOW)).code());
        assertEquals("InvalidIdentityToken", refused(() -> tokens.verify("garbage", ACCOUNT, NOW)).code());
    }

    @Test
    void anAuthorizedPartyIsTheAudienceAndTheAudiencesAreOaud() {
        provider("accounts.example.com", List.of("web-client"), Map.of());
        String token = issuer.token("accounts.example.com", "user-1", List.of("backend", "other"), Duration.ofHours(1),
                Map.of("azp", "web-client", "amr", List.of("pwd", "mfa")));
        WebIdentityTokens.Verified verified = tokens.verify(token, ACCOUNT, NOW);
        assertEquals("web-client", verified.audience());
        assertEquals(List.of("web-client"), verified.conditionKeys().get("accounts.example.com:aud"));
        assertEquals(List.of("backend", "other"), verified.conditionKeys().get("accounts.example.com:oaud"));
        assertEquals(List.of("pwd", "mfa"), verified.conditionKeys().get("accounts.example.com:amr"));
    }

    @Test
    void aJwksTagMakesTheIssuersOwnKeysTheOnlyOnes(@TempDir Path dir) throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("idp-1").generate();
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(rsa.toPublicJWK()).toString());
        provider("idp.example.net", List.of("sts.amazonaws.com"), Map.of(WebIdentityTokens.JWKS_TAG, jwks.toUri().toString()));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("idp-1").build(),
                new JWTClaimsSet.Builder().issuer("https://idp.example.net").subject("svc").audience("sts.amazonaws.com")
                        .issueTime(Date.from(NOW)).expirationTime(Date.from(NOW.plusSeconds(600))).build());
        jwt.sign(new RSASSASigner(rsa));
        assertEquals("svc", tokens.verify(jwt.serialize(), ACCOUNT, NOW).subject());

        // crossrole's own issuer signs for the same name, but the provider trusts only the file's keys now.
        String builtIn = issuer.token("idp.example.net", "svc", List.of("sts.amazonaws.com"), Duration.ofHours(1), Map.of());
        assertEquals("InvalidIdentityToken", refused(() -> tokens.verify(builtIn, ACCOUNT, NOW)).code());

        provider("remote.example.net", List.of("sts.amazonaws.com"), Map.of(WebIdentityTokens.JWKS_TAG,
                "https://keys.example.net/jwks"));
        String remote = issuer.token("remote.example.net", "svc", List.of("sts.amazonaws.com"), Duration.ofHours(1), Map.of());
        AwsException notFetched = refused(() -> tokens.verify(remote, ACCOUNT, NOW));
        assertEquals("InvalidIdentityToken", notFetched.code());
        assertEquals("Couldn't retrieve verification key from your identity provider,  please reference"
                + " AssumeRoleWithWebIdentity documentation for requirements", notFetched.getMessage());
    }

    @Test
    void awsSessionClaimsAreReadAndAMalformedOneRefusesTheToken() {
        provider("token.actions.githubusercontent.com", List.of("sts.amazonaws.com"), Map.of());
        WebIdentityTokens.Verified verified = tokens.verify(github("s1", Duration.ofHours(1), Map.of(
                "https://aws.amazon.com/tags", Map.of("principal_tags", Map.of("team", List.of("deploy")),
                        "transitive_tag_keys", List.of("team")),
                "https://aws.amazon.com/source_identity", "alice")), ACCOUNT, NOW);
        assertEquals(Map.of("team", "deploy"), verified.session().tags());
        assertEquals(List.of("team"), verified.session().transitiveTagKeys());
        assertEquals("alice", verified.session().sourceIdentity());
        String twoValues = github("s1", Duration.ofHours(1), Map.of("https://aws.amazon.com/tags",
                Map.of("principal_tags", Map.of("team", List.of("a", "b")))));
        assertEquals("InvalidIdentityToken", refused(() -> tokens.verify(twoValues, ACCOUNT, NOW)).code());
        String notAnObject = github("s1", Duration.ofHours(1), Map.of("https://aws.amazon.com/tags", "team=deploy"));
        assertEquals("InvalidIdentityToken", refused(() -> tokens.verify(notAnObject, ACCOUNT, NOW)).code());
    }

    @Test
    void theIssuerRefusesWhatItCannotSign() {
        assertThrows(IllegalArgumentException.class, () -> issuer.token("https://x.example", "s", List.of("a"),
                Duration.ofHours(1), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> issuer.token("x.example", "", List.of("a"),
                Duration.ofHours(1), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> issuer.token("x.example", "s", List.of(),
                Duration.ofHours(1), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> issuer.token("x.example", "s", List.of("a"),
                Duration.ofDays(2), Map.of()));
    }
}
