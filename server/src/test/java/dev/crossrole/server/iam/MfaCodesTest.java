package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** STS's use of a device's codes: current ones of the user's own device, each once. */
class MfaCodesTest {
    private static final String ACCOUNT = "111122223333";
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:10Z");

    private final IamDirectory iam = new IamDirectory(Clock.systemUTC(), new IdGenerator(new SecureRandom()));
    private final MfaCodes codes = new MfaCodes(iam);

    private VirtualMfaDevice device(String userId) {
        byte[] seed = new byte[20];
        new SecureRandom().nextBytes(seed);
        VirtualMfaDevice device = new VirtualMfaDevice(ACCOUNT, "/", "phone", Totp.base32(seed), Map.of(), NOW, userId,
                userId == null ? null : NOW, -1);
        iam.putMfaDevice(device);
        return device;
    }

    private static String code(VirtualMfaDevice device, long step) {
        return Totp.code(device.key(), step);
    }

    @Test
    void aCurrentCodeIsAcceptedOnceAndOlderOnesNoLonger() {
        VirtualMfaDevice d = device("AIDAUSER");
        long step = Totp.step(NOW);
        assertEquals(MfaCodes.Outcome.ACCEPTED, codes.consume(ACCOUNT, "AIDAUSER", d.serialNumber(), code(d, step), NOW));
        assertEquals(step, iam.mfaDevice(d.serialNumber()).orElseThrow().lastStep());
        assertEquals(MfaCodes.Outcome.INVALID_CODE, codes.consume(ACCOUNT, "AIDAUSER", d.serialNumber(), code(d, step),
                NOW), "used up");
        assertEquals(MfaCodes.Outcome.INVALID_CODE, codes.consume(ACCOUNT, "AIDAUSER", d.serialNumber(),
                code(d, step - 1), NOW), "older than one already used");
        assertEquals(MfaCodes.Outcome.ACCEPTED, codes.consume(ACCOUNT, "AIDAUSER", d.serialNumber(), code(d, step + 1),
                NOW), "one step ahead (a fast clock)");
    }

    @Test
    void codesOutsideTheWindowAreRefused() {
        VirtualMfaDevice d = device("AIDAUSER");
        long step = Totp.step(NOW);
        for (long far : List.of(step - 2, step + 2, step - 100)) {
            String code = code(d, far);
            boolean alsoCurrent = List.of(step - 1, step, step + 1).stream().anyMatch(s -> code(d, s).equals(code));
            if (!alsoCurrent) {
                assertEquals(MfaCodes.Outcome.INVALID_CODE, codes.consume(ACCOUNT, "AIDAUSER", d.serialNumber(), code,
                        NOW), "step " + far);
            }
        }
        assertEquals(MfaCodes.Outcome.ACCEPTED, codes.consume(ACCOUNT, "AIDAUSER", d.serialNumber(), code(d, step - 1),
                NOW), "one step behind (a slow clock)");
    }

    @Test
    void onlyTheUsersOwnEnabledDeviceCounts() {
        VirtualMfaDevice mine = device("AIDAUSER");
        String code = code(mine, Totp.step(NOW));
        assertEquals(MfaCodes.Outcome.NOT_ASSOCIATED, codes.consume(ACCOUNT, "AIDAOTHER", mine.serialNumber(), code, NOW));
        assertEquals(MfaCodes.Outcome.NOT_ASSOCIATED, codes.consume("555566667777", "AIDAUSER", mine.serialNumber(), code,
                NOW), "another account");
        assertEquals(MfaCodes.Outcome.NOT_ASSOCIATED, codes.consume(ACCOUNT, null, mine.serialNumber(), code, NOW));
        assertEquals(MfaCodes.Outcome.NOT_ASSOCIATED, codes.consume(ACCOUNT, "AIDAUSER",
                "arn:aws:iam::111122223333:mfa/none", code, NOW));
        assertEquals(-1, iam.mfaDevice(mine.serialNumber()).orElseThrow().lastStep(), "nothing used");
    }
}
