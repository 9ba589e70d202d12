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

    /**
     * The policy as Block Public Access's {@code RestrictPublicBuckets} leaves a public bucket policy in force: "only
     * AWS service principals and authorized users within the bucket owner's account", public and cross-account
     * access — "including non-public delegation to specific accounts" — blocked (Amazon S3 User Guide, "Blocking
     * public access to your Amazon S3 storage"). Each Allow is kept for principals of {@code owner} (a condition on
     * {@code aws:PrincipalAccount}) and, where it names services or everyone, for AWS services
     * ({@code aws:PrincipalIsAWSService}); Deny statements stay as they are. {@code null} when the policy is not
     * public, which the setting leaves alone.
     */
    static String restricted(String policyText, String owner) {
        if (!isPublic(policyText)) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.node.ObjectNode policy =
                    (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(policyText);
            com.fasterxml.jackson.databind.node.ArrayNode statements = JSON.createArrayNode();
            for (JsonNode statement : each(policy.path("Statement"))) {
                if (!"Allow".equals(statement.path("Effect").asText()) || servicesOnly(statement)) {
                    statements.add(statement);
                    continue;
                }
                limitedTo(statement, "StringEquals", "aws:PrincipalAccount", owner, null)
                        .ifPresent(statements::add);
                if (namesServices(statement)) {
                    limitedTo(statement, "Bool", "aws:PrincipalIsAWSService", "true", "AwsServices")
                            .ifPresent(statements::add);
                }
            }
            policy.set("Statement", statements);
            return JSON.writeValueAsString(policy);
        } catch (IOException | ClassCastException e) {
            return null;
        }
    }

    /**
     * The policy with its Deny statements alone ({@code null} when it has none, or is not a policy document): what a
     * bucket owner's policy still decides about an object another account owns.
     */
    static String denyStatements(String policyText) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode policy =
                    (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(policyText);
            com.fasterxml.jackson.databind.node.ArrayNode denies = JSON.createArrayNode();
            for (JsonNode statement : each(policy.path("Statement"))) {
                if ("Deny".equals(statement.path("Effect").asText())) {
                    denies.add(statement);
                }
            }
            if (denies.isEmpty()) {
                return null;
            }
            policy.set("Statement", denies);
            return JSON.writeValueAsString(policy);
        } catch (IOException | ClassCastException e) {
            return null;
        }
    }

    /**
     * A copy of an Allow statement that also requires {@code key} to be {@code value}; empty when the statement
     * already requires {@code key} to be something else, so the copy could never apply.
     */
    private static java.util.Optional<JsonNode> limitedTo(JsonNode statement, String operator, String key,
                                                          String value, String sidSuffix) {
        com.fasterxml.jackson.databind.node.ObjectNode copy =
                (com.fasterxml.jackson.databind.node.ObjectNode) statement.deepCopy();
        if (sidSuffix != null && copy.hasNonNull("Sid")) {
            copy.put("Sid", copy.get("Sid").asText() + sidSuffix);
        }
        com.fasterxml.jackson.databind.node.ObjectNode condition = copy.path("Condition").isObject()
                ? (com.fasterxml.jackson.databind.node.ObjectNode) copy.get("Condition") : copy.putObject("Condition");
        com.fasterxml.jackson.databind.node.ObjectNode block = condition.path(operator).isObject()
                ? (com.fasterxml.jackson.databind.node.ObjectNode) condition.get(operator)
                : condition.putObject(operator);
        var names = block.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (name.equalsIgnoreCase(key)) {
                boolean includes = each(block.get(name)).stream().anyMatch(v -> v.asText().equalsIgnoreCase(value));
                if (!includes) {
                    return java.util.Optional.empty();
                }
                block.remove(name);
                break;
            }
        }
        block.put(key, value);
        return java.util.Optional.of(copy);
    }

    /** A statement whose principals are AWS services alone: RestrictPublicBuckets leaves it as it is. */
    private static boolean servicesOnly(JsonNode statement) {
        JsonNode principal = statement.path("Principal");
        if (statement.has("NotPrincipal") || !principal.isObject()) {
            return false;
        }
        var names = principal.fieldNames();
        while (names.hasNext()) {
            if (!names.next().equals("Service")) {
                return false;
            }
        }
        return principal.size() > 0;
    }

    /** Whether a statement's principals take in AWS services: {@code "*"}, NotPrincipal, or a Service element. */
    private static boolean namesServices(JsonNode statement) {
        JsonNode principal = statement.path("Principal");
        return statement.has("NotPrincipal") || principal.isTextual() || principal.has("Service");
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
