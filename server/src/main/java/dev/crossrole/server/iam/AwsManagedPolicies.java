package dev.crossrole.server.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The AWS-managed policies crossrole knows, read from {@code aws-managed-policies/index.json} on the
 * class path: each entry names the policy ARN, its id, path, version and the file with its document.
 */
final class AwsManagedPolicies {
    private AwsManagedPolicies() {}

    static List<ManagedPolicy> load(Instant now) {
        ObjectMapper json = new ObjectMapper();
        List<ManagedPolicy> out = new ArrayList<>();
        try (InputStream index = AwsManagedPolicies.class.getResourceAsStream("/aws-managed-policies/index.json")) {
            if (index == null) {
                throw new IllegalStateException("aws-managed-policies/index.json is missing from the class path");
            }
            for (JsonNode entry : json.readTree(index).get("policies")) {
                String file = entry.get("file").asText();
                String document;
                try (InputStream in = AwsManagedPolicies.class.getResourceAsStream("/aws-managed-policies/" + file)) {
                    if (in == null) {
                        throw new IllegalStateException("aws-managed-policies/" + file + " is missing");
                    }
                    document = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
                String arn = entry.get("arn").asText();
                String name = arn.substring(arn.lastIndexOf('/') + 1);
                String path = arn.substring(arn.indexOf(":policy") + 7, arn.lastIndexOf('/') + 1);
                String version = entry.path("defaultVersionId").asText("v1");
                ManagedPolicy.PolicyVersion v = new ManagedPolicy.PolicyVersion(version,
                        awsManagedDocument(document, arn), now);
                out.add(new ManagedPolicy(arn, name, path, entry.get("policyId").asText(),
                        entry.path("description").asText(null), now, now, version, List.of(v),
                        Integer.parseInt(version.substring(1)) + 1, java.util.Map.of()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** AWS's documents are held to IAM's grammar but not to the customer quotas, which some of them exceed. */
    private static Policy awsManagedDocument(String document, String arn) {
        try {
            return Policies.parseAwsManaged(document, arn);
        } catch (InvalidPolicyException e) {
            throw new IllegalStateException("aws-managed-policies: " + arn + ": " + e.getMessage(), e);
        }
    }
}
