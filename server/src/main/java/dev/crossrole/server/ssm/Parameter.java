package dev.crossrole.server.ssm;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parameter of Parameter Store and its versions (the newest last). A {@code SecureString} version keeps its value
 * encrypted under its KMS key, with SSM's encryption context ({@code PARAMETER_ARN}). Immutable.
 */
record Parameter(String account, String region, String name, String arn, Map<String, String> tags,
                 List<Version> versions) {

    /**
     * One version.
     *
     * @param value the value, or for a {@code SecureString} its ciphertext in base64
     * @param keyArn the KMS key of a {@code SecureString}, else {@code null}
     */
    record Version(long number, String type, String value, String keyArn, String description, String allowedPattern,
                   String tier, String dataType, Instant modified, String modifiedBy, List<String> labels) {
        Version {
            labels = List.copyOf(labels);
        }

        Version withLabels(List<String> newLabels) {
            return new Version(number, type, value, keyArn, description, allowedPattern, tier, dataType, modified,
                    modifiedBy, newLabels);
        }
    }

    Parameter {
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        versions = List.copyOf(versions);
    }

    Version latest() {
        return versions.get(versions.size() - 1);
    }

    Version version(long number) {
        for (Version version : versions) {
            if (version.number() == number) {
                return version;
            }
        }
        return null;
    }

    Version labelled(String label) {
        for (Version version : versions) {
            if (version.labels().contains(label)) {
                return version;
            }
        }
        return null;
    }

    Parameter withVersions(List<Version> newVersions) {
        return new Parameter(account, region, name, arn, tags, newVersions);
    }

    Parameter withTags(Map<String, String> newTags) {
        return new Parameter(account, region, name, arn, newTags, versions);
    }
}
