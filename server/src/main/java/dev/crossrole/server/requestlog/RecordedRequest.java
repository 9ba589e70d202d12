package dev.crossrole.server.requestlog;

import dev.crossrole.policy.Decision;
import java.time.Instant;

/**
 * What crossrole remembers of one request: who called what, how it was decided, and how it ended.
 *
 * @param decision the decision of the access check that ended the call (its denial, or the last allow), or {@code null}
 */
public record RecordedRequest(String requestId, Instant time, String service, String operation, String caller,
                              String action, String resource, Decision decision, int httpStatus, String errorCode,
                              String errorMessage, long durationMicros) {}
