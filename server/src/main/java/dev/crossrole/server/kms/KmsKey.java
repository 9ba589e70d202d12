package dev.crossrole.server.kms;

import dev.crossrole.policy.Policy;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A KMS key: its metadata, its key policy, and its key material, which never leaves crossrole (of an asymmetric key,
 * only the public key does). Immutable: a change makes a new one, put back into the directory.
 *
 * @param id the key id (a UUID), unique across accounts and regions
 * @param state {@code Enabled}, {@code Disabled} or {@code PendingDeletion}
 * @param deletionDate when a key pending deletion is deleted, else {@code null}
 * @param policyText the key policy as stored and returned by GetKeyPolicy
 * @param policy the key policy, compiled
 * @param material the secret part: the 256-bit AES key, the HMAC key, or the PKCS #8 private key
 * @param awsManaged an AWS managed key ({@code aws/<service>}), which a service made and its users may not change
 * @param spec the key spec
 * @param usage {@code ENCRYPT_DECRYPT}, {@code SIGN_VERIFY} or {@code GENERATE_VERIFY_MAC}
 * @param publicKey an asymmetric key's public key (X.509 SubjectPublicKeyInfo, DER), else {@code null}
 */
record KmsKey(String id, String account, String region, String description, Instant created, String state,
              Instant deletionDate, int pendingWindowDays, String policyText, Policy policy, byte[] material,
              Map<String, String> tags, boolean awsManaged, KeySpec spec, String usage, byte[] publicKey) {
    static final String ENABLED = "Enabled";
    static final String DISABLED = "Disabled";
    static final String PENDING_DELETION = "PendingDeletion";

    KmsKey {
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    /** A symmetric encryption key ({@code SYMMETRIC_DEFAULT}, {@code ENCRYPT_DECRYPT}). */
    KmsKey(String id, String account, String region, String description, Instant created, String state,
           Instant deletionDate, int pendingWindowDays, String policyText, Policy policy, byte[] material,
           Map<String, String> tags, boolean awsManaged) {
        this(id, account, region, description, created, state, deletionDate, pendingWindowDays, policyText, policy,
                material, tags, awsManaged, KeySpec.SYMMETRIC_DEFAULT, KeySpec.ENCRYPT_DECRYPT, null);
    }

    String arn() {
        return "arn:aws:kms:" + region + ":" + account + ":key/" + id;
    }

    /** Whether a key pending deletion has reached its deletion date: it is gone. */
    boolean deletedBy(Instant now) {
        return PENDING_DELETION.equals(state) && deletionDate != null && !now.isBefore(deletionDate);
    }

    /** A symmetric encryption key, the only kind that makes crossrole's ciphertext blobs and data keys. */
    boolean symmetricEncryption() {
        return spec == KeySpec.SYMMETRIC_DEFAULT;
    }

    KmsKey withState(String newState, Instant newDeletionDate, int window) {
        return new KmsKey(id, account, region, description, created, newState, newDeletionDate, window, policyText,
                policy, material, tags, awsManaged, spec, usage, publicKey);
    }

    KmsKey withPolicy(String text, Policy compiled) {
        return new KmsKey(id, account, region, description, created, state, deletionDate, pendingWindowDays, text,
                compiled, material, tags, awsManaged, spec, usage, publicKey);
    }

    KmsKey withDescription(String text) {
        return new KmsKey(id, account, region, text, created, state, deletionDate, pendingWindowDays, policyText,
                policy, material, tags, awsManaged, spec, usage, publicKey);
    }

    KmsKey withTags(Map<String, String> newTags) {
        return new KmsKey(id, account, region, description, created, state, deletionDate, pendingWindowDays,
                policyText, policy, material, newTags, awsManaged, spec, usage, publicKey);
    }
}
