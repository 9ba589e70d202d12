package dev.crossrole.server.s3;

import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import java.util.List;

/**
 * Who owns an object and what its own ACL grants: decided when it is written (PutObject, CopyObject,
 * CreateMultipartUpload, kept through CompleteMultipartUpload) and changed by PutObjectAcl.
 *
 * <p>Object Ownership decides the owner, as the user guide's "Controlling ownership of objects" describes it:
 * {@code BucketOwnerEnforced} (ACLs disabled) makes the bucket owner own everything and refuses every ACL but the
 * owner's own; {@code ObjectWriter} (and a bucket whose ownership controls were deleted) makes the writing account
 * the owner; {@code BucketOwnerPreferred} gives the bucket owner what is written with
 * {@code bucket-owner-full-control}, and the writer everything else. An unsigned write (allowed by a public WRITE
 * grant) is the bucket owner's here: crossrole has no anonymous canonical user to own it.
 */
final class ObjectAcls {
    private ObjectAcls() {}

    /**
     * The owner and grants of an object: {@code owner} is {@code null} for the bucket owner and {@code grants} empty
     * for the owner's FULL_CONTROL alone, as {@link StoredObject} keeps them.
     */
    record Acl(String owner, List<AclGrant> grants) {
        static final Acl DEFAULT = new Acl(null, List.of());

        StoredObject applyTo(StoredObject object) {
            return owner == null && grants.isEmpty() ? object : object.withAcl(owner, grants);
        }

        /** The ACL as stored: the bucket owner as {@code null}, the owner's own grant alone as none. */
        static Acl of(String owner, List<AclGrant> grants, Bucket bucket) {
            boolean ownerOnly = grants.equals(AclGrant.ownerOnly(owner));
            return new Acl(owner.equals(bucket.owner()) ? null : owner, ownerOnly ? List.of() : grants);
        }
    }

    /**
     * What a write by {@code writer} (an account, {@code null} when unsigned) with the request's {@code x-amz-acl} or
     * {@code x-amz-grant-*} headers gives the object, checked before anything is written: where the bucket's ACLs
     * are enabled, its Block Public Access setting {@code BlockPublicAcls} refuses a public grant (403 AccessDenied,
     * as S3 answers it).
     */
    static Acl forWrite(S3Input input, Bucket bucket, String writer) {
        if (!bucket.aclsEnabled()) {
            return Acl.DEFAULT; // the ACL headers were checked against BucketOwnerEnforced already
        }
        String canned = input.string("ACL");
        String owner = writer == null ? bucket.owner() : writer;
        if ("BucketOwnerPreferred".equals(bucket.ownership()) && "bucket-owner-full-control".equals(canned)) {
            owner = bucket.owner();
        }
        List<AclGrant> grants = headerGrants(input, owner, bucket.owner());
        if (grants == null) {
            grants = AclGrant.ownerOnly(owner);
        }
        BucketAccess.checkAclWrite(grants, owner, true, bucket.blocking());
        return Acl.of(owner, grants, bucket);
    }

    /**
     * The grants of a request's canned ACL (expanded for an object) or grant headers; {@code null} when it sent
     * neither. Both at once is S3's InvalidRequest.
     */
    static List<AclGrant> headerGrants(S3Input input, String owner, String bucketOwner) {
        String canned = input.string("ACL");
        if (canned != null && AclGrant.HEADERS.stream().noneMatch(header -> input.takes(header[0])
                && input.string(header[0]) != null)) {
            return AclGrant.cannedObjectAcl(canned, owner, bucketOwner);
        }
        return BucketAccess.headerGrants(input, owner);
    }

    /**
     * PutObjectAcl's new ACL for {@code object}: its grant headers or its AccessControlPolicy document (whose Owner
     * must be the object's owner), checked as S3 checks it. The owner does not change.
     */
    static Acl forPut(S3Input input, Bucket bucket, StoredObject object) throws java.io.IOException {
        String owner = object.ownerIn(bucket);
        List<AclGrant> grants = headerGrants(input, owner, bucket.owner());
        Input policy = input.document();
        if (grants != null && policy != null) {
            throw new S3Exception("UnexpectedContent", 400, "This request does not support content");
        }
        if (grants == null && policy == null) {
            throw new S3Exception("MissingSecurityHeader", 400, "Your request was missing a required header")
                    .with("MissingHeaderName", "x-amz-acl");
        }
        if (grants == null) {
            grants = BucketAccess.documentGrants(policy, owner);
        }
        BucketAccess.checkAclWrite(grants, owner, bucket.aclsEnabled(), bucket.blocking());
        return Acl.of(owner, grants, bucket);
    }

    /** GetObjectAcl's answer: the object's owner and grants. */
    static Shape shape(Bucket bucket, StoredObject object) {
        return Shape.of().put("Owner", S3Support.owner(object.ownerIn(bucket)))
                .put("Grants", object.aclIn(bucket).stream().map(AclGrant::toShape).toList());
    }
}
