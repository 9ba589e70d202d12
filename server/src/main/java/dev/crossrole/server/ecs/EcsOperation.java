package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;

/** One ECS operation: validate its JSON input, name its access checks, and run. */
@FunctionalInterface
public interface EcsOperation {
    PreparedCall prepare(Call call, ObjectNode input);
}
