package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * S3 requests go to the operation they name and no other, through the AWS SDK for Java v2: bucket tagging
 * (once DeleteBucket, a listing and MalformedXML), sub-resources crossrole does not implement, conditional writes,
 * reading one part of an object and form uploads.
 */
class S3RoutingSdkTest {
    private static TestCrossrole crossrole;
    private static S3Client dest;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        dest = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws IOException {
        crossrole.close();
    }

    private static S3Exception s3Error(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(S3Exception.class, call);
    }

    private static void assertError(S3Exception e, int status, String code) {
        assertEquals(status, e.statusCode(), e.getMessage());
        assertEquals(code, e.awsErrorDetails().errorCode(), e.getMessage());
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    // ---- bucket tagging -------------------------------------------------------------------------

    @Test
    void bucketTaggingIsItsOwnOperationNeverDeleteBucketOrAListing() {
        dest.createBucket(b -> b.bucket("route-tags"));
        // DELETE ?tagging on an empty bucket once deleted the bucket.
        dest.deleteBucketTagging(b -> b.bucket("route-tags"));
        dest.headBucket(b -> b.bucket("route-tags"));
        // GET ?tagging once answered with a listing.
        assertError(s3Error(() -> dest.getBucketTagging(b -> b.bucket("route-tags"))), 404, "NoSuchTagSet");
        // PUT ?tagging once answered MalformedXML.
        dest.putBucketTagging(b -> b.bucket("route-tags").tagging(t -> t.tagSet(tag("team", "blue"),
                tag("cost-center", "42"))));
        assertEquals(List.of(tag("team", "blue"), tag("cost-center", "42")),
                dest.getBucketTagging(b -> b.bucket("route-tags")).tagSet());
        // A put replaces the whole set.
        dest.putBucketTagging(b -> b.bucket("route-tags").tagging(t -> t.tagSet(tag("team", "red"))));
        assertEquals(List.of(tag("team", "red")), dest.getBucketTagging(b -> b.bucket("route-tags")).tagSet());
        dest.deleteBucketTagging(b -> b.bucket("route-tags"));
        assertError(s3Error(() -> dest.getBucketTagging(b -> b.bucket("route-tags"))), 404, "NoSuchTagSet");
        dest.headBucket(b -> b.bucket("route-tags"));
        assertError(s3Error(() -> dest.getBucketTagging(b -> b.bucket("route-no-such-bucket"))), 404, "NoSuchBucket");
    }

    @Test
    void badTagSetsAreRefusedAndChangeNothing() {
        dest.createBucket(b -> b.bucket("route-bad-tags"));
        dest.putBucketTagging(b -> b.bucket("route-bad-tags").tagging(t -> t.tagSet(tag("keep", "me"))));
        S3Exception system = s3Error(() -> dest.putBucketTagging(b -> b.bucket("route-bad-tags")
                .tagging(t -> t.tagSet(tag("aws:cloudformation", "x")))));
        assertError(system, 400, "InvalidTag");
        S3Exception duplicate = s3Error(() -> dest.putBucketTagging(b -> b.bucket("route-bad-tags")
                .tagging(t -> t.tagSet(tag("k", "1"), tag("k", "2")))));
        assertError(duplicate, 400, "InvalidTag");
        assertEquals("Cannot provide multiple Tags with the same key", duplicate.awsErrorDetails().errorMessage());
        assertError(s3Error(() -> dest.putBucketTagging(b -> b.bucket("route-bad-tags")
                .tagging(t -> t.tagSet(tag("k".repeat(129), "v"))))), 400, "InvalidTag");
        assertError(s3Error(() -> dest.putBucketTagging(b -> b.bucket("route-bad-tags")
                .tagging(t -> t.tagSet(tag("k", "v".repeat(257)))))), 400, "InvalidTag");
        List<Tag> fiftyOne = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            fiftyOne.add(tag("k" + i, "v"));
        }
        assertEquals(400, s3Error(() -> dest.putBucketTagging(b -> b.bucket("route-bad-tags")
                .tagging(t -> t.tagSet(fiftyOne)))).statusCode());
        assertEquals(List.of(tag("keep", "me")), dest.getBucketTagging(b -> b.bucket("route-bad-tags")).tagSet());
        // Fifty is allowed: buckets take 50 tags, objects 10.
        dest.putBucketTagging(b -> b.bucket("route-bad-tags").tagging(t -> t.tagSet(fiftyOne.subList(0, 50))));
        assertEquals(50, dest.getBucketTagging(b -> b.bucket("route-bad-tags")).tagSet().size());
    }

    @Test
    void bucketTagsAreResourceTagsOfTheBucket() {
        dest.createBucket(b -> b.bucket("route-blue"));
        dest.createBucket(b -> b.bucket("route-red"));
        dest.putBucketTagging(b -> b.bucket("route-blue").tagging(t -> t.tagSet(tag("team", "blue"))));
        dest.putBucketTagging(b -> b.bucket("route-red").tagging(t -> t.tagSet(tag("team", "red"))));
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":[\"s3:ListBucket\",\"s3:PutBucketTagging\"],\"Resource\":\"*\","
                + "\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/team\":\"blue\"}}}]}";
        S3Client blueTeam = S3Sdk.pathStyle(crossrole, TestCrossrole.credentials(
                crossrole.user(DESTINATION, "route-blue-team", Map.of("blue", policy))));
        blueTeam.listObjectsV2(b -> b.bucket("route-blue"));
        assertError(s3Error(() -> blueTeam.listObjectsV2(b -> b.bucket("route-red"))), 403, "AccessDenied");
        // DeleteBucketTagging is authorized as s3:PutBucketTagging, here on the bucket's current tags.
        assertError(s3Error(() -> blueTeam.deleteBucketTagging(b -> b.bucket("route-red"))), 403, "AccessDenied");
        assertError(s3Error(() -> blueTeam.getBucketTagging(b -> b.bucket("route-blue"))), 403, "AccessDenied");
        blueTeam.deleteBucketTagging(b -> b.bucket("route-blue"));
        // Untagged, the bucket no longer carries the key the policy needs.
        assertError(s3Error(() -> blueTeam.listObjectsV2(b -> b.bucket("route-blue"))), 403, "AccessDenied");
        assertEquals(List.of(tag("team", "red")), dest.getBucketTagging(b -> b.bucket("route-red")).tagSet());
    }

    @Test
    void createBucketWithTagsStoresThemAndNeedsTagResource() {
        dest.createBucket(b -> b.bucket("route-created-tagged").createBucketConfiguration(c -> c
                .tags(tag("team", "green"))));
        assertEquals(List.of(tag("team", "green")),
                dest.getBucketTagging(b -> b.bucket("route-created-tagged")).tagSet());
        String createOnly = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"s3:CreateBucket\",\"Resource\":\"*\"}]}";
        S3Client creator = S3Sdk.pathStyle(crossrole, TestCrossrole.credentials(
                crossrole.user(DESTINATION, "route-creator", Map.of("create", createOnly))));
        assertError(s3Error(() -> creator.createBucket(b -> b.bucket("route-created-untagged")
                .createBucketConfiguration(c -> c.tags(tag("team", "green"))))), 403, "AccessDenied");
        assertThrows(NoSuchBucketException.class, () -> dest.headBucket(b -> b.bucket("route-created-untagged")));
        creator.createBucket(b -> b.bucket("route-created-untagged"));
    }

    // ---- what crossrole does not implement --------------------------------------------------------

    @Test
    void unimplementedSubresourcesAre501NamingThem() throws Exception {
        dest.createBucket(b -> b.bucket("route-unimplemented"));
        dest.putObject(b -> b.bucket("route-unimplemented").key("k"), RequestBody.fromString("x"));
        S3Exception replication = s3Error(() -> dest.getBucketReplication(b -> b.bucket("route-unimplemented")));
        assertError(replication, 501, "NotImplemented");
        assertEquals("crossrole does not implement s3:GetBucketReplication yet",
                replication.awsErrorDetails().errorMessage());
        assertError(s3Error(() -> dest.deleteBucketReplication(b -> b.bucket("route-unimplemented"))), 501,
                "NotImplemented");
        assertError(s3Error(() -> dest.getBucketAccelerateConfiguration(b -> b.bucket("route-unimplemented"))), 501,
                "NotImplemented");
        // None of these touched the bucket or its object.
        assertEquals("x", dest.getObjectAsBytes(b -> b.bucket("route-unimplemented").key("k")).asUtf8String());
        dest.createBucket(b -> b.bucket("route-unlocked").objectLockEnabledForBucket(false));

        // A browser form upload (POST to the bucket, multipart/form-data) is served, not 405: this one has no file.
        HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint()
                + "/route-unimplemented")).header("Content-Type", "multipart/form-data; boundary=x")
                .POST(HttpRequest.BodyPublishers.ofString("--x\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n"
                        + "posted\r\n--x--\r\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, form.statusCode(), form.body());
        assertTrue(form.body().contains("<Code>InvalidArgument</Code>"), form.body());
        assertThrows(NoSuchKeyException.class, () -> dest.headObject(b -> b.bucket("route-unimplemented").key("posted")));
    }

    @Test
    void versionIdNullIsTheObjectAndOtherIdsAreInvalid() {
        dest.createBucket(b -> b.bucket("route-versions"));
        dest.putObject(b -> b.bucket("route-versions").key("k"), RequestBody.fromString("v"));
        assertEquals("v", dest.getObjectAsBytes(b -> b.bucket("route-versions").key("k").versionId("null"))
                .asUtf8String());
        S3Exception invalid = s3Error(() -> dest.getObject(b -> b.bucket("route-versions").key("k")
                .versionId("3HL4kqtJlcpXroDTDmJ"), software.amazon.awssdk.core.sync.ResponseTransformer.toBytes()));
        assertError(invalid, 400, "InvalidArgument");
        assertEquals("Invalid version id specified", invalid.awsErrorDetails().errorMessage());
        // A delete of another version deletes nothing.
        assertError(s3Error(() -> dest.deleteObject(b -> b.bucket("route-versions").key("k").versionId("abc"))),
                400, "InvalidArgument");
        dest.headObject(b -> b.bucket("route-versions").key("k"));
        dest.deleteObject(b -> b.bucket("route-versions").key("k").versionId("null"));
        assertThrows(NoSuchKeyException.class, () -> dest.headObject(b -> b.bucket("route-versions").key("k")));
    }

    // ---- conditional writes ---------------------------------------------------------------------

    @Test
    void putObjectIfMatchWritesOnlyOverTheNamedObject() {
        dest.createBucket(b -> b.bucket("route-if-match"));
        String first = dest.putObject(b -> b.bucket("route-if-match").key("k"), RequestBody.fromString("one")).eTag();
        String second = dest.putObject(b -> b.bucket("route-if-match").key("k").ifMatch(first),
                RequestBody.fromString("two")).eTag();
        S3Exception stale = s3Error(() -> dest.putObject(b -> b.bucket("route-if-match").key("k").ifMatch(first),
                RequestBody.fromString("three")));
        assertError(stale, 412, "PreconditionFailed");
        assertEquals("two", dest.getObjectAsBytes(b -> b.bucket("route-if-match").key("k")).asUtf8String());
        dest.putObject(b -> b.bucket("route-if-match").key("k").ifMatch("*"), RequestBody.fromString("four"));
        assertEquals("four", dest.getObjectAsBytes(b -> b.bucket("route-if-match").key("k")).asUtf8String());
        assertFalse(second.equals(first));
        // On a key without an object If-Match is NoSuchKey, for '*' too, and nothing is written.
        assertError(s3Error(() -> dest.putObject(b -> b.bucket("route-if-match").key("missing").ifMatch("*"),
                RequestBody.fromString("x"))), 404, "NoSuchKey");
        assertError(s3Error(() -> dest.putObject(b -> b.bucket("route-if-match").key("missing").ifMatch(first),
                RequestBody.fromString("x"))), 404, "NoSuchKey");
        assertThrows(NoSuchKeyException.class, () -> dest.headObject(b -> b.bucket("route-if-match").key("missing")));
        assertError(s3Error(() -> dest.putObject(b -> b.bucket("route-if-match").key("k").ifNoneMatch("*"),
                RequestBody.fromString("x"))), 412, "PreconditionFailed");

        // CopyObject's conditions are about the object it replaces.
        dest.putObject(b -> b.bucket("route-if-match").key("src"), RequestBody.fromString("copied"));
        assertError(s3Error(() -> dest.copyObject(b -> b.sourceBucket("route-if-match").sourceKey("src")
                .destinationBucket("route-if-match").destinationKey("k").ifNoneMatch("*"))), 412, "PreconditionFailed");
        assertError(s3Error(() -> dest.copyObject(b -> b.sourceBucket("route-if-match").sourceKey("src")
                .destinationBucket("route-if-match").destinationKey("k").ifMatch(first))), 412, "PreconditionFailed");
        assertEquals("four", dest.getObjectAsBytes(b -> b.bucket("route-if-match").key("k")).asUtf8String());
        String current = dest.headObject(b -> b.bucket("route-if-match").key("k")).eTag();
        dest.copyObject(b -> b.sourceBucket("route-if-match").sourceKey("src").destinationBucket("route-if-match")
                .destinationKey("k").ifMatch(current));
        assertEquals("copied", dest.getObjectAsBytes(b -> b.bucket("route-if-match").key("k")).asUtf8String());
    }

    @Test
    void deleteObjectIfMatchDeletesOnlyTheNamedObject() {
        dest.createBucket(b -> b.bucket("route-delete-if"));
        String etag = dest.putObject(b -> b.bucket("route-delete-if").key("k"), RequestBody.fromString("x")).eTag();
        assertError(s3Error(() -> dest.deleteObject(b -> b.bucket("route-delete-if").key("k")
                .ifMatch("\"0123456789abcdef0123456789abcdef\""))), 412, "PreconditionFailed");
        dest.headObject(b -> b.bucket("route-delete-if").key("k"));
        assertError(s3Error(() -> dest.deleteObject(b -> b.bucket("route-delete-if").key("k").ifMatchSize(1L))), 501,
                "NotImplemented");
        assertError(s3Error(() -> dest.deleteObject(b -> b.bucket("route-delete-if").key("k")
                .ifMatchLastModifiedTime(java.time.Instant.now()))), 501, "NotImplemented");
        dest.headObject(b -> b.bucket("route-delete-if").key("k"));
        dest.deleteObject(b -> b.bucket("route-delete-if").key("k").ifMatch(etag));
        assertThrows(NoSuchKeyException.class, () -> dest.headObject(b -> b.bucket("route-delete-if").key("k")));
        assertError(s3Error(() -> dest.deleteObject(b -> b.bucket("route-delete-if").key("k").ifMatch("*"))), 404,
                "NoSuchKey");

        // DeleteObjects takes the same conditions per key, and a version id other than null deletes nothing.
        for (String key : List.of("a", "b", "c")) {
            dest.putObject(b -> b.bucket("route-delete-if").key(key), RequestBody.fromString(key));
        }
        String etagC = dest.headObject(b -> b.bucket("route-delete-if").key("c")).eTag();
        var result = dest.deleteObjects(b -> b.bucket("route-delete-if").delete(d -> d.objects(
                software.amazon.awssdk.services.s3.model.ObjectIdentifier.builder().key("a").versionId("abc").build(),
                software.amazon.awssdk.services.s3.model.ObjectIdentifier.builder().key("b")
                        .eTag("\"0123456789abcdef0123456789abcdef\"").build(),
                software.amazon.awssdk.services.s3.model.ObjectIdentifier.builder().key("c").eTag(etagC).build())));
        assertEquals(List.of("c"), result.deleted().stream().map(d -> d.key()).toList());
        assertEquals(Map.of("a", "InvalidArgument", "b", "PreconditionFailed"), result.errors().stream()
                .collect(java.util.stream.Collectors.toMap(e -> e.key(), e -> e.code())));
        dest.headObject(b -> b.bucket("route-delete-if").key("a"));
        dest.headObject(b -> b.bucket("route-delete-if").key("b"));
    }

    private static byte[] bytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** A two-part object: 5 MiB, then {@code tail} bytes. */
    private static String multipart(String bucket, String key, byte[] first, byte[] second,
                                    java.util.function.UnaryOperator<
                                            software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest.Builder>
                                            conditions) {
        String uploadId = dest.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        String e1 = dest.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(first)).eTag();
        String e2 = dest.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(2),
                RequestBody.fromBytes(second)).eTag();
        return dest.completeMultipartUpload(b -> conditions.apply(b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(e1).build(),
                        CompletedPart.builder().partNumber(2).eTag(e2).build())))).eTag();
    }

    @Test
    void completeMultipartUploadHonoursConditions() {
        dest.createBucket(b -> b.bucket("route-complete-if"));
        String existing = dest.putObject(b -> b.bucket("route-complete-if").key("k"), RequestBody.fromString("old"))
                .eTag();
        byte[] first = bytes(5 * 1024 * 1024, 1);
        byte[] second = bytes(10, 2);
        assertError(s3Error(() -> multipart("route-complete-if", "k", first, second, b -> b.ifNoneMatch("*"))), 412,
                "PreconditionFailed");
        assertError(s3Error(() -> multipart("route-complete-if", "k", first, second,
                b -> b.ifMatch("\"0123456789abcdef0123456789abcdef\""))), 412, "PreconditionFailed");
        assertEquals("old", dest.getObjectAsBytes(b -> b.bucket("route-complete-if").key("k")).asUtf8String());
        multipart("route-complete-if", "k", first, second, b -> b.ifMatch(existing));
        assertEquals(first.length + second.length,
                dest.headObject(b -> b.bucket("route-complete-if").key("k")).contentLength());
        multipart("route-complete-if", "new", first, second, b -> b.ifNoneMatch("*"));
    }

    // ---- partNumber -----------------------------------------------------------------------------

    @Test
    void partNumberReadsOnePart() {
        dest.createBucket(b -> b.bucket("route-parts"));
        byte[] first = bytes(5 * 1024 * 1024, 3);
        byte[] second = bytes(1000, 4);
        multipart("route-parts", "mp", first, second, b -> b);
        long total = first.length + second.length;

        ResponseBytes<GetObjectResponse> part1 = dest.getObjectAsBytes(b -> b.bucket("route-parts").key("mp")
                .partNumber(1));
        assertArrayEquals(first, part1.asByteArray());
        assertEquals(206, part1.response().sdkHttpResponse().statusCode());
        assertEquals(2, part1.response().partsCount());
        assertEquals("bytes 0-" + (first.length - 1) + "/" + total, part1.response().contentRange());
        ResponseBytes<GetObjectResponse> part2 = dest.getObjectAsBytes(b -> b.bucket("route-parts").key("mp")
                .partNumber(2));
        assertArrayEquals(second, part2.asByteArray());
        assertEquals("bytes " + first.length + "-" + (total - 1) + "/" + total, part2.response().contentRange());
        var head = dest.headObject(b -> b.bucket("route-parts").key("mp").partNumber(2));
        assertEquals(second.length, head.contentLength());
        assertEquals(2, head.partsCount());

        S3Exception beyond = s3Error(() -> dest.getObjectAsBytes(b -> b.bucket("route-parts").key("mp").partNumber(3)));
        assertError(beyond, 416, "InvalidPartNumber");
        assertEquals("The requested partnumber is not satisfiable", beyond.awsErrorDetails().errorMessage());
        assertError(s3Error(() -> dest.getObjectAsBytes(b -> b.bucket("route-parts").key("mp").partNumber(0))), 400,
                "InvalidArgument");
        assertError(s3Error(() -> dest.getObjectAsBytes(b -> b.bucket("route-parts").key("mp").partNumber(1)
                .range("bytes=0-1"))), 400, "InvalidRequest");

        // An object from one PUT is one part: part 1 is all of it, as a 206 with a Content-Range.
        dest.putObject(b -> b.bucket("route-parts").key("single"), RequestBody.fromString("whole"));
        ResponseBytes<GetObjectResponse> whole = dest.getObjectAsBytes(b -> b.bucket("route-parts").key("single")
                .partNumber(1));
        assertEquals("whole", whole.asUtf8String());
        assertEquals(206, whole.response().sdkHttpResponse().statusCode());
        assertEquals("bytes 0-4/5", whole.response().contentRange());
        assertNull(whole.response().partsCount());
        assertError(s3Error(() -> dest.getObjectAsBytes(b -> b.bucket("route-parts").key("single").partNumber(2))),
                416, "InvalidPartNumber");
        // Reading the parts one by one gives the object.
        byte[] joined = Arrays.copyOf(part1.asByteArray(), (int) total);
        System.arraycopy(part2.asByteArray(), 0, joined, first.length, second.length);
        assertArrayEquals(dest.getObjectAsBytes(b -> b.bucket("route-parts").key("mp")).asByteArray(), joined);
    }
}
