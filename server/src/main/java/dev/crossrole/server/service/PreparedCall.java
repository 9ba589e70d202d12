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
