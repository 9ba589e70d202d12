package dev.crossrole.server.organizations;

import dev.crossrole.policy.Policies;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.policy.ValidationResult;
import dev.crossrole.server.iam.Account;
import dev.crossrole.server.organizations.OrganizationDirectory.Attachment;
import dev.crossrole.server.organizations.OrganizationDirectory.Member;
import dev.crossrole.server.organizations.OrganizationDirectory.Org;
import dev.crossrole.server.organizations.OrganizationDirectory.OrgPolicy;
import dev.crossrole.server.organizations.OrganizationDirectory.Unit;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.service.ServiceProvider;
import dev.crossrole.server.model.ShapeModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * AWS Organizations on the model-driven layer ({@code organizations/2016-11-28}): one organization per management
 * account, always with all features, its root and OUs, its accounts, and service and resource control policies whose
 * attachments take effect on the next request (see {@link OrganizationDirectory#enforce()}).
 *
 * <p>Which accounts join: crossrole has no invitations; CreateOrganization makes every account crossrole serves that
 * belongs to no organization a member (in the root), as if invited and accepted. Accounts whose organization the
 * accounts file defines keep it and are not seen here.
 *
 * <p>Messages are the exception descriptions of the Organizations API Reference where the live wording could not be
 * found; those seen in answers from AWS (AWSOrganizationsNotInUseException, InvalidInputException for a pattern,
 * AccessDeniedException for a member account) are AWS's own.
 */
public final class OrganizationsService implements ServiceProvider {
    private static final String SERVICE = "organizations";
    /** Organizations' answer for a value that fails its pattern, seen in AWS's answers. */
    private static final String PATTERN = "You provided a value that does not match the required pattern.";
    /** AWS's limit on the OU tree: five levels of OUs under the root. */
    private static final int MAX_OU_DEPTH = 5;
    /** SCPs and RCPs may be at most 5,120 characters (Organizations quotas). */
    private static final int MAX_POLICY_SIZE = 5120;

    private final OrganizationDirectory orgs;
    private final AccountProvisioner provisioner;

    public OrganizationsService(OrganizationDirectory orgs, AccountProvisioner provisioner) {
        this.orgs = orgs;
        this.provisioner = provisioner;
    }

    @Override
    public String modelId() {
        return SERVICE;
    }

    @Override
    public String accessDeniedCode() {
        return "AccessDeniedException";
    }

    @Override
    public String validationErrorCode() {
        return "InvalidInputException";
    }

    @Override
    public String patternFailure(String path, ShapeModel shape) {
        return PATTERN;
    }

    @Override
    public void register(OperationTable ops) {
        String type = "organizations:PolicyType";
        ops.on("CreateOrganization", this::createOrganization, Authorization.of("organizations:CreateOrganization"));
        ops.on("DescribeOrganization", this::describeOrganization,
                Authorization.of("organizations:DescribeOrganization"));
        ops.on("DeleteOrganization", this::deleteOrganization, Authorization.of("organizations:DeleteOrganization"));
        ops.on("ListRoots", this::listRoots, Authorization.of("organizations:ListRoots"));
        ops.on("CreateOrganizationalUnit", this::createUnit,
                Authorization.of("organizations:CreateOrganizationalUnit").on("root", "ParentId")
                        .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"),
                Authorization.of("organizations:CreateOrganizationalUnit").on("organizationalunit", "ParentId")
                        .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"));
        ops.on("DescribeOrganizationalUnit", this::describeUnit,
                Authorization.of("organizations:DescribeOrganizationalUnit").on("organizationalunit",
                        "OrganizationalUnitId"));
        ops.on("UpdateOrganizationalUnit", this::updateUnit,
                Authorization.of("organizations:UpdateOrganizationalUnit").on("organizationalunit",
                        "OrganizationalUnitId"));
        ops.on("DeleteOrganizationalUnit", this::deleteUnit,
                Authorization.of("organizations:DeleteOrganizationalUnit").on("organizationalunit",
                        "OrganizationalUnitId"));
        ops.on("ListOrganizationalUnitsForParent", this::listUnitsForParent,
                Authorization.of("organizations:ListOrganizationalUnitsForParent").on("root", "ParentId"),
                Authorization.of("organizations:ListOrganizationalUnitsForParent").on("organizationalunit",
                        "ParentId"));
        ops.on("ListChildren", this::listChildren,
                Authorization.of("organizations:ListChildren").on("root", "ParentId"),
                Authorization.of("organizations:ListChildren").on("organizationalunit", "ParentId"));
        ops.on("ListParents", this::listParents,
                Authorization.of("organizations:ListParents").on("account", "ChildId"),
                Authorization.of("organizations:ListParents").on("organizationalunit", "ChildId"));
        ops.on("ListAccounts", this::listAccounts, Authorization.of("organizations:ListAccounts"));
        ops.on("ListAccountsForParent", this::listAccountsForParent,
                Authorization.of("organizations:ListAccountsForParent").on("root", "ParentId"),
                Authorization.of("organizations:ListAccountsForParent").on("organizationalunit", "ParentId"));
        ops.on("DescribeAccount", this::describeAccount,
                Authorization.of("organizations:DescribeAccount").on("account", "AccountId"));
        ops.on("MoveAccount", this::moveAccount,
                Authorization.of("organizations:MoveAccount").on("account", "AccountId"),
                Authorization.of("organizations:MoveAccount").on("root", "SourceParentId", "DestinationParentId"),
                Authorization.of("organizations:MoveAccount").on("organizationalunit", "SourceParentId",
                        "DestinationParentId"));
        ops.on("RemoveAccountFromOrganization", this::removeAccount,
                Authorization.of("organizations:RemoveAccountFromOrganization").on("account", "AccountId"));
        ops.on("EnablePolicyType", this::enablePolicyType,
                Authorization.of("organizations:EnablePolicyType").on("root", "RootId").keys(type));
        ops.on("DisablePolicyType", this::disablePolicyType,
                Authorization.of("organizations:DisablePolicyType").on("root", "RootId").keys(type));
        ops.on("CreatePolicy", this::createPolicy, Authorization.of("organizations:CreatePolicy").on("policy")
                .keys(type, "aws:RequestTag/${TagKey}", "aws:TagKeys"));
        ops.on("DescribePolicy", this::describePolicy,
                Authorization.of("organizations:DescribePolicy").on("policy", "PolicyId").keys(type));
        ops.on("UpdatePolicy", this::updatePolicy,
                Authorization.of("organizations:UpdatePolicy").on("policy", "PolicyId").keys(type));
        ops.on("DeletePolicy", this::deletePolicy,
                Authorization.of("organizations:DeletePolicy").on("policy", "PolicyId").keys(type));
        ops.on("ListPolicies", this::listPolicies, Authorization.of("organizations:ListPolicies").keys(type));
        ops.on("AttachPolicy", this::attachPolicy,
                Authorization.of("organizations:AttachPolicy").on("policy", "PolicyId").keys(type),
                Authorization.of("organizations:AttachPolicy").on("root", "TargetId").keys(type),
                Authorization.of("organizations:AttachPolicy").on("organizationalunit", "TargetId").keys(type),
                Authorization.of("organizations:AttachPolicy").on("account", "TargetId").keys(type));
        ops.on("DetachPolicy", this::detachPolicy,
                Authorization.of("organizations:DetachPolicy").on("policy", "PolicyId").keys(type),
                Authorization.of("organizations:DetachPolicy").on("root", "TargetId").keys(type),
                Authorization.of("organizations:DetachPolicy").on("organizationalunit", "TargetId").keys(type),
                Authorization.of("organizations:DetachPolicy").on("account", "TargetId").keys(type));
        ops.on("ListPoliciesForTarget", this::listPoliciesForTarget,
                Authorization.of("organizations:ListPoliciesForTarget").on("root", "TargetId").keys(type),
                Authorization.of("organizations:ListPoliciesForTarget").on("organizationalunit", "TargetId")
                        .keys(type),
                Authorization.of("organizations:ListPoliciesForTarget").on("account", "TargetId").keys(type));
        ops.on("CreateAccount", this::createAccount, Authorization.of("organizations:CreateAccount")
                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"));
        ops.on("DescribeCreateAccountStatus", this::describeCreateAccountStatus,
                Authorization.of("organizations:DescribeCreateAccountStatus"));
        ops.on("ListCreateAccountStatus", this::listCreateAccountStatus,
                Authorization.of("organizations:ListCreateAccountStatus"));
        ops.on("CloseAccount", this::closeAccount,
                Authorization.of("organizations:CloseAccount").on("account", "AccountId"));
        List<Authorization> tag = new ArrayList<>();
        List<Authorization> untag = new ArrayList<>();
        List<Authorization> listTags = new ArrayList<>();
        for (String resource : List.of("account", "organizationalunit", "root", "policy")) {
            tag.add(Authorization.of("organizations:TagResource").on(resource, "ResourceId")
                    .keys("aws:RequestTag/${TagKey}", "aws:TagKeys", type));
            untag.add(Authorization.of("organizations:UntagResource").on(resource, "ResourceId")
                    .keys("aws:TagKeys", type));
            listTags.add(Authorization.of("organizations:ListTagsForResource").on(resource, "ResourceId").keys(type));
        }
        ops.on("TagResource", this::tagResource, tag.toArray(Authorization[]::new));
        ops.on("UntagResource", this::untagResource, untag.toArray(Authorization[]::new));
        ops.on("ListTagsForResource", this::listTagsForResource, listTags.toArray(Authorization[]::new));
        String principal = "organizations:ServicePrincipal";
        ops.on("EnableAWSServiceAccess", this::enableServiceAccess,
                Authorization.of("organizations:EnableAWSServiceAccess").keys(principal));
        ops.on("DisableAWSServiceAccess", this::disableServiceAccess,
                Authorization.of("organizations:DisableAWSServiceAccess").keys(principal));
        ops.on("ListAWSServiceAccessForOrganization", this::listServiceAccess,
                Authorization.of("organizations:ListAWSServiceAccessForOrganization"));
        ops.on("RegisterDelegatedAdministrator", this::registerDelegatedAdministrator,
                Authorization.of("organizations:RegisterDelegatedAdministrator").on("account", "AccountId")
                        .keys(principal));
        ops.on("DeregisterDelegatedAdministrator", this::deregisterDelegatedAdministrator,
                Authorization.of("organizations:DeregisterDelegatedAdministrator").on("account", "AccountId")
                        .keys(principal));
        ops.on("ListDelegatedAdministrators", this::listDelegatedAdministrators,
                Authorization.of("organizations:ListDelegatedAdministrators").keys(principal));
        ops.on("ListDelegatedServicesForAccount", this::listDelegatedServices,
                Authorization.of("organizations:ListDelegatedServicesForAccount").on("account", "AccountId"));
        ops.on("ListTargetsForPolicy", this::listTargetsForPolicy,
                Authorization.of("organizations:ListTargetsForPolicy").on("policy", "PolicyId").keys(type));
    }

    // ---- errors ----------------------------------------------------------------------------------------

    private static AwsException error(String code, String message) {
        return new AwsException(code, 400, message);
    }

    private static AwsException notInUse() {
        return error("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.");
    }

    private static AwsException invalid(String message) {
        return error("InvalidInputException", message);
    }

    /** ConstraintViolationException with its {@code Reason} member. */
    private static AwsException constraint(String reason, String message) {
        return error("ConstraintViolationException", message).with("Reason", reason);
    }

    private static AwsException parentNotFound() {
        return error("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.");
    }

    private static AwsException unitNotFound() {
        return error("OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you"
                + " specified.");
    }

    private static AwsException accountNotFound() {
        return error("AccountNotFoundException", "We can't find an Amazon Web Services account with the AccountId that"
                + " you specified, or the account whose credentials you used to make this request isn't a member of an"
                + " organization.");
    }

    private static AwsException policyNotFound() {
        return error("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.");
    }

    private static AwsException targetNotFound() {
        return error("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that"
                + " you specified.");
    }

    // ---- the caller's organization ---------------------------------------------------------------------

    /**
     * The organization the caller manages. Any other caller is refused before authorization: an account outside
     * every organization with AWSOrganizationsNotInUseException, a member account with AccessDeniedException.
     */
    private Org managed(Call call) {
        String account = call.caller().account();
        Org org = orgs.orgOf(account).orElseThrow(OrganizationsService::notInUse);
        if (!org.managementAccount().equals(account)) {
            throw error("AccessDeniedException", "You don't have permissions to access this resource.");
        }
        return org;
    }

    /**
     * The organization the caller may read: its management account, or a member registered as a delegated
     * administrator for some service, as Organizations lets both call its List and Describe operations.
     */
    private Org readable(Call call) {
        String account = call.caller().account();
        Org org = orgs.orgOf(account).orElseThrow(OrganizationsService::notInUse);
        if (!org.managementAccount().equals(account) && orgs.delegatedAdministrators(org.id()).stream()
                .noneMatch(d -> d.accountId().equals(account))) {
            throw error("AccessDeniedException", "You don't have permissions to access this resource.");
        }
        return org;
    }

    private static String arn(Org org, String kind, String id) {
        return "arn:aws:organizations::" + org.managementAccount() + ":" + kind + "/" + org.id() + "/" + id;
    }

    private static String parentArn(Org org, String parentId) {
        return parentId.startsWith("r-") ? arn(org, "root", parentId) : arn(org, "ou", parentId);
    }

    private static String accountArn(Org org, String account) {
        return arn(org, "account", account);
    }

    private static String policyArn(Org org, String policyId, String type) {
        if (awsManaged(policyId)) {
            return "arn:aws:organizations::aws:policy/" + type.toLowerCase(Locale.ROOT) + "/" + policyId;
        }
        return "arn:aws:organizations::" + org.managementAccount() + ":policy/" + org.id() + "/"
                + type.toLowerCase(Locale.ROOT) + "/" + policyId;
    }

    private static String targetArn(Org org, String targetId) {
        return targetId.matches("\\d{12}") ? accountArn(org, targetId) : parentArn(org, targetId);
    }

    /** A check on the organization's own resource, decided as the management account's (even an AWS-managed one). */
    private static AccessCheck check(Call call, String action, String resource, RequestContext context) {
        return new AccessCheck("organizations:" + action, resource, call.caller().account(), null, context);
    }

    private static AccessCheck check(Call call, String action, String resource) {
        return check(call, action, resource, RequestContext.empty());
    }

    private static RequestContext policyType(String type) {
        return RequestContext.builder().single("organizations:PolicyType", type).build();
    }

    /** A root or OU of the organization exists. */
    private boolean parentExists(Org org, String parentId) {
        return parentId.equals(org.rootId())
                || orgs.unit(parentId).filter(u -> u.orgId().equals(org.id())).isPresent();
    }

    private Member memberOf(Org org, String account) {
        return orgs.member(account).filter(m -> m.orgId().equals(org.id())).orElseThrow(
                OrganizationsService::accountNotFound);
    }

    private static String now(Call call) {
        return call.info().time().toString();
    }

    private Shape commit(Supplier<Shape> body) {
        Shape out = body.get();
        orgs.enforce();
        return out;
    }

    // ---- shapes ----------------------------------------------------------------------------------------

    private static Shape organizationShape(Org org) {
        List<Shape> types = new ArrayList<>();
        org.enabledTypes().forEach(t -> types.add(Shape.of().put("Type", t).put("Status", "ENABLED")));
        return Shape.of().put("Id", org.id()).put("Arn", org.arn()).put("FeatureSet", "ALL")
                .put("MasterAccountArn", accountArn(org, org.managementAccount()))
                .put("MasterAccountId", org.managementAccount())
                .put("MasterAccountEmail", email(org.managementAccount())).put("AvailablePolicyTypes", types);
    }

    private static Shape rootShape(Org org) {
        List<Shape> types = new ArrayList<>();
        org.enabledTypes().forEach(t -> types.add(Shape.of().put("Type", t).put("Status", "ENABLED")));
        return Shape.of().put("Id", org.rootId()).put("Arn", org.rootArn()).put("Name", "Root")
                .put("PolicyTypes", types);
    }

    private Shape unitShape(Org org, Unit unit) {
        return Shape.of().put("Id", unit.id()).put("Arn", arn(org, "ou", unit.id())).put("Name", unit.name())
                .put("Path", path(org, unit.id()));
    }

    /** An entity's path from the organization: {@code o-…/r-…/ou-…/} (AWS's aws:PrincipalOrgPaths form). */
    private String path(Org org, String parentId) {
        return org.id() + "/" + String.join("/", orgs.pathTo(parentId)) + "/";
    }

    private Shape accountShape(Org org, Member m) {
        return Shape.of().put("Id", m.accountId()).put("Arn", accountArn(org, m.accountId())).put("Email", m.email())
                .put("Name", m.name()).put("Status", m.status())
                .put("State", m.status().equals("ACTIVE") ? "ACTIVE" : "SUSPENDED")
                .put("Paths", List.of(path(org, m.parentId()) + m.accountId() + "/"))
                .put("JoinedMethod", m.joinedMethod()).put("JoinedTimestamp", Instant.parse(m.joined()));
    }

    /** The name and email an account crossrole serves shows in its organization. */
    static String accountName(Account account) {
        return account.alias() != null ? account.alias() : "account-" + account.id();
    }

    /** crossrole's accounts have no mailboxes: a fixed address under the reserved {@code .invalid} domain. */
    static String email(String account) {
        return "account-" + account + "@crossrole.invalid";
    }

    // ---- pagination ------------------------------------------------------------------------------------

    private static Shape page(Input input, String member, List<Shape> all) {
        int max = input.integer("MaxResults") == null ? 20 : input.integer("MaxResults");
        int from = 0;
        String token = input.string("NextToken");
        if (token != null) {
            try {
                from = Integer.parseInt(token);
            } catch (NumberFormatException e) {
                from = -1;
            }
            if (from < 0 || from > all.size()) {
                // The reason INVALID_PAGINATION_TOKEN of the API Reference; AWS's exact wording was not found.
                throw invalid("You specified an invalid value for nextToken. You must get the value from the"
                        + " response to a previous call to the API.").with("Reason", "INVALID_PAGINATION_TOKEN");
            }
        }
        int to = Math.min(all.size(), from + max);
        Shape out = Shape.of().put(member, all.subList(from, to));
        return to < all.size() ? out.put("NextToken", String.valueOf(to)) : out;
    }

    // ---- the organization ------------------------------------------------------------------------------

    private PreparedCall createOrganization(Call call, Input input) {
        String feature = input.string("FeatureSet");
        if (feature != null && !feature.equals("ALL")) {
            // Consolidated billing only has no control policies; crossrole has nothing else to offer it.
            throw invalid("crossrole creates organizations with all features (FeatureSet ALL) only.");
        }
        String account = call.caller().account();
        return PreparedCall.of(List.of(check(call, "CreateOrganization", "*")), () -> commit(() -> {
            if (orgs.orgOf(account).isPresent() || orgs.fileDefined(account)) {
                throw error("AlreadyInOrganizationException", "The AWS account is already a member of an"
                        + " organization.");
            }
            String orgId = orgs.randomId("o-", 10);
            String rootId = orgs.randomId("r-", 4);
            Org org = new Org(orgId, account, now(call), rootId, List.of());
            orgs.put(org);
            // Every account crossrole serves without an organization joins, as if invited and accepted.
            for (Account a : orgs.iam().accounts()) {
                if (orgs.member(a.id()).isPresent() || orgs.fileDefined(a.id()) || a.organizationId() != null) {
                    continue;
                }
                orgs.put(new Member(a.id(), orgId, rootId, accountName(a), email(a.id()),
                        a.id().equals(account) ? "CREATED" : "INVITED", now(call), "ACTIVE"));
            }
            return Shape.of().put("Organization", organizationShape(org));
        }));
    }

    private PreparedCall describeOrganization(Call call, Input input) {
        // Every account of an organization may describe it.
        Org org = orgs.orgOf(call.caller().account()).orElseThrow(OrganizationsService::notInUse);
        return PreparedCall.of(List.of(check(call, "DescribeOrganization", "*")),
                () -> Shape.of().put("Organization", organizationShape(org)));
    }

    private PreparedCall deleteOrganization(Call call, Input input) {
        Org org = managed(call);
        return PreparedCall.of(List.of(check(call, "DeleteOrganization", "*")), () -> commit(() -> {
            List<Member> members = orgs.members(org.id());
            if (members.size() > 1) {
                throw error("OrganizationNotEmptyException", "The organization isn't empty. To delete an"
                        + " organization, you must first remove all accounts except the management account.");
            }
            // What the organization held goes with it: OUs, policies, attachments, tags.
            members.forEach(m -> {
                orgs.forget(m.accountId());
                orgs.remove(m);
            });
            for (Unit unit : orgs.units(org.id())) {
                orgs.forget(unit.id());
                orgs.remove(unit);
            }
            for (OrgPolicy policy : orgs.policies(org.id())) {
                orgs.forget(policy.id());
                orgs.remove(policy);
            }
            orgs.attachments(org.id()).forEach(orgs::remove);
            orgs.serviceAccess(org.id()).forEach(orgs::remove);
            orgs.delegatedAdministrators(org.id()).forEach(orgs::remove);
            orgs.forget(org.rootId());
            orgs.remove(org);
            return null;
        }));
    }

    private PreparedCall listRoots(Call call, Input input) {
        Org org = readable(call);
        return PreparedCall.of(List.of(check(call, "ListRoots", "*")),
                () -> page(input, "Roots", List.of(rootShape(orgs.org(org.id()).orElse(org)))));
    }

    // ---- OUs -------------------------------------------------------------------------------------------

    private PreparedCall createUnit(Call call, Input input) {
        Org org = managed(call);
        String parentId = input.string("ParentId");
        String name = input.string("Name");
        Map<String, String> tags = tags(input);
        RequestContext.Builder context = RequestContext.builder();
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        if (!tags.isEmpty()) {
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        return PreparedCall.of(List.of(check(call, "CreateOrganizationalUnit", parentArn(org, parentId),
                context.build())), () -> commit(() -> {
                    if (!parentExists(org, parentId)) {
                        throw parentNotFound();
                    }
                    if (orgs.unitsUnder(parentId).stream().anyMatch(u -> u.name().equals(name))) {
                        throw error("DuplicateOrganizationalUnitException", "An OU with the same name already"
                                + " exists.");
                    }
                    if (orgs.pathTo(parentId).size() > MAX_OU_DEPTH) {
                        throw constraint("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too"
                                + " many levels deep.");
                    }
                    Unit unit = new Unit("ou-" + org.rootId().substring(2) + "-" + orgs.randomId("", 8),
                            org.id(), name, parentId);
                    orgs.put(unit);
                    orgs.putTags(unit.id(), org.id(), tags);
                    attachFullAccess(orgs.org(org.id()).orElse(org), unit.id());
                    return Shape.of().put("OrganizationalUnit", unitShape(org, unit));
                }));
    }

    private Unit unitOf(Org org, String id) {
        return orgs.unit(id).filter(u -> u.orgId().equals(org.id())).orElseThrow(OrganizationsService::unitNotFound);
    }

    private PreparedCall describeUnit(Call call, Input input) {
        Org org = readable(call);
        String id = input.string("OrganizationalUnitId");
        return PreparedCall.of(List.of(check(call, "DescribeOrganizationalUnit", arn(org, "ou", id))),
                () -> Shape.of().put("OrganizationalUnit", unitShape(org, unitOf(org, id))));
    }

    private PreparedCall updateUnit(Call call, Input input) {
        Org org = managed(call);
        String id = input.string("OrganizationalUnitId");
        String name = input.string("Name");
        return PreparedCall.of(List.of(check(call, "UpdateOrganizationalUnit", arn(org, "ou", id))),
                () -> commit(() -> {
                    Unit unit = unitOf(org, id);
                    if (name != null && !name.equals(unit.name())) {
                        if (orgs.unitsUnder(unit.parentId()).stream().anyMatch(u -> u.name().equals(name))) {
                            throw error("DuplicateOrganizationalUnitException", "An OU with the same name already"
                                    + " exists.");
                        }
                        unit = unit.withName(name);
                        orgs.put(unit);
                    }
                    return Shape.of().put("OrganizationalUnit", unitShape(org, unit));
                }));
    }

    private PreparedCall deleteUnit(Call call, Input input) {
        Org org = managed(call);
        String id = input.string("OrganizationalUnitId");
        return PreparedCall.of(List.of(check(call, "DeleteOrganizationalUnit", arn(org, "ou", id))),
                () -> commit(() -> {
                    Unit unit = unitOf(org, id);
                    if (!orgs.unitsUnder(id).isEmpty() || !orgs.membersUnder(id).isEmpty()) {
                        throw error("OrganizationalUnitNotEmptyException", "The specified OU is not empty. Move all"
                                + " accounts to another root or to other OUs, remove all child OUs, and try the"
                                + " operation again.");
                    }
                    orgs.forget(id);
                    orgs.remove(unit);
                    return null;
                }));
    }

    private PreparedCall listUnitsForParent(Call call, Input input) {
        Org org = readable(call);
        String parentId = input.string("ParentId");
        return PreparedCall.of(List.of(check(call, "ListOrganizationalUnitsForParent", parentArn(org, parentId))),
                () -> {
                    if (!parentExists(org, parentId)) {
                        throw parentNotFound();
                    }
                    List<Shape> units = new ArrayList<>();
                    orgs.unitsUnder(parentId).forEach(u -> units.add(unitShape(org, u)));
                    return page(input, "OrganizationalUnits", units);
                });
    }

    private PreparedCall listChildren(Call call, Input input) {
        Org org = readable(call);
        String parentId = input.string("ParentId");
        String childType = input.string("ChildType");
        return PreparedCall.of(List.of(check(call, "ListChildren", parentArn(org, parentId))), () -> {
            if (!parentExists(org, parentId)) {
                throw parentNotFound();
            }
            List<Shape> children = new ArrayList<>();
            if (childType.equals("ACCOUNT")) {
                orgs.membersUnder(parentId).forEach(m -> children.add(Shape.of().put("Id", m.accountId())
                        .put("Type", "ACCOUNT")));
            } else {
                orgs.unitsUnder(parentId).forEach(u -> children.add(Shape.of().put("Id", u.id())
                        .put("Type", "ORGANIZATIONAL_UNIT")));
            }
            return page(input, "Children", children);
        });
    }

    private PreparedCall listParents(Call call, Input input) {
        Org org = readable(call);
        String childId = input.string("ChildId");
        return PreparedCall.of(List.of(check(call, "ListParents", targetArn(org, childId))), () -> {
            String parent = childId.startsWith("ou-")
                    ? orgs.unit(childId).filter(u -> u.orgId().equals(org.id())).map(Unit::parentId).orElse(null)
                    : orgs.member(childId).filter(m -> m.orgId().equals(org.id())).map(Member::parentId).orElse(null);
            if (parent == null) {
                throw error("ChildNotFoundException", "We can't find an organizational unit (OU) or Amazon Web"
                        + " Services account with the ChildId that you specified.");
            }
            return page(input, "Parents", List.of(Shape.of().put("Id", parent)
                    .put("Type", parent.startsWith("r-") ? "ROOT" : "ORGANIZATIONAL_UNIT")));
        });
    }

    // ---- accounts --------------------------------------------------------------------------------------

    private PreparedCall listAccounts(Call call, Input input) {
        Org org = readable(call);
        return PreparedCall.of(List.of(check(call, "ListAccounts", "*")), () -> {
            List<Shape> accounts = new ArrayList<>();
            orgs.members(org.id()).forEach(m -> accounts.add(accountShape(org, m)));
            return page(input, "Accounts", accounts);
        });
    }

    private PreparedCall listAccountsForParent(Call call, Input input) {
        Org org = readable(call);
        String parentId = input.string("ParentId");
        return PreparedCall.of(List.of(check(call, "ListAccountsForParent", parentArn(org, parentId))), () -> {
            if (!parentExists(org, parentId)) {
                throw parentNotFound();
            }
            List<Shape> accounts = new ArrayList<>();
            orgs.membersUnder(parentId).forEach(m -> accounts.add(accountShape(org, m)));
            return page(input, "Accounts", accounts);
        });
    }

    private PreparedCall describeAccount(Call call, Input input) {
        Org org = readable(call);
        String account = input.string("AccountId");
        return PreparedCall.of(List.of(check(call, "DescribeAccount", accountArn(org, account))),
                () -> Shape.of().put("Account", accountShape(org, memberOf(org, account))));
    }

    private PreparedCall moveAccount(Call call, Input input) {
        Org org = managed(call);
        String account = input.string("AccountId");
        String source = input.string("SourceParentId");
        String destination = input.string("DestinationParentId");
        return PreparedCall.of(List.of(check(call, "MoveAccount", accountArn(org, account)),
                check(call, "MoveAccount", parentArn(org, source)),
                check(call, "MoveAccount", parentArn(org, destination))), () -> commit(() -> {
                    if (!parentExists(org, source)) {
                        throw error("SourceParentNotFoundException", "We can't find a source root or OU with the"
                                + " ParentId that you specified.");
                    }
                    if (!parentExists(org, destination)) {
                        throw error("DestinationParentNotFoundException", "We can't find the destination container"
                                + " (a root or OU) with the ParentId that you specified.");
                    }
                    Member member = memberOf(org, account);
                    if (!member.parentId().equals(source)) {
                        // An account that is not in the source: not found there (AWS's exact answer not found).
                        throw accountNotFound();
                    }
                    if (source.equals(destination)) {
                        throw error("DuplicateAccountException", "That account is already present in the specified"
                                + " destination.");
                    }
                    orgs.put(member.withParent(destination));
                    return null;
                }));
    }

    private PreparedCall removeAccount(Call call, Input input) {
        Org org = managed(call);
        String account = input.string("AccountId");
        return PreparedCall.of(List.of(check(call, "RemoveAccountFromOrganization", accountArn(org, account))),
                () -> commit(() -> {
                    Member member = memberOf(org, account);
                    if (account.equals(org.managementAccount())) {
                        throw error("MasterCannotLeaveOrganizationException", "You can't remove a management account"
                                + " from an organization. If you want the management account to become a member"
                                + " account in another organization, you must first delete the current organization"
                                + " of the management account.");
                    }
                    orgs.forget(account);
                    orgs.remove(member);
                    // An account that leaves administers nothing of the organization any more.
                    orgs.delegatedAdministrators(org.id()).stream().filter(d -> d.accountId().equals(account))
                            .forEach(orgs::remove);
                    return null;
                }));
    }

    // ---- policy types ----------------------------------------------------------------------------------

    /** The policy types crossrole enforces; any other is refused rather than accepted and ignored. */
    private static String controlType(String type) {
        if (!type.equals(OrganizationDirectory.SCP) && !type.equals(OrganizationDirectory.RCP)) {
            throw invalid("crossrole supports the policy types SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY,"
                    + " not " + type + ".");
        }
        return type;
    }

    private static String fullAccess(String type) {
        return type.equals(OrganizationDirectory.SCP) ? OrganizationDirectory.FULL_AWS_ACCESS
                : OrganizationDirectory.RCP_FULL_AWS_ACCESS;
    }

    /** A new OU or account gets FullAWSAccess (and RCPFullAWSAccess) of every enabled type, as in AWS. */
    private void attachFullAccess(Org org, String targetId) {
        for (String type : org.enabledTypes()) {
            orgs.put(new Attachment(fullAccess(type), targetId, org.id()));
        }
    }

    private PreparedCall enablePolicyType(Call call, Input input) {
        Org org = managed(call);
        String rootId = input.string("RootId");
        String type = controlType(input.string("PolicyType"));
        return PreparedCall.of(List.of(check(call, "EnablePolicyType", arn(org, "root", rootId), policyType(type))),
                () -> commit(() -> {
                    Org current = orgs.org(org.id()).orElseThrow(OrganizationsService::notInUse);
                    if (!current.rootId().equals(rootId)) {
                        throw error("RootNotFoundException", "We can't find a root with the RootId that you"
                                + " specified.");
                    }
                    if (current.enabledTypes().contains(type)) {
                        throw error("PolicyTypeAlreadyEnabledException", "The specified policy type is already"
                                + " enabled in the specified root.");
                    }
                    List<String> types = new ArrayList<>(current.enabledTypes());
                    types.add(type);
                    Org updated = current.withTypes(types);
                    orgs.put(updated);
                    // AWS attaches the full-access policy to the root, every OU and every account.
                    String policy = fullAccess(type);
                    orgs.put(new Attachment(policy, rootId, org.id()));
                    orgs.units(org.id()).forEach(u -> orgs.put(new Attachment(policy, u.id(), org.id())));
                    orgs.members(org.id()).forEach(m -> orgs.put(new Attachment(policy, m.accountId(), org.id())));
                    return Shape.of().put("Root", rootShape(updated));
                }));
    }

    private PreparedCall disablePolicyType(Call call, Input input) {
        Org org = managed(call);
        String rootId = input.string("RootId");
        String type = controlType(input.string("PolicyType"));
        return PreparedCall.of(List.of(check(call, "DisablePolicyType", arn(org, "root", rootId), policyType(type))),
                () -> commit(() -> {
                    Org current = orgs.org(org.id()).orElseThrow(OrganizationsService::notInUse);
                    if (!current.rootId().equals(rootId)) {
                        throw error("RootNotFoundException", "We can't find a root with the RootId that you"
                                + " specified.");
                    }
                    if (!current.enabledTypes().contains(type)) {
                        throw error("PolicyTypeNotEnabledException", "The specified policy type isn't currently"
                                + " enabled in this root. You can't attach policies of the specified type to entities"
                                + " in a root until you enable that type in the root.");
                    }
                    List<String> types = new ArrayList<>(current.enabledTypes());
                    types.remove(type);
                    Org updated = current.withTypes(types);
                    orgs.put(updated);
                    // Disabling a type detaches every policy of it.
                    for (Attachment a : orgs.attachments(org.id())) {
                        if (typeOf(a.policyId()).equals(type)) {
                            orgs.remove(a);
                        }
                    }
                    return Shape.of().put("Root", rootShape(updated));
                }));
    }

    // ---- policies --------------------------------------------------------------------------------------

    private static boolean awsManaged(String policyId) {
        return policyId.equals(OrganizationDirectory.FULL_AWS_ACCESS)
                || policyId.equals(OrganizationDirectory.RCP_FULL_AWS_ACCESS);
    }

    /** A policy's type, or {@code ""} for one that no longer exists. */
    private String typeOf(String policyId) {
        if (policyId.equals(OrganizationDirectory.FULL_AWS_ACCESS)) {
            return OrganizationDirectory.SCP;
        }
        if (policyId.equals(OrganizationDirectory.RCP_FULL_AWS_ACCESS)) {
            return OrganizationDirectory.RCP;
        }
        return orgs.policy(policyId).map(OrgPolicy::type).orElse("");
    }

    /** A policy of the organization: one of its own, or an AWS-managed one. */
    private OrgPolicy policyOf(Org org, String policyId) {
        if (awsManaged(policyId)) {
            boolean scp = policyId.equals(OrganizationDirectory.FULL_AWS_ACCESS);
            return new OrgPolicy(policyId, org.id(), scp ? OrganizationDirectory.SCP : OrganizationDirectory.RCP,
                    policyId.substring(2), scp ? "Allows access to every operation"
                    : "Allows access to every resource", OrganizationDirectory.awsManagedContent(policyId));
        }
        return orgs.policy(policyId).filter(p -> p.orgId().equals(org.id()))
                .orElseThrow(OrganizationsService::policyNotFound);
    }

    private static Shape summary(Org org, OrgPolicy p) {
        return Shape.of().put("Id", p.id()).put("Arn", policyArn(org, p.id(), p.type())).put("Name", p.name())
                .put("Description", p.description() == null ? "" : p.description()).put("Type", p.type())
                .put("AwsManaged", awsManaged(p.id()));
    }

    private static Shape policyShape(Org org, OrgPolicy p) {
        return Shape.of().put("PolicySummary", summary(org, p)).put("Content", p.content());
    }

    /** SCP and RCP content checked as Organizations checks it: valid JSON of the type's grammar, within its size. */
    private static void checkContent(String type, String content) {
        if (content.length() > MAX_POLICY_SIZE) {
            throw constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy that is larger than"
                    + " the maximum size.");
        }
        ValidationResult result = Policies.validate(content, type.equals(OrganizationDirectory.SCP) ? PolicyKind.SCP
                : PolicyKind.RCP);
        if (!result.valid()) {
            throw error("MalformedPolicyDocumentException", "The provided policy document doesn't meet the"
                    + " requirements of the specified policy type.");
        }
    }

    private static Map<String, String> tags(Input input) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Input tag : input.<Input>listOrEmpty("Tags")) {
            tags.put(tag.string("Key"), tag.string("Value"));
        }
        return tags;
    }

    private PreparedCall createPolicy(Call call, Input input) {
        Org org = managed(call);
        String type = controlType(input.string("Type"));
        String name = input.string("Name");
        String content = input.string("Content");
        String description = input.string("Description");
        Map<String, String> tags = tags(input);
        String id = orgs.randomId("p-", 8);
        RequestContext.Builder context = RequestContext.builder().single("organizations:PolicyType", type);
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        if (!tags.isEmpty()) {
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        return PreparedCall.of(List.of(check(call, "CreatePolicy", policyArn(org, id, type), context.build())),
                () -> commit(() -> {
                    checkContent(type, content);
                    if (orgs.policies(org.id()).stream().anyMatch(p -> p.name().equals(name))) {
                        throw error("DuplicatePolicyException", "A policy with the same name already exists.");
                    }
                    OrgPolicy policy = new OrgPolicy(id, org.id(), type, name, description, content);
                    orgs.put(policy);
                    orgs.putTags(id, org.id(), tags);
                    return Shape.of().put("Policy", policyShape(org, policy));
                }));
    }

    private PreparedCall describePolicy(Call call, Input input) {
        Org org = readable(call);
        String id = input.string("PolicyId");
        String type = typeOf(id);
        return PreparedCall.of(List.of(check(call, "DescribePolicy", policyArn(org, id, type.isEmpty()
                ? OrganizationDirectory.SCP : type), policyType(type))),
                () -> Shape.of().put("Policy", policyShape(org, policyOf(org, id))));
    }

    private PreparedCall updatePolicy(Call call, Input input) {
        Org org = managed(call);
        String id = input.string("PolicyId");
        String type = typeOf(id);
        String name = input.string("Name");
        String description = input.string("Description");
        String content = input.string("Content");
        return PreparedCall.of(List.of(check(call, "UpdatePolicy", policyArn(org, id, type.isEmpty()
                ? OrganizationDirectory.SCP : type), policyType(type))), () -> commit(() -> {
                    OrgPolicy current = policyOf(org, id);
                    if (awsManaged(id)) {
                        // The API Reference: AWS managed policies can't be edited; AWS's exact answer was not found.
                        throw error("AccessDeniedException", "You can't modify an AWS managed policy.");
                    }
                    if (content != null) {
                        checkContent(current.type(), content);
                    }
                    if (name != null && !name.equals(current.name())
                            && orgs.policies(org.id()).stream().anyMatch(p -> p.name().equals(name))) {
                        throw error("DuplicatePolicyException", "A policy with the same name already exists.");
                    }
                    OrgPolicy updated = new OrgPolicy(id, org.id(), current.type(), name != null ? name
                            : current.name(), description != null ? description : current.description(),
                            content != null ? content : current.content());
                    orgs.put(updated);
                    return Shape.of().put("Policy", policyShape(org, updated));
                }));
    }

    private PreparedCall deletePolicy(Call call, Input input) {
        Org org = managed(call);
        String id = input.string("PolicyId");
        String type = typeOf(id);
        return PreparedCall.of(List.of(check(call, "DeletePolicy", policyArn(org, id, type.isEmpty()
                ? OrganizationDirectory.SCP : type), policyType(type))), () -> commit(() -> {
                    OrgPolicy current = policyOf(org, id);
                    if (awsManaged(id)) {
                        throw error("AccessDeniedException", "You can't delete an AWS managed policy.");
                    }
                    if (orgs.attachments(org.id()).stream().anyMatch(a -> a.policyId().equals(id))) {
                        throw error("PolicyInUseException", "The policy is attached to one or more entities. You"
                                + " must detach it from all roots, OUs, and accounts before performing this"
                                + " operation.");
                    }
                    orgs.forget(id);
                    orgs.remove(current);
                    return null;
                }));
    }

    private PreparedCall listPolicies(Call call, Input input) {
        Org org = readable(call);
        String type = input.string("Filter");
        return PreparedCall.of(List.of(check(call, "ListPolicies", "*", policyType(type))), () -> {
            List<Shape> out = new ArrayList<>();
            if (type.equals(OrganizationDirectory.SCP) || type.equals(OrganizationDirectory.RCP)) {
                out.add(summary(org, policyOf(org, fullAccess(type))));
            }
            orgs.policies(org.id()).stream().filter(p -> p.type().equals(type))
                    .forEach(p -> out.add(summary(org, p)));
            return page(input, "Policies", out);
        });
    }

    /** A root, OU or account of the organization exists. */
    private boolean targetExists(Org org, String targetId) {
        return targetId.matches("\\d{12}") ? orgs.member(targetId).filter(m -> m.orgId().equals(org.id())).isPresent()
                : parentExists(org, targetId);
    }

    private PreparedCall attachPolicy(Call call, Input input) {
        Org org = managed(call);
        String id = input.string("PolicyId");
        String target = input.string("TargetId");
        String type = typeOf(id);
        String arn = policyArn(org, id, type.isEmpty() ? OrganizationDirectory.SCP : type);
        return PreparedCall.of(List.of(check(call, "AttachPolicy", arn, policyType(type)),
                check(call, "AttachPolicy", targetArn(org, target), policyType(type))), () -> commit(() -> {
                    OrgPolicy policy = policyOf(org, id);
                    if (!targetExists(org, target)) {
                        throw targetNotFound();
                    }
                    if (!orgs.org(org.id()).orElse(org).enabledTypes().contains(policy.type())) {
                        throw error("PolicyTypeNotEnabledException", "The specified policy type isn't currently"
                                + " enabled in this root. You can't attach policies of the specified type to entities"
                                + " in a root until you enable that type in the root.");
                    }
                    if (orgs.attached(id, target)) {
                        throw error("DuplicatePolicyAttachmentException", "The selected policy is already attached to"
                                + " the specified target.");
                    }
                    orgs.put(new Attachment(id, target, org.id()));
                    return null;
                }));
    }

    private PreparedCall detachPolicy(Call call, Input input) {
        Org org = managed(call);
        String id = input.string("PolicyId");
        String target = input.string("TargetId");
        String type = typeOf(id);
        String arn = policyArn(org, id, type.isEmpty() ? OrganizationDirectory.SCP : type);
        return PreparedCall.of(List.of(check(call, "DetachPolicy", arn, policyType(type)),
                check(call, "DetachPolicy", targetArn(org, target), policyType(type))), () -> commit(() -> {
                    OrgPolicy policy = policyOf(org, id);
                    if (!targetExists(org, target)) {
                        throw targetNotFound();
                    }
                    if (!orgs.attached(id, target)) {
                        throw error("PolicyNotAttachedException", "The policy isn't attached to the specified target"
                                + " in the specified root.");
                    }
                    boolean last = orgs.attachments(org.id()).stream().noneMatch(a -> a.targetId().equals(target)
                            && !a.policyId().equals(id) && typeOf(a.policyId()).equals(policy.type()));
                    // A target keeps at least one SCP; RCPFullAWSAccess can't be detached at all.
                    if ((policy.type().equals(OrganizationDirectory.SCP) && last)
                            || id.equals(OrganizationDirectory.RCP_FULL_AWS_ACCESS)) {
                        throw constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a"
                                + " policy from an entity that would cause the entity to have fewer than the minimum"
                                + " number of policies of a certain type required.");
                    }
                    orgs.remove(new Attachment(id, target, org.id()));
                    return null;
                }));
    }

    private PreparedCall listPoliciesForTarget(Call call, Input input) {
        Org org = readable(call);
        String target = input.string("TargetId");
        String type = input.string("Filter");
        return PreparedCall.of(List.of(check(call, "ListPoliciesForTarget", targetArn(org, target),
                policyType(type))), () -> {
                    if (!targetExists(org, target)) {
                        throw targetNotFound();
                    }
                    List<Shape> out = new ArrayList<>();
                    for (Attachment a : orgs.attachments(org.id())) {
                        if (a.targetId().equals(target) && typeOf(a.policyId()).equals(type)) {
                            out.add(summary(org, policyOf(org, a.policyId())));
                        }
                    }
                    return page(input, "Policies", out);
                });
    }

    private PreparedCall listTargetsForPolicy(Call call, Input input) {
        Org org = readable(call);
        String id = input.string("PolicyId");
        String type = typeOf(id);
        return PreparedCall.of(List.of(check(call, "ListTargetsForPolicy", policyArn(org, id, type.isEmpty()
                ? OrganizationDirectory.SCP : type), policyType(type))), () -> {
                    policyOf(org, id);
                    List<Shape> out = new ArrayList<>();
                    for (Attachment a : orgs.attachments(org.id())) {
                        if (a.policyId().equals(id)) {
                            out.add(targetShape(org, a.targetId()));
                        }
                    }
                    return page(input, "Targets", out);
                });
    }


    // ---- creating and closing accounts -----------------------------------------------------------------

    private static Shape statusShape(OrganizationDirectory.CreateStatus status) {
        Shape out = Shape.of().put("Id", status.id()).put("AccountName", status.accountName())
                .put("State", status.state()).put("RequestedTimestamp", Instant.parse(status.requested()));
        if (status.completed() != null) {
            out.put("CompletedTimestamp", Instant.parse(status.completed()));
        }
        return out.put("AccountId", status.accountId()).put("FailureReason", status.failureReason());
    }

    /** A 12-digit id no account crossrole serves has. */
    private String freshAccountId() {
        while (true) {
            String id = orgs.randomDigits(12);
            if (orgs.iam().account(id).isEmpty() && orgs.member(id).isEmpty()) {
                return id;
            }
        }
    }

    private PreparedCall createAccount(Call call, Input input) {
        Org org = managed(call);
        String email = input.string("Email");
        String name = input.string("AccountName");
        String roleName = input.string("RoleName") == null ? "OrganizationAccountAccessRole" : input.string("RoleName");
        Map<String, String> tags = tags(input);
        RequestContext.Builder context = RequestContext.builder();
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        if (!tags.isEmpty()) {
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        return PreparedCall.of(List.of(check(call, "CreateAccount", "*", context.build())), () -> commit(() -> {
            String requested = now(call);
            String requestId = orgs.randomId("car-", 32);
            // Account creation is asynchronous in AWS; crossrole's is done before the answer, so the status the
            // answer carries is final (SUCCEEDED, or FAILED with AWS's reason for an email already in use).
            if (orgs.members(org.id()).stream().anyMatch(m -> m.email().equalsIgnoreCase(email))) {
                OrganizationDirectory.CreateStatus failed = new OrganizationDirectory.CreateStatus(requestId, org.id(),
                        name, null, "FAILED", requested, requested, "EMAIL_ALREADY_EXISTS");
                orgs.put(failed);
                return Shape.of().put("CreateAccountStatus", statusShape(failed));
            }
            String account = freshAccountId();
            provisioner.provision(account, roleName, org.managementAccount());
            orgs.put(new Member(account, org.id(), org.rootId(), name, email, "CREATED", requested, "ACTIVE"));
            orgs.putTags(account, org.id(), tags);
            attachFullAccess(orgs.org(org.id()).orElse(org), account);
            OrganizationDirectory.CreateStatus done = new OrganizationDirectory.CreateStatus(requestId, org.id(), name,
                    account, "SUCCEEDED", requested, requested, null);
            orgs.put(done);
            return Shape.of().put("CreateAccountStatus", statusShape(done));
        }));
    }

    private PreparedCall describeCreateAccountStatus(Call call, Input input) {
        Org org = readable(call);
        String id = input.string("CreateAccountRequestId");
        return PreparedCall.of(List.of(check(call, "DescribeCreateAccountStatus", "*")), () -> Shape.of().put(
                "CreateAccountStatus", statusShape(orgs.createStatus(id).filter(s -> s.orgId().equals(org.id()))
                        .orElseThrow(() -> error("CreateAccountStatusNotFoundException", "We can't find an create"
                                + " account request with the CreateAccountRequestId that you specified.")))));
    }

    private PreparedCall listCreateAccountStatus(Call call, Input input) {
        Org org = readable(call);
        List<String> states = input.listOrEmpty("States");
        return PreparedCall.of(List.of(check(call, "ListCreateAccountStatus", "*")), () -> {
            List<Shape> out = new ArrayList<>();
            orgs.createStatuses(org.id()).stream().filter(s -> states.isEmpty() || states.contains(s.state()))
                    .forEach(s -> out.add(statusShape(s)));
            return page(input, "CreateAccountStatuses", out);
        });
    }

    private PreparedCall closeAccount(Call call, Input input) {
        Org org = managed(call);
        String account = input.string("AccountId");
        return PreparedCall.of(List.of(check(call, "CloseAccount", accountArn(org, account))), () -> commit(() -> {
            Member member = memberOf(org, account);
            if (account.equals(org.managementAccount())) {
                // The API Reference: the management account is closed by other means; AWS's wording not found.
                throw constraint("MASTER_ACCOUNT_CLOSURE", "You can't close the management account with"
                        + " CloseAccount.");
            }
            if (!member.status().equals("ACTIVE")) {
                throw error("AccountAlreadyClosedException", "You attempted to close an account that is already"
                        + " closed.");
            }
            // A closed account is suspended: it stays in the organization and its principals may do nothing.
            orgs.put(member.withStatus("SUSPENDED"));
            return null;
        }));
    }

    // ---- trusted services and delegated administrators ---------------------------------------------------

    private static RequestContext servicePrincipal(String principal) {
        return RequestContext.builder().single("organizations:ServicePrincipal", principal).build();
    }

    /** EnableAWSServiceAccess: the organization trusts the service (idempotent). */
    private PreparedCall enableServiceAccess(Call call, Input input) {
        Org org = managed(call);
        String principal = input.string("ServicePrincipal");
        return PreparedCall.of(List.of(check(call, "EnableAWSServiceAccess", "*", servicePrincipal(principal))),
                () -> {
                    if (orgs.serviceAccess(org.id()).stream().noneMatch(a -> a.servicePrincipal().equals(principal))) {
                        orgs.put(new OrganizationDirectory.ServiceAccess(org.id(), principal, now(call)));
                    }
                    return null;
                });
    }

    /** DisableAWSServiceAccess: the organization no longer trusts the service (idempotent). */
    private PreparedCall disableServiceAccess(Call call, Input input) {
        Org org = managed(call);
        String principal = input.string("ServicePrincipal");
        return PreparedCall.of(List.of(check(call, "DisableAWSServiceAccess", "*", servicePrincipal(principal))),
                () -> {
                    orgs.serviceAccess(org.id()).stream().filter(a -> a.servicePrincipal().equals(principal))
                            .forEach(orgs::remove);
                    return null;
                });
    }

    private PreparedCall listServiceAccess(Call call, Input input) {
        Org org = readable(call);
        return PreparedCall.of(List.of(check(call, "ListAWSServiceAccessForOrganization", "*")), () -> {
            List<Shape> out = new ArrayList<>();
            orgs.serviceAccess(org.id()).forEach(a -> out.add(Shape.of().put("ServicePrincipal", a.servicePrincipal())
                    .put("DateEnabled", Instant.parse(a.enabled()))));
            return page(input, "EnabledServicePrincipals", out);
        });
    }

    /**
     * RegisterDelegatedAdministrator: a member account administers the service's features for the organization, and
     * may then call Organizations' List and Describe operations. The management account cannot be one.
     */
    private PreparedCall registerDelegatedAdministrator(Call call, Input input) {
        Org org = managed(call);
        String account = input.string("AccountId");
        String principal = input.string("ServicePrincipal");
        return PreparedCall.of(List.of(check(call, "RegisterDelegatedAdministrator", accountArn(org, account),
                servicePrincipal(principal))), () -> {
                    memberOf(org, account);
                    if (account.equals(org.managementAccount())) {
                        throw constraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", "You attempted to"
                                + " register the management account of the organization as a delegated administrator"
                                + " for an AWS service integrated with Organizations.");
                    }
                    if (orgs.delegatedAdministrators(org.id()).stream().anyMatch(d -> d.accountId().equals(account)
                            && d.servicePrincipal().equals(principal))) {
                        throw error("AccountAlreadyRegisteredException", "The provided account is already a"
                                + " delegated administrator for your organization.");
                    }
                    orgs.put(new OrganizationDirectory.DelegatedAdministrator(org.id(), account, principal,
                            now(call)));
                    return null;
                });
    }

    private PreparedCall deregisterDelegatedAdministrator(Call call, Input input) {
        Org org = managed(call);
        String account = input.string("AccountId");
        String principal = input.string("ServicePrincipal");
        return PreparedCall.of(List.of(check(call, "DeregisterDelegatedAdministrator", accountArn(org, account),
                servicePrincipal(principal))), () -> {
                    memberOf(org, account);
                    OrganizationDirectory.DelegatedAdministrator registered = orgs.delegatedAdministrators(org.id())
                            .stream().filter(d -> d.accountId().equals(account)
                                    && d.servicePrincipal().equals(principal)).findFirst()
                            .orElseThrow(OrganizationsService::notRegistered);
                    orgs.remove(registered);
                    return null;
                });
    }

    private static AwsException notRegistered() {
        return error("AccountNotRegisteredException", "The provided account is not a registered delegated"
                + " administrator for your organization.");
    }

    /** ListDelegatedAdministrators: each account once, with when it was first made one; for one service if asked. */
    private PreparedCall listDelegatedAdministrators(Call call, Input input) {
        Org org = readable(call);
        String principal = input.string("ServicePrincipal");
        RequestContext context = principal == null ? RequestContext.empty() : servicePrincipal(principal);
        return PreparedCall.of(List.of(check(call, "ListDelegatedAdministrators", "*", context)), () -> {
            Map<String, String> since = new java.util.TreeMap<>();
            for (OrganizationDirectory.DelegatedAdministrator d : orgs.delegatedAdministrators(org.id())) {
                if (principal == null || d.servicePrincipal().equals(principal)) {
                    since.merge(d.accountId(), d.enabled(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
                }
            }
            List<Shape> out = new ArrayList<>();
            since.forEach((account, enabled) -> orgs.member(account).ifPresent(m -> out.add(Shape.of()
                    .put("Id", m.accountId()).put("Arn", accountArn(org, m.accountId())).put("Email", m.email())
                    .put("Name", m.name()).put("Status", m.status())
                    .put("State", m.status().equals("ACTIVE") ? "ACTIVE" : "SUSPENDED")
                    .put("JoinedMethod", m.joinedMethod()).put("JoinedTimestamp", Instant.parse(m.joined()))
                    .put("DelegationEnabledDate", Instant.parse(enabled)))));
            return page(input, "DelegatedAdministrators", out);
        });
    }

    private PreparedCall listDelegatedServices(Call call, Input input) {
        Org org = readable(call);
        String account = input.string("AccountId");
        return PreparedCall.of(List.of(check(call, "ListDelegatedServicesForAccount", accountArn(org, account))),
                () -> {
                    memberOf(org, account);
                    List<Shape> out = new ArrayList<>();
                    orgs.delegatedAdministrators(org.id()).stream().filter(d -> d.accountId().equals(account))
                            .forEach(d -> out.add(Shape.of().put("ServicePrincipal", d.servicePrincipal())
                                    .put("DelegationEnabledDate", Instant.parse(d.enabled()))));
                    if (out.isEmpty()) {
                        throw notRegistered();
                    }
                    return page(input, "DelegatedServices", out);
                });
    }

    // ---- tags ------------------------------------------------------------------------------------------

    /** The ARN of a taggable root, OU, account or policy of the organization, which must exist. */
    private String taggableArn(Org org, String resourceId) {
        if (resourceId.startsWith("p-")) {
            if (awsManaged(resourceId)) {
                throw targetNotFound();
            }
            OrgPolicy policy = orgs.policy(resourceId).filter(p -> p.orgId().equals(org.id()))
                    .orElseThrow(OrganizationsService::targetNotFound);
            return policyArn(org, resourceId, policy.type());
        }
        if (resourceId.startsWith("rp-") || resourceId.startsWith("rt-") || !targetExists(org, resourceId)) {
            throw targetNotFound();
        }
        return targetArn(org, resourceId);
    }

    private RequestContext.Builder resourceTags(String resourceId) {
        RequestContext.Builder context = RequestContext.builder();
        orgs.tags(resourceId).forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        if (resourceId.startsWith("p-")) {
            context.single("organizations:PolicyType", typeOf(resourceId));
        }
        return context;
    }

    private PreparedCall tagResource(Call call, Input input) {
        Org org = managed(call);
        String id = input.string("ResourceId");
        Map<String, String> tags = tags(input);
        String arn = taggableArn(org, id);
        RequestContext.Builder context = resourceTags(id);
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        return PreparedCall.of(List.of(check(call, "TagResource", arn, context.build())), () -> commit(() -> {
            taggableArn(org, id);
            Map<String, String> merged = new LinkedHashMap<>(orgs.tags(id));
            merged.putAll(tags);
            if (merged.size() > 50) {
                throw constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this"
                        + " resource.");
            }
            orgs.putTags(id, org.id(), merged);
            return null;
        }));
    }

    private PreparedCall untagResource(Call call, Input input) {
        Org org = managed(call);
        String id = input.string("ResourceId");
        List<String> keys = input.list("TagKeys");
        String arn = taggableArn(org, id);
        RequestContext.Builder context = resourceTags(id).multi("aws:TagKeys", keys);
        return PreparedCall.of(List.of(check(call, "UntagResource", arn, context.build())), () -> commit(() -> {
            taggableArn(org, id);
            Map<String, String> remaining = new LinkedHashMap<>(orgs.tags(id));
            keys.forEach(remaining::remove);
            orgs.putTags(id, org.id(), remaining);
            return null;
        }));
    }

    private PreparedCall listTagsForResource(Call call, Input input) {
        Org org = readable(call);
        String id = input.string("ResourceId");
        String arn = taggableArn(org, id);
        return PreparedCall.of(List.of(check(call, "ListTagsForResource", arn, resourceTags(id).build())), () -> {
            List<Shape> out = new ArrayList<>();
            new java.util.TreeMap<>(orgs.tags(id)).forEach((k, v) -> out.add(Shape.of().put("Key", k)
                    .put("Value", v)));
            return page(input, "Tags", out);
        });
    }

    private Shape targetShape(Org org, String targetId) {
        Shape out = Shape.of().put("TargetId", targetId).put("Arn", targetArn(org, targetId));
        if (targetId.startsWith("r-")) {
            return out.put("Name", "Root").put("Type", "ROOT");
        }
        if (targetId.startsWith("ou-")) {
            return out.put("Name", orgs.unit(targetId).map(Unit::name).orElse(targetId))
                    .put("Type", "ORGANIZATIONAL_UNIT");
        }
        return out.put("Name", orgs.member(targetId).map(Member::name).orElse(targetId)).put("Type", "ACCOUNT");
    }
}
