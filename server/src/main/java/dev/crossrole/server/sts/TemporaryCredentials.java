package dev.crossrole.server.sts;

import java.time.Instant;

/** Temporary credentials as STS returns them. */
public record TemporaryCredentials(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {}
