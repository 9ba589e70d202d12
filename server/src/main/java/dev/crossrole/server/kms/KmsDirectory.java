package dev.crossrole.server.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.store.RecordCache;
import dev.crossrole.server.store.RecordCacheReplica;
import dev.crossrole.server.store.StoreException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The KMS keys, aliases and grants of every account, kept as a cache of their records in the store ({@code kms.keys}
 * by key id, {@code kms.aliases} by account, region and alias name, {@code kms.grants} by grant id). Key material
 * (an asymmetric key's private and public keys too) is stored with the key.
 */
public final class KmsDirectory extends RecordCacheReplica {
    static final String KEYS = "kms.keys";
    static final String ALIASES = "kms.aliases";
    static final String GRANTS = "kms.grants";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An alias: a name in an account and region, pointing at a key of the same account and region. */
    record Alias(String account, String region, String name, String targetKeyId, Instant created, Instant updated) {
        String arn() {
            return "arn:aws:kms:" + region + ":" + account + ":" + name;
        }

        String storeKey() {
            return aliasKey(account, region, name);
        }
    }

    private final Clock clock;
    private final RecordCache<KmsKey> keys = new RecordCache<>(KEYS, key -> bytes(keyJson(key)),
            bytes -> keyFrom(parse(bytes)));
    private final RecordCache<Alias> aliases = new RecordCache<>(ALIASES, alias -> bytes(aliasJson(alias)),
            bytes -> aliasFrom(parse(bytes)));
    private final RecordCache<KmsGrant> grants = new RecordCache<>(GRANTS, grant -> bytes(grantJson(grant)),
            bytes -> grantFrom(parse(bytes)));

    @Override
    protected List<RecordCache<?>> caches() {
        return List.of(keys, aliases, grants);
    }

    public KmsDirectory(Clock clock) {
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    static String aliasKey(String account, String region, String name) {
        return account + "/" + region + "/" + name;
    }

    // ---- reads ---------------------------------------------------------------------------------

    /** A key by id, unless it is gone (past its deletion date). */
    Optional<KmsKey> key(String id) {
        return keys.get(id).filter(key -> !key.deletedBy(clock.instant()));
    }

    Optional<Alias> alias(String account, String region, String name) {
        return aliases.get(aliasKey(account, region, name));
    }

    /** What a {@code KeyId} names: the key, and the alias's ARN when it was named by an alias. */
    record Named(KmsKey key, String alias) {}

    private static final java.util.regex.Pattern KEY_ID = java.util.regex.Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /**
     * The key a reference names for a caller of {@code account} in {@code region}: a key id or alias name (that
     * account and region), or a key or alias ARN (any account's).
     *
     * @throws dev.crossrole.server.protocol.AwsException KMS's {@code NotFoundException} with KMS's message
     */
    Named resolve(String account, String region, String reference) {
        String rest = reference;
        if (reference.startsWith("arn:")) {
            String[] parts = reference.split(":", 6);
            if (parts.length != 6 || !parts[2].equals("kms")) {
                throw KmsErrors.notFound("Invalid arn " + reference);
            }
            region = parts[3];
            account = parts[4];
            rest = parts[5];
        }
        if (rest.startsWith("alias/")) {
            String aliasArn = "arn:aws:kms:" + region + ":" + account + ":" + rest;
            Alias alias = alias(account, region, rest).orElseThrow(() -> KmsErrors.aliasNotFound(aliasArn));
            KmsKey key = key(alias.targetKeyId()).orElseThrow(() -> KmsErrors.aliasNotFound(aliasArn));
            return new Named(key, aliasArn);
        }
        String id = rest.startsWith("key/") ? rest.substring(4) : rest;
        if (!KEY_ID.matcher(id).matches() || (reference.startsWith("arn:") && !rest.startsWith("key/"))) {
            throw KmsErrors.notFound("Invalid keyId " + reference);
        }
        String arn = "arn:aws:kms:" + region + ":" + account + ":key/" + id;
        return new Named(key(id).filter(k -> k.arn().equals(arn)).orElseThrow(() -> KmsErrors.keyNotFound(arn)), null);
    }

    /** The keys of an account and region, oldest first. */
    List<KmsKey> keys(String account, String region) {
        Instant now = clock.instant();
        return keys.values().stream().filter(k -> k.account().equals(account) && k.region().equals(region)
                && !k.deletedBy(now)).sorted(Comparator.comparing(KmsKey::created).thenComparing(KmsKey::id)).toList();
    }

    /** The aliases of an account and region, by name. */
    List<Alias> aliases(String account, String region) {
        return aliases.values().stream().filter(a -> a.account().equals(account) && a.region().equals(region))
                .sorted(Comparator.comparing(Alias::name)).toList();
    }

    /** The grants of a key, oldest first. */
    List<KmsGrant> grants(String keyId) {
        return grants.values().stream().filter(g -> g.keyId().equals(keyId))
                .sorted(Comparator.comparing(KmsGrant::created).thenComparing(KmsGrant::id)).toList();
    }

    Optional<KmsGrant> grant(String grantId) {
        return grants.get(grantId);
    }

    /** Every grant of every key, oldest first (ListRetirableGrants looks across accounts). */
    List<KmsGrant> allGrants() {
        return grants.values().stream().sorted(Comparator.comparing(KmsGrant::created).thenComparing(KmsGrant::id))
                .toList();
    }

    // ---- writes (inside a store transaction) -----------------------------------------------------

    void put(KmsKey key) {
        keys.put(key.id(), key);
    }

    void put(Alias alias) {
        aliases.put(alias.storeKey(), alias);
    }

    void removeAlias(Alias alias) {
        aliases.remove(alias.storeKey());
    }

    void put(KmsGrant grant) {
        grants.put(grant.id(), grant);
    }

    void removeGrant(KmsGrant grant) {
        grants.remove(grant.id());
    }

    /** Forgets the keys past their deletion date, and their aliases and grants. */
    void sweep() {
        Instant now = clock.instant();
        for (KmsKey key : List.copyOf(keys.values())) {
            if (key.deletedBy(now)) {
                keys.remove(key.id());
                for (Alias alias : List.copyOf(aliases.values())) {
                    if (alias.targetKeyId().equals(key.id())) {
                        removeAlias(alias);
                    }
                }
                grants(key.id()).forEach(this::removeGrant);
            }
        }
    }

    // ---- the store ---------------------------------------------------------------------------------

    private static ObjectNode keyJson(KmsKey key) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", key.id()).put("account", key.account()).put("region", key.region())
                .put("description", key.description()).put("created", key.created().toString())
                .put("state", key.state()).put("pendingWindowDays", key.pendingWindowDays())
                .put("policy", key.policyText()).put("material", Base64.getEncoder().encodeToString(key.material()))
                .put("manager", key.awsManaged() ? "AWS" : "CUSTOMER").put("keySpec", key.spec().name())
                .put("keyUsage", key.usage());
        if (key.publicKey() != null) {
            n.put("publicKey", Base64.getEncoder().encodeToString(key.publicKey()));
        }
        if (key.deletionDate() != null) {
            n.put("deletionDate", key.deletionDate().toString());
        }
        ObjectNode tags = n.putObject("tags");
        key.tags().forEach(tags::put);
        return n;
    }

    private static KmsKey keyFrom(JsonNode n) {
        String policyText = n.get("policy").asText();
        try {
            Map<String, String> tags = new LinkedHashMap<>();
            n.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
            return new KmsKey(n.get("id").asText(), n.get("account").asText(), n.get("region").asText(),
                    n.path("description").asText(""), Instant.parse(n.get("created").asText()), n.get("state").asText(),
                    n.hasNonNull("deletionDate") ? Instant.parse(n.get("deletionDate").asText()) : null,
                    n.path("pendingWindowDays").asInt(0), policyText,
                    Policies.parseStored(policyText, PolicyKind.KEY, "key policy of " + n.get("id").asText()),
                    Base64.getDecoder().decode(n.get("material").asText()), tags,
                    "AWS".equals(n.path("manager").asText()),
                    // Keys stored before asymmetric and HMAC keys were made are symmetric encryption keys.
                    KeySpec.valueOf(n.path("keySpec").asText(KeySpec.SYMMETRIC_DEFAULT.name())),
                    n.path("keyUsage").asText(KeySpec.ENCRYPT_DECRYPT),
                    n.hasNonNull("publicKey") ? Base64.getDecoder().decode(n.get("publicKey").asText()) : null);
        } catch (InvalidPolicyException e) {
            throw new StoreException("the key policy of KMS key " + n.get("id").asText() + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    private static ObjectNode aliasJson(Alias alias) {
        return JSON.createObjectNode().put("account", alias.account()).put("region", alias.region())
                .put("name", alias.name()).put("targetKeyId", alias.targetKeyId())
                .put("created", alias.created().toString()).put("updated", alias.updated().toString());
    }

    private static Alias aliasFrom(JsonNode n) {
        return new Alias(n.get("account").asText(), n.get("region").asText(), n.get("name").asText(),
                n.get("targetKeyId").asText(), Instant.parse(n.get("created").asText()),
                Instant.parse(n.get("updated").asText()));
    }

    private static ObjectNode grantJson(KmsGrant grant) {
        ObjectNode n = JSON.createObjectNode().put("id", grant.id()).put("keyId", grant.keyId())
                .put("keyArn", grant.keyArn()).put("grantee", grant.granteePrincipal())
                .put("issuingAccount", grant.issuingAccount()).put("created", grant.created().toString());
        if (grant.name() != null) {
            n.put("name", grant.name());
        }
        if (grant.retiringPrincipal() != null) {
            n.put("retiringPrincipal", grant.retiringPrincipal());
        }
        grant.operations().forEach(n.putArray("operations")::add);
        if (grant.contextSubset() != null) {
            grant.contextSubset().forEach(n.putObject("encryptionContextSubset")::put);
        }
        if (grant.contextEquals() != null) {
            grant.contextEquals().forEach(n.putObject("encryptionContextEquals")::put);
        }
        return n;
    }

    private static KmsGrant grantFrom(JsonNode n) {
        List<String> operations = new java.util.ArrayList<>();
        n.path("operations").forEach(o -> operations.add(o.asText()));
        return new KmsGrant(n.get("id").asText(), n.get("keyId").asText(), n.get("keyArn").asText(),
                n.hasNonNull("name") ? n.get("name").asText() : null, n.get("grantee").asText(),
                n.hasNonNull("retiringPrincipal") ? n.get("retiringPrincipal").asText() : null, operations,
                stringMap(n.get("encryptionContextSubset")), stringMap(n.get("encryptionContextEquals")),
                n.get("issuingAccount").asText(), Instant.parse(n.get("created").asText()));
    }

    /** A JSON object of strings as a map, or {@code null} when there is none. */
    private static Map<String, String> stringMap(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new StoreException("a KMS record is not JSON: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
