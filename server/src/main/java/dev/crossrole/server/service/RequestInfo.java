package dev.crossrole.server.service;

import java.time.Instant;

/**
 * Facts about the HTTP request that become global condition keys, and the {@code Host} it was sent to (SQS builds
 * queue URLs from it, so that a client reaches its queues the way it reached crossrole).
 */
public record RequestInfo(String sourceIp, boolean secureTransport, String region, String userAgent, Instant time,
                          String host) {
    public RequestInfo(String sourceIp, boolean secureTransport, String region, String userAgent, Instant time) {
        this(sourceIp, secureTransport, region, userAgent, time, null);
    }
}
