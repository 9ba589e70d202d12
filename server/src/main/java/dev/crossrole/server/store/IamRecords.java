package dev.crossrole.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.Account;
import dev.crossrole.server.iam.CredentialReport;
import dev.crossrole.server.iam.Group;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamDirectory.EntityKind;
import dev.crossrole.server.iam.IamDirectory.EntityRef;
import dev.crossrole.server.iam.IamUser;
import dev.crossrole.server.iam.LoginProfile;
import dev.crossrole.server.iam.InstanceProfile;
import dev.crossrole.server.iam.ManagedPolicy;
import dev.crossrole.server.iam.OidcProvider;
import dev.crossrole.server.iam.PasswordHash;
import dev.crossrole.server.iam.PasswordPolicy;
import dev.crossrole.server.iam.Role;
import dev.crossrole.server.iam.Totp;
import dev.crossrole.server.iam.VirtualMfaDevice;
import dev.crossrole.server.iam.ServiceLinkedRoleDeletion;
import dev.crossrole.server.iam.SamlProvider;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * IAM in the store: one record per account, user, role, group, customer-managed policy, access key, OpenID Connect
 * provider, instance profile, service-linked role deletion task, credential report, login profile, password policy
 * and virtual MFA device, keyed by its stable id (account id, unique id, policy ARN, access key id, provider ARN,
 * deletion task id; a credential report and a password policy by its account id, a login profile by its user's unique
 * id, an MFA device by its serial number), holding the entity as JSON.
 * Policies are kept as their text and compiled again when read. Role last-use is not stored (AWS too
 * reports it late and approximately; it is not worth a durable write on the request path).
 */
public final class IamRecords implements Replica {
    public static final String ACCOUNTS = "iam.accounts";
    public static final String USERS = "iam.users";
    public static final String ROLES = "iam.roles";
    public static final String GROUPS = "iam.groups";
    public static final String POLICIES = "iam.policies";
    public static final String ACCESS_KEYS = "iam.accessKeys";
    public static final String OIDC_PROVIDERS = "iam.oidcProviders";
    // Certificates, SSH public keys and service-specific credentials: see CredentialRecords.
    public static final String SERVER_CERTIFICATES = CredentialRecords.SERVER_CERTIFICATES;
    public static final String SIGNING_CERTIFICATES = CredentialRecords.SIGNING_CERTIFICATES;
    public static final String SSH_PUBLIC_KEYS = CredentialRecords.SSH_PUBLIC_KEYS;
    public static final String SERVICE_CREDENTIALS = CredentialRecords.SERVICE_CREDENTIALS;
    /** Login profiles, keyed by the user's unique id; they hold a password hash, never a password. */
    public static final String LOGIN_PROFILES = "iam.loginProfiles";
    /** Password policies, keyed by account id. */
    public static final String PASSWORD_POLICIES = "iam.passwordPolicies";
    /** Virtual MFA devices, keyed by serial number; they hold the device's TOTP seed. */
    public static final String MFA_DEVICES = "iam.mfaDevices";
    public static final String INSTANCE_PROFILES = "iam.instanceProfiles";
    public static final String ROLE_DELETIONS = "iam.roleDeletions";
    public static final String CREDENTIAL_REPORTS = "iam.credentialReports";
    public static final String SAML_PROVIDERS = "iam.samlProviders";
    static final List<String> NAMESPACES = List.of(ACCOUNTS, POLICIES, USERS, ROLES, GROUPS, ACCESS_KEYS, OIDC_PROVIDERS,
            INSTANCE_PROFILES, ROLE_DELETIONS, CREDENTIAL_REPORTS, SAML_PROVIDERS, LOGIN_PROFILES, PASSWORD_POLICIES,
            MFA_DEVICES, SERVER_CERTIFICATES, SIGNING_CERTIFICATES, SSH_PUBLIC_KEYS, SERVICE_CREDENTIALS);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IamDirectory iam;
    /** The entities of the last flush, undone too if its commit fails. */
    private List<EntityRef> inFlight = List.of();

    public IamRecords(IamDirectory iam) {
        this.iam = iam;
    }

    static String namespace(EntityKind kind) {
        return switch (kind) {
            case ACCOUNT -> ACCOUNTS;
            case USER -> USERS;
            case ROLE -> ROLES;
            case GROUP -> GROUPS;
            case POLICY -> POLICIES;
            case ACCESS_KEY -> ACCESS_KEYS;
            case OIDC_PROVIDER -> OIDC_PROVIDERS;
            case LOGIN_PROFILE -> LOGIN_PROFILES;
            case PASSWORD_POLICY -> PASSWORD_POLICIES;
            case MFA_DEVICE -> MFA_DEVICES;
            case INSTANCE_PROFILE -> INSTANCE_PROFILES;
            case ROLE_DELETION -> ROLE_DELETIONS;
            case CREDENTIAL_REPORT -> CREDENTIAL_REPORTS;
            case SAML_PROVIDER -> SAML_PROVIDERS;
            case SERVER_CERTIFICATE, SIGNING_CERTIFICATE, SSH_PUBLIC_KEY, SERVICE_CREDENTIAL -> CredentialRecords.namespace(kind);
        };
    }

    @Override
    public boolean owns(String namespace) {
        return NAMESPACES.contains(namespace);
    }

    // ---- writing ----------------------------------------------------------------------------

    @Override
    public boolean hasPendingChanges() {
        return iam.hasUntakenChanges();
    }

    @Override
    public void flush(Transaction transaction) {
        List<EntityRef> refs = iam.takeTouched();
        inFlight = refs;
        for (EntityRef ref : refs) {
            Optional<ObjectNode> current = current(ref);
            if (current.isPresent()) {
                transaction.put(namespace(ref.kind()), ref.id(), bytes(current.get()));
            } else {
                transaction.delete(namespace(ref.kind()), ref.id());
            }
        }
    }

    private Optional<ObjectNode> current(EntityRef ref) {
        return switch (ref.kind()) {
            case ACCOUNT -> iam.account(ref.id()).map(IamRecords::account);
            case USER -> iam.userById(ref.id()).map(IamRecords::user);
            case ROLE -> iam.roleById(ref.id()).map(IamRecords::role);
            case GROUP -> iam.groupById(ref.id()).map(IamRecords::group);
            case POLICY -> iam.policy(ref.id()).filter(p -> !p.awsManaged()).map(IamRecords::policy);
            case ACCESS_KEY -> iam.accessKey(ref.id()).map(IamRecords::accessKey);
            case OIDC_PROVIDER -> iam.oidcProvider(ref.id()).map(IamRecords::oidcProvider);
            case LOGIN_PROFILE -> iam.loginProfile(ref.id()).map(IamRecords::loginProfile);
            case PASSWORD_POLICY -> iam.passwordPolicy(ref.id()).map(IamRecords::passwordPolicy);
            case MFA_DEVICE -> iam.mfaDevice(ref.id()).map(IamRecords::mfaDevice);
            case INSTANCE_PROFILE -> iam.instanceProfileById(ref.id()).map(IamRecords::instanceProfile);
            case ROLE_DELETION -> iam.roleDeletion(ref.id()).map(IamRecords::roleDeletion);
            case CREDENTIAL_REPORT -> iam.credentialReport(ref.id()).map(IamRecords::credentialReport);
            case SAML_PROVIDER -> iam.samlProvider(ref.id()).filter(p -> p.arn().equals(ref.id()))
                    .map(IamRecords::samlProvider);
            case SERVER_CERTIFICATE, SIGNING_CERTIFICATE, SSH_PUBLIC_KEY, SERVICE_CREDENTIAL -> CredentialRecords.current(iam, ref);
        };
    }

    /** A user as stored (for records outside IAM's namespaces that keep one, such as the bootstrap identities). */
    public static ObjectNode encode(IamUser user) {
        return user(user);
    }

    public static ObjectNode encode(AccessKey key) {
        return accessKey(key);
    }

    public static IamUser decodeUser(JsonNode node) {
        return (IamUser) decode(USERS, node);
    }

    public static AccessKey decodeAccessKey(JsonNode node) {
        return (AccessKey) decode(ACCESS_KEYS, node);
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode account(Account a) {
        return JSON.createObjectNode().put("id", a.id()).put("alias", a.alias()).put("organizationId", a.organizationId());
    }

    static ObjectNode user(IamUser u) {
        ObjectNode n = JSON.createObjectNode();
        n.put("account", u.account()).put("name", u.name()).put("path", u.path()).put("id", u.userId())
                .put("created", u.created().toString()).put("boundary", u.permissionsBoundaryArn());
        tags(n, u.tags());
        policies(n, u.inlinePolicies());
        u.attachedPolicyArns().forEach(n.putArray("attached")::add);
        return n;
    }

    static ObjectNode role(Role r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("account", r.account()).put("name", r.name()).put("path", r.path()).put("id", r.roleId())
                .put("created", r.created().toString()).put("description", r.description())
                .put("trustText", r.trustPolicyText()).put("trustCompiled", r.trustPolicy().text())
                .put("maxSessionDuration", r.maxSessionDuration()).put("boundary", r.permissionsBoundaryArn());
        ObjectNode principals = n.putObject("trustPrincipals");
        r.trustPrincipals().forEach(principals::put);
        tags(n, r.tags());
        policies(n, r.inlinePolicies());
        r.attachedPolicyArns().forEach(n.putArray("attached")::add);
        return n;
    }

    static ObjectNode group(Group g) {
        ObjectNode n = JSON.createObjectNode();
        n.put("account", g.account()).put("name", g.name()).put("path", g.path()).put("id", g.groupId())
                .put("created", g.created().toString());
        policies(n, g.inlinePolicies());
        g.attachedPolicyArns().forEach(n.putArray("attached")::add);
        g.members().forEach(n.putArray("members")::add);
        return n;
    }

    static ObjectNode policy(ManagedPolicy p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("arn", p.arn()).put("name", p.name()).put("path", p.path()).put("id", p.policyId())
                .put("description", p.description()).put("created", p.created().toString())
                .put("updated", p.updated().toString()).put("defaultVersion", p.defaultVersionId())
                .put("nextVersion", p.nextVersion());
        tags(n, p.tags());
        var versions = n.putArray("versions");
        for (ManagedPolicy.PolicyVersion v : p.versions()) {
            versions.addObject().put("id", v.versionId()).put("text", v.document().text())
                    .put("created", v.created().toString());
        }
        return n;
    }

    static ObjectNode accessKey(AccessKey k) {
        return JSON.createObjectNode().put("id", k.accessKeyId()).put("secret", k.secretAccessKey())
                .put("account", k.account()).put("user", k.userName()).put("active", k.active())
                .put("created", k.created().toString());
    }

    static ObjectNode oidcProvider(OidcProvider p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("account", p.account()).put("url", p.url()).put("created", p.created().toString());
        p.clientIds().forEach(n.putArray("clientIds")::add);
        p.thumbprints().forEach(n.putArray("thumbprints")::add);
        tags(n, p.tags());
        return n;
    }

    static ObjectNode loginProfile(LoginProfile p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("account", p.account()).put("userId", p.userId()).put("passwordHash", p.passwordHash())
                .put("created", p.created().toString()).put("resetRequired", p.resetRequired());
        p.previousHashes().forEach(n.putArray("previousHashes")::add);
        return n;
    }

    static ObjectNode passwordPolicy(PasswordPolicy p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("account", p.account()).put("minimumLength", p.minimumLength()).put("requireSymbols", p.requireSymbols())
                .put("requireNumbers", p.requireNumbers()).put("requireUppercase", p.requireUppercase())
                .put("requireLowercase", p.requireLowercase())
                .put("allowUsersToChangePassword", p.allowUsersToChangePassword())
                .put("maxPasswordAge", p.maxPasswordAge()).put("passwordReusePrevention", p.passwordReusePrevention())
                .put("hardExpiry", p.hardExpiry());
        return n;
    }

    static ObjectNode mfaDevice(VirtualMfaDevice d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("account", d.account()).put("path", d.path()).put("name", d.name()).put("seed", d.seed())
                .put("created", d.created().toString()).put("userId", d.userId())
                .put("enabled", d.enabled() == null ? null : d.enabled().toString()).put("lastStep", d.lastStep());
        tags(n, d.tags());
        return n;
    }

    static ObjectNode instanceProfile(InstanceProfile p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("account", p.account()).put("name", p.name()).put("path", p.path()).put("id", p.instanceProfileId())
                .put("created", p.created().toString());
        p.roleIds().forEach(n.putArray("roles")::add);
        tags(n, p.tags());
        return n;
    }

    /** A SAML provider with its metadata document as uploaded and its private keys (PEM, as uploaded). */
    static ObjectNode samlProvider(SamlProvider p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("account", p.account()).put("name", p.name()).put("uuid", p.uuid()).put("created", p.created().toString())
                .put("validUntil", p.validUntil().toString()).put("encryption", p.assertionEncryptionMode())
                .put("metadata", p.metadataDocument());
        var keys = n.putArray("privateKeys");
        p.privateKeys().forEach(k -> keys.addObject().put("id", k.keyId()).put("pem", k.pem())
                .put("timestamp", k.timestamp().toString()));
        tags(n, p.tags());
        return n;
    }

    static ObjectNode roleDeletion(ServiceLinkedRoleDeletion d) {
        return JSON.createObjectNode().put("account", d.account()).put("id", d.taskId()).put("role", d.roleArn())
                .put("status", d.status()).put("created", d.created().toString());
    }

    static ObjectNode credentialReport(CredentialReport r) {
        return JSON.createObjectNode().put("account", r.account()).put("generated", r.generated().toString())
                .put("csv", r.csv());
    }

    private static void tags(ObjectNode node, Map<String, String> tags) {
        ObjectNode t = node.putObject("tags");
        tags.forEach(t::put);
    }

    private static void policies(ObjectNode node, Map<String, Policy> policies) {
        ObjectNode p = node.putObject("inline");
        policies.forEach((name, policy) -> p.put(name, policy.text()));
    }

    // ---- reading ----------------------------------------------------------------------------

    @Override
    public void apply(StoredRecord record) {
        iam.untracked(() -> {
            if (record.live()) {
                put(record.namespace(), parse(record));
            } else {
                remove(record.namespace(), record.key());
            }
        });
    }

    /** Decodes many records at once (start-up): decoding runs on every core, the directory is filled in order. */
    @Override
    public void applyAll(List<StoredRecord> records) {
        // Many entities share a policy text (a trust policy for ECS tasks, a standard inline policy): compile
        // each text once, share the compiled statements under each entity's own name.
        PolicyCache cache = new PolicyCache();
        List<Object> decoded = records.parallelStream()
                .map(r -> !r.live() ? null : r.namespace().equals(ROLES) ? decodeRole(r, cache) : decode(r.namespace(), parse(r), cache))
                .toList();
        iam.untracked(() -> {
            for (int i = 0; i < records.size(); i++) {
                StoredRecord r = records.get(i);
                if (r.live()) {
                    install(decoded.get(i));
                } else {
                    remove(r.namespace(), r.key());
                }
            }
        });
    }

    @Override
    public void discard(BiFunction<String, String, Optional<StoredRecord>> committed) {
        List<EntityRef> refs = new ArrayList<>(inFlight);
        refs.addAll(iam.takeTouched());
        inFlight = List.of();
        for (EntityRef ref : refs) {
            String namespace = namespace(ref.kind());
            Optional<StoredRecord> record = committed.apply(namespace, ref.id());
            apply(record.orElse(new StoredRecord(namespace, ref.id(), null, 0, 0)));
        }
    }

    private static JsonNode parse(StoredRecord record) {
        try {
            return JSON.readTree(record.value());
        } catch (IOException e) {
            throw new StoreException(record + " is not JSON: " + e.getMessage(), e);
        }
    }

    /** Puts one entity, as stored, into the directory (without marking it changed). */
    void put(String namespace, JsonNode node) {
        install(decode(namespace, node));
    }

    private void install(Object entity) {
        if (entity instanceof Account a) {
            Account current = iam.account(a.id()).orElse(null);
            // The accounts file gives organizations their control policies; the store keeps the alias.
            iam.putAccount(current == null ? a : current.withAlias(a.alias()));
        } else if (entity instanceof IamUser u) {
            iam.putUser(u);
        } else if (entity instanceof Role r) {
            iam.putRole(r);
        } else if (entity instanceof Group g) {
            iam.putGroup(g);
        } else if (entity instanceof ManagedPolicy p) {
            iam.putPolicy(p);
        } else if (entity instanceof AccessKey k) {
            iam.putAccessKey(k);
        } else if (entity instanceof OidcProvider p) {
            iam.putOidcProvider(p);
        } else if (entity instanceof LoginProfile p) {
            iam.putLoginProfile(p);
        } else if (entity instanceof PasswordPolicy p) {
            iam.putPasswordPolicy(p);
        } else if (entity instanceof VirtualMfaDevice d) {
            iam.putMfaDevice(d);
        } else if (entity instanceof InstanceProfile p) {
            iam.putInstanceProfile(p);
        } else if (entity instanceof ServiceLinkedRoleDeletion d) {
            iam.putRoleDeletion(d);
        } else if (entity instanceof CredentialReport r) {
            iam.putCredentialReport(r);
        } else if (entity instanceof SamlProvider p) {
            iam.putSamlProvider(p);
        } else {
            CredentialRecords.install(iam, entity);
        }
    }

    private void remove(String namespace, String id) {
        switch (namespace) {
            case USERS -> iam.userById(id).ifPresent(u -> iam.deleteUser(u.account(), u.name()));
            case ROLES -> iam.roleById(id).ifPresent(r -> iam.deleteRole(r.account(), r.name()));
            case GROUPS -> iam.groupById(id).ifPresent(g -> iam.deleteGroup(g.account(), g.name()));
            case POLICIES -> iam.deletePolicy(id);
            case ACCESS_KEYS -> iam.deleteAccessKey(id);
            case OIDC_PROVIDERS -> iam.deleteOidcProvider(id);
            case LOGIN_PROFILES -> iam.deleteLoginProfile(id);
            case PASSWORD_POLICIES -> iam.deletePasswordPolicy(id);
            case MFA_DEVICES -> iam.deleteMfaDevice(id);
            case INSTANCE_PROFILES -> iam.instanceProfileById(id).ifPresent(p -> iam.deleteInstanceProfile(p.account(), p.name()));
            case ROLE_DELETIONS -> iam.deleteRoleDeletion(id);
            case CREDENTIAL_REPORTS -> iam.deleteCredentialReport(id);
            case SAML_PROVIDERS -> iam.deleteSamlProvider(id);
            case SERVER_CERTIFICATES, SIGNING_CERTIFICATES, SSH_PUBLIC_KEYS, SERVICE_CREDENTIALS ->
                    CredentialRecords.remove(iam, namespace, id);
            default -> { } // accounts are never deleted
        }
    }

    static Object decode(String namespace, JsonNode n) {
        return decode(namespace, n, null);
    }

    /**
     * Policies of records decoded in bulk (at start): compiled on first use rather than up front (they were
     * validated when written), and one compiled body per distinct text, shared under each entity's own name
     * (many roles have the same trust policy).
     */
    static final class PolicyCache {
        private final java.util.concurrent.ConcurrentHashMap<String, Policy> compiled = new java.util.concurrent.ConcurrentHashMap<>();

        Policy parse(String text, PolicyKind kind, String name) {
            if (kind != PolicyKind.TRUST) {
                // Identity policies are mostly distinct texts: hashing each would cost more than it shares.
                return Policies.parseValidLazily(text, kind, name);
            }
            Policy known = compiled.computeIfAbsent(text, k -> Policies.parseValidLazily(text, kind, name));
            return known.name().equals(name) ? known : known.withName(name);
        }
    }

    private static Policy policy(PolicyCache cache, String text, PolicyKind kind, String name) throws InvalidPolicyException {
        return cache == null ? Policies.parseStored(text, kind, name) : cache.parse(text, kind, name);
    }

    static Object decode(String namespace, JsonNode n, PolicyCache cache) {
        try {
            return switch (namespace) {
                case ACCOUNTS -> new Account(n.get("id").asText(), text(n, "alias"), text(n, "organizationId"), List.of(),
                        List.of());
                case USERS -> new IamUser(n.get("account").asText(), n.get("name").asText(), n.get("path").asText(),
                        n.get("id").asText(), Instant.parse(n.get("created").asText()), strings(n.path("tags")),
                        inline(n.path("inline"), cache), list(n.path("attached")), text(n, "boundary"));
                case ROLES -> {
                    String name = n.get("name").asText();
                    Policy trust = policy(cache, n.get("trustCompiled").asText(), PolicyKind.TRUST,
                            "trust policy of role " + name);
                    yield new Role(n.get("account").asText(), name, n.get("path").asText(), n.get("id").asText(),
                            Instant.parse(n.get("created").asText()), text(n, "description"), trust,
                            n.get("trustText").asText(), strings(n.path("trustPrincipals")),
                            n.get("maxSessionDuration").asInt(), strings(n.path("tags")),
                            inline(n.path("inline"), cache), list(n.path("attached")), text(n, "boundary"),
                            null, null);
                }
                case GROUPS -> new Group(n.get("account").asText(), n.get("name").asText(), n.get("path").asText(),
                        n.get("id").asText(), Instant.parse(n.get("created").asText()),
                        inline(n.path("inline"), cache), list(n.path("attached")),
                        new LinkedHashSet<>(list(n.path("members"))));
                case POLICIES -> {
                    List<ManagedPolicy.PolicyVersion> versions = new ArrayList<>();
                    for (JsonNode v : n.path("versions")) {
                        versions.add(new ManagedPolicy.PolicyVersion(v.get("id").asText(),
                                policy(cache, v.get("text").asText(), PolicyKind.IDENTITY, n.get("arn").asText()),
                                Instant.parse(v.get("created").asText())));
                    }
                    yield new ManagedPolicy(n.get("arn").asText(), n.get("name").asText(), n.get("path").asText(),
                            n.get("id").asText(), text(n, "description"), Instant.parse(n.get("created").asText()),
                            Instant.parse(n.get("updated").asText()), n.get("defaultVersion").asText(), versions,
                            n.get("nextVersion").asInt(), strings(n.path("tags")));
                }
                case ACCESS_KEYS -> new AccessKey(n.get("id").asText(), n.get("secret").asText(), n.get("account").asText(),
                        text(n, "user"), n.get("active").asBoolean(), Instant.parse(n.get("created").asText()));
                case OIDC_PROVIDERS -> new OidcProvider(n.get("account").asText(), n.get("url").asText(),
                        list(n.path("clientIds")), list(n.path("thumbprints")), strings(n.path("tags")),
                        Instant.parse(n.get("created").asText()));
                case LOGIN_PROFILES -> {
                    String hash = n.get("passwordHash").asText();
                    List<String> previous = list(n.path("previousHashes"));
                    if (!PasswordHash.wellFormed(hash) || !previous.stream().allMatch(PasswordHash::wellFormed)) {
                        throw new IllegalArgumentException("a password hash is not of the form crossrole writes");
                    }
                    yield new LoginProfile(n.get("account").asText(), n.get("userId").asText(), hash,
                            Instant.parse(n.get("created").asText()), n.get("resetRequired").asBoolean(), previous);
                }
                case PASSWORD_POLICIES -> new PasswordPolicy(n.get("account").asText(), n.get("minimumLength").asInt(),
                        n.get("requireSymbols").asBoolean(), n.get("requireNumbers").asBoolean(),
                        n.get("requireUppercase").asBoolean(), n.get("requireLowercase").asBoolean(),
                        n.get("allowUsersToChangePassword").asBoolean(), integer(n, "maxPasswordAge"),
                        integer(n, "passwordReusePrevention"),
                        n.hasNonNull("hardExpiry") ? n.get("hardExpiry").asBoolean() : null);
                case MFA_DEVICES -> {
                    String seed = n.get("seed").asText();
                    Totp.fromBase32(seed); // refuses a seed that is not base32
                    String enabled = text(n, "enabled");
                    yield new VirtualMfaDevice(n.get("account").asText(), n.get("path").asText(), n.get("name").asText(),
                            seed, strings(n.path("tags")), Instant.parse(n.get("created").asText()), text(n, "userId"),
                            enabled == null ? null : Instant.parse(enabled), n.get("lastStep").asLong());
                }
                case INSTANCE_PROFILES -> new InstanceProfile(n.get("account").asText(), n.get("name").asText(),
                        n.get("path").asText(), n.get("id").asText(), Instant.parse(n.get("created").asText()),
                        list(n.path("roles")), strings(n.path("tags")));
                case ROLE_DELETIONS -> new ServiceLinkedRoleDeletion(n.get("account").asText(), n.get("id").asText(),
                        n.get("role").asText(), n.get("status").asText(), Instant.parse(n.get("created").asText()));
                case CREDENTIAL_REPORTS -> new CredentialReport(n.get("account").asText(),
                        Instant.parse(n.get("generated").asText()), n.get("csv").asText());
                case SAML_PROVIDERS -> samlProvider(n);
                case SERVER_CERTIFICATES, SIGNING_CERTIFICATES, SSH_PUBLIC_KEYS, SERVICE_CREDENTIALS ->
                        CredentialRecords.decode(namespace, n);
                default -> throw new IllegalArgumentException("not an IAM namespace: " + namespace);
            };
        } catch (InvalidPolicyException | RuntimeException e) {
            throw new StoreException("a stored " + namespace + " entity cannot be read back: " + e.getMessage(), e);
        }
    }

    private static SamlProvider samlProvider(JsonNode n) {
        String document = n.get("metadata").asText();
        dev.crossrole.server.saml.SamlMetadata metadata;
        try {
            metadata = dev.crossrole.server.saml.SamlMetadata.parse(document);
        } catch (dev.crossrole.server.saml.SamlException e) {
            throw new IllegalArgumentException("its metadata document cannot be read: " + e.getMessage(), e);
        }
        List<SamlProvider.PrivateKey> keys = new ArrayList<>();
        for (JsonNode k : n.path("privateKeys")) {
            keys.add(new SamlProvider.PrivateKey(k.get("id").asText(), k.get("pem").asText(),
                    Instant.parse(k.get("timestamp").asText())));
        }
        return new SamlProvider(n.get("account").asText(), n.get("name").asText(), document, metadata,
                n.get("uuid").asText(), Instant.parse(n.get("created").asText()),
                Instant.parse(n.get("validUntil").asText()), strings(n.path("tags")), n.get("encryption").asText(),
                keys);
    }

    /**
     * A role read with Jackson's streaming parser rather than a tree: roles are most of the records a large
     * store holds, and this is most of the start-up time.
     */
    static Role decodeRole(StoredRecord record, PolicyCache cache) {
        String account = null;
        String name = null;
        String path = null;
        String id = null;
        Instant created = null;
        String description = null;
        String trustText = null;
        String trustCompiled = null;
        int maxSessionDuration = 3600;
        String boundary = null;
        Map<String, String> trustPrincipals = Map.of();
        Map<String, String> tags = Map.of();
        Map<String, String> inlineTexts = Map.of();
        List<String> attached = List.of();
        try (com.fasterxml.jackson.core.JsonParser in = JSON.getFactory().createParser(record.value())) {
            if (in.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                throw new IOException("not an object");
            }
            while (in.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = in.currentName();
                in.nextToken();
                switch (field) {
                    case "account" -> account = in.getValueAsString();
                    case "name" -> name = in.getValueAsString();
                    case "path" -> path = in.getValueAsString();
                    case "id" -> id = in.getValueAsString();
                    case "created" -> created = instant(in.getValueAsString());
                    case "description" -> description = in.getValueAsString();
                    case "trustText" -> trustText = in.getValueAsString();
                    case "trustCompiled" -> trustCompiled = in.getValueAsString();
                    case "maxSessionDuration" -> maxSessionDuration = in.getIntValue();
                    case "boundary" -> boundary = in.getValueAsString();
                    case "trustPrincipals" -> trustPrincipals = stringMap(in);
                    case "tags" -> tags = stringMap(in);
                    case "inline" -> inlineTexts = stringMap(in);
                    case "attached" -> {
                        attached = new ArrayList<>();
                        while (in.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                            attached.add(in.getValueAsString());
                        }
                    }
                    default -> in.skipChildren();
                }
            }
            if (account == null || name == null || path == null || id == null || created == null || trustText == null
                    || trustCompiled == null) {
                throw new IOException("a field is missing");
            }
            Map<String, Policy> inline = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : inlineTexts.entrySet()) {
                inline.put(e.getKey(), policy(cache, e.getValue(), PolicyKind.INLINE, e.getKey()));
            }
            Policy trust = policy(cache, trustCompiled, PolicyKind.TRUST, "trust policy of role " + name);
            return new Role(account, name, path, id, created, description, trust, trustText, trustPrincipals,
                    maxSessionDuration, tags, inline, attached, boundary, null, null);
        } catch (IOException | InvalidPolicyException | RuntimeException e) {
            throw new StoreException("a stored " + ROLES + " entity cannot be read back: " + e.getMessage(), e);
        }
    }

    /**
     * An instant as {@link Instant#toString} writes it ({@code 2026-11-27T23:47:32.714645363Z}), read without
     * a {@code DateTimeFormatter} (which dominated decoding at start); anything else goes to {@link Instant#parse}.
     */
    static Instant instant(String text) {
        int n = text.length();
        if (n < 20 || n > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(n - 1) != 'Z') {
            return Instant.parse(text);
        }
        int nanos = 0;
        if (n > 20) {
            if (text.charAt(19) != '.' || n == 21) {
                return Instant.parse(text);
            }
            for (int i = 20; i < 29; i++) {
                int digit = i < n - 1 ? digit(text, i) : 0;
                if (digit < 0) {
                    return Instant.parse(text);
                }
                nanos = nanos * 10 + digit;
            }
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 7);
        int day = number(text, 8, 10);
        int hour = number(text, 11, 13);
        int minute = number(text, 14, 16);
        int second = number(text, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return Instant.parse(text);
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    private static int number(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            int digit = digit(text, i);
            if (digit < 0) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static int digit(String text, int i) {
        char c = text.charAt(i);
        return c >= '0' && c <= '9' ? c - '0' : -1;
    }

    private static Map<String, String> stringMap(com.fasterxml.jackson.core.JsonParser in) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        while (in.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
            String key = in.currentName();
            in.nextToken();
            out.put(key, in.getValueAsString());
        }
        return out;
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asInt();
    }

    static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static List<String> list(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static Map<String, Policy> inline(JsonNode node, PolicyCache cache) throws InvalidPolicyException {
        Map<String, Policy> out = new LinkedHashMap<>();
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            out.put(e.getKey(), policy(cache, e.getValue().asText(), PolicyKind.INLINE, e.getKey()));
        }
        return out;
    }
}
