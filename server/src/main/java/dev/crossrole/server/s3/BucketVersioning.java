package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;

/**
 * PutBucketVersioning and GetBucketVersioning, authorized as {@code s3:PutBucketVersioning} and
 * {@code s3:GetBucketVersioning} on the bucket. A bucket starts unversioned (GetBucketVersioning answers an empty
 * configuration), and once versioning was put it is {@code Enabled} or {@code Suspended} for good: the API has no way
 * back.
 *
 * <p>S3's answers to a configuration it refuses, as observed of it: a Status other than {@code Enabled} or
 * {@code Suspended} is MalformedXML (noobaa/noobaa-core#7324, #8427); an {@code MfaDelete} without the
 * {@code x-amz-mfa} header is MalformedXML when it says {@code Disabled} (hashicorp/terraform-provider-aws#26879)
 * and 403 "Mfa Authentication must be used for this request" when it says {@code Enabled}
 * (cloudposse/terraform-aws-codebuild#76). A configuration without a Status is IllegalVersioningConfigurationException
 * with the description S3's error-code list gives it; S3's exact message for it was not found. MFA delete itself
 * (a request carrying {@code x-amz-mfa}) is not implemented: 501. A bucket with Object Lock cannot be suspended: 409
 * InvalidBucketState.
 */
final class BucketVersioning {
    private BucketVersioning() {}

    static S3Call put(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutBucketVersioning", bucket, RequestContext.empty()), findings -> {
            Input configuration = input.document();
            String status = configuration == null ? null : configuration.string("Status");
            String mfaDelete = configuration == null ? null : configuration.string("MFADelete");
            if (status != null && !status.equals(Bucket.ENABLED) && !status.equals(Bucket.SUSPENDED)) {
                throw S3Exception.malformedXml();
            }
            if (mfaDelete != null && !mfaDelete.equals("Enabled") && !mfaDelete.equals("Disabled")) {
                throw S3Exception.malformedXml();
            }
            if (input.string("MFA") != null) {
                throw S3Service.notImplemented().with("Header", input.wireName("MFA"));
            }
            if ("Enabled".equals(mfaDelete)) {
                throw new S3Exception("AccessDenied", 403, "Mfa Authentication must be used for this request");
            }
            if (mfaDelete != null) {
                throw S3Exception.malformedXml();
            }
            if (status == null) {
                throw new S3Exception("IllegalVersioningConfigurationException", 400,
                        "Indicates that the versioning configuration specified in the request is invalid.");
            }
            repository.updateBucket(bucket.name(), current -> {
                if (current.objectLock() != null && !status.equals(Bucket.ENABLED)) {
                    // S3's answer, as quoted in terraform-aws-modules/terraform-aws-s3-bucket#90.
                    throw new S3Exception("InvalidBucketState", 409, "An Object Lock configuration is present on this"
                            + " bucket, so the versioning state cannot be changed.");
                }
                return current.withVersioning(status);
            });
            return input.respond(Shape.of());
        });
    }

    /** A never-versioned bucket's configuration: the document with nothing in it, as S3 answers it. */
    private static final byte[] NEVER_VERSIONED = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    static S3Call get(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketVersioning", bucket, RequestContext.empty()), findings -> {
            if (bucket.versioning() == null) {
                // The model writes no document for an output without members; S3 writes an empty one.
                S3Response empty = new S3Response(200, new java.util.LinkedHashMap<>(), NEVER_VERSIONED, null);
                return empty.header("Content-Type", "application/xml");
            }
            return input.respond(Shape.of().put("Status", bucket.versioning()));
        });
    }
}
