package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.GetBucketAclResponse;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.Grantee;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;
import software.amazon.awssdk.services.s3.model.OwnershipControlsRule;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.Type;

/**
 * S3 Object Ownership, bucket ACLs and Block Public Access through the SDK for Java v2: the defaults of a new bucket
 * (BucketOwnerEnforced, the owner's FULL_CONTROL, every Block Public Access setting on), what each setting lets an
 * ACL write do, S3's errors for bad input (which change nothing), and the IAM actions each operation asks for.
 */
class S3AclSdkTest {
    static final String ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
    static TestCrossrole crossrole;
    static S3Client owner;
    static S3Client other;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        other = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        owner.close();
        other.close();
        crossrole.close();
    }

    private static String canonicalId(S3Client client) {
        return client.listBuckets().owner().id();
    }

    @Test
    void aNewBucketHasACLsDisabledAndPublicAccessBlocked() {
        owner.createBucket(b -> b.bucket("acl-defaults"));
        assertEquals(ObjectOwnership.BUCKET_OWNER_ENFORCED, owner.getBucketOwnershipControls(b -> b
                .bucket("acl-defaults")).ownershipControls().rules().get(0).objectOwnership());
        GetBucketAclResponse acl = owner.getBucketAcl(b -> b.bucket("acl-defaults"));
        String id = canonicalId(owner);
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        assertEquals(id, acl.owner().id());
        assertEquals(1, acl.grants().size());
        assertEquals(Type.CANONICAL_USER, acl.grants().get(0).grantee().type());
        assertEquals(id, acl.grants().get(0).grantee().id());
        assertEquals(Permission.FULL_CONTROL, acl.grants().get(0).permission());
        PublicAccessBlockConfiguration block = owner.getPublicAccessBlock(b -> b.bucket("acl-defaults"))
                .publicAccessBlockConfiguration();
        assertTrue(block.blockPublicAcls() && block.ignorePublicAcls() && block.blockPublicPolicy()
                && block.restrictPublicBuckets());

        // ACLs are disabled: the owner's own ACL is accepted, any other refused.
        owner.putBucketAcl(b -> b.bucket("acl-defaults").acl(BucketCannedACL.PRIVATE));
        assertError(400, "AccessControlListNotSupported", "The bucket does not allow ACLs", () -> owner.putBucketAcl(
                b -> b.bucket("acl-defaults").acl(BucketCannedACL.AUTHENTICATED_READ)));
        assertError(400, "AccessControlListNotSupported", "The bucket does not allow ACLs", () -> owner.putObject(
                b -> b.bucket("acl-defaults").key("k").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("x")));
        assertEquals(1, owner.getBucketAcl(b -> b.bucket("acl-defaults")).grants().size());
        // CreateBucket with an ACL the default ownership does not allow: refused, and no bucket.
        assertError(400, "InvalidBucketAclWithObjectOwnership", null, () -> owner.createBucket(b -> b
                .bucket("acl-refused").acl(BucketCannedACL.PUBLIC_READ)));
        assertThrows(NoSuchBucketException.class, () -> owner.headBucket(b -> b.bucket("acl-refused")));
    }

    @Test
    void ownershipControlsArePutReadAndDeleted() {
        owner.createBucket(b -> b.bucket("acl-ownership").objectOwnership(ObjectOwnership.OBJECT_WRITER));
        assertEquals(ObjectOwnership.OBJECT_WRITER, ownership("acl-ownership"));
        owner.putBucketOwnershipControls(b -> b.bucket("acl-ownership").ownershipControls(c -> c.rules(
                OwnershipControlsRule.builder().objectOwnership(ObjectOwnership.BUCKET_OWNER_PREFERRED).build())));
        assertEquals(ObjectOwnership.BUCKET_OWNER_PREFERRED, ownership("acl-ownership"));
        owner.deleteBucketOwnershipControls(b -> b.bucket("acl-ownership"));
        assertError(404, "OwnershipControlsNotFoundError", "The bucket ownership controls were not found",
                () -> owner.getBucketOwnershipControls(b -> b.bucket("acl-ownership")));
        // Bad input: S3's MalformedXML, and nothing changes.
        assertError(400, "MalformedXML", null, () -> owner.putBucketOwnershipControls(b -> b.bucket("acl-ownership")
                .ownershipControls(c -> c.rules(List.of()))));
        assertError(400, "MalformedXML", null, () -> owner.putBucketOwnershipControls(b -> b.bucket("acl-ownership")
                .ownershipControls(c -> c.rules(OwnershipControlsRule.builder().objectOwnership("Nobody").build()))));
        assertError(404, "OwnershipControlsNotFoundError", null,
                () -> owner.getBucketOwnershipControls(b -> b.bucket("acl-ownership")));
        // Another account's administrator is not the bucket's: its policy engine says no.
        assertError(403, "AccessDenied", null, () -> other.getBucketOwnershipControls(b -> b.bucket("acl-ownership")));
        assertError(403, "AccessDenied", null, () -> other.putBucketOwnershipControls(b -> b.bucket("acl-ownership")
                .ownershipControls(c -> c.rules(OwnershipControlsRule.builder()
                        .objectOwnership(ObjectOwnership.OBJECT_WRITER).build()))));
    }

    private static ObjectOwnership ownership(String bucket) {
        return owner.getBucketOwnershipControls(b -> b.bucket(bucket)).ownershipControls().rules().get(0)
                .objectOwnership();
    }

    @Test
    void bucketAclsWhereOwnershipAllowsThem() {
        assertError(400, "InvalidBucketAclWithBlockPublicAccessError",
                "Bucket cannot have public ACLs set with BlockPublicAccess enabled", () -> owner.createBucket(b -> b
                        .bucket("acl-enabled").objectOwnership(ObjectOwnership.BUCKET_OWNER_PREFERRED)
                        .acl(BucketCannedACL.PUBLIC_READ)));
        assertThrows(NoSuchBucketException.class, () -> owner.headBucket(b -> b.bucket("acl-enabled")));
        owner.createBucket(b -> b.bucket("acl-enabled").objectOwnership(ObjectOwnership.BUCKET_OWNER_PREFERRED)
                .acl("log-delivery-write"));
        assertEquals(3, owner.getBucketAcl(b -> b.bucket("acl-enabled")).grants().size());
        String me = canonicalId(owner);
        String them = canonicalId(other);
        // Block Public Access is on: a public ACL is refused, a grant to another account is not.
        assertError(403, "AccessDenied", null, () -> owner.putBucketAcl(b -> b.bucket("acl-enabled")
                .acl(BucketCannedACL.PUBLIC_READ)));
        owner.putBucketAcl(b -> b.bucket("acl-enabled").grantRead("id=" + them).grantFullControl("id=\"" + me + "\""));
        List<Grant> grants = owner.getBucketAcl(b -> b.bucket("acl-enabled")).grants();
        assertEquals(2, grants.size());
        assertEquals(them, grants.stream().filter(g -> g.permission() == Permission.READ).findFirst().orElseThrow()
                .grantee().id());
        // With a public ACL now blocked no longer, the canned ACL is put and shown.
        owner.putPublicAccessBlock(b -> b.bucket("acl-enabled").publicAccessBlockConfiguration(c -> c
                .blockPublicAcls(false).ignorePublicAcls(false)));
        PublicAccessBlockConfiguration block = owner.getPublicAccessBlock(b -> b.bucket("acl-enabled"))
                .publicAccessBlockConfiguration();
        assertFalse(block.blockPublicAcls());
        assertFalse(block.restrictPublicBuckets());
        owner.putBucketAcl(b -> b.bucket("acl-enabled").acl(BucketCannedACL.PUBLIC_READ));
        grants = owner.getBucketAcl(b -> b.bucket("acl-enabled")).grants();
        assertEquals(2, grants.size());
        assertEquals(Type.GROUP, grants.get(1).grantee().type());
        assertEquals(ALL_USERS, grants.get(1).grantee().uri());
        // The AccessControlPolicy document.
        owner.putBucketAcl(b -> b.bucket("acl-enabled").accessControlPolicy(p -> p.owner(o -> o.id(me)).grants(
                Grant.builder().grantee(Grantee.builder().type(Type.CANONICAL_USER).id(me).build())
                        .permission(Permission.FULL_CONTROL).build(),
                Grant.builder().grantee(Grantee.builder().type(Type.GROUP).uri(ALL_USERS).build())
                        .permission(Permission.READ_ACP).build())));
        grants = owner.getBucketAcl(b -> b.bucket("acl-enabled")).grants();
        assertEquals(Permission.READ_ACP, grants.get(1).permission());

        // Bad input: S3's error, and the ACL stays as it was.
        assertError(400, "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed",
                () -> owner.putBucketAcl(b -> b.bucket("acl-enabled").acl(BucketCannedACL.PRIVATE)
                        .grantRead("id=" + them)));
        assertError(400, "InvalidArgument", "Invalid id", () -> owner.putBucketAcl(b -> b.bucket("acl-enabled")
                .grantRead("id=not-a-canonical-id")));
        assertError(400, "InvalidArgument", "Invalid group uri", () -> owner.putBucketAcl(b -> b.bucket("acl-enabled")
                .grantRead("uri=http://acs.amazonaws.com/groups/global/Nobody")));
        assertError(400, "InvalidArgument", "Argument format not recognized", () -> owner.putBucketAcl(b -> b
                .bucket("acl-enabled").grantRead("who=me")));
        assertError(400, "UnresolvableGrantByEmailAddress", null, () -> owner.putBucketAcl(b -> b.bucket("acl-enabled")
                .grantRead("emailAddress=someone@example.com")));
        assertError(403, "AccessDenied", null, () -> owner.putBucketAcl(b -> b.bucket("acl-enabled")
                .accessControlPolicy(p -> p.owner(o -> o.id(them)).grants(Grant.builder().grantee(Grantee.builder()
                        .type(Type.CANONICAL_USER).id(them).build()).permission(Permission.FULL_CONTROL).build()))));
        assertError(400, "MalformedACLError", null, () -> owner.putBucketAcl(b -> b.bucket("acl-enabled")
                .accessControlPolicy(p -> p.owner(o -> o.id(me)).grants(Grant.builder().grantee(Grantee.builder()
                        .type(Type.GROUP).build()).permission(Permission.READ).build()))));
        assertEquals(Permission.READ_ACP, owner.getBucketAcl(b -> b.bucket("acl-enabled")).grants().get(1)
                .permission());
        // Disabling ACLs while they grant others is refused; after the owner-only ACL it is allowed.
        assertError(400, "InvalidBucketAclWithObjectOwnership", null, () -> owner.putBucketOwnershipControls(b -> b
                .bucket("acl-enabled").ownershipControls(c -> c.rules(OwnershipControlsRule.builder()
                        .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED).build()))));
        owner.putBucketAcl(b -> b.bucket("acl-enabled").acl(BucketCannedACL.PRIVATE));
        owner.putBucketOwnershipControls(b -> b.bucket("acl-enabled").ownershipControls(c -> c.rules(
                OwnershipControlsRule.builder().objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED).build())));
        // Only the bucket's account reads or writes its ACL.
        assertError(403, "AccessDenied", null, () -> other.getBucketAcl(b -> b.bucket("acl-enabled")));
    }

    @Test
    void publicAccessBlockIsPutReadAndDeleted() {
        owner.createBucket(b -> b.bucket("acl-block"));
        owner.putPublicAccessBlock(b -> b.bucket("acl-block").publicAccessBlockConfiguration(c -> c
                .blockPublicPolicy(true)));
        PublicAccessBlockConfiguration block = owner.getPublicAccessBlock(b -> b.bucket("acl-block"))
                .publicAccessBlockConfiguration();
        assertTrue(block.blockPublicPolicy());
        assertFalse(block.blockPublicAcls());
        owner.deletePublicAccessBlock(b -> b.bucket("acl-block"));
        assertError(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found",
                () -> owner.getPublicAccessBlock(b -> b.bucket("acl-block")));
        assertError(403, "AccessDenied", null, () -> other.deletePublicAccessBlock(b -> b.bucket("acl-block")));
        assertError(404, "NoSuchBucket", null, () -> owner.getPublicAccessBlock(b -> b.bucket("acl-no-bucket")));
    }

    @Test
    void objectAclsAreTheOwnersOnly() {
        owner.createBucket(b -> b.bucket("acl-objects"));
        owner.putObject(b -> b.bucket("acl-objects").key("k").acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL),
                RequestBody.fromString("x"));
        var acl = owner.getObjectAcl(b -> b.bucket("acl-objects").key("k"));
        assertEquals(canonicalId(owner), acl.owner().id());
        assertEquals(1, acl.grants().size());
        assertEquals(Permission.FULL_CONTROL, acl.grants().get(0).permission());
        owner.putObjectAcl(b -> b.bucket("acl-objects").key("k").acl(ObjectCannedACL.PRIVATE));
        assertError(400, "AccessControlListNotSupported", "The bucket does not allow ACLs", () -> owner.putObjectAcl(
                b -> b.bucket("acl-objects").key("k").acl(ObjectCannedACL.PUBLIC_READ)));
        assertError(404, "NoSuchKey", null, () -> owner.getObjectAcl(b -> b.bucket("acl-objects").key("none")));
        assertError(403, "AccessDenied", null, () -> other.getObjectAcl(b -> b.bucket("acl-objects").key("k")));
        // Where ACLs are enabled an object keeps an ACL of its own (S3ObjectAclSdkTest).
        owner.createBucket(b -> b.bucket("acl-objects-writer").objectOwnership(ObjectOwnership.OBJECT_WRITER));
        owner.putObject(b -> b.bucket("acl-objects-writer").key("k").grantRead("id=" + canonicalId(other)),
                RequestBody.fromString("x"));
        assertEquals(1, owner.getObjectAcl(b -> b.bucket("acl-objects-writer").key("k")).grants().size());
    }

    private static String policy(String principal, String condition) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" + principal
                + ",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::acl-status/*\""
                + (condition == null ? "" : ",\"Condition\":" + condition) + "}]}";
    }

    @Test
    void policyStatusSaysWhetherTheBucketPolicyIsPublic() {
        owner.createBucket(b -> b.bucket("acl-status"));
        owner.deletePublicAccessBlock(b -> b.bucket("acl-status")); // BlockPublicPolicy would refuse the public ones
        assertError(404, "NoSuchBucketPolicy", "The bucket policy does not exist", () -> owner.getBucketPolicyStatus(
                b -> b.bucket("acl-status")));
        String[][] cases = {
            {"\"*\"", null, "true"},
            {"{\"AWS\":\"*\"}", "{\"StringNotEquals\":{\"aws:SourceAccount\":\"" + SOURCE + "\"}}", "true"},
            {"\"*\"", "{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", "false"},
            {"\"*\"", "{\"StringEquals\":{\"aws:SourceAccount\":\"" + SOURCE + "\"}}", "false"},
            {"\"*\"", "{\"StringLike\":{\"aws:SourceArn\":\"arn:aws:sns:*\"}}", "true"},
            {"\"*\"", "{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-abcdefghij\"}}", "false"},
            {"{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"}", null, "false"}};
        for (String[] c : cases) {
            owner.putBucketPolicy(b -> b.bucket("acl-status").policy(policy(c[0], c[1])));
            assertEquals(Boolean.valueOf(c[2]), owner.getBucketPolicyStatus(b -> b.bucket("acl-status"))
                    .policyStatus().isPublic(), c[0] + " " + c[1]);
        }
        assertError(403, "AccessDenied", null, () -> other.getBucketPolicyStatus(b -> b.bucket("acl-status")));
    }

    private String why(String requestId) throws Exception {
        return crossrole.adminGet("/_crossrole/requests/" + requestId + "?format=text").body();
    }

    @Test
    void aclGrantsAllowWhatNoPolicyAllowsAndAreExplained() throws Exception {
        owner.createBucket(b -> b.bucket("acl-eval").objectOwnership(ObjectOwnership.OBJECT_WRITER));
        owner.putObject(b -> b.bucket("acl-eval").key("k"), RequestBody.fromString("x"));
        String them = canonicalId(other);
        // No bucket policy and no ACL grant: the other account's administrator is denied, and told why.
        AwsServiceException before = assertError(403, "AccessDenied", null, () -> other.listObjectsV2(b -> b
                .bucket("acl-eval")));
        assertTrue(why(before.requestId()).contains("the bucket's ACL grant does not name this principal"),
                why(before.requestId()));
        owner.putBucketAcl(b -> b.bucket("acl-eval").grantRead("id=" + them).grantWrite("id=" + them)
                .grantFullControl("id=" + canonicalId(owner)));
        String listed = other.listObjectsV2(b -> b.bucket("acl-eval")).responseMetadata().requestId();
        assertTrue(why(listed).contains("ACL grant READ to " + them + " allows s3:ListBucket"), why(listed));
        other.putObject(b -> b.bucket("acl-eval").key("theirs"), RequestBody.fromString("y"));
        // READ on a bucket lists it; it does not read its objects (those have their owner's ACL alone).
        AwsServiceException read = assertError(403, "AccessDenied", null, () -> other.getObject(b -> b
                .bucket("acl-eval").key("k")));
        assertTrue(why(read.requestId()).contains("object ACL grant does not name this principal"),
                why(read.requestId()));
        // The grant delegates to the account: a user of it without any policy is still denied.
        try (S3Client nobody = S3Sdk.pathStyle(crossrole, TestCrossrole.credentials(crossrole.user(SOURCE,
                "acl-nobody", java.util.Map.of())))) {
            assertError(403, "AccessDenied", null, () -> nobody.listObjectsV2(b -> b.bucket("acl-eval")));
        }
        // An explicit Deny in the bucket policy still wins over the ACL.
        owner.putBucketPolicy(b -> b.bucket("acl-eval").policy("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},"
                + "\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::acl-eval\"}]}"));
        assertError(403, "AccessDenied", null, () -> other.listObjectsV2(b -> b.bucket("acl-eval")));
        owner.deleteBucketPolicy(b -> b.bucket("acl-eval"));

        // AllUsers READ lets an unsigned request list the bucket, unless IgnorePublicAcls ignores it.
        try (S3Client anonymous = S3Sdk.pathStyle(crossrole, AnonymousCredentialsProvider.create())) {
            assertError(403, "AccessDenied", null, () -> anonymous.listObjectsV2(b -> b.bucket("acl-eval")));
            owner.putPublicAccessBlock(b -> b.bucket("acl-eval").publicAccessBlockConfiguration(c -> c
                    .blockPublicAcls(false).ignorePublicAcls(false)));
            owner.putBucketAcl(b -> b.bucket("acl-eval").acl(BucketCannedACL.PUBLIC_READ));
            assertEquals(2, anonymous.listObjectsV2(b -> b.bucket("acl-eval")).keyCount());
            owner.putPublicAccessBlock(b -> b.bucket("acl-eval").publicAccessBlockConfiguration(c -> c
                    .blockPublicAcls(false).ignorePublicAcls(true)));
            AwsServiceException ignored = assertError(403, "AccessDenied", null, () -> anonymous.listObjectsV2(b -> b
                    .bucket("acl-eval")));
            assertTrue(why(ignored.requestId()).contains("IgnorePublicAcls"), why(ignored.requestId()));
        }
    }
}
