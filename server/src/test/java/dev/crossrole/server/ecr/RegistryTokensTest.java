package dev.crossrole.server.ecr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** ECR passwords: taken back for who obtained them until they expire, and never when forged, altered or foreign. */
class RegistryTokensTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final RegistryTokens tokens = new RegistryTokens(RegistryTokens.newKey(RANDOM), RANDOM);
    private final RegistryTokens.Grant grant = new RegistryTokens.Grant("111122223333", "us-east-1",
            "arn:aws:iam::111122223333:user/admin", "AKIAEXAMPLE", null,
            NOW.getEpochSecond() + RegistryTokens.VALIDITY_SECONDS);

    @Test
    void aPasswordStandsForItsCallerUntilItExpires() {
        String password = tokens.seal(grant);
        assertEquals(grant, tokens.open(password, NOW).orElseThrow());
        assertEquals(grant, tokens.open(password, NOW.plusSeconds(RegistryTokens.VALIDITY_SECONDS - 1)).orElseThrow());
        assertTrue(tokens.open(password, NOW.plusSeconds(RegistryTokens.VALIDITY_SECONDS)).isEmpty());
        String basic = Base64.getEncoder().encodeToString(("AWS:" + password).getBytes(StandardCharsets.UTF_8));
        assertEquals(grant, tokens.openAuthorization(basic, NOW).orElseThrow());
    }

    @Test
    void forgedAlteredAndForeignPasswordsAreRefused() {
        String password = tokens.seal(grant);
        char last = password.charAt(password.length() - 2);
        String altered = password.substring(0, password.length() - 2) + (last == 'A' ? 'B' : 'A')
                + password.charAt(password.length() - 1);
        assertTrue(tokens.open(altered, NOW).isEmpty());
        assertTrue(new RegistryTokens(RegistryTokens.newKey(RANDOM), RANDOM).open(password, NOW).isEmpty());
        assertTrue(tokens.open("ecr1.", NOW).isEmpty());
        assertTrue(tokens.open("ecr1.!!!", NOW).isEmpty());
        assertTrue(tokens.open("session-token", NOW).isEmpty());
        assertTrue(tokens.openAuthorization(Base64.getEncoder().encodeToString(("bob:" + password)
                .getBytes(StandardCharsets.UTF_8)), NOW).isEmpty());
        assertTrue(tokens.openAuthorization("not base64 at all", NOW).isEmpty());
    }

    @Test
    void anExpiredPasswordIsToldFromAForgedOne() {
        String basic = Base64.getEncoder().encodeToString(("AWS:" + tokens.seal(grant))
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(new RegistryTokens.Opened(grant, false), tokens.readAuthorization(basic, NOW));
        assertEquals(new RegistryTokens.Opened(null, true), tokens.readAuthorization(basic,
                NOW.plusSeconds(RegistryTokens.VALIDITY_SECONDS)));
        assertEquals(new RegistryTokens.Opened(null, false), tokens.readAuthorization("QVdTOmVjcjEuQUFBQQ==", NOW));
    }

    @Test
    void aDownloadTokenIsNeverAPasswordNorTheReverse() {
        RegistryTokens.Download download = new RegistryTokens.Download(
                "arn:aws:ecr:us-east-1:111122223333:repository/app", "sha256:" + "ab".repeat(32),
                "arn:aws:iam::111122223333:user/admin",
                NOW.getEpochSecond() + RegistryTokens.DOWNLOAD_VALIDITY_SECONDS);
        String token = tokens.sealDownload(download);
        assertEquals(download, tokens.openDownload(token, NOW).orElseThrow());
        assertTrue(tokens.openDownload(token, NOW.plusSeconds(RegistryTokens.DOWNLOAD_VALIDITY_SECONDS)).isEmpty());
        assertTrue(tokens.open(token, NOW).isEmpty());
        assertTrue(tokens.open("ecr1." + token.substring(token.indexOf('.') + 1), NOW).isEmpty(),
                "sealed for another purpose: its prefix changed, it still opens as nothing");
        assertTrue(tokens.openDownload(tokens.seal(grant), NOW).isEmpty());
    }
}
