package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectAclResponse;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.Grantee;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Type;

/**
 * Objects' own ACLs and owners through the SDK for Java v2: Object Ownership deciding who owns what another account
 * writes, the canned and grant headers of every write and PutObjectAcl, what the grants allow (and what a bucket
 * owner can no longer do with an object it does not own), Block Public Access, and S3's errors for bad input.
 */
class S3ObjectAclSdkTest {
    static final String ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
    static TestCrossrole crossrole;
    /** The bucket owner, account DESTINATION. */
    static S3Client owner;
    /** Another account's administrator, account SOURCE. */
    static S3Client writer;
    static String ownerId;
    static String writerId;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        writer = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(SOURCE));
        ownerId = owner.listBuckets().owner().id();
        writerId = writer.listBuckets().owner().id();
    }

    @AfterAll
    static void stop() throws Exception {
        owner.close();
        writer.close();
        crossrole.close();
    }

    private static String why(String requestId) throws Exception {
        return crossrole.adminGet("/_crossrole/requests/" + requestId + "?format=text").body();
    }

    /** A bucket of {@code ownership} whose ACL lets the other account write (and list) it. */
    private static void sharedBucket(String name, ObjectOwnership ownership) {
        owner.createBucket(b -> b.bucket(name).objectOwnership(ownership));
        owner.putBucketAcl(b -> b.bucket(name).grantFullControl("id=" + ownerId).grantWrite("id=" + writerId)
                .grantRead("id=" + writerId));
    }

    private static Grant grant(GetObjectAclResponse acl, Permission permission) {
        return acl.grants().stream().filter(g -> g.permission() == permission).findFirst().orElseThrow();
    }

    @Test
    void aWriterOwnsWhatItWritesToAnObjectWriterBucket() throws Exception {
        sharedBucket("oacl-writer", ObjectOwnership.OBJECT_WRITER);
        writer.putObject(b -> b.bucket("oacl-writer").key("theirs"), RequestBody.fromString("data"));
        // The writer owns it: the bucket owner can neither read it nor its ACL, and is told why.
        AwsServiceException denied = assertError(403, "AccessDenied", null, () -> owner.getObjectAsBytes(b -> b
                .bucket("oacl-writer").key("theirs")));
        assertTrue(why(denied.requestId()).contains("object ACL grant does not name this principal"),
                why(denied.requestId()));
        assertError(403, "AccessDenied", null, () -> owner.getObjectAcl(b -> b.bucket("oacl-writer").key("theirs")));
        GetObjectAclResponse acl = writer.getObjectAcl(b -> b.bucket("oacl-writer").key("theirs"));
        assertEquals(writerId, acl.owner().id());
        assertEquals(1, acl.grants().size());
        assertEquals(writerId, grant(acl, Permission.FULL_CONTROL).grantee().id());
        // Listings show the object's owner.
        S3Object listed = owner.listObjectsV2(b -> b.bucket("oacl-writer").fetchOwner(true)).contents().get(0);
        assertEquals(writerId, listed.owner().id());
        assertEquals(writerId, owner.listObjects(b -> b.bucket("oacl-writer")).contents().get(0).owner().id());
        assertEquals(writerId, owner.listObjectVersions(b -> b.bucket("oacl-writer")).versions().get(0).owner().id());

        // The owner grants the bucket owner READ: now it reads, and the explanation names the grant.
        writer.putObjectAcl(b -> b.bucket("oacl-writer").key("theirs").grantRead("id=" + ownerId)
                .grantFullControl("id=" + writerId));
        String read = owner.getObjectAsBytes(b -> b.bucket("oacl-writer").key("theirs")).response().responseMetadata()
                .requestId();
        assertTrue(why(read).contains("object ACL grant READ to " + ownerId + " allows s3:GetObject"), why(read));
        // READ does not read the ACL.
        assertError(403, "AccessDenied", null, () -> owner.getObjectAcl(b -> b.bucket("oacl-writer").key("theirs")));
        // The bucket policy cannot grant what the object's owner did not, but its Deny still applies, to the owner too.
        owner.putBucketPolicy(b -> b.bucket("oacl-writer").policy("{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + DESTINATION + ":root\"},"
                + "\"Action\":\"s3:GetObjectAcl\",\"Resource\":\"arn:aws:s3:::oacl-writer/*\"},"
                + "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::oacl-writer/*\"}]}"));
        assertError(403, "AccessDenied", null, () -> owner.getObjectAcl(b -> b.bucket("oacl-writer").key("theirs")));
        assertError(403, "AccessDenied", null, () -> writer.getObjectAsBytes(b -> b.bucket("oacl-writer")
                .key("theirs")));
        owner.deleteBucketPolicy(b -> b.bucket("oacl-writer"));
        assertEquals("data", writer.getObjectAsBytes(b -> b.bucket("oacl-writer").key("theirs")).asUtf8String());
        // The bucket owner may still delete it: deleting is the bucket's permission.
        owner.deleteObject(b -> b.bucket("oacl-writer").key("theirs"));
        assertThrows(NoSuchKeyException.class, () -> owner.getObject(b -> b.bucket("oacl-writer").key("theirs")));
    }

    @Test
    void bucketOwnerFullControlAndOwnershipSettings() {
        // ObjectWriter: bucket-owner-full-control leaves the writer the owner, and grants the bucket owner.
        sharedBucket("oacl-full", ObjectOwnership.OBJECT_WRITER);
        writer.putObject(b -> b.bucket("oacl-full").key("k").acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL),
                RequestBody.fromString("x"));
        GetObjectAclResponse acl = owner.getObjectAcl(b -> b.bucket("oacl-full").key("k"));
        assertEquals(writerId, acl.owner().id());
        assertEquals(2, acl.grants().size());
        assertEquals("x", owner.getObjectAsBytes(b -> b.bucket("oacl-full").key("k")).asUtf8String());
        writer.putObject(b -> b.bucket("oacl-full").key("r").acl(ObjectCannedACL.BUCKET_OWNER_READ),
                RequestBody.fromString("r"));
        assertEquals("r", owner.getObjectAsBytes(b -> b.bucket("oacl-full").key("r")).asUtf8String());
        assertError(403, "AccessDenied", null, () -> owner.getObjectAcl(b -> b.bucket("oacl-full").key("r")));

        // BucketOwnerPreferred: with bucket-owner-full-control the bucket owner owns it; without, the writer.
        sharedBucket("oacl-preferred", ObjectOwnership.BUCKET_OWNER_PREFERRED);
        writer.putObject(b -> b.bucket("oacl-preferred").key("given")
                .acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL), RequestBody.fromString("x"));
        acl = owner.getObjectAcl(b -> b.bucket("oacl-preferred").key("given"));
        assertEquals(ownerId, acl.owner().id());
        assertEquals(List.of(ownerId), acl.grants().stream().map(g -> g.grantee().id()).toList());
        writer.putObject(b -> b.bucket("oacl-preferred").key("kept"), RequestBody.fromString("x"));
        assertEquals(writerId, writer.getObjectAcl(b -> b.bucket("oacl-preferred").key("kept")).owner().id());

        // BucketOwnerEnforced: the bucket owner owns everything, and the writer's grants no longer count.
        owner.putBucketAcl(b -> b.bucket("oacl-preferred").acl("private"));
        owner.putBucketOwnershipControls(b -> b.bucket("oacl-preferred").ownershipControls(c -> c.rules(r -> r
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED))));
        acl = owner.getObjectAcl(b -> b.bucket("oacl-preferred").key("kept"));
        assertEquals(ownerId, acl.owner().id());
        assertEquals("x", owner.getObjectAsBytes(b -> b.bucket("oacl-preferred").key("kept")).asUtf8String());
    }

    @Test
    void everyWriteSetsTheObjectsGrants() {
        owner.createBucket(b -> b.bucket("oacl-writes").objectOwnership(ObjectOwnership.BUCKET_OWNER_PREFERRED));
        // PutObject with grant headers
        owner.putObject(b -> b.bucket("oacl-writes").key("put").grantRead("id=" + writerId)
                .grantFullControl("id=" + ownerId), RequestBody.fromString("p"));
        assertEquals("p", writer.getObjectAsBytes(b -> b.bucket("oacl-writes").key("put")).asUtf8String());
        assertEquals(writerId, grant(owner.getObjectAcl(b -> b.bucket("oacl-writes").key("put")), Permission.READ)
                .grantee().id());
        // CopyObject: the copy gets the ACL its request names, not its source's.
        owner.copyObject(b -> b.sourceBucket("oacl-writes").sourceKey("put").destinationBucket("oacl-writes")
                .destinationKey("copy"));
        assertEquals(1, owner.getObjectAcl(b -> b.bucket("oacl-writes").key("copy")).grants().size());
        assertError(403, "AccessDenied", null, () -> writer.getObject(b -> b.bucket("oacl-writes").key("copy")));
        owner.copyObject(b -> b.sourceBucket("oacl-writes").sourceKey("put").destinationBucket("oacl-writes")
                .destinationKey("copy2").grantReadACP("id=" + writerId));
        assertEquals(Permission.READ_ACP, writer.getObjectAcl(b -> b.bucket("oacl-writes").key("copy2")).grants()
                .get(0).permission());
        // A multipart upload keeps the ACL it was created with through its completion.
        String upload = owner.createMultipartUpload(b -> b.bucket("oacl-writes").key("mp")
                .grantRead("id=" + writerId)).uploadId();
        String etag = owner.uploadPart(b -> b.bucket("oacl-writes").key("mp").uploadId(upload).partNumber(1),
                RequestBody.fromString("multi")).eTag();
        owner.completeMultipartUpload(b -> b.bucket("oacl-writes").key("mp").uploadId(upload).multipartUpload(m -> m
                .parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        assertEquals("multi", writer.getObjectAsBytes(b -> b.bucket("oacl-writes").key("mp")).asUtf8String());

        // PutObjectAcl with an AccessControlPolicy document; WRITE_ACP lets the grantee replace it.
        owner.putObjectAcl(b -> b.bucket("oacl-writes").key("put").accessControlPolicy(p -> p.owner(o -> o.id(ownerId))
                .grants(Grant.builder().grantee(Grantee.builder().type(Type.CANONICAL_USER).id(ownerId).build())
                        .permission(Permission.FULL_CONTROL).build(), Grant.builder().grantee(Grantee.builder()
                        .type(Type.CANONICAL_USER).id(writerId).build()).permission(Permission.WRITE_ACP).build())));
        assertError(403, "AccessDenied", null, () -> writer.getObject(b -> b.bucket("oacl-writes").key("put")));
        writer.putObjectAcl(b -> b.bucket("oacl-writes").key("put").grantFullControl("id=" + ownerId)
                .grantRead("id=" + writerId));
        assertEquals("p", writer.getObjectAsBytes(b -> b.bucket("oacl-writes").key("put")).asUtf8String());

        // Bad input: S3's errors, and the ACL stays as it was.
        assertError(400, "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed",
                () -> owner.putObjectAcl(b -> b.bucket("oacl-writes").key("put").acl(ObjectCannedACL.PRIVATE)
                        .grantRead("id=" + writerId)));
        assertError(400, "InvalidArgument", "Invalid id", () -> owner.putObjectAcl(b -> b.bucket("oacl-writes")
                .key("put").grantRead("id=not-an-id")));
        assertError(400, "InvalidArgument", null, () -> owner.putObjectAcl(b -> b.bucket("oacl-writes").key("put")
                .acl("log-delivery-write")));
        assertError(403, "AccessDenied", null, () -> owner.putObjectAcl(b -> b.bucket("oacl-writes").key("put")
                .accessControlPolicy(p -> p.owner(o -> o.id(writerId)).grants(List.of()))));
        assertError(400, "MalformedACLError", null, () -> owner.putObjectAcl(b -> b.bucket("oacl-writes").key("put")
                .accessControlPolicy(p -> p.owner(o -> o.id(ownerId)).grants(Grant.builder().grantee(Grantee
                        .builder().type(Type.GROUP).build()).permission(Permission.READ).build()))));
        assertError(404, "NoSuchKey", null, () -> owner.putObjectAcl(b -> b.bucket("oacl-writes").key("none")
                .acl(ObjectCannedACL.PRIVATE)));
        // A write whose ACL is refused writes nothing.
        assertError(400, "InvalidArgument", "Invalid id", () -> owner.putObject(b -> b.bucket("oacl-writes")
                .key("refused").grantRead("id=nobody"), RequestBody.fromString("x")));
        assertThrows(NoSuchKeyException.class, () -> owner.headObject(b -> b.bucket("oacl-writes").key("refused")));
        assertEquals(2, owner.getObjectAcl(b -> b.bucket("oacl-writes").key("put")).grants().size());
        assertEquals("p", writer.getObjectAsBytes(b -> b.bucket("oacl-writes").key("put")).asUtf8String());
    }

    @Test
    void versionsKeepTheirOwnAcls() {
        owner.createBucket(b -> b.bucket("oacl-versions").objectOwnership(ObjectOwnership.OBJECT_WRITER));
        owner.putBucketVersioning(b -> b.bucket("oacl-versions").versioningConfiguration(v -> v
                .status(BucketVersioningStatus.ENABLED)));
        String first = owner.putObject(b -> b.bucket("oacl-versions").key("k"), RequestBody.fromString("1"))
                .versionId();
        owner.putObject(b -> b.bucket("oacl-versions").key("k"), RequestBody.fromString("2"));
        owner.putObjectAcl(b -> b.bucket("oacl-versions").key("k").versionId(first).grantRead("id=" + writerId));
        assertEquals("1", writer.getObjectAsBytes(b -> b.bucket("oacl-versions").key("k").versionId(first))
                .asUtf8String());
        assertError(403, "AccessDenied", null, () -> writer.getObject(b -> b.bucket("oacl-versions").key("k")));
        assertEquals(1, owner.getObjectAcl(b -> b.bucket("oacl-versions").key("k")).grants().size());
        assertEquals(Permission.READ, owner.getObjectAcl(b -> b.bucket("oacl-versions").key("k").versionId(first))
                .grants().get(0).permission());
    }

    @Test
    void publicObjectAclsAndBlockPublicAccess() throws Exception {
        owner.createBucket(b -> b.bucket("oacl-public").objectOwnership(ObjectOwnership.OBJECT_WRITER));
        // Every Block Public Access setting is on for a new bucket: a public object ACL is refused, nothing written.
        assertError(403, "AccessDenied", null, () -> owner.putObject(b -> b.bucket("oacl-public").key("p")
                .acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("x")));
        assertThrows(NoSuchKeyException.class, () -> owner.headObject(b -> b.bucket("oacl-public").key("p")));
        owner.putPublicAccessBlock(b -> b.bucket("oacl-public").publicAccessBlockConfiguration(c -> c
                .blockPublicAcls(false).ignorePublicAcls(false)));
        owner.putObject(b -> b.bucket("oacl-public").key("p").acl(ObjectCannedACL.PUBLIC_READ),
                RequestBody.fromString("x"));
        owner.putObject(b -> b.bucket("oacl-public").key("q"), RequestBody.fromString("y"));
        GetObjectAclResponse acl = owner.getObjectAcl(b -> b.bucket("oacl-public").key("p"));
        assertEquals(ALL_USERS, grant(acl, Permission.READ).grantee().uri());
        try (S3Client anonymous = S3Sdk.pathStyle(crossrole, AnonymousCredentialsProvider.create())) {
            assertEquals("x", anonymous.getObjectAsBytes(b -> b.bucket("oacl-public").key("p")).asUtf8String());
            assertError(403, "AccessDenied", null, () -> anonymous.getObject(b -> b.bucket("oacl-public").key("q")));
            owner.putObjectAcl(b -> b.bucket("oacl-public").key("q").acl(ObjectCannedACL.AUTHENTICATED_READ));
            assertEquals("y", writer.getObjectAsBytes(b -> b.bucket("oacl-public").key("q")).asUtf8String());
            assertError(403, "AccessDenied", null, () -> anonymous.getObject(b -> b.bucket("oacl-public").key("q")));
            owner.putPublicAccessBlock(b -> b.bucket("oacl-public").publicAccessBlockConfiguration(c -> c
                    .blockPublicAcls(false).ignorePublicAcls(true)));
            AwsServiceException ignored = assertError(403, "AccessDenied", null, () -> anonymous.getObject(b -> b
                    .bucket("oacl-public").key("p")));
            assertTrue(why(ignored.requestId()).contains("IgnorePublicAcls"), why(ignored.requestId()));
        }
        owner.putPublicAccessBlock(b -> b.bucket("oacl-public").publicAccessBlockConfiguration(c -> c
                .blockPublicAcls(true)));
        assertError(403, "AccessDenied", null, () -> owner.putObjectAcl(b -> b.bucket("oacl-public").key("q")
                .acl(ObjectCannedACL.PUBLIC_READ)));
        assertEquals(Permission.READ, grant(owner.getObjectAcl(b -> b.bucket("oacl-public").key("q")),
                Permission.READ).permission());
    }
}
