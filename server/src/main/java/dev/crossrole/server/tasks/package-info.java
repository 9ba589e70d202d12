/**
 * Running tasks: the {@link dev.crossrole.server.tasks.TaskRuntime} SPI and its default, local-process
 * implementation, and the endpoints ECS gives containers (credentials, task metadata v4).
 */
package dev.crossrole.server.tasks;
