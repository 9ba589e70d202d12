package dev.crossrole.server.ssm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.store.Replica;
import dev.crossrole.server.store.StoreException;
import dev.crossrole.server.store.StoredRecord;
import dev.crossrole.server.store.Transaction;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/** The parameters of every account, kept as a cache of their records in the store ({@code ssm.parameters}, by ARN). */
public final class ParameterDirectory implements Replica {
    static final String PARAMETERS = "ssm.parameters";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final Map<String, Parameter> byArn = new ConcurrentHashMap<>();
    private final Set<String> touched = ConcurrentHashMap.newKeySet();
    private volatile List<String> inFlight = List.of();

    public ParameterDirectory(Clock clock) {
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    Optional<Parameter> byArn(String arn) {
        return Optional.ofNullable(byArn.get(arn));
    }

    /** The parameters of an account and region, by name. */
    List<Parameter> parameters(String account, String region) {
        return byArn.values().stream().filter(p -> p.account().equals(account) && p.region().equals(region))
                .sorted(Comparator.comparing(Parameter::name)).toList();
    }

    void put(Parameter parameter) {
        byArn.put(parameter.arn(), parameter);
        touched.add(parameter.arn());
    }

    void remove(Parameter parameter) {
        byArn.remove(parameter.arn());
        touched.add(parameter.arn());
    }

    @Override
    public boolean owns(String namespace) {
        return namespace.equals(PARAMETERS);
    }

    @Override
    public void apply(StoredRecord record) {
        if (!record.live()) {
            byArn.remove(record.key());
            return;
        }
        Parameter parameter = fromJson(parse(record));
        byArn.put(parameter.arn(), parameter);
    }

    @Override
    public boolean hasPendingChanges() {
        return !touched.isEmpty();
    }

    @Override
    public void flush(Transaction transaction) {
        List<String> arns = new ArrayList<>(new LinkedHashSet<>(touched));
        touched.removeAll(arns);
        inFlight = arns;
        for (String arn : arns) {
            Parameter parameter = byArn.get(arn);
            if (parameter == null) {
                transaction.delete(PARAMETERS, arn);
            } else {
                try {
                    transaction.put(PARAMETERS, arn, JSON.writeValueAsBytes(toJson(parameter)));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Override
    public void discard(BiFunction<String, String, Optional<StoredRecord>> committed) {
        List<String> arns = new ArrayList<>(inFlight);
        arns.addAll(touched);
        touched.clear();
        inFlight = List.of();
        for (String arn : arns) {
            apply(committed.apply(PARAMETERS, arn).orElse(new StoredRecord(PARAMETERS, arn, null, 0, 0)));
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

    private static JsonNode parse(StoredRecord record) {
        try {
            return JSON.readTree(record.value());
        } catch (IOException e) {
            throw new StoreException(record + " is not JSON: " + e.getMessage(), e);
        }
    }
}
