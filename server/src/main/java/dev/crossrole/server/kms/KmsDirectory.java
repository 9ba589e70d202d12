package dev.crossrole.server.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.store.Replica;
import dev.crossrole.server.store.StoreException;
import dev.crossrole.server.store.StoredRecord;
import dev.crossrole.server.store.Transaction;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The KMS keys and aliases of every account, kept as a cache of their records in the store ({@code kms.keys} by key
 * id, {@code kms.aliases} by account, region and alias name). Key material is stored with the key.
 */
public final class KmsDirectory implements Replica {
    static final String KEYS = "kms.keys";
    static final String ALIASES = "kms.aliases";
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
    private final Map<String, KmsKey> keys = new ConcurrentHashMap<>();
    private final Map<String, Alias> aliases = new ConcurrentHashMap<>();
    private final Set<String> touchedKeys = ConcurrentHashMap.newKeySet();
    private final Set<String> touchedAliases = ConcurrentHashMap.newKeySet();
    private volatile List<String> inFlightKeys = List.of();
    private volatile List<String> inFlightAliases = List.of();

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
        KmsKey key = keys.get(id);
        return key == null || key.deletedBy(clock.instant()) ? Optional.empty() : Optional.of(key);
    }

    Optional<Alias> alias(String account, String region, String name) {
        return Optional.ofNullable(aliases.get(aliasKey(account, region, name)));
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

    // ---- writes (inside a store transaction) -----------------------------------------------------

    void put(KmsKey key) {
        keys.put(key.id(), key);
        touchedKeys.add(key.id());
    }

    void put(Alias alias) {
        aliases.put(alias.storeKey(), alias);
        touchedAliases.add(alias.storeKey());
    }

    void removeAlias(Alias alias) {
        aliases.remove(alias.storeKey());
        touchedAliases.add(alias.storeKey());
    }

    /** Forgets the keys past their deletion date, and their aliases. */
    void sweep() {
        Instant now = clock.instant();
        for (KmsKey key : List.copyOf(keys.values())) {
            if (key.deletedBy(now)) {
                keys.remove(key.id());
                touchedKeys.add(key.id());
                for (Alias alias : List.copyOf(aliases.values())) {
                    if (alias.targetKeyId().equals(key.id())) {
                        removeAlias(alias);
                    }
                }
            }
        }
    }

    // ---- the store ---------------------------------------------------------------------------------

    @Override
    public boolean owns(String namespace) {
        return namespace.equals(KEYS) || namespace.equals(ALIASES);
    }

    @Override
    public void apply(StoredRecord record) {
        if (record.namespace().equals(KEYS)) {
            if (!record.live()) {
                keys.remove(record.key());
            } else {
                KmsKey key = keyFrom(parse(record));
                keys.put(key.id(), key);
            }
        } else if (!record.live()) {
            aliases.remove(record.key());
        } else {
            Alias alias = aliasFrom(parse(record));
            aliases.put(alias.storeKey(), alias);
        }
    }

    @Override
    public boolean hasPendingChanges() {
        return !touchedKeys.isEmpty() || !touchedAliases.isEmpty();
    }

    @Override
    public void flush(Transaction transaction) {
        List<String> keyIds = take(touchedKeys);
        List<String> aliasKeys = take(touchedAliases);
        inFlightKeys = keyIds;
        inFlightAliases = aliasKeys;
        for (String id : keyIds) {
            KmsKey key = keys.get(id);
            if (key == null) {
                transaction.delete(KEYS, id);
            } else {
                transaction.put(KEYS, id, bytes(keyJson(key)));
            }
        }
        for (String storeKey : aliasKeys) {
            Alias alias = aliases.get(storeKey);
            if (alias == null) {
                transaction.delete(ALIASES, storeKey);
            } else {
                transaction.put(ALIASES, storeKey, bytes(aliasJson(alias)));
            }
        }
    }

    @Override
    public void discard(BiFunction<String, String, Optional<StoredRecord>> committed) {
        List<String> keyIds = new ArrayList<>(inFlightKeys);
        keyIds.addAll(take(touchedKeys));
        List<String> aliasKeys = new ArrayList<>(inFlightAliases);
        aliasKeys.addAll(take(touchedAliases));
        inFlightKeys = List.of();
        inFlightAliases = List.of();
        for (String id : keyIds) {
            apply(committed.apply(KEYS, id).orElse(new StoredRecord(KEYS, id, null, 0, 0)));
        }
        for (String storeKey : aliasKeys) {
            apply(committed.apply(ALIASES, storeKey).orElse(new StoredRecord(ALIASES, storeKey, null, 0, 0)));
        }
    }

    private static List<String> take(Set<String> touched) {
        List<String> out = new ArrayList<>(new LinkedHashSet<>(touched));
        touched.removeAll(out);
        return out;
    }

    private static ObjectNode keyJson(KmsKey key) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", key.id()).put("account", key.account()).put("region", key.region())
                .put("description", key.description()).put("created", key.created().toString())
                .put("state", key.state()).put("pendingWindowDays", key.pendingWindowDays())
                .put("policy", key.policyText()).put("material", Base64.getEncoder().encodeToString(key.material()))
                .put("manager", key.awsManaged() ? "AWS" : "CUSTOMER");
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
                    Base64.getDecoder().decode(n.get("material").asText()), tags, "AWS".equals(n.path("manager").asText()));
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

    private static JsonNode parse(StoredRecord record) {
        try {
            return JSON.readTree(record.value());
        } catch (IOException e) {
            throw new StoreException(record + " is not JSON: " + e.getMessage(), e);
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
