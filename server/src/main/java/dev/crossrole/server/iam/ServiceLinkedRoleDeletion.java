package dev.crossrole.server.iam;

import java.time.Instant;

/**
 * The deletion task {@code DeleteServiceLinkedRole} returned, kept so {@code GetServiceLinkedRoleDeletionStatus}
 * can report it: crossrole deletes the role at once, so every task it keeps has succeeded.
 *
 * @param taskId {@code task/aws-service-role/<service>/<role name>/<uuid>}
 * @param roleArn the ARN the deleted role had
 * @param status one of the model's {@code DeletionTaskStatusType} values
 */
public record ServiceLinkedRoleDeletion(String account, String taskId, String roleArn, String status, Instant created) {}
