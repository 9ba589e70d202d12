package dev.crossrole.server.s3;

import dev.crossrole.server.service.AccessCheck;
import java.io.IOException;
import java.util.List;

/**
 * An S3 call prepared from its request line and headers (a body is read only by {@link #run}, after authorization):
 * the checks the pipeline decides before it runs, and the run. The run gets a gate for the decisions that depend on
 * what it finds — S3 answers a missing key with NoSuchKey only to callers who may list the bucket, and decides
 * DeleteObjects key by key — which the pipeline decides and records like the others.
 */
public record S3Call(List<AccessCheck> checks, Run run) {
    public S3Call {
        checks = List.copyOf(checks);
    }

    /** The part of an S3 call that runs once its checks passed. */
    @FunctionalInterface
    public interface Run {
        S3Response run(AccessGate findings) throws IOException;
    }

    static S3Call of(AccessCheck check, Run run) {
        return new S3Call(List.of(check), run);
    }
}
