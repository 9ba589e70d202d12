package dev.crossrole.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.Group;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamUser;
import dev.crossrole.server.iam.ManagedPolicy;
import dev.crossrole.server.iam.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * IAM's entities in the data directory ({@code iam.json}, mode 0600: it holds secret keys), written
 * whole and atomically after every change, before the change is acknowledged, and read back at start.
 * Policies are kept as their text and compiled again when read.
 */
public final class IamState {
    static final String FILE = "iam.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private IamState() {}

    /** Loads the saved entities, then saves after every change from now on. */
    public static void attach(IamDirectory iam, DataDirectory data) throws IOException {
        String saved = data.read(FILE);
        if (saved != null) {
            load(iam, JSON.readTree(saved));
        }
        iam.onChange(() -> {
            try {
                data.writeSecret(FILE, JSON.writeValueAsString(toJson(iam.snapshot())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot save IAM state", e);
            }
        });
    }

    static ObjectNode toJson(IamDirectory.Snapshot snapshot) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", 1);
        ArrayNode users = root.putArray("users");
        for (IamUser u : snapshot.users()) {
            ObjectNode n = users.addObject();
            n.put("account", u.account()).put("name", u.name()).put("path", u.path()).put("id", u.userId())
                    .put("created", u.created().toString()).put("boundary", u.permissionsBoundaryArn());
            tags(n, u.tags());
            policies(n, u.inlinePolicies());
            u.attachedPolicyArns().forEach(n.putArray("attached")::add);
        }
        ArrayNode roles = root.putArray("roles");
        for (Role r : snapshot.roles()) {
            ObjectNode n = roles.addObject();
            n.put("account", r.account()).put("name", r.name()).put("path", r.path()).put("id", r.roleId())
                    .put("created", r.created().toString()).put("description", r.description())
                    .put("trustText", r.trustPolicyText()).put("trustCompiled", r.trustPolicy().text())
                    .put("maxSessionDuration", r.maxSessionDuration()).put("boundary", r.permissionsBoundaryArn());
            ObjectNode principals = n.putObject("trustPrincipals");
            r.trustPrincipals().forEach(principals::put);
            tags(n, r.tags());
            policies(n, r.inlinePolicies());
            r.attachedPolicyArns().forEach(n.putArray("attached")::add);
        }
        ArrayNode groups = root.putArray("groups");
        for (Group g : snapshot.groups()) {
            ObjectNode n = groups.addObject();
            n.put("account", g.account()).put("name", g.name()).put("path", g.path()).put("id", g.groupId())
                    .put("created", g.created().toString());
            policies(n, g.inlinePolicies());
            g.attachedPolicyArns().forEach(n.putArray("attached")::add);
            g.members().forEach(n.putArray("members")::add);
        }
        ArrayNode managed = root.putArray("policies");
        for (ManagedPolicy p : snapshot.policies()) {
            ObjectNode n = managed.addObject();
            n.put("arn", p.arn()).put("name", p.name()).put("path", p.path()).put("id", p.policyId())
                    .put("description", p.description()).put("created", p.created().toString())
                    .put("updated", p.updated().toString()).put("defaultVersion", p.defaultVersionId())
                    .put("nextVersion", p.nextVersion());
            tags(n, p.tags());
            ArrayNode versions = n.putArray("versions");
            for (ManagedPolicy.PolicyVersion v : p.versions()) {
                versions.addObject().put("id", v.versionId()).put("text", v.document().text())
                        .put("created", v.created().toString());
            }
        }
        ArrayNode keys = root.putArray("accessKeys");
        for (AccessKey k : snapshot.accessKeys()) {
            keys.addObject().put("id", k.accessKeyId()).put("secret", k.secretAccessKey()).put("account", k.account())
                    .put("user", k.userName()).put("active", k.active()).put("created", k.created().toString());
        }
        return root;
    }

    private static void tags(ObjectNode node, Map<String, String> tags) {
        ObjectNode t = node.putObject("tags");
        tags.forEach(t::put);
    }

    private static void policies(ObjectNode node, Map<String, Policy> policies) {
        ObjectNode p = node.putObject("inline");
        policies.forEach((name, policy) -> p.put(name, policy.text()));
    }

    static void load(IamDirectory iam, JsonNode root) throws IOException {
        try {
            for (JsonNode n : root.path("policies")) {
                List<ManagedPolicy.PolicyVersion> versions = new ArrayList<>();
                for (JsonNode v : n.path("versions")) {
                    versions.add(new ManagedPolicy.PolicyVersion(v.get("id").asText(),
                            Policies.parse(v.get("text").asText(), PolicyKind.IDENTITY, n.get("arn").asText()),
                            Instant.parse(v.get("created").asText())));
                }
                iam.putPolicy(new ManagedPolicy(n.get("arn").asText(), n.get("name").asText(), n.get("path").asText(),
                        n.get("id").asText(), text(n, "description"), Instant.parse(n.get("created").asText()),
                        Instant.parse(n.get("updated").asText()), n.get("defaultVersion").asText(), versions,
                        n.get("nextVersion").asInt(), strings(n.path("tags"))));
            }
            for (JsonNode n : root.path("users")) {
                iam.putUser(new IamUser(n.get("account").asText(), n.get("name").asText(), n.get("path").asText(),
                        n.get("id").asText(), Instant.parse(n.get("created").asText()), strings(n.path("tags")),
                        inline(n.path("inline")), list(n.path("attached")), text(n, "boundary")));
            }
            for (JsonNode n : root.path("roles")) {
                String name = n.get("name").asText();
                Policy trust = Policies.parse(n.get("trustCompiled").asText(), PolicyKind.TRUST, "trust policy of role " + name);
                iam.putRole(new Role(n.get("account").asText(), name, n.get("path").asText(), n.get("id").asText(),
                        Instant.parse(n.get("created").asText()), text(n, "description"), trust, n.get("trustText").asText(),
                        strings(n.path("trustPrincipals")), n.get("maxSessionDuration").asInt(), strings(n.path("tags")),
                        inline(n.path("inline")), list(n.path("attached")), text(n, "boundary"), null, null));
            }
            for (JsonNode n : root.path("groups")) {
                iam.putGroup(new Group(n.get("account").asText(), n.get("name").asText(), n.get("path").asText(),
                        n.get("id").asText(), Instant.parse(n.get("created").asText()), inline(n.path("inline")),
                        list(n.path("attached")), new LinkedHashSet<>(list(n.path("members")))));
            }
            for (JsonNode n : root.path("accessKeys")) {
                iam.putAccessKey(new AccessKey(n.get("id").asText(), n.get("secret").asText(), n.get("account").asText(),
                        text(n, "user"), n.get("active").asBoolean(), Instant.parse(n.get("created").asText())));
            }
        } catch (InvalidPolicyException | RuntimeException e) {
            throw new IOException(FILE + " cannot be read back: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static List<String> list(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static Map<String, Policy> inline(JsonNode node) throws InvalidPolicyException {
        Map<String, Policy> out = new LinkedHashMap<>();
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            out.put(e.getKey(), Policies.parse(e.getValue().asText(), PolicyKind.INLINE, e.getKey()));
        }
        return out;
    }
}
