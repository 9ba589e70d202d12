package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import java.util.List;
import java.util.Set;

/**
 * A bucket's default encryption (PutBucketEncryption, GetBucketEncryption, DeleteBucketEncryption): what a write
 * that names no encryption gets. Since January 2023 every bucket has one, SSE-S3 ({@code AES256}) until another is
 * put and again once it is deleted.
 *
 * <p>Authorization follows the API reference: {@code s3:PutEncryptionConfiguration} for Put and Delete,
 * {@code s3:GetEncryptionConfiguration} for Get, on the bucket. Putting a KMS key asks nothing of KMS, and S3 does
 * not check the key then ("Amazon S3 doesn't validate the KMS key ID provided in PutBucketEncryption requests"): a
 * key that does not exist fails the writes that use it ({@code KMS.NotFoundException}).
 *
 * @param algorithm {@code AES256} or {@code aws:kms}
 * @param kmsKeyId the {@code KMSMasterKeyID} as put (id, alias or ARN), or {@code null} for {@code aws/s3}
 * @param bucketKey whether SSE-KMS writes use an S3 Bucket Key unless they say otherwise
 */
public record BucketEncryption(String algorithm, String kmsKeyId, boolean bucketKey) {
    /** S3's base level of encryption, every bucket's default until another is put. */
    static final BucketEncryption SSE_S3 = new BucketEncryption(ObjectEncryption.SSE_S3, null, false);
    /** The algorithms of S3's schema for general purpose buckets; another value is MalformedXML. */
    private static final Set<String> ALGORITHMS = Set.of(ObjectEncryption.SSE_S3, ObjectEncryption.SSE_KMS,
            "aws:kms:dsse");

    boolean kms() {
        return ObjectEncryption.SSE_KMS.equals(algorithm);
    }

    static S3Call put(S3Input input, Bucket bucket, S3Repository repository, boolean kmsServed) {
        return S3Call.of(S3Support.bucketCheck("s3:PutEncryptionConfiguration", bucket, RequestContext.empty()),
                findings -> {
                    BucketEncryption configuration = read(input.document(), kmsServed);
                    repository.updateBucket(bucket.name(), current -> current.withEncryption(configuration));
                    return input.respond(Shape.of());
                });
    }

    static S3Call get(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:GetEncryptionConfiguration", bucket, RequestContext.empty()),
                findings -> {
                    BucketEncryption configuration = bucket.defaultEncryption();
                    Shape byDefault = Shape.of().put("SSEAlgorithm", configuration.algorithm())
                            .put("KMSMasterKeyID", configuration.kmsKeyId());
                    Shape rule = Shape.of().put("ApplyServerSideEncryptionByDefault", byDefault)
                            .put("BucketKeyEnabled", configuration.bucketKey());
                    return input.respond(Shape.of().put("ServerSideEncryptionConfiguration",
                            Shape.of().put("Rules", List.of(rule))));
                });
    }

    static S3Call delete(S3Input input, Bucket bucket, S3Repository repository) {
        return S3Call.of(S3Support.bucketCheck("s3:PutEncryptionConfiguration", bucket, RequestContext.empty()),
                findings -> {
                    repository.updateBucket(bucket.name(), current -> current.withEncryption(null));
                    return input.respond(Shape.of());
                });
    }

    /**
     * The configuration a PutBucketEncryption document sets, checked as S3 checks it: exactly one rule with
     * {@code ApplyServerSideEncryptionByDefault} and an algorithm of S3's schema (else MalformedXML), a
     * {@code KMSMasterKeyID} only with {@code aws:kms} (InvalidArgument, S3's wording as recorded by LocalStack's
     * AWS-validated tests). DSSE-KMS and blocked encryption types are S3's but not crossrole's: NotImplemented.
     */
    static BucketEncryption read(Input document, boolean kmsServed) {
        List<Input> rules = document.listOrEmpty("Rules");
        if (rules.size() != 1) {
            throw S3Exception.malformedXml();
        }
        Input rule = rules.get(0);
        if (rule.has("BlockedEncryptionTypes")) {
            throw S3Service.notImplemented().with("Element", "BlockedEncryptionTypes");
        }
        Input byDefault = rule.struct("ApplyServerSideEncryptionByDefault");
        if (byDefault == null) {
            throw S3Exception.malformedXml();
        }
        String algorithm = byDefault.string("SSEAlgorithm");
        if (algorithm == null || !ALGORITHMS.contains(algorithm)) {
            throw S3Exception.malformedXml();
        }
        String keyId = byDefault.string("KMSMasterKeyID");
        if (keyId != null && algorithm.equals(ObjectEncryption.SSE_S3)) {
            throw new S3Exception("InvalidArgument", 400, "a KMSMasterKeyID is not applicable if the default sse"
                    + " algorithm is not aws:kms or aws:kms:dsse")
                    .with("ArgumentName", "ApplyServerSideEncryptionByDefault");
        }
        if (algorithm.equals("aws:kms:dsse") || (algorithm.equals(ObjectEncryption.SSE_KMS) && !kmsServed)) {
            throw S3Service.notImplemented().with("Element", "SSEAlgorithm");
        }
        if (keyId != null && keyId.isBlank()) {
            throw S3Exception.malformedXml();
        }
        return new BucketEncryption(algorithm, keyId, rule.bool("BucketKeyEnabled", false));
    }
}
