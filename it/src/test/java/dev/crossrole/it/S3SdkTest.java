package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * S3 through the AWS SDK for Java v2 S3 client, which sends aws-chunked bodies with signed chunks and
 * a CRC32 trailer over http: buckets, objects, listing, copy, tagging, multipart, checksums, AWS's errors.
 */
class S3SdkTest {
    private static TestCrossrole crossrole;
    private static S3Client dest;
    private static S3Client source;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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

    private static S3Exception s3Error(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(S3Exception.class, call);
    }

    @Test
    void bucketsAreGlobalAndOwnedByOneAccount() {
        dest.createBucket(b -> b.bucket("sdk-global"));
        dest.headBucket(b -> b.bucket("sdk-global"));
        S3Exception taken = s3Error(() -> source.createBucket(b -> b.bucket("sdk-global")));
        assertEquals(409, taken.statusCode());
        assertEquals("BucketAlreadyExists", taken.awsErrorDetails().errorCode());
        // us-east-1 answers the owner's repeated create with success; other regions with BucketAlreadyOwnedByYou.
        dest.createBucket(b -> b.bucket("sdk-global"));
        S3Client euClient = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION), Region.EU_WEST_1);
        euClient.createBucket(b -> b.bucket("sdk-eu").createBucketConfiguration(c -> c
                .locationConstraint(BucketLocationConstraint.EU_WEST_1)));
        S3Exception owned = s3Error(() -> euClient.createBucket(b -> b.bucket("sdk-eu").createBucketConfiguration(c -> c
                .locationConstraint(BucketLocationConstraint.EU_WEST_1))));
        assertEquals("BucketAlreadyOwnedByYou", owned.awsErrorDetails().errorCode());
        assertEquals(BucketLocationConstraint.EU_WEST_1,
                dest.getBucketLocation(b -> b.bucket("sdk-eu")).locationConstraint());
        // Signed for us-east-1, a request to a bucket in eu-west-1 is told where the bucket is.
        S3Exception wrongRegion = s3Error(() -> dest.putObject(b -> b.bucket("sdk-eu").key("k"),
                RequestBody.fromString("x")));
        assertEquals(400, wrongRegion.statusCode());
        assertEquals("AuthorizationHeaderMalformed", wrongRegion.awsErrorDetails().errorCode());
        assertTrue(wrongRegion.awsErrorDetails().errorMessage().endsWith("the region 'us-east-1' is wrong;"
                + " expecting 'eu-west-1'"), wrongRegion.awsErrorDetails().errorMessage());
        euClient.putObject(b -> b.bucket("sdk-eu").key("k"), RequestBody.fromString("x"));
        euClient.deleteObject(b -> b.bucket("sdk-eu").key("k"));
        // us-east-1 is the empty location constraint.
        assertNull(emptyToNull(dest.getBucketLocation(b -> b.bucket("sdk-global")).locationConstraintAsString()));
        S3Exception mismatch = s3Error(() -> euClient.createBucket(b -> b.bucket("sdk-elsewhere")
                .createBucketConfiguration(c -> c.locationConstraint(BucketLocationConstraint.US_WEST_2))));
        assertEquals("IllegalLocationConstraintException", mismatch.awsErrorDetails().errorCode());
        assertEquals("The us-west-2 location constraint is incompatible for the region specific endpoint this request"
                + " was sent to.", mismatch.awsErrorDetails().errorMessage());

        List<String> destBuckets = dest.listBuckets().buckets().stream().map(b -> b.name()).toList();
        assertTrue(destBuckets.containsAll(List.of("sdk-global", "sdk-eu")), destBuckets.toString());
        assertFalse(source.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("sdk-global")));

        // The SDK checks characters, length and the IP form itself; S3's reserved prefixes and suffixes are crossrole's.
        S3Exception invalid = s3Error(() -> dest.createBucket(b -> b.bucket("xn--reserved")));
        assertEquals("InvalidBucketName", invalid.awsErrorDetails().errorCode());
        assertEquals(400, invalid.statusCode());
        S3Exception alias = s3Error(() -> dest.createBucket(b -> b.bucket("looks-like-an-alias-s3alias")));
        assertEquals("InvalidBucketName", alias.awsErrorDetails().errorCode());

        dest.putObject(b -> b.bucket("sdk-global").key("k"), RequestBody.fromString("x"));
        S3Exception notEmpty = s3Error(() -> dest.deleteBucket(b -> b.bucket("sdk-global")));
        assertEquals(409, notEmpty.statusCode());
        assertEquals("BucketNotEmpty", notEmpty.awsErrorDetails().errorCode());
        dest.deleteObject(b -> b.bucket("sdk-global").key("k"));
        dest.deleteBucket(b -> b.bucket("sdk-global"));
        NoSuchBucketException gone = assertThrows(NoSuchBucketException.class,
                () -> dest.listObjectsV2(b -> b.bucket("sdk-global")));
        assertEquals(404, gone.statusCode());
        S3Exception headGone = s3Error(() -> dest.headBucket(b -> b.bucket("sdk-global")));
        assertEquals(404, headGone.statusCode());
        // The name is free again, for any account.
        source.createBucket(b -> b.bucket("sdk-global"));
        source.deleteBucket(b -> b.bucket("sdk-global"));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Test
    void objectsKeepTheirBytesMetadataAndEtag() throws Exception {
        dest.createBucket(b -> b.bucket("sdk-objects"));
        byte[] body = "hello crossrole".getBytes(StandardCharsets.UTF_8);
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
        var put = dest.putObject(b -> b.bucket("sdk-objects").key("dir/hello.txt").contentType("text/plain")
                .metadata(Map.of("owner", "team-a")).tagging("env=dev"), RequestBody.fromBytes(body));
        assertEquals("\"" + md5 + "\"", put.eTag());
        assertNotNull(put.checksumCRC32(), "the SDK's CRC32 trailer is verified and returned");

        ResponseBytes<GetObjectResponse> got = dest.getObjectAsBytes(b -> b.bucket("sdk-objects").key("dir/hello.txt"));
        assertArrayEquals(body, got.asByteArray());
        assertEquals("text/plain", got.response().contentType());
        assertEquals(Map.of("owner", "team-a"), got.response().metadata());
        assertEquals("\"" + md5 + "\"", got.response().eTag());
        assertEquals(1, got.response().tagCount());

        HeadObjectResponse head = dest.headObject(b -> b.bucket("sdk-objects").key("dir/hello.txt")
                .checksumMode(ChecksumMode.ENABLED));
        assertEquals(body.length, head.contentLength());
        assertEquals(put.checksumCRC32(), head.checksumCRC32());

        // Ranges.
        ResponseBytes<GetObjectResponse> range = dest.getObjectAsBytes(b -> b.bucket("sdk-objects")
                .key("dir/hello.txt").range("bytes=6-14"));
        assertEquals("crossrole", range.asUtf8String());
        assertEquals("bytes 6-14/15", range.response().contentRange());
        assertEquals("role", dest.getObjectAsBytes(b -> b.bucket("sdk-objects").key("dir/hello.txt")
                .range("bytes=-4")).asUtf8String());
        S3Exception unsatisfiable = s3Error(() -> dest.getObjectAsBytes(b -> b.bucket("sdk-objects")
                .key("dir/hello.txt").range("bytes=100-")));
        assertEquals(416, unsatisfiable.statusCode());
        assertEquals("InvalidRange", unsatisfiable.awsErrorDetails().errorCode());

        // Conditional requests.
        S3Exception notModified = s3Error(() -> dest.getObjectAsBytes(b -> b.bucket("sdk-objects")
                .key("dir/hello.txt").ifNoneMatch(put.eTag())));
        assertEquals(304, notModified.statusCode());
        S3Exception failed = s3Error(() -> dest.getObjectAsBytes(b -> b.bucket("sdk-objects").key("dir/hello.txt")
                .ifMatch("\"0000\"")));
        assertEquals(412, failed.statusCode());
        assertEquals("PreconditionFailed", failed.awsErrorDetails().errorCode());
        assertEquals("hello crossrole", dest.getObjectAsBytes(b -> b.bucket("sdk-objects").key("dir/hello.txt")
                .ifMatch(put.eTag())).asUtf8String());
        S3Exception exists = s3Error(() -> dest.putObject(b -> b.bucket("sdk-objects").key("dir/hello.txt")
                .ifNoneMatch("*"), RequestBody.fromString("other")));
        assertEquals(412, exists.statusCode());

        assertEquals(403, s3Error(() -> dest.getObjectAsBytes(b -> b.bucket("sdk-objects").key("dir/hello.txt")
                .expectedBucketOwner(SOURCE))).statusCode(), "the bucket is not owned by the expected account");
        assertEquals("hello crossrole", dest.getObjectAsBytes(b -> b.bucket("sdk-objects").key("dir/hello.txt")
                .expectedBucketOwner(DESTINATION)).asUtf8String());
        NoSuchKeyException missing = assertThrows(NoSuchKeyException.class,
                () -> dest.getObjectAsBytes(b -> b.bucket("sdk-objects").key("nope")));
        assertEquals(404, missing.statusCode());

        dest.deleteObject(b -> b.bucket("sdk-objects").key("dir/hello.txt"));
        dest.deleteObject(b -> b.bucket("sdk-objects").key("dir/hello.txt")); // deleting nothing succeeds too
        assertThrows(NoSuchKeyException.class, () -> dest.getObjectAsBytes(b -> b.bucket("sdk-objects")
                .key("dir/hello.txt")));
    }

    @Test
    void keysWithAnyCharactersRoundTrip() {
        dest.createBucket(b -> b.bucket("sdk-keys"));
        List<String> keys = List.of("a b+c", "ünïcødé/ключ", "x/../y", "percent%2Fslash", "sp ace/", "q?a=b&c");
        for (String key : keys) {
            dest.putObject(b -> b.bucket("sdk-keys").key(key), RequestBody.fromString(key));
        }
        for (String key : keys) {
            assertEquals(key, dest.getObjectAsBytes(b -> b.bucket("sdk-keys").key(key)).asUtf8String());
        }
        List<String> listed = dest.listObjectsV2(b -> b.bucket("sdk-keys")).contents().stream().map(S3Object::key)
                .toList();
        assertEquals(keys.stream().sorted().toList(), listed);
    }

    @Test
    void listingPagesWithPrefixesAndDelimiters() {
        dest.createBucket(b -> b.bucket("sdk-list"));
        for (String key : List.of("a/1", "a/2", "b/1", "b/c/1", "c", "d", "e")) {
            dest.putObject(b -> b.bucket("sdk-list").key(key), RequestBody.fromString(key));
        }
        ListObjectsV2Response top = dest.listObjectsV2(b -> b.bucket("sdk-list").delimiter("/"));
        assertEquals(List.of("a/", "b/"), top.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        assertEquals(List.of("c", "d", "e"), top.contents().stream().map(S3Object::key).toList());
        ListObjectsV2Response underB = dest.listObjectsV2(b -> b.bucket("sdk-list").prefix("b/").delimiter("/"));
        assertEquals(List.of("b/1"), underB.contents().stream().map(S3Object::key).toList());
        assertEquals(List.of("b/c/"), underB.commonPrefixes().stream().map(CommonPrefix::prefix).toList());

        // Pages of two, prefixes counted like keys, every item exactly once.
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String t = token;
            ListObjectsV2Response page = dest.listObjectsV2(b -> b.bucket("sdk-list").delimiter("/").maxKeys(2)
                    .continuationToken(t));
            page.commonPrefixes().forEach(p -> seen.add(p.prefix()));
            page.contents().forEach(o -> seen.add(o.key()));
            assertTrue(page.keyCount() <= 2);
            token = page.isTruncated() ? page.nextContinuationToken() : null;
            pages++;
        } while (token != null);
        assertEquals(3, pages);
        assertEquals(List.of("a/", "b/", "c", "d", "e"), seen.stream().sorted().toList());
        // The paginator sees all seven keys without a delimiter.
        assertEquals(7, dest.listObjectsV2Paginator(b -> b.bucket("sdk-list").maxKeys(3)).contents().stream().count());
        S3Exception badToken = s3Error(() -> dest.listObjectsV2(b -> b.bucket("sdk-list").continuationToken("!!")));
        assertEquals("InvalidArgument", badToken.awsErrorDetails().errorCode());
        assertEquals(List.of("d", "e"), dest.listObjectsV2(b -> b.bucket("sdk-list").startAfter("c")).contents()
                .stream().map(S3Object::key).toList());
    }

    @Test
    void copyTaggingAndDeleteObjects() {
        dest.createBucket(b -> b.bucket("sdk-copy"));
        dest.putObject(b -> b.bucket("sdk-copy").key("src").contentType("text/csv").metadata(Map.of("m", "1"))
                .tagging("t=1"), RequestBody.fromString("a,b"));
        var copied = dest.copyObject(b -> b.sourceBucket("sdk-copy").sourceKey("src").destinationBucket("sdk-copy")
                .destinationKey("dst"));
        HeadObjectResponse head = dest.headObject(b -> b.bucket("sdk-copy").key("dst"));
        assertEquals(copied.copyObjectResult().eTag(), head.eTag());
        assertEquals("text/csv", head.contentType());
        assertEquals(Map.of("m", "1"), head.metadata());
        var replaced = dest.copyObject(b -> b.sourceBucket("sdk-copy").sourceKey("src").destinationBucket("sdk-copy")
                .destinationKey("dst2").metadataDirective("REPLACE").metadata(Map.of("m", "2")).contentType("text/plain"));
        assertNotNull(replaced.copyObjectResult().eTag());
        assertEquals(Map.of("m", "2"), dest.headObject(b -> b.bucket("sdk-copy").key("dst2")).metadata());
        S3Exception toItself = s3Error(() -> dest.copyObject(b -> b.sourceBucket("sdk-copy").sourceKey("src")
                .destinationBucket("sdk-copy").destinationKey("src")));
        assertEquals("InvalidRequest", toItself.awsErrorDetails().errorCode());
        assertThrows(NoSuchKeyException.class, () -> dest.copyObject(b -> b.sourceBucket("sdk-copy")
                .sourceKey("none").destinationBucket("sdk-copy").destinationKey("x")));

        assertEquals(List.of(Tag.builder().key("t").value("1").build()),
                dest.getObjectTagging(b -> b.bucket("sdk-copy").key("dst")).tagSet());
        dest.putObjectTagging(b -> b.bucket("sdk-copy").key("dst").tagging(t -> t.tagSet(
                Tag.builder().key("team").value("data").build(), Tag.builder().key("env").value("prod").build())));
        assertEquals(2, dest.getObjectTagging(b -> b.bucket("sdk-copy").key("dst")).tagSet().size());
        S3Exception tooMany = s3Error(() -> dest.putObjectTagging(b -> b.bucket("sdk-copy").key("dst").tagging(t -> {
            List<Tag> tags = new ArrayList<>();
            for (int i = 0; i < 11; i++) {
                tags.add(Tag.builder().key("k" + i).value("v").build());
            }
            t.tagSet(tags);
        })));
        assertEquals(400, tooMany.statusCode());
        assertEquals(2, dest.getObjectTagging(b -> b.bucket("sdk-copy").key("dst")).tagSet().size(),
                "a refused tag set changes nothing");
        dest.deleteObjectTagging(b -> b.bucket("sdk-copy").key("dst"));
        assertTrue(dest.getObjectTagging(b -> b.bucket("sdk-copy").key("dst")).tagSet().isEmpty());

        DeleteObjectsResponse deleted = dest.deleteObjects(b -> b.bucket("sdk-copy").delete(Delete.builder().objects(
                ObjectIdentifier.builder().key("src").build(), ObjectIdentifier.builder().key("dst").build(),
                ObjectIdentifier.builder().key("never-existed").build()).build()));
        assertEquals(3, deleted.deleted().size());
        assertTrue(deleted.errors().isEmpty());
        assertEquals(List.of("dst2"), dest.listObjectsV2(b -> b.bucket("sdk-copy")).contents().stream()
                .map(S3Object::key).toList());

        // Storage classes are recorded and reported; an unknown one is refused.
        dest.putObject(b -> b.bucket("sdk-copy").key("cold").storageClass(
                software.amazon.awssdk.services.s3.model.StorageClass.STANDARD_IA), RequestBody.fromString("cold"));
        assertEquals("STANDARD_IA", dest.headObject(b -> b.bucket("sdk-copy").key("cold")).storageClassAsString());
        assertEquals("STANDARD_IA", dest.listObjectsV2(b -> b.bucket("sdk-copy").prefix("cold")).contents().get(0)
                .storageClassAsString());
        S3Exception badClass = s3Error(() -> dest.putObject(b -> b.bucket("sdk-copy").key("x").storageClass("COLDEST"),
                RequestBody.fromString("x")));
        assertEquals("InvalidStorageClass", badClass.awsErrorDetails().errorCode());
    }

    @Test
    void multipartUploadsAssembleTheirParts() throws Exception {
        dest.createBucket(b -> b.bucket("sdk-multipart"));
        byte[] part1 = new byte[5 * 1024 * 1024];
        byte[] part2 = new byte[1234];
        new Random(7).nextBytes(part1);
        new Random(8).nextBytes(part2);
        CreateMultipartUploadResponse created = dest.createMultipartUpload(b -> b.bucket("sdk-multipart").key("big")
                .contentType("application/x-test").metadata(Map.of("kind", "parts")));
        String uploadId = created.uploadId();
        UploadPartResponse r1 = dest.uploadPart(b -> b.bucket("sdk-multipart").key("big").uploadId(uploadId)
                .partNumber(1), RequestBody.fromBytes(part1));
        UploadPartResponse r2 = dest.uploadPart(b -> b.bucket("sdk-multipart").key("big").uploadId(uploadId)
                .partNumber(2), RequestBody.fromBytes(part2));
        ListPartsResponse parts = dest.listParts(b -> b.bucket("sdk-multipart").key("big").uploadId(uploadId));
        assertEquals(List.of(1, 2), parts.parts().stream().map(p -> p.partNumber()).toList());
        assertEquals((long) part1.length, parts.parts().get(0).size());

        S3Exception order = s3Error(() -> dest.completeMultipartUpload(b -> b.bucket("sdk-multipart").key("big")
                .uploadId(uploadId).multipartUpload(m -> m.parts(
                        CompletedPart.builder().partNumber(2).eTag(r2.eTag()).build(),
                        CompletedPart.builder().partNumber(1).eTag(r1.eTag()).build()))));
        assertEquals("InvalidPartOrder", order.awsErrorDetails().errorCode());
        S3Exception wrongEtag = s3Error(() -> dest.completeMultipartUpload(b -> b.bucket("sdk-multipart").key("big")
                .uploadId(uploadId).multipartUpload(m -> m.parts(
                        CompletedPart.builder().partNumber(1).eTag("\"00\"").build()))));
        assertEquals("InvalidPart", wrongEtag.awsErrorDetails().errorCode());

        var done = dest.completeMultipartUpload(b -> b.bucket("sdk-multipart").key("big").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(r1.eTag()).build(),
                        CompletedPart.builder().partNumber(2).eTag(r2.eTag()).build())));
        MessageDigest etags = MessageDigest.getInstance("MD5");
        etags.update(MessageDigest.getInstance("MD5").digest(part1));
        etags.update(MessageDigest.getInstance("MD5").digest(part2));
        assertEquals("\"" + HexFormat.of().formatHex(etags.digest()) + "-2\"", done.eTag());

        ResponseBytes<GetObjectResponse> got = dest.getObjectAsBytes(b -> b.bucket("sdk-multipart").key("big"));
        byte[] expected = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, expected, 0, part1.length);
        System.arraycopy(part2, 0, expected, part1.length, part2.length);
        assertArrayEquals(expected, got.asByteArray());
        assertEquals("application/x-test", got.response().contentType());
        assertEquals(Map.of("kind", "parts"), got.response().metadata());
        assertEquals(done.eTag(), got.response().eTag());
        assertThrows(NoSuchUploadException.class, () -> dest.listParts(b -> b.bucket("sdk-multipart").key("big")
                .uploadId(uploadId)), "a completed upload is gone");

        // UploadPartCopy: parts cut from an existing object by byte range.
        String copyId = dest.createMultipartUpload(b -> b.bucket("sdk-multipart").key("copied")).uploadId();
        var c1 = dest.uploadPartCopy(b -> b.sourceBucket("sdk-multipart").sourceKey("big").destinationBucket(
                "sdk-multipart").destinationKey("copied").uploadId(copyId).partNumber(1)
                .copySourceRange("bytes=0-" + (part1.length - 1)));
        var c2 = dest.uploadPartCopy(b -> b.sourceBucket("sdk-multipart").sourceKey("big").destinationBucket(
                "sdk-multipart").destinationKey("copied").uploadId(copyId).partNumber(2)
                .copySourceRange("bytes=" + part1.length + "-" + (expected.length - 1)));
        assertEquals(r1.eTag(), c1.copyPartResult().eTag());
        S3Exception badRange = s3Error(() -> dest.uploadPartCopy(b -> b.sourceBucket("sdk-multipart").sourceKey("big")
                .destinationBucket("sdk-multipart").destinationKey("copied").uploadId(copyId).partNumber(3)
                .copySourceRange("bytes=0-" + expected.length)));
        assertEquals("InvalidArgument", badRange.awsErrorDetails().errorCode());
        dest.completeMultipartUpload(b -> b.bucket("sdk-multipart").key("copied").uploadId(copyId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(c1.copyPartResult().eTag())
                        .build(), CompletedPart.builder().partNumber(2).eTag(c2.copyPartResult().eTag()).build())));
        assertArrayEquals(expected, dest.getObjectAsBytes(b -> b.bucket("sdk-multipart").key("copied")).asByteArray());

        // A part below 5 MiB that is not the last is refused; an aborted upload is gone.
        String small = dest.createMultipartUpload(b -> b.bucket("sdk-multipart").key("small")).uploadId();
        UploadPartResponse s1 = dest.uploadPart(b -> b.bucket("sdk-multipart").key("small").uploadId(small)
                .partNumber(1), RequestBody.fromBytes(part2));
        UploadPartResponse s2 = dest.uploadPart(b -> b.bucket("sdk-multipart").key("small").uploadId(small)
                .partNumber(2), RequestBody.fromBytes(part2));
        S3Exception tooSmall = s3Error(() -> dest.completeMultipartUpload(b -> b.bucket("sdk-multipart").key("small")
                .uploadId(small).multipartUpload(m -> m.parts(
                        CompletedPart.builder().partNumber(1).eTag(s1.eTag()).build(),
                        CompletedPart.builder().partNumber(2).eTag(s2.eTag()).build()))));
        assertEquals("EntityTooSmall", tooSmall.awsErrorDetails().errorCode());
        String other = dest.createMultipartUpload(b -> b.bucket("sdk-multipart").key("dir/other")).uploadId();
        var listed = dest.listMultipartUploads(b -> b.bucket("sdk-multipart"));
        assertEquals(List.of("dir/other", "small"), listed.uploads().stream().map(u -> u.key()).toList());
        assertEquals(List.of(other, small), listed.uploads().stream().map(u -> u.uploadId()).toList());
        var grouped = dest.listMultipartUploads(b -> b.bucket("sdk-multipart").delimiter("/"));
        assertEquals(List.of("dir/"), grouped.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        assertEquals(List.of("small"), grouped.uploads().stream().map(u -> u.key()).toList());
        var firstPage = dest.listMultipartUploads(b -> b.bucket("sdk-multipart").maxUploads(1));
        assertTrue(firstPage.isTruncated());
        var secondPage = dest.listMultipartUploads(b -> b.bucket("sdk-multipart").maxUploads(1)
                .keyMarker(firstPage.nextKeyMarker()).uploadIdMarker(firstPage.nextUploadIdMarker()));
        assertEquals(List.of("small"), secondPage.uploads().stream().map(u -> u.key()).toList());
        dest.abortMultipartUpload(b -> b.bucket("sdk-multipart").key("dir/other").uploadId(other));
        dest.abortMultipartUpload(b -> b.bucket("sdk-multipart").key("small").uploadId(small));
        assertTrue(dest.listMultipartUploads(b -> b.bucket("sdk-multipart")).uploads().isEmpty());
        assertThrows(NoSuchUploadException.class, () -> dest.uploadPart(b -> b.bucket("sdk-multipart").key("small")
                .uploadId(small).partNumber(3), RequestBody.fromBytes(part2)));
        assertThrows(NoSuchKeyException.class, () -> dest.headObject(b -> b.bucket("sdk-multipart").key("small")));
    }

    @Test
    void checksumsAreVerifiedAndAWrongOneStoresNothing() throws Exception {
        dest.createBucket(b -> b.bucket("sdk-checksums"));
        for (ChecksumAlgorithm algorithm : List.of(ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32_C,
                ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256)) {
            String key = "with-" + algorithm;
            dest.putObject(b -> b.bucket("sdk-checksums").key(key).checksumAlgorithm(algorithm),
                    RequestBody.fromString("checked " + algorithm));
            // The SDK validates the returned checksum against the bytes it reads.
            assertEquals("checked " + algorithm, dest.getObjectAsBytes(b -> b.bucket("sdk-checksums").key(key)
                    .checksumMode(ChecksumMode.ENABLED)).asUtf8String());
        }
        // A checksum header that does not match the body: BadDigest, and the key stays absent.
        S3Exception bad = s3Error(() -> dest.putObject(b -> b.bucket("sdk-checksums").key("bad")
                .checksumCRC32("AAAAAA=="), RequestBody.fromString("payload")));
        assertEquals(400, bad.statusCode());
        assertEquals("BadDigest", bad.awsErrorDetails().errorCode());
        assertThrows(NoSuchKeyException.class, () -> dest.headObject(b -> b.bucket("sdk-checksums").key("bad")));
        S3Exception badMd5 = s3Error(() -> dest.putObject(b -> b.bucket("sdk-checksums").key("bad-md5")
                .contentMD5("1B2M2Y8AsgTpgAmY7PhCfg=="), RequestBody.fromString("not empty")));
        assertEquals("BadDigest", badMd5.awsErrorDetails().errorCode());
        assertThrows(NoSuchKeyException.class, () -> dest.headObject(b -> b.bucket("sdk-checksums").key("bad-md5")));
    }

    @Test
    void multipartChecksumsAreCompositeOrFullObject() throws Exception {
        dest.createBucket(b -> b.bucket("sdk-mpu-checksums"));
        byte[] part1 = new byte[5 * 1024 * 1024];
        byte[] part2 = "the end".getBytes(StandardCharsets.UTF_8);
        new Random(3).nextBytes(part1);
        byte[] whole = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, whole, 0, part1.length);
        System.arraycopy(part2, 0, whole, part1.length, part2.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(whole);
        String fullCrc = java.util.Base64.getEncoder().encodeToString(
                java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        for (String type : List.of("COMPOSITE", "FULL_OBJECT")) {
            String key = "object-" + type;
            String id = dest.createMultipartUpload(b -> b.bucket("sdk-mpu-checksums").key(key)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32).checksumType(type)).uploadId();
            var u1 = dest.uploadPart(b -> b.bucket("sdk-mpu-checksums").key(key).uploadId(id).partNumber(1)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(part1));
            var u2 = dest.uploadPart(b -> b.bucket("sdk-mpu-checksums").key(key).uploadId(id).partNumber(2)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(part2));
            List<CompletedPart> parts = List.of(
                    CompletedPart.builder().partNumber(1).eTag(u1.eTag()).checksumCRC32(u1.checksumCRC32()).build(),
                    CompletedPart.builder().partNumber(2).eTag(u2.eTag()).checksumCRC32(u2.checksumCRC32()).build());
            if (type.equals("FULL_OBJECT")) {
                S3Exception wrong = s3Error(() -> dest.completeMultipartUpload(b -> b.bucket("sdk-mpu-checksums")
                        .key(key).uploadId(id).checksumCRC32("AAAAAA==").multipartUpload(m -> m.parts(parts))));
                assertEquals("BadDigest", wrong.awsErrorDetails().errorCode());
                assertThrows(NoSuchKeyException.class, () -> dest.headObject(b -> b.bucket("sdk-mpu-checksums")
                        .key(key)));
            }
            var done = dest.completeMultipartUpload(b -> b.bucket("sdk-mpu-checksums").key(key).uploadId(id)
                    .checksumCRC32(type.equals("FULL_OBJECT") ? fullCrc : null).multipartUpload(m -> m.parts(parts)));
            assertEquals(type, done.checksumTypeAsString());
            if (type.equals("FULL_OBJECT")) {
                assertEquals(fullCrc, done.checksumCRC32());
            } else {
                assertTrue(done.checksumCRC32().endsWith("-2"), done.checksumCRC32());
            }
            // The SDK validates a full-object checksum it receives and skips composite ones.
            assertArrayEquals(whole, dest.getObjectAsBytes(b -> b.bucket("sdk-mpu-checksums").key(key)
                    .checksumMode(ChecksumMode.ENABLED)).asByteArray());
        }
    }

    @Test
    void virtualHostedStyleAddressesTheBucketByHost() {
        S3Client virtual = S3Sdk.virtualHosted(crossrole, crossrole.adminCredentials(DESTINATION));
        virtual.createBucket(b -> b.bucket("sdk-virtual"));
        virtual.putObject(b -> b.bucket("sdk-virtual").key("nested/key.txt"), RequestBody.fromString("by host"));
        assertEquals("by host", virtual.getObjectAsBytes(b -> b.bucket("sdk-virtual").key("nested/key.txt"))
                .asUtf8String());
        assertEquals("by host", dest.getObjectAsBytes(b -> b.bucket("sdk-virtual").key("nested/key.txt"))
                .asUtf8String(), "the same bucket path-style");
        assertEquals(List.of("nested/key.txt"), virtual.listObjectsV2(b -> b.bucket("sdk-virtual")).contents().stream()
                .map(S3Object::key).toList());
    }

    @Test
    void bucketPoliciesAreValidatedAsResourcePolicies() {
        dest.createBucket(b -> b.bucket("sdk-policy"));
        S3Exception none = s3Error(() -> dest.getBucketPolicy(b -> b.bucket("sdk-policy")));
        assertEquals(404, none.statusCode());
        assertEquals("NoSuchBucketPolicy", none.awsErrorDetails().errorCode());
        S3Exception notJson = s3Error(() -> dest.putBucketPolicy(b -> b.bucket("sdk-policy").policy("{not json")));
        assertEquals("MalformedPolicy", notJson.awsErrorDetails().errorCode());
        S3Exception noPrincipal = s3Error(() -> dest.putBucketPolicy(b -> b.bucket("sdk-policy").policy(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                        + "\"Resource\":\"arn:aws:s3:::sdk-policy/*\"}]}")));
        assertEquals("MalformedPolicy", noPrincipal.awsErrorDetails().errorCode());
        assertEquals("Missing required field Principal", noPrincipal.awsErrorDetails().errorMessage());
        S3Exception otherBucket = s3Error(() -> dest.putBucketPolicy(b -> b.bucket("sdk-policy").policy(
                publicRead("someone-elses-bucket"))));
        assertEquals("Policy has invalid resource", otherBucket.awsErrorDetails().errorMessage());
        S3Exception unknownPrincipal = s3Error(() -> dest.putBucketPolicy(b -> b.bucket("sdk-policy").policy(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                        + "\"arn:aws:iam::111122223333:role/does-not-exist\"},\"Action\":\"s3:GetObject\","
                        + "\"Resource\":\"arn:aws:s3:::sdk-policy/*\"}]}")));
        assertEquals("Invalid principal in policy", unknownPrincipal.awsErrorDetails().errorMessage());
        S3Exception none2 = s3Error(() -> dest.getBucketPolicy(b -> b.bucket("sdk-policy")));
        assertEquals("NoSuchBucketPolicy", none2.awsErrorDetails().errorCode(), "refused policies change nothing");

        // A public policy needs Block Public Access's BlockPublicPolicy off, as on S3 since 2023.
        dest.deletePublicAccessBlock(b -> b.bucket("sdk-policy"));
        dest.putBucketPolicy(b -> b.bucket("sdk-policy").policy(publicRead("sdk-policy")));
        assertEquals(publicRead("sdk-policy"), dest.getBucketPolicy(b -> b.bucket("sdk-policy")).policy());
        dest.deleteBucketPolicy(b -> b.bucket("sdk-policy"));
        assertThrows(S3Exception.class, () -> dest.getBucketPolicy(b -> b.bucket("sdk-policy")));
    }

    static String publicRead(String bucket) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PublicRead\",\"Effect\":\"Allow\","
                + "\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"}]}";
    }

    @Test
    void anonymousRequestsNeedABucketPolicyForEveryone() throws Exception {
        dest.createBucket(b -> b.bucket("sdk-anonymous"));
        dest.putObject(b -> b.bucket("sdk-anonymous").key("page.html").contentType("text/html"),
                RequestBody.fromString("<p>hi</p>"));
        HttpResponse<String> denied = HTTP.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()
                + "/sdk-anonymous/page.html")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, denied.statusCode());
        assertTrue(denied.body().contains("<Code>AccessDenied</Code><Message>Access Denied</Message>"), denied.body());
        String requestId = denied.headers().firstValue("x-amz-request-id").orElseThrow();
        assertTrue(denied.body().contains("<RequestId>" + requestId + "</RequestId>"));
        assertEquals("s3:GetObject", crossrole.recorded(requestId).action(), "the denial is explained by request id");
        assertFalse(crossrole.recorded(requestId).decision().allowed());

        dest.deletePublicAccessBlock(b -> b.bucket("sdk-anonymous"));
        dest.putBucketPolicy(b -> b.bucket("sdk-anonymous").policy(publicRead("sdk-anonymous")));
        HttpResponse<String> allowed = HTTP.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()
                + "/sdk-anonymous/page.html")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, allowed.statusCode());
        assertEquals("<p>hi</p>", allowed.body());
        assertEquals("text/html", allowed.headers().firstValue("Content-Type").orElseThrow());
        // The policy grants GetObject only: listing stays closed, and a missing key is not revealed.
        HttpResponse<String> list = HTTP.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()
                + "/sdk-anonymous?list-type=2")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, list.statusCode());
        HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()
                + "/sdk-anonymous/missing")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, missing.statusCode());
        for (String[] anonymousCall : new String[][] {{"GET", "/"}, {"PUT", "/sdk-anonymous-bucket"},
                {"DELETE", "/sdk-anonymous/page.html"}, {"PUT", "/sdk-anonymous/new.txt"}}) {
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()
                    + anonymousCall[1])).method(anonymousCall[0], HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, refused.statusCode(), anonymousCall[0] + " " + anonymousCall[1] + ": " + refused.body());
            assertTrue(refused.body().contains("<Code>AccessDenied</Code>"), refused.body());
        }
        assertEquals("<p>hi</p>", dest.getObjectAsBytes(b -> b.bucket("sdk-anonymous").key("page.html")).asUtf8String());
        HttpResponse<String> noBucket = HTTP.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()
                + "/sdk-no-such-bucket/x")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, noBucket.statusCode());
        assertTrue(noBucket.body().contains("<Code>NoSuchBucket</Code>"), noBucket.body());
        assertTrue(noBucket.body().contains("<BucketName>sdk-no-such-bucket</BucketName>"), noBucket.body());
    }

    @Test
    void unsupportedSubresourcesAreRefusedNotIgnored() throws Exception {
        dest.createBucket(b -> b.bucket("sdk-unsupported"));
        S3Exception replication = s3Error(() -> dest.getBucketReplication(b -> b.bucket("sdk-unsupported")));
        assertEquals(501, replication.statusCode());
        assertEquals("NotImplemented", replication.awsErrorDetails().errorCode());
        S3Exception kms = s3Error(() -> dest.putObject(b -> b.bucket("sdk-unsupported").key("k")
                .serverSideEncryption(software.amazon.awssdk.services.s3.model.ServerSideEncryption.AWS_KMS_DSSE),
                RequestBody.fromString("x")));
        assertEquals(501, kms.statusCode());
        assertThrows(NoSuchKeyException.class, () -> dest.headObject(b -> b.bucket("sdk-unsupported").key("k")));
        var sse = dest.putObject(b -> b.bucket("sdk-unsupported").key("k")
                .serverSideEncryption(software.amazon.awssdk.services.s3.model.ServerSideEncryption.AES256),
                RequestBody.fromString("x"));
        assertEquals("AES256", sse.serverSideEncryptionAsString());
    }

}
