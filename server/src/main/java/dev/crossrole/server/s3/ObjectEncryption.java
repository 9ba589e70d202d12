package dev.crossrole.server.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.kms.KmsKeys;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Server-side encryption of S3's objects: which encryption a write gets (its {@code x-amz-server-side-encryption}
 * headers, else the bucket's default encryption, as S3 decides since every bucket has one), the KMS permissions that
 * writing and reading an SSE-KMS object ask of the caller through S3 ({@code kms:GenerateDataKey}, {@code kms:Decrypt},
 * with {@code kms:ViaService} and the object's ARN as encryption context), and the headers and members reporting it.
 */
final class ObjectEncryption {
    static final String SSE_S3 = "AES256";
    static final String SSE_KMS = "aws:kms";

    /** KMS for SSE-KMS; {@code null} where S3 runs without it (SSE-KMS then stays NotImplemented). */
    private final KmsKeys kms;

    ObjectEncryption(KmsKeys kms) {
        this.kms = kms;
    }

    /** Whether SSE-KMS is served. */
    boolean servesKms() {
        return kms != null;
    }

    /**
     * How one write is encrypted: SSE-S3 when {@code key} is {@code null}, else SSE-KMS under {@code key}, with or
     * without an S3 Bucket Key.
     */
    record Applied(KmsKeys.KeyReference key, boolean bucketKey) {
        static final Applied SSE_S3 = new Applied(null, false);

        boolean kms() {
            return key != null;
        }

        String keyArn() {
            return key == null ? null : key.arn();
        }

        /** The object as written under this encryption. */
        StoredObject applyTo(StoredObject object) {
            return key == null ? object : object.withKms(key.arn(), bucketKey);
        }
    }

    /**
     * The encryption of a write (PutObject, CopyObject's destination, CreateMultipartUpload): {@code aws:kms} with the
     * key the request names (an id or alias of the bucket owner's account, or any key's ARN) or the bucket owner's AWS
     * managed key {@code aws/s3}; {@code AES256}; or, without the header, the bucket's default encryption (its
     * {@code KMSMasterKeyID}, which S3 does not check when it is put, is looked up now). Without
     * {@code x-amz-server-side-encryption-bucket-key-enabled} the bucket's Bucket Key setting applies (S3 User Guide,
     * "Specifying server-side encryption with AWS KMS"). The source object's encryption never carries over to a copy.
     */
    Applied forWrite(S3Input input, Bucket bucket) {
        String requested = input.string("ServerSideEncryption");
        BucketEncryption defaults = bucket.defaultEncryption();
        boolean kmsRequested = SSE_KMS.equals(requested);
        if (!kmsRequested && (input.sent("SSEKMSKeyId") || input.sent("SSEKMSEncryptionContext"))) {
            throw new S3Exception("InvalidArgument", 400, "Server Side Encryption with AWS KMS managed key requires"
                    + " HTTP header x-amz-server-side-encryption : aws:kms");
        }
        String named;
        if (kmsRequested) {
            named = input.string("SSEKMSKeyId");
        } else if (requested == null && defaults.kms()) {
            named = defaults.kmsKeyId();
        } else {
            return Applied.SSE_S3;
        }
        if (kms == null) {
            throw S3Service.notImplemented().with("Header", input.wireName("ServerSideEncryption"));
        }
        Boolean bucketKey = input.bool("BucketKeyEnabled");
        return new Applied(key(bucket, named), bucketKey != null ? bucketKey : defaults.bucketKey());
    }

    /** The named key of the bucket owner's account (or any key by ARN), or the owner's {@code aws/s3}. */
    private KmsKeys.KeyReference key(Bucket bucket, String named) {
        if (named == null) {
            return kms.managedKey(bucket.owner(), bucket.region(), "s3");
        }
        return kms.find(bucket.owner(), bucket.region(), named).orElseThrow(() -> new S3Exception(
                "KMS.NotFoundException", 400, "Invalid keyId " + named));
    }

    /**
     * {@code kms:GenerateDataKey} on the key of an SSE-KMS write, asked of the caller through S3 with the object's ARN
     * and the context the request adds; {@code null} for SSE-S3.
     */
    AccessCheck generateDataKey(Applied applied, S3Input input, Bucket bucket, String key, Call call) {
        if (!applied.kms()) {
            return null;
        }
        return kms.viaService("kms:GenerateDataKey", applied.key(), call.caller().account(), "s3", bucket.region(),
                context(input, bucket, key), null);
    }

    /**
     * Reading or reusing the bytes of what an SSE-KMS key protects (GetObject, a copy's source, the parts of a
     * multipart upload) asks the caller for {@code kms:Decrypt} on that key, through S3: the classic failure of a
     * caller of another account that the key's policy does not name. Nothing for SSE-S3 ({@code keyArn} null).
     */
    void requireDecrypt(String keyArn, Bucket bucket, String key, Call call, AccessGate gate) {
        if (keyArn == null) {
            return;
        }
        if (call.caller().principal() instanceof Principal.Anonymous) {
            throw S3Exception.accessDenied(); // KMS serves signed callers only: a public read never opens the key
        }
        String[] arn = keyArn.split(":");
        KmsKeys.KeyReference reference = kms == null || arn.length < 6 ? null
                : kms.find(arn[4], arn[3], keyArn).orElse(null);
        if (reference == null) {
            throw new S3Exception("KMS.NotFoundException", 400, "Key '" + keyArn + "' does not exist");
        }
        gate.require(kms.viaService("kms:Decrypt", reference, call.caller().account(), "s3", bucket.region(),
                Map.of("aws:s3:arn", objectArn(bucket, key)), null));
    }

    /** S3's encryption context: the object's ARN, and what {@code x-amz-server-side-encryption-context} adds. */
    private static Map<String, String> context(S3Input input, Bucket bucket, String key) {
        Map<String, String> context = new LinkedHashMap<>();
        String given = input.string("SSEKMSEncryptionContext");
        if (given != null) {
            try {
                JsonNode json = new ObjectMapper().readTree(Base64.getDecoder().decode(given));
                if (json == null || !json.isObject()) {
                    throw new IllegalArgumentException("not an object");
                }
                json.fields().forEachRemaining(e -> context.put(e.getKey(), e.getValue().asText()));
            } catch (IOException | IllegalArgumentException e) {
                throw new S3Exception("InvalidArgument", 400, "The header 'x-amz-server-side-encryption-context' shall"
                        + " be Base64-encoded UTF-8 string holding JSON which represents a string-string map");
            }
        }
        context.put("aws:s3:arn", objectArn(bucket, key));
        return context;
    }

    private static String objectArn(Bucket bucket, String key) {
        return bucket.arn() + "/" + key;
    }

    /**
     * {@code s3:x-amz-server-side-encryption}, {@code s3:x-amz-server-side-encryption-aws-kms-key-id} and
     * {@code s3:x-amz-server-side-encryption-customer-algorithm}: the headers
     * as sent (a bucket policy requiring them refuses a write that relies on the bucket's default, as on AWS).
     */
    static RequestContext.Builder conditionKeys(S3Input input, RequestContext.Builder context) {
        String requested = input.string("ServerSideEncryption");
        if (requested != null) {
            context.single("s3:x-amz-server-side-encryption", requested);
        }
        String key = input.string("SSEKMSKeyId");
        if (key != null) {
            context.single("s3:x-amz-server-side-encryption-aws-kms-key-id", key);
        }
        String customer = input.string("SSECustomerAlgorithm");
        if (customer != null) {
            context.single("s3:x-amz-server-side-encryption-customer-algorithm", customer);
        }
        return context;
    }

    /**
     * The encryption headers of an object: SSE-C's (the algorithm and the key's MD5), SSE-S3's, or SSE-KMS's with the
     * key (the Bucket Key only when used).
     */
    static void headers(S3Response response, StoredObject object) {
        if (object.customerKey() != null) {
            CustomerKey.headers(response, object.customerKey());
            return;
        }
        if (object.kmsKeyArn() == null) {
            response.header("x-amz-server-side-encryption", SSE_S3);
            return;
        }
        response.header("x-amz-server-side-encryption", SSE_KMS);
        response.header("x-amz-server-side-encryption-aws-kms-key-id", object.kmsKeyArn());
        if (object.bucketKey()) {
            response.header("x-amz-server-side-encryption-bucket-key-enabled", "true");
        }
    }

    /** The same as output members ({@code ServerSideEncryption}, {@code SSEKMSKeyId}, {@code BucketKeyEnabled}). */
    static Shape members(Shape output, String keyArn, boolean bucketKey) {
        output.put("ServerSideEncryption", keyArn == null ? SSE_S3 : SSE_KMS);
        if (keyArn != null) {
            output.put("SSEKMSKeyId", keyArn);
            if (bucketKey) {
                output.put("BucketKeyEnabled", true);
            }
        }
        return output;
    }
}
