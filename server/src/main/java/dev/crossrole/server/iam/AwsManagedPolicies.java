package dev.crossrole.server.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.Policies;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every AWS managed policy, {@code arn:aws:iam::aws:policy/<path><name>}, read from the class path when first asked
 * for (never at start). {@code aws-managed-policies/index.json} holds the ten crossrole has long carried, each with
 * its real policy id, description, dates and recorded source: asking for one of them reads only that small file.
 * {@code aws-managed-policies/aws-managed-policies.json} holds all 1,485 as AWS publishes them (path, default version,
 * dates, the default version's document; from moto 5.2.1, Apache License 2.0): it is read the first time another one,
 * or the list of all, is asked for, and the ten recorded ones take precedence in it. Documents are kept as text and
 * compiled on first use.
 */
final class AwsManagedPolicies {
    static final String ARN_PREFIX = "arn:aws:iam::aws:policy";
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private static volatile Map<String, ManagedPolicy> recorded;
    private static volatile Catalog catalog;

    private AwsManagedPolicies() {}

    /** The policies by ARN, and by name (case-insensitively, as ListPolicies sorts them). */
    private record Catalog(Map<String, ManagedPolicy> byArn, List<ManagedPolicy> byName) {}

    static boolean isAwsManagedArn(String arn) {
        return arn != null && arn.startsWith(ARN_PREFIX + "/");
    }

    /** The AWS managed policy of that ARN, if AWS publishes one. */
    static Optional<ManagedPolicy> byArn(String arn) {
        ManagedPolicy known = recorded().get(arn);
        return known != null ? Optional.of(known) : Optional.ofNullable(catalog().byArn().get(arn));
    }

    /** Every AWS managed policy, by name. */
    static List<ManagedPolicy> all() {
        return catalog().byName();
    }

    private static Map<String, ManagedPolicy> recorded() {
        Map<String, ManagedPolicy> loaded = recorded;
        if (loaded == null) {
            synchronized (AwsManagedPolicies.class) {
                loaded = recorded;
                if (loaded == null) {
                    loaded = loadRecorded();
                    recorded = loaded;
                }
            }
        }
        return loaded;
    }

    private static Catalog catalog() {
        Catalog loaded = catalog;
        if (loaded == null) {
            Map<String, ManagedPolicy> known = recorded();
            synchronized (AwsManagedPolicies.class) {
                loaded = catalog;
                if (loaded == null) {
                    loaded = loadCatalog(known);
                    catalog = loaded;
                }
            }
        }
        return loaded;
    }

    private static Map<String, ManagedPolicy> loadRecorded() {
        ObjectMapper json = new ObjectMapper();
        Map<String, ManagedPolicy> byArn = new HashMap<>();
        try {
            for (JsonNode entry : json.readTree(resource("index.json")).get("policies")) {
                String arn = entry.get("arn").asText();
                String document;
                try (InputStream in = resource(entry.get("file").asText())) {
                    document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                byArn.put(arn, policy(arn, entry.get("policyId").asText(), entry.path("description").asText(null),
                        entry.path("defaultVersionId").asText("v1"), document,
                        OffsetDateTime.parse(entry.get("createDate").asText()).toInstant(),
                        OffsetDateTime.parse(entry.get("updateDate").asText()).toInstant()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(byArn);
    }

    private static Catalog loadCatalog(Map<String, ManagedPolicy> known) {
        Map<String, ManagedPolicy> byArn = new HashMap<>();
        try {
            JsonNode published = new ObjectMapper().readTree(resource("aws-managed-policies.json"));
            for (Iterator<Map.Entry<String, JsonNode>> it = published.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                String name = entry.getKey();
                JsonNode p = entry.getValue();
                String arn = ARN_PREFIX + p.get("Path").asText() + name;
                if (!known.containsKey(arn)) {
                    byArn.put(arn, policy(arn, syntheticId(arn), null, p.get("DefaultVersionId").asText(),
                            p.get("Document").toString(), OffsetDateTime.parse(p.get("CreateDate").asText()).toInstant(),
                            OffsetDateTime.parse(p.get("UpdateDate").asText()).toInstant()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byArn.putAll(known);
        List<ManagedPolicy> byName = new ArrayList<>(byArn.values());
        byName.sort(Comparator.comparing((ManagedPolicy p) -> p.name().toLowerCase(Locale.ROOT)).thenComparing(ManagedPolicy::arn));
        return new Catalog(Map.copyOf(byArn), Collections.unmodifiableList(byName));
    }

    private static ManagedPolicy policy(String arn, String policyId, String description, String version, String document,
                                        Instant created, Instant updated) {
        String name = arn.substring(arn.lastIndexOf('/') + 1);
        String path = arn.substring(ARN_PREFIX.length(), arn.lastIndexOf('/') + 1);
        ManagedPolicy.PolicyVersion v = new ManagedPolicy.PolicyVersion(version,
                // Compiled on first use (AwsManagedPoliciesTest compiles every one).
                Policies.parseAwsManagedLazily(document, arn), updated);
        return new ManagedPolicy(arn, name, path, policyId, description, created, updated, version, List.of(v),
                Integer.parseInt(version.substring(1)) + 1, Map.of());
    }

    /**
     * A policy id for a policy whose real one is not recorded: {@code ANPA} and 17 characters of IAM's alphabet, the
     * same for the same ARN on every start and every node.
     */
    static String syntheticId(String arn) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(arn.getBytes(StandardCharsets.UTF_8));
            StringBuilder id = new StringBuilder("ANPA");
            for (int i = 0; id.length() < 21; i++) {
                id.append(BASE32.charAt((hash[i] & 0xff) % 32));
            }
            return id.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InputStream resource(String file) {
        InputStream in = AwsManagedPolicies.class.getResourceAsStream("/aws-managed-policies/" + file);
        if (in == null) {
            throw new IllegalStateException("aws-managed-policies/" + file + " is missing from the class path");
        }
        return in;
    }
}
