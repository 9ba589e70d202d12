package dev.crossrole.server.iam;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A virtual MFA device of an account: the TOTP seed an authenticator app holds, and the user it is enabled for.
 * Immutable, replaced on change; kept under its serial number (its ARN).
 *
 * @param seed the secret key, base32 ({@code Base32StringSeed})
 * @param userId the unique id of the user the device is enabled for, or {@code null} while unassigned (a renamed
 *     user keeps its devices)
 * @param enabled when it was enabled for that user, or {@code null}
 * @param lastStep the last TOTP time step whose code was accepted ({@code -1}: none yet); no code of that step or an
 *     earlier one is accepted again
 */
public record VirtualMfaDevice(String account, String path, String name, String seed, Map<String, String> tags,
                               Instant created, String userId, Instant enabled, long lastStep) {
    public VirtualMfaDevice {
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    public static String serialNumber(String account, String path, String name) {
        return "arn:aws:iam::" + account + ":mfa" + path + name;
    }

    public String serialNumber() {
        return serialNumber(account, path, name);
    }

    public boolean assigned() {
        return userId != null;
    }

    public byte[] key() {
        return Totp.fromBase32(seed);
    }

    VirtualMfaDevice withTags(Map<String, String> newTags) {
        return new VirtualMfaDevice(account, path, name, seed, newTags, created, userId, enabled, lastStep);
    }

    VirtualMfaDevice assignedTo(String user, Instant when, long step) {
        return new VirtualMfaDevice(account, path, name, seed, tags, created, user, when, step);
    }

    VirtualMfaDevice unassigned() {
        return new VirtualMfaDevice(account, path, name, seed, tags, created, null, null, lastStep);
    }

    VirtualMfaDevice withLastStep(long step) {
        return new VirtualMfaDevice(account, path, name, seed, tags, created, userId, enabled, step);
    }
}
