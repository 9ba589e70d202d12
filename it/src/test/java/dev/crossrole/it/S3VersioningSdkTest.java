package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * S3 versioning through the SDK for Java v2: the bucket's versioning configuration and what S3 refuses of it, version
 * ids on every write, the null version of unversioned and suspended writes, delete markers, reads, tags, copies and
 * deletes of one version, ListObjectVersions and its pages, DeleteObjects by version, and the version actions a
 * bucket policy of another account decides (with an old SSE-KMS version asking {@code kms:Decrypt} of its own key).
 */
class S3VersioningSdkTest {
    static TestCrossrole crossrole;
    static S3Client owner;
    static final String READER = "arn:aws:iam::" + SOURCE + ":role/version-reader";

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.createRole(r -> r.roleName("version-reader").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}"));
            // Its own account lets it do everything a reader might: the bucket's owner decides.
            iam.putRolePolicy(r -> r.roleName("version-reader").policyName("read").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\","
                            + "\"s3:GetObjectVersion\",\"s3:ListBucket\",\"kms:Decrypt\"],\"Resource\":\"*\"}]}"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        owner.close();
        crossrole.close();
    }

    private static void versioned(String bucket) {
        owner.createBucket(r -> r.bucket(bucket));
        owner.putBucketVersioning(r -> r.bucket(bucket).versioningConfiguration(c -> c
                .status(BucketVersioningStatus.ENABLED)));
    }

    private static String read(String bucket, String key, String versionId) {
        return owner.getObjectAsBytes(r -> r.bucket(bucket).key(key).versionId(versionId)).asUtf8String();
    }

    private static String put(String bucket, String key, String body) {
        return owner.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromString(body)).versionId();
    }

    private static String header(AwsServiceException e, String name) {
        return e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader(name).orElse(null);
    }

    /** Every version and delete marker of a bucket, page by page, as key@versionId (markers as key@versionId!). */
    private static List<String> allVersions(String bucket, int pageSize) {
        List<String> seen = new ArrayList<>();
        String keyMarker = null;
        String versionMarker = null;
        while (true) {
            String k = keyMarker;
            String v = versionMarker;
            ListObjectVersionsResponse page = owner.listObjectVersions(r -> r.bucket(bucket).maxKeys(pageSize)
                    .keyMarker(k).versionIdMarker(v));
            List<Map.Entry<String, String>> entries = new ArrayList<>();
            page.versions().forEach(x -> entries.add(Map.entry(x.key() + "@" + x.versionId(), "")));
            page.deleteMarkers().forEach(x -> entries.add(Map.entry(x.key() + "@" + x.versionId() + "!", "")));
            assertTrue(entries.size() <= pageSize);
            entries.forEach(e -> seen.add(e.getKey()));
            if (!page.isTruncated()) {
                return seen;
            }
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        }
    }

    @Test
    void getObjectAttributesReadsTheVersionItNames() {
        owner.createBucket(r -> r.bucket("ver-attributes"));
        owner.putBucketVersioning(r -> r.bucket("ver-attributes").versioningConfiguration(c -> c
                .status(BucketVersioningStatus.ENABLED)));
        String first = put("ver-attributes", "k", "four");
        String second = put("ver-attributes", "k", "eight ch");
        var current = owner.getObjectAttributes(r -> r.bucket("ver-attributes").key("k")
                .objectAttributes(software.amazon.awssdk.services.s3.model.ObjectAttributes.OBJECT_SIZE));
        assertEquals(8L, current.objectSize());
        assertEquals(second, current.versionId());
        var old = owner.getObjectAttributes(r -> r.bucket("ver-attributes").key("k").versionId(first)
                .objectAttributes(software.amazon.awssdk.services.s3.model.ObjectAttributes.OBJECT_SIZE));
        assertEquals(4L, old.objectSize());
        assertEquals(first, old.versionId());
        String marker = owner.deleteObject(r -> r.bucket("ver-attributes").key("k")).versionId();
        assertError(405, "MethodNotAllowed", null, () -> owner.getObjectAttributes(r -> r.bucket("ver-attributes").key("k")
                .versionId(marker).objectAttributes(software.amazon.awssdk.services.s3.model.ObjectAttributes.E_TAG)));
    }

    @Test
    void theConfigurationIsPutReadBackAndNeverUnversionedAgain() {
        owner.createBucket(r -> r.bucket("ver-config"));
        var never = owner.getBucketVersioning(r -> r.bucket("ver-config"));
        assertNull(never.status(), "a never-versioned bucket answers an empty configuration");
        assertNull(never.mfaDelete());
        // What S3 refuses changes nothing.
        assertError(400, "MalformedXML", null, () -> owner.putBucketVersioning(r -> r.bucket("ver-config")
                .versioningConfiguration(c -> c.status("Disabled"))));
        assertError(400, "IllegalVersioningConfigurationException", null, () -> owner.putBucketVersioning(r -> r
                .bucket("ver-config").versioningConfiguration(c -> { })));
        assertError(400, "MalformedXML", null, () -> owner.putBucketVersioning(r -> r.bucket("ver-config")
                .versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED).mfaDelete("Disabled"))));
        assertError(403, "AccessDenied", "Mfa Authentication must be used for this request", () -> owner
                .putBucketVersioning(r -> r.bucket("ver-config").versioningConfiguration(c -> c
                        .status(BucketVersioningStatus.ENABLED).mfaDelete("Enabled"))));
        assertError(501, "NotImplemented", null, () -> owner.putBucketVersioning(r -> r.bucket("ver-config")
                .mfa("arn:aws:iam::" + DESTINATION + ":mfa/root 123456").versioningConfiguration(c -> c
                        .status(BucketVersioningStatus.ENABLED).mfaDelete("Enabled"))));
        assertNull(owner.getBucketVersioning(r -> r.bucket("ver-config")).status());
        assertNull(put("ver-config", "k", "unversioned"), "an unversioned write names no version");

        owner.putBucketVersioning(r -> r.bucket("ver-config").versioningConfiguration(c -> c
                .status(BucketVersioningStatus.ENABLED)));
        assertEquals(BucketVersioningStatus.ENABLED, owner.getBucketVersioning(r -> r.bucket("ver-config")).status());
        owner.putBucketVersioning(r -> r.bucket("ver-config").versioningConfiguration(c -> c
                .status(BucketVersioningStatus.SUSPENDED)));
        assertEquals(BucketVersioningStatus.SUSPENDED, owner.getBucketVersioning(r -> r.bucket("ver-config"))
                .status());
        assertError(400, "MalformedXML", null, () -> owner.putBucketVersioning(r -> r.bucket("ver-config")
                .versioningConfiguration(c -> c.status("enabled"))));
        assertEquals(BucketVersioningStatus.SUSPENDED, owner.getBucketVersioning(r -> r.bucket("ver-config"))
                .status());
        // The object written before versioning is the null version.
        assertEquals("unversioned", read("ver-config", "k", "null"));
    }

    @Test
    void everyWriteIsAVersionThatKeepsWhatAnObjectHas() {
        versioned("ver-writes");
        var first = owner.putObject(r -> r.bucket("ver-writes").key("doc").contentType("text/plain")
                .metadata(Map.of("edition", "1")).tagging("stage=draft").checksumAlgorithm(ChecksumAlgorithm.SHA256),
                RequestBody.fromString("first"));
        String v1 = first.versionId();
        String v2 = owner.putObject(r -> r.bucket("ver-writes").key("doc").contentType("text/markdown")
                .metadata(Map.of("edition", "2")), RequestBody.fromString("second")).versionId();
        assertTrue(v1 != null && v1.length() == 32, v1);
        assertNotEquals(v1, v2);

        var current = owner.getObject(r -> r.bucket("ver-writes").key("doc"));
        assertEquals(v2, current.response().versionId());
        assertEquals("text/markdown", current.response().contentType());
        var old = owner.getObject(r -> r.bucket("ver-writes").key("doc").versionId(v1)
                .checksumMode(ChecksumMode.ENABLED));
        assertEquals(v1, old.response().versionId());
        assertEquals("text/plain", old.response().contentType());
        assertEquals(Map.of("edition", "1"), old.response().metadata());
        assertEquals(first.checksumSHA256(), old.response().checksumSHA256());
        assertEquals(1, old.response().tagCount());
        assertEquals("first", read("ver-writes", "doc", v1));
        assertEquals(v1, owner.headObject(r -> r.bucket("ver-writes").key("doc").versionId(v1)).versionId());

        // Tags of one version, with the version actions.
        var tags = owner.getObjectTagging(r -> r.bucket("ver-writes").key("doc").versionId(v1));
        assertEquals(v1, tags.versionId());
        assertEquals(List.of(Tag.builder().key("stage").value("draft").build()), tags.tagSet());
        assertEquals(v1, owner.putObjectTagging(r -> r.bucket("ver-writes").key("doc").versionId(v1)
                .tagging(t -> t.tagSet(Tag.builder().key("stage").value("final").build()))).versionId());
        assertEquals("final", owner.getObjectTagging(r -> r.bucket("ver-writes").key("doc").versionId(v1)).tagSet()
                .get(0).value());
        assertTrue(owner.getObjectTagging(r -> r.bucket("ver-writes").key("doc")).tagSet().isEmpty(),
                "the current version keeps its own tags");
        owner.deleteObjectTagging(r -> r.bucket("ver-writes").key("doc").versionId(v1));
        assertTrue(owner.getObjectTagging(r -> r.bucket("ver-writes").key("doc").versionId(v1)).tagSet().isEmpty());

        // Listings: ListObjectsV2 shows the current version, ListObjectVersions both.
        assertEquals(List.of("doc"), owner.listObjectsV2(r -> r.bucket("ver-writes")).contents().stream()
                .map(S3Object::key).toList());
        var versions = owner.listObjectVersions(r -> r.bucket("ver-writes")).versions();
        assertEquals(List.of(v2, v1), versions.stream().map(ObjectVersion::versionId).toList());
        assertEquals(List.of(true, false), versions.stream().map(ObjectVersion::isLatest).toList());
        assertEquals(List.of(6L, 5L), versions.stream().map(ObjectVersion::size).toList());

        // A multipart upload completes into a version.
        String uploadId = owner.createMultipartUpload(r -> r.bucket("ver-writes").key("doc")).uploadId();
        String etag = owner.uploadPart(r -> r.bucket("ver-writes").key("doc").uploadId(uploadId).partNumber(1),
                RequestBody.fromString("third")).eTag();
        String v3 = owner.completeMultipartUpload(r -> r.bucket("ver-writes").key("doc").uploadId(uploadId)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(etag)))).versionId();
        assertNotEquals(null, v3);
        assertEquals("third", read("ver-writes", "doc", null));
        assertEquals(3, owner.listObjectVersions(r -> r.bucket("ver-writes")).versions().size());
    }

    @Test
    void deleteMarkersHideAKeyUntilTheyAreDeleted() {
        versioned("ver-markers");
        String v1 = put("ver-markers", "k", "kept");
        var deleted = owner.deleteObject(r -> r.bucket("ver-markers").key("k"));
        assertTrue(deleted.deleteMarker());
        String marker = deleted.versionId();
        assertNotEquals(v1, marker);

        AwsServiceException hidden = assertError(404, "NoSuchKey", null, () -> read("ver-markers", "k", null));
        assertEquals("true", header(hidden, "x-amz-delete-marker"));
        assertEquals(marker, header(hidden, "x-amz-version-id"));
        AwsServiceException head = org.junit.jupiter.api.Assertions.assertThrows(AwsServiceException.class,
                () -> owner.headObject(r -> r.bucket("ver-markers").key("k")));
        assertEquals(404, head.statusCode());
        assertEquals("true", header(head, "x-amz-delete-marker"));
        AwsServiceException byId = assertError(405, "MethodNotAllowed", null, () -> read("ver-markers", "k", marker));
        assertEquals("true", header(byId, "x-amz-delete-marker"));
        assertTrue(header(byId, "Last-Modified") != null);
        assertEquals("kept", read("ver-markers", "k", v1), "the versions under a delete marker stay readable");
        assertTrue(owner.listObjectsV2(r -> r.bucket("ver-markers")).contents().isEmpty());
        var listed = owner.listObjectVersions(r -> r.bucket("ver-markers"));
        assertEquals(List.of(marker), listed.deleteMarkers().stream().map(DeleteMarkerEntry::versionId).toList());
        assertTrue(listed.deleteMarkers().get(0).isLatest());
        assertFalse(listed.versions().get(0).isLatest());

        // A bucket with versions is not empty.
        assertError(409, "BucketNotEmpty", null, () -> owner.deleteBucket(r -> r.bucket("ver-markers")));

        // Deleting the delete marker brings the object back; deleting a version deletes it for good.
        var unmarked = owner.deleteObject(r -> r.bucket("ver-markers").key("k").versionId(marker));
        assertTrue(unmarked.deleteMarker());
        assertEquals(marker, unmarked.versionId());
        assertEquals("kept", read("ver-markers", "k", null));
        owner.deleteObject(r -> r.bucket("ver-markers").key("k").versionId(v1));
        assertError(404, "NoSuchVersion", "The specified version does not exist.", () -> read("ver-markers", "k", v1));
        assertError(404, "NoSuchKey", null, () -> read("ver-markers", "k", null));
        // A version that is no more is deleted again without complaint, as S3 answers it.
        assertEquals(v1, owner.deleteObject(r -> r.bucket("ver-markers").key("k").versionId(v1)).versionId());
        // Ids that cannot be version ids are 400.
        assertError(400, "InvalidArgument", "Invalid version id specified", () -> read("ver-markers", "k", "abc"));
        assertError(400, "InvalidArgument", null, () -> owner.deleteObject(r -> r.bucket("ver-markers").key("k")
                .versionId(v1.substring(0, 31) + (v1.endsWith("A") ? "B" : "A"))));
        owner.deleteBucket(r -> r.bucket("ver-markers"));
    }

    @Test
    void aSuspendedBucketWritesTheNullVersionAndKeepsTheOthers() {
        owner.createBucket(r -> r.bucket("ver-suspended"));
        put("ver-suspended", "k", "before");
        owner.putBucketVersioning(r -> r.bucket("ver-suspended").versioningConfiguration(c -> c
                .status(BucketVersioningStatus.ENABLED)));
        String v1 = put("ver-suspended", "k", "enabled");
        owner.putBucketVersioning(r -> r.bucket("ver-suspended").versioningConfiguration(c -> c
                .status(BucketVersioningStatus.SUSPENDED)));
        assertNull(put("ver-suspended", "k", "suspended 1"), "S3 names no version for a suspended write");
        put("ver-suspended", "k", "suspended 2");
        assertEquals("suspended 2", read("ver-suspended", "k", "null"));
        assertEquals("null", owner.headObject(r -> r.bucket("ver-suspended").key("k")).versionId());
        assertEquals(List.of("k@null", "k@" + v1), allVersions("ver-suspended", 10),
                "each suspended write replaced the null version; the enabled one stays");
        var marker = owner.deleteObject(r -> r.bucket("ver-suspended").key("k"));
        assertTrue(marker.deleteMarker());
        assertEquals("null", marker.versionId());
        assertEquals(List.of("k@null!", "k@" + v1), allVersions("ver-suspended", 1));
        assertEquals("enabled", read("ver-suspended", "k", v1));
    }

    @Test
    void copiesReadTheVersionTheyName() {
        versioned("ver-copies");
        String v1 = put("ver-copies", "k", "one");
        put("ver-copies", "k", "two");
        var copy = owner.copyObject(r -> r.sourceBucket("ver-copies").sourceKey("k").sourceVersionId(v1)
                .destinationBucket("ver-copies").destinationKey("copy"));
        assertEquals(v1, copy.copySourceVersionId());
        assertNotEquals(null, copy.versionId());
        assertEquals("one", read("ver-copies", "copy", null));
        // Copying an old version onto its own key restores it as a new version.
        var restored = owner.copyObject(r -> r.sourceBucket("ver-copies").sourceKey("k").sourceVersionId(v1)
                .destinationBucket("ver-copies").destinationKey("k"));
        assertEquals("one", read("ver-copies", "k", null));
        assertEquals(restored.versionId(), owner.headObject(r -> r.bucket("ver-copies").key("k")).versionId());

        String marker = owner.deleteObject(r -> r.bucket("ver-copies").key("gone")).versionId();
        assertError(400, "InvalidRequest", null, () -> owner.copyObject(r -> r.sourceBucket("ver-copies")
                .sourceKey("gone").sourceVersionId(marker).destinationBucket("ver-copies").destinationKey("x")));
        assertError(404, "NoSuchKey", null, () -> owner.copyObject(r -> r.sourceBucket("ver-copies").sourceKey("gone")
                .destinationBucket("ver-copies").destinationKey("x")));

        String uploadId = owner.createMultipartUpload(r -> r.bucket("ver-copies").key("parts")).uploadId();
        var part = owner.uploadPartCopy(r -> r.sourceBucket("ver-copies").sourceKey("k").sourceVersionId(v1)
                .destinationBucket("ver-copies").destinationKey("parts").uploadId(uploadId).partNumber(1));
        assertEquals(v1, part.copySourceVersionId());
        owner.completeMultipartUpload(r -> r.bucket("ver-copies").key("parts").uploadId(uploadId)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(part.copyPartResult().eTag()))));
        assertEquals("one", read("ver-copies", "parts", null));
    }

    @Test
    void listObjectVersionsPagesByKeyAndVersionMarkers() {
        versioned("ver-pages");
        List<String> expected = new ArrayList<>();
        for (String key : List.of("a/1", "a/2", "b", "c d")) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(0, key + "@" + put("ver-pages", key, key + i));
            }
            expected.addAll(ids);
        }
        String marker = owner.deleteObject(r -> r.bucket("ver-pages").key("b")).versionId();
        int newestOfB = 0;
        while (!expected.get(newestOfB).startsWith("b@")) {
            newestOfB++;
        }
        expected.add(newestOfB, "b@" + marker + "!");
        for (int pageSize : new int[] {1, 2, 5, 1000}) {
            List<String> seen = allVersions("ver-pages", pageSize);
            // Within a page versions and markers are listed apart; order them as the listing did by key and id.
            assertEquals(expected.stream().sorted().toList(), seen.stream().sorted().toList(), "page size " + pageSize);
        }
        assertEquals(expected, allVersions("ver-pages", 1), "one by one, newest first within each key");

        var top = owner.listObjectVersions(r -> r.bucket("ver-pages").delimiter("/"));
        assertEquals(List.of("a/"), top.commonPrefixes().stream().map(p -> p.prefix()).toList());
        assertEquals(List.of("b", "c d"), top.versions().stream().map(ObjectVersion::key).distinct().toList());
        var pagedPrefixes = owner.listObjectVersions(r -> r.bucket("ver-pages").delimiter("/").maxKeys(1));
        assertTrue(pagedPrefixes.isTruncated());
        assertEquals("a/", pagedPrefixes.nextKeyMarker());
        var after = owner.listObjectVersions(r -> r.bucket("ver-pages").delimiter("/").keyMarker("a/"));
        assertTrue(after.commonPrefixes().isEmpty());
        var inA = owner.listObjectVersions(r -> r.bucket("ver-pages").prefix("a/"));
        assertEquals(6, inA.versions().size());
        var encoded = owner.listObjectVersions(r -> r.bucket("ver-pages").prefix("c").encodingType("url"));
        assertEquals(List.of("c d"), encoded.versions().stream().map(ObjectVersion::key).distinct().toList(),
                "the SDK decodes the keys it asked to be URL-encoded");
        assertError(400, "InvalidArgument", "A version-id marker cannot be specified without a key marker.",
                () -> owner.listObjectVersions(r -> r.bucket("ver-pages").versionIdMarker(marker)));
    }

    @Test
    void deleteObjectsDeletesVersionsAndMakesDeleteMarkers() {
        versioned("ver-batch");
        String a1 = put("ver-batch", "a", "a1");
        put("ver-batch", "a", "a2");
        put("ver-batch", "b", "b1");
        var result = owner.deleteObjects(r -> r.bucket("ver-batch").delete(d -> d.objects(
                ObjectIdentifier.builder().key("a").versionId(a1).build(),
                ObjectIdentifier.builder().key("b").build(),
                ObjectIdentifier.builder().key("c").versionId("not-a-version").build())));
        Map<String, DeletedObject> deleted = result.deleted().stream()
                .collect(Collectors.toMap(DeletedObject::key, d -> d));
        assertEquals(a1, deleted.get("a").versionId());
        assertNull(deleted.get("a").deleteMarker());
        assertTrue(deleted.get("b").deleteMarker());
        String markerB = deleted.get("b").deleteMarkerVersionId();
        assertNotEquals(null, markerB);
        assertEquals(List.of("InvalidArgument"), result.errors().stream().map(e -> e.code()).toList());
        assertError(404, "NoSuchVersion", null, () -> read("ver-batch", "a", a1));
        assertError(404, "NoSuchKey", null, () -> read("ver-batch", "b", null));
        // Deleting the marker by its id says it was one.
        var again = owner.deleteObjects(r -> r.bucket("ver-batch").delete(d -> d.objects(
                ObjectIdentifier.builder().key("b").versionId(markerB).build())));
        assertTrue(again.deleted().get(0).deleteMarker());
        assertEquals(markerB, again.deleted().get(0).deleteMarkerVersionId());
        assertEquals("b1", read("ver-batch", "b", null));
    }

    @Test
    void anotherAccountReadsTheCurrentVersionButNotAnOldOneUnlessTheBucketPolicySaysSo() throws Exception {
        versioned("ver-shared");
        String v1 = put("ver-shared", "report", "old");
        put("ver-shared", "report", "new");
        String allowGetObject = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                + "{\"AWS\":\"" + READER + "\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::ver-shared/*\"}]}";
        owner.putBucketPolicy(r -> r.bucket("ver-shared").policy(allowGetObject));
        software.amazon.awssdk.services.sts.model.Credentials session;
        try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
            session = sts.assumeRole(r -> r.roleArn(READER).roleSessionName("reader")).credentials();
        }
        try (S3Client reader = S3Sdk.pathStyle(crossrole, TestCrossrole.session(session))) {
            assertEquals("new", reader.getObjectAsBytes(r -> r.bucket("ver-shared").key("report")).asUtf8String());
            AwsServiceException denied = assertError(403, "AccessDenied", null, () -> reader.getObjectAsBytes(r -> r
                    .bucket("ver-shared").key("report").versionId(v1)));
            assertTrue(crossrole.recorded(denied.requestId()).action().equals("s3:GetObjectVersion"),
                    crossrole.recorded(denied.requestId()).toString());
            assertEquals(403, org.junit.jupiter.api.Assertions.assertThrows(AwsServiceException.class,
                    () -> reader.headObject(r -> r.bucket("ver-shared").key("report").versionId(v1))).statusCode());

            owner.putBucketPolicy(r -> r.bucket("ver-shared").policy(allowGetObject.replace("\"s3:GetObject\"",
                    "[\"s3:GetObject\",\"s3:GetObjectVersion\"]")));
            assertEquals("old", reader.getObjectAsBytes(r -> r.bucket("ver-shared").key("report").versionId(v1))
                    .asUtf8String());

            // An old SSE-KMS version asks kms:Decrypt of its own key, which the key's policy keeps to its account.
            try (KmsClient kms = KmsSdkTest.client(crossrole, crossrole.adminCredentials(DESTINATION))) {
                String keyArn = kms.createKey(r -> { }).keyMetadata().arn();
                String sealed = owner.putObject(r -> r.bucket("ver-shared").key("sealed")
                        .serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(keyArn),
                        RequestBody.fromString("sealed")).versionId();
                put("ver-shared", "sealed", "open");
                assertEquals("open", reader.getObjectAsBytes(r -> r.bucket("ver-shared").key("sealed"))
                        .asUtf8String());
                AwsServiceException kmsDenied = assertError(403, "AccessDenied", null, () -> reader
                        .getObjectAsBytes(r -> r.bucket("ver-shared").key("sealed").versionId(sealed)));
                assertEquals("kms:Decrypt", crossrole.recorded(kmsDenied.requestId()).action());
                assertEquals("sealed", owner.getObjectAsBytes(r -> r.bucket("ver-shared").key("sealed")
                        .versionId(sealed)).asUtf8String());
            }
        }
    }
}
