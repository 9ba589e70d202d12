package dev.crossrole.server.iam;

import java.time.Instant;

/**
 * A long-term access key of an IAM user, or of the account root when {@code userName} is {@code null}.
 */
public record AccessKey(String accessKeyId, String secretAccessKey, String account, String userName, boolean active,
                        Instant created) {}
