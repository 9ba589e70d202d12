package dev.crossrole.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.iam.Account;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The accounts crossrole serves. A config file declares them:
 * <pre>{"accounts": [{"id": "111122223333", "alias": "source"}, {"id": "555566667777", "alias": "destination"}]}</pre>
 * Without one, the walkthrough's two accounts are created.
 */
public final class AccountsConfig {
    public static final List<Account> WALKTHROUGH = List.of(
            new Account("111122223333", "source"), new Account("555566667777", "destination"));
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    /** IAM account aliases: lower-case letters, digits and hyphens, 3 to 63 characters, no leading or trailing hyphen. */
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9]([a-z0-9-]{1,61})[a-z0-9]");

    private static final Pattern ORGANIZATION_ID = Pattern.compile("o-[a-z0-9]{10,32}");
    private static final List<String> ACCOUNT_FIELDS = List.of("id", "alias", "organizationId", "serviceControlPolicies",
            "resourceControlPolicies");

    private static final Policy RCP_FULL_AWS_ACCESS = Policies.parseValid("{\"Version\":\"2012-10-17\",\"Statement\":"
            + "[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}", PolicyKind.RCP,
            "RCPFullAWSAccess");

    private AccountsConfig() {}

    /** Organization levels of control policies: an array (root first) of arrays of policy documents. */
    private static List<List<Policy>> levels(JsonNode node, String where, PolicyKind kind) throws ConfigException {
        List<List<Policy>> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new ConfigException(where + " must be an array of organization levels, root first, each an array of"
                    + " policy documents");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode level = node.get(i);
            if (!level.isArray()) {
                throw new ConfigException(where + "[" + i + "] must be an array of policy documents");
            }
            List<Policy> policies = new ArrayList<>();
            if (kind == PolicyKind.RCP) {
                // AWS attaches RCPFullAWSAccess at every level and it cannot be detached: RCPs only deny.
                policies.add(RCP_FULL_AWS_ACCESS);
            }
            for (int j = 0; j < level.size(); j++) {
                String name = where + "[" + i + "][" + j + "]";
                try {
                    policies.add(Policies.parse(level.get(j).toString(), kind, name));
                } catch (InvalidPolicyException e) {
                    throw new ConfigException(name + " is not a valid " + kind.cliName() + ": " + e.getMessage()
                            + (e.diagnostic().detail() == null ? "" : " (" + e.diagnostic().detail() + ")"));
                }
            }
            out.add(policies);
        }
        return out;
    }

    public static List<Account> load(Path file) throws ConfigException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": not valid JSON: " + e.getMessage());
        }
        return parse(root, file.toString());
    }

    static List<Account> parse(JsonNode root, String source) throws ConfigException {
        if (root == null || !root.isObject()) {
            throw new ConfigException(source + ": must be a JSON object with an \"accounts\" array");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("accounts")) {
                throw new ConfigException(source + ": unknown field \"" + field + "\" (expected \"accounts\")");
            }
        }
        JsonNode accounts = root.get("accounts");
        if (accounts == null || !accounts.isArray() || accounts.isEmpty()) {
            throw new ConfigException(source + ": \"accounts\" must be a non-empty array");
        }
        List<Account> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> aliases = new HashSet<>();
        for (int i = 0; i < accounts.size(); i++) {
            JsonNode node = accounts.get(i);
            String where = source + ": accounts[" + i + "]";
            if (!node.isObject()) {
                throw new ConfigException(where + " must be an object with \"id\" and optional \"alias\"");
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!ACCOUNT_FIELDS.contains(field)) {
                    throw new ConfigException(where + ": unknown field \"" + field + "\" (expected one of "
                            + String.join(", ", ACCOUNT_FIELDS) + ")");
                }
            }
            JsonNode id = node.get("id");
            if (id == null || !id.isTextual() || !ACCOUNT_ID.matcher(id.textValue()).matches()) {
                throw new ConfigException(where + ".id must be a string of exactly 12 digits");
            }
            if (!ids.add(id.textValue())) {
                throw new ConfigException(where + ".id " + id.textValue() + " is declared twice");
            }
            String alias = null;
            JsonNode aliasNode = node.get("alias");
            if (aliasNode != null && !aliasNode.isNull()) {
                if (!aliasNode.isTextual() || !ALIAS.matcher(aliasNode.textValue()).matches()
                        || aliasNode.textValue().contains("--")) {
                    throw new ConfigException(where + ".alias must be 3-63 lower-case letters, digits and single"
                            + " hyphens, starting and ending with a letter or digit");
                }
                alias = aliasNode.textValue();
                if (!aliases.add(alias)) {
                    throw new ConfigException(where + ".alias " + alias + " is used twice");
                }
            }
            String organization = null;
            JsonNode org = node.get("organizationId");
            if (org != null && !org.isNull()) {
                if (!org.isTextual() || !ORGANIZATION_ID.matcher(org.textValue()).matches()) {
                    throw new ConfigException(where + ".organizationId must look like o-a1b2c3d4e5 (o- and 10 to 32"
                            + " lower-case letters or digits)");
                }
                organization = org.textValue();
            }
            List<List<Policy>> scps = levels(node.get("serviceControlPolicies"), where + ".serviceControlPolicies",
                    PolicyKind.SCP);
            List<List<Policy>> rcps = levels(node.get("resourceControlPolicies"), where + ".resourceControlPolicies",
                    PolicyKind.RCP);
            if (organization == null && (!scps.isEmpty() || !rcps.isEmpty())) {
                throw new ConfigException(where + ": control policies need an organizationId");
            }
            out.add(new Account(id.textValue(), alias, organization, scps, rcps));
        }
        return out;
    }
}
