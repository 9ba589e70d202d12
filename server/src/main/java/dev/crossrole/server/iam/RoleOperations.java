package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Roles: create, read, update, delete; trust policies; boundaries; tags; inline and attached policies.
 * Every operation is authorized as {@code iam:<Operation>} on the role's ARN.
 */
final class RoleOperations {
    static final int INLINE_QUOTA = 10240;
    static final int ATTACHED_QUOTA = 10;

    private final IamSupport support;
    private final IamDirectory iam;
    final EntityTagAndBoundaryOperations<Role> tagsAndBoundary;
    final EntityPolicyOperations<Role> policies;

    RoleOperations(IamSupport support) {
        this.support = support;
        this.iam = support.iam;
        this.tagsAndBoundary = EntityTagAndBoundaryOperations.of(iam, new EntityTagAndBoundaryOperations.Entity<>("Role",
                "RoleName", this::onRole, this::existing, Role::tags, Role::withTags,
                Role::permissionsBoundaryArn, Role::withPermissionsBoundary, iam::putRole));
        this.policies = EntityPolicyOperations.of(iam, new EntityPolicyOperations.Entity<>("Role",
                "RoleName", INLINE_QUOTA, ATTACHED_QUOTA, this::onRole, this::existing, Role::name,
                Role::inlinePolicies, Role::attachedPolicyArns, Role::withInlinePolicies, Role::withAttachedPolicies,
                iam::putRole, RoleOperations::refuseServiceRolePolicy));
    }

    // ---- shapes -----------------------------------------------------------------------------

    /** The Role shape; {@code full} adds what only GetRole/CreateRole return (boundary, tags, last use). */
    Shape roleShape(Role role, boolean full) {
        return roleShape(iam, role, full);
    }

    static Shape roleShape(IamDirectory iam, Role role, boolean full) {
        Shape shape = Shape.of()
                .put("Path", role.path())
                .put("RoleName", role.name())
                .put("RoleId", role.roleId())
                .put("Arn", role.arn())
                .put("CreateDate", role.created())
                .put("AssumeRolePolicyDocument", IamSupport.encodeDocument(iam.renderTrustPolicy(role)))
                .put("Description", role.description())
                .put("MaxSessionDuration", role.maxSessionDuration());
        if (full) {
            if (role.permissionsBoundaryArn() != null) {
                shape.put("PermissionsBoundary", Shape.of().put("PermissionsBoundaryType", "Policy")
                        .put("PermissionsBoundaryArn", role.permissionsBoundaryArn()));
            }
            if (!role.tags().isEmpty()) {
                shape.put("Tags", IamSupport.tagShapes(role.tags()));
            }
            shape.put("RoleLastUsed", Shape.of().put("LastUsedDate", role.lastUsed()).put("Region", role.lastUsedRegion()));
        }
        return shape;
    }

    // ---- helpers ----------------------------------------------------------------------------

    private Role existing(Call call, String name) {
        return iam.role(account(call), name).orElseThrow(() -> IamSupport.noSuchRole(name));
    }

    private String roleArn(Call call, String path, String name) {
        return support.arn(account(call), "role", path == null ? "/" : path, name);
    }

    /** The role's ARN as the access check's resource, with its tags as condition keys; for a missing role, the plain ARN. */
    private AccessCheck onRole(Call call, String action, String name, RequestContext.Builder extra) {
        Role role = iam.role(account(call), name).orElse(null);
        RequestContext.Builder context = extra == null ? RequestContext.builder() : extra;
        if (role != null) {
            IamSupport.resourceTags(context, role.tags());
        }
        return IamSupport.check(action, role != null ? role.arn() : roleArn(call, "/", name), context.build());
    }

    private String boundaryArn(Call call, String arn) {
        return IamSupport.boundary(iam, account(call), arn);
    }

    /** Policies under /aws-service-role/ belong to service-linked roles only. */
    private static void refuseServiceRolePolicy(ManagedPolicy policy) {
        if (policy.path().startsWith("/aws-service-role/")) {
            throw new dev.crossrole.server.protocol.AwsException("PolicyNotAttachable", 400,
                    "Cannot attach a Service Role Policy to a Customer Role.");
        }
    }

    /**
     * A change to a role that service-linked roles refuse: the call runs as {@code change} does, after its access
     * checks, unless the role is service-linked (IAM's UnmodifiableEntity).
     */
    private PreparedCall unlessServiceLinked(Call call, String name, PreparedCall change) {
        return PreparedCall.of(change.accessChecks(), () -> {
            iam.role(account(call), name).filter(Role::serviceLinked).ifPresent(role -> {
                throw ServiceLinkedRoleOperations.protectedRole(role.name());
            });
            return change.execute();
        });
    }

    // ---- create, read, update, delete -------------------------------------------------------

    PreparedCall createRole(Call call, Input input) {
        String name = input.string("RoleName");
        String path = input.string("Path");
        String trust = input.string("AssumeRolePolicyDocument");
        String description = input.string("Description");
        Integer maxSession = input.integer("MaxSessionDuration");
        String boundary = input.string("PermissionsBoundary");
        Map<String, String> tags = IamSupport.tags(input);
        String rolePath = path == null ? "/" : path;
        String arn = roleArn(call, rolePath, name);
        RequestContext.Builder context = IamSupport.requestTags(RequestContext.builder(), tags);
        if (boundary != null) {
            context.single("iam:PermissionsBoundary", boundary);
        }
        RequestContext ctx = context.build();
        List<AccessCheck> checks = new ArrayList<>(List.of(IamSupport.check("iam:CreateRole", arn, ctx)));
        if (!tags.isEmpty()) {
            checks.add(IamSupport.checkByArn("iam:TagRole", arn, ctx));
        }
        return PreparedCall.of(checks, () -> {
            if (rolePath.startsWith(ServiceLinkedRoles.PATH_PREFIX)) {
                throw IamSupport.invalidInput("Path prefix '" + ServiceLinkedRoles.PATH_PREFIX
                        + "' can only be used for AWS Service linked Roles");
            }
            synchronized (iam) {
                if (iam.role(account(call), name).isPresent()) {
                    throw IamSupport.alreadyExists("Role with name " + name + " already exists.");
                }
                IamDirectory.CompiledTrust compiled;
                try {
                    compiled = iam.compileTrust(name, trust);
                } catch (InvalidPolicyException e) {
                    throw IamSupport.malformed(e);
                }
                Role role = new Role(account(call), name, rolePath, iam.ids().roleId(), iam.clock().instant(), description,
                        compiled.policy(), trust, compiled.principals(),
                        maxSession == null ? Role.DEFAULT_MAX_SESSION_DURATION : maxSession, tags, Map.of(), List.of(),
                        boundaryArn(call, boundary), null, null);
                iam.putRole(role);
                return Shape.of().put("Role", roleShape(role, true));
            }
        });
    }

    PreparedCall getRole(Call call, Input input) {
        String name = input.string("RoleName");
        return PreparedCall.of(List.of(onRole(call, "iam:GetRole", name, null)),
                () -> Shape.of().put("Role", roleShape(existing(call, name), true)));
    }

    PreparedCall listRoles(Call call, Input input) {
        String prefix = input.string("PathPrefix");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(IamSupport.check("iam:ListRoles", IamSupport.listResource(call, "role"), RequestContext.empty())), () -> {
            List<Role> roles = iam.roles(account(call)).stream().filter(r -> IamSupport.underPrefix(r.path(), prefix)).toList();
            IamSupport.Page<Role> p = IamSupport.page(roles, page);
            return p.into(Shape.of().put("Roles", IamSupport.shapes(p.items(), r -> roleShape(r, false))));
        });
    }

    PreparedCall updateRole(Call call, Input input) {
        String name = input.string("RoleName");
        String description = input.string("Description");
        Integer maxSession = input.integer("MaxSessionDuration");
        return PreparedCall.of(List.of(onRole(call, "iam:UpdateRole", name, null)), () -> {
            synchronized (iam) {
                Role role = existing(call, name);
                // A service-linked role's description may change; its session duration is the service's.
                if (maxSession != null && role.serviceLinked()) {
                    throw ServiceLinkedRoleOperations.protectedRole(role.name());
                }
                if (description != null) {
                    role = role.withDescription(description);
                }
                if (maxSession != null) {
                    role = role.withMaxSessionDuration(maxSession);
                }
                iam.putRole(role);
                return Shape.of();
            }
        });
    }

    PreparedCall updateRoleDescription(Call call, Input input) {
        String name = input.string("RoleName");
        String description = input.string("Description");
        return PreparedCall.of(List.of(onRole(call, "iam:UpdateRoleDescription", name, null)), () -> {
            synchronized (iam) {
                Role role = iam.putRole(existing(call, name).withDescription(description));
                return Shape.of().put("Role", roleShape(role, true));
            }
        });
    }

    PreparedCall deleteRole(Call call, Input input) {
        String name = input.string("RoleName");
        return PreparedCall.of(List.of(onRole(call, "iam:DeleteRole", name, null)), () -> {
            synchronized (iam) {
                Role role = existing(call, name);
                if (role.serviceLinked()) {
                    throw ServiceLinkedRoleOperations.protectedRole(role.name());
                }
                if (!iam.instanceProfilesOf(role).isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
                }
                if (!role.inlinePolicies().isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must delete policies first.");
                }
                if (!role.attachedPolicyArns().isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must detach all policies first.");
                }
                iam.deleteRole(role.account(), role.name());
                return null;
            }
        });
    }

    PreparedCall updateAssumeRolePolicy(Call call, Input input) {
        String name = input.string("RoleName");
        String document = input.string("PolicyDocument");
        return PreparedCall.of(List.of(onRole(call, "iam:UpdateAssumeRolePolicy", name, null)), () -> {
            synchronized (iam) {
                Role role = existing(call, name);
                if (role.serviceLinked()) {
                    throw ServiceLinkedRoleOperations.protectedRole(role.name());
                }
                IamDirectory.CompiledTrust compiled;
                try {
                    compiled = iam.compileTrust(role.name(), document);
                } catch (InvalidPolicyException e) {
                    throw IamSupport.malformed(e);
                }
                iam.putRole(role.withTrust(compiled.policy(), document, compiled.principals()));
                return null;
            }
        });
    }

    // ---- tags, permissions boundary and policies: the shared implementations under these operations' names ----

    PreparedCall tagRole(Call call, Input input) {
        return tagsAndBoundary.tag("iam:TagRole", call, input);
    }

    PreparedCall untagRole(Call call, Input input) {
        return tagsAndBoundary.untag("iam:UntagRole", call, input);
    }

    PreparedCall listRoleTags(Call call, Input input) {
        return tagsAndBoundary.listTags("iam:ListRoleTags", call, input);
    }

    PreparedCall putRolePermissionsBoundary(Call call, Input input) {
        return unlessServiceLinked(call, input.string("RoleName"),
                tagsAndBoundary.putBoundary("iam:PutRolePermissionsBoundary", call, input));
    }

    PreparedCall deleteRolePermissionsBoundary(Call call, Input input) {
        return unlessServiceLinked(call, input.string("RoleName"),
                tagsAndBoundary.deleteBoundary("iam:DeleteRolePermissionsBoundary", call, input));
    }

    PreparedCall putRolePolicy(Call call, Input input) {
        return unlessServiceLinked(call, input.string("RoleName"),
                policies.put("iam:PutRolePolicy", call, input));
    }

    PreparedCall getRolePolicy(Call call, Input input) {
        return policies.get("iam:GetRolePolicy", call, input);
    }

    PreparedCall listRolePolicies(Call call, Input input) {
        return policies.list("iam:ListRolePolicies", call, input);
    }

    PreparedCall deleteRolePolicy(Call call, Input input) {
        return unlessServiceLinked(call, input.string("RoleName"),
                policies.delete("iam:DeleteRolePolicy", call, input));
    }

    PreparedCall attachRolePolicy(Call call, Input input) {
        return unlessServiceLinked(call, input.string("RoleName"),
                policies.attach("iam:AttachRolePolicy", call, input));
    }

    PreparedCall detachRolePolicy(Call call, Input input) {
        return unlessServiceLinked(call, input.string("RoleName"),
                policies.detach("iam:DetachRolePolicy", call, input));
    }

    PreparedCall listAttachedRolePolicies(Call call, Input input) {
        return policies.listAttached("iam:ListAttachedRolePolicies", call, input);
    }
}
