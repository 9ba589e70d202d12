package dev.crossrole.server.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModel;
import dev.crossrole.server.model.ShapeModel;
import dev.crossrole.server.model.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.DynamicTest;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * crossrole's REST-JSON codec against the AWS SDK for Java v2, for every operation of a REST-JSON model (AWS Lambda's:
 * no service crossrole serves speaks REST-JSON; see {@code src/test/resources/rest-json-model}). As for the other
 * protocols: the SDK marshals a request with every member set and {@link RestJsonInput} reads the same values;
 * {@link RestJsonOutput} writes an output with every member set and the SDK reads the same values; every modeled
 * error, rendered as the pipeline renders JSON errors, becomes the SDK's exception of that shape.
 */
class SdkRestJsonRoundTripTest {
    private static final ServiceModel MODEL = TestModels.compile(Path.of("src/test/resources/rest-json-model"),
            "lambda");
    private static final String REQUEST_ID = "7f3e2d1c-0000-4000-8000-0123456789ab";

    /** Operations of the model that the SDK's synchronous Lambda client has no method for, each with why. */
    private static final Map<String, String> WITHOUT_SDK_METHOD = Map.of(
            "InvokeAsync", "deprecated; the SDK v2 has only Invoke",
            "InvokeWithResponseStream", "an event stream: only the SDK's asynchronous client has it");

    private static SdkOracle oracle() {
        return SdkOracle.of(LambdaClient.builder(), LambdaClient.class);
    }

    private static Stream<OperationModel> operationsOfTheSdk(SdkOracle oracle) {
        return MODEL.operations().stream().filter(operation -> oracle.method(operation) != null);
    }

    @Test
    void everyOperationOfTheModelHasItsSdkMethodOrAReason() {
        SdkOracle oracle = oracle();
        assertEquals(new java.util.TreeSet<>(WITHOUT_SDK_METHOD.keySet()), new java.util.TreeSet<>(MODEL.operations()
                .stream().filter(operation -> oracle.method(operation) == null).map(OperationModel::name).toList()));
    }

    @TestFactory
    Stream<DynamicTest> requests() {
        SdkOracle oracle = oracle();
        return operationsOfTheSdk(oracle).map(operation -> DynamicTest.dynamicTest(operation.name(),
                () -> request(oracle, operation)));
    }

    @TestFactory
    Stream<DynamicTest> outputs() {
        SdkOracle oracle = oracle();
        return operationsOfTheSdk(oracle).filter(operation -> operation.output() != null)
                .map(operation -> DynamicTest.dynamicTest(operation.name(), () -> output(oracle, operation)));
    }

    @TestFactory
    Stream<DynamicTest> errors() {
        SdkOracle oracle = oracle();
        Map<String, OperationModel> raisedBy = new LinkedHashMap<>();
        Map<String, ShapeModel> shapes = new LinkedHashMap<>();
        operationsOfTheSdk(oracle).forEach(operation -> {
            for (ShapeModel error : operation.errors()) {
                raisedBy.putIfAbsent(error.name(), operation);
                shapes.putIfAbsent(error.name(), error);
            }
        });
        return shapes.values().stream().map(error -> DynamicTest.dynamicTest(error.name(),
                () -> error(oracle, raisedBy.get(error.name()), error, oracle.exceptionClass(error))));
    }

    private static void request(SdkOracle oracle, OperationModel operation) {
        ShapeModel input = operation.input();
        MemberModel streamed = streamedPayload(input);
        ModelValues values = new ModelValues(streamed == null ? Set.of() : Set.of(input.name() + "." + streamed.name()),
                false).ignoringPatterns();
        ModelValues.Struct generated = values.structure(input);
        assertEquals(List.of(), values.unsatisfiable(), "members no simple value satisfies");
        List<String> unknownToSdk = new ArrayList<>();
        SdkRequest request = (SdkRequest) SdkOracle.build(oracle.requestBuilder(operation), input, generated,
                input.name(), unknownToSdk);
        assertEquals(List.of(), unknownToSdk, "members of the model the SDK's request lacks");

        SdkOracle.Exchange exchange = oracle.call(operation, request, operation.responseCode(),
                Map.of("Content-Type", List.of("application/json")), "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(operation.name(), exchange.operationName(), "the SDK method called is another operation");
        if (streamed != null) {
            assertArrayEquals(SdkOracle.STREAMED_REQUEST_BODY, exchange.body(), "the streamed body as sent");
        }
        RestXmlInput.Parts parts = SdkS3RoundTripTest.parts(operation, exchange.request());
        List<String> failures = new ArrayList<>();
        Input read = RestJsonInput.read(input, parts, streamed != null ? null : exchange.body(), failures);
        String shown = exchange.request() + "\n" + new String(exchange.body(), StandardCharsets.UTF_8);
        assertEquals(List.of(), failures, () -> "crossrole failed to read the request: " + shown);
        assertEquals(List.of(), SdkOracle.differences(input, read, (SdkPojo) request, ChronoUnit.MILLIS,
                ChronoUnit.SECONDS), () -> "crossrole read other values than the SDK sent: " + shown);
    }

    private static void output(SdkOracle oracle, OperationModel operation) {
        ShapeModel outputShape = operation.output();
        ModelValues values = new ModelValues(Set.of(), false).ignoringPatterns();
        ModelValues.Struct generated = values.structure(outputShape);
        assertEquals(List.of(), values.unsatisfiable(), "members no simple value satisfies");
        for (MemberModel member : outputShape.members().values()) {
            if ("statusCode".equals(member.location()) && generated.members().containsKey(member.name())) {
                generated.members().put(member.name(), 202); // a success status, or the SDK reads an error
            }
        }
        Shape output = (Shape) SdkOracle.toShape(outputShape, generated);
        RestXmlOutput.Rendered rendered = RestJsonOutput.write(operation, output);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        rendered.headers().forEach((name, value) -> headers.put(name, List.of(value)));
        headers.putIfAbsent("Content-Type", List.of("application/json"));
        headers.put("x-amzn-RequestId", List.of(REQUEST_ID));
        byte[] body = rendered.body() == null ? new byte[0] : rendered.body();
        SdkOracle.Exchange exchange = oracle.call(operation, emptyRequest(oracle, operation), rendered.status(),
                headers, body);
        String shown = rendered.status() + " " + rendered.headers() + "\n" + new String(body, StandardCharsets.UTF_8);
        MemberModel streamed = streamedPayload(outputShape);
        Shape expected = output;
        if (streamed != null) {
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

    private static void error(SdkOracle oracle, OperationModel operation, ShapeModel error, Class<?> expected) {
        String message = "The oracle's " + error.errorCode() + " for " + operation.name() + " <&>.";
        int status = error.errorStatus() == 0 ? 400 : error.errorStatus();
        AwsException rendered = new AwsException(error.errorCode(), status, message);
        byte[] body = JsonCodec.error(rendered);
        Map<String, List<String>> headers = Map.of("Content-Type", List.of("application/json"),
                "X-Amzn-ErrorType", List.of(error.errorCode()), "x-amzn-RequestId", List.of(REQUEST_ID));
        AwsServiceException thrown = assertThrows(AwsServiceException.class,
                () -> oracle.call(operation, emptyRequest(oracle, operation), status, headers, body));
        assertEquals(expected, thrown.getClass());
        assertEquals(error.errorCode(), thrown.awsErrorDetails().errorCode());
        assertEquals(message, thrown.awsErrorDetails().errorMessage());
        assertEquals(status, thrown.statusCode());
    }

    private static MemberModel streamedPayload(ShapeModel shape) {
        if (shape == null || shape.payload() == null) {
            return null;
        }
        MemberModel payload = shape.member(shape.payload());
        return payload.streaming() ? payload : null;
    }

    private static SdkRequest emptyRequest(SdkOracle oracle, OperationModel operation) {
        ShapeModel input = operation.input();
        ModelValues.Struct generated = new ModelValues(Set.of(), false).ignoringPatterns().structure(input);
        generated.members().keySet().removeIf(name -> !input.member(name).required());
        return (SdkRequest) SdkOracle.build(oracle.requestBuilder(operation), input, generated, input.name(),
                new ArrayList<>());
    }
}
