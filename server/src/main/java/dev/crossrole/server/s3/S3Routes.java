package dev.crossrole.server.s3;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which operation an S3 request names: by method, level (service, bucket, object) and the full set of
 * sub-resources in its query, never by falling through to a default. A sub-resource crossrole does not implement
 * is answered {@code 501 NotImplemented} naming it; a combination S3 does not define is refused; neither runs
 * another operation.
 *
 * <p>The sub-resources are the query names in the {@code requestUri} of every operation of the S3 model (botocore
 * {@code s3/2006-03-01/service-2.json}), plus the three query members that select what an object operation acts
 * on: {@code uploadId}, {@code partNumber} and {@code versionId}. Other query parameters ({@code prefix},
 * {@code list-type}, {@code response-*}, {@code X-Amz-*} of presigned URLs, {@code x-id}, ...) are parameters of an
 * operation, not sub-resources.
 */
final class S3Routes {
    static final Set<String> SUBRESOURCES = Set.of("abac", "accelerate", "acl", "analytics", "attributes", "cors",
            "delete", "encryption", "intelligent-tiering", "inventory", "legal-hold", "lifecycle", "location", "logging",
            "metadataConfiguration", "metadataInventoryTable", "metadataJournalTable", "metadataTable", "metrics",
            "notification", "object-lock", "ownershipControls", "policy", "policyStatus", "publicAccessBlock",
            "renameObject", "replication", "requestPayment", "restore", "retention", "select", "session", "tagging",
            "torrent", "uploads", "versioning", "versions", "website", "uploadId", "partNumber", "versionId");
    static final Set<String> IMPLEMENTED = Set.of("delete", "location", "policy", "tagging", "uploads", "uploadId",
            "partNumber", "versionId");
    /** Operations that take {@code versionId}; on these crossrole's unversioned buckets know only {@code null}. */
    static final Set<String> VERSIONED = Set.of("GetObject", "HeadObject", "DeleteObject", "GetObjectTagging",
            "PutObjectTagging", "DeleteObjectTagging");
    /** A browser's form upload: POST to a bucket without a sub-resource. */
    static final String POST_OBJECT = "PostObject";

    private enum Level { SERVICE, BUCKET, OBJECT }

    /** (method, level, sorted sub-resources joined with '&') to operation. */
    private static final Map<String, String> TABLE = Map.ofEntries(
            Map.entry(key("GET", Level.SERVICE, ""), "ListBuckets"),
            Map.entry(key("PUT", Level.BUCKET, ""), "CreateBucket"),
            Map.entry(key("PUT", Level.BUCKET, "policy"), "PutBucketPolicy"),
            Map.entry(key("PUT", Level.BUCKET, "tagging"), "PutBucketTagging"),
            Map.entry(key("GET", Level.BUCKET, ""), "ListObjects"),
            Map.entry(key("GET", Level.BUCKET, "location"), "GetBucketLocation"),
            Map.entry(key("GET", Level.BUCKET, "policy"), "GetBucketPolicy"),
            Map.entry(key("GET", Level.BUCKET, "tagging"), "GetBucketTagging"),
            Map.entry(key("GET", Level.BUCKET, "uploads"), "ListMultipartUploads"),
            Map.entry(key("HEAD", Level.BUCKET, ""), "HeadBucket"),
            Map.entry(key("DELETE", Level.BUCKET, ""), "DeleteBucket"),
            Map.entry(key("DELETE", Level.BUCKET, "policy"), "DeleteBucketPolicy"),
            Map.entry(key("DELETE", Level.BUCKET, "tagging"), "DeleteBucketTagging"),
            Map.entry(key("POST", Level.BUCKET, "delete"), "DeleteObjects"),
            Map.entry(key("POST", Level.BUCKET, ""), POST_OBJECT),
            Map.entry(key("PUT", Level.OBJECT, ""), "PutObject"),
            Map.entry(key("PUT", Level.OBJECT, "tagging"), "PutObjectTagging"),
            Map.entry(key("PUT", Level.OBJECT, "partNumber&uploadId"), "UploadPart"),
            // without partNumber: UploadPart refuses the missing number with S3's InvalidArgument
            Map.entry(key("PUT", Level.OBJECT, "uploadId"), "UploadPart"),
            Map.entry(key("GET", Level.OBJECT, ""), "GetObject"),
            Map.entry(key("GET", Level.OBJECT, "partNumber"), "GetObject"),
            Map.entry(key("GET", Level.OBJECT, "tagging"), "GetObjectTagging"),
            Map.entry(key("GET", Level.OBJECT, "uploadId"), "ListParts"),
            Map.entry(key("HEAD", Level.OBJECT, ""), "HeadObject"),
            Map.entry(key("HEAD", Level.OBJECT, "partNumber"), "HeadObject"),
            Map.entry(key("DELETE", Level.OBJECT, ""), "DeleteObject"),
            Map.entry(key("DELETE", Level.OBJECT, "tagging"), "DeleteObjectTagging"),
            Map.entry(key("DELETE", Level.OBJECT, "uploadId"), "AbortMultipartUpload"),
            Map.entry(key("POST", Level.OBJECT, "uploads"), "CreateMultipartUpload"),
            Map.entry(key("POST", Level.OBJECT, "uploadId"), "CompleteMultipartUpload"));

    private S3Routes() {}

    private static String key(String method, Level level, String subresources) {
        return method + ' ' + level + ' ' + subresources;
    }

    /** The sub-resources a request names, sorted. */
    static TreeSet<String> subresources(S3Request request) {
        TreeSet<String> named = new TreeSet<>();
        for (String parameter : request.query().keySet()) {
            if (SUBRESOURCES.contains(parameter)) {
                named.add(parameter);
            }
        }
        return named;
    }

    /** The operation, or {@code null} when the request names none crossrole serves. Never throws. */
    static String operation(S3Request request) {
        try {
            return resolve(request);
        } catch (S3Exception e) {
            return null;
        }
    }

    /**
     * The operation a request names, with S3's refinements by header and parameter (CopyObject, UploadPartCopy,
     * ListObjectsV2).
     *
     * @throws S3Exception 501 NotImplemented for a sub-resource crossrole does not implement, 405 MethodNotAllowed
     *     for one that does not exist for this method and level, 400 InvalidRequest for a combination of
     *     sub-resources that names no operation
     */
    static String resolve(S3Request request) {
        TreeSet<String> named = subresources(request);
        for (String subresource : named) {
            if (!IMPLEMENTED.contains(subresource)) {
                throw notImplemented(subresource);
            }
        }
        Level level = request.bucket() == null ? Level.SERVICE : request.key() == null ? Level.BUCKET : Level.OBJECT;
        TreeSet<String> selecting = new TreeSet<>(named);
        selecting.remove("versionId");
        String operation = TABLE.get(key(request.method(), level, String.join("&", selecting)));
        if (operation == null || (named.contains("versionId") && !VERSIONED.contains(operation))) {
            throw refused(request, level, named);
        }
        return switch (operation) {
            case "ListObjects" -> "2".equals(request.param("list-type")) ? "ListObjectsV2" : "ListObjects";
            case "PutObject" -> request.header("x-amz-copy-source") != null ? "CopyObject" : "PutObject";
            case "UploadPart" -> request.header("x-amz-copy-source") != null ? "UploadPartCopy" : "UploadPart";
            default -> operation;
        };
    }

    static S3Exception notImplemented(String subresource) {
        return new S3Exception("NotImplemented", 501, "crossrole does not implement the S3 sub-resource ?"
                + subresource + ".").with("SubResource", subresource);
    }

    private static S3Exception refused(S3Request request, Level level, TreeSet<String> named) {
        List<String> selecting = named.stream().filter(s -> !s.equals("versionId")).toList();
        if (selecting.size() > 1) {
            return S3Exception.invalidRequest("A request names one sub-resource; this one names ?"
                    + String.join(", ?", named) + ".");
        }
        return new S3Exception("MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
                .with("Method", request.method()).with("ResourceType", level == Level.SERVICE ? "SERVICE"
                        : level == Level.BUCKET ? "BUCKET" : "OBJECT");
    }
}
