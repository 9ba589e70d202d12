package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Instance profiles: create, read, list, delete, their one role, and their tags. Every operation is authorized as
 * {@code iam:<Operation>} on the instance profile's ARN ({@code ListInstanceProfilesForRole} on the role's);
 * adding a role also needs {@code iam:PassRole} on it, as IAM asks (IAM API Reference, AddRoleToInstanceProfile).
 */
final class InstanceProfileOperations {
    /** IAM's quotas (IAM User Guide, "IAM and AWS STS quotas"): one role per profile, 1,000 profiles per account. */
    static final int ROLES_PER_PROFILE = 1;
    static final int PROFILES_PER_ACCOUNT = 1000;

    private final IamSupport support;
    private final IamDirectory iam;

    InstanceProfileOperations(IamSupport support) {
        this.support = support;
        this.iam = support.iam;
    }

    // ---- shapes -----------------------------------------------------------------------------

    /** The InstanceProfile shape, its role as the Role shape; {@code tags}: with its tags (GetInstanceProfile). */
    static Shape shape(IamDirectory iam, InstanceProfile profile, boolean tags) {
        List<Shape> roles = new ArrayList<>();
        for (String roleId : profile.roleIds()) {
            iam.roleById(roleId).ifPresent(role -> roles.add(RoleOperations.roleShape(iam, role, false)));
        }
        Shape shape = Shape.of()
                .put("Path", profile.path())
                .put("InstanceProfileName", profile.name())
                .put("InstanceProfileId", profile.instanceProfileId())
                .put("Arn", profile.arn())
                .put("CreateDate", profile.created())
                .put("Roles", roles);
        if (tags && !profile.tags().isEmpty()) {
            shape.put("Tags", IamSupport.tagShapes(profile.tags()));
        }
        return shape;
    }

    // ---- helpers ----------------------------------------------------------------------------

    static dev.crossrole.server.protocol.AwsException noSuchProfile(String name) {
        return IamSupport.noSuchEntity("Instance Profile " + name + " cannot be found.");
    }

    private InstanceProfile existing(Call call, String name) {
        return iam.instanceProfile(account(call), name).orElseThrow(() -> noSuchProfile(name));
    }

    private Role role(Call call, String name) {
        return iam.role(account(call), name).orElseThrow(() -> IamSupport.noSuchRole(name));
    }

    /** The profile's ARN as the access check's resource, with its tags as condition keys; for a missing one, at path /. */
    private AccessCheck onProfile(Call call, String action, String name, RequestContext.Builder extra) {
        InstanceProfile profile = iam.instanceProfile(account(call), name).orElse(null);
        RequestContext.Builder context = extra == null ? RequestContext.builder() : extra;
        if (profile != null) {
            IamSupport.resourceTags(context, profile.tags());
        }
        String arn = profile != null ? profile.arn() : InstanceProfile.arn(account(call), "/", name);
        return IamSupport.check(action, arn, context.build());
    }

    private String roleArn(Call call, String name) {
        return iam.role(account(call), name).map(Role::arn).orElse(support.arn(account(call), "role", "/", name));
    }

    // ---- create, read, list, delete ---------------------------------------------------------

    PreparedCall createInstanceProfile(Call call, Input input) {
        String name = input.string("InstanceProfileName");
        String path = input.string("Path") == null ? "/" : input.string("Path");
        Map<String, String> tags = IamSupport.tags(input);
        String arn = InstanceProfile.arn(account(call), path, name);
        RequestContext context = IamSupport.requestTags(RequestContext.builder(), tags).build();
        List<AccessCheck> checks = new ArrayList<>(List.of(IamSupport.checkByArn("iam:CreateInstanceProfile", arn,
                context)));
        if (!tags.isEmpty()) {
            checks.add(IamSupport.checkByArn("iam:TagInstanceProfile", arn, context));
        }
        return PreparedCall.of(checks, () -> {
            synchronized (iam) {
                if (iam.instanceProfile(account(call), name).isPresent()) {
                    throw IamSupport.alreadyExists("Instance Profile " + name + " already exists.");
                }
                if (iam.instanceProfiles(account(call)).size() >= PROFILES_PER_ACCOUNT) {
                    throw IamSupport.limitExceeded("Cannot exceed quota for InstanceProfilesPerAccount: "
                            + PROFILES_PER_ACCOUNT);
                }
                InstanceProfile profile = new InstanceProfile(account(call), name, path, iam.ids().instanceProfileId(),
                        iam.clock().instant(), List.of(), tags);
                iam.putInstanceProfile(profile);
                return Shape.of().put("InstanceProfile", shape(iam, profile, true));
            }
        });
    }

    PreparedCall getInstanceProfile(Call call, Input input) {
        String name = input.string("InstanceProfileName");
        return PreparedCall.of(List.of(onProfile(call, "iam:GetInstanceProfile", name, null)),
                () -> Shape.of().put("InstanceProfile", shape(iam, existing(call, name), true)));
    }

    PreparedCall listInstanceProfiles(Call call, Input input) {
        String prefix = input.string("PathPrefix");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(IamSupport.check("iam:ListInstanceProfiles",
                IamSupport.listResource(call, "instance-profile"), RequestContext.empty())), () -> {
            List<InstanceProfile> profiles = iam.instanceProfiles(account(call)).stream()
                    .filter(p -> IamSupport.underPrefix(p.path(), prefix)).toList();
            IamSupport.Page<InstanceProfile> p = IamSupport.page(profiles, page);
            return p.into(Shape.of().put("InstanceProfiles", IamSupport.shapes(p.items(), i -> shape(iam, i, false))));
        });
    }

    PreparedCall deleteInstanceProfile(Call call, Input input) {
        String name = input.string("InstanceProfileName");
        return PreparedCall.of(List.of(onProfile(call, "iam:DeleteInstanceProfile", name, null)), () -> {
            synchronized (iam) {
                InstanceProfile profile = existing(call, name);
                if (!profile.roleIds().isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
                }
                iam.deleteInstanceProfile(profile.account(), profile.name());
                return null;
            }
        });
    }

    // ---- the role -----------------------------------------------------------------------------

    PreparedCall addRoleToInstanceProfile(Call call, Input input) {
        String name = input.string("InstanceProfileName");
        String roleName = input.string("RoleName");
        // IAM asks for iam:PassRole on the role too, for EC2 instances of the account (IAM API Reference,
        // AddRoleToInstanceProfile: iam:AssociatedResourceArn is arn:aws:ec2:*:<account>:instance/*).
        RequestContext passRole = RequestContext.builder()
                .single("iam:AssociatedResourceArn", "arn:aws:ec2:*:" + account(call) + ":instance/*").build();
        return PreparedCall.of(List.of(onProfile(call, "iam:AddRoleToInstanceProfile", name, null),
                IamSupport.check("iam:PassRole", roleArn(call, roleName), passRole)), () -> {
            synchronized (iam) {
                InstanceProfile profile = existing(call, name);
                Role role = role(call, roleName);
                if (role.serviceLinked()) {
                    throw ServiceLinkedRoleOperations.protectedRole(role.name());
                }
                if (profile.roleIds().size() >= ROLES_PER_PROFILE) {
                    throw IamSupport.limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: "
                            + ROLES_PER_PROFILE);
                }
                List<String> ids = new ArrayList<>(profile.roleIds());
                ids.add(role.roleId());
                iam.putInstanceProfile(profile.withRoleIds(ids));
                return null;
            }
        });
    }

    PreparedCall removeRoleFromInstanceProfile(Call call, Input input) {
        String name = input.string("InstanceProfileName");
        String roleName = input.string("RoleName");
        return PreparedCall.of(List.of(onProfile(call, "iam:RemoveRoleFromInstanceProfile", name, null)), () -> {
            synchronized (iam) {
                InstanceProfile profile = existing(call, name);
                Role role = role(call, roleName);
                if (!profile.roleIds().contains(role.roleId())) {
                    throw IamSupport.noSuchEntity("The role with name " + roleName
                            + " cannot be found in instance profile " + profile.name() + ".");
                }
                List<String> ids = new ArrayList<>(profile.roleIds());
                ids.remove(role.roleId());
                iam.putInstanceProfile(profile.withRoleIds(ids));
                return null;
            }
        });
    }

    PreparedCall listInstanceProfilesForRole(Call call, Input input) {
        String roleName = input.string("RoleName");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        Role known = iam.role(account(call), roleName).orElse(null);
        RequestContext.Builder context = RequestContext.builder();
        if (known != null) {
            IamSupport.resourceTags(context, known.tags());
        }
        return PreparedCall.of(List.of(IamSupport.check("iam:ListInstanceProfilesForRole", roleArn(call, roleName),
                context.build())), () -> {
            IamSupport.Page<InstanceProfile> p = IamSupport.page(iam.instanceProfilesOf(role(call, roleName)), page);
            return p.into(Shape.of().put("InstanceProfiles", IamSupport.shapes(p.items(), i -> shape(iam, i, false))));
        });
    }

    // ---- tags -------------------------------------------------------------------------------

    PreparedCall tagInstanceProfile(Call call, Input input) {
        String name = input.string("InstanceProfileName");
        Map<String, String> tags = IamSupport.tags(input);
        return PreparedCall.of(List.of(onProfile(call, "iam:TagInstanceProfile", name,
                IamSupport.requestTags(RequestContext.builder(), tags))), () -> {
            synchronized (iam) {
                InstanceProfile profile = existing(call, name);
                iam.putInstanceProfile(profile.withTags(IamSupport.mergeTags(profile.tags(), tags)));
                return null;
            }
        });
    }

    PreparedCall untagInstanceProfile(Call call, Input input) {
        String name = input.string("InstanceProfileName");
        List<String> keys = input.listOrEmpty("TagKeys");
        return PreparedCall.of(List.of(onProfile(call, "iam:UntagInstanceProfile", name,
                RequestContext.builder().multi("aws:TagKeys", keys))), () -> {
            synchronized (iam) {
                InstanceProfile profile = existing(call, name);
                Map<String, String> remaining = new LinkedHashMap<>(profile.tags());
                remaining.keySet().removeIf(k -> keys.stream().anyMatch(k::equalsIgnoreCase));
                iam.putInstanceProfile(profile.withTags(remaining));
                return null;
            }
        });
    }

    PreparedCall listInstanceProfileTags(Call call, Input input) {
        String name = input.string("InstanceProfileName");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(onProfile(call, "iam:ListInstanceProfileTags", name, null)), () -> {
            IamSupport.Page<Map.Entry<String, String>> p = IamSupport.page(
                    new ArrayList<>(existing(call, name).tags().entrySet()), page);
            return p.into(Shape.of().put("Tags", IamSupport.shapes(p.items(),
                    e -> Shape.of().put("Key", e.getKey()).put("Value", e.getValue()))));
        });
    }
}
