package dev.crossrole.server.tasks;

import java.io.IOException;

/**
 * A container that could not be started, with ECS's name for the kind of failure, which ECS puts before the
 * container's reason and the task's stopped reason ({@code CannotPullContainerError: …}). Other {@link IOException}s
 * of a runtime are {@code CannotStartContainerError}s.
 */
public final class ContainerStartFailure extends IOException {
    private final String errorName;

    public ContainerStartFailure(String errorName, String message) {
        super(message);
        this.errorName = errorName;
    }

    public String errorName() {
        return errorName;
    }

    /** ECS's name for why an {@link IOException} of a runtime kept a container from starting. */
    public static String errorNameOf(IOException e) {
        return e instanceof ContainerStartFailure failure ? failure.errorName : "CannotStartContainerError";
    }
}
