package dev.crossrole.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Logger;

/**
 * Brings a data directory written by crossrole 0.1 (whole-file {@code iam.json}, {@code ecs.json},
 * {@code identities.json}, {@code server.key}) into an empty store, once, in one transaction; the old
 * files are then renamed with a {@code .migrated} suffix and never read again. The per-entity JSON of
 * those files is the record format, so entities move over unchanged.
 */
public final class LegacyImport {
    static final List<String> FILES = List.of("iam.json", "ecs.json", "identities.json", "server.key");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(LegacyImport.class.getName());

    /** Namespaces written by other packages, named here to keep the file format in one place. */
    static final String BOOTSTRAP = "bootstrap.identities";
    static final String ECS_CLUSTERS = "ecs.clusters";
    static final String ECS_FAMILIES = "ecs.families";
    static final String ECS_DEFINITIONS = "ecs.taskDefinitions";
    static final String ECS_TASKS = "ecs.tasks";

    private LegacyImport() {}

    /** Imports the old files if there are any and the store is empty; returns how many records were written. */
    public static int importOnce(Path dataDir, Store store) throws IOException {
        List<Path> present = new ArrayList<>();
        for (String name : FILES) {
            if (Files.isRegularFile(dataDir.resolve(name))) {
                present.add(dataDir.resolve(name));
            }
        }
        if (present.isEmpty()) {
            return 0;
        }
        if (!store.isEmpty()) {
            LOG.warning("not importing " + present + ": " + store.describe() + " already holds state");
            return 0;
        }
        List<StoredRecord> records = read(dataDir);
        store.write(tx -> {
            for (StoredRecord r : records) {
                tx.put(r.namespace(), r.key(), r.value());
            }
            return null;
        });
        for (Path file : present) {
            Files.move(file, file.resolveSibling(file.getFileName() + ".migrated"), StandardCopyOption.REPLACE_EXISTING);
        }
        LOG.info("imported " + records.size() + " records from " + present + " into " + store.describe());
        return records.size();
    }

    static List<StoredRecord> read(Path dataDir) throws IOException {
        List<StoredRecord> out = new ArrayList<>();
        JsonNode iam = json(dataDir.resolve("iam.json"));
        if (iam != null) {
            iam.path("policies").forEach(n -> out.add(record(IamRecords.POLICIES, n.get("arn").asText(), n)));
            iam.path("users").forEach(n -> out.add(record(IamRecords.USERS, n.get("id").asText(), n)));
            iam.path("roles").forEach(n -> out.add(record(IamRecords.ROLES, n.get("id").asText(), n)));
            iam.path("groups").forEach(n -> out.add(record(IamRecords.GROUPS, n.get("id").asText(), n)));
            iam.path("accessKeys").forEach(n -> out.add(record(IamRecords.ACCESS_KEYS, n.get("id").asText(), n)));
        }
        JsonNode identities = json(dataDir.resolve("identities.json"));
        if (identities != null) {
            for (JsonNode u : identities.path("users")) {
                String account = u.get("account").asText();
                ObjectNode user = JSON.createObjectNode().put("account", account).put("name", u.get("name").asText())
                        .put("path", u.get("path").asText()).put("id", u.get("userId").asText())
                        .put("created", u.get("created").asText()).putNull("boundary");
                user.putObject("tags");
                user.putObject("inline");
                user.putArray("attached").add("arn:aws:iam::aws:policy/AdministratorAccess");
                for (JsonNode k : identities.path("accessKeys")) {
                    if (k.get("account").asText().equals(account)) {
                        ObjectNode key = JSON.createObjectNode().put("id", k.get("accessKeyId").asText())
                                .put("secret", k.get("secretAccessKey").asText()).put("account", account)
                                .put("user", k.get("userName").asText()).put("active", true)
                                .put("created", k.get("created").asText());
                        ObjectNode identity = JSON.createObjectNode();
                        identity.set("user", user);
                        identity.set("accessKey", key);
                        out.add(record(BOOTSTRAP, account, identity));
                    }
                }
            }
        }
        JsonNode ecs = json(dataDir.resolve("ecs.json"));
        if (ecs != null) {
            ecs.path("clusters").forEach(n -> out.add(record(ECS_CLUSTERS,
                    n.get("account").asText() + "/" + n.get("region").asText() + "/" + n.get("name").asText(), n)));
            ecs.path("revisions").fields().forEachRemaining(e -> out.add(record(ECS_FAMILIES, e.getKey(),
                    JSON.createObjectNode().put("last", e.getValue().asInt()))));
            ecs.path("taskDefinitions").forEach(n -> out.add(record(ECS_DEFINITIONS, n.get("account").asText() + "/"
                    + n.get("region").asText() + "/" + n.get("family").asText() + "/" + n.get("revision").asInt(), n)));
            ecs.path("tasks").forEach(n -> out.add(record(ECS_TASKS, n.get("id").asText(), n)));
        }
        Path serverKey = dataDir.resolve("server.key");
        if (Files.isRegularFile(serverKey)) {
            byte[] key;
            try {
                key = Base64.getDecoder().decode(Files.readString(serverKey, StandardCharsets.US_ASCII).trim());
            } catch (IllegalArgumentException e) {
                throw new IOException(serverKey + " does not hold a base64 key", e);
            }
            if (key.length != SessionKey.LENGTH) {
                throw new IOException(serverKey + " does not hold a 32-byte key");
            }
            out.add(new StoredRecord(SessionKey.NAMESPACE, SessionKey.KEY, key, 1, 1));
        }
        return out;
    }

    private static JsonNode json(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + " cannot be imported: " + e.getMessage(), e);
        }
    }

    private static StoredRecord record(String namespace, String key, JsonNode node) {
        return new StoredRecord(namespace, key, IamRecords.bytes(node), 1, 1);
    }
}
