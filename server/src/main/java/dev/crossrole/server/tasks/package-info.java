/**
 * Running tasks: the {@link dev.crossrole.server.tasks.TaskRuntime} SPI and its runtimes —
 * {@link dev.crossrole.server.tasks.DockerRuntime} (each container from its image through the Docker Engine API:
 * Docker, or Podman's service), {@link dev.crossrole.server.tasks.SandboxRuntime} (each container's command a local
 * process in a bubblewrap sandbox, as an unprivileged task user, with its mounts planned and checked against what that
 * user may reach on the host), and {@link dev.crossrole.server.tasks.ProcessRuntime} for operators who choose to run
 * tasks unsandboxed; commands exec'd into a container, owned by the runtime and ended with it.
 */
package dev.crossrole.server.tasks;
