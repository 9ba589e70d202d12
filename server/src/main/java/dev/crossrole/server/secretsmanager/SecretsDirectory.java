package dev.crossrole.server.secretsmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.store.RecordCache;
import dev.crossrole.server.store.RecordCacheReplica;
import dev.crossrole.server.store.StoreException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The secrets of every account, kept as a cache of their records in the store ({@code secretsmanager.secrets}, by ARN). */
public final class SecretsDirectory extends RecordCacheReplica {
    static final String SECRETS = "secretsmanager.secrets";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final RecordCache<Secret> byArn = new RecordCache<>(SECRETS, SecretsDirectory::bytes,
            bytes -> fromJson(parse(bytes)));

    @Override
    protected List<RecordCache<?>> caches() {
        return List.of(byArn);
    }

    public SecretsDirectory(Clock clock) {
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    Optional<Secret> byArn(String arn) {
        return byArn.get(arn).filter(secret -> !secret.goneBy(clock.instant()));
    }

    /** The secret of that name in the account and region (also while it is scheduled for deletion). */
    Optional<Secret> byName(String account, String region, String name) {
        Instant now = clock.instant();
        return byArn.values().stream().filter(s -> s.account().equals(account) && s.region().equals(region)
                && s.name().equals(name) && !s.goneBy(now)).findFirst();
    }

    List<Secret> secrets(String account, String region) {
        Instant now = clock.instant();
        return byArn.values().stream().filter(s -> s.account().equals(account) && s.region().equals(region)
                && !s.goneBy(now)).sorted(Comparator.comparing(Secret::created).thenComparing(Secret::arn)).toList();
    }

    void put(Secret secret) {
        byArn.put(secret.arn(), secret);
    }

    /** Forgets the secrets past their deletion date. */
    void sweep() {
        Instant now = clock.instant();
        for (Secret secret : List.copyOf(byArn.values())) {
            if (secret.goneBy(now)) {
                byArn.remove(secret.arn());
            }
        }
    }

    private static byte[] bytes(Secret secret) {
        try {
            return JSON.writeValueAsBytes(toJson(secret));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Instant instant(JsonNode n, String field) {
        return n.hasNonNull(field) ? Instant.parse(n.get(field).asText()) : null;
    }

    private static ObjectNode toJson(Secret s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("account", s.account()).put("region", s.region()).put("name", s.name()).put("arn", s.arn())
                .put("description", s.description()).put("kmsKeyId", s.kmsKeyId()).put("created", text(s.created()))
                .put("lastChanged", text(s.lastChanged())).put("lastAccessed", text(s.lastAccessed()))
                .put("deletedDate", text(s.deletedDate())).put("deletionDate", text(s.deletionDate()))
                .put("policy", s.policyText());
        ObjectNode tags = n.putObject("tags");
        s.tags().forEach(tags::put);
        ArrayNode versions = n.putArray("versions");
        for (Secret.Version v : s.versions().values()) {
            ObjectNode version = versions.addObject().put("id", v.id()).put("created", text(v.created()))
                    .put("keyArn", v.keyArn()).put("binary", v.binary())
                    .put("ciphertext", Base64.getEncoder().encodeToString(v.ciphertext()));
            ArrayNode stages = version.putArray("stages");
            v.stages().forEach(stages::add);
        }
        return n;
    }

    private static Secret fromJson(JsonNode n) {
        Map<String, String> tags = new LinkedHashMap<>();
        n.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        Map<String, Secret.Version> versions = new LinkedHashMap<>();
        for (JsonNode v : n.path("versions")) {
            List<String> stages = new ArrayList<>();
            v.path("stages").forEach(stage -> stages.add(stage.asText()));
            versions.put(v.get("id").asText(), new Secret.Version(v.get("id").asText(), instant(v, "created"), stages,
                    v.get("keyArn").asText(), Base64.getDecoder().decode(v.get("ciphertext").asText()),
                    v.path("binary").asBoolean(false)));
        }
        String policyText = n.hasNonNull("policy") ? n.get("policy").asText() : null;
        Policy policy = null;
        if (policyText != null) {
            try {
                policy = Policies.parseStored(policyText, PolicyKind.RESOURCE, "resource policy of " + n.get("arn").asText());
            } catch (InvalidPolicyException e) {
                throw new StoreException("the resource policy of " + n.get("arn").asText() + " cannot be read: "
                        + e.getMessage(), e);
            }
        }
        return new Secret(n.get("account").asText(), n.get("region").asText(), n.get("name").asText(),
                n.get("arn").asText(), n.hasNonNull("description") ? n.get("description").asText() : null,
                n.hasNonNull("kmsKeyId") ? n.get("kmsKeyId").asText() : null, instant(n, "created"),
                instant(n, "lastChanged"), instant(n, "lastAccessed"), instant(n, "deletedDate"),
                instant(n, "deletionDate"), tags, policyText, policy, versions);
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new StoreException("a record of " + SECRETS + " is not JSON: " + e.getMessage(), e);
        }
    }
}
