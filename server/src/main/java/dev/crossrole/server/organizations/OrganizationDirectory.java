package dev.crossrole.server.organizations;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.iam.Account;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.store.RecordCache;
import dev.crossrole.server.store.RecordCacheReplica;
import dev.crossrole.server.store.StoreException;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The organizations made through the Organizations API, kept as records in the store: organizations (with their one
 * root), OUs, member accounts, customer-managed policies, policy attachments, tags and account creations. After every
 * change, committed here or replicated from another node, each member account's IAM {@link Account} is recomputed
 * from the tree (organization id, and the SCP and RCP levels: root, OUs top-down, account), so the next request's
 * decision follows the organization. Accounts whose organization the accounts file defines are never touched here.
 */
public final class OrganizationDirectory extends RecordCacheReplica {
    static final String ORGS = "organizations.orgs";
    static final String UNITS = "organizations.units";
    static final String MEMBERS = "organizations.members";
    static final String POLICIES = "organizations.policies";
    static final String ATTACHMENTS = "organizations.attachments";
    static final String TAGS = "organizations.tags";
    static final String CREATE_STATUS = "organizations.create-status";
    static final String SERVICE_ACCESS = "organizations.service-access";
    static final String DELEGATED_ADMINISTRATORS = "organizations.delegated-administrators";

    static final String SCP = "SERVICE_CONTROL_POLICY";
    static final String RCP = "RESOURCE_CONTROL_POLICY";
    static final String FULL_AWS_ACCESS = "p-FullAWSAccess";
    static final String RCP_FULL_AWS_ACCESS = "p-RCPFullAWSAccess";

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** An organization (ALL features) and its root. */
    record Org(String id, String managementAccount, String created, String rootId, List<String> enabledTypes) {
        Org {
            enabledTypes = List.copyOf(enabledTypes);
        }

        Org withTypes(List<String> types) {
            return new Org(id, managementAccount, created, rootId, types);
        }

        String arn() {
            return "arn:aws:organizations::" + managementAccount + ":organization/" + id;
        }

        String rootArn() {
            return "arn:aws:organizations::" + managementAccount + ":root/" + id + "/" + rootId;
        }
    }

    /** An organizational unit under a root or another OU. */
    record Unit(String id, String orgId, String name, String parentId) {
        Unit withName(String newName) {
            return new Unit(id, orgId, newName, parentId);
        }
    }

    /** An account of an organization, in the root or an OU. */
    record Member(String accountId, String orgId, String parentId, String name, String email, String joinedMethod,
                  String joined, String status) {
        Member withParent(String newParent) {
            return new Member(accountId, orgId, newParent, name, email, joinedMethod, joined, status);
        }

        Member withStatus(String newStatus) {
            return new Member(accountId, orgId, parentId, name, email, joinedMethod, joined, newStatus);
        }
    }

    /** A customer-managed policy of an organization. */
    record OrgPolicy(String id, String orgId, String type, String name, String description, String content) {}

    /** A policy (customer or AWS managed) attached to a root, OU or account. */
    record Attachment(String policyId, String targetId, String orgId) {
        String key() {
            return key(policyId, targetId);
        }

        static String key(String policyId, String targetId) {
            return policyId + "|" + targetId;
        }
    }

    /** The tags of a root, OU, account or policy (by its id). */
    record Tags(String resourceId, String orgId, Map<String, String> tags) {}

    /** One CreateAccount request and its outcome. */
    record CreateStatus(String id, String orgId, String accountName, String accountId, String state,
                        String requested, String completed, String failureReason) {}

    /** An AWS service the organization trusts (EnableAWSServiceAccess), since when. */
    record ServiceAccess(String orgId, String servicePrincipal, String enabled) {
        String key() {
            return orgId + "|" + servicePrincipal;
        }
    }

    /** A member account registered as a service's delegated administrator, since when. */
    record DelegatedAdministrator(String orgId, String accountId, String servicePrincipal, String enabled) {
        String key() {
            return orgId + "|" + accountId + "|" + servicePrincipal;
        }
    }

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private IamDirectory iam;
    private Set<String> fileDefined = Set.of();
    /** The accounts this directory last gave an organization, to take it away when they leave. */
    private final Set<String> enforced = ConcurrentHashMap.newKeySet();
    /** Parsed control policies by name and text: a policy is parsed once, not at every recomputation. */
    private final Map<String, Policy> parsed = new ConcurrentHashMap<>();

    private final RecordCache<Org> orgs = cache(ORGS, Org.class);
    private final RecordCache<Unit> units = cache(UNITS, Unit.class);
    private final RecordCache<Member> members = cache(MEMBERS, Member.class);
    private final RecordCache<OrgPolicy> policies = cache(POLICIES, OrgPolicy.class);
    private final RecordCache<Attachment> attachments = cache(ATTACHMENTS, Attachment.class);
    private final RecordCache<Tags> tags = cache(TAGS, Tags.class);
    private final RecordCache<CreateStatus> createStatus = cache(CREATE_STATUS, CreateStatus.class);
    private final RecordCache<ServiceAccess> serviceAccess = cache(SERVICE_ACCESS, ServiceAccess.class);
    private final RecordCache<DelegatedAdministrator> delegated = cache(DELEGATED_ADMINISTRATORS,
            DelegatedAdministrator.class);

    public OrganizationDirectory(Clock clock) {
        this.clock = clock;
    }

    /**
     * Where enforcement goes: IAM's accounts. {@code fileDefined} are the accounts whose organization the accounts
     * file gives; they keep it and are never members here.
     */
    public synchronized void enforceOn(IamDirectory directory, Set<String> fileDefinedAccounts) {
        this.iam = directory;
        this.fileDefined = Set.copyOf(fileDefinedAccounts);
        enforce();
    }

    @Override
    protected List<RecordCache<?>> caches() {
        return List.of(orgs, units, members, policies, attachments, tags, createStatus, serviceAccess, delegated);
    }

    @Override
    protected void changed() {
        enforce();
    }

    Clock clock() {
        return clock;
    }

    boolean fileDefined(String account) {
        return fileDefined.contains(account);
    }

    IamDirectory iam() {
        return iam;
    }

    // ---- ids --------------------------------------------------------------------------------------------

    String randomId(String prefix, int length) {
        StringBuilder out = new StringBuilder(prefix);
        for (int i = 0; i < length; i++) {
            out.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
        }
        return out.toString();
    }

    String randomDigits(int length) {
        StringBuilder out = new StringBuilder();
        out.append((char) ('1' + random.nextInt(9)));
        for (int i = 1; i < length; i++) {
            out.append((char) ('0' + random.nextInt(10)));
        }
        return out.toString();
    }

    // ---- reading ----------------------------------------------------------------------------------------

    Optional<Org> org(String id) {
        return orgs.get(id);
    }

    Optional<Member> member(String account) {
        return members.get(account);
    }

    /** The organization an account belongs to through this API. */
    Optional<Org> orgOf(String account) {
        return members.get(account).flatMap(m -> orgs.get(m.orgId()));
    }

    Optional<Unit> unit(String id) {
        return units.get(id);
    }

    List<Unit> units(String orgId) {
        return units.values().stream().filter(u -> u.orgId().equals(orgId)).sorted(Comparator.comparing(Unit::id))
                .toList();
    }

    List<Unit> unitsUnder(String parentId) {
        return units.values().stream().filter(u -> u.parentId().equals(parentId))
                .sorted(Comparator.comparing(Unit::id)).toList();
    }

    List<Member> members(String orgId) {
        return members.values().stream().filter(m -> m.orgId().equals(orgId))
                .sorted(Comparator.comparing(Member::accountId)).toList();
    }

    List<Member> membersUnder(String parentId) {
        return members.values().stream().filter(m -> m.parentId().equals(parentId))
                .sorted(Comparator.comparing(Member::accountId)).toList();
    }

    Optional<OrgPolicy> policy(String id) {
        return policies.get(id);
    }

    List<OrgPolicy> policies(String orgId) {
        return policies.values().stream().filter(p -> p.orgId().equals(orgId))
                .sorted(Comparator.comparing(OrgPolicy::id)).toList();
    }

    List<Attachment> attachments(String orgId) {
        return attachments.values().stream().filter(a -> a.orgId().equals(orgId))
                .sorted(Comparator.comparing(Attachment::key)).toList();
    }

    boolean attached(String policyId, String targetId) {
        return attachments.get(Attachment.key(policyId, targetId)).isPresent();
    }

    Map<String, String> tags(String resourceId) {
        return tags.get(resourceId).map(Tags::tags).orElse(Map.of());
    }

    /** The services the organization trusts, by service principal. */
    List<ServiceAccess> serviceAccess(String orgId) {
        return serviceAccess.values().stream().filter(a -> a.orgId().equals(orgId))
                .sorted(Comparator.comparing(ServiceAccess::servicePrincipal)).toList();
    }

    void put(ServiceAccess access) {
        serviceAccess.put(access.key(), access);
    }

    void remove(ServiceAccess access) {
        serviceAccess.remove(access.key());
    }

    /** The organization's delegated administrators, by account and service. */
    List<DelegatedAdministrator> delegatedAdministrators(String orgId) {
        return delegated.values().stream().filter(d -> d.orgId().equals(orgId))
                .sorted(Comparator.comparing(DelegatedAdministrator::accountId)
                        .thenComparing(DelegatedAdministrator::servicePrincipal)).toList();
    }

    void put(DelegatedAdministrator administrator) {
        delegated.put(administrator.key(), administrator);
    }

    void remove(DelegatedAdministrator administrator) {
        delegated.remove(administrator.key());
    }

    Optional<CreateStatus> createStatus(String id) {
        return createStatus.get(id);
    }

    List<CreateStatus> createStatuses(String orgId) {
        return createStatus.values().stream().filter(s -> s.orgId().equals(orgId))
                .sorted(Comparator.comparing(CreateStatus::requested).thenComparing(CreateStatus::id)).toList();
    }

    /** The path of a root or OU from the root: the root's id first, the OU itself last. */
    List<String> pathTo(String parentId) {
        List<String> path = new ArrayList<>();
        String at = parentId;
        while (at != null && at.startsWith("ou-")) {
            path.add(at);
            at = units.get(at).map(Unit::parentId).orElse(null);
        }
        if (at != null) {
            path.add(at);
        }
        Collections.reverse(path);
        return path;
    }

    // ---- writing ----------------------------------------------------------------------------------------

    void put(Org org) {
        orgs.put(org.id(), org);
    }

    void remove(Org org) {
        orgs.remove(org.id());
    }

    void put(Unit unit) {
        units.put(unit.id(), unit);
    }

    void remove(Unit unit) {
        units.remove(unit.id());
    }

    void put(Member member) {
        members.put(member.accountId(), member);
    }

    void remove(Member member) {
        members.remove(member.accountId());
    }

    void put(OrgPolicy policy) {
        policies.put(policy.id(), policy);
    }

    void remove(OrgPolicy policy) {
        policies.remove(policy.id());
    }

    void put(Attachment attachment) {
        attachments.put(attachment.key(), attachment);
    }

    void remove(Attachment attachment) {
        attachments.remove(attachment.key());
    }

    void putTags(String resourceId, String orgId, Map<String, String> newTags) {
        if (newTags.isEmpty()) {
            tags.remove(resourceId);
        } else {
            tags.put(resourceId, new Tags(resourceId, orgId, Map.copyOf(newTags)));
        }
    }

    /** The accounts CreateAccount made, to be served again at every start. */
    public List<String> createdAccounts() {
        return createStatus.values().stream().filter(s -> s.accountId() != null).map(CreateStatus::accountId)
                .sorted().toList();
    }

    void put(CreateStatus status) {
        createStatus.put(status.id(), status);
    }

    /** Everything of a target that goes with it: its attachments and tags. */
    void forget(String targetId) {
        for (Attachment a : List.copyOf(attachments.values())) {
            if (a.targetId().equals(targetId)) {
                attachments.remove(a.key());
            }
        }
        tags.remove(targetId);
    }

    // ---- enforcement ------------------------------------------------------------------------------------

    /**
     * Puts into IAM every member's organization and control policies, and takes them from accounts that left. The
     * management account gets the organization's id and no levels: SCPs and RCPs never apply to it.
     */
    synchronized void enforce() {
        IamDirectory directory = iam;
        if (directory == null) {
            return;
        }
        Set<String> now = new HashSet<>();
        List<Account> accounts = new ArrayList<>();
        for (Member m : members.values()) {
            Org org = orgs.get(m.orgId()).orElse(null);
            if (org == null || fileDefined.contains(m.accountId())) {
                continue;
            }
            now.add(m.accountId());
            String alias = directory.account(m.accountId()).map(Account::alias).orElse(null);
            String path = org.id() + "/" + String.join("/", pathTo(m.parentId())) + "/";
            if (org.managementAccount().equals(m.accountId())) {
                accounts.add(new Account(m.accountId(), alias, org.id(), List.of(), List.of(), path));
            } else if (!m.status().equals("ACTIVE")) {
                // A closed (suspended) account's principals may do nothing: one level that denies everything.
                accounts.add(new Account(m.accountId(), alias, org.id(), List.of(List.of(CLOSED)),
                        levels(org, m, RCP), path));
            } else {
                accounts.add(new Account(m.accountId(), alias, org.id(), levels(org, m, SCP), levels(org, m, RCP),
                        path));
            }
        }
        for (String gone : enforced) {
            if (!now.contains(gone) && !fileDefined.contains(gone)) {
                String alias = directory.account(gone).map(Account::alias).orElse(null);
                accounts.add(new Account(gone, alias));
            }
        }
        directory.untracked(() -> accounts.forEach(directory::putAccount));
        enforced.clear();
        enforced.addAll(now);
    }

    /** The policies of one type that apply to a member, one list per level: root, OUs top-down, the account. */
    private List<List<Policy>> levels(Org org, Member member, String type) {
        if (!org.enabledTypes().contains(type)) {
            return List.of();
        }
        List<String> targets = new ArrayList<>(pathTo(member.parentId()));
        targets.add(member.accountId());
        List<List<Policy>> levels = new ArrayList<>();
        for (String target : targets) {
            List<Policy> level = new ArrayList<>();
            for (Attachment a : attachments.values()) {
                if (a.targetId().equals(target) && a.orgId().equals(org.id())) {
                    Policy policy = compiled(a.policyId(), target, type);
                    if (policy != null) {
                        level.add(policy);
                    }
                }
            }
            levels.add(level);
        }
        return levels;
    }

    private Policy compiled(String policyId, String target, String type) {
        String name;
        String content;
        if (policyId.equals(FULL_AWS_ACCESS) || policyId.equals(RCP_FULL_AWS_ACCESS)) {
            if (!policyId.equals(type.equals(SCP) ? FULL_AWS_ACCESS : RCP_FULL_AWS_ACCESS)) {
                return null;
            }
            name = policyId.substring(2);
            content = awsManagedContent(policyId);
        } else {
            OrgPolicy policy = policies.get(policyId).orElse(null);
            if (policy == null || !policy.type().equals(type)) {
                return null;
            }
            name = policy.name();
            content = policy.content();
        }
        // How `crossrole why` names the policy that decided.
        String shown = (type.equals(SCP) ? "SCP " : "RCP ") + name + " (" + policyId + ") attached to " + target;
        return parsed.computeIfAbsent(shown + "\u0000" + content, k -> {
            try {
                return Policies.parse(content, type.equals(SCP) ? PolicyKind.SCP : PolicyKind.RCP, shown);
            } catch (InvalidPolicyException e) {
                // Content was validated when it was written; a record that no longer parses allows nothing more.
                return Policies.parseValid(DENY_NOTHING, type.equals(SCP) ? PolicyKind.SCP : PolicyKind.RCP, shown);
            }
        });
    }

    private static final Policy CLOSED = Policies.parseValid("{\"Version\":\"2012-10-17\",\"Statement\":[{"
            + "\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}", PolicyKind.SCP,
            "the account is closed (SUSPENDED by CloseAccount)");

    private static final String DENY_NOTHING = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
            + "\"Action\":\"none:none\",\"Resource\":\"*\"}]}";

    /** The content of the AWS-managed policies FullAWSAccess and RCPFullAWSAccess. */
    static String awsManagedContent(String policyId) {
        return policyId.equals(FULL_AWS_ACCESS)
                ? "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"
                : "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\","
                        + "\"Resource\":\"*\"}]}";
    }

    // ---- records ----------------------------------------------------------------------------------------

    private static <T> RecordCache<T> cache(String namespace, Class<T> type) {
        return new RecordCache<>(namespace, value -> {
            try {
                return JSON.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, bytes -> {
            try {
                return JSON.readValue(bytes, type);
            } catch (IOException e) {
                throw new StoreException("a record of " + namespace + " is not readable: " + e.getMessage(), e);
            }
        });
    }
}
