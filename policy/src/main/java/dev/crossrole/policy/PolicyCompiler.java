package dev.crossrole.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Turns a validated document into the compiled form the engine evaluates. */
final class PolicyCompiler {
    private PolicyCompiler() {}

    static Policy compile(String name, PolicyKind kind, String text, JsonNode root, List<JsonNode> statementNodes) {
        String version = root.has("Version") ? root.get("Version").asText() : null;
        String id = root.has("Id") ? root.get("Id").asText() : null;
        boolean variables = "2012-10-17".equals(version);
        Statement[] statements = new Statement[statementNodes.size()];
        for (int i = 0; i < statements.length; i++) {
            statements[i] = statement(i, statementNodes.get(i), variables);
        }
        return new Policy(name, kind, version, id, text, statements);
    }

    private static Statement statement(int index, JsonNode node, boolean variables) {
        String sid = node.has("Sid") ? node.get("Sid").asText() : null;
        boolean allow = "Allow".equals(node.get("Effect").asText());
        boolean notPrincipal = node.has("NotPrincipal");
        PrincipalEntry[] principals = principals(node.get(notPrincipal ? "NotPrincipal" : "Principal"));
        boolean notAction = node.has("NotAction");
        List<String> actions = PolicyValidator.strings(node.get(notAction ? "NotAction" : "Action"));
        boolean notResource = node.has("NotResource");
        JsonNode resourceNode = node.get(notResource ? "NotResource" : "Resource");
        TextPattern[] resources = null;
        if (resourceNode != null) {
            List<String> written = PolicyValidator.strings(resourceNode);
            resources = new TextPattern[written.size()];
            for (int i = 0; i < resources.length; i++) {
                String r = written.get(i);
                resources[i] = TextPattern.compile(r, variables && variablesAllowedIn(r));
            }
        }
        return new Statement(index, sid, allow, principals, notPrincipal, actions, notAction, resources, notResource,
                conditions(node.get("Condition"), variables));
    }

    /** Variables are recognised only in the resource part of an ARN, after the fifth colon. */
    private static boolean variablesAllowedIn(String resource) {
        int colons = 0;
        int firstVariable = resource.indexOf("${");
        for (int i = 0; i < firstVariable; i++) {
            if (resource.charAt(i) == ':') {
                colons++;
            }
        }
        return colons >= 5;
    }

    private static PrincipalEntry[] principals(JsonNode node) {
        if (node == null) {
            return null;
        }
        List<PrincipalEntry> entries = new ArrayList<>();
        if (node.isTextual()) {
            entries.add(PrincipalEntry.classify(PrincipalEntry.Type.STAR, node.asText()));
        } else {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                PrincipalEntry.Type type = switch (entry.getKey()) {
                    case "AWS" -> PrincipalEntry.Type.AWS;
                    case "Service" -> PrincipalEntry.Type.SERVICE;
                    case "Federated" -> PrincipalEntry.Type.FEDERATED;
                    default -> PrincipalEntry.Type.CANONICAL_USER;
                };
                for (String value : PolicyValidator.strings(entry.getValue())) {
                    entries.add(PrincipalEntry.classify(type, value));
                }
            }
        }
        return entries.toArray(new PrincipalEntry[0]);
    }

    private static Condition[] conditions(JsonNode node, boolean variables) {
        if (node == null) {
            return new Condition[0];
        }
        List<Condition> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> blocks = node.fields(); blocks.hasNext(); ) {
            Map.Entry<String, JsonNode> block = blocks.next();
            ConditionOperator.Parsed parsed = ConditionOperator.parse(block.getKey(), false);
            if (parsed == null) {
                // Validation admits an unknown operator only with an empty block, which constrains nothing.
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> keys = block.getValue().fields(); keys.hasNext(); ) {
                Map.Entry<String, JsonNode> key = keys.next();
                out.add(new Condition(block.getKey(), parsed, key.getKey(), PolicyValidator.strings(key.getValue()),
                        variables));
            }
        }
        return out.toArray(new Condition[0]);
    }
}
