package dev.crossrole.server.iam;

import java.time.Instant;

/**
 * An SSH public key of an IAM user, for CodeCommit. Kept as uploaded, with its RSA key in SSH wire form so it can be
 * given back in either encoding.
 *
 * @param id the key id ({@code APKA…})
 * @param userId the owner's unique id, which survives a rename
 * @param body the key as uploaded
 * @param wire the key in SSH wire form ({@code ssh-rsa}, exponent, modulus)
 * @param fingerprint the MD5 digest of the wire form, colon-separated lower-case hex
 */
public record SshPublicKey(String account, String userId, String id, String body, byte[] wire, String fingerprint,
                           boolean active, Instant uploaded) {
    public SshPublicKey {
        wire = wire.clone();
    }

    @Override
    public byte[] wire() {
        return wire.clone();
    }

    SshPublicKey withActive(boolean isActive) {
        return new SshPublicKey(account, userId, id, body, wire, fingerprint, isActive, uploaded);
    }
}
