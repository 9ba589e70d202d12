package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Managed policies: create, read, list, delete; versions; tags; the entities a policy is attached to.
 * Every operation on one policy is authorized as {@code iam:<Operation>} on the policy's ARN (AWS-managed
 * policies, {@code arn:aws:iam::aws:policy/...}, count as the caller's own account: anyone may read and
 * attach them, nobody may change them). {@code ListPolicies} is authorized on {@code *}.
 */
final class PolicyOperations {
    /** Versions a managed policy may have at once (quota {@code PolicyVersionsPerPolicy}). */
    static final int MAX_VERSIONS = 5;

    private final IamDirectory iam;

    PolicyOperations(IamSupport support) {
        this.iam = support.iam;
    }

    // ---- shapes -----------------------------------------------------------------------------

    /**
     * The Policy shape; {@code full} adds what GetPolicy/CreatePolicy return and ListPolicies leaves out
     * (description, tags). Attachment counts are those of the caller's account.
     */
    private Shape policyShape(ManagedPolicy policy, String account, boolean full) {
        Shape shape = Shape.of()
                .put("PolicyName", policy.name())
                .put("PolicyId", policy.policyId())
                .put("Arn", policy.arn())
                .put("Path", policy.path())
                .put("DefaultVersionId", policy.defaultVersionId())
                .put("AttachmentCount", iam.attachmentCount(account, policy.arn()))
                .put("PermissionsBoundaryUsageCount", iam.boundaryUsageCount(account, policy.arn()))
                .put("IsAttachable", true);
        if (full) {
            shape.put("Description", policy.description());
        }
        shape.put("CreateDate", policy.created()).put("UpdateDate", policy.updated());
        if (full && !policy.tags().isEmpty()) {
            shape.put("Tags", IamSupport.tagShapes(sortedTags(policy.tags())));
        }
        return shape;
    }

    /** The PolicyVersion shape; only GetPolicyVersion returns the document (URL-encoded). */
    private static Shape versionShape(ManagedPolicy policy, ManagedPolicy.PolicyVersion version, boolean document) {
        Shape shape = Shape.of();
        if (document) {
            shape.put("Document", IamSupport.encodeDocument(version.document().text()));
        }
        return shape.put("VersionId", version.versionId())
                .put("IsDefaultVersion", version.versionId().equals(policy.defaultVersionId()))
                .put("CreateDate", version.created());
    }

    /** Tags in a stable order (the record keeps them in an unordered map). */
    private static Map<String, String> sortedTags(Map<String, String> tags) {
        Map<String, String> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sorted.putAll(tags);
        return sorted;
    }

    // ---- parameters -------------------------------------------------------------------------

    /**
     * A policy ARN that passed the length checks must also parse as an ARN (else ValidationError
     * "Invalid ARN:  Could not be parsed!", as AWS answers) and name a managed policy (else InvalidInput).
     */
    private static void checkArn(String arn) {
        if (!arn.startsWith("arn:") || arn.split(":", 6).length < 6) {
            throw AwsException.validation("Invalid ARN:  Could not be parsed!");
        }
        if (!IamSupport.POLICY_ARN.matcher(arn).matches()) {
            throw IamSupport.invalidInput("ARN " + arn + " is not valid.");
        }
    }

    // ---- lookups and access checks ----------------------------------------------------------

    /** A policy the caller's account can see: its own customer-managed ones and AWS's; otherwise {@code null}. */
    private ManagedPolicy visible(Call call, String arn) {
        return iam.policy(arn).filter(p -> p.awsManaged() || p.account().equals(account(call))).orElse(null);
    }

    private ManagedPolicy existing(Call call, String arn) {
        ManagedPolicy policy = visible(call, arn);
        if (policy == null) {
            throw IamSupport.noSuchEntity("Policy " + arn + " was not found.");
        }
        return policy;
    }

    /** An existing policy the caller may change: customer-managed, not AWS's. */
    private ManagedPolicy modifiable(Call call, String arn) {
        ManagedPolicy policy = existing(call, arn);
        if (policy.awsManaged()) {
            throw IamSupport.invalidInput("Policy " + arn + " is an AWS managed policy: it can be read and attached,"
                    + " but not changed, tagged or deleted. Create a customer managed policy instead.");
        }
        return policy;
    }

    private static ManagedPolicy.PolicyVersion version(ManagedPolicy policy, String versionId) {
        for (ManagedPolicy.PolicyVersion version : policy.versions()) {
            if (version.versionId().equals(versionId)) {
                return version;
            }
        }
        throw IamSupport.noSuchEntity("Policy " + policy.arn() + " version " + versionId
                + " does not exist or is not attachable.");
    }

    /** The policy's ARN as the access check's resource, with its tags as condition keys when it exists. */
    private AccessCheck onPolicy(Call call, String action, String arn, RequestContext.Builder extra) {
        ManagedPolicy policy = visible(call, arn);
        RequestContext.Builder context = extra == null ? RequestContext.builder() : extra;
        if (policy != null) {
            IamSupport.resourceTags(context, policy.tags());
        }
        return IamSupport.check(action, arn, context.build());
    }

    private static Policy compile(String document, String name) {
        return IamSupport.parse(document, PolicyKind.IDENTITY, name);
    }

    private static ManagedPolicy with(ManagedPolicy p, String defaultVersionId, List<ManagedPolicy.PolicyVersion> versions,
                                      int nextVersion, Instant updated, Map<String, String> tags) {
        return new ManagedPolicy(p.arn(), p.name(), p.path(), p.policyId(), p.description(), p.created(), updated,
                defaultVersionId, versions, nextVersion, tags);
    }

    // ---- create, read, list, delete ---------------------------------------------------------

    PreparedCall createPolicy(Call call, Input input) {
        String name = input.string("PolicyName");
        String path = input.string("Path");
        String document = input.string("PolicyDocument");
        String description = input.string("Description");
        Map<String, String> tags = IamSupport.tags(input);
        String policyPath = path == null ? "/" : path;
        String arn = "arn:aws:iam::" + account(call) + ":policy" + policyPath + name;
        RequestContext context = IamSupport.requestTags(RequestContext.builder(), tags).build();
        List<AccessCheck> checks = new ArrayList<>(List.of(IamSupport.check("iam:CreatePolicy", arn, context)));
        if (!tags.isEmpty()) {
            checks.add(IamSupport.checkByArn("iam:TagPolicy", arn, context));
        }
        return PreparedCall.of(checks, () -> {
            synchronized (iam) {
                boolean taken = iam.policies(account(call), false, true).stream()
                        .anyMatch(p -> p.name().equalsIgnoreCase(name));
                if (taken) {
                    throw IamSupport.alreadyExists("A policy called " + name + " already exists. Duplicate names are not allowed.");
                }
                Policy compiled = compile(document, name);
                Instant now = iam.clock().instant();
                ManagedPolicy policy = new ManagedPolicy(arn, name, policyPath, iam.ids().policyId(), description, now, now,
                        "v1", List.of(new ManagedPolicy.PolicyVersion("v1", compiled, now)), 2, tags);
                iam.putPolicy(policy);
                return Shape.of().put("Policy", policyShape(policy, account(call), true));
            }
        });
    }

    PreparedCall getPolicy(Call call, Input input) {
        String arn = input.string("PolicyArn");
        checkArn(arn);
        return PreparedCall.of(List.of(onPolicy(call, "iam:GetPolicy", arn, null)),
                () -> Shape.of().put("Policy", policyShape(existing(call, arn), account(call), true)));
    }

    PreparedCall listPolicies(Call call, Input input) {
        String scope = input.string("Scope");
        boolean onlyAttached = input.bool("OnlyAttached", false);
        String prefix = input.string("PathPrefix");
        String usage = input.string("PolicyUsageFilter");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(IamSupport.check("iam:ListPolicies", IamSupport.listResource(call, "policy"), RequestContext.empty())), () -> {
            String account = account(call);
            boolean aws = scope == null || !scope.equals("Local");
            boolean local = scope == null || !scope.equals("AWS");
            Predicate<ManagedPolicy> used = p -> true;
            if ("PermissionsBoundary".equals(usage)) {
                used = p -> iam.boundaryUsageCount(account, p.arn()) > 0;
            } else if ("PermissionsPolicy".equals(usage) || onlyAttached) {
                used = p -> iam.attachmentCount(account, p.arn()) > 0;
            }
            Predicate<ManagedPolicy> wanted = used;
            List<ManagedPolicy> policies = iam.policies(account, aws, local).stream()
                    .filter(p -> IamSupport.underPrefix(p.path(), prefix))
                    .filter(wanted)
                    .toList();
            IamSupport.Page<ManagedPolicy> p = IamSupport.page(policies, page);
            return p.into(Shape.of().put("Policies", IamSupport.shapes(p.items(), m -> policyShape(m, account, false))));
        });
    }

    PreparedCall deletePolicy(Call call, Input input) {
        String arn = input.string("PolicyArn");
        checkArn(arn);
        return PreparedCall.of(List.of(onPolicy(call, "iam:DeletePolicy", arn, null)), () -> {
            synchronized (iam) {
                ManagedPolicy policy = modifiable(call, arn);
                if (iam.attachmentCount(account(call), arn) > 0 || iam.boundaryUsageCount(account(call), arn) > 0) {
                    throw IamSupport.deleteConflict("Cannot delete a policy attached to entities.");
                }
                if (policy.versions().size() > 1) {
                    throw IamSupport.deleteConflict("This policy has more than one version. Before you delete a policy, you"
                            + " must delete the policy's versions. The default version is deleted with the policy.");
                }
                iam.deletePolicy(arn);
                return null;
            }
        });
    }

    // ---- versions ---------------------------------------------------------------------------

    PreparedCall createPolicyVersion(Call call, Input input) {
        String arn = input.string("PolicyArn");
        String document = input.string("PolicyDocument");
        boolean setAsDefault = input.bool("SetAsDefault", false);
        checkArn(arn);
        return PreparedCall.of(List.of(onPolicy(call, "iam:CreatePolicyVersion", arn, null)), () -> {
            synchronized (iam) {
                ManagedPolicy policy = modifiable(call, arn);
                if (policy.versions().size() >= MAX_VERSIONS) {
                    throw IamSupport.limitExceeded("A managed policy can have up to " + MAX_VERSIONS + " versions. Before you"
                            + " create a new version, you must delete an existing version.");
                }
                Policy compiled = compile(document, policy.name());
                Instant now = iam.clock().instant();
                ManagedPolicy.PolicyVersion created = new ManagedPolicy.PolicyVersion("v" + policy.nextVersion(), compiled, now);
                List<ManagedPolicy.PolicyVersion> versions = new ArrayList<>(policy.versions());
                versions.add(created);
                ManagedPolicy updated = with(policy, setAsDefault ? created.versionId() : policy.defaultVersionId(), versions,
                        policy.nextVersion() + 1, now, policy.tags());
                iam.putPolicy(updated);
                return Shape.of().put("PolicyVersion", versionShape(updated, created, false));
            }
        });
    }

    PreparedCall getPolicyVersion(Call call, Input input) {
        String arn = input.string("PolicyArn");
        String versionId = input.string("VersionId");
        checkArn(arn);
        return PreparedCall.of(List.of(onPolicy(call, "iam:GetPolicyVersion", arn, null)), () -> {
            ManagedPolicy policy = existing(call, arn);
            return Shape.of().put("PolicyVersion", versionShape(policy, version(policy, versionId), true));
        });
    }

    PreparedCall listPolicyVersions(Call call, Input input) {
        String arn = input.string("PolicyArn");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        checkArn(arn);
        return PreparedCall.of(List.of(onPolicy(call, "iam:ListPolicyVersions", arn, null)), () -> {
            ManagedPolicy policy = existing(call, arn);
            // Newest first, as IAM lists them.
            List<ManagedPolicy.PolicyVersion> versions = new ArrayList<>(policy.versions());
            versions.sort((a, b) -> Integer.compare(number(b.versionId()), number(a.versionId())));
            IamSupport.Page<ManagedPolicy.PolicyVersion> p = IamSupport.page(versions, page);
            return p.into(Shape.of().put("Versions", IamSupport.shapes(p.items(), v -> versionShape(policy, v, false))));
        });
    }

    private static int number(String versionId) {
        StringBuilder digits = new StringBuilder();
        for (int i = 1; i < versionId.length() && Character.isDigit(versionId.charAt(i)); i++) {
            digits.append(versionId.charAt(i));
        }
        try {
            return Integer.parseInt(digits.toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    PreparedCall setDefaultPolicyVersion(Call call, Input input) {
        String arn = input.string("PolicyArn");
        String versionId = input.string("VersionId");
        checkArn(arn);
        return PreparedCall.of(List.of(onPolicy(call, "iam:SetDefaultPolicyVersion", arn, null)), () -> {
            synchronized (iam) {
                ManagedPolicy policy = modifiable(call, arn);
                ManagedPolicy.PolicyVersion target = version(policy, versionId);
                iam.putPolicy(with(policy, target.versionId(), policy.versions(), policy.nextVersion(), policy.updated(),
                        policy.tags()));
                return null;
            }
        });
    }

    PreparedCall deletePolicyVersion(Call call, Input input) {
        String arn = input.string("PolicyArn");
        String versionId = input.string("VersionId");
        checkArn(arn);
        return PreparedCall.of(List.of(onPolicy(call, "iam:DeletePolicyVersion", arn, null)), () -> {
            synchronized (iam) {
                ManagedPolicy policy = modifiable(call, arn);
                ManagedPolicy.PolicyVersion target = version(policy, versionId);
                if (target.versionId().equals(policy.defaultVersionId())) {
                    throw IamSupport.deleteConflict("Cannot delete the default version of a policy.");
                }
                List<ManagedPolicy.PolicyVersion> versions = new ArrayList<>(policy.versions());
                versions.removeIf(v -> v.versionId().equals(target.versionId()));
                iam.putPolicy(with(policy, policy.defaultVersionId(), versions, policy.nextVersion(), policy.updated(),
                        policy.tags()));
                return null;
            }
        });
    }

    // ---- tags -------------------------------------------------------------------------------

    PreparedCall tagPolicy(Call call, Input input) {
        String arn = input.string("PolicyArn");
        Map<String, String> tags = IamSupport.tags(input);
        checkArn(arn);
        RequestContext.Builder context = IamSupport.requestTags(RequestContext.builder(), tags);
        return PreparedCall.of(List.of(onPolicy(call, "iam:TagPolicy", arn, context)), () -> {
            synchronized (iam) {
                ManagedPolicy policy = modifiable(call, arn);
                iam.putPolicy(with(policy, policy.defaultVersionId(), policy.versions(), policy.nextVersion(),
                        policy.updated(), IamSupport.mergeTags(policy.tags(), tags)));
                return null;
            }
        });
    }

    PreparedCall untagPolicy(Call call, Input input) {
        String arn = input.string("PolicyArn");
        List<String> keys = input.<String>listOrEmpty("TagKeys");
        checkArn(arn);
        RequestContext.Builder context = RequestContext.builder().multi("aws:TagKeys", keys);
        return PreparedCall.of(List.of(onPolicy(call, "iam:UntagPolicy", arn, context)), () -> {
            synchronized (iam) {
                ManagedPolicy policy = modifiable(call, arn);
                Map<String, String> remaining = new LinkedHashMap<>(policy.tags());
                remaining.keySet().removeIf(k -> keys.stream().anyMatch(k::equalsIgnoreCase));
                iam.putPolicy(with(policy, policy.defaultVersionId(), policy.versions(), policy.nextVersion(),
                        policy.updated(), remaining));
                return null;
            }
        });
    }

    PreparedCall listPolicyTags(Call call, Input input) {
        String arn = input.string("PolicyArn");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        checkArn(arn);
        return PreparedCall.of(List.of(onPolicy(call, "iam:ListPolicyTags", arn, null)), () -> {
            ManagedPolicy policy = existing(call, arn);
            IamSupport.Page<Map.Entry<String, String>> p = IamSupport.page(
                    new ArrayList<>(sortedTags(policy.tags()).entrySet()), page);
            return p.into(Shape.of().put("Tags", IamSupport.shapes(p.items(),
                    e -> Shape.of().put("Key", e.getKey()).put("Value", e.getValue()))));
        });
    }

    // ---- entities ---------------------------------------------------------------------------

    /** One user, group or role that uses a policy, as ListEntitiesForPolicy lists it. */
    private record Entity(String list, Shape shape) {}

    PreparedCall listEntitiesForPolicy(Call call, Input input) {
        String arn = input.string("PolicyArn");
        String filter = input.string("EntityFilter");
        String prefix = input.string("PathPrefix");
        String usage = input.string("PolicyUsageFilter");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        checkArn(arn);
        return PreparedCall.of(List.of(onPolicy(call, "iam:ListEntitiesForPolicy", arn, null)), () -> {
            existing(call, arn);
            String account = account(call);
            boolean permissions = !"PermissionsBoundary".equals(usage);
            boolean boundaries = !"PermissionsPolicy".equals(usage);
            List<Entity> entities = new ArrayList<>();
            if (filter == null || filter.equals("Group")) {
                for (Group g : iam.groups(account)) {
                    if (permissions && g.attachedPolicyArns().contains(arn) && IamSupport.underPrefix(g.path(), prefix)) {
                        entities.add(new Entity("PolicyGroups", Shape.of().put("GroupName", g.name()).put("GroupId", g.groupId())));
                    }
                }
            }
            if (filter == null || filter.equals("User")) {
                for (IamUser u : iam.users(account)) {
                    boolean uses = (permissions && u.attachedPolicyArns().contains(arn))
                            || (boundaries && arn.equals(u.permissionsBoundaryArn()));
                    if (uses && IamSupport.underPrefix(u.path(), prefix)) {
                        entities.add(new Entity("PolicyUsers", Shape.of().put("UserName", u.name()).put("UserId", u.userId())));
                    }
                }
            }
            if (filter == null || filter.equals("Role")) {
                for (Role r : iam.roles(account)) {
                    boolean uses = (permissions && r.attachedPolicyArns().contains(arn))
                            || (boundaries && arn.equals(r.permissionsBoundaryArn()));
                    if (uses && IamSupport.underPrefix(r.path(), prefix)) {
                        entities.add(new Entity("PolicyRoles", Shape.of().put("RoleName", r.name()).put("RoleId", r.roleId())));
                    }
                }
            }
            IamSupport.Page<Entity> p = IamSupport.page(entities, page);
            Shape out = Shape.of();
            for (String list : List.of("PolicyGroups", "PolicyUsers", "PolicyRoles")) {
                out.put(list, p.items().stream().filter(e -> e.list().equals(list)).map(Entity::shape).toList());
            }
            return p.into(out);
        });
    }
}
