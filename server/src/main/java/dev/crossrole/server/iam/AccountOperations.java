package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.Policy;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Account-wide IAM calls: the authorization-details export, the account summary, and the account
 * alias. All are authorized as {@code iam:<Operation>} on {@code *}.
 */
final class AccountOperations {
    static final List<String> FILTERS = List.of("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy");

    private final IamDirectory iam;

    AccountOperations(IamSupport support) {
        this.iam = support.iam;
    }

    private static PreparedCall onAccount(String action, java.util.function.Supplier<Shape> body) {
        return PreparedCall.of(List.of(IamSupport.check(action, "*", RequestContext.empty())), body);
    }

    // ---- GetAccountAuthorizationDetails -----------------------------------------------------

    PreparedCall getAccountAuthorizationDetails(Call call, Input input) {
        List<String> filter = input.<String>listOrEmpty("Filter");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        Set<String> kinds = new LinkedHashSet<>(filter.isEmpty() ? FILTERS : filter);
        return onAccount("iam:GetAccountAuthorizationDetails", () -> {
            String account = account(call);
            // Entities of every kind are paged together, in the order of the output lists.
            List<Object> all = new ArrayList<>();
            if (kinds.contains("User")) {
                all.addAll(iam.users(account));
            }
            if (kinds.contains("Group")) {
                all.addAll(iam.groups(account));
            }
            if (kinds.contains("Role")) {
                all.addAll(iam.roles(account));
            }
            boolean local = kinds.contains("LocalManagedPolicy");
            boolean aws = kinds.contains("AWSManagedPolicy");
            if (local || aws) {
                for (ManagedPolicy policy : iam.policies(account, aws, local)) {
                    // AWS-managed policies appear only where the account uses them.
                    if (!policy.awsManaged() || iam.attachmentCount(account, policy.arn()) > 0
                            || iam.boundaryUsageCount(account, policy.arn()) > 0) {
                        all.add(policy);
                    }
                }
            }
            IamSupport.Page<Object> p = IamSupport.page(all, page);
            List<Shape> users = new ArrayList<>();
            List<Shape> groups = new ArrayList<>();
            List<Shape> roles = new ArrayList<>();
            List<Shape> policies = new ArrayList<>();
            for (Object item : p.items()) {
                if (item instanceof IamUser u) {
                    users.add(userDetail(u));
                } else if (item instanceof Group g) {
                    groups.add(groupDetail(g));
                } else if (item instanceof Role r) {
                    roles.add(roleDetail(r));
                } else if (item instanceof ManagedPolicy m) {
                    policies.add(policyDetail(account, m));
                }
            }
            return p.into(Shape.of().put("UserDetailList", users).put("GroupDetailList", groups)
                    .put("RoleDetailList", roles).put("Policies", policies));
        });
    }

    private static List<Shape> inlineList(Map<String, Policy> inline) {
        List<Shape> out = new ArrayList<>();
        inline.keySet().stream().sorted().forEach(name -> out.add(Shape.of().put("PolicyName", name)
                .put("PolicyDocument", IamSupport.encodeDocument(inline.get(name).text()))));
        return out;
    }

    private List<Shape> attachedList(List<String> arns) {
        return IamSupport.shapes(EntityPolicyOperations.attachedPolicies(iam, arns, null), EntityPolicyOperations::attachedShape);
    }

    private static Shape boundary(String arn) {
        return arn == null ? null : Shape.of().put("PermissionsBoundaryType", "Policy").put("PermissionsBoundaryArn", arn);
    }

    private Shape userDetail(IamUser user) {
        return Shape.of()
                .put("Path", user.path())
                .put("UserName", user.name())
                .put("UserId", user.userId())
                .put("Arn", user.arn())
                .put("CreateDate", user.created())
                .put("UserPolicyList", inlineList(user.inlinePolicies()))
                .put("GroupList", iam.groupsOf(user.account(), user.name()).stream().map(Group::name).toList())
                .put("AttachedManagedPolicies", attachedList(user.attachedPolicyArns()))
                .put("PermissionsBoundary", boundary(user.permissionsBoundaryArn()))
                .put("Tags", IamSupport.tagShapes(user.tags()));
    }

    private Shape groupDetail(Group group) {
        return Shape.of()
                .put("Path", group.path())
                .put("GroupName", group.name())
                .put("GroupId", group.groupId())
                .put("Arn", group.arn())
                .put("CreateDate", group.created())
                .put("GroupPolicyList", inlineList(group.inlinePolicies()))
                .put("AttachedManagedPolicies", attachedList(group.attachedPolicyArns()));
    }

    private Shape roleDetail(Role role) {
        return Shape.of()
                .put("Path", role.path())
                .put("RoleName", role.name())
                .put("RoleId", role.roleId())
                .put("Arn", role.arn())
                .put("CreateDate", role.created())
                .put("AssumeRolePolicyDocument", IamSupport.encodeDocument(iam.renderTrustPolicy(role)))
                .put("InstanceProfileList", IamSupport.shapes(iam.instanceProfilesOf(role),
                        p -> InstanceProfileOperations.shape(iam, p, false)))
                .put("RolePolicyList", inlineList(role.inlinePolicies()))
                .put("AttachedManagedPolicies", attachedList(role.attachedPolicyArns()))
                .put("PermissionsBoundary", boundary(role.permissionsBoundaryArn()))
                .put("Tags", IamSupport.tagShapes(role.tags()))
                .put("RoleLastUsed", Shape.of().put("LastUsedDate", role.lastUsed()).put("Region", role.lastUsedRegion()));
    }

    private Shape policyDetail(String account, ManagedPolicy policy) {
        List<Shape> versions = new ArrayList<>();
        for (ManagedPolicy.PolicyVersion version : policy.versions()) {
            versions.add(Shape.of()
                    .put("Document", IamSupport.encodeDocument(version.document().text()))
                    .put("VersionId", version.versionId())
                    .put("IsDefaultVersion", version.versionId().equals(policy.defaultVersionId()))
                    .put("CreateDate", version.created()));
        }
        return Shape.of()
                .put("PolicyName", policy.name())
                .put("PolicyId", policy.policyId())
                .put("Arn", policy.arn())
                .put("Path", policy.path())
                .put("DefaultVersionId", policy.defaultVersionId())
                .put("AttachmentCount", iam.attachmentCount(account, policy.arn()))
                .put("PermissionsBoundaryUsageCount", iam.boundaryUsageCount(account, policy.arn()))
                .put("IsAttachable", true)
                .put("Description", policy.description())
                .put("CreateDate", policy.created())
                .put("UpdateDate", policy.updated())
                .put("PolicyVersionList", versions);
    }

    // ---- GetAccountSummary ------------------------------------------------------------------

    PreparedCall getAccountSummary(Call call, Input input) {
        return onAccount("iam:GetAccountSummary", () -> {
            String account = account(call);
            List<ManagedPolicy> local = iam.policies(account, false, true);
            Map<String, Integer> map = new LinkedHashMap<>();
            map.put("GroupPolicySizeQuota", GroupOperations.INLINE_QUOTA);
            map.put("InstanceProfilesQuota", InstanceProfileOperations.PROFILES_PER_ACCOUNT);
            map.put("Policies", local.size());
            map.put("GroupsPerUserQuota", GroupOperations.GROUPS_PER_USER_QUOTA);
            map.put("InstanceProfiles", iam.instanceProfiles(account).size());
            map.put("AttachedPoliciesPerUserQuota", UserOperations.ATTACHED_QUOTA);
            map.put("Users", iam.users(account).size());
            map.put("PoliciesQuota", 1500);
            map.put("Providers", 0);
            map.put("AccountMFAEnabled", 0);
            map.put("AccessKeysPerUserQuota", UserOperations.ACCESS_KEY_QUOTA);
            map.put("AssumeRolePolicySizeQuota", 2048);
            map.put("PolicyVersionsInUseQuota", 10000);
            map.put("GlobalEndpointTokenVersion", 1);
            map.put("VersionsPerPolicyQuota", 5);
            map.put("AttachedPoliciesPerGroupQuota", GroupOperations.ATTACHED_QUOTA);
            map.put("PolicySizeQuota", 6144);
            map.put("Groups", iam.groups(account).size());
            map.put("AccountSigningCertificatesPresent", iam.signingCertificates(account, null).isEmpty() ? 0 : 1);
            map.put("UsersQuota", 5000);
            map.put("ServerCertificatesQuota", 20);
            List<VirtualMfaDevice> devices = iam.mfaDevices(account);
            map.put("MFADevices", devices.size());
            map.put("UserPolicySizeQuota", UserOperations.INLINE_QUOTA);
            map.put("PolicyVersionsInUse", policyVersionsInUse(account));
            map.put("ServerCertificates", iam.serverCertificates(account).size());
            map.put("Roles", iam.roles(account).size());
            map.put("RolesQuota", 1000);
            map.put("SigningCertificatesPerUserQuota", 2);
            map.put("MFADevicesInUse", (int) devices.stream().filter(VirtualMfaDevice::assigned).count());
            map.put("RolePolicySizeQuota", RoleOperations.INLINE_QUOTA);
            map.put("AttachedPoliciesPerRoleQuota", RoleOperations.ATTACHED_QUOTA);
            map.put("AccountAccessKeysPresent", iam.accessKeys(account, null).isEmpty() ? 0 : 1);
            map.put("GroupsQuota", 300);
            return Shape.of().put("SummaryMap", map);
        });
    }

    /** Managed-policy attachments in the account (each attachment of a policy's default version counts). */
    private int policyVersionsInUse(String account) {
        int n = 0;
        for (IamUser u : iam.users(account)) {
            n += u.attachedPolicyArns().size();
        }
        for (Group g : iam.groups(account)) {
            n += g.attachedPolicyArns().size();
        }
        for (Role r : iam.roles(account)) {
            n += r.attachedPolicyArns().size();
        }
        return n;
    }

    // ---- account alias ----------------------------------------------------------------------

    PreparedCall createAccountAlias(Call call, Input input) {
        String alias = input.string("AccountAlias");
        return onAccount("iam:CreateAccountAlias", () -> {
            synchronized (iam) {
                // Aliases are unique across accounts; an account has at most one, and a new one replaces it.
                boolean taken = iam.accounts().stream().anyMatch(a -> alias.equals(a.alias()));
                if (taken) {
                    throw IamSupport.alreadyExists("The account alias " + alias + " already exists.");
                }
                iam.putAccount(iam.account(account(call)).map(a -> a.withAlias(alias)).orElse(new Account(account(call), alias)));
                return null;
            }
        });
    }

    PreparedCall listAccountAliases(Call call, Input input) {
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return onAccount("iam:ListAccountAliases", () -> {
            String alias = iam.account(account(call)).map(Account::alias).orElse(null);
            IamSupport.Page<String> p = IamSupport.page(alias == null ? List.of() : List.of(alias), page);
            return p.into(Shape.of().put("AccountAliases", p.items()));
        });
    }

    PreparedCall deleteAccountAlias(Call call, Input input) {
        String alias = input.string("AccountAlias");
        return onAccount("iam:DeleteAccountAlias", () -> {
            synchronized (iam) {
                Account current = iam.account(account(call)).orElse(null);
                if (current == null || !alias.equals(current.alias())) {
                    throw IamSupport.noSuchEntity("The account alias " + alias + " cannot be found.");
                }
                iam.putAccount(current.withAlias(null));
                return null;
            }
        });
    }
}
