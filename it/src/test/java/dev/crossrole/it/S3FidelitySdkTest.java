package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.GetObjectAttributesResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListBucketsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.ObjectAttributes;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Where crossrole's S3 answered otherwise than S3 does, through the SDK for Java v2 (and boto3 for what that client
 * sends): retried completions, checksum types and mismatches on completion, listing's edge cases, CopyObject's
 * condition keys, tags and Content-Encoding as sent, ListBuckets pagination and GetObjectAttributes.
 */
class S3FidelitySdkTest {
    private static final int MIB = 1024 * 1024;
    private static TestCrossrole crossrole;
    private static S3Client dest;
    private static S3Client source;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        dest = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        source = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws IOException {
        crossrole.close();
    }

    /** Uploads {@code parts} parts of {@code size} bytes each under {@code key}, with the checksum asked; the ETags. */
    private static List<CompletedPart> upload(String bucket, String key, String uploadId, int parts, int size,
                                              ChecksumAlgorithm algorithm) {
        List<CompletedPart> completed = new ArrayList<>();
        for (int n = 1; n <= parts; n++) {
            int number = n;
            byte[] bytes = new byte[size];
            java.util.Arrays.fill(bytes, (byte) ('a' + n));
            UploadPartResponse part = dest.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .partNumber(number).checksumAlgorithm(algorithm), RequestBody.fromBytes(bytes));
            CompletedPart.Builder done = CompletedPart.builder().partNumber(number).eTag(part.eTag());
            if (algorithm == ChecksumAlgorithm.SHA256) {
                done.checksumSHA256(part.checksumSHA256());
            } else if (algorithm == ChecksumAlgorithm.CRC32) {
                done.checksumCRC32(part.checksumCRC32());
            }
            completed.add(done.build());
        }
        return completed;
    }

    @Test
    void aRetriedCompletionIsAnsweredAsTheFirstWas() {
        dest.createBucket(b -> b.bucket("fidelity-retry"));
        String id = dest.createMultipartUpload(b -> b.bucket("fidelity-retry").key("big")
                .checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        List<CompletedPart> parts = upload("fidelity-retry", "big", id, 2, 5 * MIB, ChecksumAlgorithm.SHA256);
        CompleteMultipartUploadResponse first = dest.completeMultipartUpload(b -> b.bucket("fidelity-retry")
                .key("big").uploadId(id).multipartUpload(m -> m.parts(parts)));
        CompleteMultipartUploadResponse again = dest.completeMultipartUpload(b -> b.bucket("fidelity-retry")
                .key("big").uploadId(id).multipartUpload(m -> m.parts(parts)));
        assertEquals(first.eTag(), again.eTag());
        assertTrue(first.checksumSHA256().endsWith("-2"), first.checksumSHA256());
        assertEquals(first.checksumSHA256(), again.checksumSHA256());
        assertEquals(ChecksumType.COMPOSITE, again.checksumType());
        // Even after the key was overwritten the retry describes that completion; the upload itself is gone.
        dest.putObject(b -> b.bucket("fidelity-retry").key("big"), RequestBody.fromString("replaced"));
        assertEquals(first.eTag(), dest.completeMultipartUpload(b -> b.bucket("fidelity-retry").key("big")
                .uploadId(id).multipartUpload(m -> m.parts(parts))).eTag());
        assertError(404, "NoSuchUpload", null, () -> dest.listParts(b -> b.bucket("fidelity-retry").key("big")
                .uploadId(id)));
        assertError(404, "NoSuchUpload", null, () -> dest.uploadPart(b -> b.bucket("fidelity-retry").key("big")
                .uploadId(id).partNumber(3), RequestBody.fromString("late")));
        // Not for another key, nor for an upload id never completed.
        assertError(404, "NoSuchUpload", null, () -> dest.completeMultipartUpload(b -> b.bucket("fidelity-retry")
                .key("other").uploadId(id).multipartUpload(m -> m.parts(parts))));
        assertError(404, "NoSuchUpload", null, () -> dest.completeMultipartUpload(b -> b.bucket("fidelity-retry")
                .key("big").uploadId("never-created").multipartUpload(m -> m.parts(parts))));
        // The retry is authorized as the completion is: another account without a grant is refused.
        assertError(403, "AccessDenied", null, () -> source.completeMultipartUpload(b -> b.bucket("fidelity-retry")
                .key("big").uploadId(id).multipartUpload(m -> m.parts(parts))));
    }

    @Test
    void checksumTypesAndWholeObjectChecksumsOnCompletion() {
        dest.createBucket(b -> b.bucket("fidelity-checksums"));
        // Full-object CRC32: HEAD and GET with checksum mode name the type.
        String full = dest.createMultipartUpload(b -> b.bucket("fidelity-checksums").key("full")
                .checksumAlgorithm(ChecksumAlgorithm.CRC32).checksumType(ChecksumType.FULL_OBJECT)).uploadId();
        List<CompletedPart> fullParts = upload("fidelity-checksums", "full", full, 2, 5 * MIB,
                ChecksumAlgorithm.CRC32);
        assertError(400, "BadDigest", "The crc32 you specified did not match the calculated checksum.",
                () -> dest.completeMultipartUpload(b -> b.bucket("fidelity-checksums").key("full").uploadId(full)
                        .checksumCRC32("AAAAAA==").multipartUpload(m -> m.parts(fullParts))));
        assertError(400, "BadDigest", null, () -> dest.completeMultipartUpload(b -> b.bucket("fidelity-checksums")
                .key("full").uploadId(full).checksumType(ChecksumType.COMPOSITE)
                .multipartUpload(m -> m.parts(fullParts))));
        assertError(404, "NoSuchKey", null, () -> dest.headObject(b -> b.bucket("fidelity-checksums").key("full")));
        CompleteMultipartUploadResponse completed = dest.completeMultipartUpload(b -> b.bucket("fidelity-checksums")
                .key("full").uploadId(full).multipartUpload(m -> m.parts(fullParts)));
        assertEquals(ChecksumType.FULL_OBJECT, completed.checksumType());
        HeadObjectResponse head = dest.headObject(b -> b.bucket("fidelity-checksums").key("full")
                .checksumMode(ChecksumMode.ENABLED));
        assertEquals(ChecksumType.FULL_OBJECT, head.checksumType());
        assertEquals(completed.checksumCRC32(), head.checksumCRC32());
        assertEquals(ChecksumType.FULL_OBJECT, dest.getObject(b -> b.bucket("fidelity-checksums").key("full")
                .checksumMode(ChecksumMode.ENABLED)).response().checksumType());

        // Composite SHA256: a whole-object value that is not the parts' is refused, and nothing is written.
        String composite = dest.createMultipartUpload(b -> b.bucket("fidelity-checksums").key("composite")
                .checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        List<CompletedPart> compositeParts = upload("fidelity-checksums", "composite", composite, 2, 5 * MIB,
                ChecksumAlgorithm.SHA256);
        String wrong = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=";
        assertError(400, "BadDigest", "The sha256 you specified did not match the calculated checksum.",
                () -> dest.completeMultipartUpload(b -> b.bucket("fidelity-checksums").key("composite")
                        .uploadId(composite).checksumSHA256(wrong + "-2")
                        .multipartUpload(m -> m.parts(compositeParts))));
        assertError(404, "NoSuchKey", null, () -> dest.headObject(b -> b.bucket("fidelity-checksums")
                .key("composite")));
        CompleteMultipartUploadResponse done = dest.completeMultipartUpload(b -> b.bucket("fidelity-checksums")
                .key("composite").uploadId(composite).multipartUpload(m -> m.parts(compositeParts)));
        HeadObjectResponse compositeHead = dest.headObject(b -> b.bucket("fidelity-checksums").key("composite")
                .checksumMode(ChecksumMode.ENABLED));
        assertEquals(ChecksumType.COMPOSITE, compositeHead.checksumType());
        assertEquals(done.checksumSHA256(), compositeHead.checksumSHA256());
        // A single PUT's checksum is a full-object one; without checksum mode no type is shown.
        dest.putObject(b -> b.bucket("fidelity-checksums").key("single").checksumAlgorithm(ChecksumAlgorithm.SHA256),
                RequestBody.fromString("single"));
        assertEquals(ChecksumType.FULL_OBJECT, dest.headObject(b -> b.bucket("fidelity-checksums").key("single")
                .checksumMode(ChecksumMode.ENABLED)).checksumType());
        assertNull(dest.headObject(b -> b.bucket("fidelity-checksums").key("single")).checksumType());
        // PutObject: a Content-MD5 or an x-amz-checksum-* value that is not the body's is BadDigest.
        assertError(400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.",
                () -> dest.putObject(b -> b.bucket("fidelity-checksums").key("bad").checksumSHA256(wrong),
                        RequestBody.fromString("body")));
        assertError(400, "BadDigest", null, () -> dest.putObject(b -> b.bucket("fidelity-checksums").key("bad")
                .contentMD5("1B2M2Y8AsgTpgAmY7PhCfg=="), RequestBody.fromString("body")));
        assertError(404, "NoSuchKey", null, () -> dest.headObject(b -> b.bucket("fidelity-checksums").key("bad")));
    }

    @Test
    void listingsEdgeCasesAreS3s() {
        dest.createBucket(b -> b.bucket("fidelity-listing"));
        for (String key : List.of("a b/one", "a b/two", "c+d", "plain")) {
            dest.putObject(b -> b.bucket("fidelity-listing").key(key), RequestBody.fromString(key));
        }
        ListObjectsV2Response none = dest.listObjectsV2(b -> b.bucket("fidelity-listing").maxKeys(0));
        assertFalse(none.isTruncated());
        assertEquals(0, none.keyCount());
        assertNull(none.nextContinuationToken());
        assertFalse(dest.listObjects(b -> b.bucket("fidelity-listing").maxKeys(0)).isTruncated());
        // An empty continuation token is the first page.
        assertEquals(4, dest.listObjectsV2(b -> b.bucket("fidelity-listing").continuationToken("")).keyCount());
        // The SDK decodes what it asked to be URL-encoded: the same keys come back either way.
        ListObjectsResponse encoded = dest.listObjects(b -> b.bucket("fidelity-listing").prefix("a b/")
                .encodingType(EncodingType.URL));
        assertEquals("a b/", encoded.prefix());
        assertEquals(List.of("a b/one", "a b/two"), encoded.contents().stream().map(o -> o.key()).toList());
        assertEquals("a b/", dest.listObjects(b -> b.bucket("fidelity-listing").prefix("a b/")).prefix());
    }

    @Test
    void copiesSupplyTheirConditionKeysAndMissingKeysAreNoSuchKeyForListers() {
        dest.createBucket(b -> b.bucket("fidelity-copy"));
        dest.putObject(b -> b.bucket("fidelity-copy").key("public/a"), RequestBody.fromString("a"));
        dest.putObject(b -> b.bucket("fidelity-copy").key("secret/b"), RequestBody.fromString("b"));
        String arn = "arn:aws:s3:::fidelity-copy";
        dest.putBucketPolicy(b -> b.bucket("fidelity-copy").policy("{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\",\"Resource\":\"" + arn
                + "/*\",\"Condition\":{\"StringLike\":{\"s3:x-amz-copy-source\":\"fidelity-copy/secret/*\"}}},"
                + "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\",\"Resource\":\"" + arn
                + "/*\",\"Condition\":{\"StringEquals\":{\"s3:x-amz-metadata-directive\":\"REPLACE\"}}},"
                + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                + "\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":[\"" + arn + "\",\"" + arn
                + "/*\"]}]}"));
        dest.copyObject(b -> b.sourceBucket("fidelity-copy").sourceKey("public/a").destinationBucket("fidelity-copy")
                .destinationKey("copies/a"));
        assertError(403, "AccessDenied", null, () -> dest.copyObject(b -> b.sourceBucket("fidelity-copy")
                .sourceKey("secret/b").destinationBucket("fidelity-copy").destinationKey("copies/b")));
        assertError(403, "AccessDenied", null, () -> dest.copyObject(b -> b.sourceBucket("fidelity-copy")
                .sourceKey("public/a").destinationBucket("fidelity-copy").destinationKey("copies/c")
                .metadataDirective(MetadataDirective.REPLACE).metadata(Map.of("k", "v"))));
        dest.copyObject(b -> b.sourceBucket("fidelity-copy").sourceKey("public/a").destinationBucket("fidelity-copy")
                .destinationKey("copies/d").metadataDirective(MetadataDirective.COPY));
        // Another account the bucket policy lets list the bucket learns that a key is missing.
        assertError(404, "NoSuchKey", null, () -> source.getObject(b -> b.bucket("fidelity-copy").key("missing")));
        assertError(404, "NoSuchKey", null, () -> source.headObject(b -> b.bucket("fidelity-copy").key("missing")));
        source.createBucket(b -> b.bucket("fidelity-copy-target"));
        assertError(404, "NoSuchKey", null, () -> source.copyObject(b -> b.sourceBucket("fidelity-copy")
                .sourceKey("missing").destinationBucket("fidelity-copy-target").destinationKey("k")));
        assertEquals("a", source.getObjectAsBytes(b -> b.bucket("fidelity-copy").key("public/a")).asUtf8String());
    }

    @Test
    void tagsAndContentEncodingAreKeptAsSent() {
        dest.createBucket(b -> b.bucket("fidelity-tags"));
        List<Tag> unsorted = List.of(Tag.builder().key("zeta").value("1").build(),
                Tag.builder().key("alpha").value("2").build(), Tag.builder().key("mid").value("3").build());
        dest.putObject(b -> b.bucket("fidelity-tags").key("k").tagging("zeta=1&alpha=2&mid=3")
                .contentEncoding("gzip, identity"), RequestBody.fromString("x"));
        assertEquals(unsorted, dest.getObjectTagging(b -> b.bucket("fidelity-tags").key("k")).tagSet());
        assertEquals("gzip, identity", dest.headObject(b -> b.bucket("fidelity-tags").key("k")).contentEncoding());
        List<Tag> reversed = List.of(unsorted.get(2), unsorted.get(1), unsorted.get(0));
        dest.putObjectTagging(b -> b.bucket("fidelity-tags").key("k").tagging(t -> t.tagSet(reversed)));
        assertEquals(reversed, dest.getObjectTagging(b -> b.bucket("fidelity-tags").key("k")).tagSet());
        List<Tag> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(Tag.builder().key("k" + i).value("v").build());
        }
        assertError(400, "InvalidTag", "Object tags cannot be greater than 10", () -> dest.putObjectTagging(b -> b
                .bucket("fidelity-tags").key("k").tagging(t -> t.tagSet(eleven))));
        assertError(400, "InvalidTag", "Object tags cannot be greater than 10", () -> dest.putObject(b -> b
                .bucket("fidelity-tags").key("eleven").tagging("a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11"),
                RequestBody.fromString("x")));
        assertEquals(reversed, dest.getObjectTagging(b -> b.bucket("fidelity-tags").key("k")).tagSet());
        assertError(404, "NoSuchKey", null, () -> dest.headObject(b -> b.bucket("fidelity-tags").key("eleven")));
        // A copy's source range beyond the source: S3's InvalidArgument naming the source's size.
        dest.putObject(b -> b.bucket("fidelity-tags").key("small"), RequestBody.fromString("0123456789"));
        String id = dest.createMultipartUpload(b -> b.bucket("fidelity-tags").key("assembled")).uploadId();
        assertError(400, "InvalidArgument", "Range specified is not valid for source object of size: 10",
                () -> dest.uploadPartCopy(b -> b.sourceBucket("fidelity-tags").sourceKey("small")
                        .destinationBucket("fidelity-tags").destinationKey("assembled").uploadId(id).partNumber(1)
                        .copySourceRange("bytes=0-10")));
    }

    @Test
    void listBucketsPagesByNameWithPrefixAndRegion() {
        S3Client eu = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(SOURCE), Region.EU_WEST_1);
        for (String name : List.of("page-a", "page-b", "page-c", "page-d")) {
            source.createBucket(b -> b.bucket(name));
        }
        eu.createBucket(b -> b.bucket("page-eu").createBucketConfiguration(c -> c.locationConstraint("eu-west-1")));
        ListBucketsResponse first = source.listBuckets(b -> b.maxBuckets(2).prefix("page-"));
        assertEquals(List.of("page-a", "page-b"), first.buckets().stream().map(x -> x.name()).toList());
        assertEquals("page-", first.prefix());
        assertEquals("us-east-1", first.buckets().get(0).bucketRegion());
        ListBucketsResponse second = source.listBuckets(b -> b.maxBuckets(2).prefix("page-")
                .continuationToken(first.continuationToken()));
        assertEquals(List.of("page-c", "page-d"), second.buckets().stream().map(x -> x.name()).toList());
        ListBucketsResponse third = source.listBuckets(b -> b.maxBuckets(2).prefix("page-")
                .continuationToken(second.continuationToken()));
        assertEquals(List.of("page-eu"), third.buckets().stream().map(x -> x.name()).toList());
        assertNull(third.continuationToken());
        assertEquals(List.of("page-eu"), source.listBuckets(b -> b.bucketRegion("eu-west-1")).buckets().stream()
                .map(x -> x.name()).toList());
        // Without parameters: every bucket, no region shown, no token.
        ListBucketsResponse all = source.listBuckets();
        assertTrue(all.buckets().size() >= 5);
        assertNull(all.buckets().get(0).bucketRegion());
        assertNull(all.continuationToken());
        assertError(400, "InvalidArgument", null, () -> source.listBuckets(b -> b.maxBuckets(0)));
        assertError(400, "InvalidArgument", null, () -> source.listBuckets(b -> b.maxBuckets(10_001)));
        assertError(400, "InvalidArgument", "The continuation token provided is incorrect",
                () -> source.listBuckets(b -> b.continuationToken("not-a-token")));
    }

    @Test
    void objectAttributesOfSinglePutAndMultipartObjects() {
        dest.createBucket(b -> b.bucket("fidelity-attributes"));
        dest.putObject(b -> b.bucket("fidelity-attributes").key("single").storageClass("STANDARD_IA")
                .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromString("single"));
        GetObjectAttributesResponse single = dest.getObjectAttributes(b -> b.bucket("fidelity-attributes")
                .key("single").objectAttributes(ObjectAttributes.E_TAG, ObjectAttributes.CHECKSUM,
                        ObjectAttributes.OBJECT_SIZE, ObjectAttributes.STORAGE_CLASS, ObjectAttributes.OBJECT_PARTS));
        HeadObjectResponse head = dest.headObject(b -> b.bucket("fidelity-attributes").key("single")
                .checksumMode(ChecksumMode.ENABLED));
        assertEquals(head.eTag().replace("\"", ""), single.eTag());
        assertEquals(6L, single.objectSize());
        assertEquals("STANDARD_IA", single.storageClassAsString());
        assertEquals(head.checksumCRC32(), single.checksum().checksumCRC32());
        assertEquals(ChecksumType.FULL_OBJECT, single.checksum().checksumType());
        assertNull(single.objectParts());
        assertEquals(head.lastModified(), single.lastModified());

        String id = dest.createMultipartUpload(b -> b.bucket("fidelity-attributes").key("parts")
                .checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        List<CompletedPart> parts = upload("fidelity-attributes", "parts", id, 3, 5 * MIB, ChecksumAlgorithm.SHA256);
        CompleteMultipartUploadResponse done = dest.completeMultipartUpload(b -> b.bucket("fidelity-attributes")
                .key("parts").uploadId(id).multipartUpload(m -> m.parts(parts)));
        GetObjectAttributesResponse page = dest.getObjectAttributes(b -> b.bucket("fidelity-attributes").key("parts")
                .objectAttributes(ObjectAttributes.OBJECT_PARTS, ObjectAttributes.CHECKSUM).maxParts(2));
        assertEquals(3, page.objectParts().totalPartsCount());
        assertTrue(page.objectParts().isTruncated());
        assertEquals(2, page.objectParts().nextPartNumberMarker());
        assertEquals(List.of(1, 2), page.objectParts().parts().stream().map(p -> p.partNumber()).toList());
        assertEquals(parts.get(0).checksumSHA256(), page.objectParts().parts().get(0).checksumSHA256());
        assertEquals(5L * MIB, page.objectParts().parts().get(1).size());
        // The composite checksum without its "-3", typed COMPOSITE.
        assertEquals(done.checksumSHA256().replace("-3", ""), page.checksum().checksumSHA256());
        assertEquals(ChecksumType.COMPOSITE, page.checksum().checksumType());
        assertNull(page.eTag());
        GetObjectAttributesResponse rest = dest.getObjectAttributes(b -> b.bucket("fidelity-attributes").key("parts")
                .objectAttributes(ObjectAttributes.OBJECT_PARTS).maxParts(2).partNumberMarker(2));
        assertFalse(rest.objectParts().isTruncated());
        assertEquals(List.of(3), rest.objectParts().parts().stream().map(p -> p.partNumber()).toList());

        assertError(404, "NoSuchKey", null, () -> dest.getObjectAttributes(b -> b.bucket("fidelity-attributes")
                .key("missing").objectAttributes(ObjectAttributes.E_TAG)));
        // Another account is refused (s3:GetObject and s3:GetObjectAttributes are the bucket owner's to grant).
        assertError(403, "AccessDenied", null, () -> source.getObjectAttributes(b -> b.bucket("fidelity-attributes")
                .key("single").objectAttributes(ObjectAttributes.E_TAG)));
    }

    @Test
    void getObjectAttributesNeedsBothPermissions() throws Exception {
        dest.createBucket(b -> b.bucket("fidelity-attribute-grants"));
        dest.putObject(b -> b.bucket("fidelity-attribute-grants").key("k"), RequestBody.fromString("x"));
        String arn = "arn:aws:s3:::fidelity-attribute-grants/*";
        dest.putBucketPolicy(b -> b.bucket("fidelity-attribute-grants").policy("{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                + "\"Action\":\"s3:GetObjectAttributes\",\"Resource\":\"" + arn + "\"}]}"));
        assertError(403, "AccessDenied", null, () -> source.getObjectAttributes(b -> b
                .bucket("fidelity-attribute-grants").key("k").objectAttributes(ObjectAttributes.OBJECT_SIZE)));
        dest.putBucketPolicy(b -> b.bucket("fidelity-attribute-grants").policy("{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                + "\"Action\":[\"s3:GetObject\",\"s3:GetObjectAttributes\"],\"Resource\":\"" + arn + "\"}]}"));
        assertEquals(1L, source.getObjectAttributes(b -> b.bucket("fidelity-attribute-grants").key("k")
                .objectAttributes(ObjectAttributes.OBJECT_SIZE)).objectSize());
    }

    /**
     * A non-ASCII user-metadata value: the SDK for Java v2 signs it as UTF-8 and sends it as ISO-8859-1 bytes; crossrole
     * reads header bytes as ISO-8859-1, so the signature verifies and the value comes back as sent. (S3 itself answers
     * this request SignatureDoesNotMatch, as aws/aws-sdk-java-v2#2624 reports; boto3 refuses it before sending.)
     */
    @Test
    void nonAsciiMetadataFromTheSdkRoundTrips() {
        dest.createBucket(b -> b.bucket("fidelity-metadata"));
        dest.putObject(b -> b.bucket("fidelity-metadata").key("cafe").metadata(Map.of("name", "café")),
                RequestBody.fromString("x"));
        assertEquals(Map.of("name", "café"), dest.headObject(b -> b.bucket("fidelity-metadata").key("cafe"))
                .metadata());
    }

    @Test
    void boto3SeesTheSameAnswers() throws Exception {
        JsonNode found = Boto3Script.run(crossrole, "/boto3/s3_fidelity.py", 240);
        assertEquals(found.path("first_etag").asText(), found.path("retry_etag").asText());
        assertEquals("COMPOSITE", found.path("checksum_type").asText());
        assertEquals("FULL_OBJECT", found.path("attributes_checksum_type").asText());
        assertEquals("[\"a%20b/\", \"c%2Bd\"]".replace(" ", ""), found.path("encoded").toString().replace(" ", ""));
        assertEquals(2, found.path("bucket_page").size());
        assertTrue(found.path("bucket_token").asBoolean());
        assertEquals("AccessDenied", found.path("copy_denied").asText());
        assertEquals("[\"zeta\",\"alpha\"]", found.path("tag_order").toString());
        assertEquals("gzip, br", found.path("content_encoding").asText());
        assertEquals("InvalidTag", found.path("eleven_tags").asText());
        // botocore refuses non-ASCII metadata itself ("S3 metadata can only contain ASCII characters"): no request.
        assertEquals("ParamValidationError", found.path("non_ascii_metadata").asText());
    }
}
