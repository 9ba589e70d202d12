package dev.crossrole.server.s3;

import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ShapeModel;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.RestXmlInput;
import dev.crossrole.server.protocol.RestXmlOutput;
import dev.crossrole.server.protocol.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An S3 operation's input as its model reads it: the URI labels, query parameters and headers, read once when the
 * call is prepared, and the payload, read from the body only when the operation asks for it — after authorization,
 * unless the checks depend on it. The one place where what the codec could not read becomes S3's answer: a header or
 * query value not of its type is InvalidArgument naming it, a body that does not match its shape MalformedXML.
 * Outputs are written by the model too ({@link #respond}), with the document elements S3 names.
 */
final class S3Input {
    /**
     * S3's message for a value of the wrong type, by member, where S3 words it for that parameter. A type failure is
     * raised when the operation reads the member (members it does not read are left as they are today).
     */
    private static final String PART_NUMBER_MESSAGE = "Part number must be an integer between 1 and 10000, inclusive";

    private static final Map<String, String> TYPE_MESSAGES = Map.of(
            "ObjectLockEnabledForBucket", "x-amz-bucket-object-lock-enabled must be true or false",
            "MaxKeys", "Provided max-keys not an integer or within integer range",
            "PartNumber", PART_NUMBER_MESSAGE);

    /** The document element S3 writes for outputs whose body members make up the body (the models do not say). */
    private static final Map<String, String> DOCUMENT_ELEMENTS = Map.ofEntries(
            Map.entry("ListBuckets", "ListAllMyBucketsResult"),
            Map.entry("ListObjects", "ListBucketResult"),
            Map.entry("ListObjectsV2", "ListBucketResult"),
            Map.entry("ListParts", "ListPartsResult"),
            Map.entry("ListMultipartUploads", "ListMultipartUploadsResult"),
            Map.entry("CreateMultipartUpload", "InitiateMultipartUploadResult"),
            Map.entry("CompleteMultipartUpload", "CompleteMultipartUploadResult"),
            Map.entry("DeleteObjects", "DeleteResult"),
            Map.entry("GetBucketTagging", "Tagging"),
            Map.entry("GetBucketVersioning", "VersioningConfiguration"),
            Map.entry("ListObjectVersions", "ListVersionsResult"),
            Map.entry("GetObjectTagging", "Tagging"),
            // S3's element for GetObjectAttributes (versity/versitygw#933, matching S3's answers)
            Map.entry("GetObjectAttributes", "GetObjectAttributesResponse"));

    /**
     * The elements S3 writes in another order than the model's members, by structure shape: these first, in S3's
     * order, then the shape's others in model order.
     */
    private static final Map<String, List<String>> ELEMENT_ORDER = Map.ofEntries(
            Map.entry("ListBucketsOutput", List.of("Owner", "Buckets")),
            Map.entry("Owner", List.of("ID", "DisplayName")),
            Map.entry("CopyObjectResult", List.of("LastModified", "ETag")),
            Map.entry("CopyPartResult", List.of("LastModified", "ETag")),
            Map.entry("ListObjectsOutput", List.of("Name", "Prefix", "Marker", "NextMarker", "MaxKeys", "Delimiter",
                    "EncodingType", "IsTruncated")),
            Map.entry("ListObjectsV2Output", List.of("Name", "Prefix", "KeyCount", "MaxKeys", "Delimiter",
                    "EncodingType", "IsTruncated", "ContinuationToken", "NextContinuationToken", "StartAfter")),
            Map.entry("Object", List.of("Key", "LastModified", "ETag", "ChecksumAlgorithm", "Size", "Owner")),
            Map.entry("ListObjectVersionsOutput", List.of("Name", "Prefix", "KeyMarker", "VersionIdMarker",
                    "NextKeyMarker", "NextVersionIdMarker", "MaxKeys", "Delimiter", "EncodingType", "IsTruncated")),
            Map.entry("ObjectVersion", List.of("Key", "VersionId", "IsLatest", "LastModified", "ETag",
                    "ChecksumAlgorithm", "Size", "Owner", "StorageClass")),
            Map.entry("DeleteMarkerEntry", List.of("Key", "VersionId", "IsLatest", "LastModified", "Owner")),
            Map.entry("ListPartsOutput", List.of("Bucket", "Key", "UploadId", "PartNumberMarker",
                    "NextPartNumberMarker", "MaxParts", "IsTruncated", "Initiator", "Owner", "StorageClass",
                    "ChecksumAlgorithm")),
            Map.entry("ListMultipartUploadsOutput", List.of("Bucket", "KeyMarker", "UploadIdMarker", "NextKeyMarker",
                    "NextUploadIdMarker")),
            Map.entry("MultipartUpload", List.of("Key", "UploadId", "Initiator", "Owner", "StorageClass",
                    "Initiated")));

    /** S3's status where it is not the model's: its bucket subresource writes answer 204 No Content. */
    private static final Map<String, Integer> STATUSES = Map.of(
            "PutBucketPolicy", 204,
            "PutBucketTagging", 204);

    private final OperationModel operation;
    private final S3Request request;
    private final RestXmlInput.Parts parts;
    private final Input members;
    private final Map<String, String> failed;

    private S3Input(OperationModel operation, S3Request request, RestXmlInput.Parts parts, Input members,
                    Map<String, String> failed) {
        this.operation = operation;
        this.request = request;
        this.parts = parts;
        this.members = members;
        this.failed = failed;
    }

    /** The members an operation's request line and headers carry; the body is not read. */
    static S3Input read(OperationModel operation, S3Request request) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (request.bucket() != null) {
            labels.put("Bucket", request.bucket());
        }
        if (request.key() != null) {
            labels.put("Key", request.key());
        }
        RestXmlInput.Parts parts = new RestXmlInput.Parts(labels, request.query(), request.headers());
        List<String> failures = new ArrayList<>();
        Input members = RestXmlInput.read(operation.input(), parts, null, failures);
        return new S3Input(operation, request, parts, members, failedValues(failures));
    }

    OperationModel operation() {
        return operation;
    }

    /** The request as addressed: its body stream, and what operations not yet read by the model still read by hand. */
    S3Request request() {
        return request;
    }

    String string(String member) {
        return (String) value(member);
    }

    Integer integer(String member) {
        check(member);
        return members.integer(member);
    }

    Boolean bool(String member) {
        return (Boolean) value(member);
    }

    Instant timestamp(String member) {
        return (Instant) value(member);
    }

    /** A prefix-map member ({@code x-amz-meta-*}); {@code null} when absent. */
    Map<String, String> map(String member) {
        check(member);
        return members.map(member);
    }

    /**
     * A timestamp whose value is ignored when it is not a date: HTTP's conditional dates, which a recipient ignores
     * when invalid (RFC 9110, sections 13.1.3 and 13.1.4), as S3 does.
     */
    Instant timestampOrIgnored(String member) {
        model(member);
        return failed.containsKey(member) ? null : (Instant) members.get(member);
    }

    /** The value of a member exactly as the request sent it, of its type or not; {@code null} when absent. */
    String sentValue(String member) {
        return sent(member) ? failedOrSent(model(member)) : null;
    }

    /** Whether the request carried the member, of its type or not. */
    boolean sent(String member) {
        model(member);
        return members.has(member) || failed.containsKey(member);
    }

    /** The header or query parameter a member is sent as. */
    String wireName(String member) {
        return model(member).wireName();
    }

    private Object value(String member) {
        check(member);
        return members.get(member);
    }

    /** A member whose value was not of its type is S3's InvalidArgument, naming the header or parameter sent. */
    private void check(String member) {
        MemberModel model = model(member);
        String value = failed.get(member);
        if (value != null) {
            throw S3Exception.invalidArgument(typeMessage(model), model.wireName(), value);
        }
    }

    /** Whether the operation's input has {@code member}. */
    boolean takes(String member) {
        return operation.input() != null && operation.input().member(member) != null;
    }

    private MemberModel model(String member) {
        MemberModel model = operation.input().member(member);
        if (model == null) {
            throw new IllegalArgumentException(operation.name() + " has no input member " + member);
        }
        return model;
    }

    private static String typeMessage(MemberModel member) {
        if (TYPE_MESSAGES.containsKey(member.name())) {
            return TYPE_MESSAGES.get(member.name());
        }
        if ("querystring".equals(member.location()) && member.shape().type() == ShapeModel.Type.INTEGER) {
            return "Provided " + member.wireName() + " not an integer or within integer range";
        }
        return TYPE_MESSAGES.getOrDefault(member.name(), "Invalid Argument");
    }

    /** The part an UploadPart(Copy) writes: 1 to 10,000, else S3's InvalidArgument naming {@code partNumber}. */
    int partNumber() {
        Integer number = integer("PartNumber");
        if (number == null || number < 1 || number > MultipartOperations.MAX_PARTS) {
            MemberModel model = model("PartNumber");
            throw S3Exception.invalidArgument(PART_NUMBER_MESSAGE, model.wireName(), failedOrSent(model));
        }
        return number;
    }

    /** A count from the query: {@code otherwise} when absent; negative or not an integer, S3's InvalidArgument. */
    int count(String member, int otherwise) {
        Integer value = integer(member);
        if (value == null) {
            return otherwise;
        }
        if (value < 0) {
            MemberModel model = operation.input().member(member);
            throw S3Exception.invalidArgument(typeMessage(model), model.wireName(), failedOrSent(model));
        }
        return value;
    }

    /** The value as the request sent it (the model's reading trims it). */
    private String failedOrSent(MemberModel member) {
        return "querystring".equals(member.location()) ? request.query().get(member.wireName())
                : request.header(member.wireName());
    }

    /** The body as bytes, at most {@code limit} and one more (to tell a body over the limit). */
    byte[] body(int limit) throws IOException {
        try (InputStream body = request.body().get()) {
            return body.readNBytes(limit + 1);
        }
    }

    /**
     * The XML payload read by its shape from the body (at most {@link RestXmlInput#MAX_XML_BODY}); {@code null} when
     * the body is empty and the model does not require it. Not well-formed, not the element the model names, a
     * required element missing or a value not of its type: MalformedXML.
     */
    Input document() throws IOException {
        Object payload = payload(body(RestXmlInput.MAX_XML_BODY));
        return (Input) payload;
    }

    /** The payload member read from {@code bytes} by the model (an XML document, or text). */
    Object payload(byte[] bytes) {
        String name = operation.input().payload();
        List<String> failures = new ArrayList<>();
        Input read;
        try {
            read = RestXmlInput.read(operation.input(), parts, bytes, failures);
        } catch (AwsException e) {
            throw e.code().equals("MalformedXML") ? S3Exception.malformedXml() : e;
        }
        if (!failed.keySet().containsAll(failedValues(failures).keySet())) {
            throw S3Exception.malformedXml(); // a value inside the document that is not of its type
        }
        Object payload = read.get(name);
        if (payload == null && operation.input().member(name).required()) {
            throw S3Exception.malformedXml();
        }
        if (payload instanceof Input document) {
            requireMembers(document);
        }
        return payload;
    }

    /** Every required element of a document and of the structures in it. */
    private static void requireMembers(Input structure) {
        for (MemberModel member : structure.shape().members().values()) {
            Object value = structure.get(member.name());
            if (value == null && member.required()) {
                throw S3Exception.malformedXml();
            }
            requireIn(value);
        }
    }

    private static void requireIn(Object value) {
        if (value instanceof Input nested) {
            requireMembers(nested);
        } else if (value instanceof List<?> items) {
            items.forEach(S3Input::requireIn);
        } else if (value instanceof Map<?, ?> entries) {
            entries.values().forEach(S3Input::requireIn);
        }
    }

    /**
     * The answer, written by the operation's output shape: headers, status and body, an XML body in S3's namespace
     * and under the document element S3 names.
     */
    S3Response respond(Shape output) {
        RestXmlOutput.Rendered rendered = RestXmlOutput.write(operation, output,
                DOCUMENT_ELEMENTS.getOrDefault(operation.name(), operation.name() + "Result"), ELEMENT_ORDER);
        Map<String, String> headers = new LinkedHashMap<>();
        ShapeModel shape = operation.output();
        boolean text = shape != null && shape.payload() != null
                && shape.member(shape.payload()).shape().type() != ShapeModel.Type.STRUCTURE;
        if (rendered.body() != null && !text) {
            headers.put("Content-Type", "application/xml");
        }
        headers.putAll(rendered.headers());
        return new S3Response(STATUSES.getOrDefault(operation.name(), rendered.status()), headers, rendered.body() == null ? new byte[0] : rendered.body(),
                null);
    }

    /**
     * The member and the value sent of each failure the codec reported ({@code Member: 'value' is not ...}); a
     * member that failed more than once keeps its first value.
     */
    private static Map<String, String> failedValues(List<String> failures) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String failure : failures) {
            int colon = failure.indexOf(": '");
            int end = failure.lastIndexOf("' is not ");
            if (colon > 0 && end > colon) {
                values.putIfAbsent(failure.substring(0, colon), failure.substring(colon + 3, end));
            } else {
                throw new IllegalStateException("unexpected codec failure: " + failure);
            }
        }
        return values;
    }
}
