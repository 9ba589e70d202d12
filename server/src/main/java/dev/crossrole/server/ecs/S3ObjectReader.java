package dev.crossrole.server.ecs;

import dev.crossrole.server.sts.TemporaryCredentials;

/**
 * How ECS reads an S3 object on a task's behalf (its environment files): as the holder of the task execution role's
 * credentials, through crossrole's own S3 endpoint, so that the role's policies and the bucket's decide.
 */
public interface S3ObjectReader {
    /** The object's content, read as the holder of {@code credentials}. */
    byte[] read(TemporaryCredentials credentials, String region, String bucket, String key) throws ReadFailure;

    /** Why an object could not be read: S3's error code and message, or what went wrong on the way. */
    final class ReadFailure extends Exception {
        private static final long serialVersionUID = 1L;

        public ReadFailure(String message) {
            super(message, null, false, false);
        }
    }
}
