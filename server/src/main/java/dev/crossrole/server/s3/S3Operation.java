package dev.crossrole.server.s3;

import dev.crossrole.server.service.Call;
import java.io.IOException;

/**
 * One S3 operation: prepares a call from its input, read by the model, and the bucket it addresses ({@code null}
 * for ListBuckets and CreateBucket, which address none).
 */
@FunctionalInterface
interface S3Operation {
    S3Call prepare(S3Input input, Bucket bucket, Call call) throws IOException;
}
