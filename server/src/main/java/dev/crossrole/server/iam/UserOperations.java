package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.Policy;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Users: create, read, update, delete; boundaries; tags; inline and attached policies; access keys.
 * Every operation is authorized as {@code iam:<Operation>} on the user's ARN ({@code *} for ListUsers).
 * Where the user name is optional (GetUser, the access-key calls), AWS acts on the calling user, or on
 * the account root for root credentials.
 */
final class UserOperations {
    static final int INLINE_QUOTA = 2048;
    static final int ATTACHED_QUOTA = 10;
    static final int ACCESS_KEY_QUOTA = 2;
    static final String NON_USER_CREDENTIALS = "Must specify userName when calling with non-User credentials";

    private final IamSupport support;
    private final IamDirectory iam;
    final EntityTagAndBoundaryOperations<IamUser> tagsAndBoundary;
    final EntityPolicyOperations<IamUser> policies;

    UserOperations(IamSupport support) {
        this.support = support;
        this.iam = support.iam;
        this.tagsAndBoundary = EntityTagAndBoundaryOperations.of(iam, new EntityTagAndBoundaryOperations.Entity<>("User",
                "UserName", this::onUser, this::existing, IamUser::tags, IamUser::withTags,
                IamUser::permissionsBoundaryArn, IamUser::withPermissionsBoundary, iam::putUser));
        this.policies = EntityPolicyOperations.of(iam, new EntityPolicyOperations.Entity<>("User",
                "UserName", INLINE_QUOTA, ATTACHED_QUOTA, this::onUser, this::existing, IamUser::name,
                IamUser::inlinePolicies, IamUser::attachedPolicyArns, IamUser::withInlinePolicies,
                IamUser::withAttachedPolicies, iam::putUser, policy -> { }));
    }

    // ---- shapes -----------------------------------------------------------------------------

    /** The User shape; {@code full} adds what only GetUser/CreateUser return (boundary, tags). */
    static Shape userShape(IamUser user, boolean full) {
        Shape shape = Shape.of()
                .put("Path", user.path())
                .put("UserName", user.name())
                .put("UserId", user.userId())
                .put("Arn", user.arn())
                .put("CreateDate", user.created());
        if (full) {
            if (user.permissionsBoundaryArn() != null) {
                shape.put("PermissionsBoundary", Shape.of().put("PermissionsBoundaryType", "Policy")
                        .put("PermissionsBoundaryArn", user.permissionsBoundaryArn()));
            }
            if (!user.tags().isEmpty()) {
                shape.put("Tags", IamSupport.tagShapes(user.tags()));
            }
        }
        return shape;
    }

    private static Shape keyMetadata(AccessKey key) {
        return Shape.of()
                .put("UserName", key.userName())
                .put("AccessKeyId", key.accessKeyId())
                .put("Status", key.active() ? "Active" : "Inactive")
                .put("CreateDate", key.created());
    }

    // ---- helpers ----------------------------------------------------------------------------

    private IamUser existing(Call call, String name) {
        return iam.user(account(call), name).orElseThrow(() -> IamSupport.noSuchUser(name));
    }

    private String userArn(Call call, String path, String name) {
        return support.arn(account(call), "user", path == null ? "/" : path, name);
    }

    /** The user's ARN as the access check's resource, with its tags as condition keys; for a missing user, the plain ARN. */
    private AccessCheck onUser(Call call, String action, String name, RequestContext.Builder extra) {
        IamUser user = iam.user(account(call), name).orElse(null);
        RequestContext.Builder context = extra == null ? RequestContext.builder() : extra;
        if (user != null) {
            IamSupport.resourceTags(context, user.tags());
        }
        return IamSupport.check(action, user != null ? user.arn() : userArn(call, "/", name), context.build());
    }

    /**
     * The user an optional {@code UserName} names: the given name, else the calling IAM user, else
     * {@code null} for the account root. Other callers (role sessions) must name the user.
     */
    static String targetUser(Call call, String given) {
        if (given != null) {
            return given;
        }
        Principal principal = call.caller().principal();
        if (principal instanceof Principal.IamUser user) {
            return user.name();
        }
        if (principal instanceof Principal.AccountRoot) {
            return null;
        }
        throw AwsException.validation(NON_USER_CREDENTIALS);
    }

    /** The access check for an operation on a user named or implied ({@code null}: the account root). */
    private AccessCheck onTarget(Call call, String action, String target) {
        if (target == null) {
            return IamSupport.check(action, "arn:aws:iam::" + account(call) + ":root", RequestContext.empty());
        }
        return onUser(call, action, target, null);
    }

    private String boundaryArn(Call call, String arn) {
        if (arn == null) {
            return null;
        }
        return IamSupport.boundary(iam, account(call), arn);
    }

    /** Replaces a user's name in the records that refer to it by name: its access keys and group memberships. */
    private void renameReferences(String account, String oldName, String newName) {
        for (AccessKey key : iam.accessKeys(account, oldName)) {
            iam.putAccessKey(new AccessKey(key.accessKeyId(), key.secretAccessKey(), key.account(), newName, key.active(),
                    key.created()));
        }
        for (Group group : iam.groupsOf(account, oldName)) {
            Set<String> members = new HashSet<>(group.members());
            members.removeIf(m -> m.equalsIgnoreCase(oldName));
            members.add(newName);
            iam.putGroup(new Group(group.account(), group.name(), group.path(), group.groupId(), group.created(),
                    group.inlinePolicies(), group.attachedPolicyArns(), members));
        }
    }

    // ---- create, read, update, delete -------------------------------------------------------

    PreparedCall createUser(Call call, Input input) {
        String name = input.string("UserName");
        String path = input.string("Path");
        String boundary = input.string("PermissionsBoundary");
        Map<String, String> tags = IamSupport.tags(input);
        String userPath = path == null ? "/" : path;
        String arn = userArn(call, userPath, name);
        RequestContext.Builder context = IamSupport.requestTags(RequestContext.builder(), tags);
        if (boundary != null) {
            context.single("iam:PermissionsBoundary", boundary);
        }
        RequestContext ctx = context.build();
        List<AccessCheck> checks = new ArrayList<>(List.of(IamSupport.check("iam:CreateUser", arn, ctx)));
        if (!tags.isEmpty()) {
            checks.add(IamSupport.checkByArn("iam:TagUser", arn, ctx));
        }
        return PreparedCall.of(checks, () -> {
            synchronized (iam) {
                if (iam.user(account(call), name).isPresent()) {
                    throw IamSupport.alreadyExists("User with name " + name + " already exists.");
                }
                IamUser user = new IamUser(account(call), name, userPath, iam.ids().userId(), iam.clock().instant(), tags,
                        Map.of(), List.of(), boundaryArn(call, boundary));
                iam.putUser(user);
                return Shape.of().put("User", userShape(user, true));
            }
        });
    }

    PreparedCall getUser(Call call, Input input) {
        String given = input.string("UserName");
        String target = targetUser(call, given);
        return PreparedCall.of(List.of(onTarget(call, "iam:GetUser", target)), () -> {
            if (target == null) {
                return Shape.of().put("User", rootUser(account(call)));
            }
            return Shape.of().put("User", userShape(existing(call, target), true));
        });
    }

    /** GetUser for root credentials: no name or path, the account id as the id, the root ARN. */
    private Shape rootUser(String account) {
        Instant created = iam.users(account).stream().map(IamUser::created).min(Comparator.naturalOrder())
                .orElse(iam.clock().instant());
        return Shape.of()
                .put("UserId", account)
                .put("Arn", "arn:aws:iam::" + account + ":root")
                .put("CreateDate", created);
    }

    PreparedCall listUsers(Call call, Input input) {
        String prefix = input.string("PathPrefix");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(IamSupport.check("iam:ListUsers", IamSupport.listResource(call, "user"), RequestContext.empty())), () -> {
            List<IamUser> users = iam.users(account(call)).stream().filter(u -> IamSupport.underPrefix(u.path(), prefix))
                    .toList();
            IamSupport.Page<IamUser> p = IamSupport.page(users, page);
            return p.into(Shape.of().put("Users", IamSupport.shapes(p.items(), u -> userShape(u, false))));
        });
    }

    PreparedCall updateUser(Call call, Input input) {
        String name = input.string("UserName");
        String newPath = input.string("NewPath");
        String newName = input.string("NewUserName");
        List<AccessCheck> checks = new ArrayList<>(List.of(onUser(call, "iam:UpdateUser", name, null)));
        if (newName != null || newPath != null) {
            // Renaming or moving needs permission on the old ARN and on the new one.
            IamUser current = iam.user(account(call), name).orElse(null);
            String path = newPath != null ? newPath : current != null ? current.path() : "/";
            String target = userArn(call, path, newName != null ? newName : current != null ? current.name() : name);
            if (current == null || !target.equals(current.arn())) {
                checks.add(IamSupport.check("iam:UpdateUser", target, RequestContext.empty()));
            }
        }
        return PreparedCall.of(checks, () -> {
            synchronized (iam) {
                IamUser user = existing(call, name);
                String renamed = newName != null ? newName : user.name();
                if (!renamed.equalsIgnoreCase(user.name()) && iam.user(user.account(), renamed).isPresent()) {
                    throw IamSupport.alreadyExists("User with name " + renamed + " already exists.");
                }
                String oldName = user.name();
                iam.putUser(user.withNameAndPath(renamed, newPath != null ? newPath : user.path()));
                if (!renamed.equals(oldName)) {
                    renameReferences(user.account(), oldName, renamed);
                }
                return null;
            }
        });
    }

    PreparedCall deleteUser(Call call, Input input) {
        String name = input.string("UserName");
        return PreparedCall.of(List.of(onUser(call, "iam:DeleteUser", name, null)), () -> {
            synchronized (iam) {
                IamUser user = existing(call, name);
                if (!iam.accessKeys(user.account(), user.name()).isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must delete access keys first.");
                }
                if (iam.loginProfile(user.userId()).isPresent()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must delete login profile first.");
                }
                if (!iam.mfaDevicesOf(user.userId()).isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must delete MFA device first.");
                }
                UserCredentials.refuseDeletion(iam, user); // signing certificates, SSH keys, service credentials
                if (!user.inlinePolicies().isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must delete policies first.");
                }
                if (!user.attachedPolicyArns().isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must detach all policies first.");
                }
                if (!iam.groupsOf(user.account(), user.name()).isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must remove users from group first.");
                }
                iam.deleteUser(user.account(), user.name());
                return null;
            }
        });
    }

    // ---- access keys ------------------------------------------------------------------------

    /** The key with that id if it belongs to the target user (or the root, for {@code null}) of the caller's account. */
    private AccessKey ownedKey(Call call, String id, String target) {
        return iam.accessKey(id)
                .filter(k -> k.account().equals(account(call))
                        && (target == null ? k.userName() == null : target.equalsIgnoreCase(k.userName())))
                .orElseThrow(() -> IamSupport.noSuchEntity("The Access Key with id " + id + " cannot be found."));
    }

    /** Checks the target user exists (the root always does) and returns its canonical name. */
    private String existingTarget(Call call, String target) {
        return target == null ? null : existing(call, target).name();
    }

    PreparedCall createAccessKey(Call call, Input input) {
        String given = input.string("UserName");
        String target = targetUser(call, given);
        return PreparedCall.of(List.of(onTarget(call, "iam:CreateAccessKey", target)), () -> {
            synchronized (iam) {
                String owner = existingTarget(call, target);
                if (iam.accessKeys(account(call), owner).size() >= ACCESS_KEY_QUOTA) {
                    throw IamSupport.limitExceeded("Cannot exceed quota for AccessKeysPerUser: " + ACCESS_KEY_QUOTA);
                }
                AccessKey key = iam.createAccessKey(account(call), owner);
                return Shape.of().put("AccessKey", Shape.of()
                        .put("UserName", key.userName())
                        .put("AccessKeyId", key.accessKeyId())
                        .put("Status", "Active")
                        .put("SecretAccessKey", key.secretAccessKey())
                        .put("CreateDate", key.created()));
            }
        });
    }

    PreparedCall listAccessKeys(Call call, Input input) {
        String given = input.string("UserName");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        String target = targetUser(call, given);
        return PreparedCall.of(List.of(onTarget(call, "iam:ListAccessKeys", target)), () -> {
            String owner = existingTarget(call, target);
            IamSupport.Page<AccessKey> p = IamSupport.page(iam.accessKeys(account(call), owner), page);
            return p.into(Shape.of().put("AccessKeyMetadata", IamSupport.shapes(p.items(), UserOperations::keyMetadata)));
        });
    }

    PreparedCall updateAccessKey(Call call, Input input) {
        String given = input.string("UserName");
        String id = input.string("AccessKeyId");
        String status = input.string("Status");
        if (status.equals("Expired")) {
            // The model's status type also names Expired, which only IAM itself sets; a caller may not.
            throw AwsException.validation("1 validation error detected: Value 'Expired' at 'status' failed to satisfy"
                    + " constraint: Member must satisfy enum value set: [Active, Inactive]");
        }
        String target = targetUser(call, given);
        return PreparedCall.of(List.of(onTarget(call, "iam:UpdateAccessKey", target)), () -> {
            synchronized (iam) {
                String owner = existingTarget(call, target);
                AccessKey key = ownedKey(call, id, owner);
                iam.putAccessKey(new AccessKey(key.accessKeyId(), key.secretAccessKey(), key.account(), key.userName(),
                        status.equals("Active"), key.created()));
                return null;
            }
        });
    }

    PreparedCall deleteAccessKey(Call call, Input input) {
        String given = input.string("UserName");
        String id = input.string("AccessKeyId");
        String target = targetUser(call, given);
        return PreparedCall.of(List.of(onTarget(call, "iam:DeleteAccessKey", target)), () -> {
            synchronized (iam) {
                String owner = existingTarget(call, target);
                AccessKey key = ownedKey(call, id, owner);
                iam.deleteAccessKey(key.accessKeyId());
                return null;
            }
        });
    }

    PreparedCall getAccessKeyLastUsed(Call call, Input input) {
        String id = input.string("AccessKeyId");
        AccessKey found = iam.accessKey(id).filter(k -> k.account().equals(account(call))).orElse(null);
        AccessCheck check = found == null
                ? IamSupport.check("iam:GetAccessKeyLastUsed", "*", RequestContext.empty())
                : onTarget(call, "iam:GetAccessKeyLastUsed", found.userName());
        return PreparedCall.of(List.of(check), () -> {
            AccessKey key = iam.accessKey(id).filter(k -> k.account().equals(account(call)))
                    .orElseThrow(() -> IamSupport.noSuchEntity("The Access Key with id " + id + " cannot be found."));
            IamDirectory.KeyUse use = iam.keyUse(key.accessKeyId()).orElse(null);
            Shape lastUsed = use == null
                    ? Shape.of().put("ServiceName", "N/A").put("Region", "N/A")
                    : Shape.of().put("LastUsedDate", use.when()).put("ServiceName", use.service())
                            .put("Region", use.region());
            return Shape.of().put("UserName", key.userName()).put("AccessKeyLastUsed", lastUsed);
        });
    }

    // ---- tags, permissions boundary and policies: the shared implementations under these operations' names ----

    PreparedCall tagUser(Call call, Input input) {
        return tagsAndBoundary.tag("iam:TagUser", call, input);
    }

    PreparedCall untagUser(Call call, Input input) {
        return tagsAndBoundary.untag("iam:UntagUser", call, input);
    }

    PreparedCall listUserTags(Call call, Input input) {
        return tagsAndBoundary.listTags("iam:ListUserTags", call, input);
    }

    PreparedCall putUserPermissionsBoundary(Call call, Input input) {
        return tagsAndBoundary.putBoundary("iam:PutUserPermissionsBoundary", call, input);
    }

    PreparedCall deleteUserPermissionsBoundary(Call call, Input input) {
        return tagsAndBoundary.deleteBoundary("iam:DeleteUserPermissionsBoundary", call, input);
    }

    PreparedCall putUserPolicy(Call call, Input input) {
        return policies.put("iam:PutUserPolicy", call, input);
    }

    PreparedCall getUserPolicy(Call call, Input input) {
        return policies.get("iam:GetUserPolicy", call, input);
    }

    PreparedCall listUserPolicies(Call call, Input input) {
        return policies.list("iam:ListUserPolicies", call, input);
    }

    PreparedCall deleteUserPolicy(Call call, Input input) {
        return policies.delete("iam:DeleteUserPolicy", call, input);
    }

    PreparedCall attachUserPolicy(Call call, Input input) {
        return policies.attach("iam:AttachUserPolicy", call, input);
    }

    PreparedCall detachUserPolicy(Call call, Input input) {
        return policies.detach("iam:DetachUserPolicy", call, input);
    }

    PreparedCall listAttachedUserPolicies(Call call, Input input) {
        return policies.listAttached("iam:ListAttachedUserPolicies", call, input);
    }
}
