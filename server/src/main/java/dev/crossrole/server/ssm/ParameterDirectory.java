package dev.crossrole.server.ssm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.store.RecordCache;
import dev.crossrole.server.store.RecordCacheReplica;
import dev.crossrole.server.store.StoreException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The parameters of every account, kept as a cache of their records in the store ({@code ssm.parameters}, by ARN). */
public final class ParameterDirectory extends RecordCacheReplica {
    static final String PARAMETERS = "ssm.parameters";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final RecordCache<Parameter> byArn = new RecordCache<>(PARAMETERS, ParameterDirectory::bytes,
            bytes -> fromJson(parse(bytes)));

    @Override
    protected List<RecordCache<?>> caches() {
        return List.of(byArn);
    }

    public ParameterDirectory(Clock clock) {
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    Optional<Parameter> byArn(String arn) {
        return byArn.get(arn);
    }

    /** The parameters of an account and region, by name. */
    List<Parameter> parameters(String account, String region) {
        return byArn.values().stream().filter(p -> p.account().equals(account) && p.region().equals(region))
                .sorted(Comparator.comparing(Parameter::name)).toList();
    }

    void put(Parameter parameter) {
        byArn.put(parameter.arn(), parameter);
    }

    void remove(Parameter parameter) {
        byArn.remove(parameter.arn());
    }

    private static byte[] bytes(Parameter parameter) {
        try {
            return JSON.writeValueAsBytes(toJson(parameter));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode toJson(Parameter p) {
        ObjectNode n = JSON.createObjectNode().put("account", p.account()).put("region", p.region())
                .put("name", p.name()).put("arn", p.arn());
        ObjectNode tags = n.putObject("tags");
        p.tags().forEach(tags::put);
        ArrayNode versions = n.putArray("versions");
        for (Parameter.Version v : p.versions()) {
            ObjectNode version = versions.addObject().put("number", v.number()).put("type", v.type())
                    .put("value", v.value()).put("keyArn", v.keyArn()).put("description", v.description())
                    .put("allowedPattern", v.allowedPattern()).put("tier", v.tier()).put("dataType", v.dataType())
                    .put("modified", v.modified().toString()).put("modifiedBy", v.modifiedBy());
            ArrayNode labels = version.putArray("labels");
            v.labels().forEach(labels::add);
        }
        return n;
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Parameter fromJson(JsonNode n) {
        Map<String, String> tags = new LinkedHashMap<>();
        n.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        List<Parameter.Version> versions = new ArrayList<>();
        for (JsonNode v : n.path("versions")) {
            List<String> labels = new ArrayList<>();
            v.path("labels").forEach(l -> labels.add(l.asText()));
            versions.add(new Parameter.Version(v.get("number").asLong(), v.get("type").asText(), text(v, "value"),
                    text(v, "keyArn"), text(v, "description"), text(v, "allowedPattern"), text(v, "tier"),
                    text(v, "dataType"), Instant.parse(v.get("modified").asText()), text(v, "modifiedBy"), labels));
        }
        return new Parameter(n.get("account").asText(), n.get("region").asText(), n.get("name").asText(),
                n.get("arn").asText(), tags, versions);
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new StoreException("a record of " + PARAMETERS + " is not JSON: " + e.getMessage(), e);
        }
    }
}
