package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Constraints;
import dev.crossrole.server.protocol.QueryParams;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Roles: create, read, update, delete; trust policies; boundaries; tags; inline and attached policies.
 * Every operation is authorized as {@code iam:<Operation>} on the role's ARN.
 */
final class RoleOperations {
    static final int INLINE_QUOTA = 10240;
    static final int ATTACHED_QUOTA = 10;
    private static final Pattern DESCRIPTION = Pattern.compile("[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*");

    private final IamSupport support;
    private final IamDirectory iam;

    private RoleOperations(IamSupport support) {
        this.support = support;
        this.iam = support.iam;
    }

    static void register(Map<String, IamOperation> ops, IamSupport support) {
        RoleOperations r = new RoleOperations(support);
        ops.put("CreateRole", r::createRole);
        ops.put("GetRole", r::getRole);
        ops.put("ListRoles", r::listRoles);
        ops.put("UpdateRole", r::updateRole);
        ops.put("UpdateRoleDescription", r::updateRoleDescription);
        ops.put("DeleteRole", r::deleteRole);
        ops.put("UpdateAssumeRolePolicy", r::updateAssumeRolePolicy);
        EntityTagAndBoundaryOperations.register(ops, r.iam, new EntityTagAndBoundaryOperations.Entity<>("Role",
                RoleOperations::roleName, r::onRole, r::existing, Role::tags, Role::withTags,
                Role::permissionsBoundaryArn, Role::withPermissionsBoundary, r.iam::putRole));
        EntityPolicyOperations.register(ops, r.iam, new EntityPolicyOperations.Entity<>("Role",
                RoleOperations::roleName, INLINE_QUOTA, ATTACHED_QUOTA, r::onRole, r::existing, Role::name,
                Role::inlinePolicies, Role::attachedPolicyArns, Role::withInlinePolicies, Role::withAttachedPolicies,
                r.iam::putRole, RoleOperations::refuseServiceRolePolicy));
    }

    // ---- shapes -----------------------------------------------------------------------------

    /** The Role shape; {@code full} adds what only GetRole/CreateRole return (boundary, tags, last use). */
    Shape roleShape(Role role, boolean full) {
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

    private static String roleName(QueryParams params, Constraints c) {
        String name = params.get("RoleName");
        IamSupport.name(c, "roleName", name, 64);
        return name;
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

    // ---- create, read, update, delete -------------------------------------------------------

    private PreparedCall createRole(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String name = roleName(params, c);
        String path = params.get("Path");
        IamSupport.path(c, "path", path);
        String trust = params.get("AssumeRolePolicyDocument");
        IamSupport.document(c, "assumeRolePolicyDocument", trust);
        String description = params.get("Description");
        c.length("description", description, 0, 1000).pattern("description", description, DESCRIPTION,
                "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*");
        Integer maxSession = c.integer("maxSessionDuration", params.get("MaxSessionDuration"));
        c.range("maxSessionDuration", maxSession, 3600, 43200);
        String boundary = params.get("PermissionsBoundary");
        c.length("permissionsBoundary", boundary, 20, 2048);
        Map<String, String> tags = IamSupport.tags(params, c);
        c.check();
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

    private PreparedCall getRole(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String name = roleName(params, c);
        c.check();
        return PreparedCall.of(List.of(onRole(call, "iam:GetRole", name, null)),
                () -> Shape.of().put("Role", roleShape(existing(call, name), true)));
    }

    private PreparedCall listRoles(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String prefix = params.get("PathPrefix");
        c.length("pathPrefix", prefix, 1, 512);
        IamSupport.PageRequest page = IamSupport.pageRequest(params, c);
        return PreparedCall.of(List.of(IamSupport.check("iam:ListRoles", IamSupport.listResource(call, "role"), RequestContext.empty())), () -> {
            List<Role> roles = iam.roles(account(call)).stream().filter(r -> IamSupport.underPrefix(r.path(), prefix)).toList();
            IamSupport.Page<Role> p = IamSupport.page(roles, page);
            return p.into(Shape.of().put("Roles", IamSupport.shapes(p.items(), r -> roleShape(r, false))));
        });
    }

    private PreparedCall updateRole(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String name = roleName(params, c);
        String description = params.get("Description");
        c.length("description", description, 0, 1000);
        Integer maxSession = c.integer("maxSessionDuration", params.get("MaxSessionDuration"));
        c.range("maxSessionDuration", maxSession, 3600, 43200);
        c.check();
        return PreparedCall.of(List.of(onRole(call, "iam:UpdateRole", name, null)), () -> {
            synchronized (iam) {
                Role role = existing(call, name);
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

    private PreparedCall updateRoleDescription(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String name = roleName(params, c);
        String description = params.get("Description");
        c.required("description", description).length("description", description, 0, 1000);
        c.check();
        return PreparedCall.of(List.of(onRole(call, "iam:UpdateRoleDescription", name, null)), () -> {
            synchronized (iam) {
                Role role = iam.putRole(existing(call, name).withDescription(description));
                return Shape.of().put("Role", roleShape(role, true));
            }
        });
    }

    private PreparedCall deleteRole(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String name = roleName(params, c);
        c.check();
        return PreparedCall.of(List.of(onRole(call, "iam:DeleteRole", name, null)), () -> {
            synchronized (iam) {
                Role role = existing(call, name);
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

    private PreparedCall updateAssumeRolePolicy(Call call, QueryParams params) {
        Constraints c = new Constraints();
        String name = roleName(params, c);
        String document = params.get("PolicyDocument");
        IamSupport.document(c, "policyDocument", document);
        c.check();
        return PreparedCall.of(List.of(onRole(call, "iam:UpdateAssumeRolePolicy", name, null)), () -> {
            synchronized (iam) {
                Role role = existing(call, name);
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
}
