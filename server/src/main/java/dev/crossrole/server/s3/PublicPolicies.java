package dev.crossrole.server.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a bucket policy is public, as S3 defines it for Block Public Access and GetBucketPolicyStatus (the API
 * reference's {@code PublicAccessBlockConfiguration}): public unless every Allow names fixed principals, or limits
 * access by {@code aws:SourceIp} to CIDRs, or by a fixed {@code aws:SourceArn}, {@code aws:SourceVpc},
 * {@code aws:SourceVpce}, {@code aws:SourceOwner}, {@code aws:SourceAccount},
 * {@code s3:x-amz-server-side-encryption-aws-kms-key-id} or {@code aws:userid} outside {@code AROLEID:*}. A fixed value
 * has no wildcard; a negated or {@code IfExists} operator limits nothing. A fixed {@code aws:PrincipalOrgID} counts
 * too: the API reference's list predates it, but S3 does not report organization-limited policies public (as
 * policy-checking tools observe it, e.g. turbot's aws_perimeter controls).
 */
final class PublicPolicies {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIXING_KEYS = Set.of("aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce",
            "aws:sourceowner", "aws:sourceaccount", "s3:x-amz-server-side-encryption-aws-kms-key-id", "aws:userid",
            "aws:principalorgid");

    private PublicPolicies() {}

    /** Whether the policy text (as the owner put it, already valid) is public. */
    static boolean isPublic(String policyText) {
        if (policyText == null) {
            return false;
        }
        JsonNode policy;
        try {
            policy = JSON.readTree(policyText);
        } catch (IOException e) {
            return false;
        }
        for (JsonNode statement : each(policy.path("Statement"))) {
            if ("Allow".equals(statement.path("Effect").asText()) && wildcardPrincipal(statement)
                    && !limited(statement.path("Condition"))) {
                return true;
            }
        }
        return false;
    }

    private static List<JsonNode> each(JsonNode node) {
        List<JsonNode> all = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(all::add);
        } else if (!node.isMissingNode() && !node.isNull()) {
            all.add(node);
        }
        return all;
    }

    /** {@code "*"}, an AWS principal with a wildcard, or NotPrincipal (which allows everyone it does not name). */
    private static boolean wildcardPrincipal(JsonNode statement) {
        if (statement.has("NotPrincipal")) {
            return true;
        }
        JsonNode principal = statement.path("Principal");
        if (principal.isTextual()) {
            return principal.asText().contains("*");
        }
        for (JsonNode value : each(principal.path("AWS"))) {
            if (value.asText().contains("*") || value.asText().contains("?")) {
                return true;
            }
        }
        return false;
    }

    /** Whether a condition block limits the statement to fixed values of one of the keys S3 counts. */
    private static boolean limited(JsonNode condition) {
        var operators = condition.fields();
        while (operators.hasNext()) {
            var operator = operators.next();
            String name = operator.getKey();
            if (name.endsWith("IfExists") || name.contains("Not") || name.startsWith("ForAnyValue")) {
                continue;
            }
            var keys = operator.getValue().fields();
            while (keys.hasNext()) {
                var key = keys.next();
                String lower = key.getKey().toLowerCase(Locale.ROOT);
                List<JsonNode> values = each(key.getValue());
                if (values.isEmpty()) {
                    continue;
                }
                if (lower.equals("aws:sourceip") && name.equals("IpAddress")) {
                    return true;
                }
                if (FIXING_KEYS.contains(lower) && values.stream().allMatch(v -> fixed(lower, v.asText()))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean fixed(String key, String value) {
        if (key.equals("aws:userid") && value.endsWith(":*") && !value.substring(0, value.length() - 2).contains("*")) {
            return false;
        }
        return !value.contains("*") && !value.contains("?");
    }
}
