package dev.crossrole.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.AccessKeys;
import dev.crossrole.server.iam.Account;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamUser;
import dev.crossrole.server.store.DataDirectory;
import dev.crossrole.server.store.IamRecords;
import dev.crossrole.server.store.StateSync;
import dev.crossrole.server.store.StoredRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Makes the configured accounts ready to use: each gets an administrator user {@code admin} with
 * AdministratorAccess and an access key. The identities are kept in the store ({@value #IDENTITIES}
 * records) so every start, and every node, finds the same keys; an administrator or key deleted through
 * the API is put back at the next start. They are written as AWS CLI profiles to {@code credentials}
 * (mode 0600).
 */
public final class Bootstrap {
    /** Store namespace of the bootstrap identities, one record per account: {@code {"user":…, "accessKey":…}}. */
    public static final String IDENTITIES = "bootstrap.identities";
    static final String CREDENTIALS_FILE = "credentials";
    public static final String ADMIN_USER = "admin";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A profile written to the credentials file. */
    public record Profile(String name, Account account, String accessKeyId, String secretAccessKey) {}

    private Bootstrap() {}

    /** Runs as one store transaction on caches already loaded from the store. */
    public static List<Profile> run(List<Account> accounts, IamDirectory iam, StateSync sync, DataDirectory data)
            throws IOException {
        List<Profile> profiles = sync.write(tx -> {
            Instant now = iam.clock().instant();
            List<Profile> out = new ArrayList<>();
            for (Account account : accounts) {
                Optional<Account> current = iam.account(account.id());
                if (current.isPresent() && Objects.equals(current.get().alias(), account.alias())
                        && Objects.equals(current.get().organizationId(), account.organizationId())) {
                    // Same as stored: take the configured control policies without a write.
                    iam.untracked(() -> iam.putAccount(account));
                } else {
                    iam.putAccount(account);
                }
                Optional<StoredRecord> saved = tx.get(IDENTITIES, account.id());
                IamUser user;
                AccessKey key;
                if (saved.isPresent()) {
                    JsonNode node = read(saved.get());
                    user = IamRecords.decodeUser(node.get("user"));
                    key = IamRecords.decodeAccessKey(node.get("accessKey"));
                } else if (iam.user(account.id(), ADMIN_USER).isPresent() && iam.accessKeys(account.id(), ADMIN_USER)
                        .stream().anyMatch(AccessKey::active)) {
                    // An account CreateAccount made: its administrator is in IAM already; it is kept from now on.
                    user = iam.user(account.id(), ADMIN_USER).get();
                    key = iam.accessKeys(account.id(), ADMIN_USER).stream().filter(AccessKey::active).findFirst().get();
                    ObjectNode node = JSON.createObjectNode();
                    node.set("user", IamRecords.encode(user));
                    node.set("accessKey", IamRecords.encode(key));
                    tx.put(IDENTITIES, account.id(), bytes(node));
                } else {
                    user = new IamUser(account.id(), ADMIN_USER, "/", iam.ids().userId(), now, Map.of(), Map.of(),
                            List.of(IamDirectory.ADMINISTRATOR_ACCESS), null);
                    key = new AccessKey(AccessKeys.longTerm(account.id(), iam.ids().random()),
                            AccessKeys.secret(iam.ids().random()), account.id(), ADMIN_USER, true, now);
                    ObjectNode node = JSON.createObjectNode();
                    node.set("user", IamRecords.encode(user));
                    node.set("accessKey", IamRecords.encode(key));
                    tx.put(IDENTITIES, account.id(), bytes(node));
                }
                if (iam.userById(user.userId()).isEmpty()) {
                    iam.putUser(user);
                }
                if (iam.accessKey(key.accessKeyId()).isEmpty()) {
                    iam.putAccessKey(key);
                }
                String profile = account.alias() != null ? account.alias() : "account-" + account.id();
                out.add(new Profile(profile, account, key.accessKeyId(), key.secretAccessKey()));
            }
            return out;
        });
        data.writeSecret(CREDENTIALS_FILE, credentialsFile(profiles));
        return profiles;
    }

    /**
     * A new account of an organization (CreateAccount), made inside the caller's store transaction: the account, the
     * role its management account may assume with AdministratorAccess, and an administrator {@code admin} whose key is
     * added to the credentials file as profile {@code account-<id>}. The next start keeps them (see {@link #run}).
     */
    public static Profile provision(String accountId, String roleName, String managementAccount, IamDirectory iam,
                                    List<Profile> profiles, DataDirectory data) {
        Account account = new Account(accountId, null);
        iam.putAccount(account);
        Instant now = iam.clock().instant();
        try {
            dev.crossrole.server.iam.Role role = iam.createRole(accountId, roleName, "/", "{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + managementAccount
                    + ":root\"},\"Action\":\"sts:AssumeRole\"}]}", 3600, Map.of());
            iam.putRole(role.withAttachedPolicies(List.of(IamDirectory.ADMINISTRATOR_ACCESS)));
        } catch (dev.crossrole.policy.InvalidPolicyException e) {
            throw new IllegalStateException(e);
        }
        iam.putUser(new IamUser(accountId, ADMIN_USER, "/", iam.ids().userId(), now, Map.of(), Map.of(),
                List.of(IamDirectory.ADMINISTRATOR_ACCESS), null));
        AccessKey key = iam.createAccessKey(accountId, ADMIN_USER);
        Profile profile = new Profile("account-" + accountId, account, key.accessKeyId(), key.secretAccessKey());
        List<Profile> all = new ArrayList<>(profiles);
        all.add(profile);
        try {
            data.writeSecret(CREDENTIALS_FILE, credentialsFile(all));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return profile;
    }

    private static JsonNode read(StoredRecord record) {
        try {
            return JSON.readTree(record.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
