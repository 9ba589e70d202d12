package dev.crossrole.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The offline simulation format: a request plus the policies that apply to it, in JSON, and the
 * decision as JSON. The schema is documented in the README ("Simulate a request").
 */
public final class Simulation {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_FIELDS = Set.of("request", "identityPolicies", "resourcePolicy",
            "resourcePolicyKind", "permissionsBoundary", "sessionPolicies", "serviceControlPolicies",
            "resourceControlPolicies");
    private static final Set<String> REQUEST_FIELDS = Set.of("principal", "action", "resource", "resourceAccount",
            "context");

    private final AuthorizationRequest request;
    private final PolicySet policies;

    private Simulation(AuthorizationRequest request, PolicySet policies) {
        this.request = request;
        this.policies = policies;
    }

    public AuthorizationRequest request() {
        return request;
    }

    public PolicySet policies() {
        return policies;
    }

    /** Reads a simulation from JSON text. */
    public static Simulation parse(String json) throws SimulationInputException {
        JsonNode root = PolicyJson.readOrNull(json);
        if (root == null) {
            // Re-read with the plain mapper only to name the JSON error precisely.
            try {
                JSON.readTree(json);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SimulationInputException("(input)", "not valid JSON: " + e.getOriginalMessage());
            }
            throw new SimulationInputException("(input)", "not valid JSON");
        }
        return fromJson(root);
    }

    public static Simulation fromJson(JsonNode root) throws SimulationInputException {
        return fromJson(root, PolicyValidator.Rules.CUSTOMER);
    }

    /**
     * Reads a simulation whose documents are held to the given rules: {@link PolicyValidator.Rules#STORED}
     * evaluates documents as crossrole reads them back from storage (the decision corpus uses it for
     * documents accepted before a rule was added).
     */
    static Simulation fromJson(JsonNode root, PolicyValidator.Rules rules) throws SimulationInputException {
        if (!root.isObject()) {
            throw new SimulationInputException("(input)", "must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!TOP_FIELDS.contains(field)) {
                throw new SimulationInputException(field, "unknown field; expected one of " + String.join(", ", TOP_FIELDS));
            }
        }
        AuthorizationRequest request = request(root.get("request"));
        PolicySet.Builder set = PolicySet.builder();
        set.identity(policyList(root.get("identityPolicies"), "identityPolicies", PolicyKind.IDENTITY, rules));
        JsonNode resourceNode = root.get("resourcePolicy");
        if (resourceNode != null && !resourceNode.isNull()) {
            PolicyKind kind = resourcePolicyKind(root.get("resourcePolicyKind"), request);
            set.resource(policy(resourceNode, "resourcePolicy", kind, rules));
        } else if (root.has("resourcePolicyKind")) {
            resourcePolicyKind(root.get("resourcePolicyKind"), request);
        }
        JsonNode boundary = root.get("permissionsBoundary");
        if (boundary != null && !boundary.isNull()) {
            set.boundary(policy(boundary, "permissionsBoundary", PolicyKind.BOUNDARY, rules));
        }
        set.session(policyList(root.get("sessionPolicies"), "sessionPolicies", PolicyKind.SESSION, rules));
        for (List<Policy> level : levels(root.get("serviceControlPolicies"), "serviceControlPolicies", PolicyKind.SCP, rules)) {
            set.scpLevel(level);
        }
        for (List<Policy> level : levels(root.get("resourceControlPolicies"), "resourceControlPolicies", PolicyKind.RCP, rules)) {
            set.rcpLevel(level);
        }
        return new Simulation(request, set.build());
    }

    private static AuthorizationRequest request(JsonNode node) throws SimulationInputException {
        if (node == null || node.isNull()) {
            throw new SimulationInputException("request", "is required");
        }
        if (!node.isObject()) {
            throw new SimulationInputException("request", "must be an object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!REQUEST_FIELDS.contains(field)) {
                throw new SimulationInputException("request." + field, "unknown field; expected one of "
                        + String.join(", ", REQUEST_FIELDS));
            }
        }
        String principalText = requiredString(node, "principal");
        Principal principal;
        try {
            principal = Principal.parse(principalText);
        } catch (IllegalArgumentException e) {
            throw new SimulationInputException("request.principal", e.getMessage());
        }
        String action = requiredString(node, "action");
        if (!action.equals("*") && (action.indexOf(':') <= 0 || action.indexOf(':') == action.length() - 1)) {
            throw new SimulationInputException("request.action", "'" + action + "' is not an action of the form service:Name");
        }
        String resource = requiredString(node, "resource");
        if (!resource.equals("*") && Values.arnComponents(resource) == null) {
            throw new SimulationInputException("request.resource", "'" + resource + "' is neither an ARN nor \"*\"");
        }
        String resourceAccount = null;
        JsonNode accountNode = node.get("resourceAccount");
        if (accountNode != null && !accountNode.isNull()) {
            if (!accountNode.isTextual() || !Principal.ACCOUNT_ID.matcher(accountNode.textValue()).matches()) {
                throw new SimulationInputException("request.resourceAccount", "must be a 12-digit account id");
            }
            resourceAccount = accountNode.textValue();
        }
        return new AuthorizationRequest(principal, action, resource, resourceAccount, context(node.get("context")));
    }

    private static RequestContext context(JsonNode node) throws SimulationInputException {
        RequestContext.Builder builder = RequestContext.builder();
        if (node == null || node.isNull()) {
            return builder.build();
        }
        if (!node.isObject()) {
            throw new SimulationInputException("request.context", "must be an object of key: value or key: [values]");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String path = "request.context." + entry.getKey();
            JsonNode value = entry.getValue();
            if (value.isArray()) {
                List<String> values = new ArrayList<>();
                for (JsonNode item : value) {
                    if (!item.isValueNode() || item.isNull()) {
                        throw new SimulationInputException(path, "values must be strings, numbers or booleans");
                    }
                    values.add(item.asText());
                }
                builder.multi(entry.getKey(), values);
            } else if (value.isValueNode() && !value.isNull()) {
                builder.single(entry.getKey(), value.asText());
            } else {
                throw new SimulationInputException(path, "must be a string (single-valued key) or an array (multivalued key)");
            }
        }
        return builder.build();
    }

    private static String requiredString(JsonNode node, String field) throws SimulationInputException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new SimulationInputException("request." + field, "is required");
        }
        if (!value.isTextual() || value.textValue().isEmpty()) {
            throw new SimulationInputException("request." + field, "must be a non-empty string");
        }
        return value.textValue();
    }

    private static PolicyKind resourcePolicyKind(JsonNode node, AuthorizationRequest request) throws SimulationInputException {
        if (node == null || node.isNull()) {
            if (PolicyEngine.isStsRoleAction(request.action(), request.resource())) {
                return PolicyKind.TRUST;
            }
            return isKmsKey(request.resource()) ? PolicyKind.KEY : PolicyKind.RESOURCE;
        }
        PolicyKind kind = node.isTextual() ? PolicyKind.fromCliName(node.textValue()) : null;
        if (kind != PolicyKind.TRUST && kind != PolicyKind.RESOURCE && kind != PolicyKind.KEY) {
            throw new SimulationInputException("resourcePolicyKind", "must be \"trust\", \"resource\" or \"key\"");
        }
        return kind;
    }

    /** A KMS key's ARN ({@code arn:aws:kms:<region>:<account>:key/<id>}), whose policy is a key policy. */
    private static boolean isKmsKey(String resource) {
        return resource != null && resource.startsWith("arn:") && resource.contains(":kms:") && resource.contains(":key/");
    }

    private static List<Policy> policyList(JsonNode node, String field, PolicyKind kind, PolicyValidator.Rules rules)
            throws SimulationInputException {
        List<Policy> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new SimulationInputException(field, "must be an array of policy documents");
        }
        for (int i = 0; i < node.size(); i++) {
            out.add(policy(node.get(i), field + "[" + i + "]", kind, rules));
        }
        return out;
    }

    private static List<List<Policy>> levels(JsonNode node, String field, PolicyKind kind, PolicyValidator.Rules rules)
            throws SimulationInputException {
        List<List<Policy>> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new SimulationInputException(field, "must be an array of organization levels (root first), each an array of policies");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode level = node.get(i);
            if (!level.isArray()) {
                throw new SimulationInputException(field + "[" + i + "]", "must be an array of policy documents (one organization level)");
            }
            out.add(policyList(level, field + "[" + i + "]", kind, rules));
        }
        return out;
    }

    /**
     * A policy is given as its document (an object), as the document's JSON text (a string), or as
     * {@code {"name": "...", "document": ...}} to name it in explanations.
     */
    private static Policy policy(JsonNode node, String field, PolicyKind kind, PolicyValidator.Rules rules)
            throws SimulationInputException {
        String name = field;
        JsonNode document = node;
        if (node.isObject() && node.has("document")) {
            JsonNode nameNode = node.get("name");
            if (nameNode != null && nameNode.isTextual()) {
                name = nameNode.textValue();
            }
            document = node.get("document");
        }
        String text;
        if (document.isTextual()) {
            text = document.textValue();
        } else if (document.isObject()) {
            text = document.toString();
        } else {
            throw new SimulationInputException(field, "must be a policy document (a JSON object or its text)");
        }
        if (name.equals(field) && document.isObject() && document.has("Id") && document.get("Id").isTextual()) {
            name = field + " (Id " + document.get("Id").textValue() + ")";
        }
        try {
            return rules == PolicyValidator.Rules.STORED ? Policies.parseStored(text, kind, name)
                    : Policies.parse(text, kind, name);
        } catch (InvalidPolicyException e) {
            Diagnostic d = e.diagnostic();
            throw new SimulationInputException(field, "is not a valid " + kind.cliName() + " policy: " + d.code() + ": "
                    + d.message() + (d.location().isEmpty() ? "" : " (at " + d.location() + ")")
                    + (d.detail() == null ? "" : " — " + d.detail()));
        }
    }

    /**
     * Reads a principal from its ARN, service principal name or {@code anonymous}.
     *
     * @throws IllegalArgumentException with a readable reason when the text is none of these
     */
    public static Principal parsePrincipal(String text) {
        return Principal.parse(text);
    }

    /** Evaluates the simulation and renders {@code {"decision", "message", "explanation"}}. */
    public ObjectNode run(PolicyEngine engine) {
        Decision decision = engine.evaluate(request, policies);
        return toJson(decision);
    }

    public Decision decide(PolicyEngine engine) {
        return engine.evaluate(request, policies);
    }

    public static ObjectNode toJson(Decision decision) {
        ObjectNode out = JSON.createObjectNode();
        out.put("decision", decision.outcome().wireName());
        if (decision.decidedBy() != null) {
            out.put("decidedBy", decision.decidedBy().cliName());
        }
        if (!decision.allowed()) {
            out.put("message", decision.accessDeniedMessage());
        }
        out.set("explanation", decision.explanation().toJson());
        return out;
    }
}
