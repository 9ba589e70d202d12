package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * {@code crossrole state export|import} moves S3 with the rest: buckets and policies, objects with their bytes, uploads
 * in progress, versions (with their bytes) and delete markers, Object Lock.
 */
class S3StateExportTest {
    @TempDir
    Path dir;

    private static S3Client s3(CrossroleServer server) {
        Bootstrap.Profile p = server.profiles().stream().filter(x -> x.account().id().equals("555566667777")).findFirst()
                .orElseThrow();
        return S3Client.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(ApacheHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(),
                        p.secretAccessKey()))).build();
    }

    @Test
    void objectsAndTheirBytesMoveToAnotherDataDirectory() throws Exception {
        Path source = dir.resolve("source");
        byte[] large = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(large);
        String uploadId;
        String partEtag;
        String etag;
        String doneId;
        CompletedPart donePart;
        String completedEtag;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0))) {
            S3Client s3 = s3(server);
            s3.createBucket(b -> b.bucket("moved"));
            etag = s3.putObject(b -> b.bucket("moved").key("big.bin").contentType("application/x-test")
                    .metadata(Map.of("origin", "source")), RequestBody.fromBytes(large)).eTag();
            s3.putObject(b -> b.bucket("moved").key("small.txt"), RequestBody.fromString("small"));
            s3.putObjectTagging(b -> b.bucket("moved").key("small.txt").tagging(t -> t.tagSet(
                    Tag.builder().key("k").value("v").build())));
            uploadId = s3.createMultipartUpload(b -> b.bucket("moved").key("later")).uploadId();
            partEtag = s3.uploadPart(b -> b.bucket("moved").key("later").uploadId(uploadId).partNumber(1),
                    RequestBody.fromString("part one")).eTag();
            // A completed upload: its answer to a retried completion moves with the state.
            doneId = s3.createMultipartUpload(b -> b.bucket("moved").key("done")).uploadId();
            String doneEtag = s3.uploadPart(b -> b.bucket("moved").key("done").uploadId(doneId).partNumber(1),
                    RequestBody.fromString("done")).eTag();
            donePart = CompletedPart.builder().partNumber(1).eTag(doneEtag).build();
            completedEtag = s3.completeMultipartUpload(b -> b.bucket("moved").key("done").uploadId(doneId)
                    .multipartUpload(m -> m.parts(donePart))).eTag();
        }
        Path document = dir.resolve("state.json");
        Run exported = CrossroleCommand.run(dir, "state", "export", "--data-dir", source.toString(), document.toString());
        assertEquals(0, exported.exit(), exported.toString());
        assertTrue(exported.stderr().contains("exported the bytes of 4 S3 objects and parts"), exported.stderr());
        try (var files = Files.list(dir.resolve("state.json.blobs"))) {
            assertEquals(4, files.count());
        }

        Path target = dir.resolve("target");
        Run imported = CrossroleCommand.run(dir, "state", "import", "--data-dir", target.toString(), document.toString());
        assertEquals(0, imported.exit(), imported.toString());
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0))) {
            S3Client s3 = s3(server);
            var got = s3.getObjectAsBytes(b -> b.bucket("moved").key("big.bin"));
            assertArrayEquals(large, got.asByteArray());
            assertEquals(etag, got.response().eTag());
            assertEquals("application/x-test", got.response().contentType());
            assertEquals(Map.of("origin", "source"), got.response().metadata());
            assertEquals("small", s3.getObjectAsBytes(b -> b.bucket("moved").key("small.txt")).asUtf8String());
            assertEquals(List.of(Tag.builder().key("k").value("v").build()),
                    s3.getObjectTagging(b -> b.bucket("moved").key("small.txt")).tagSet());
            s3.completeMultipartUpload(b -> b.bucket("moved").key("later").uploadId(uploadId).multipartUpload(m -> m
                    .parts(CompletedPart.builder().partNumber(1).eTag(partEtag).build())));
            assertEquals("part one", s3.getObjectAsBytes(b -> b.bucket("moved").key("later")).asUtf8String());
            assertEquals(completedEtag, s3.completeMultipartUpload(b -> b.bucket("moved").key("done").uploadId(doneId)
                    .multipartUpload(m -> m.parts(donePart))).eTag());
        }
    }

    @Test
    void versionsAndDeleteMarkersMoveWithTheirBytes() throws Exception {
        Path source = dir.resolve("source");
        String v1;
        String marker;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0))) {
            S3Client s3 = s3(server);
            s3.createBucket(b -> b.bucket("versioned"));
            s3.putBucketVersioning(b -> b.bucket("versioned").versioningConfiguration(c -> c.status("Suspended")));
            s3.putObject(b -> b.bucket("versioned").key("k"), RequestBody.fromString("null version"));
            s3.putBucketVersioning(b -> b.bucket("versioned").versioningConfiguration(c -> c.status("Enabled")));
            v1 = s3.putObject(b -> b.bucket("versioned").key("k"), RequestBody.fromString("one")).versionId();
            marker = s3.deleteObject(b -> b.bucket("versioned").key("k")).versionId();
            // Ownership, ACL and Block Public Access are in the bucket's record and move with it.
            s3.putBucketOwnershipControls(b -> b.bucket("versioned").ownershipControls(c -> c.rules(r -> r
                    .objectOwnership("BucketOwnerPreferred"))));
            s3.putPublicAccessBlock(b -> b.bucket("versioned").publicAccessBlockConfiguration(c -> c
                    .ignorePublicAcls(true)));
            s3.putBucketAcl(b -> b.bucket("versioned").acl("authenticated-read"));
            // Object Lock is in the bucket's and the version's records and moves with them.
            s3.createBucket(b -> b.bucket("locked").objectLockEnabledForBucket(true));
            s3.putObject(b -> b.bucket("locked").key("k").objectLockLegalHoldStatus("ON"),
                    RequestBody.fromString("held"));
        }
        Path document = dir.resolve("state.json");
        Run exported = CrossroleCommand.run(dir, "state", "export", "--data-dir", source.toString(), document.toString());
        assertEquals(0, exported.exit(), exported.toString());
        assertTrue(exported.stderr().contains("exported the bytes of 3 S3 objects and parts"), exported.stderr());
        Path target = dir.resolve("target");
        Run imported = CrossroleCommand.run(dir, "state", "import", "--data-dir", target.toString(), document.toString());
        assertEquals(0, imported.exit(), imported.toString());
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0))) {
            S3Client s3 = s3(server);
            assertEquals("Enabled", s3.getBucketVersioning(b -> b.bucket("versioned")).statusAsString());
            assertEquals("BucketOwnerPreferred", s3.getBucketOwnershipControls(b -> b.bucket("versioned"))
                    .ownershipControls().rules().get(0).objectOwnershipAsString());
            assertTrue(s3.getPublicAccessBlock(b -> b.bucket("versioned")).publicAccessBlockConfiguration()
                    .ignorePublicAcls());
            assertEquals("http://acs.amazonaws.com/groups/global/AuthenticatedUsers", s3.getBucketAcl(b -> b
                    .bucket("versioned")).grants().get(1).grantee().uri());
            assertEquals("one", s3.getObjectAsBytes(b -> b.bucket("versioned").key("k").versionId(v1)).asUtf8String());
            assertEquals("null version", s3.getObjectAsBytes(b -> b.bucket("versioned").key("k").versionId("null"))
                    .asUtf8String());
            var listed = s3.listObjectVersions(b -> b.bucket("versioned"));
            assertEquals(List.of(marker), listed.deleteMarkers().stream().map(m -> m.versionId()).toList());
            assertEquals(List.of(v1, "null"), listed.versions().stream().map(v -> v.versionId()).toList());
            assertEquals("Enabled", s3.getObjectLockConfiguration(b -> b.bucket("locked")).objectLockConfiguration()
                    .objectLockEnabledAsString());
            assertEquals("ON", s3.getObjectLegalHold(b -> b.bucket("locked").key("k")).legalHold().statusAsString());
        }
    }

    @Test
    void anObjectWithoutItsBytesIsNamedAndTheExportFails() throws Exception {
        Path source = dir.resolve("source");
        String blob;
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0))) {
            S3Client s3 = s3(server);
            s3.createBucket(b -> b.bucket("damaged"));
            s3.putObject(b -> b.bucket("damaged").key("kept.txt"), RequestBody.fromString("kept"));
            s3.putObject(b -> b.bucket("damaged").key("lost.txt"), RequestBody.fromString("lost"));
        }
        try (var files = Files.list(source.resolve("s3/blobs"))) {
            List<Path> blobs = files.toList();
            assertEquals(2, blobs.size());
            // Remove the blob of lost.txt: the one whose content is "lost".
            Path lost = blobs.stream().filter(p -> {
                try {
                    return Files.readString(p).equals("lost");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).findFirst().orElseThrow();
            blob = lost.getFileName().toString();
            Files.delete(lost);
        }
        Path document = dir.resolve("state.json");
        Run exported = CrossroleCommand.run(dir, "state", "export", "--data-dir", source.toString(), document.toString());
        assertEquals(2, exported.exit(), exported.toString());
        assertTrue(exported.stderr().contains("1 S3 objects have no bytes in") && exported.stderr().contains("damaged/lost.txt"),
                exported.stderr());
        assertTrue(!Files.exists(dir.resolve("state.json.blobs").resolve(blob)));

        Run toStdout = CrossroleCommand.run(dir, "state", "export", "--data-dir", source.toString(), "-");
        assertEquals(0, toStdout.exit(), toStdout.stderr());
        assertTrue(toStdout.stderr().contains("the bytes of 2 S3 objects and parts were not exported"), toStdout.stderr());
    }

    @Test
    void bytesMoveIntoAPostgresStoreAndOutOfIt() throws Exception {
        Path source = dir.resolve("source");
        byte[] large = new byte[2 * 1024 * 1024 + 9];
        new Random(8).nextBytes(large);
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0))) {
            S3Client s3 = s3(server);
            s3.createBucket(b -> b.bucket("moved"));
            s3.putObject(b -> b.bucket("moved").key("big.bin"), RequestBody.fromBytes(large));
        }
        Path document = dir.resolve("state.json");
        assertEquals(0, CrossroleCommand.run(dir, "state", "export", "--data-dir", source.toString(),
                document.toString()).exit());
        try (SharedPostgres.Database database = SharedPostgres.newDatabase("crossrole_moved")) {
            String store = database.store();
            Run imported = CrossroleCommand.run(dir, "state", "import", "--data-dir", dir.resolve("importer").toString(),
                    "--store", store, document.toString());
            assertEquals(0, imported.exit(), imported.toString());
            assertTrue(imported.stderr().contains("copied the bytes of 1 S3 objects and parts"), imported.stderr());
            try (java.sql.Connection c = database.connect();
                 java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet rows = s.executeQuery("SELECT sum(length(data)) FROM crossrole.s3_blob_chunks")) {
                rows.next();
                assertEquals(large.length, rows.getLong(1), "the bytes are rows of the database");
            }
            try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("node"))
                    .withPort(0).withStore(store))) {
                assertArrayEquals(large, s3(server).getObjectAsBytes(b -> b.bucket("moved").key("big.bin")).asByteArray());
            }
            Path again = dir.resolve("again.json");
            Run exported = CrossroleCommand.run(dir, "state", "export", "--data-dir", dir.resolve("exporter").toString(),
                    "--store", store, again.toString());
            assertEquals(0, exported.exit(), exported.toString());
            try (var files = Files.list(dir.resolve("again.json.blobs"))) {
                List<Path> all = files.toList();
                assertEquals(1, all.size());
                assertArrayEquals(large, Files.readAllBytes(all.get(0)));
            }
        }
    }

    @Test
    void objectAclsAndBucketConfigurationsMoveWithTheBucket() throws Exception {
        Path source = dir.resolve("acl-source");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0))) {
            S3Client s3 = s3(server);
            s3.createBucket(b -> b.bucket("aclled").objectOwnership("BucketOwnerPreferred"));
            String own = s3.listBuckets().owner().id();
            s3.putObject(b -> b.bucket("aclled").key("k").grantReadACP("id=" + own), RequestBody.fromString("k"));
            s3.putBucketWebsite(b -> b.bucket("aclled").websiteConfiguration(w -> w.redirectAllRequestsTo(r -> r
                    .hostName("example.com"))));
            s3.putBucketNotificationConfiguration(b -> b.bucket("aclled").notificationConfiguration(n -> n
                    .eventBridgeConfiguration(e -> { })));
        }
        Path document = dir.resolve("acl-state.json");
        Run exported = CrossroleCommand.run(dir, "state", "export", "--data-dir", source.toString(),
                document.toString());
        assertEquals(0, exported.exit(), exported.toString());
        Path target = dir.resolve("acl-target");
        Run imported = CrossroleCommand.run(dir, "state", "import", "--data-dir", target.toString(),
                document.toString());
        assertEquals(0, imported.exit(), imported.toString());
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0))) {
            S3Client s3 = s3(server);
            var grants = s3.getObjectAcl(b -> b.bucket("aclled").key("k")).grants();
            assertEquals(1, grants.size());
            assertEquals("READ_ACP", grants.get(0).permissionAsString());
            assertEquals("example.com", s3.getBucketWebsite(b -> b.bucket("aclled")).redirectAllRequestsTo()
                    .hostName());
            assertTrue(s3.getBucketNotificationConfiguration(b -> b.bucket("aclled")).eventBridgeConfiguration()
                    != null);
        }
    }

    @Test
    void corsAndLifecycleRulesMoveWithTheBucket() throws Exception {
        Path source = dir.resolve("source");
        var cors = software.amazon.awssdk.services.s3.model.CORSRule.builder().allowedOrigins("*")
                .allowedMethods("GET", "HEAD").exposeHeaders("ETag").build();
        var rule = software.amazon.awssdk.services.s3.model.LifecycleRule.builder().id("old").status("Enabled")
                .filter(f -> f.and(a -> a.prefix("logs/").tags(Tag.builder().key("k").value("v").build())))
                .noncurrentVersionExpiration(n -> n.noncurrentDays(3).newerNoncurrentVersions(2))
                .transitions(t -> t.date(java.time.Instant.parse("2027-01-01T00:00:00Z")).storageClass("GLACIER"))
                .build();
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(source).withPort(0))) {
            S3Client s3 = s3(server);
            s3.createBucket(b -> b.bucket("ruled"));
            s3.putBucketCors(b -> b.bucket("ruled").corsConfiguration(c -> c.corsRules(cors)));
            s3.putBucketLifecycleConfiguration(b -> b.bucket("ruled").lifecycleConfiguration(c -> c.rules(rule)));
        }
        Path document = dir.resolve("state.json");
        Run exported = CrossroleCommand.run(dir, "state", "export", "--data-dir", source.toString(),
                document.toString());
        assertEquals(0, exported.exit(), exported.toString());
        Path target = dir.resolve("target");
        Run imported = CrossroleCommand.run(dir, "state", "import", "--data-dir", target.toString(),
                document.toString());
        assertEquals(0, imported.exit(), imported.toString());
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(target).withPort(0))) {
            S3Client s3 = s3(server);
            assertEquals(List.of(cors), s3.getBucketCors(b -> b.bucket("ruled")).corsRules());
            assertEquals(List.of(rule), s3.getBucketLifecycleConfiguration(b -> b.bucket("ruled")).rules());
        }
    }
}
