package dev.crossrole.server.service;

import dev.crossrole.server.protocol.Input;

/**
 * One operation of a provider: it gets its input already read by the protocol's codec and checked against the model,
 * and answers with what the call needs to be allowed and how to run it.
 */
@FunctionalInterface
public interface Operation {
    PreparedCall prepare(Call call, Input input);
}
