/**
 * ECS over awsJson1_1: clusters, task definitions, tasks that really run (through the {@code tasks} package's
 * runtime) with their task role's credentials, and tags; and what ECS serves the containers
 * ({@link dev.crossrole.server.ecs.ContainerEndpoints}: the credentials endpoint and task metadata v3/v4). With
 * several nodes on one store each task runs on the node that started it and is followed by the others
 * ({@code EcsPersistence}).
 */
package dev.crossrole.server.ecs;
