package dev.crossrole.server.service;

import java.time.Instant;

/** Facts about the HTTP request that become global condition keys. */
public record RequestInfo(String sourceIp, boolean secureTransport, String region, String userAgent, Instant time) {}
