package dev.crossrole.server.tasks;

/** How task containers run ({@code serve --task-runtime}). */
public enum TaskIsolation {
    /** Each container in a sandbox of its own ({@link SandboxRuntime}); RunTask fails where none can be made. */
    SANDBOXED,
    /** Each container as a plain process of crossrole's user, seeing what it sees ({@link ProcessRuntime}). */
    UNSANDBOXED,
    /** Each container from its image by a container engine ({@link DockerRuntime}); start fails without one. */
    DOCKER,
    /** {@link #DOCKER} when an engine answers, else {@link #SANDBOXED}. */
    AUTO
}
