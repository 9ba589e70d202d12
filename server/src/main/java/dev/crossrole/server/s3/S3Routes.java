package dev.crossrole.server.s3;

import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModels;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which operation an S3 request names: by method, level (service, bucket, object) and the full set of
 * sub-resources in its query, never by falling through to a default. A sub-resource crossrole does not implement
 * is answered {@code 501 NotImplemented} naming the operation of the S3 model it belongs to; a combination S3 does not
 * define is refused; neither runs another operation.
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

    enum Level { SERVICE, BUCKET, OBJECT }

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
        Level level = request.bucket() == null ? Level.SERVICE : request.key() == null ? Level.BUCKET : Level.OBJECT;
        for (String subresource : named) {
            if (!IMPLEMENTED.contains(subresource)) {
                String operation = modelOperation(request.method(), level, request.query().keySet(), subresource);
                throw operation != null ? notImplemented(operation) : refused(request, level, named);
            }
        }
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

    static S3Exception notImplemented(String operation) {
        return new S3Exception("NotImplemented", 501, "crossrole does not implement s3:" + operation + " yet");
    }

    /** An operation of the S3 model by the method, level and fixed query names of its request URI. */
    private record Binding(String operation, String method, Level level, Set<String> uriQuery, List<String> requiredQuery,
                           boolean deprecated) {}

    private static final class ModelBindings {
        static final List<Binding> ALL = read();

        private static List<Binding> read() {
            List<Binding> bindings = new java.util.ArrayList<>();
            for (OperationModel operation : ServiceModels.all().byId("s3").operations()) {
                String uri = operation.requestUri();
                int question = uri.indexOf('?');
                String path = question < 0 ? uri : uri.substring(0, question);
                Level level = switch (path) {
                    case "/" -> Level.SERVICE;
                    case "/{Bucket}" -> Level.BUCKET;
                    case "/{Bucket}/{Key+}" -> Level.OBJECT;
                    default -> null; // WriteGetObjectResponse: S3 Object Lambda's own endpoint
                };
                if (level == null) {
                    continue;
                }
                Set<String> uriQuery = new TreeSet<>();
                if (question >= 0) {
                    for (String parameter : uri.substring(question + 1).split("&")) {
                        int equals = parameter.indexOf('=');
                        uriQuery.add(equals < 0 ? parameter : parameter.substring(0, equals));
                    }
                }
                bindings.add(new Binding(operation.name(), operation.httpMethod(), level, uriQuery,
                        operation.requiredQuery(), operation.deprecated()));
            }
            return bindings;
        }
    }

    /**
     * The model's operation a request for a sub-resource crossrole does not implement names: bound to the same method
     * and level, with the sub-resource among its URI's query names, every one of them and of its required query
     * members present. Where several fit, the one that matches the most names wins (an {@code id} tells
     * GetBucketInventoryConfiguration from ListBucketInventoryConfigurations), then the one not deprecated
     * (GetBucketLifecycleConfiguration over GetBucketLifecycle). {@code null} when none fits.
     */
    static String modelOperation(String method, Level level, Set<String> query, String subresource) {
        Binding best = null;
        for (Binding binding : ModelBindings.ALL) {
            if (!binding.method().equals(method) || binding.level() != level || !binding.uriQuery().contains(subresource)
                    || !query.containsAll(binding.uriQuery()) || !query.containsAll(binding.requiredQuery())) {
                continue;
            }
            if (best == null || score(binding) > score(best)
                    || score(binding) == score(best) && best.deprecated() && !binding.deprecated()) {
                best = binding;
            }
        }
        return best == null ? null : best.operation();
    }

    private static int score(Binding binding) {
        return binding.uriQuery().size() + binding.requiredQuery().size();
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
