package dev.crossrole.it;

import static dev.crossrole.it.Docs.trustAws;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static dev.crossrole.it.TestCrossrole.rootArn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * S3 with the real {@code aws} command: {@code aws s3 cp/ls/rm} (multipart above the 8 MiB threshold),
 * {@code aws s3api} (versions and delete markers, Object Lock too), and the walkthrough's cross-account read through a
 * {@code role_arn} profile.
 */
class S3CliTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static TestCrossrole crossrole;
    private static Path work;
    private static Path config;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        work = Files.createTempDirectory("crossrole-s3-cli");
        String read = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\","
                + "\"s3:ListBucket\"],\"Resource\":[\"arn:aws:s3:::cli-destination\",\"arn:aws:s3:::cli-destination/*\"]}]}";
        crossrole.role(DESTINATION, "destination-account-role", trustAws(rootArn(SOURCE)), read);
        config = work.resolve("config");
        Files.writeString(config, "[profile cross-account]\nrole_arn = arn:aws:iam::" + DESTINATION
                + ":role/destination-account-role\nsource_profile = source\nregion = us-east-1\n");
    }

    @AfterAll
    static void stop() throws Exception {
        crossrole.close();
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Run aws(String... args) throws Exception {
        return AwsCli.run(crossrole, work, work, config, Map.of(), args);
    }

    private static void ok(Run run) {
        assertEquals(0, run.exit(), run.toString());
    }

    @Test
    void ownershipAclAndPublicAccessBlock() throws Exception {
        ok(aws("s3api", "create-bucket", "--bucket", "cli-acl", "--object-ownership", "ObjectWriter",
                "--profile", "destination"));
        assertEquals("ObjectWriter", AwsCli.ok(aws("s3api", "get-bucket-ownership-controls", "--bucket", "cli-acl",
                "--profile", "destination")).path("OwnershipControls").path("Rules").path(0).path("ObjectOwnership")
                .asText());
        // Block Public Access is on for a new bucket: a public ACL is refused until it is relaxed.
        Run blocked = aws("s3api", "put-bucket-acl", "--bucket", "cli-acl", "--acl", "public-read",
                "--profile", "destination");
        assertNotEquals(0, blocked.exit(), blocked.toString());
        assertTrue(blocked.stderr().contains("AccessDenied"), blocked.toString());
        ok(aws("s3api", "put-public-access-block", "--bucket", "cli-acl", "--public-access-block-configuration",
                "BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=true,RestrictPublicBuckets=true",
                "--profile", "destination"));
        JsonNode block = AwsCli.ok(aws("s3api", "get-public-access-block", "--bucket", "cli-acl",
                "--profile", "destination")).path("PublicAccessBlockConfiguration");
        assertEquals("false", block.path("BlockPublicAcls").asText());
        assertEquals("true", block.path("BlockPublicPolicy").asText());
        ok(aws("s3api", "put-bucket-acl", "--bucket", "cli-acl", "--acl", "public-read", "--profile", "destination"));
        JsonNode acl = AwsCli.ok(aws("s3api", "get-bucket-acl", "--bucket", "cli-acl", "--profile", "destination"));
        assertEquals("FULL_CONTROL", acl.path("Grants").path(0).path("Permission").asText());
        assertEquals("http://acs.amazonaws.com/groups/global/AllUsers", acl.path("Grants").path(1).path("Grantee")
                .path("URI").asText());
        assertEquals("READ", acl.path("Grants").path(1).path("Permission").asText());
        ok(aws("s3api", "delete-public-access-block", "--bucket", "cli-acl", "--profile", "destination"));
        Run missing = aws("s3api", "get-public-access-block", "--bucket", "cli-acl", "--profile", "destination");
        assertTrue(missing.stderr().contains("NoSuchPublicAccessBlockConfiguration"), missing.toString());
    }

    @Test
    void objectLockRetentionRefusesTheDelete() throws Exception {
        ok(aws("s3api", "create-bucket", "--bucket", "cli-ledger", "--object-lock-enabled-for-bucket",
                "--profile", "destination"));
        ok(aws("s3api", "put-object-lock-configuration", "--bucket", "cli-ledger", "--object-lock-configuration",
                "{\"ObjectLockEnabled\":\"Enabled\",\"Rule\":{\"DefaultRetention\":{\"Mode\":\"GOVERNANCE\","
                        + "\"Days\":30}}}", "--profile", "destination"));
        Files.writeString(work.resolve("q1.csv"), "a,b\n");
        String version = AwsCli.ok(aws("s3api", "put-object", "--bucket", "cli-ledger", "--key", "q1.csv", "--body",
                "q1.csv", "--profile", "destination")).path("VersionId").asText();
        String until = java.time.Instant.now().plus(java.time.Duration.ofDays(60))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        ok(aws("s3api", "put-object-retention", "--bucket", "cli-ledger", "--key", "q1.csv", "--retention",
                "{\"Mode\":\"COMPLIANCE\",\"RetainUntilDate\":\"" + until + "\"}", "--bypass-governance-retention",
                "--profile", "destination"));
        JsonNode retention = AwsCli.ok(aws("s3api", "get-object-retention", "--bucket", "cli-ledger", "--key",
                "q1.csv", "--profile", "destination")).path("Retention");
        assertEquals("COMPLIANCE", retention.path("Mode").asText(), retention.toString());
        Run refused = aws("s3api", "delete-object", "--bucket", "cli-ledger", "--key", "q1.csv", "--version-id",
                version, "--bypass-governance-retention", "--profile", "destination");
        assertNotEquals(0, refused.exit(), refused.toString());
        assertTrue(refused.stderr().contains("(AccessDenied) when calling the DeleteObject operation: Access Denied"
                + " because object protected by object lock."), refused.toString());
        assertEquals("COMPLIANCE", AwsCli.ok(aws("s3api", "head-object", "--bucket", "cli-ledger", "--key", "q1.csv",
                "--version-id", version, "--profile", "destination")).path("ObjectLockMode").asText());
    }

    @Test
    void objectAclsAndAWebsiteConfiguration() throws Exception {
        ok(aws("s3api", "create-bucket", "--bucket", "cli-oacl", "--object-ownership", "BucketOwnerPreferred",
                "--profile", "destination"));
        Files.writeString(work.resolve("o.txt"), "object");
        ok(aws("s3api", "put-object", "--bucket", "cli-oacl", "--key", "o", "--body", "o.txt",
                "--profile", "destination"));
        String sourceId = AwsCli.ok(aws("s3api", "list-buckets", "--profile", "source")).path("Owner").path("ID")
                .asText();
        // The other account may not read it until the object's ACL grants it READ.
        Run denied = aws("s3api", "get-object", "--bucket", "cli-oacl", "--key", "o", "out.txt", "--profile",
                "source");
        assertTrue(denied.stderr().contains("AccessDenied"), denied.toString());
        ok(aws("s3api", "put-object-acl", "--bucket", "cli-oacl", "--key", "o", "--grant-read", "id=" + sourceId,
                "--grant-full-control", "id=" + AwsCli.ok(aws("s3api", "list-buckets", "--profile", "destination"))
                        .path("Owner").path("ID").asText(), "--profile", "destination"));
        JsonNode acl = AwsCli.ok(aws("s3api", "get-object-acl", "--bucket", "cli-oacl", "--key", "o",
                "--profile", "destination"));
        assertEquals(sourceId, acl.path("Grants").path(1).path("Grantee").path("ID").asText(), acl.toString());
        assertEquals("READ", acl.path("Grants").path(1).path("Permission").asText());
        ok(aws("s3api", "get-object", "--bucket", "cli-oacl", "--key", "o", "out.txt", "--profile", "source"));
        assertEquals("object", Files.readString(work.resolve("out.txt")));
        // A canned ACL that is no object's: InvalidArgument, and the ACL stays.
        Run bad = aws("s3api", "put-object-acl", "--bucket", "cli-oacl", "--key", "o", "--acl", "log-delivery-write",
                "--profile", "destination");
        assertTrue(bad.stderr().contains("InvalidArgument"), bad.toString());
        assertEquals(2, AwsCli.ok(aws("s3api", "get-object-acl", "--bucket", "cli-oacl", "--key", "o",
                "--profile", "destination")).path("Grants").size());

        ok(aws("s3api", "put-bucket-website", "--bucket", "cli-oacl", "--website-configuration",
                "{\"IndexDocument\":{\"Suffix\":\"index.html\"},\"ErrorDocument\":{\"Key\":\"404.html\"}}",
                "--profile", "destination"));
        JsonNode site = AwsCli.ok(aws("s3api", "get-bucket-website", "--bucket", "cli-oacl", "--profile",
                "destination"));
        assertEquals("index.html", site.path("IndexDocument").path("Suffix").asText());
        assertEquals("404.html", site.path("ErrorDocument").path("Key").asText());
        Run slash = aws("s3api", "put-bucket-website", "--bucket", "cli-oacl", "--website-configuration",
                "{\"IndexDocument\":{\"Suffix\":\"a/b.html\"}}", "--profile", "destination");
        assertTrue(slash.stderr().contains("InvalidArgument"), slash.toString());
        ok(aws("s3api", "delete-bucket-website", "--bucket", "cli-oacl", "--profile", "destination"));
        Run none = aws("s3api", "get-bucket-website", "--bucket", "cli-oacl", "--profile", "destination");
        assertTrue(none.stderr().contains("NoSuchWebsiteConfiguration"), none.toString());
    }

    @Test
    void versionsAndADeleteMarkerRoundTrip() throws Exception {
        ok(aws("s3", "mb", "s3://cli-versions", "--profile", "destination"));
        ok(aws("s3api", "put-bucket-versioning", "--bucket", "cli-versions", "--versioning-configuration",
                "Status=Enabled", "--profile", "destination"));
        assertEquals("Enabled", AwsCli.ok(aws("s3api", "get-bucket-versioning", "--bucket", "cli-versions",
                "--profile", "destination")).path("Status").asText());
        Files.writeString(work.resolve("v.txt"), "first");
        String v1 = AwsCli.ok(aws("s3api", "put-object", "--bucket", "cli-versions", "--key", "doc", "--body", "v.txt",
                "--profile", "destination")).path("VersionId").asText();
        Files.writeString(work.resolve("v.txt"), "second");
        String v2 = AwsCli.ok(aws("s3api", "put-object", "--bucket", "cli-versions", "--key", "doc", "--body", "v.txt",
                "--profile", "destination")).path("VersionId").asText();
        JsonNode deleted = AwsCli.ok(aws("s3api", "delete-object", "--bucket", "cli-versions", "--key", "doc",
                "--profile", "destination"));
        assertTrue(deleted.path("DeleteMarker").asBoolean(), deleted.toString());
        String marker = deleted.path("VersionId").asText();
        Run hidden = aws("s3api", "head-object", "--bucket", "cli-versions", "--key", "doc", "--profile", "destination");
        assertNotEquals(0, hidden.exit());
        assertTrue(hidden.stderr().contains("404"), hidden.toString());

        // The CLI pages through the versions itself, one per request, with the key and version-id markers.
        JsonNode listed = AwsCli.ok(aws("s3api", "list-object-versions", "--bucket", "cli-versions", "--page-size",
                "1", "--profile", "destination"));
        assertEquals(v2, listed.path("Versions").path(0).path("VersionId").asText(), listed.toString());
        assertEquals(v1, listed.path("Versions").path(1).path("VersionId").asText(), listed.toString());
        assertEquals(false, listed.path("Versions").path(0).path("IsLatest").asBoolean());
        assertEquals(marker, listed.path("DeleteMarkers").path(0).path("VersionId").asText(), listed.toString());
        assertTrue(listed.path("DeleteMarkers").path(0).path("IsLatest").asBoolean());

        ok(aws("s3api", "get-object", "--bucket", "cli-versions", "--key", "doc", "--version-id", v1, "old.txt",
                "--profile", "destination"));
        assertEquals("first", Files.readString(work.resolve("old.txt")));
        JsonNode unmarked = AwsCli.ok(aws("s3api", "delete-object", "--bucket", "cli-versions", "--key", "doc",
                "--version-id", marker, "--profile", "destination"));
        assertTrue(unmarked.path("DeleteMarker").asBoolean(), unmarked.toString());
        ok(aws("s3api", "get-object", "--bucket", "cli-versions", "--key", "doc", "current.txt", "--profile",
                "destination"));
        assertEquals("second", Files.readString(work.resolve("current.txt")));
    }

    @Test
    void copyListAndRemoveWithTheHighLevelCommands() throws Exception {
        ok(aws("s3", "mb", "s3://cli-basics", "--profile", "destination"));
        Files.writeString(work.resolve("note.txt"), "written by aws s3 cp\n");
        ok(aws("s3", "cp", "note.txt", "s3://cli-basics/notes/note.txt", "--profile", "destination",
                "--only-show-errors"));
        Run listed = aws("s3", "ls", "s3://cli-basics/notes/", "--profile", "destination");
        ok(listed);
        assertTrue(listed.stdout().contains(" 21 note.txt"), listed.toString());
        Run buckets = aws("s3", "ls", "--profile", "destination");
        assertTrue(buckets.stdout().contains("cli-basics"), buckets.toString());
        ok(aws("s3", "cp", "s3://cli-basics/notes/note.txt", "back.txt", "--profile", "destination",
                "--only-show-errors"));
        assertEquals("written by aws s3 cp\n", Files.readString(work.resolve("back.txt")));
        // aws s3 presign makes a Signature Version 2 URL unless the config asks for s3v4.
        Run v2 = aws("s3", "presign", "s3://cli-basics/notes/note.txt", "--profile", "destination");
        ok(v2);
        HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(v2.stdout().trim())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, refused.statusCode());
        assertTrue(refused.body().contains("Please use AWS4-HMAC-SHA256."), refused.body());
        Files.writeString(work.resolve("config-v4"), "[profile destination]\ns3 =\n    signature_version = s3v4\n");
        Run v4 = AwsCli.run(crossrole, work, work, work.resolve("config-v4"), Map.of(), "s3", "presign",
                "s3://cli-basics/notes/note.txt", "--profile", "destination");
        ok(v4);
        HttpResponse<String> presigned = HTTP.send(HttpRequest.newBuilder(URI.create(v4.stdout().trim())).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, presigned.statusCode(), presigned.body());
        assertEquals("written by aws s3 cp\n", presigned.body());
        ok(aws("s3", "rm", "s3://cli-basics/notes/note.txt", "--profile", "destination", "--only-show-errors"));
        Run empty = aws("s3api", "list-objects-v2", "--bucket", "cli-basics", "--profile", "destination");
        ok(empty);
        assertEquals(0, empty.json().path("KeyCount").asInt(), empty.toString());
        ok(aws("s3", "rb", "s3://cli-basics", "--profile", "destination"));
    }

    @Test
    void aFileAboveTheMultipartThresholdIsUploadedInParts() throws Exception {
        ok(aws("s3api", "create-bucket", "--bucket", "cli-multipart", "--profile", "destination"));
        byte[] data = new byte[20 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        Files.write(work.resolve("large.bin"), data);
        ok(aws("s3", "cp", "large.bin", "s3://cli-multipart/large.bin", "--profile", "destination",
                "--only-show-errors"));
        Run head = aws("s3api", "head-object", "--bucket", "cli-multipart", "--key", "large.bin", "--profile",
                "destination");
        ok(head);
        JsonNode object = head.json();
        assertEquals(data.length, object.path("ContentLength").asLong());
        assertTrue(object.path("ETag").asText().matches("\"[0-9a-f]{32}-3\""), object.toString());
        ok(aws("s3", "cp", "s3://cli-multipart/large.bin", "large-back.bin", "--profile", "destination",
                "--only-show-errors"));
        assertArrayEquals(data, Files.readAllBytes(work.resolve("large-back.bin")));
        // A copy within S3 above the threshold is made of UploadPartCopy ranges.
        ok(aws("s3", "cp", "s3://cli-multipart/large.bin", "s3://cli-multipart/copied.bin", "--profile",
                "destination", "--only-show-errors"));
        ok(aws("s3", "cp", "s3://cli-multipart/copied.bin", "copied-back.bin", "--profile", "destination",
                "--only-show-errors"));
        assertArrayEquals(data, Files.readAllBytes(work.resolve("copied-back.bin")));
    }

    @Test
    void s3apiPutsPoliciesTagsAndReadsErrors() throws Exception {
        ok(aws("s3api", "create-bucket", "--bucket", "cli-api", "--profile", "destination"));
        Files.writeString(work.resolve("body.txt"), "api body");
        Run put = aws("s3api", "put-object", "--bucket", "cli-api", "--key", "a/b.txt", "--body", "body.txt",
                "--tagging", "team=data", "--metadata", "origin=cli", "--profile", "destination");
        ok(put);
        Run tags = aws("s3api", "get-object-tagging", "--bucket", "cli-api", "--key", "a/b.txt", "--profile",
                "destination");
        ok(tags);
        assertEquals("data", tags.json().path("TagSet").path(0).path("Value").asText());
        Run head = aws("s3api", "head-object", "--bucket", "cli-api", "--key", "a/b.txt", "--profile", "destination");
        assertEquals("cli", head.json().path("Metadata").path("origin").asText());
        Run missing = aws("s3api", "get-object", "--bucket", "cli-api", "--key", "none", "out.txt", "--profile",
                "destination");
        assertNotEquals(0, missing.exit());
        assertTrue(missing.stderr().contains("NoSuchKey"), missing.toString());
        Run taken = aws("s3api", "create-bucket", "--bucket", "cli-api", "--profile", "source");
        assertTrue(taken.stderr().contains("BucketAlreadyExists"), taken.toString());
        Files.writeString(work.resolve("policy.json"), "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::cli-api/*\"}]}");
        ok(aws("s3api", "put-bucket-policy", "--bucket", "cli-api", "--policy", "file://policy.json", "--profile",
                "destination"));
        // The source account's administrator has an identity allow; now the bucket policy allows its account too.
        ok(aws("s3api", "get-object", "--bucket", "cli-api", "--key", "a/b.txt", "fetched.txt", "--profile", "source"));
        assertEquals("api body", Files.readString(work.resolve("fetched.txt")));
        Files.writeString(work.resolve("bad-policy.json"), "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::other/*\"}]}");
        Run bad = aws("s3api", "put-bucket-policy", "--bucket", "cli-api", "--policy", "file://bad-policy.json",
                "--profile", "destination");
        assertTrue(bad.stderr().contains("MalformedPolicy") && bad.stderr().contains("Policy has invalid resource"),
                bad.toString());
    }

    @Test
    void theWalkthroughRoleProfileReadsTheDestinationBucket() throws Exception {
        ok(aws("s3", "mb", "s3://cli-destination", "--profile", "destination"));
        Files.writeString(work.resolve("data.csv"), "id,value\n1,42\n");
        ok(aws("s3", "cp", "data.csv", "s3://cli-destination/data.csv", "--profile", "destination",
                "--only-show-errors"));
        Run listed = aws("s3", "ls", "s3://cli-destination/", "--profile", "cross-account");
        ok(listed);
        assertTrue(listed.stdout().contains("data.csv"), listed.toString());
        ok(aws("s3", "cp", "s3://cli-destination/data.csv", "copy.csv", "--profile", "cross-account",
                "--only-show-errors"));
        assertEquals("id,value\n1,42\n", Files.readString(work.resolve("copy.csv")));
        // The role may read but not write; the source account's own credentials reach nothing without a bucket policy.
        Run write = aws("s3", "cp", "data.csv", "s3://cli-destination/new.csv", "--profile", "cross-account",
                "--only-show-errors");
        assertNotEquals(0, write.exit());
        assertTrue(write.stderr().contains("AccessDenied"), write.toString());
        Run direct = aws("s3", "cp", "s3://cli-destination/data.csv", "direct.csv", "--profile", "source",
                "--only-show-errors");
        assertNotEquals(0, direct.exit());
        assertTrue(direct.stderr().contains("403") || direct.stderr().contains("Forbidden")
                || direct.stderr().contains("AccessDenied"), direct.toString());
    }

    /** The README's {@code put-bucket-lifecycle-configuration} and {@code put-bucket-cors}, read back. */
    @Test
    void corsAndLifecycleConfigurationsAsTheReadmeWritesThem() throws Exception {
        ok(aws("s3", "mb", "s3://cli-rules", "--profile", "destination"));
        ok(aws("s3api", "put-bucket-lifecycle-configuration", "--bucket", "cli-rules", "--lifecycle-configuration",
                "{\"Rules\":[{\"ID\":\"tmp\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"tmp/\"},"
                        + "\"Expiration\":{\"Days\":1},"
                        + "\"AbortIncompleteMultipartUpload\":{\"DaysAfterInitiation\":1}}]}",
                "--profile", "destination"));
        ok(aws("s3api", "put-bucket-cors", "--bucket", "cli-rules", "--cors-configuration",
                "{\"CORSRules\":[{\"AllowedOrigins\":[\"http://localhost:3000\"],\"AllowedMethods\":[\"GET\",\"PUT\"],"
                        + "\"AllowedHeaders\":[\"*\"]}]}", "--profile", "destination"));
        JsonNode lifecycle = AwsCli.ok(aws("s3api", "get-bucket-lifecycle-configuration", "--bucket", "cli-rules",
                "--profile", "destination"));
        assertEquals("tmp", lifecycle.path("Rules").path(0).path("ID").asText(), lifecycle.toString());
        assertEquals(1, lifecycle.path("Rules").path(0).path("Expiration").path("Days").asInt());
        JsonNode cors = AwsCli.ok(aws("s3api", "get-bucket-cors", "--bucket", "cli-rules", "--profile",
                "destination"));
        assertEquals("http://localhost:3000", cors.path("CORSRules").path(0).path("AllowedOrigins").path(0).asText(),
                cors.toString());
        Run refused = aws("s3api", "put-bucket-cors", "--bucket", "cli-rules", "--cors-configuration",
                "{\"CORSRules\":[{\"AllowedOrigins\":[\"*\"],\"AllowedMethods\":[\"TRACE\"]}]}", "--profile",
                "destination");
        assertNotEquals(0, refused.exit());
        assertTrue(refused.stderr().contains("InvalidRequest"), refused.toString());
    }
}
