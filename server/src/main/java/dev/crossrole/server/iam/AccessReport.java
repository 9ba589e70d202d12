package dev.crossrole.server.iam;

import java.time.Instant;
import java.util.List;

/**
 * A service last accessed report, computed when {@code GenerateServiceLastAccessedDetails} is called (so it stays
 * the same however often it is read) and kept with its job id.
 *
 * @param creator the ARN of the principal that started the job: only it may read the report
 * @param arn the user, group, role or policy the report is about
 * @param granularity {@code SERVICE_LEVEL} or {@code ACTION_LEVEL}
 * @param services every service the entity's permissions policies allow, by namespace
 */
public record AccessReport(String jobId, String account, String creator, String arn, String granularity,
                           Instant created, Instant completed, List<Service> services) {
    public AccessReport {
        services = List.copyOf(services);
    }

    /**
     * One service: the latest attempt by any entity the report covers, how many of them tried it, the tracked
     * actions (action-level reports of services whose actions IAM tracks; else {@code null}), and each entity that
     * could have used the permissions, most recent first.
     */
    public record Service(String namespace, String name, Instant lastAuthenticated, String lastEntity,
                          String lastRegion, int totalEntities, List<TrackedAction> tracked, List<Entity> entities) {
        public Service {
            tracked = tracked == null ? null : List.copyOf(tracked);
            entities = List.copyOf(entities);
        }
    }

    /** A tracked action's latest attempt. */
    public record TrackedAction(String action, String entity, Instant when, String region) {}

    /** A user or role the report covers, with its latest attempt of the service ({@code null}: none). */
    public record Entity(String arn, String name, String type, String id, String path, Instant lastAuthenticated) {}
}
