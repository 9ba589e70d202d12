package dev.crossrole.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.auth.AccessKeys;
import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.Account;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamUser;
import dev.crossrole.server.store.DataDirectory;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the configured accounts ready to use: each gets an administrator user {@code admin} with
 * AdministratorAccess and an access key. Identities are kept in {@code identities.json} so a restart
 * finds the same keys, and written as AWS CLI profiles to {@code credentials} (mode 0600).
 */
public final class Bootstrap {
    static final String IDENTITIES_FILE = "identities.json";
    static final String CREDENTIALS_FILE = "credentials";
    public static final String ADMIN_USER = "admin";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A profile written to the credentials file. */
    public record Profile(String name, Account account, String accessKeyId, String secretAccessKey) {}

    private Bootstrap() {}

    public static List<Profile> run(List<Account> accounts, IamDirectory iam, DataDirectory data) throws IOException {
        Map<String, AccessKey> keys = new LinkedHashMap<>();
        Map<String, IamUser> users = new LinkedHashMap<>();
        String saved = data.read(IDENTITIES_FILE);
        if (saved != null) {
            JsonNode root = JSON.readTree(saved);
            for (JsonNode u : root.path("users")) {
                IamUser user = new IamUser(u.get("account").asText(), u.get("name").asText(), u.get("path").asText(),
                        u.get("userId").asText(), Instant.parse(u.get("created").asText()), Map.of(), Map.of(),
                        List.of(IamDirectory.ADMINISTRATOR_ACCESS), null);
                users.put(user.account(), user);
            }
            for (JsonNode k : root.path("accessKeys")) {
                AccessKey key = new AccessKey(k.get("accessKeyId").asText(), k.get("secretAccessKey").asText(),
                        k.get("account").asText(), k.get("userName").asText(), true, Instant.parse(k.get("created").asText()));
                keys.put(key.account(), key);
            }
        }
        Instant now = iam.clock().instant();
        boolean changed = saved == null;
        List<Profile> profiles = new ArrayList<>();
        for (Account account : accounts) {
            iam.putAccount(account);
            IamUser user = users.get(account.id());
            if (user == null) {
                user = new IamUser(account.id(), ADMIN_USER, "/", iam.ids().userId(), now, Map.of(), Map.of(),
                        List.of(IamDirectory.ADMINISTRATOR_ACCESS), null);
                users.put(account.id(), user);
                changed = true;
            }
            iam.putUser(user);
            AccessKey key = keys.get(account.id());
            if (key == null) {
                key = new AccessKey(AccessKeys.longTerm(account.id(), iam.ids().random()),
                        AccessKeys.secret(iam.ids().random()), account.id(), ADMIN_USER, true, now);
                keys.put(account.id(), key);
                changed = true;
            }
            iam.putAccessKey(key);
            String profile = account.alias() != null ? account.alias() : "account-" + account.id();
            profiles.add(new Profile(profile, account, key.accessKeyId(), key.secretAccessKey()));
        }
        if (changed) {
            ObjectNode root = JSON.createObjectNode();
            ArrayNode userArray = root.putArray("users");
            for (IamUser user : users.values()) {
                ObjectNode u = userArray.addObject();
                u.put("account", user.account());
                u.put("name", user.name());
                u.put("path", user.path());
                u.put("userId", user.userId());
                u.put("created", user.created().toString());
            }
            ArrayNode keyArray = root.putArray("accessKeys");
            for (AccessKey key : keys.values()) {
                ObjectNode k = keyArray.addObject();
                k.put("accessKeyId", key.accessKeyId());
                k.put("secretAccessKey", key.secretAccessKey());
                k.put("account", key.account());
                k.put("userName", key.userName());
                k.put("created", key.created().toString());
            }
            data.writeSecret(IDENTITIES_FILE, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        }
        data.writeSecret(CREDENTIALS_FILE, credentialsFile(profiles));
        return profiles;
    }

    /** AWS CLI profiles; {@code default} is the first account's administrator. */
    static String credentialsFile(List<Profile> profiles) {
        StringBuilder out = new StringBuilder("# Written by crossrole: the administrator of each account.\n");
        for (int i = 0; i < profiles.size(); i++) {
            Profile p = profiles.get(i);
            if (i == 0) {
                section(out, "default", p);
            }
            section(out, p.name(), p);
        }
        return out.toString();
    }

    private static void section(StringBuilder out, String name, Profile p) {
        out.append("\n[").append(name).append("]\n")
                .append("# account ").append(p.account().id()).append(", user ").append(ADMIN_USER).append('\n')
                .append("aws_access_key_id = ").append(p.accessKeyId()).append('\n')
                .append("aws_secret_access_key = ").append(p.secretAccessKey()).append('\n');
    }
}
