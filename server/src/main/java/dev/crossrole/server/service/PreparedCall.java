package dev.crossrole.server.service;

import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import java.util.List;

/** A call whose input has been parsed and validated: what it needs to be allowed, and how to run it. */
public interface PreparedCall {
    /** The permissions the call needs, decided in order; the first denial ends the call. */
    List<AccessCheck> accessChecks();

    /** Runs the call; {@code null} for operations without output. */
    Shape execute();

    /**
     * Runs the call, which may ask further permissions that do not end it when denied (a batch's items, each answered
     * with its own error).
     */
    default Shape execute(Permissions permissions) {
        return execute();
    }

    /** Whether a permission is allowed, asked while a call runs; a denial is the call's to report. */
    @FunctionalInterface
    interface Permissions {
        boolean allows(AccessCheck check);
    }

    /** A call that asks per-item permissions while it runs. */
    static PreparedCall withPermissions(List<AccessCheck> checks, java.util.function.Function<Permissions, Shape> body) {
        return new PreparedCall() {
            @Override
            public List<AccessCheck> accessChecks() {
                return checks;
            }

            @Override
            public Shape execute() {
                throw new IllegalStateException("this call asks permissions while it runs");
            }

            @Override
            public Shape execute(Permissions permissions) {
                return body.apply(permissions);
            }
        };
    }

    static PreparedCall of(List<AccessCheck> checks, java.util.function.Supplier<Shape> body) {
        return new PreparedCall() {
            @Override
            public List<AccessCheck> accessChecks() {
                return checks;
            }

            @Override
            public Shape execute() {
                return body.get();
            }
        };
    }
}
