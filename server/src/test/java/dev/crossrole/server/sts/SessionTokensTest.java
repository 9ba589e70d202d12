package dev.crossrole.server.sts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.service.SessionClaims;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Deflater;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Session tokens with cipher, buffers, deflaters and inflaters kept between calls: the token format is the one
 * sealed before (a token issued by an earlier crossrole still opens), small claims are stored and large ones
 * deflated under an authenticated version byte, many threads sealing and opening at once
 * each get their own claims back, and a sealed payload that inflates beyond any claims is refused.
 */
class SessionTokensTest {
    private final SecureRandom random = new SecureRandom();
    private final byte[] key = new byte[32];

    SessionTokensTest() {
        random.nextBytes(key);
    }

    private static SessionClaims claims(int i) {
        return new SessionClaims(SessionClaims.ROLE, "ASIAEXAMPLE" + i, "secret" + i, "111122223333", "role-" + i, "/",
                "AROAEXAMPLE", "session-" + i, null, null, i % 2 == 0 ? null : "{\"Version\":\"2012-10-17\"}",
                List.of(), Map.of("team", "blue-" + i), List.of("team"), null, i % 3 == 0, false, i, i + 3600, 0);
    }

    /** The layout written down in SessionTokens, built with fresh objects as every call made them before. */
    private byte[] sealedByHand(byte[] plain) throws Exception {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        deflater.setInput(plain);
        deflater.finish();
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        byte[] chunk = new byte[512];
        while (!deflater.finished()) {
            packed.write(chunk, 0, deflater.deflate(chunk));
        }
        deflater.end();
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(new byte[] {1});
        byte[] sealed = cipher.doFinal(packed.toByteArray());
        byte[] out = new byte[1 + 12 + sealed.length];
        out[0] = 1;
        System.arraycopy(nonce, 0, out, 1, 12);
        System.arraycopy(sealed, 0, out, 13, sealed.length);
        return out;
    }

    @Test
    void aTokenInTheFormatSealedBeforeStillOpens() throws Exception {
        SessionClaims claims = claims(7);
        byte[] json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(claims);
        String token = Base64.getEncoder().encodeToString(sealedByHand(json));
        assertEquals(claims, new SessionTokens(key, random).open(token));
    }

    @Test
    void manyThreadsSealingAndOpeningGetTheirOwnClaims() throws Exception {
        SessionTokens tokens = new SessionTokens(key, random);
        ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 24; t++) {
                int thread = t;
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        SessionClaims mine = claims(thread * 1000 + i);
                        assertEquals(mine, tokens.open(tokens.seal(mine)));
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPayloadThatInflatesBeyondAnyClaimsIsRefused() throws Exception {
        byte[] huge = new byte[3 << 19]; // 1.5 MiB: deflates to about 7 KB, a token short enough to be opened
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        String token = Base64.getEncoder().encodeToString(sealedByHand(huge));
        SessionTokens tokens = new SessionTokens(key, random);
        assertNull(tokens.open(token));
        SessionClaims after = claims(1);
        assertEquals(after, tokens.open(tokens.seal(after)), "a refused token leaves nothing behind for the next");
        assertNull(tokens.open(Base64.getEncoder().encodeToString(sealedByHand(
                "{\"kind\":\"role\"".getBytes(StandardCharsets.UTF_8)))), "truncated JSON");
    }

    private static SessionClaims withPolicy(String policy) {
        return new SessionClaims(SessionClaims.ROLE, "ASIAEXAMPLE", "secret", "111122223333", "role", "/", "AROAEXAMPLE",
                "session", null, null, policy, List.of(), Map.of(), List.of(), null, false, false, 1, 3601, 0);
    }

    private static int sealedBytes(String token) {
        return Base64.getDecoder().decode(token).length - 1 - 12 - 16;
    }

    @Test
    void smallClaimsAreStoredLargeOnesDeflated() throws Exception {
        SessionTokens tokens = new SessionTokens(key, random);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        SessionClaims small = withPolicy(null);
        String smallToken = tokens.seal(small);
        assertEquals(2, Base64.getDecoder().decode(smallToken)[0], "version 2: stored");
        assertEquals(json.writeValueAsBytes(small).length, sealedBytes(smallToken));
        assertEquals(small, tokens.open(smallToken));

        String statement = "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bucket/*\"},";
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[" + statement.repeat(20)
                + "{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
        SessionClaims large = withPolicy(policy);
        assertTrue(json.writeValueAsBytes(large).length > SessionTokens.STORED_CLAIMS);
        String largeToken = tokens.seal(large);
        assertEquals(1, Base64.getDecoder().decode(largeToken)[0], "version 1: deflated");
        assertTrue(sealedBytes(largeToken) < json.writeValueAsBytes(large).length / 3, "repeated statements deflate");
        assertEquals(large, tokens.open(largeToken));
    }

    @Test
    void theVersionIsAuthenticated() {
        SessionTokens tokens = new SessionTokens(key, random);
        byte[] stored = Base64.getDecoder().decode(tokens.seal(withPolicy(null)));
        stored[0] = 1; // claimed deflated: the tag no longer matches
        assertNull(tokens.open(Base64.getEncoder().encodeToString(stored)));
        stored[0] = 3;
        assertNull(tokens.open(Base64.getEncoder().encodeToString(stored)), "an unknown version");
    }
}
