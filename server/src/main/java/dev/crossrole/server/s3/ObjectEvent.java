package dev.crossrole.server.s3;

/**
 * Something that happened to an object, as S3's event notifications name it ({@code ObjectCreated:Put},
 * {@code ObjectRemoved:DeleteMarkerCreated}, …), with what a notification tells of the object.
 *
 * @param size the object's size, or {@code null} where S3's notification leaves it out (removals)
 * @param etag the object's ETag without quotes, or {@code null}
 * @param versionId the version concerned, or {@code null} for the null version
 */
public record ObjectEvent(String bucket, String name, String key, Long size, String etag, String versionId) {

    static ObjectEvent of(String bucket, String name, StoredObject object) {
        boolean removal = name.startsWith("ObjectRemoved:") || name.startsWith("LifecycleExpiration:");
        return new ObjectEvent(bucket, name, object.key(), removal || object.deleteMarker() ? null : object.size(),
                removal || object.deleteMarker() ? null : unquoted(object.etag()), object.versionId());
    }

    private static String unquoted(String etag) {
        return etag == null ? null : etag.replace("\"", "");
    }
}
