package dev.crossrole.server.s3;

import dev.crossrole.server.service.AccessCheck;

/** How S3 asks the pipeline for permission: the pipeline decides with the policy engine and records the decision. */
public interface AccessGate {
    /** Throws S3's AccessDenied unless the check is allowed. */
    void require(AccessCheck check);

    /** Whether the check is allowed, without failing (DeleteObjects per key, NoSuchKey versus AccessDenied). */
    boolean allows(AccessCheck check);
}
