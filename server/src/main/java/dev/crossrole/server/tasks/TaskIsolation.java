package dev.crossrole.server.tasks;

/** How task containers run ({@code serve --task-runtime}). */
public enum TaskIsolation {
    /** Each container in a sandbox of its own ({@link SandboxRuntime}); RunTask fails where none can be made. */
    SANDBOXED,
    /** Each container as a plain process of crossrole's user, seeing what it sees ({@link ProcessRuntime}). */
    UNSANDBOXED
}
