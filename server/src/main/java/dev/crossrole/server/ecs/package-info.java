/**
 * ECS over awsJson1_1: clusters, task definitions, tasks that really run (through the
 * {@code tasks} package's runtime) with their task role's credentials, and tags.
 */
package dev.crossrole.server.ecs;
