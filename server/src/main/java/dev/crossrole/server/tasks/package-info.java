/**
 * Running tasks: the {@link dev.crossrole.server.tasks.TaskRuntime} SPI; its default,
 * {@link dev.crossrole.server.tasks.SandboxRuntime} (each container a local process in a bubblewrap sandbox,
 * as an unprivileged task user, with its mounts planned and checked against what that user may reach on the
 * host), and {@link dev.crossrole.server.tasks.ProcessRuntime} for operators who choose to run tasks
 * unsandboxed; commands exec'd into a container, owned by the runtime and ended with it.
 */
package dev.crossrole.server.tasks;
