package dev.crossrole.server.store;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A whole crossrole as one JSON document, to move it between stores:
 * <pre>{"format": "crossrole-state", "formatVersion": 1, "revision": 42,
 *  "records": [{"namespace": "iam.roles", "key": "AROA…", "json": {…}}, {"namespace": "secrets", "key": "…", "base64": "…"}]}</pre>
 * Values that are JSON are shown as JSON, others (the session-token key) in base64. Versions and revisions
 * belong to a store and are not carried over: the importing store numbers its own.
 */
public final class StateDocument {
    static final String FORMAT = "crossrole-state";
    static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A document that cannot be imported, or a store that refuses it; the message is for the user. */
    public static final class InvalidStateException extends Exception {
        public InvalidStateException(String message) {
            super(message);
        }
    }

    /** What an import did. */
    public record ImportResult(int written, int deleted) {}

    private StateDocument() {}

    /** Writes every live record; returns how many. */
    public static int export(Store store, OutputStream out) throws IOException {
        Changes all = store.changesSince(0);
        int count = 0;
        try (JsonGenerator json = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("format", FORMAT);
            json.writeNumberField("formatVersion", FORMAT_VERSION);
            json.writeNumberField("revision", all.revision());
            json.writeArrayFieldStart("records");
            List<StoredRecord> live = new ArrayList<>(all.records().stream().filter(StoredRecord::live).toList());
            // By namespace and key: the same state always gives the same document.
            live.sort(java.util.Comparator.comparing(StoredRecord::namespace).thenComparing(StoredRecord::key));
            for (StoredRecord r : live) {
                json.writeStartObject();
                json.writeStringField("namespace", r.namespace());
                json.writeStringField("key", r.key());
                JsonNode value = asJson(r.value());
                if (value != null) {
                    json.writeFieldName("json");
                    JSON.writeTree(json, value);
                } else {
                    json.writeStringField("base64", Base64.getEncoder().encodeToString(r.value()));
                }
                json.writeEndObject();
                count++;
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        return count;
    }

    private static JsonNode asJson(byte[] value) {
        if (value.length == 0 || (value[0] != '{' && value[0] != '[')) {
            return null;
        }
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Reads a document into the store in one transaction. The store must hold nothing unless {@code replace},
     * in which case everything not in the document is deleted. Nothing is written if the document is invalid.
     */
    public static ImportResult importInto(Store store, InputStream in, boolean replace)
            throws IOException, InvalidStateException {
        return importInto(store, in, replace, java.util.function.UnaryOperator.identity());
    }

    /** {@link #importInto(Store, InputStream, boolean)} with each record first passed through {@code adapt}. */
    public static ImportResult importInto(Store store, InputStream in, boolean replace,
                                          java.util.function.UnaryOperator<StoredRecord> adapt)
            throws IOException, InvalidStateException {
        List<StoredRecord> records = read(in).stream().map(adapt).toList();
        if (!replace && !store.isEmpty()) {
            throw new InvalidStateException(store.describe() + " already holds state; import into an empty store,"
                    + " or pass --replace to replace everything in it");
        }
        return store.write(tx -> {
            Set<String> incoming = new HashSet<>();
            for (StoredRecord r : records) {
                incoming.add(r.namespace() + "\u0000" + r.key());
            }
            int deleted = 0;
            for (StoredRecord r : store.changesSince(0).records()) {
                if (r.live() && !incoming.contains(r.namespace() + "\u0000" + r.key())) {
                    tx.delete(r.namespace(), r.key());
                    deleted++;
                }
            }
            for (StoredRecord r : records) {
                tx.put(r.namespace(), r.key(), r.value());
            }
            return new ImportResult(records.size(), deleted);
        });
    }

    static List<StoredRecord> read(InputStream in) throws IOException, InvalidStateException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JsonParseException e) {
            throw new InvalidStateException("not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw new InvalidStateException("not a crossrole state document (\"format\" must be \"" + FORMAT + "\")");
        }
        if (root.path("formatVersion").asInt(-1) != FORMAT_VERSION) {
            throw new InvalidStateException("unsupported formatVersion " + root.path("formatVersion")
                    + "; this crossrole reads " + FORMAT_VERSION);
        }
        JsonNode array = root.get("records");
        if (array == null || !array.isArray()) {
            throw new InvalidStateException("\"records\" must be an array");
        }
        List<StoredRecord> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode r = array.get(i);
            String where = "records[" + i + "]";
            if (!r.isObject() || !r.path("namespace").isTextual() || r.get("namespace").asText().isEmpty()
                    || !r.path("key").isTextual() || r.get("key").asText().isEmpty()) {
                throw new InvalidStateException(where + " needs a non-empty \"namespace\" and \"key\"");
            }
            String namespace = r.get("namespace").asText();
            String key = r.get("key").asText();
            if (!seen.add(namespace + "\u0000" + key)) {
                throw new InvalidStateException(where + " repeats " + namespace + "/" + key);
            }
            byte[] value;
            if (r.has("json") == r.has("base64")) {
                throw new InvalidStateException(where + " (" + namespace + "/" + key + ") needs exactly one of \"json\" and \"base64\"");
            } else if (r.has("json")) {
                if (!r.get("json").isContainerNode()) {
                    throw new InvalidStateException(where + " (" + namespace + "/" + key + "): \"json\" must be an object or array");
                }
                value = JSON.writeValueAsBytes(r.get("json"));
            } else {
                try {
                    value = Base64.getDecoder().decode(r.get("base64").asText());
                } catch (IllegalArgumentException e) {
                    throw new InvalidStateException(where + " (" + namespace + "/" + key + "): \"base64\" is not base64");
                }
            }
            if (IamRecords.NAMESPACES.contains(namespace)) {
                try {
                    IamRecords.decode(namespace, JSON.readTree(value));
                } catch (StoreException e) {
                    throw new InvalidStateException(where + " (" + namespace + "/" + key + ") is not a valid entity: "
                            + e.getMessage());
                }
            }
            out.add(new StoredRecord(namespace, key, value, 0, 0));
        }
        return out;
    }
}
