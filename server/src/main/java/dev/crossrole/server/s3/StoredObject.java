package dev.crossrole.server.s3;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What S3 keeps about an object besides its bytes.
 *
 * @param objectId a fresh id per write, so that a tag set written for an older object is never shown for a newer one
 * @param etag quoted hex MD5, or the multipart form {@code "md5-of-part-md5s-N"}
 * @param headers stored representation headers ({@code Content-Type}, {@code Cache-Control}, ...), by canonical name
 * @param userMetadata {@code x-amz-meta-*} values by lower-case name without the prefix
 * @param checksums {@code x-amz-checksum-*} values (base64) by lower-case header name
 * @param partCount parts of a multipart object, 0 for a single PUT
 * @param parts the parts of a multipart object in order, with their numbers and sizes (GetObject's
 *     {@code partNumber}); empty for a single PUT, and for multipart objects stored before parts were recorded
 * @param kmsKeyArn the KMS key of an SSE-KMS object, whose readers need {@code kms:Decrypt} on it; {@code null} for
 *     SSE-S3
 * @param bucketKey whether the SSE-KMS object was written with an S3 Bucket Key
 * @param versionId the version's id in a bucket that has had versioning; {@code null} for the null version (every
 *     object of a never-versioned bucket, and the writes of a suspended one)
 * @param sequence the version's place among its key's versions: a later version has a greater one (0 for objects
 *     written before versions were kept)
 * @param deleteMarker whether this version is a delete marker: no bytes ({@code objectId} is {@code null}), no
 *     metadata, and the key reads as deleted while it is the latest version
 * @param lock the version's Object Lock retention and legal hold; {@code null} when it has neither
 * @param customerKey what an SSE-C object keeps of its customer-provided key (never the key); {@code null} otherwise
 * @param owner the account owning the object when it is not the bucket's owner's default: the writer, in a bucket
 *     whose Object Ownership lets writers own what they write; {@code null} for the bucket owner (every object of a
 *     bucket whose ACLs are disabled, and objects written before owners were kept)
 * @param acl the object's own grants; empty for its owner's FULL_CONTROL alone
 */
public record StoredObject(String key, String objectId, long size, String etag, Instant lastModified,
                           Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> checksums,
                           Map<String, String> tags, int partCount, List<Part> parts, String kmsKeyArn,
                           boolean bucketKey, String versionId, long sequence, boolean deleteMarker,
                           ObjectLock lock, CustomerKey.Sealed customerKey, String owner, List<AclGrant> acl) {

    /**
     * One part of a multipart object: the number it was uploaded as, its size, and its flexible checksum (base64)
     * when the upload had one ({@code null} otherwise, and for parts recorded before checksums were), which
     * GetObjectAttributes lists.
     */
    public record Part(int number, long size, String checksum) {
        public Part(int number, long size) {
            this(number, size, null);
        }
    }

    public StoredObject {
        parts = parts == null ? List.of() : List.copyOf(parts);
        acl = acl == null ? List.of() : List.copyOf(acl);
    }

    /** An object without Object Lock settings, not SSE-C, owned by the bucket owner with its default ACL. */
    public StoredObject(String key, String objectId, long size, String etag, Instant lastModified,
                        Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> checksums,
                        Map<String, String> tags, int partCount, List<Part> parts, String kmsKeyArn,
                        boolean bucketKey, String versionId, long sequence, boolean deleteMarker) {
        this(key, objectId, size, etag, lastModified, headers, userMetadata, checksums, tags, partCount, parts,
                kmsKeyArn, bucketKey, versionId, sequence, deleteMarker, null, null, null, List.of());
    }

    /** An object as written, before the repository gives it its version. */
    public StoredObject(String key, String objectId, long size, String etag, Instant lastModified,
                        Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> checksums,
                        Map<String, String> tags, int partCount, List<Part> parts, String kmsKeyArn,
                        boolean bucketKey) {
        this(key, objectId, size, etag, lastModified, headers, userMetadata, checksums, tags, partCount, parts,
                kmsKeyArn, bucketKey, null, 0, false, null, null, null, List.of());
    }

    /** A delete marker: a version without bytes or metadata. */
    static StoredObject deleteMarker(String key, String versionId, long sequence, Instant lastModified) {
        return new StoredObject(key, null, 0, "", lastModified, Map.of(), Map.of(), Map.of(), Map.of(), 0, List.of(),
                null, false, versionId, sequence, true, null, null, null, List.of());
    }

    /** An SSE-S3 object. */
    public StoredObject(String key, String objectId, long size, String etag, Instant lastModified,
                        Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> checksums,
                        Map<String, String> tags, int partCount, List<Part> parts) {
        this(key, objectId, size, etag, lastModified, headers, userMetadata, checksums, tags, partCount, parts, null,
                false);
    }

    /** An SSE-S3 object without recorded parts. */
    public StoredObject(String key, String objectId, long size, String etag, Instant lastModified,
                        Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> checksums,
                        Map<String, String> tags, int partCount) {
        this(key, objectId, size, etag, lastModified, headers, userMetadata, checksums, tags, partCount, List.of());
    }

    StoredObject withTags(Map<String, String> newTags) {
        return new StoredObject(key, objectId, size, etag, lastModified, headers, userMetadata, checksums, newTags,
                partCount, parts, kmsKeyArn, bucketKey, versionId, sequence, deleteMarker, lock, customerKey, owner, acl);
    }

    StoredObject withKms(String keyArn, boolean withBucketKey) {
        return new StoredObject(key, objectId, size, etag, lastModified, headers, userMetadata, checksums, tags,
                partCount, parts, keyArn, withBucketKey, versionId, sequence, deleteMarker, lock, customerKey, owner, acl);
    }

    /** This object as the version {@code id} ({@code null}: the null version), placed at {@code place}. */
    StoredObject withVersion(String id, long place) {
        return new StoredObject(key, objectId, size, etag, lastModified, headers, userMetadata, checksums, tags,
                partCount, parts, kmsKeyArn, bucketKey, id, place, deleteMarker, lock, customerKey, owner, acl);
    }

    /** This version with its Object Lock settings replaced ({@code null}: none). */
    StoredObject withLock(ObjectLock newLock) {
        return new StoredObject(key, objectId, size, etag, lastModified, headers, userMetadata, checksums, tags,
                partCount, parts, kmsKeyArn, bucketKey, versionId, sequence, deleteMarker, newLock, customerKey, owner, acl);
    }

    /** This object owned by {@code newOwner} ({@code null}: the bucket owner) with {@code grants}. */
    StoredObject withAcl(String newOwner, List<AclGrant> grants) {
        return new StoredObject(key, objectId, size, etag, lastModified, headers, userMetadata, checksums, tags,
                partCount, parts, kmsKeyArn, bucketKey, versionId, sequence, deleteMarker, lock, customerKey, newOwner, grants);
    }

    /**
     * The account owning the object in {@code bucket}: its writer where the bucket's ACLs are enabled and the writer
     * kept ownership, else the bucket owner (BucketOwnerEnforced makes the bucket owner own every object).
     */
    String ownerIn(Bucket bucket) {
        return owner == null || !bucket.aclsEnabled() ? bucket.owner() : owner;
    }

    /** The object's grants in {@code bucket}: as put, else (and wherever ACLs are disabled) its owner's alone. */
    List<AclGrant> aclIn(Bucket bucket) {
        return acl.isEmpty() || !bucket.aclsEnabled() ? AclGrant.ownerOnly(ownerIn(bucket)) : acl;
    }

    /** This object as SSE-C under the key {@code sealed} keeps, with the ETag an SSE-C object shows. */
    StoredObject withCustomerKey(CustomerKey.Sealed sealed, String sealedEtag) {
        return new StoredObject(key, objectId, size, sealedEtag, lastModified, headers, userMetadata, checksums, tags,
                partCount, parts, kmsKeyArn, bucketKey, versionId, sequence, deleteMarker, lock, sealed, owner, acl);
    }

    /** The version id as S3 writes it: {@code null} is the string {@code "null"}. */
    String wireVersionId() {
        return versionId == null ? NULL_VERSION : versionId;
    }

    /** The id S3 gives the null version on the wire. */
    static final String NULL_VERSION = "null";

    String contentType() {
        return headers.getOrDefault("Content-Type", "binary/octet-stream");
    }
}
