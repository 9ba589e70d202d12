package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Service-linked roles: {@code CreateServiceLinkedRole} makes the role IAM makes for a service (its name, path
 * {@code /aws-service-role/<service>/}, a trust policy for the service and the service's AWS managed policy, from
 * {@link ServiceLinkedRoles}); the ordinary role operations may read, tag and describe it but not change or delete
 * it (UnmodifiableEntity); {@code DeleteServiceLinkedRole} deletes it at once and returns a deletion task that
 * {@code GetServiceLinkedRoleDeletionStatus} reports as SUCCEEDED. Each is authorized on the role's ARN.
 */
final class ServiceLinkedRoleOperations {
    static final String SUCCEEDED = "SUCCEEDED";
    /** {@code task/aws-service-role/<service principal>/<role name>/<id>} (IAM API Reference, DeleteServiceLinkedRole). */
    private static final Pattern TASK_ID = Pattern.compile("task" + ServiceLinkedRoles.PATH_PREFIX
            + "([\\w+=,.@-]+)/([\\w+=,.@-]+)/([\\w-]+)");

    private final IamDirectory iam;

    ServiceLinkedRoleOperations(IamSupport support) {
        this.iam = support.iam;
    }

    /** IAM's answer to a change of a service-linked role through the ordinary role operations. */
    static AwsException protectedRole(String roleName) {
        return new AwsException("UnmodifiableEntity", 400, "Cannot perform the operation on the protected role '"
                + roleName + "' - this role is only modifiable by AWS");
    }

    /** The trust policy of a service-linked role: the service may assume it. */
    static String trustPolicy(String service) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\""
                + service + "\"},\"Action\":\"sts:AssumeRole\"}]}";
    }

    PreparedCall createServiceLinkedRole(Call call, Input input) {
        String service = input.string("AWSServiceName");
        String description = input.string("Description");
        String suffix = input.string("CustomSuffix");
        ServiceLinkedRoles.Template template = ServiceLinkedRoles.of(service).orElse(null);
        String path = ServiceLinkedRoles.PATH_PREFIX + service + "/";
        // For a service IAM has no role for, the ARN the role would have is unknown: the check is on its path.
        String name = template == null ? null : template.roleName(suffix);
        String arn = "arn:aws:iam::" + account(call) + ":role" + path + (name == null ? "*" : name);
        RequestContext context = RequestContext.builder().single("iam:AWSServiceName", service).build();
        return PreparedCall.of(List.of(IamSupport.checkByArn("iam:CreateServiceLinkedRole", arn, context)), () -> {
            if (template == null) {
                throw new AwsException("AccessDenied", 403, "Cannot find Service Linked Role template for " + service);
            }
            if (suffix != null && !template.suffixAllowed()) {
                throw IamSupport.invalidInput("Custom suffix is not allowed for " + service);
            }
            synchronized (iam) {
                if (iam.role(account(call), name).isPresent()) {
                    throw IamSupport.invalidInput("Service role name " + name
                            + " has been taken in this account, please try a different suffix.");
                }
                String trust = trustPolicy(service);
                IamDirectory.CompiledTrust compiled;
                try {
                    compiled = iam.compileTrust(name, trust);
                } catch (InvalidPolicyException e) {
                    throw new IllegalStateException("the trust policy of " + service + " does not compile", e);
                }
                Role role = new Role(account(call), name, template.path(), iam.ids().roleId(), iam.clock().instant(),
                        description != null ? description : template.description(), compiled.policy(), trust,
                        compiled.principals(), Role.DEFAULT_MAX_SESSION_DURATION, Map.of(), Map.of(),
                        List.of(template.policyArn()), null, null, null);
                iam.putRole(role);
                return Shape.of().put("Role", RoleOperations.roleShape(iam, role, true));
            }
        });
    }

    PreparedCall deleteServiceLinkedRole(Call call, Input input) {
        String name = input.string("RoleName");
        String arn = iam.role(account(call), name).map(Role::arn)
                .orElse("arn:aws:iam::" + account(call) + ":role/" + name);
        return PreparedCall.of(List.of(IamSupport.check("iam:DeleteServiceLinkedRole", arn, RequestContext.empty())), () -> {
            synchronized (iam) {
                Role role = iam.role(account(call), name).orElseThrow(() -> IamSupport.noSuchRole(name));
                if (!role.serviceLinked()) {
                    throw IamSupport.noSuchEntity("The service-linked role with name " + name + " cannot be found.");
                }
                String service = role.path().substring(ServiceLinkedRoles.PATH_PREFIX.length(), role.path().length() - 1);
                String taskId = "task" + ServiceLinkedRoles.PATH_PREFIX + service + "/" + role.name() + "/"
                        + new UUID(iam.ids().random().nextLong(), iam.ids().random().nextLong());
                iam.deleteRole(role.account(), role.name());
                iam.putRoleDeletion(new ServiceLinkedRoleDeletion(role.account(), taskId, role.arn(), SUCCEEDED,
                        iam.clock().instant()));
                return Shape.of().put("DeletionTaskId", taskId);
            }
        });
    }

    PreparedCall getServiceLinkedRoleDeletionStatus(Call call, Input input) {
        String taskId = input.string("DeletionTaskId");
        Matcher task = TASK_ID.matcher(taskId);
        if (!task.matches()) {
            throw IamSupport.invalidInput("Invalid deletion task id: " + taskId);
        }
        // The task names the role it deletes; the check is on that role's ARN in the caller's account.
        String arn = "arn:aws:iam::" + account(call) + ":role" + ServiceLinkedRoles.PATH_PREFIX + task.group(1) + "/"
                + task.group(2);
        return PreparedCall.of(List.of(IamSupport.check("iam:GetServiceLinkedRoleDeletionStatus", arn,
                RequestContext.empty())), () -> {
            ServiceLinkedRoleDeletion deletion = iam.roleDeletion(taskId).filter(d -> d.account().equals(account(call)))
                    .orElseThrow(() -> IamSupport.noSuchEntity("Deletion task " + taskId + " cannot be found."));
            return Shape.of().put("Status", deletion.status());
        });
    }
}
