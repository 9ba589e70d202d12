package dev.crossrole.server.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Build step (run by Maven after compiling): reads AWS's service models and the Service Authorization Reference
 * from {@code src/main/aws/} and writes the compact operation tables {@link ServiceModels} loads at run time.
 * It fails the build when an operation's access level cannot be decided, or when {@code operation-actions.tsv}
 * names an operation or action that does not exist, so the tables never guess.
 *
 * <p>Arguments: the models directory, the directory of the reference's {@code actions/<service>.json}, the
 * operation-actions file, the output file.
 */
public final class OperationTableGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVERY_OPERATION = "*";

    private OperationTableGenerator() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: <models dir> <actions dir> <operation-actions.tsv> <output>");
        }
        String table = generate(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        Path output = Path.of(args[3]);
        Files.createDirectories(output.getParent());
        Files.writeString(output, table, StandardCharsets.UTF_8);
        for (Map.Entry<String, String> shapes : ShapeTableGenerator.generate(Path.of(args[0])).entrySet()) {
            Path file = output.resolveSibling(ServiceModels.shapesResource(shapes.getKey()));
            Files.createDirectories(file.getParent());
            Files.writeString(file, shapes.getValue(), StandardCharsets.UTF_8);
        }
    }

    /** The tables, one {@code service} line followed by its {@code operation} lines, services by model name. */
    static String generate(Path models, Path actions, Path operationActions) throws IOException {
        Map<String, Map<String, String>> decisions = readDecisions(operationActions);
        Map<String, Path> serviceFiles = new TreeMap<>();
        try (Stream<Path> files = Files.walk(models)) {
            files.filter(f -> f.getFileName().toString().equals("service-2.json"))
                    .forEach(f -> serviceFiles.put(models.relativize(f).getName(0).toString(), f));
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Path> file : serviceFiles.entrySet()) {
            String id = file.getKey();
            JsonNode model = JSON.readTree(file.getValue().toFile());
            JsonNode actionsOfService = JSON.readTree(actionsFile(actions, id, model).toFile());
            Map<String, String> decided = decisions.getOrDefault(id, Map.of());
            appendService(out, id, model, actionsOfService, decided);
            for (String named : decided.keySet()) {
                if (!named.equals(EVERY_OPERATION) && !model.path("operations").has(named)) {
                    throw new IllegalStateException(operationActions + " names " + id + ":" + named
                            + ", which the model does not have");
                }
            }
        }
        for (String service : decisions.keySet()) {
            if (!serviceFiles.containsKey(service)) {
                throw new IllegalStateException(operationActions + " names the service " + service + ", not a model");
            }
        }
        return out.toString();
    }

    /**
     * The reference's actions of a model's service: by the model's name, else by its signing name — S3 Control's
     * actions are S3's ({@code s3:PutAccountPublicAccessBlock}), as it signs for {@code s3}.
     */
    private static Path actionsFile(Path actions, String id, JsonNode model) {
        Path byId = actions.resolve(id + ".json");
        JsonNode signingName = model.path("metadata").path("signingName");
        return Files.exists(byId) || !signingName.isTextual() ? byId : actions.resolve(signingName.asText() + ".json");
    }

    private static void appendService(StringBuilder out, String id, JsonNode model, JsonNode actions,
                                      Map<String, String> decided) {
        JsonNode metadata = model.path("metadata");
        String signingName = metadata.hasNonNull("signingName") ? metadata.get("signingName").asText()
                : metadata.get("endpointPrefix").asText();
        WireProtocol protocol = WireProtocol.fromModelName(metadata.get("protocol").asText());
        out.append(String.join("\t", "service", id, signingName, protocol.modelName(),
                metadata.get("apiVersion").asText(), metadata.path("targetPrefix").asText(""),
                metadata.path("xmlNamespace").asText(""), metadata.path("jsonVersion").asText(""))).append('\n');
        Map<String, JsonNode> operations = new TreeMap<>();
        model.path("operations").fields().forEachRemaining(e -> operations.put(e.getKey(), e.getValue()));
        for (Map.Entry<String, JsonNode> operation : operations.entrySet()) {
            String name = operation.getKey();
            JsonNode http = operation.getValue().path("http");
            boolean reads = readsOnly(id, name, actions, decided);
            JsonNode definition = operation.getValue();
            List<String> errors = new ArrayList<>();
            definition.path("errors").forEach(error -> errors.add(error.path("shape").asText()));
            out.append(String.join("\t", "operation", name, http.get("method").asText(),
                    http.get("requestUri").asText(), reads ? "read" : "write",
                    String.join(",", requiredQuery(model, definition)),
                    flags(definition),
                    definition.path("input").path("shape").asText(""),
                    definition.path("output").path("shape").asText(""),
                    definition.path("output").path("resultWrapper").asText(""),
                    http.path("responseCode").asText(""),
                    String.join(",", errors))).append('\n');
        }
    }

    /**
     * What the model says of an operation beyond its binding: {@code deprecated}, and {@code unsigned} for one a
     * client calls without signing (botocore's {@code "authtype": "none"}: AssumeRoleWithWebIdentity, whose token
     * is the credential).
     */
    private static String flags(JsonNode definition) {
        List<String> flags = new ArrayList<>();
        if (definition.path("deprecated").asBoolean(false)) {
            flags.add("deprecated");
        }
        if (definition.path("authtype").asText("").equals("none")) {
            flags.add("unsigned");
        }
        return String.join(",", flags);
    }

    private static boolean readsOnly(String service, String operation, JsonNode actions, Map<String, String> decided) {
        String decision = decided.containsKey(EVERY_OPERATION) ? decided.get(EVERY_OPERATION)
                : decided.getOrDefault(operation, operation);
        if (decision.startsWith("=")) {
            return readsOnly(decision.substring(1), service + ":" + operation);
        }
        JsonNode action = actions.get(decision.toLowerCase(Locale.ROOT));
        if (action == null) {
            throw new IllegalStateException(service + ":" + operation + " has no action " + service + ":" + decision
                    + " in the Service Authorization Reference; name its action in operation-actions.tsv");
        }
        return readsOnly(action.get("accessLevel").asText(), service + ":" + decision);
    }

    /** Read and List only read; Write, Permissions management and Tagging (alone or with Write) write. */
    static boolean readsOnly(String accessLevel, String of) {
        return switch (accessLevel) {
            case "Read", "List" -> true;
            case "Write", "Permissions management", "Tagging", "Permissions management, Write", "Tagging, Write" -> false;
            default -> throw new IllegalStateException(of + " has the access level '" + accessLevel
                    + "', which the generator does not know");
        };
    }

    /** The query-string names of an operation's required input members. */
    private static List<String> requiredQuery(JsonNode model, JsonNode operation) {
        List<String> names = new ArrayList<>();
        String input = operation.path("input").path("shape").asText(null);
        if (input == null) {
            return names;
        }
        JsonNode shape = model.path("shapes").path(input);
        for (JsonNode required : shape.path("required")) {
            JsonNode member = shape.path("members").path(required.asText());
            if ("querystring".equals(member.path("location").asText())) {
                names.add(member.path("locationName").asText(required.asText()));
            }
        }
        return names;
    }

    /** operation-actions.tsv: service to operation to an action name or {@code =Read} / {@code =Write}. */
    private static Map<String, Map<String, String>> readDecisions(Path file) throws IOException {
        Map<String, Map<String, String>> decisions = new HashMap<>();
        Iterator<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).iterator();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t");
            if (fields.length < 3 || fields[2].startsWith("=") && fields.length < 4) {
                throw new IllegalStateException(file + ": a line needs service, operation, action (and why, for an"
                        + " access level given outright): " + line);
            }
            if (decisions.computeIfAbsent(fields[0], s -> new HashMap<>()).put(fields[1], fields[2]) != null) {
                throw new IllegalStateException(file + " names " + fields[0] + ":" + fields[1] + " twice");
            }
        }
        return decisions;
    }
}
