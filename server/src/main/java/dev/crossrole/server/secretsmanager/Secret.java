package dev.crossrole.server.secretsmanager;

import dev.crossrole.policy.Policy;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A secret: its name, metadata, resource policy and versions. Each version's value is kept encrypted under the KMS key
 * the secret names (or the account's {@code aws/secretsmanager} key), with Secrets Manager's encryption context, so that
 * reading it needs the KMS key as on AWS. Immutable: a change makes a new one.
 *
 * @param kmsKeyId the key as the caller named it, or {@code null} for the AWS managed key
 * @param deletedDate when deletion was asked, or {@code null}; the secret is gone at {@code deletionDate}
 * @param versions by version id, in the order made
 */
record Secret(String account, String region, String name, String arn, String description, String kmsKeyId,
              Instant created, Instant lastChanged, Instant lastAccessed, Instant deletedDate, Instant deletionDate,
              Map<String, String> tags, String policyText, Policy policy, Map<String, Version> versions) {

    /**
     * One version of the value.
     *
     * @param stages its staging labels ({@code AWSCURRENT}, {@code AWSPREVIOUS}, …); none once deprecated
     * @param keyArn the KMS key its value was encrypted under
     * @param binary whether the value is {@code SecretBinary} rather than {@code SecretString}
     */
    record Version(String id, Instant created, List<String> stages, String keyArn, byte[] ciphertext, boolean binary) {
        Version {
            stages = List.copyOf(stages);
        }

        Version withStages(List<String> newStages) {
            return new Version(id, created, newStages, keyArn, ciphertext, binary);
        }
    }

    static final String CURRENT = "AWSCURRENT";
    static final String PREVIOUS = "AWSPREVIOUS";

    Secret {
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        versions = Collections.unmodifiableMap(new LinkedHashMap<>(versions));
    }

    boolean goneBy(Instant now) {
        return deletionDate != null && !now.isBefore(deletionDate);
    }

    /** The version holding a staging label, or {@code null}. */
    Version staged(String stage) {
        for (Version version : versions.values()) {
            if (version.stages().contains(stage)) {
                return version;
            }
        }
        return null;
    }

    Secret with(String newDescription, String newKmsKeyId, Instant changed, Map<String, String> newTags) {
        return new Secret(account, region, name, arn, newDescription, newKmsKeyId, created, changed, lastAccessed,
                deletedDate, deletionDate, newTags, policyText, policy, versions);
    }

    Secret withVersions(Map<String, Version> newVersions, Instant changed) {
        return new Secret(account, region, name, arn, description, kmsKeyId, created, changed, lastAccessed,
                deletedDate, deletionDate, tags, policyText, policy, newVersions);
    }

    Secret withPolicy(String text, Policy compiled, Instant changed) {
        return new Secret(account, region, name, arn, description, kmsKeyId, created, changed, lastAccessed,
                deletedDate, deletionDate, tags, text, compiled, versions);
    }

    Secret withDeletion(Instant deleted, Instant deletion) {
        return new Secret(account, region, name, arn, description, kmsKeyId, created, lastChanged, lastAccessed,
                deleted, deletion, tags, policyText, policy, versions);
    }
}
