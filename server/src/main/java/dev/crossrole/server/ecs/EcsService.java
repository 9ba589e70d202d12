package dev.crossrole.server.ecs;

import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.ServiceProvider;

/**
 * The ECS API on the model-driven layer: the pipeline reads and checks each operation's input by the model
 * ({@code ecs/2014-11-13}), the operation classes bind what crossrole implements.
 */
public final class EcsService implements ServiceProvider {
    private final ClusterOperations clusters;
    private final TaskDefinitionOperations definitions;
    private final TaskOperations tasks;
    private final TagOperations tags;

    public EcsService(EcsDirectory ecs, EcsTasks tasks) {
        EcsSupport support = new EcsSupport(ecs);
        ecs.useTasks(tasks);
        this.clusters = new ClusterOperations(support);
        this.definitions = new TaskDefinitionOperations(support);
        this.tasks = new TaskOperations(support, tasks, definitions);
        this.tags = new TagOperations(support, tasks);
    }

    @Override
    public String modelId() {
        return "ecs";
    }

    @Override
    public void register(OperationTable operations) {
        clusters.register(operations);
        definitions.register(operations);
        tasks.register(operations);
        tags.register(operations);
    }

    @Override
    public String accessDeniedCode() {
        return "AccessDeniedException";
    }

    /**
     * ECS's model declares no {@code ValidationException}; {@code InvalidParameterException} ("the specified
     * parameter isn't valid") is among the errors of every ECS operation, and is what ECS answers for a parameter
     * outside its constraints.
     */
    @Override
    public String validationErrorCode() {
        return "InvalidParameterException";
    }
}
