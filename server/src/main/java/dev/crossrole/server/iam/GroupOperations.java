package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.Policy;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Groups: create, read, update, delete; membership; inline and attached policies (which apply to every
 * member). Every operation is authorized as {@code iam:<Operation>} on the group's ARN
 * ({@code *} for ListGroups, the user's ARN for ListGroupsForUser).
 */
final class GroupOperations {
    static final int INLINE_QUOTA = 5120;
    static final int ATTACHED_QUOTA = 10;
    static final int GROUPS_PER_USER_QUOTA = 10;

    private final IamSupport support;
    private final IamDirectory iam;
    final EntityPolicyOperations<Group> policies;

    GroupOperations(IamSupport support) {
        this.support = support;
        this.iam = support.iam;
        this.policies = EntityPolicyOperations.of(iam, new EntityPolicyOperations.Entity<>("Group",
                "GroupName", INLINE_QUOTA, ATTACHED_QUOTA,
                (call, action, name, extra) -> onGroup(call, action, name, extra == null ? null : extra.build()),
                this::existing, Group::name, Group::inlinePolicies, Group::attachedPolicyArns,
                (group, inline) -> with(group, group.name(), group.path(), inline, group.attachedPolicyArns(), group.members()),
                (group, attached) -> with(group, group.name(), group.path(), group.inlinePolicies(), attached, group.members()),
                iam::putGroup, policy -> { }));
    }

    // ---- shapes and copies --------------------------------------------------------------------

    static Shape groupShape(Group group) {
        return Shape.of()
                .put("Path", group.path())
                .put("GroupName", group.name())
                .put("GroupId", group.groupId())
                .put("Arn", group.arn())
                .put("CreateDate", group.created());
    }

    private static Group with(Group g, String name, String path, Map<String, Policy> inline, List<String> attached,
                              Set<String> members) {
        return new Group(g.account(), name, path, g.groupId(), g.created(), inline, attached, members);
    }

    /** The group's members that exist, by name. */
    static List<IamUser> members(IamDirectory iam, Group group) {
        return iam.users(group.account()).stream()
                .filter(u -> group.members().stream().anyMatch(m -> m.equalsIgnoreCase(u.name()))).toList();
    }

    // ---- helpers ----------------------------------------------------------------------------

    private Group existing(Call call, String name) {
        return iam.group(account(call), name).orElseThrow(() -> noSuchGroup(name));
    }

    static dev.crossrole.server.protocol.AwsException noSuchGroup(String name) {
        return IamSupport.noSuchEntity("The group with name " + name + " cannot be found.");
    }

    private String groupArn(Call call, String path, String name) {
        return support.arn(account(call), "group", path == null ? "/" : path, name);
    }

    private AccessCheck onGroup(Call call, String action, String name, RequestContext context) {
        Optional<Group> group = iam.group(account(call), name);
        return IamSupport.check(action, group.map(Group::arn).orElse(groupArn(call, "/", name)),
                context == null ? RequestContext.empty() : context);
    }

    // ---- create, read, update, delete -------------------------------------------------------

    PreparedCall createGroup(Call call, Input input) {
        String name = input.string("GroupName");
        String path = input.string("Path");
        String groupPath = path == null ? "/" : path;
        AccessCheck check = IamSupport.check("iam:CreateGroup", groupArn(call, groupPath, name), RequestContext.empty());
        return PreparedCall.of(List.of(check), () -> {
            synchronized (iam) {
                if (iam.group(account(call), name).isPresent()) {
                    throw IamSupport.alreadyExists("Group with name " + name + " already exists.");
                }
                Group group = new Group(account(call), name, groupPath, iam.ids().uniqueId("AGPA"), iam.clock().instant(),
                        Map.of(), List.of(), Set.of());
                iam.putGroup(group);
                return Shape.of().put("Group", groupShape(group));
            }
        });
    }

    PreparedCall getGroup(Call call, Input input) {
        String name = input.string("GroupName");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(onGroup(call, "iam:GetGroup", name, null)), () -> {
            Group group = existing(call, name);
            IamSupport.Page<IamUser> p = IamSupport.page(members(iam, group), page);
            return p.into(Shape.of().put("Group", groupShape(group))
                    .put("Users", IamSupport.shapes(p.items(), u -> UserOperations.userShape(u, false))));
        });
    }

    PreparedCall listGroups(Call call, Input input) {
        String prefix = input.string("PathPrefix");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(IamSupport.check("iam:ListGroups", IamSupport.listResource(call, "group"), RequestContext.empty())), () -> {
            List<Group> groups = iam.groups(account(call)).stream().filter(g -> IamSupport.underPrefix(g.path(), prefix))
                    .toList();
            IamSupport.Page<Group> p = IamSupport.page(groups, page);
            return p.into(Shape.of().put("Groups", IamSupport.shapes(p.items(), GroupOperations::groupShape)));
        });
    }

    PreparedCall updateGroup(Call call, Input input) {
        String name = input.string("GroupName");
        String newPath = input.string("NewPath");
        String newName = input.string("NewGroupName");
        List<AccessCheck> checks = new ArrayList<>(List.of(onGroup(call, "iam:UpdateGroup", name, null)));
        if (newName != null || newPath != null) {
            // Renaming or moving needs permission on the old ARN and on the new one.
            Group current = iam.group(account(call), name).orElse(null);
            String path = newPath != null ? newPath : current != null ? current.path() : "/";
            String target = groupArn(call, path, newName != null ? newName : current != null ? current.name() : name);
            if (current == null || !target.equals(current.arn())) {
                checks.add(IamSupport.check("iam:UpdateGroup", target, RequestContext.empty()));
            }
        }
        return PreparedCall.of(checks, () -> {
            synchronized (iam) {
                Group group = existing(call, name);
                String renamed = newName != null ? newName : group.name();
                if (!renamed.equalsIgnoreCase(group.name()) && iam.group(group.account(), renamed).isPresent()) {
                    throw IamSupport.alreadyExists("Group with name " + renamed + " already exists.");
                }
                iam.putGroup(with(group, renamed, newPath != null ? newPath : group.path(), group.inlinePolicies(),
                        group.attachedPolicyArns(), group.members()));
                return null;
            }
        });
    }

    PreparedCall deleteGroup(Call call, Input input) {
        String name = input.string("GroupName");
        return PreparedCall.of(List.of(onGroup(call, "iam:DeleteGroup", name, null)), () -> {
            synchronized (iam) {
                Group group = existing(call, name);
                if (!members(iam, group).isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must remove users from group first.");
                }
                if (!group.inlinePolicies().isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must delete policies first.");
                }
                if (!group.attachedPolicyArns().isEmpty()) {
                    throw IamSupport.deleteConflict("Cannot delete entity, must detach all policies first.");
                }
                iam.deleteGroup(group.account(), group.name());
                return null;
            }
        });
    }

    // ---- membership -------------------------------------------------------------------------

    PreparedCall addUserToGroup(Call call, Input input) {
        String name = input.string("GroupName");
        String userName = input.string("UserName");
        return PreparedCall.of(List.of(onGroup(call, "iam:AddUserToGroup", name, null)), () -> {
            synchronized (iam) {
                Group group = existing(call, name);
                IamUser user = iam.user(account(call), userName).orElseThrow(() -> IamSupport.noSuchUser(userName));
                if (group.members().stream().anyMatch(m -> m.equalsIgnoreCase(user.name()))) {
                    return null;
                }
                if (iam.groupsOf(user.account(), user.name()).size() >= GROUPS_PER_USER_QUOTA) {
                    throw IamSupport.limitExceeded("Cannot exceed quota for GroupsPerUser: " + GROUPS_PER_USER_QUOTA);
                }
                Set<String> members = new HashSet<>(group.members());
                members.add(user.name());
                iam.putGroup(with(group, group.name(), group.path(), group.inlinePolicies(), group.attachedPolicyArns(),
                        members));
                return null;
            }
        });
    }

    PreparedCall removeUserFromGroup(Call call, Input input) {
        String name = input.string("GroupName");
        String userName = input.string("UserName");
        return PreparedCall.of(List.of(onGroup(call, "iam:RemoveUserFromGroup", name, null)), () -> {
            synchronized (iam) {
                Group group = existing(call, name);
                IamUser user = iam.user(account(call), userName).orElseThrow(() -> IamSupport.noSuchUser(userName));
                Set<String> members = new HashSet<>(group.members());
                if (!members.removeIf(m -> m.equalsIgnoreCase(user.name()))) {
                    throw IamSupport.noSuchEntity("User " + userName + " not in group " + group.name());
                }
                iam.putGroup(with(group, group.name(), group.path(), group.inlinePolicies(), group.attachedPolicyArns(),
                        members));
                return null;
            }
        });
    }

    PreparedCall listGroupsForUser(Call call, Input input) {
        String userName = input.string("UserName");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        IamUser found = iam.user(account(call), userName).orElse(null);
        AccessCheck check = IamSupport.check("iam:ListGroupsForUser",
                found != null ? found.arn() : support.arn(account(call), "user", "/", userName),
                found != null ? IamSupport.resourceTags(RequestContext.builder(), found.tags()).build() : RequestContext.empty());
        return PreparedCall.of(List.of(check), () -> {
            IamUser user = iam.user(account(call), userName).orElseThrow(() -> IamSupport.noSuchUser(userName));
            IamSupport.Page<Group> p = IamSupport.page(iam.groupsOf(user.account(), user.name()), page);
            return p.into(Shape.of().put("Groups", IamSupport.shapes(p.items(), GroupOperations::groupShape)));
        });
    }

    // ---- tags, permissions boundary and policies: the shared implementations under these operations' names ----

    PreparedCall putGroupPolicy(Call call, Input input) {
        return policies.put("iam:PutGroupPolicy", call, input);
    }

    PreparedCall getGroupPolicy(Call call, Input input) {
        return policies.get("iam:GetGroupPolicy", call, input);
    }

    PreparedCall listGroupPolicies(Call call, Input input) {
        return policies.list("iam:ListGroupPolicies", call, input);
    }

    PreparedCall deleteGroupPolicy(Call call, Input input) {
        return policies.delete("iam:DeleteGroupPolicy", call, input);
    }

    PreparedCall attachGroupPolicy(Call call, Input input) {
        return policies.attach("iam:AttachGroupPolicy", call, input);
    }

    PreparedCall detachGroupPolicy(Call call, Input input) {
        return policies.detach("iam:DetachGroupPolicy", call, input);
    }

    PreparedCall listAttachedGroupPolicies(Call call, Input input) {
        return policies.listAttached("iam:ListAttachedGroupPolicies", call, input);
    }
}
