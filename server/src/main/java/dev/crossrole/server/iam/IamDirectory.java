package dev.crossrole.server.iam;

import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The IAM entities of every account, in memory. Reads are lock-free; writes replace immutable values.
 * Other services use it through the lookups here; the IAM API mutates it.
 */
public final class IamDirectory {
    /** AWS-managed policies crossrole knows; their account part is {@code aws}. */
    public static final String ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess";

    private final Clock clock;
    private final IdGenerator ids;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final Map<String, IamUser> users = new ConcurrentHashMap<>();
    private final Map<String, Role> roles = new ConcurrentHashMap<>();
    private final Map<String, Role> rolesById = new ConcurrentHashMap<>();
    private final Map<String, IamUser> usersById = new ConcurrentHashMap<>();
    private final Map<String, ManagedPolicy> policies = new ConcurrentHashMap<>();
    private final Map<String, AccessKey> accessKeys = new ConcurrentHashMap<>();

    public IamDirectory(Clock clock, IdGenerator ids) {
        this.clock = clock;
        this.ids = ids;
        String admin = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
        policies.put(ADMINISTRATOR_ACCESS, new ManagedPolicy(ADMINISTRATOR_ACCESS, "AdministratorAccess", "/",
                "ANPAIWMBCKSKIEE64ZLYK", Policies.parseValid(admin, PolicyKind.IDENTITY, ADMINISTRATOR_ACCESS),
                clock.instant()));
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

    public void putAccount(Account account) {
        accounts.put(account.id(), account);
    }

    public Optional<Account> account(String id) {
        return Optional.ofNullable(accounts.get(id));
    }

    public Collection<Account> accounts() {
        return List.copyOf(accounts.values());
    }

    // ---- users ------------------------------------------------------------------------------

    public synchronized IamUser putUser(IamUser user) {
        IamUser previous = users.put(key(user.account(), user.name()), user);
        if (previous != null && !previous.userId().equals(user.userId())) {
            usersById.remove(previous.userId());
        }
        usersById.put(user.userId(), user);
        return user;
    }

    public Optional<IamUser> user(String account, String name) {
        return Optional.ofNullable(users.get(key(account, name)));
    }

    public Optional<IamUser> userById(String userId) {
        return Optional.ofNullable(usersById.get(userId));
    }

    // ---- roles ------------------------------------------------------------------------------

    public synchronized Role putRole(Role role) {
        Role previous = roles.put(key(role.account(), role.name()), role);
        if (previous != null && !previous.roleId().equals(role.roleId())) {
            rolesById.remove(previous.roleId());
        }
        rolesById.put(role.roleId(), role);
        return role;
    }

    public synchronized boolean deleteRole(String account, String name) {
        Role removed = roles.remove(key(account, name));
        if (removed != null) {
            rolesById.remove(removed.roleId());
        }
        return removed != null;
    }

    /** A role by name; role names are matched exactly when assuming (IAM lookups are case-insensitive). */
    public Optional<Role> role(String account, String name) {
        return Optional.ofNullable(roles.get(key(account, name)));
    }

    public Optional<Role> roleById(String roleId) {
        return Optional.ofNullable(rolesById.get(roleId));
    }

    /** Whether a user or role ARN names an entity that exists now (for trust-policy validation). */
    public boolean principalExists(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length != 6) {
            return false;
        }
        String resource = parts[5];
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        if (resource.startsWith("role/")) {
            return role(parts[4], name).map(r -> r.arn().equals(arn)).orElse(false);
        }
        if (resource.startsWith("user/")) {
            return user(parts[4], name).map(u -> u.arn().equals(arn)).orElse(false);
        }
        return false;
    }

    // ---- managed policies -------------------------------------------------------------------

    public void putPolicy(ManagedPolicy policy) {
        policies.put(policy.arn(), policy);
    }

    public Optional<ManagedPolicy> policy(String arn) {
        return Optional.ofNullable(policies.get(arn));
    }

    // ---- access keys ------------------------------------------------------------------------

    public void putAccessKey(AccessKey key) {
        accessKeys.put(key.accessKeyId(), key);
    }

    public Optional<AccessKey> accessKey(String accessKeyId) {
        return Optional.ofNullable(accessKeys.get(accessKeyId));
    }

    public Collection<AccessKey> accessKeys() {
        return List.copyOf(accessKeys.values());
    }

    // ---- creating entities (the service layer the IAM API builds on) ------------------------

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
        Policy trust = Policies.parse(trustPolicy, PolicyKind.TRUST, "trust policy of role " + name, this::principalExists);
        return putRole(new Role(account, name, path, ids.roleId(), clock.instant(), null, trust, maxSessionDuration,
                tags, Map.of(), List.of(), null));
    }

    /** Replaces a role's trust policy. */
    public synchronized Role updateTrustPolicy(String account, String name, String trustPolicy) throws InvalidPolicyException {
        Role role = role(account, name).orElseThrow(() -> new IllegalStateException("The role with name " + name
                + " cannot be found."));
        Policy trust = Policies.parse(trustPolicy, PolicyKind.TRUST, "trust policy of role " + name, this::principalExists);
        return putRole(new Role(role.account(), role.name(), role.path(), role.roleId(), role.created(), role.description(),
                trust, role.maxSessionDuration(), role.tags(), role.inlinePolicies(), role.attachedPolicyArns(),
                role.permissionsBoundaryArn()));
    }

    /** Adds or replaces an inline policy of a role. */
    public synchronized Role putRolePolicy(String account, String roleName, String policyName, String document)
            throws InvalidPolicyException {
        Role role = role(account, roleName).orElseThrow(() -> new IllegalStateException("The role with name " + roleName
                + " cannot be found."));
        Policy policy = Policies.parse(document, PolicyKind.IDENTITY, policyName);
        Map<String, Policy> inline = new java.util.LinkedHashMap<>(role.inlinePolicies());
        inline.put(policyName, policy);
        return putRole(new Role(role.account(), role.name(), role.path(), role.roleId(), role.created(), role.description(),
                role.trustPolicy(), role.maxSessionDuration(), role.tags(), inline, role.attachedPolicyArns(),
                role.permissionsBoundaryArn()));
    }

    /** Creates a user with inline policies and, if asked, an access key. */
    public synchronized IamUser createUser(String account, String name, Map<String, String> inlinePolicies)
            throws InvalidPolicyException {
        Map<String, Policy> inline = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, String> e : inlinePolicies.entrySet()) {
            inline.put(e.getKey(), Policies.parse(e.getValue(), PolicyKind.IDENTITY, e.getKey()));
        }
        return putUser(new IamUser(account, name, "/", ids.userId(), clock.instant(), Map.of(), inline, List.of(), null));
    }

    /** Issues a long-term access key for a user ({@code null} user name: the account root). */
    public AccessKey createAccessKey(String account, String userName) {
        AccessKey key = new AccessKey(dev.crossrole.server.auth.AccessKeys.longTerm(account, ids.random()),
                dev.crossrole.server.auth.AccessKeys.secret(ids.random()), account, userName, true, clock.instant());
        putAccessKey(key);
        return key;
    }

    // ---- the policies that apply to a principal ----------------------------------------------

    /** A user's identity-based policies: inline, then attached managed policies. */
    public List<Policy> identityPolicies(IamUser user) {
        return collect(user.inlinePolicies(), user.attachedPolicyArns());
    }

    /** A role's identity-based policies: inline, then attached managed policies. */
    public List<Policy> identityPolicies(Role role) {
        return collect(role.inlinePolicies(), role.attachedPolicyArns());
    }

    private List<Policy> collect(Map<String, Policy> inline, List<String> attached) {
        List<Policy> out = new ArrayList<>(inline.size() + attached.size());
        out.addAll(inline.values());
        for (String arn : attached) {
            ManagedPolicy managed = policies.get(arn);
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
        ManagedPolicy managed = policies.get(arn);
        return managed == null ? null : managed.document();
    }
}
