package dev.crossrole.server.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.auth.S3AuthErrors;
import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModel;
import dev.crossrole.server.model.ServiceModels;
import dev.crossrole.server.model.ShapeModel;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * crossrole's REST-XML codec ({@link RestXmlInput}, {@link RestXmlOutput}) against the AWS SDK for Java v2's S3
 * client, for every operation of crossrole's S3 model the client has:
 * <ul>
 *   <li>requests: the SDK marshals a request with every member set; the captured request, split into URI labels
 *       (by the operation's URI template), decoded query parameters, headers and payload, is read by
 *       {@link RestXmlInput} into the same values, with no failures;</li>
 *   <li>outputs: {@link RestXmlOutput} writes an output with every member set; served as the HTTP response, the SDK
 *       unmarshalls the same values;</li>
 *   <li>errors: every error shape of S3, rendered as the pipeline renders S3 errors, becomes the SDK's exception of
 *       that shape with the same code, message and status.</li>
 * </ul>
 * A streaming body is not a member of the SDK's objects: a request's is the {@link SdkOracle#STREAMED_REQUEST_BODY}
 * the SDK must send as is (crossrole's operation reads it as a stream, so {@link RestXmlInput} leaves it out), and an
 * output's is compared with the bytes the SDK's response stream gives.
 */
class SdkS3RoundTripTest {
    private static final String REQUEST_ID = "5e2b3c4d-0000-4000-8000-0123456789ab";

    /** Operations of crossrole's model that the SDK's synchronous S3 client has no method for, each with why. */
    private static final Map<String, String> WITHOUT_SDK_METHOD = new TreeMap<>(Map.of(
            "GetBucketLifecycle", "deprecated; the SDK v2 has only GetBucketLifecycleConfiguration",
            "PutBucketLifecycle", "deprecated; the SDK v2 has only PutBucketLifecycleConfiguration",
            "GetBucketNotification", "deprecated; the SDK v2 has only GetBucketNotificationConfiguration",
            "PutBucketNotification", "deprecated; the SDK v2 has only PutBucketNotificationConfiguration",
            "SelectObjectContent", "an event stream: only the SDK's asynchronous client has it"));

    private static final String URL_ENCODED_LISTING = "with EncodingType url the SDK URL-decodes the keys and prefixes"
            + " of the listing: encoding them is S3's operation's work, not the codec's, so the listing is plain";

    /** Members left unset, as {@code Shape.Member}, each with why. */
    private static final Map<String, String> EXCLUDED_MEMBERS = Map.of(
            "ListObjectsOutput.EncodingType", URL_ENCODED_LISTING,
            "ListObjectsV2Output.EncodingType", URL_ENCODED_LISTING,
            "ListObjectVersionsOutput.EncodingType", URL_ENCODED_LISTING,
            "ListMultipartUploadsOutput.EncodingType", URL_ENCODED_LISTING);

    /** A bucket name S3 and the SDK accept (the model does not constrain it; the SDK checks it for CreateBucket). */
    private static final String BUCKET_NAME = "oracle-bucket.1";
    /** A value of a member the SDK also puts into the host name (WriteGetObjectResponse's RequestRoute). */
    private static final String HOST_LABEL = "oracle-route-1";
    /** An HTTP date: S3's Expires header, a string in crossrole's model and a timestamp in the SDK's. */
    private static final String EXPIRES = "Mon, 06 May 2024 07:08:09 GMT";
    /**
     * The checksum algorithm of requests: one the SDK computes without the AWS CRT (it computes the algorithm named,
     * even where S3 does not demand a checksum; MD5, CRC64NVME and the XXHASH family it cannot without the CRT).
     */
    private static final String CHECKSUM_ALGORITHM = "SHA256";

    private static final ServiceModel MODEL = ServiceModels.all().byId("s3");

    private static SdkOracle oracle() {
        return SdkOracle.of(S3Client.builder()
                .forcePathStyle(true)
                // Plain SigV4 for S3 Express operations (ListDirectoryBuckets) too, without a session to create first.
                .disableS3ExpressSessionAuth(true)
                // Checksums only where S3 demands them: the oracle's bytes carry none the SDK would compute.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build()), S3Client.class);
    }

    private static Stream<OperationModel> operationsOfTheSdk(SdkOracle oracle) {
        return MODEL.operations().stream().filter(operation -> oracle.method(operation) != null);
    }

    @Test
    void everyOperationHasItsSdkMethodOrAReason() {
        SdkOracle oracle = oracle();
        List<String> missing = MODEL.operations().stream().filter(operation -> oracle.method(operation) == null)
                .map(OperationModel::name).sorted().toList();
        assertEquals(List.copyOf(WITHOUT_SDK_METHOD.keySet()), missing,
                "operations of crossrole's model without a method in the SDK's S3 client");
    }

    @TestFactory
    Stream<DynamicTest> requests() {
        SdkOracle oracle = oracle();
        return operationsOfTheSdk(oracle).map(operation -> DynamicTest.dynamicTest(operation.name(),
                () -> request(oracle, operation, false)));
    }

    @TestFactory
    Stream<DynamicTest> requestsWithEmptyCollections() {
        SdkOracle oracle = oracle();
        return operationsOfTheSdk(oracle).filter(operation -> hasEmptyCollections(operation.input()))
                .map(operation -> DynamicTest.dynamicTest(operation.name(), () -> request(oracle, operation, true)));
    }

    @TestFactory
    Stream<DynamicTest> outputs() {
        SdkOracle oracle = oracle();
        return operationsOfTheSdk(oracle).filter(operation -> operation.output() != null)
                .map(operation -> DynamicTest.dynamicTest(operation.name(), () -> output(oracle, operation, false)));
    }

    @TestFactory
    Stream<DynamicTest> outputsWithEmptyCollections() {
        SdkOracle oracle = oracle();
        return operationsOfTheSdk(oracle).filter(operation -> hasEmptyCollections(operation.output()))
                .map(operation -> DynamicTest.dynamicTest(operation.name(), () -> output(oracle, operation, true)));
    }

    private static boolean hasEmptyCollections(ShapeModel shape) {
        if (shape == null) {
            return false;
        }
        ModelValues values = new ModelValues(EXCLUDED_MEMBERS.keySet(), true);
        values.structure(shape);
        return values.emptied() > 0;
    }

    @TestFactory
    Stream<DynamicTest> errors() {
        SdkOracle oracle = oracle();
        // Each error shape once, called through the first operation of the SDK that lists it.
        Map<String, OperationModel> raisedBy = new LinkedHashMap<>();
        Map<String, ShapeModel> shapes = new LinkedHashMap<>();
        operationsOfTheSdk(oracle).forEach(operation -> {
            for (ShapeModel error : operation.errors()) {
                raisedBy.putIfAbsent(error.name(), operation);
                shapes.putIfAbsent(error.name(), error);
            }
        });
        OperationModel listObjects = MODEL.operations().stream()
                .filter(operation -> operation.name().equals("ListObjectsV2")).findFirst().orElseThrow();
        // A code S3 does not model (most of S3's errors): the service's base exception.
        DynamicTest unmodeled = DynamicTest.dynamicTest("InvalidArgument", () -> error(oracle, listObjects,
                "InvalidArgument", 400, Map.of("ArgumentName", "max-keys"),
                software.amazon.awssdk.services.s3.model.S3Exception.class));
        return Stream.concat(shapes.values().stream().map(error -> DynamicTest.dynamicTest(error.name(),
                () -> error(oracle, raisedBy.get(error.name()), error.errorCode(), error.errorStatus(),
                        errorMembers(error), oracle.exceptionClass(error)))), Stream.of(unmodeled));
    }

    /** The members an error shape models, generated, as the elements after {@code <Message>}. */
    private static Map<String, String> errorMembers(ShapeModel error) {
        Map<String, String> members = new LinkedHashMap<>();
        new ModelValues(Set.of(), false).structure(error).members()
                .forEach((name, value) -> members.put(name, String.valueOf(value)));
        return members;
    }

    // ---- requests ----------------------------------------------------------------------------------------------

    private static void request(SdkOracle oracle, OperationModel operation, boolean emptyCollections) {
        ShapeModel inputShape = operation.input();
        MemberModel streamed = streamedPayload(inputShape);
        Set<String> excluded = new java.util.HashSet<>(EXCLUDED_MEMBERS.keySet());
        if (streamed != null) {
            excluded.add(inputShape.name() + "." + streamed.name());
        }
        ModelValues values = new ModelValues(excluded, emptyCollections);
        ModelValues.Struct generated = values.structure(inputShape);
        assertEquals(List.of(), values.unsatisfiable(), "members no simple value satisfies");
        wireConstraints(operation, inputShape, generated);
        List<String> unknownToSdk = new ArrayList<>();
        SdkRequest request = (SdkRequest) SdkOracle.build(oracle.requestBuilder(operation), inputShape, generated,
                inputShape.name(), unknownToSdk);
        assertEquals(List.of(), unknownToSdk, "members of crossrole's model the SDK's request lacks");
        assertEquals(List.of(), SdkOracle.differences(inputShape, generated, (SdkPojo) request, ChronoUnit.MILLIS,
                ChronoUnit.MILLIS), "the SDK's request object does not hold every generated value");

        RestXmlOutput.Rendered answer = RestXmlOutput.write(operation, null, null);
        SdkOracle.Exchange exchange = oracle.call(operation, request, answer.status(), Map.of(), new byte[0]);
        assertEquals(operation.name(), exchange.operationName(), "the SDK method called is another operation");
        assertEquals(operation.httpMethod(), exchange.request().method().name());

        byte[] payload = null;
        if (streamed != null) {
            assertArrayEquals(SdkOracle.STREAMED_REQUEST_BODY, exchange.body(), "the streamed body as sent");
        } else if (inputShape.payload() != null) {
            payload = exchange.body();
        }
        RestXmlInput.Parts parts = parts(operation, exchange.request());
        List<String> failures = new ArrayList<>();
        Input input = RestXmlInput.read(inputShape, parts, payload, failures);
        String shown = exchange.request() + "\n" + new String(exchange.body(), StandardCharsets.UTF_8);
        assertEquals(List.of(), failures, () -> "crossrole failed to read the request: " + shown);
        assertEquals(List.of(), SdkOracle.differences(inputShape, input, (SdkPojo) request, ChronoUnit.MILLIS,
                ChronoUnit.SECONDS), () -> "crossrole read other values than the SDK sent: " + shown);
    }

    /**
     * Generated values replaced where HTTP or S3 constrain them beyond the model: an HTTP date for Expires, a valid
     * bucket name to create, a checksum algorithm the SDK computes, a host name label, the streamed body's true
     * length.
     */
    private static void wireConstraints(OperationModel operation, ShapeModel shape, ModelValues.Struct generated) {
        Map<String, Object> members = generated.members();
        for (MemberModel member : shape.members().values()) {
            if (!members.containsKey(member.name())) {
                continue;
            }
            String type = member.shape().name();
            if (type.equals("Expires")) {
                members.put(member.name(), EXPIRES);
            } else if (type.equals("ChecksumAlgorithm")) {
                members.put(member.name(), CHECKSUM_ALGORITHM);
            } else if (member.hostLabel()) {
                members.put(member.name(), HOST_LABEL);
            }
        }
        if (operation.name().equals("CreateBucket") && shape == operation.input()) {
            members.put("Bucket", BUCKET_NAME);
        }
        if (streamedPayload(shape) != null && members.containsKey("ContentLength")) {
            members.put("ContentLength", (long) SdkOracle.STREAMED_REQUEST_BODY.length);
        }
    }

    /** The payload member of a shape when it streams (a blob crossrole's operation reads itself), else null. */
    private static MemberModel streamedPayload(ShapeModel shape) {
        if (shape == null || shape.payload() == null) {
            return null;
        }
        MemberModel payload = shape.member(shape.payload());
        return payload.streaming() ? payload : null;
    }

    /**
     * What the HTTP front gives the codec: the URI labels matched against the operation's URI template
     * ({@code {Key+}} greedy), percent-decoded ({@code +} stays a plus); the query parameters form-decoded, the first
     * of a name winning, as {@code S3Http} decodes them; the headers in order, one entry per value.
     */
    static RestXmlInput.Parts parts(OperationModel operation, SdkHttpRequest request) {
        String template = operation.requestUri();
        int question = template.indexOf('?');
        String pathTemplate = question < 0 ? template : template.substring(0, question);
        List<String> labels = new ArrayList<>();
        StringBuilder regex = new StringBuilder();
        Matcher label = Pattern.compile("\\{([^}+]+)(\\+?)}").matcher(pathTemplate);
        int at = 0;
        while (label.find()) {
            regex.append(Pattern.quote(pathTemplate.substring(at, label.start())));
            regex.append(label.group(2).isEmpty() ? "([^/]*)" : "(.*)");
            labels.add(label.group(1));
            at = label.end();
        }
        regex.append(Pattern.quote(pathTemplate.substring(at)));
        URI uri = request.getUri();
        Matcher path = Pattern.compile(regex.toString()).matcher(uri.getRawPath());
        assertTrue(path.matches(), () -> uri.getRawPath() + " does not match " + pathTemplate);
        Map<String, String> labelValues = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            labelValues.put(labels.get(i), percentDecode(path.group(i + 1)));
        }

        Map<String, String> query = new LinkedHashMap<>();
        Map<String, List<String>> queryValues = new LinkedHashMap<>();
        String rawQuery = uri.getRawQuery();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.putIfAbsent(name, value);
                queryValues.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        }

        List<Map.Entry<String, String>> headers = new ArrayList<>();
        request.forEachHeader((name, headerValues) -> headerValues.forEach(
                value -> headers.add(new AbstractMap.SimpleEntry<>(name, value))));
        return new RestXmlInput.Parts(labelValues, query, headers, queryValues);
    }

    private static String percentDecode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    // ---- outputs -----------------------------------------------------------------------------------------------

    private static void output(SdkOracle oracle, OperationModel operation, boolean emptyCollections) {
        ShapeModel outputShape = operation.output();
        ModelValues values = new ModelValues(EXCLUDED_MEMBERS.keySet(), emptyCollections);
        ModelValues.Struct generated = values.structure(outputShape);
        assertEquals(List.of(), values.unsatisfiable(), "members no simple value satisfies");
        wireConstraints(operation, outputShape, generated);
        Shape output = (Shape) SdkOracle.toShape(outputShape, generated);

        RestXmlOutput.Rendered rendered = RestXmlOutput.write(operation, output, outputShape.name());
        Map<String, List<String>> headers = new LinkedHashMap<>();
        rendered.headers().forEach((name, value) -> headers.put(name, List.of(value)));
        MemberModel streamed = streamedPayload(outputShape);
        if (streamed == null && rendered.body() != null && shape(outputShape.payload(), outputShape) != ShapeModel.Type.BLOB) {
            headers.putIfAbsent("Content-Type", List.of("application/xml"));
        }
        headers.put("x-amz-request-id", List.of(REQUEST_ID));
        byte[] body = rendered.body() == null ? new byte[0] : rendered.body();
        SdkOracle.Exchange exchange = oracle.call(operation, emptyRequest(oracle, operation), rendered.status(),
                headers, body);
        String shown = rendered.status() + " " + rendered.headers() + "\n" + new String(body, StandardCharsets.UTF_8);

        Shape expected = output;
        if (streamed != null) {
            // The streamed body is no member of the SDK's response object: it is what the response stream gives.
            assertArrayEquals((byte[]) output.get(streamed.name()), exchange.streamed(), "the streamed body");
            expected = Shape.of();
            for (Map.Entry<String, Object> member : output.members().entrySet()) {
                if (!member.getKey().equals(streamed.name())) {
                    expected.put(member.getKey(), member.getValue());
                }
            }
        }
        assertNotNull(exchange.response());
        assertEquals(List.of(), SdkOracle.differences(outputShape, expected, (SdkPojo) exchange.response(),
                ChronoUnit.MILLIS, ChronoUnit.SECONDS), () -> "the SDK read other values than crossrole wrote: " + shown);
    }

    private static ShapeModel.Type shape(String member, ShapeModel shape) {
        return member == null ? null : shape.member(member).shape().type();
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    private static void error(SdkOracle oracle, OperationModel operation, String code, int status,
                              Map<String, String> members, Class<?> expected) throws ReflectiveOperationException {
        String message = "The oracle's " + code + " for " + operation.name() + " <&>.";
        byte[] body = errorXml(new S3AuthErrors.S3Error(code, status, message, members));
        // Served as Pipeline.error serves it.
        Map<String, List<String>> headers = Map.of("Content-Type", List.of("application/xml"),
                "x-amz-request-id", List.of(REQUEST_ID));
        AwsServiceException thrown = assertThrows(AwsServiceException.class,
                () -> oracle.call(operation, emptyRequest(oracle, operation), status, headers, body));
        assertEquals(expected, thrown.getClass());
        assertEquals(code, thrown.awsErrorDetails().errorCode());
        assertEquals(message, thrown.awsErrorDetails().errorMessage());
        assertEquals(status, thrown.statusCode());
        assertEquals(REQUEST_ID, thrown.requestId());
    }

    /** The error document as the pipeline renders it ({@code S3Http.errorXml}, which the http package keeps). */
    private static byte[] errorXml(S3AuthErrors.S3Error error) throws ReflectiveOperationException {
        Method render = Class.forName("dev.crossrole.server.http.S3Http")
                .getDeclaredMethod("errorXml", S3AuthErrors.S3Error.class, String.class);
        render.setAccessible(true);
        return (byte[]) render.invoke(null, error, REQUEST_ID);
    }

    /** A request with its required members alone (the SDK refuses one without them), for outputs and errors. */
    private static SdkRequest emptyRequest(SdkOracle oracle, OperationModel operation) {
        ShapeModel input = operation.input();
        ModelValues.Struct generated = new ModelValues(Set.of(), false).structure(input);
        generated.members().keySet().removeIf(name -> !input.member(name).required());
        wireConstraints(operation, input, generated);
        return (SdkRequest) SdkOracle.build(oracle.requestBuilder(operation), input, generated, input.name(),
                new ArrayList<>());
    }
}
