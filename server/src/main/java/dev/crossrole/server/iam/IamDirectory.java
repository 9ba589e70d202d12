package dev.crossrole.server.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.iam.AccessKeys;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The IAM entities of every account, in memory. Reads are lock-free; writes replace immutable values
 * under the directory's lock. Other services use the lookups; the IAM API uses the writes.
 */
public final class IamDirectory {
    /** AWS-managed policies live under this account part. */
    public static final String AWS_ACCOUNT = "aws";
    public static final String ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final IdGenerator ids;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final Map<String, IamUser> users = new ConcurrentHashMap<>();
    private final Map<String, IamUser> usersById = new ConcurrentHashMap<>();
    private final Map<String, Role> roles = new ConcurrentHashMap<>();
    private final Map<String, Role> rolesById = new ConcurrentHashMap<>();
    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    /** OpenID Connect providers by ARN. */
    private final Map<String, OidcProvider> oidcProviders = new ConcurrentHashMap<>();
    /** SAML providers by account and lower-cased name (IAM names are unique without regard to case). */
    private final Map<String, SamlProvider> samlProviders = new ConcurrentHashMap<>();
    private final Map<String, ManagedPolicy> policies = new ConcurrentHashMap<>();
    private final Map<String, AccessKey> accessKeys = new ConcurrentHashMap<>();
    private final Map<String, KeyUse> keyUses = new ConcurrentHashMap<>();
    /** Login profiles (console passwords) by the user's unique id. */
    private final Map<String, LoginProfile> loginProfiles = new ConcurrentHashMap<>();
    /** Password policies by account id. */
    private final Map<String, PasswordPolicy> passwordPolicies = new ConcurrentHashMap<>();
    /** Virtual MFA devices by serial number (their ARN). */
    private final Map<String, VirtualMfaDevice> mfaDevices = new ConcurrentHashMap<>();
    /** Instance profiles by account and lower-case name, and by unique id. */
    private final Map<String, InstanceProfile> instanceProfiles = new ConcurrentHashMap<>();
    private final Map<String, InstanceProfile> instanceProfilesById = new ConcurrentHashMap<>();
    /** Deletion tasks of service-linked roles, by task id. */
    private final Map<String, ServiceLinkedRoleDeletion> roleDeletions = new ConcurrentHashMap<>();
    /** The latest credential report of each account, by account id. */
    private final Map<String, CredentialReport> credentialReports = new ConcurrentHashMap<>();

    /** The kinds of entity the directory keeps, each stored under a stable id (a rename keeps the id). */
    public enum EntityKind {
        ACCOUNT, USER, ROLE, GROUP, POLICY, ACCESS_KEY, OIDC_PROVIDER,
        INSTANCE_PROFILE, ROLE_DELETION, CREDENTIAL_REPORT,
        SAML_PROVIDER,
        LOGIN_PROFILE, PASSWORD_POLICY, MFA_DEVICE,
        // certificates, SSH public keys and service-specific credentials
        SERVER_CERTIFICATE, SIGNING_CERTIFICATE, SSH_PUBLIC_KEY, SERVICE_CREDENTIAL
    }

    /**
     * An entity an operation changed: its kind and its id (account id, user/role/group id, policy ARN, key id;
     * instance profile id, deletion task id, and the account id for its credential report; the user id of a login
     * profile, the account id of a password policy, the serial number of an MFA device).
     */
    public record EntityRef(EntityKind kind, String id) {}

    /** Entities changed since the store last took them; guarded by this. */
    private final java.util.Set<EntityRef> touched = new java.util.LinkedHashSet<>();
    private int untracked;

    private void touch(EntityKind kind, String id) {
        if (untracked == 0) {
            touched.add(new EntityRef(kind, id));
        }
    }

    /** The entities changed since the last call, in the order first changed; the store writes exactly these. */
    public synchronized List<EntityRef> takeTouched() {
        List<EntityRef> out = List.copyOf(touched);
        touched.clear();
        return out;
    }

    public synchronized boolean hasUntakenChanges() {
        return !touched.isEmpty();
    }

    /** Runs changes that come from the store (loading, catching up, undoing): they are not changes to write back. */
    public synchronized void untracked(Runnable changes) {
        untracked++;
        try {
            changes.run();
        } finally {
            untracked--;
        }
    }

    /** When and where an access key was last used. */
    public record KeyUse(Instant when, String service, String region) {}

    public IamDirectory(Clock clock, IdGenerator ids) {
        this.clock = clock;
        this.ids = ids;
    }

    public IdGenerator ids() {
        return ids;
    }

    public Clock clock() {
        return clock;
    }

    private static String key(String account, String name) {
        // IAM names are unique case-insensitively within an account.
        return account + "/" + name.toLowerCase(Locale.ROOT);
    }

    // ---- accounts ---------------------------------------------------------------------------

    public synchronized void putAccount(Account account) {
        accounts.put(account.id(), account);
        touch(EntityKind.ACCOUNT, account.id());
    }

    public Optional<Account> account(String id) {
        return Optional.ofNullable(accounts.get(id));
    }

    /** Every entity, for persistence: users, roles, groups, customer-managed policies, access keys. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(List.copyOf(users.values()), List.copyOf(roles.values()), List.copyOf(groups.values()),
                policies.values().stream().filter(p -> !p.awsManaged()).toList(), List.copyOf(accessKeys.values()));
    }

    /** The directory's entities at one moment. */
    public record Snapshot(List<IamUser> users, List<Role> roles, List<Group> groups, List<ManagedPolicy> policies,
                           List<AccessKey> accessKeys) {}

    public Collection<Account> accounts() {
        return List.copyOf(accounts.values());
    }

    // ---- users ------------------------------------------------------------------------------

    public synchronized IamUser putUser(IamUser user) {
        IamUser previous = usersById.get(user.userId());
        if (previous != null && !previous.name().equalsIgnoreCase(user.name())) {
            users.remove(key(previous.account(), previous.name()));
        }
        IamUser replaced = users.put(key(user.account(), user.name()), user);
        if (replaced != null && !replaced.userId().equals(user.userId())) {
            usersById.remove(replaced.userId());
            touch(EntityKind.USER, replaced.userId());
        }
        usersById.put(user.userId(), user);
        touch(EntityKind.USER, user.userId());
        return user;
    }

    public synchronized boolean deleteUser(String account, String name) {
        IamUser removed = users.remove(key(account, name));
        if (removed != null) {
            usersById.remove(removed.userId());
            touch(EntityKind.USER, removed.userId());
            serviceLastAccess.forget(removed.userId());
        }
        return removed != null;
    }

    public Optional<IamUser> user(String account, String name) {
        return Optional.ofNullable(users.get(key(account, name)));
    }

    public Optional<IamUser> userById(String userId) {
        return userId == null ? Optional.empty() : Optional.ofNullable(usersById.get(userId));
    }

    /** The users of an account, by name. */
    public List<IamUser> users(String account) {
        return users.values().stream().filter(u -> u.account().equals(account))
                .sorted(Comparator.comparing(u -> u.name().toLowerCase(Locale.ROOT))).toList();
    }

    // ---- roles ------------------------------------------------------------------------------

    public synchronized Role putRole(Role role) {
        Role replaced = putRoleQuietly(role);
        if (replaced != null && !replaced.roleId().equals(role.roleId())) {
            touch(EntityKind.ROLE, replaced.roleId());
        }
        touch(EntityKind.ROLE, role.roleId());
        return role;
    }

    private Role putRoleQuietly(Role role) {
        Role previous = roles.put(key(role.account(), role.name()), role);
        if (previous != null && !previous.roleId().equals(role.roleId())) {
            rolesById.remove(previous.roleId());
        }
        rolesById.put(role.roleId(), role);
        return previous;
    }

    public synchronized boolean deleteRole(String account, String name) {
        Role removed = roles.remove(key(account, name));
        if (removed != null) {
            rolesById.remove(removed.roleId());
            touch(EntityKind.ROLE, removed.roleId());
            serviceLastAccess.forget(removed.roleId());
        }
        return removed != null;
    }

    /** A role by name (IAM lookups are case-insensitive; AssumeRole compares the exact ARN itself). */
    public Optional<Role> role(String account, String name) {
        return Optional.ofNullable(roles.get(key(account, name)));
    }

    public Optional<Role> roleById(String roleId) {
        return roleId == null ? Optional.empty() : Optional.ofNullable(rolesById.get(roleId));
    }

    public List<Role> roles(String account) {
        return roles.values().stream().filter(r -> r.account().equals(account))
                .sorted(Comparator.comparing(r -> r.name().toLowerCase(Locale.ROOT))).toList();
    }

    // ---- identity providers -----------------------------------------------------------------

    public synchronized void putOidcProvider(OidcProvider provider) {
        oidcProviders.put(provider.arn(), provider);
        touch(EntityKind.OIDC_PROVIDER, provider.arn());
    }

    public synchronized boolean deleteOidcProvider(String arn) {
        boolean removed = oidcProviders.remove(arn) != null;
        if (removed) {
            touch(EntityKind.OIDC_PROVIDER, arn);
        }
        return removed;
    }

    public Optional<OidcProvider> oidcProvider(String arn) {
        return Optional.ofNullable(oidcProviders.get(arn));
    }

    /** An account's OpenID Connect providers, by ARN. */
    public List<OidcProvider> oidcProviders(String account) {
        return oidcProviders.values().stream().filter(p -> p.account().equals(account))
                .sorted(Comparator.comparing(OidcProvider::arn)).toList();
    }

    // ---- login profiles, password policies, MFA devices -------------------------------------

    public synchronized void putLoginProfile(LoginProfile profile) {
        loginProfiles.put(profile.userId(), profile);
        touch(EntityKind.LOGIN_PROFILE, profile.userId());
    }

    public synchronized boolean deleteLoginProfile(String userId) {
        boolean removed = loginProfiles.remove(userId) != null;
        if (removed) {
            touch(EntityKind.LOGIN_PROFILE, userId);
        }
        return removed;
    }

    /** The login profile of the user with that unique id. */
    public Optional<LoginProfile> loginProfile(String userId) {
        return userId == null ? Optional.empty() : Optional.ofNullable(loginProfiles.get(userId));
    }

    public synchronized void putPasswordPolicy(PasswordPolicy policy) {
        passwordPolicies.put(policy.account(), policy);
        touch(EntityKind.PASSWORD_POLICY, policy.account());
    }

    public synchronized boolean deletePasswordPolicy(String account) {
        boolean removed = passwordPolicies.remove(account) != null;
        if (removed) {
            touch(EntityKind.PASSWORD_POLICY, account);
        }
        return removed;
    }

    public Optional<PasswordPolicy> passwordPolicy(String account) {
        return Optional.ofNullable(passwordPolicies.get(account));
    }

    public synchronized void putMfaDevice(VirtualMfaDevice device) {
        mfaDevices.put(device.serialNumber(), device);
        touch(EntityKind.MFA_DEVICE, device.serialNumber());
    }

    public synchronized boolean deleteMfaDevice(String serialNumber) {
        boolean removed = mfaDevices.remove(serialNumber) != null;
        if (removed) {
            touch(EntityKind.MFA_DEVICE, serialNumber);
        }
        return removed;
    }

    public Optional<VirtualMfaDevice> mfaDevice(String serialNumber) {
        return serialNumber == null ? Optional.empty() : Optional.ofNullable(mfaDevices.get(serialNumber));
    }

    /** An account's virtual MFA devices, by serial number. */
    public List<VirtualMfaDevice> mfaDevices(String account) {
        return mfaDevices.values().stream().filter(d -> d.account().equals(account))
                .sorted(Comparator.comparing(VirtualMfaDevice::serialNumber)).toList();
    }

    /** The MFA devices enabled for the user with that unique id, oldest enabled first. */
    public List<VirtualMfaDevice> mfaDevicesOf(String userId) {
        return mfaDevices.values().stream().filter(d -> userId != null && userId.equals(d.userId()))
                .sorted(Comparator.comparing(VirtualMfaDevice::enabled, Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(VirtualMfaDevice::serialNumber))
                .toList();
    }

    // ---- instance profiles ------------------------------------------------------------------

    /** Stores an instance profile, replacing the one with its id. */
    public synchronized void putInstanceProfile(InstanceProfile profile) {
        InstanceProfile replaced = instanceProfiles.put(key(profile.account(), profile.name()), profile);
        if (replaced != null && !replaced.instanceProfileId().equals(profile.instanceProfileId())) {
            instanceProfilesById.remove(replaced.instanceProfileId());
            touch(EntityKind.INSTANCE_PROFILE, replaced.instanceProfileId());
        }
        instanceProfilesById.put(profile.instanceProfileId(), profile);
        touch(EntityKind.INSTANCE_PROFILE, profile.instanceProfileId());
    }

    public synchronized boolean deleteInstanceProfile(String account, String name) {
        InstanceProfile removed = instanceProfiles.remove(key(account, name));
        if (removed != null) {
            instanceProfilesById.remove(removed.instanceProfileId());
            touch(EntityKind.INSTANCE_PROFILE, removed.instanceProfileId());
        }
        return removed != null;
    }

    public Optional<InstanceProfile> instanceProfile(String account, String name) {
        return Optional.ofNullable(instanceProfiles.get(key(account, name)));
    }

    public Optional<InstanceProfile> instanceProfileById(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(instanceProfilesById.get(id));
    }

    /** An account's instance profiles, by name. */
    public List<InstanceProfile> instanceProfiles(String account) {
        return instanceProfiles.values().stream().filter(p -> p.account().equals(account))
                .sorted(Comparator.comparing(p -> p.name().toLowerCase(Locale.ROOT))).toList();
    }

    /** The instance profiles that hold a role, by name. */
    public List<InstanceProfile> instanceProfilesOf(Role role) {
        return instanceProfiles(role.account()).stream().filter(p -> p.roleIds().contains(role.roleId())).toList();
    }

    // ---- service-linked role deletions and credential reports ------------------------------

    public synchronized void putRoleDeletion(ServiceLinkedRoleDeletion deletion) {
        roleDeletions.put(deletion.taskId(), deletion);
        touch(EntityKind.ROLE_DELETION, deletion.taskId());
    }

    public synchronized void deleteRoleDeletion(String taskId) {
        if (roleDeletions.remove(taskId) != null) {
            touch(EntityKind.ROLE_DELETION, taskId);
        }
    }

    public Optional<ServiceLinkedRoleDeletion> roleDeletion(String taskId) {
        return Optional.ofNullable(roleDeletions.get(taskId));
    }

    public synchronized void putCredentialReport(CredentialReport report) {
        credentialReports.put(report.account(), report);
        touch(EntityKind.CREDENTIAL_REPORT, report.account());
    }

    public synchronized void deleteCredentialReport(String account) {
        if (credentialReports.remove(account) != null) {
            touch(EntityKind.CREDENTIAL_REPORT, account);
        }
    }

    public Optional<CredentialReport> credentialReport(String account) {
        return Optional.ofNullable(credentialReports.get(account));
    }


    // ---- SAML providers ---------------------------------------------------------------------

    /** Stores a SAML provider (its store id is its ARN as created). */
    public synchronized void putSamlProvider(SamlProvider provider) {
        samlProviders.put(key(provider.account(), provider.name()), provider);
        touch(EntityKind.SAML_PROVIDER, provider.arn());
    }

    public synchronized boolean deleteSamlProvider(String arn) {
        Optional<SamlProvider> found = samlProvider(arn);
        if (found.isEmpty()) {
            return false;
        }
        samlProviders.remove(key(found.get().account(), found.get().name()));
        touch(EntityKind.SAML_PROVIDER, found.get().arn());
        return true;
    }

    /** The SAML provider an ARN names ({@code arn:aws:iam::ACCOUNT:saml-provider/NAME}, the name in any case). */
    public Optional<SamlProvider> samlProvider(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("iam")
                || !parts[5].startsWith("saml-provider/")) {
            return Optional.empty();
        }
        return Optional.ofNullable(samlProviders.get(key(parts[4], parts[5].substring("saml-provider/".length()))));
    }

    /** An account's SAML providers, by name. */
    public List<SamlProvider> samlProviders(String account) {
        return samlProviders.values().stream().filter(p -> p.account().equals(account))
                .sorted(Comparator.comparing(p -> p.name().toLowerCase(Locale.ROOT))).toList();
    }

    // ---- groups -----------------------------------------------------------------------------

    /** Stores a group, replacing the one with its id: a renamed group is one write and never missing. */
    public synchronized Group putGroup(Group group) {
        Group replaced = groups.put(key(group.account(), group.name()), group);
        if (replaced != null && !replaced.groupId().equals(group.groupId())) {
            touch(EntityKind.GROUP, replaced.groupId());
        }
        groups.values().removeIf(g -> g.groupId().equals(group.groupId()) && !g.name().equalsIgnoreCase(group.name()));
        touch(EntityKind.GROUP, group.groupId());
        return group;
    }

    public synchronized boolean deleteGroup(String account, String name) {
        Group removed = groups.remove(key(account, name));
        if (removed != null) {
            touch(EntityKind.GROUP, removed.groupId());
        }
        return removed != null;
    }

    public Optional<Group> groupById(String groupId) {
        return groups.values().stream().filter(g -> g.groupId().equals(groupId)).findFirst();
    }

    public Optional<Group> group(String account, String name) {
        return Optional.ofNullable(groups.get(key(account, name)));
    }

    public List<Group> groups(String account) {
        return groups.values().stream().filter(g -> g.account().equals(account))
                .sorted(Comparator.comparing(g -> g.name().toLowerCase(Locale.ROOT))).toList();
    }

    /** The groups a user belongs to (membership is kept on the group, by user name). */
    public List<Group> groupsOf(String account, String userName) {
        return groups(account).stream().filter(g -> g.members().stream().anyMatch(m -> m.equalsIgnoreCase(userName)))
                .toList();
    }

    // ---- managed policies -------------------------------------------------------------------

    public synchronized ManagedPolicy putPolicy(ManagedPolicy policy) {
        if (policy.awsManaged()) {
            throw new IllegalArgumentException("AWS managed policies are AWS's: " + policy.arn());
        }
        policies.put(policy.arn(), policy);
        touch(EntityKind.POLICY, policy.arn());
        return policy;
    }

    public synchronized boolean deletePolicy(String arn) {
        boolean removed = policies.remove(arn) != null;
        if (removed) {
            touch(EntityKind.POLICY, arn);
        }
        return removed;
    }

    public Optional<ManagedPolicy> policy(String arn) {
        return Optional.ofNullable(managed(arn));
    }

    /** A customer-managed policy, or one of AWS's (read the first time one is asked for); {@code null} when none. */
    private ManagedPolicy managed(String arn) {
        if (arn == null) {
            return null;
        }
        return AwsManagedPolicies.isAwsManagedArn(arn) ? AwsManagedPolicies.byArn(arn).orElse(null) : policies.get(arn);
    }

    /** Customer-managed policies of an account and the AWS-managed ones, by name. */
    public List<ManagedPolicy> policies(String account, boolean includeAwsManaged, boolean includeLocal) {
        List<ManagedPolicy> out = new ArrayList<>();
        if (includeLocal) {
            policies.values().stream().filter(p -> p.account().equals(account)).forEach(out::add);
        }
        if (includeAwsManaged) {
            out.addAll(AwsManagedPolicies.all());
        }
        out.sort(Comparator.comparing(p -> p.name().toLowerCase(Locale.ROOT)));
        return out;
    }

    /** How many users, groups and roles of an account have the policy attached. */
    public int attachmentCount(String account, String policyArn) {
        int count = 0;
        for (IamUser u : users(account)) {
            count += u.attachedPolicyArns().contains(policyArn) ? 1 : 0;
        }
        for (Role r : roles(account)) {
            count += r.attachedPolicyArns().contains(policyArn) ? 1 : 0;
        }
        for (Group g : groups(account)) {
            count += g.attachedPolicyArns().contains(policyArn) ? 1 : 0;
        }
        return count;
    }

    /** How many users and roles of an account use the policy as their permissions boundary. */
    public int boundaryUsageCount(String account, String policyArn) {
        int count = 0;
        for (IamUser u : users(account)) {
            count += policyArn.equals(u.permissionsBoundaryArn()) ? 1 : 0;
        }
        for (Role r : roles(account)) {
            count += policyArn.equals(r.permissionsBoundaryArn()) ? 1 : 0;
        }
        return count;
    }

    // ---- access keys ------------------------------------------------------------------------

    public synchronized void putAccessKey(AccessKey key) {
        accessKeys.put(key.accessKeyId(), key);
        touch(EntityKind.ACCESS_KEY, key.accessKeyId());
    }

    public synchronized boolean deleteAccessKey(String accessKeyId) {
        keyUses.remove(accessKeyId);
        boolean removed = accessKeys.remove(accessKeyId) != null;
        if (removed) {
            touch(EntityKind.ACCESS_KEY, accessKeyId);
        }
        return removed;
    }

    public Optional<AccessKey> accessKey(String accessKeyId) {
        return Optional.ofNullable(accessKeys.get(accessKeyId));
    }

    public Collection<AccessKey> accessKeys() {
        return List.copyOf(accessKeys.values());
    }

    /** The keys of a user ({@code null}: the account root), oldest first. */
    public List<AccessKey> accessKeys(String account, String userName) {
        return accessKeys.values().stream()
                .filter(k -> k.account().equals(account)
                        && (userName == null ? k.userName() == null : userName.equalsIgnoreCase(k.userName())))
                .sorted(Comparator.comparing(AccessKey::created).thenComparing(AccessKey::accessKeyId)).toList();
    }

    public void recordKeyUse(String accessKeyId, String service, String region) {
        if (accessKeys.containsKey(accessKeyId)) {
            keyUses.put(accessKeyId, new KeyUse(clock.instant(), service, region));
        }
    }

    /** Notes that a role's session made a request; kept at minute resolution (AWS reports it with a delay too). */
    public void recordRoleUse(String roleId, String region) {
        Role role = rolesById.get(roleId);
        Instant now = clock.instant();
        if (role != null && (role.lastUsed() == null || role.lastUsed().plusSeconds(60).isBefore(now))) {
            synchronized (this) {
                Role current = rolesById.get(roleId);
                if (current != null) {
                    // Last use is not worth a durable write on the request path.
                    putRoleQuietly(current.withLastUsed(now, region));
                }
            }
        }
    }

    public Optional<KeyUse> keyUse(String accessKeyId) {
        return Optional.ofNullable(keyUses.get(accessKeyId));
    }

    // ---- server certificates, signing certificates, SSH public keys, service-specific credentials ----

    /** Server certificates by id. */
    private final Map<String, ServerCertificate> serverCertificates = new ConcurrentHashMap<>();
    /** Signing certificates by {@link SigningCertificate#key()}. */
    private final Map<String, SigningCertificate> signingCertificates = new ConcurrentHashMap<>();
    /** SSH public keys by id. */
    private final Map<String, SshPublicKey> sshPublicKeys = new ConcurrentHashMap<>();
    /** Service-specific credentials by id. */
    private final Map<String, ServiceSpecificCredential> serviceCredentials = new ConcurrentHashMap<>();
    /** Who last tried to use which service (IAM access advisor); kept apart, written coalesced. */
    private final ServiceLastAccess serviceLastAccess = new ServiceLastAccess();

    public ServiceLastAccess serviceLastAccess() {
        return serviceLastAccess;
    }

    public synchronized void putServerCertificate(ServerCertificate certificate) {
        serverCertificates.put(certificate.id(), certificate);
        touch(EntityKind.SERVER_CERTIFICATE, certificate.id());
    }

    public synchronized boolean deleteServerCertificate(String id) {
        boolean removed = serverCertificates.remove(id) != null;
        if (removed) {
            touch(EntityKind.SERVER_CERTIFICATE, id);
        }
        return removed;
    }

    public Optional<ServerCertificate> serverCertificateById(String id) {
        return Optional.ofNullable(serverCertificates.get(id));
    }

    /** A server certificate by name (unique in an account regardless of case). */
    public Optional<ServerCertificate> serverCertificate(String account, String name) {
        return serverCertificates.values().stream()
                .filter(c -> c.account().equals(account) && c.name().equalsIgnoreCase(name)).findFirst();
    }

    /** An account's server certificates, by name. */
    public List<ServerCertificate> serverCertificates(String account) {
        return serverCertificates.values().stream().filter(c -> c.account().equals(account))
                .sorted(Comparator.comparing(c -> c.name().toLowerCase(Locale.ROOT))).toList();
    }

    public synchronized void putSigningCertificate(SigningCertificate certificate) {
        signingCertificates.put(certificate.key(), certificate);
        touch(EntityKind.SIGNING_CERTIFICATE, certificate.key());
    }

    public synchronized boolean deleteSigningCertificate(String key) {
        boolean removed = signingCertificates.remove(key) != null;
        if (removed) {
            touch(EntityKind.SIGNING_CERTIFICATE, key);
        }
        return removed;
    }

    /** A signing certificate by {@link SigningCertificate#key()}. */
    public Optional<SigningCertificate> signingCertificate(String key) {
        return Optional.ofNullable(signingCertificates.get(key));
    }

    /** The signing certificates of a user ({@code null}: the account root), oldest first. */
    public List<SigningCertificate> signingCertificates(String account, String userId) {
        return signingCertificates.values().stream()
                .filter(c -> c.account().equals(account) && java.util.Objects.equals(c.userId(), userId))
                .sorted(Comparator.comparing(SigningCertificate::uploaded).thenComparing(SigningCertificate::id)).toList();
    }

    public synchronized void putSshPublicKey(SshPublicKey key) {
        sshPublicKeys.put(key.id(), key);
        touch(EntityKind.SSH_PUBLIC_KEY, key.id());
    }

    public synchronized boolean deleteSshPublicKey(String id) {
        boolean removed = sshPublicKeys.remove(id) != null;
        if (removed) {
            touch(EntityKind.SSH_PUBLIC_KEY, id);
        }
        return removed;
    }

    public Optional<SshPublicKey> sshPublicKey(String id) {
        return Optional.ofNullable(sshPublicKeys.get(id));
    }

    /** A user's SSH public keys, by id (as IAM lists them). */
    public List<SshPublicKey> sshPublicKeys(String account, String userId) {
        return sshPublicKeys.values().stream().filter(k -> k.account().equals(account) && k.userId().equals(userId))
                .sorted(Comparator.comparing(SshPublicKey::id)).toList();
    }

    public synchronized void putServiceCredential(ServiceSpecificCredential credential) {
        serviceCredentials.put(credential.id(), credential);
        touch(EntityKind.SERVICE_CREDENTIAL, credential.id());
    }

    public synchronized boolean deleteServiceCredential(String id) {
        boolean removed = serviceCredentials.remove(id) != null;
        if (removed) {
            touch(EntityKind.SERVICE_CREDENTIAL, id);
        }
        return removed;
    }

    public Optional<ServiceSpecificCredential> serviceCredential(String id) {
        return Optional.ofNullable(serviceCredentials.get(id));
    }

    /** An account's service-specific credentials, oldest first. */
    public List<ServiceSpecificCredential> serviceCredentials(String account) {
        return serviceCredentials.values().stream().filter(c -> c.account().equals(account))
                .sorted(Comparator.comparing(ServiceSpecificCredential::created)
                        .thenComparing(ServiceSpecificCredential::id)).toList();
    }

    // ---- trust policies ---------------------------------------------------------------------

    /** A validated trust policy: the compiled form with IAM principals resolved to unique ids, and the ARN-to-id map. */
    public record CompiledTrust(Policy policy, Map<String, String> principals) {}

    /**
     * Validates a trust policy (every user and role it names must exist) and resolves the users and roles
     * it names to their unique ids, as IAM does when it saves one.
     */
    public CompiledTrust compileTrust(String roleName, String text) throws InvalidPolicyException {
        String name = "trust policy of role " + roleName;
        Policy validated = Policies.parse(text, PolicyKind.TRUST, name, this::principalExists);
        Map<String, String> principals = new LinkedHashMap<>();
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            return new CompiledTrust(validated, Map.of());
        }
        JsonNode statements = root.get("Statement");
        for (JsonNode statement : statements.isArray() ? statements : JSON.createArrayNode().add(statements)) {
            JsonNode principal = statement.get("Principal");
            if (principal == null || !principal.isObject() || !principal.has("AWS")) {
                continue;
            }
            JsonNode aws = principal.get("AWS");
            if (aws.isTextual()) {
                ((ObjectNode) principal).set("AWS", resolve(aws.textValue(), principals));
            } else if (aws.isArray()) {
                ArrayNode resolved = JSON.createArrayNode();
                aws.forEach(v -> resolved.add(v.isTextual() ? resolve(v.textValue(), principals) : v));
                ((ObjectNode) principal).set("AWS", resolved);
            }
        }
        if (principals.isEmpty()) {
            return new CompiledTrust(validated, Map.of());
        }
        return new CompiledTrust(Policies.parse(root.toString(), PolicyKind.TRUST, name), principals);
    }

    private JsonNode resolve(String arn, Map<String, String> principals) {
        String id = entityId(arn);
        if (id == null) {
            return new TextNode(arn);
        }
        principals.put(arn, id);
        return new TextNode(id);
    }

    /** The unique id of the user or role an ARN names, or {@code null}. */
    private String entityId(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !parts[2].equals("iam")) {
            return null;
        }
        String resource = parts[5];
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        if (resource.startsWith("role/")) {
            return role(parts[4], name).filter(r -> r.arn().equals(arn)).map(Role::roleId).orElse(null);
        }
        if (resource.startsWith("user/")) {
            return user(parts[4], name).filter(u -> u.arn().equals(arn)).map(IamUser::userId).orElse(null);
        }
        return null;
    }

    /**
     * The trust policy as IAM shows it: the submitted text, where a named user or role that no longer
     * exists appears as its unique id, and one that was renamed under its current ARN.
     */
    public String renderTrustPolicy(Role role) {
        String text = role.trustPolicyText();
        for (Map.Entry<String, String> entry : role.trustPrincipals().entrySet()) {
            String id = entry.getValue();
            String current = id.startsWith("AROA") ? roleById(id).map(Role::arn).orElse(id)
                    : userById(id).map(IamUser::arn).orElse(id);
            if (!current.equals(entry.getKey())) {
                text = text.replace("\"" + entry.getKey() + "\"", "\"" + current + "\"");
            }
        }
        return text;
    }

    /** Whether a user or role ARN names an entity that exists now (for trust-policy validation). */
    public boolean principalExists(String arn) {
        return entityId(arn) != null;
    }

    // ---- conveniences for the service layer -------------------------------------------------

    /**
     * Creates a role. The trust policy is validated as AWS validates it, including that every user or
     * role it names exists.
     *
     * @throws InvalidPolicyException with AWS's MalformedPolicyDocument message
     * @throws IllegalStateException if a role of that name exists in the account
     */
    public synchronized Role createRole(String account, String name, String path, String trustPolicy,
                                        int maxSessionDuration, Map<String, String> tags) throws InvalidPolicyException {
        if (role(account, name).isPresent()) {
            throw new IllegalStateException("Role with name " + name + " already exists.");
        }
        CompiledTrust trust = compileTrust(name, trustPolicy);
        return putRole(new Role(account, name, path, ids.roleId(), clock.instant(), null, trust.policy(), trustPolicy,
                trust.principals(), maxSessionDuration, tags, Map.of(), List.of(), null, null, null));
    }

    /** Adds or replaces an inline policy of a role. */
    public synchronized Role putRolePolicy(String account, String roleName, String policyName, String document)
            throws InvalidPolicyException {
        Role role = role(account, roleName).orElseThrow(() -> new IllegalStateException("The role with name " + roleName
                + " cannot be found."));
        Map<String, Policy> inline = new LinkedHashMap<>(role.inlinePolicies());
        inline.put(policyName, Policies.parse(document, PolicyKind.INLINE, policyName));
        return putRole(role.withInlinePolicies(inline));
    }

    /** Creates a user with inline policies. */
    public synchronized IamUser createUser(String account, String name, Map<String, String> inlinePolicies)
            throws InvalidPolicyException {
        Map<String, Policy> inline = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : inlinePolicies.entrySet()) {
            inline.put(e.getKey(), Policies.parse(e.getValue(), PolicyKind.IDENTITY, e.getKey()));
        }
        return putUser(new IamUser(account, name, "/", ids.userId(), clock.instant(), Map.of(), inline, List.of(), null));
    }

    /** Issues a long-term access key for a user ({@code null} user name: the account root). */
    public synchronized AccessKey createAccessKey(String account, String userName) {
        AccessKey key = new AccessKey(AccessKeys.longTerm(account, ids.random()), AccessKeys.secret(ids.random()), account,
                userName, true, clock.instant());
        putAccessKey(key);
        return key;
    }

    // ---- the policies that apply to a principal ----------------------------------------------

    /** A user's identity-based policies: its inline and attached policies, then those of its groups. */
    public List<Policy> identityPolicies(IamUser user) {
        List<Policy> out = collect(user.inlinePolicies(), user.attachedPolicyArns());
        for (Group group : groupsOf(user.account(), user.name())) {
            out.addAll(collect(group.inlinePolicies(), group.attachedPolicyArns()));
        }
        return out;
    }

    /** A role's identity-based policies: inline, then attached managed policies. */
    public List<Policy> identityPolicies(Role role) {
        return collect(role.inlinePolicies(), role.attachedPolicyArns());
    }

    private List<Policy> collect(Map<String, Policy> inline, List<String> attached) {
        List<Policy> out = new ArrayList<>(inline.size() + attached.size());
        out.addAll(inline.values());
        for (String arn : attached) {
            ManagedPolicy managed = managed(arn);
            if (managed != null) {
                out.add(managed.document());
            }
        }
        return out;
    }

    /** The permissions boundary behind an ARN, or {@code null}. */
    public Policy boundary(String arn) {
        if (arn == null) {
            return null;
        }
        ManagedPolicy managed = managed(arn);
        return managed == null ? null : managed.document();
    }
}
