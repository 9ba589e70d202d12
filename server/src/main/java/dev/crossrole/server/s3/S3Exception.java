package dev.crossrole.server.s3;

import dev.crossrole.server.protocol.AwsException;
import java.util.LinkedHashMap;
import java.util.Map;

/** An S3 error: AWS's code, status and message, plus the extra elements S3 puts in its {@code <Error>} body. */
public final class S3Exception extends AwsException {
    private static final long serialVersionUID = 1L;
    private final Map<String, String> extras = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public S3Exception(String code, int status, String message) {
        super(code, status, message);
    }

    public S3Exception with(String element, String value) {
        if (value != null) {
            extras.put(element, value);
        }
        return this;
    }

    public Map<String, String> extras() {
        return extras;
    }

    /** A response header the error carries ({@code x-amz-delete-marker} of a key a delete marker hides). */
    public S3Exception withHeader(String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
        return this;
    }

    public Map<String, String> headers() {
        return headers;
    }

    // ---- S3's vocabulary ----------------------------------------------------------------------

    static S3Exception noSuchBucket(String bucket) {
        return new S3Exception("NoSuchBucket", 404, "The specified bucket does not exist").with("BucketName", bucket);
    }

    static S3Exception noSuchKey(String key) {
        return new S3Exception("NoSuchKey", 404, "The specified key does not exist.").with("Key", key);
    }

    static S3Exception noSuchVersion(String key, String versionId) {
        return new S3Exception("NoSuchVersion", 404, "The specified version does not exist.").with("Key", key)
                .with("VersionId", versionId);
    }

    static S3Exception noSuchUpload(String uploadId) {
        return new S3Exception("NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid,"
                + " or the upload may have been aborted or completed.").with("UploadId", uploadId);
    }

    static S3Exception invalidBucketName(String bucket) {
        return new S3Exception("InvalidBucketName", 400, "The specified bucket is not valid.").with("BucketName", bucket);
    }

    static S3Exception invalidArgument(String message, String name, String value) {
        return new S3Exception("InvalidArgument", 400, message).with("ArgumentName", name).with("ArgumentValue", value);
    }

    static S3Exception invalidRequest(String message) {
        return new S3Exception("InvalidRequest", 400, message);
    }

    static S3Exception malformedXml() {
        return new S3Exception("MalformedXML", 400,
                "The XML you provided was not well-formed or did not validate against our published schema");
    }

    static S3Exception accessDenied() {
        return new S3Exception("AccessDenied", 403, "Access Denied");
    }
}
