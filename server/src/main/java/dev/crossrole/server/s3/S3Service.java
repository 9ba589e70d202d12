package dev.crossrole.server.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.PrincipalDirectory;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.payload.PayloadRejectedException;
import dev.crossrole.server.model.ServiceModels;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.OperationBindings;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.store.StateSync;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The S3 API: routes a request to its operation by method, bucket, key and sub-resource, and runs
 * the bucket operations itself; objects and multipart uploads are in {@link ObjectOperations} and
 * {@link MultipartOperations}. Every operation asks the {@link AccessGate} with the action and ARN
 * AWS uses, the bucket owner as resource account and the bucket policy as resource policy.
 */
public final class S3Service {
    /** A bucket policy is at most 20 KB. */
    private static final int MAX_POLICY_BYTES = 20 * 1024;
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d{1,2}");
    private final S3Repository repository;
    private final Clock clock;
    private final BucketNotifications notifications;
    private final PrincipalDirectory principals;
    private final ObjectOperations objects;
    private final MultipartOperations multipart;
    private final OperationBindings<S3Operation> operations;
    private final S3Control control;

    /**
     * S3 with its metadata in the store behind {@code sync} and object bytes in {@code blobs}. Call before
     * {@link StateSync#load}, then {@link #start}.
     */
    /** @param kms KMS for SSE-KMS objects */
    public S3Service(StateSync sync, BlobStore blobs, Clock clock, PrincipalDirectory principals,
                     dev.crossrole.server.kms.KmsKeys kms) throws IOException {
        this(new StoreS3Repository(sync, blobs), clock, principals, kms);
    }

    /**
     * Once the store is loaded: deletes blobs no record references last modified before {@code orphanCutoff}
     * (later ones may be another node's writes in flight when several nodes share the blob folder).
     */
    public void start(java.time.Instant orphanCutoff) throws IOException {
        if (repository instanceof StoreS3Repository stored) {
            stored.start(orphanCutoff);
        }
    }

    S3Service(S3Repository repository, Clock clock, PrincipalDirectory principals, dev.crossrole.server.kms.KmsKeys kms) {
        this.repository = repository;
        this.clock = clock;
        this.notifications = new BucketNotifications(repository, clock);
        this.principals = principals;
        this.objects = new ObjectOperations(repository, clock, kms);
        this.multipart = new MultipartOperations(repository, clock, objects);
        this.operations = bind(new OperationBindings<>(ServiceModels.all().byId("s3")));
        this.control = new S3Control(repository);
    }

    /** The condition keys of the KMS access an SSE-KMS object asks of its writer or reader, through S3. */
    private static final String[] KMS_VIA = {"kms:CallerAccount", "kms:ViaService",
        "kms:EncryptionContext:${EncryptionContextKey}", "kms:EncryptionContextKeys", "kms:EncryptionAlgorithm"};

    /** Every operation crossrole's S3 implements, by its model name, with what it asks the policy engine for. */
    private OperationBindings<S3Operation> bind(OperationBindings<S3Operation> bindings) {
        String[] objectWriteKeys = {"s3:x-amz-acl", "aws:RequestTag/${TagKey}", "aws:TagKeys",
            "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id",
            "s3:x-amz-server-side-encryption-customer-algorithm", "s3:x-amz-storage-class", "s3:x-amz-content-sha256",
            "s3:signatureversion", "s3:authType", "s3:signatureAge", "s3:TlsVersion", "s3:object-lock-mode",
            "s3:object-lock-retain-until-date", "s3:object-lock-remaining-retention-days", "s3:object-lock-legal-hold"};
        String[] copyKeys = Stream.concat(Stream.of(objectWriteKeys),
                Stream.of("s3:x-amz-copy-source", "s3:x-amz-metadata-directive")).toArray(String[]::new);
        bindings.on("ListBuckets", (input, bucket, call) -> listBuckets(input, call),
                        Authorization.of("s3:ListAllMyBuckets"))
                .on("CreateBucket", (input, bucket, call) -> createBucket(input, call),
                        Authorization.of("s3:CreateBucket").on("bucket", "Bucket").keys("s3:x-amz-acl",
                                "s3:x-amz-grant-full-control", "s3:x-amz-grant-read", "s3:x-amz-grant-read-acp",
                                "s3:x-amz-grant-write", "s3:x-amz-grant-write-acp", "s3:x-amz-object-ownership",
                                "s3:locationconstraint", "aws:RequestTag/${TagKey}", "aws:TagKeys"),
                        Authorization.of("s3:TagResource").on("bucket", "Bucket").keys("aws:RequestTag/${TagKey}",
                                "aws:TagKeys"),
                        Authorization.of("s3:PutBucketObjectLockConfiguration").on("bucket", "Bucket"),
                        Authorization.of("s3:PutBucketVersioning").on("bucket", "Bucket"))
                .on("HeadBucket", (input, bucket, call) -> headBucket(input, bucket),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket"))
                .on("DeleteBucket", (input, bucket, call) -> deleteBucket(input, bucket),
                        Authorization.of("s3:DeleteBucket").on("bucket", "Bucket"))
                .on("GetBucketLocation", (input, bucket, call) -> location(input, bucket),
                        Authorization.of("s3:GetBucketLocation").on("bucket", "Bucket"))
                .on("PutBucketPolicy", this::putPolicy,
                        Authorization.of("s3:PutBucketPolicy").on("bucket", "Bucket"))
                .on("GetBucketPolicy", (input, bucket, call) -> getPolicy(input, bucket, call),
                        Authorization.of("s3:GetBucketPolicy").on("bucket", "Bucket"))
                .on("DeleteBucketPolicy", (input, bucket, call) -> deletePolicy(input, bucket, call),
                        Authorization.of("s3:DeleteBucketPolicy").on("bucket", "Bucket"))
                .on("PutBucketTagging", (input, bucket, call) -> BucketTagging.put(input, bucket, repository),
                        Authorization.of("s3:PutBucketTagging").on("bucket", "Bucket"))
                .on("GetBucketTagging", (input, bucket, call) -> BucketTagging.get(input, bucket),
                        Authorization.of("s3:GetBucketTagging").on("bucket", "Bucket"))
                .on("DeleteBucketTagging", (input, bucket, call) -> BucketTagging.delete(input, bucket, repository),
                        Authorization.of("s3:PutBucketTagging").on("bucket", "Bucket"))
                .on("PutBucketEncryption", (input, bucket, call) -> BucketEncryption.put(input, bucket, repository,
                        objects.encryption().servesKms()),
                        Authorization.of("s3:PutEncryptionConfiguration").on("bucket", "Bucket"))
                .on("GetBucketEncryption", (input, bucket, call) -> BucketEncryption.get(input, bucket),
                        Authorization.of("s3:GetEncryptionConfiguration").on("bucket", "Bucket"))
                .on("DeleteBucketEncryption", (input, bucket, call) -> BucketEncryption.delete(input, bucket,
                        repository), Authorization.of("s3:PutEncryptionConfiguration").on("bucket", "Bucket"))
                .on("PutBucketOwnershipControls", (input, bucket, call) -> BucketAccess.putOwnership(input, bucket,
                        repository), Authorization.of("s3:PutBucketOwnershipControls").on("bucket", "Bucket"))
                .on("GetBucketOwnershipControls", (input, bucket, call) -> BucketAccess.getOwnership(input, bucket),
                        Authorization.of("s3:GetBucketOwnershipControls").on("bucket", "Bucket"))
                .on("DeleteBucketOwnershipControls", (input, bucket, call) -> BucketAccess.deleteOwnership(input,
                        bucket, repository), Authorization.of("s3:PutBucketOwnershipControls").on("bucket", "Bucket"))
                .on("PutBucketAcl", (input, bucket, call) -> BucketAccess.putAcl(input, bucket, repository),
                        Authorization.of("s3:PutBucketAcl").on("bucket", "Bucket").keys("s3:x-amz-acl",
                                "s3:x-amz-grant-full-control", "s3:x-amz-grant-read", "s3:x-amz-grant-read-acp",
                                "s3:x-amz-grant-write", "s3:x-amz-grant-write-acp"))
                .on("GetBucketAcl", (input, bucket, call) -> BucketAccess.getAcl(input, bucket),
                        Authorization.of("s3:GetBucketAcl").on("bucket", "Bucket"))
                .on("PutPublicAccessBlock", (input, bucket, call) -> BucketAccess.putPublicAccessBlock(input, bucket,
                        repository), Authorization.of("s3:PutBucketPublicAccessBlock").on("bucket", "Bucket"))
                .on("GetPublicAccessBlock", (input, bucket, call) -> BucketAccess.getPublicAccessBlock(input, bucket),
                        Authorization.of("s3:GetBucketPublicAccessBlock").on("bucket", "Bucket"))
                .on("DeletePublicAccessBlock", (input, bucket, call) -> BucketAccess.deletePublicAccessBlock(input,
                        bucket, repository), Authorization.of("s3:PutBucketPublicAccessBlock").on("bucket", "Bucket"))
                .on("GetBucketPolicyStatus", (input, bucket, call) -> BucketAccess.policyStatus(input, bucket),
                        Authorization.of("s3:GetBucketPolicyStatus").on("bucket", "Bucket"))
                .on("ListObjects", (input, bucket, call) -> Listing.list(input, bucket,
                        repository.objects(bucket.name()), false),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix", "s3:delimiter",
                                "s3:max-keys"))
                .on("ListObjectsV2", (input, bucket, call) -> Listing.list(input, bucket,
                        repository.objects(bucket.name()), true),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix", "s3:delimiter",
                                "s3:max-keys"))
                .on("PutBucketCors", (input, bucket, call) -> BucketCors.put(input, bucket, repository),
                        Authorization.of("s3:PutBucketCORS").on("bucket", "Bucket"))
                .on("GetBucketCors", (input, bucket, call) -> BucketCors.get(input, bucket),
                        Authorization.of("s3:GetBucketCORS").on("bucket", "Bucket"))
                .on("DeleteBucketCors", (input, bucket, call) -> BucketCors.delete(input, bucket, repository),
                        Authorization.of("s3:PutBucketCORS").on("bucket", "Bucket"))
                .on("PutBucketLifecycleConfiguration", (input, bucket, call) -> BucketLifecycle.put(input, bucket,
                        repository), Authorization.of("s3:PutLifecycleConfiguration").on("bucket", "Bucket"))
                .on("GetBucketLifecycleConfiguration", (input, bucket, call) -> BucketLifecycle.get(input, bucket),
                        Authorization.of("s3:GetLifecycleConfiguration").on("bucket", "Bucket"))
                .on("DeleteBucketLifecycle", (input, bucket, call) -> BucketLifecycle.delete(input, bucket,
                        repository), Authorization.of("s3:PutLifecycleConfiguration").on("bucket", "Bucket"))
                .on("PutBucketLogging", (input, bucket, call) -> BucketConfigs.putLogging(input, bucket, repository),
                        Authorization.of("s3:PutBucketLogging").on("bucket", "Bucket"))
                .on("GetBucketLogging", (input, bucket, call) -> BucketConfigs.getLogging(input, bucket),
                        Authorization.of("s3:GetBucketLogging").on("bucket", "Bucket"))
                .on("PutBucketWebsite", (input, bucket, call) -> BucketConfigs.putWebsite(input, bucket, repository),
                        Authorization.of("s3:PutBucketWebsite").on("bucket", "Bucket"))
                .on("GetBucketWebsite", (input, bucket, call) -> BucketConfigs.getWebsite(input, bucket),
                        Authorization.of("s3:GetBucketWebsite").on("bucket", "Bucket"))
                .on("DeleteBucketWebsite", (input, bucket, call) -> BucketConfigs.deleteWebsite(input, bucket,
                        repository), Authorization.of("s3:DeleteBucketWebsite").on("bucket", "Bucket"))
                .on("PutBucketNotificationConfiguration", (input, bucket, call) -> BucketConfigs.putNotification(
                        input, bucket, repository, notifications, call.requestId()), Authorization.of("s3:PutBucketNotification").on("bucket", "Bucket"))
                .on("GetBucketNotificationConfiguration", (input, bucket, call) -> BucketConfigs.getNotification(
                        input, bucket), Authorization.of("s3:GetBucketNotification").on("bucket", "Bucket"))
                .on("PutBucketVersioning", (input, bucket, call) -> BucketVersioning.put(input, bucket, repository),
                        Authorization.of("s3:PutBucketVersioning").on("bucket", "Bucket"))
                .on("GetBucketVersioning", (input, bucket, call) -> BucketVersioning.get(input, bucket),
                        Authorization.of("s3:GetBucketVersioning").on("bucket", "Bucket"))
                .on("PutObjectLockConfiguration", (input, bucket, call) -> BucketObjectLock.put(input, bucket,
                        repository), Authorization.of("s3:PutBucketObjectLockConfiguration").on("bucket", "Bucket"))
                .on("GetObjectLockConfiguration", (input, bucket, call) -> BucketObjectLock.get(input, bucket),
                        Authorization.of("s3:GetBucketObjectLockConfiguration").on("bucket", "Bucket"))
                .on("PutObjectRetention", (input, bucket, call) -> objects.locks().putRetention(input, bucket),
                        Authorization.of("s3:PutObjectRetention").on("object", "Bucket", "Key")
                                .keys("s3:object-lock-mode", "s3:object-lock-retain-until-date",
                                        "s3:object-lock-remaining-retention-days"),
                        Authorization.of("s3:BypassGovernanceRetention").on("object", "Bucket", "Key"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"))
                .on("GetObjectRetention", (input, bucket, call) -> objects.locks().getRetention(input, bucket),
                        Authorization.of("s3:GetObjectRetention").on("object", "Bucket", "Key"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"))
                .on("PutObjectLegalHold", (input, bucket, call) -> objects.locks().putLegalHold(input, bucket),
                        Authorization.of("s3:PutObjectLegalHold").on("object", "Bucket", "Key")
                                .keys("s3:object-lock-legal-hold"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"))
                .on("GetObjectLegalHold", (input, bucket, call) -> objects.locks().getLegalHold(input, bucket),
                        Authorization.of("s3:GetObjectLegalHold").on("object", "Bucket", "Key"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"))
                .on("ListObjectVersions", (input, bucket, call) -> VersionListing.list(input, bucket, repository),
                        Authorization.of("s3:ListBucketVersions").on("bucket", "Bucket").keys("s3:prefix",
                                "s3:delimiter", "s3:max-keys"))
                .on("ListMultipartUploads", (input, bucket, call) -> multipart.listUploads(input, bucket),
                        Authorization.of("s3:ListBucketMultipartUploads").on("bucket", "Bucket"))
                .on("DeleteObjects", (input, bucket, call) -> objects.deleteObjects(input, bucket),
                        Authorization.of("s3:DeleteObject").on("object", "Bucket", "Delete"),
                        Authorization.of("s3:DeleteObjectVersion").on("object", "Bucket", "Delete")
                                .keys("s3:versionid"),
                        Authorization.of("s3:BypassGovernanceRetention").on("object", "Bucket", "Delete"))
                .on("PutObject", (input, bucket, call) -> objects.put(input, bucket, call),
                        Authorization.of("s3:PutObject").on("object", "Bucket", "Key").keys(objectWriteKeys),
                        Authorization.of("s3:PutObjectTagging").on("object", "Bucket", "Key")
                                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"),
                        Authorization.of("kms:GenerateDataKey").on("key", "SSEKMSKeyId").keys(KMS_VIA))
                .on("CopyObject", (input, bucket, call) -> objects.copy(input, bucket, call),
                        Authorization.of("s3:PutObject").on("object", "Bucket", "Key").keys(copyKeys),
                        Authorization.of("s3:GetObject").on("object", "CopySource")
                                .keys("s3:ExistingObjectTag/<key>"),
                        Authorization.of("s3:GetObjectVersion").on("object", "CopySource")
                                .keys("s3:ExistingObjectTag/<key>", "s3:versionid"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"),
                        Authorization.of("kms:Decrypt").on("key").keys(KMS_VIA),
                        Authorization.of("kms:GenerateDataKey").on("key", "SSEKMSKeyId").keys(KMS_VIA))
                .on("GetObject", (input, bucket, call) -> objects.get(input, bucket, anonymous(call), call, false),
                        Authorization.of("s3:GetObject").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>"),
                        Authorization.of("s3:GetObjectVersion").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>", "s3:versionid"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"),
                        Authorization.of("s3:GetObjectRetention").on("object", "Bucket", "Key"),
                        Authorization.of("s3:GetObjectLegalHold").on("object", "Bucket", "Key"),
                        Authorization.of("kms:Decrypt").on("key").keys(KMS_VIA))
                .on("HeadObject", (input, bucket, call) -> objects.get(input, bucket, anonymous(call), call, true),
                        Authorization.of("s3:GetObject").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>"),
                        Authorization.of("s3:GetObjectVersion").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>", "s3:versionid"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"),
                        Authorization.of("s3:GetObjectRetention").on("object", "Bucket", "Key"),
                        Authorization.of("s3:GetObjectLegalHold").on("object", "Bucket", "Key"))
                .on("GetObjectAttributes", (input, bucket, call) -> objects.attributes(input, bucket),
                        Authorization.of("s3:GetObject").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>"),
                        Authorization.of("s3:GetObjectAttributes").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>"),
                        Authorization.of("s3:GetObjectVersion").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>", "s3:versionid"),
                        Authorization.of("s3:GetObjectVersionAttributes").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>", "s3:versionid"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"))
                .on("DeleteObject", (input, bucket, call) -> objects.delete(input, bucket),
                        Authorization.of("s3:DeleteObject").on("object", "Bucket", "Key"),
                        Authorization.of("s3:DeleteObjectVersion").on("object", "Bucket", "Key").keys("s3:versionid"),
                        Authorization.of("s3:BypassGovernanceRetention").on("object", "Bucket", "Key"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"))
                .on("PutObjectTagging", (input, bucket, call) -> objects.putTagging(input, bucket),
                        Authorization.of("s3:PutObjectTagging").on("object", "Bucket", "Key")
                                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys", "s3:ExistingObjectTag/<key>"),
                        Authorization.of("s3:PutObjectVersionTagging").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>", "s3:RequestObjectTag/<key>",
                                        "s3:RequestObjectTagKeys", "s3:versionid"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"))
                .on("GetObjectTagging", (input, bucket, call) -> objects.getTagging(input, bucket),
                        Authorization.of("s3:GetObjectTagging").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>"),
                        Authorization.of("s3:GetObjectVersionTagging").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>", "s3:versionid"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"))
                .on("GetObjectAcl", (input, bucket, call) -> objects.getAcl(input, bucket),
                        Authorization.of("s3:GetObjectAcl").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>"),
                        Authorization.of("s3:GetObjectVersionAcl").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>", "s3:versionid"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"))
                .on("PutObjectAcl", (input, bucket, call) -> objects.putAcl(input, bucket),
                        Authorization.of("s3:PutObjectAcl").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>", "s3:x-amz-acl", "s3:x-amz-grant-full-control",
                                        "s3:x-amz-grant-read", "s3:x-amz-grant-read-acp", "s3:x-amz-grant-write",
                                        "s3:x-amz-grant-write-acp"),
                        Authorization.of("s3:PutObjectVersionAcl").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>", "s3:versionid", "s3:x-amz-acl"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"))
                .on("DeleteObjectTagging", (input, bucket, call) -> objects.deleteTagging(input, bucket),
                        Authorization.of("s3:DeleteObjectTagging").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>"),
                        Authorization.of("s3:DeleteObjectVersionTagging").on("object", "Bucket", "Key")
                                .keys("s3:ExistingObjectTag/<key>", "s3:versionid"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"))
                .on("CreateMultipartUpload", (input, bucket, call) -> multipart.create(input, bucket, call),
                        Authorization.of("s3:PutObject").on("object", "Bucket", "Key").keys(objectWriteKeys),
                        Authorization.of("s3:PutObjectTagging").on("object", "Bucket", "Key")
                                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"),
                        Authorization.of("kms:GenerateDataKey").on("key", "SSEKMSKeyId").keys(KMS_VIA))
                .on("UploadPart", (input, bucket, call) -> multipart.uploadPart(input, bucket, call),
                        Authorization.of("s3:PutObject").on("object", "Bucket", "Key"),
                        Authorization.of("kms:Decrypt").on("key").keys(KMS_VIA))
                .on("UploadPartCopy", (input, bucket, call) -> multipart.uploadPart(input, bucket, call),
                        Authorization.of("s3:PutObject").on("object", "Bucket", "Key"),
                        Authorization.of("s3:GetObject").on("object", "CopySource")
                                .keys("s3:ExistingObjectTag/<key>"),
                        Authorization.of("s3:GetObjectVersion").on("object", "CopySource")
                                .keys("s3:ExistingObjectTag/<key>", "s3:versionid"),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"),
                        Authorization.of("kms:Decrypt").on("key").keys(KMS_VIA))
                .on("CompleteMultipartUpload", (input, bucket, call) -> multipart.complete(input, bucket, call),
                        Authorization.of("s3:PutObject").on("object", "Bucket", "Key").keys(objectWriteKeys),
                        Authorization.of("s3:ListBucket").on("bucket", "Bucket").keys("s3:prefix"),
                        Authorization.of("kms:Decrypt").on("key").keys(KMS_VIA))
                .on("AbortMultipartUpload", (input, bucket, call) -> multipart.abort(input, bucket),
                        Authorization.of("s3:AbortMultipartUpload").on("object", "Bucket", "Key"))
                .on("ListParts", (input, bucket, call) -> multipart.listParts(input, bucket),
                        Authorization.of("s3:ListMultipartUploadParts").on("object", "Bucket", "Key"));
        return bindings;
    }

    /**
     * A CORS preflight ({@code OPTIONS} on a bucket or object URL), answered from the bucket's CORS rules without
     * authentication, as S3 answers it.
     */
    public S3Response preflight(S3Request request) {
        return BucketCors.preflight(request, request.bucket() == null ? null
                : repository.bucket(request.bucket()).orElse(null));
    }

    /**
     * The CORS headers an actual request to {@code bucket} from {@code origin} with {@code method} gets: those of the
     * bucket's first rule allowing both; empty when none does (or there is no such bucket or configuration).
     */
    public Map<String, String> corsHeaders(String bucket, String origin, String method) {
        BucketCors cors = bucket == null ? null : repository.bucket(bucket).map(Bucket::cors).orElse(null);
        return cors == null ? Map.of() : cors.actualHeaders(origin, method);
    }

    /**
     * One pass of the buckets' lifecycle rules at this service's clock's time (idempotent: see {@link LifecycleSweep});
     * returns how many objects, versions and uploads it removed.
     */
    public int sweepLifecycle() {
        List<ObjectEvent> expired = new java.util.ArrayList<>();
        int removed = LifecycleSweep.run(repository, clock.instant(), expired::add);
        notifications.publish(expired, null);
        return removed;
    }

    /** Connects the queues and topics that buckets' event notifications go to (built after S3). */
    public void connectNotifications(BucketNotifications.Destinations destinations) {
        notifications.connect(destinations);
    }

    /** The operations crossrole's S3 implements, with their authorization tables. */
    public OperationBindings<?> operations() {
        return operations;
    }

    /** The S3 Control operations crossrole implements (the account's Block Public Access), with their tables. */
    public OperationBindings<?> controlOperations() {
        return control.operations();
    }

    /**
     * Whether a request is S3 Control's (the account-level API) rather than S3's: its path is under
     * {@code /v20180820/} and it names its account in {@code x-amz-account-id}, which no S3 operation takes.
     */
    public static boolean addressesControl(String rawPath, String accountHeader) {
        return S3Control.addresses(rawPath, accountHeader);
    }

    /** The S3 Control operation a request's method and path name; refused when they name none. */
    public String controlOperation(String method, String rawPath) {
        return control.operation(method, rawPath);
    }

    /** {@link #prepare(S3Request, Call, String)} for an S3 Control request ({@link #controlOperation}). */
    public S3Call prepareControl(S3Request request, Call call, String operation) {
        try {
            return control.prepare(request, call, operation);
        } catch (IOException e) {
            throw bodyFailure(e);
        } catch (UncheckedIOException e) {
            throw bodyFailure(e.getCause());
        }
    }

    /** The region of a bucket, or {@code null} when there is no such bucket (or no bucket named). */
    public String bucketRegion(String bucket) {
        return bucket == null ? null : repository.bucket(bucket).map(Bucket::region).orElse(null);
    }

    /** The operation a request names, for the request log; {@code null} when it names none crossrole serves. */
    public static String operation(S3Request request) {
        return S3Routes.operation(request);
    }

    /**
     * Prepares a call: the operation the request names (by the model), its bucket, and what the operation needs to
     * be allowed. Nothing changes and no body is read before the pipeline has decided the checks, except the small
     * XML bodies of operations that authorize by their content (CreateBucket's location constraint and tags).
     */
    public S3Call prepare(S3Request request, Call call) {
        return prepare(request, call, null);
    }

    /**
     * {@link #prepare(S3Request, Call)} for a request whose operation {@link #operation} already named (the pipeline
     * names it for the record before authenticating): the routing is not done twice. {@code null} routes it here.
     */
    public S3Call prepare(S3Request request, Call call, String operation) {
        try {
            S3Call prepared = bound(request, call, operation);
            // The events a successful run caused go out before it answers.
            return new S3Call(prepared.checks(), findings -> {
                S3Response response = prepared.run().run(findings);
                if (!response.events().isEmpty() && response.status() < 300) {
                    notifications.publish(response.events(), call);
                }
                return response;
            });
        } catch (IOException e) {
            throw bodyFailure(e);
        } catch (UncheckedIOException e) {
            throw bodyFailure(e.getCause());
        }
    }

    /** Runs a prepared call whose checks passed; {@code findings} decides what the run finds it must ask. */
    public S3Response run(S3Call prepared, AccessGate findings) {
        try {
            return prepared.run().run(findings);
        } catch (IOException e) {
            throw bodyFailure(e);
        } catch (UncheckedIOException e) {
            throw bodyFailure(e.getCause());
        }
    }

    /**
     * A body that failed its verification (chunk signature, checksum, digest, length) is S3's error
     * for it; a client that stopped sending mid-body gets IncompleteBody. Either way nothing was stored.
     */
    private static RuntimeException bodyFailure(IOException e) {
        if (e instanceof PayloadRejectedException rejected) {
            S3Exception error = new S3Exception(rejected.code(), rejected.status(), rejected.message());
            rejected.members().forEach(error::with);
            return error;
        }
        if (e instanceof java.io.EOFException) {
            return new S3Exception("IncompleteBody", 400, "The request body terminated unexpectedly");
        }
        return new UncheckedIOException(e);
    }

    private S3Call bound(S3Request request, Call call, String routed) throws IOException {
        String name = routed != null ? routed : S3Routes.resolve(request);
        if (name.equals(S3Routes.POST_OBJECT)) {
            throw new S3Exception("NotImplemented", 501, "crossrole does not implement POST Object (browser-based"
                    + " uploads with an HTML form); use PutObject or a presigned PUT URL.");
        }
        dev.crossrole.server.model.OperationModel model = operations.model().operation(name);
        S3Operation operation = operations.operation(model);
        if (operation == null) {
            throw S3Routes.notImplemented(name);
        }
        checkVersionId(request);
        if (call.caller().account() == null && (name.equals("ListBuckets") || name.equals("CreateBucket"))) {
            // An anonymous caller owns no buckets and cannot own one.
            throw S3Exception.accessDenied();
        }
        S3Input input = S3Input.read(model, request);
        if (name.equals("ListBuckets") || name.equals("CreateBucket")) {
            return operation.prepare(input, null, call);
        }
        Bucket bucket = repository.bucket(request.bucket()).orElseThrow(() -> S3Exception.noSuchBucket(request.bucket()));
        String expectedOwner = input.string("ExpectedBucketOwner");
        if (expectedOwner != null && !expectedOwner.equals(bucket.owner())) {
            // The caller's guard against writing to a bucket that changed hands.
            throw S3Exception.accessDenied();
        }
        return operation.prepare(input, bucket, call);
    }

    /** Whether the request carried no signature: the pipeline serves it as the anonymous principal. */
    private static boolean anonymous(Call call) {
        return call.caller().principal() instanceof Principal.Anonymous;
    }

    /**
     * A {@code versionId} that cannot be one is refused before anything else (S3's 400 InvalidArgument); one that
     * could, but names no version, is the operation's NoSuchVersion.
     */
    private static void checkVersionId(S3Request request) {
        String versionId = request.param("versionId");
        if (versionId == null || VersionIds.wellFormed(versionId)) {
            return;
        }
        throw S3Exception.invalidArgument(versionId.isEmpty() ? "Version id cannot be the empty string"
                : "Invalid version id specified", "versionId", versionId);
    }

    static S3Exception notImplemented() {
        return new S3Exception("NotImplemented", 501, "A header you provided implies functionality that is not"
                + " implemented");
    }

    // ---- buckets ------------------------------------------------------------------------------

    private S3Call listBuckets(S3Input input, Call call) {
        String account = call.caller().account();
        return S3Call.of(new AccessCheck("s3:ListAllMyBuckets", "*", account, null, RequestContext.empty()),
                findings -> listBuckets(input, account));
    }

    /** S3's range for {@code max-buckets}, and its page when only a token or filter is sent. */
    private static final int MAX_BUCKETS = 10_000;

    /**
     * ListBuckets: the caller's buckets by name, filtered by {@code prefix} and {@code bucket-region}, a page of
     * {@code max-buckets} at a time with a {@code ContinuationToken} while more follow. Each bucket's region is
     * shown when the request sent any of these parameters, as the API reference says of {@code BucketRegion}.
     */
    private S3Response listBuckets(S3Input input, String account) {
        Integer maxBuckets = input.integer("MaxBuckets");
        if (maxBuckets != null && (maxBuckets < 1 || maxBuckets > MAX_BUCKETS)) {
            // S3's wording for this is not on record; the code and the range (1 to 10,000) are the API reference's.
            throw S3Exception.invalidArgument("Argument max-buckets must be an integer between 1 and " + MAX_BUCKETS,
                    "max-buckets", input.sentValue("MaxBuckets"));
        }
        String token = input.string("ContinuationToken");
        String after = token == null || token.isEmpty() ? null : Listing.decodeToken(token, "continuation-token");
        String prefix = input.string("Prefix");
        String region = input.string("BucketRegion");
        boolean parameters = maxBuckets != null || token != null || prefix != null || region != null;
        int page = maxBuckets == null ? MAX_BUCKETS : maxBuckets;
        List<Shape> buckets = new ArrayList<>();
        String next = null;
        String last = null;
        for (Bucket bucket : repository.buckets()) {
            if (!bucket.owner().equals(account) || (after != null && bucket.name().compareTo(after) <= 0)
                    || (prefix != null && !bucket.name().startsWith(prefix))
                    || (region != null && !bucket.region().equals(region))) {
                continue;
            }
            if (buckets.size() == page) {
                next = Listing.encodeToken(last);
                break;
            }
            buckets.add(Shape.of().put("Name", bucket.name()).put("CreationDate", bucket.created())
                    .put("BucketRegion", parameters ? bucket.region() : null));
            last = bucket.name();
        }
        return input.respond(Shape.of().put("Owner", S3Support.owner(account)).put("Buckets", buckets)
                .put("ContinuationToken", next).put("Prefix", prefix));
    }

    private S3Call createBucket(S3Input input, Call call) throws IOException {
        String name = input.string("Bucket");
        if (!S3Support.validBucketName(name)) {
            throw S3Exception.invalidBucketName(name);
        }
        String acl = input.string("ACL");
        String ownership = input.string("ObjectOwnership");
        if (ownership == null) {
            ownership = Bucket.OWNER_ENFORCED;
        } else if (!BucketAccess.OWNERSHIPS.contains(ownership)) {
            // S3's wording for an unknown setting was not found; the header and value are named.
            throw S3Exception.invalidArgument("Invalid x-amz-object-ownership header", "x-amz-object-ownership",
                    ownership);
        }
        String callerAccount = call.caller().account();
        List<AclGrant> grants = BucketAccess.headerGrants(input, callerAccount);
        if (ownership.equals(Bucket.OWNER_ENFORCED) && grants != null
                && !grants.equals(AclGrant.ownerOnly(callerAccount))) {
            // ACLs are disabled by the ownership the bucket would get: refused, and it is not created.
            throw BucketAccess.invalidAclWithOwnership();
        }
        if (grants != null && grants.stream().anyMatch(AclGrant::isPublic)) {
            // A new bucket has every Block Public Access setting on: a public ACL is refused, with the error S3 answers
            // since April 2023 (as quoted in emgarten/Sleet#180; its status, 400, as S3's other CreateBucket ACL errors).
            throw new S3Exception("InvalidBucketAclWithBlockPublicAccessError", 400,
                    "Bucket cannot have public ACLs set with BlockPublicAccess enabled");
        }
        boolean objectLock = Boolean.TRUE.equals(input.bool("ObjectLockEnabledForBucket"));
        String constraint = null;
        Map<String, String> tags = Map.of();
        Input configuration = input.document();
        if (configuration != null) {
            constraint = configuration.string("LocationConstraint");
            if (configuration.has("Location") || configuration.has("Bucket")) {
                // directory buckets' placement: not a general purpose bucket, and not something crossrole has
                throw notImplemented().with("Element", "CreateBucketConfiguration/Location");
            }
            if (configuration.has("Tags")) {
                tags = BucketTagging.tags(configuration.list("Tags"));
            }
        }
        String requestRegion = call.region();
        String region;
        if (constraint == null || constraint.isEmpty()) {
            if (!requestRegion.equals("us-east-1")) {
                throw new S3Exception("IllegalLocationConstraintException", 400, "The unspecified location constraint"
                        + " is incompatible for the region specific endpoint this request was sent to.");
            }
            region = "us-east-1";
        } else {
            if (constraint.equals("us-east-1") || !REGION.matcher(constraint).matches()) {
                throw new S3Exception("InvalidLocationConstraint", 400, "The specified location-constraint is not valid")
                        .with("LocationConstraint", constraint);
            }
            if (!requestRegion.equals("us-east-1") && !requestRegion.equals(constraint)) {
                throw new S3Exception("IllegalLocationConstraintException", 400, "The " + constraint
                        + " location constraint is incompatible for the region specific endpoint this request was sent to.");
            }
            region = constraint;
        }
        String account = call.caller().account();
        RequestContext.Builder context = RequestContext.builder();
        BucketAccess.aclContext(input).asMap().forEach(context::put);
        context.single("s3:x-amz-object-ownership", ownership);
        context.single("s3:LocationConstraint", region);
        RequestContext.Builder tagContext = RequestContext.builder();
        if (!tags.isEmpty()) {
            // CreateBucket lists aws:RequestTag and aws:TagKeys, and tags on creation need s3:TagResource as well
            tags.forEach((k, v) -> tagContext.single("aws:RequestTag/" + k, v));
            tagContext.multi("aws:TagKeys", List.copyOf(tags.keySet()));
            tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
            context.multi("aws:TagKeys", List.copyOf(tags.keySet()));
        }
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(new AccessCheck("s3:CreateBucket", "arn:aws:s3:::" + name, account, null, context.build()));
        if (!tags.isEmpty()) {
            checks.add(new AccessCheck("s3:TagResource", "arn:aws:s3:::" + name, account, null, tagContext.build()));
        }
        if (objectLock) {
            // A bucket created with Object Lock needs these as well (CreateBucket's API reference, "Permissions").
            checks.add(new AccessCheck("s3:PutBucketObjectLockConfiguration", "arn:aws:s3:::" + name, account, null,
                    RequestContext.empty()));
            checks.add(new AccessCheck("s3:PutBucketVersioning", "arn:aws:s3:::" + name, account, null,
                    RequestContext.empty()));
        }
        String bucketRegion = region;
        Map<String, String> bucketTags = tags;
        // A bucket with Object Lock has versioning, for good.
        Bucket bucket = new Bucket(name, account, bucketRegion, clock.instant(), null, null, bucketTags, null,
                objectLock ? Bucket.ENABLED : null, ownership, grants, PublicAccessBlock.ALL, null, null,
                objectLock ? BucketObjectLock.ENABLED : null, null, null, null);
        return new S3Call(checks, findings -> create(input, bucket));
    }

    private S3Response create(S3Input created, Bucket bucket) throws IOException {
        String name = bucket.name();
        String account = bucket.owner();
        Optional<Bucket> existing = repository.createIfAbsent(bucket);
        if (existing.isPresent()) {
            if (!existing.get().owner().equals(account)) {
                throw new S3Exception("BucketAlreadyExists", 409, "The requested bucket name is not available. The"
                        + " bucket namespace is shared by all users of the system. Please select a different name and"
                        + " try again.").with("BucketName", name);
            }
            if (!existing.get().region().equals("us-east-1")) {
                throw new S3Exception("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket"
                        + " succeeded and you already own it.").with("BucketName", name);
            }
            // us-east-1 answers a repeated create by the owner with success, as it always has.
        }
        return created.respond(Shape.of().put("Location", "/" + name));
    }

    private S3Call headBucket(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:ListBucket", bucket, RequestContext.empty()),
                findings -> input.respond(Shape.of().put("BucketRegion", bucket.region())
                        .put("AccessPointAlias", false)));
    }

    private S3Call deleteBucket(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:DeleteBucket", bucket, RequestContext.empty()), findings -> {
            if (!repository.deleteBucket(bucket.name())) {
                throw new S3Exception("BucketNotEmpty", 409, "The bucket you tried to delete is not empty")
                        .with("BucketName", bucket.name());
            }
            return input.respond(Shape.of());
        });
    }

    private S3Call location(S3Input input, Bucket bucket) {
        // us-east-1 is the empty location constraint, as S3 has always answered it
        String constraint = bucket.region().equals("us-east-1") ? null : bucket.region();
        return S3Call.of(S3Support.bucketCheck("s3:GetBucketLocation", bucket, RequestContext.empty()),
                findings -> input.respond(Shape.of().put("LocationConstraint", constraint)));
    }

    /** The owner's root user is not asked (see {@link #ownerRoot}); anyone else is, for {@code action}. */
    private static List<AccessCheck> unlessOwnerRoot(Call call, Bucket bucket, String action) {
        return ownerRoot(call, bucket) ? List.of()
                : List.of(S3Support.bucketCheck(action, bucket, RequestContext.empty()));
    }

    // ---- bucket policy ------------------------------------------------------------------------

    /**
     * The root user of the bucket owner's account may always read, replace and delete the bucket
     * policy, even when the policy denies it: AWS's guard against locking a bucket forever.
     */
    private static boolean ownerRoot(Call call, Bucket bucket) {
        return call.caller().principal() instanceof Principal.AccountRoot root && root.accountId().equals(bucket.owner());
    }

    private S3Call putPolicy(S3Input input, Bucket bucket, Call call) {
        return new S3Call(unlessOwnerRoot(call, bucket, "s3:PutBucketPolicy"),
                findings -> storePolicy(input, bucket, call));
    }

    private S3Response storePolicy(S3Input input, Bucket bucket, Call call) throws IOException {
        byte[] bytes = input.body(MAX_POLICY_BYTES);
        if (bytes.length > MAX_POLICY_BYTES) {
            throw new S3Exception("PolicyTooLarge", 400, "Policies must be less than 20 KB");
        }
        String text = (String) input.payload(bytes);
        if (text == null || text.isBlank()) {
            throw new S3Exception("MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'");
        }
        Policy policy;
        try {
            policy = Policies.parse(text, PolicyKind.RESOURCE, "bucket policy", principals);
        } catch (InvalidPolicyException e) {
            throw new S3Exception("MalformedPolicy", 400, e.diagnostic().message());
        }
        checkResourcesInBucket(text, bucket);
        PublicAccessBlock blocking = bucket.blocking();
        if (blocking != null && blocking.blockPublicPolicy() && PublicPolicies.isPublic(text)) {
            // S3's answer since it names the setting; the owner's root user is refused too
            throw new S3Exception("AccessDenied", 403, "User: " + call.caller().arn() + " is not authorized to"
                    + " perform: s3:PutBucketPolicy on resource: \"" + bucket.arn() + "\" because public policies are"
                    + " blocked by the BlockPublicPolicy block public access setting.");
        }
        repository.updateBucket(bucket.name(), current -> current.withPolicy(text, policy));
        return input.respond(Shape.of());
    }

    /** A bucket policy may only name this bucket and its objects. */
    private static void checkResourcesInBucket(String text, Bucket bucket) {
        try {
            JsonNode document = new ObjectMapper().readTree(text);
            JsonNode statements = document.path("Statement");
            List<JsonNode> list = new ArrayList<>();
            if (statements.isArray()) {
                statements.forEach(list::add);
            } else {
                list.add(statements);
            }
            for (JsonNode statement : list) {
                for (String element : new String[] {"Resource", "NotResource"}) {
                    JsonNode resources = statement.path(element);
                    List<String> values = new ArrayList<>();
                    if (resources.isTextual()) {
                        values.add(resources.asText());
                    } else if (resources.isArray()) {
                        resources.forEach(r -> values.add(r.asText()));
                    }
                    for (String resource : values) {
                        String arn = bucket.arn();
                        boolean inBucket = resource.equals(arn) || resource.startsWith(arn + "/")
                                || Glob.matches(resource, arn) || Glob.matches(resource, arn + "/x");
                        if (!inBucket) {
                            throw new S3Exception("MalformedPolicy", 400,
                                    "Policy has invalid resource");
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new S3Exception("MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'");
        }
    }

    private S3Call getPolicy(S3Input input, Bucket bucket, Call call) {
        return new S3Call(unlessOwnerRoot(call, bucket, "s3:GetBucketPolicy"), findings -> getPolicy(input, bucket));
    }

    private static S3Response getPolicy(S3Input input, Bucket bucket) {
        if (bucket.policyText() == null) {
            throw new S3Exception("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
                    .with("BucketName", bucket.name());
        }
        return input.respond(Shape.of().put("Policy", bucket.policyText())).header("Content-Type", "application/json");
    }

    private S3Call deletePolicy(S3Input input, Bucket bucket, Call call) {
        return new S3Call(unlessOwnerRoot(call, bucket, "s3:DeleteBucketPolicy"), findings -> {
            repository.updateBucket(bucket.name(), current -> current.withPolicy(null, null));
            return input.respond(Shape.of());
        });
    }

    /** Wildcards in a policy's resource ARN, matched the way the policy language does ({@code *} and {@code ?}). */
    static final class Glob {
        private Glob() {}

        static boolean matches(String pattern, String text) {
            StringBuilder regex = new StringBuilder();
            for (char c : pattern.toCharArray()) {
                switch (c) {
                    case '*' -> regex.append(".*");
                    case '?' -> regex.append('.');
                    default -> regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.matches(regex.toString(), text);
        }
    }


}
