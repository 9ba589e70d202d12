package dev.crossrole.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModel;
import dev.crossrole.server.model.ServiceModels;
import dev.crossrole.server.model.ShapeModel;
import dev.crossrole.server.model.WireProtocol;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * crossrole's Query and JSON codecs against the AWS SDK for Java v2, for every operation of STS, IAM, ECS, KMS, Secrets Manager
 * and SSM:
 * <ul>
 *   <li>requests: the SDK marshals a request with every member set; crossrole reads it as the pipeline does and gets
 *       the same values, with no validation error;</li>
 *   <li>outputs: crossrole writes an output with every member set; the SDK unmarshalls the same values;</li>
 *   <li>errors: every error shape of the service, rendered by crossrole as the pipeline renders errors, becomes the
 *       SDK's exception of that shape with the same code, message and status.</li>
 * </ul>
 * Values come from crossrole's model (see {@link ModelValues}); the SDK's own metadata fills and reads its objects.
 * S3's REST-XML codec has its own: {@link SdkS3RoundTripTest}.
 */
class SdkRoundTripTest {
    /**
     * Members left unset, as {@code Shape.Member}, each with why. Empty: every member of the six services is
     * generated and round-tripped.
     */
    private static final Map<String, String> EXCLUDED_MEMBERS = Map.of();

    private static final String REQUEST_ID = "5e2b3c4d-0000-4000-8000-0123456789ab";

    /**
     * @param only the operations round-tripped, or {@code null} for all of the model's: SSM's model has some 150
     *     operations, of which crossrole serves Parameter Store's
     */
    private record Service(String id, Supplier<SdkOracle> oracle, String validationErrorCode,
                           java.util.Set<String> only) {
        Service(String id, Supplier<SdkOracle> oracle, String validationErrorCode) {
            this(id, oracle, validationErrorCode, null);
        }

        ServiceModel model() {
            return ServiceModels.all().byId(id);
        }

        List<OperationModel> operations() {
            return model().operations().stream().filter(o -> only == null || only.contains(o.name())).toList();
        }
    }

    private static final List<Service> SERVICES = List.of(
            new Service("sts", () -> SdkOracle.of(StsClient.builder(), StsClient.class), "ValidationError"),
            new Service("iam", () -> SdkOracle.of(IamClient.builder(), IamClient.class), "ValidationError"),
            new Service("ecs", () -> SdkOracle.of(EcsClient.builder(), EcsClient.class), "ValidationException"),
            new Service("kms", () -> SdkOracle.of(KmsClient.builder(), KmsClient.class), "ValidationException"),
            new Service("secretsmanager", () -> SdkOracle.of(SecretsManagerClient.builder(), SecretsManagerClient.class),
                    "ValidationException"),
            new Service("ecr", () -> SdkOracle.of(EcrClient.builder(), EcrClient.class), "InvalidParameterException"),
            new Service("ssm", () -> SdkOracle.of(SsmClient.builder(), SsmClient.class), "ValidationException",
                    java.util.Set.of("PutParameter", "GetParameter", "GetParameters", "GetParametersByPath",
                            "GetParameterHistory", "DeleteParameter", "DeleteParameters", "DescribeParameters",
                            "LabelParameterVersion", "UnlabelParameterVersion", "AddTagsToResource",
                            "RemoveTagsFromResource", "ListTagsForResource")),
            new Service("logs", () -> SdkOracle.of(CloudWatchLogsClient.builder(), CloudWatchLogsClient.class),
                    "InvalidParameterException", java.util.Set.of("CreateLogGroup", "DeleteLogGroup", "AssociateKmsKey",
                            "DisassociateKmsKey",
                            "DescribeLogGroups", "PutRetentionPolicy", "DeleteRetentionPolicy", "CreateLogStream",
                            "DeleteLogStream", "DescribeLogStreams", "PutLogEvents", "GetLogEvents", "FilterLogEvents",
                            "TagResource", "UntagResource", "ListTagsForResource", "TagLogGroup", "UntagLogGroup",
                            "ListTagsLogGroup", "PutMetricFilter", "DescribeMetricFilters", "DeleteMetricFilter",
                            "TestMetricFilter", "PutResourcePolicy", "DescribeResourcePolicies",
                            "DeleteResourcePolicy")),
            new Service("sqs", () -> SdkOracle.of(SqsClient.builder()
                    // The oracle's outputs are made up: their digests cannot match what the SDK computes.
                    .checksumValidationEnabled(false), SqsClient.class), "InvalidParameterValue",
                    java.util.Set.of("CreateQueue", "GetQueueUrl", "ListQueues", "DeleteQueue", "GetQueueAttributes",
                            "SetQueueAttributes", "PurgeQueue", "SendMessage", "SendMessageBatch", "ReceiveMessage",
                            "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility",
                            "ChangeMessageVisibilityBatch", "TagQueue", "UntagQueue", "ListQueueTags", "AddPermission",
                            "RemovePermission", "ListDeadLetterSourceQueues", "StartMessageMoveTask",
                            "ListMessageMoveTasks", "CancelMessageMoveTask")),
            new Service("dynamodb", () -> SdkOracle.of(DynamoDbClient.builder()
                    // Endpoint discovery and CRC32 checks are the SDK's own business, not the wire's.
                    .endpointDiscoveryEnabled(false), DynamoDbClient.class), "ValidationException",
                    java.util.Set.of("CreateTable", "DescribeTable", "ListTables", "UpdateTable", "DeleteTable",
                            "DescribeLimits", "PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan",
                            "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems",
                            "UpdateTimeToLive", "DescribeTimeToLive", "TagResource", "UntagResource",
                            "ListTagsOfResource", "PutResourcePolicy", "GetResourcePolicy", "DeleteResourcePolicy")),
            new Service("sns", () -> SdkOracle.of(SnsClient.builder(), SnsClient.class), "ValidationError",
                    java.util.Set.of("CreateTopic", "DeleteTopic", "ListTopics", "GetTopicAttributes",
                            "SetTopicAttributes", "AddPermission", "RemovePermission", "TagResource", "UntagResource",
                            "ListTagsForResource", "Subscribe", "ConfirmSubscription", "Unsubscribe",
                            "ListSubscriptions", "ListSubscriptionsByTopic", "GetSubscriptionAttributes",
                            "SetSubscriptionAttributes", "Publish", "PublishBatch")),
            new Service("cloudtrail", () -> SdkOracle.of(CloudTrailClient.builder(), CloudTrailClient.class),
                    "ValidationException", java.util.Set.of("LookupEvents")));

    @TestFactory
    Stream<DynamicNode> requests() {
        return SERVICES.stream().map(service -> {
            SdkOracle oracle = service.oracle().get();
            return DynamicContainer.dynamicContainer(service.id(), service.operations().stream()
                    .map(operation -> DynamicTest.dynamicTest(operation.name(),
                            () -> request(service, oracle, operation, false))));
        });
    }

    /** Requests whose lists and maps are empty where the model allows: an empty list is not an absent one. */
    @TestFactory
    Stream<DynamicNode> requestsWithEmptyCollections() {
        return SERVICES.stream().map(service -> {
            SdkOracle oracle = service.oracle().get();
            return DynamicContainer.dynamicContainer(service.id(), service.operations().stream()
                    .filter(operation -> hasEmptyCollections(operation.input()))
                    .map(operation -> DynamicTest.dynamicTest(operation.name(),
                            () -> request(service, oracle, operation, true))));
        });
    }

    @TestFactory
    Stream<DynamicNode> outputs() {
        return SERVICES.stream().map(service -> {
            SdkOracle oracle = service.oracle().get();
            return DynamicContainer.dynamicContainer(service.id(), service.operations().stream()
                    .filter(operation -> operation.output() != null)
                    .map(operation -> DynamicTest.dynamicTest(operation.name(),
                            () -> output(service, oracle, operation, false))));
        });
    }

    @TestFactory
    Stream<DynamicNode> outputsWithEmptyCollections() {
        return SERVICES.stream().map(service -> {
            SdkOracle oracle = service.oracle().get();
            return DynamicContainer.dynamicContainer(service.id(), service.operations().stream()
                    .filter(operation -> hasEmptyCollections(operation.output()))
                    .map(operation -> DynamicTest.dynamicTest(operation.name(),
                            () -> output(service, oracle, operation, true))));
        });
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
    Stream<DynamicNode> errors() {
        return SERVICES.stream().map(service -> {
            SdkOracle oracle = service.oracle().get();
            // Each error shape once, called through the first operation that lists it.
            Map<String, OperationModel> raisedBy = new LinkedHashMap<>();
            Map<String, ShapeModel> shapes = new LinkedHashMap<>();
            for (OperationModel operation : service.operations()) {
                for (ShapeModel error : operation.errors()) {
                    raisedBy.putIfAbsent(error.name(), operation);
                    shapes.putIfAbsent(error.name(), error);
                }
            }
            OperationModel first = service.operations().get(0);
            // The validation error crossrole answers for any operation: the service's base exception, unless its model
            // declares the code (SSM's ValidationException).
            ShapeModel modelled = service.model().operations().stream().flatMap(o -> o.errors().stream())
                    .filter(e -> e.errorCode().equals(service.validationErrorCode())).findFirst().orElse(null);
            DynamicTest validation = DynamicTest.dynamicTest(service.validationErrorCode(), () -> error(service,
                    oracle, first, service.validationErrorCode(), 400, modelled != null ? oracle.exceptionClass(modelled)
                            : oracle.baseExceptionClass(first)));
            return DynamicContainer.dynamicContainer(service.id(), Stream.concat(shapes.values().stream()
                    .map(error -> DynamicTest.dynamicTest(error.name(), () -> error(service, oracle,
                            raisedBy.get(error.name()), error.errorCode(),
                            error.errorStatus() != 0 ? error.errorStatus() : 400, oracle.exceptionClass(error)))),
                    Stream.of(validation)));
        });
    }

    @TestFactory
    Stream<DynamicTest> everyOperationHasItsSdkMethod() {
        return SERVICES.stream().map(service -> DynamicTest.dynamicTest(service.id(), () -> {
            SdkOracle oracle = service.oracle().get();
            List<String> missing = new ArrayList<>();
            for (OperationModel operation : service.operations()) {
                if (oracle.method(operation) == null) {
                    missing.add(operation.name());
                }
            }
            assertEquals(List.of(), missing, "operations of crossrole's model without a method in the SDK");
        }));
    }

    private static void request(Service service, SdkOracle oracle, OperationModel operation,
                                boolean emptyCollections) {
        ServiceModel model = service.model();
        ShapeModel inputShape = operation.input();
        SdkRequest request;
        if (inputShape == null) {
            request = emptyRequest(oracle, operation);
        } else {
            ModelValues values = new ModelValues(EXCLUDED_MEMBERS.keySet(), emptyCollections);
            ModelValues.Struct generated = values.structure(inputShape);
            assertEquals(List.of(), values.unsatisfiable(), "members no simple value satisfies");
            List<String> unknownToSdk = new ArrayList<>();
            request = (SdkRequest) SdkOracle.build(oracle.requestBuilder(operation), inputShape, generated,
                    inputShape.name(), unknownToSdk);
            assertEquals(List.of(), unknownToSdk, "members of crossrole's model the SDK's request lacks");
            assertEquals(List.of(), SdkOracle.differences(inputShape, generated, (SdkPojo) request, ChronoUnit.MILLIS),
                    "the SDK's request object does not hold every generated value");
        }

        SdkOracle.Exchange exchange = oracle.call(operation, request, 200, successHeaders(model),
                model.protocol() == WireProtocol.QUERY
                        ? QueryOutput.success(model.xmlNamespace(), operation, null, REQUEST_ID)
                        : "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(operation.name(), exchange.operationName(), "the SDK method called is another operation");

        // Read as Pipeline.provided reads it.
        Input input;
        if (model.protocol() == WireProtocol.QUERY) {
            QueryParams params = QueryParams.parse(new String(exchange.body(), StandardCharsets.UTF_8));
            assertEquals(operation.name(), params.get("Action"));
            assertEquals(model.apiVersion(), params.get("Version"));
            input = OperationInput.fromQuery(operation, params, service.validationErrorCode());
        } else {
            String target = exchange.request().firstMatchingHeader("X-Amz-Target").orElse(null);
            assertEquals(operation.name(), JsonCodec.operation(target, model.targetPrefix()));
            input = OperationInput.fromJson(operation, exchange.body(), service.validationErrorCode());
        }
        if (inputShape == null) {
            assertNull(input);
            return;
        }
        assertNotNull(input);
        List<String> differences = new ArrayList<>(SdkOracle.differences(inputShape, input, (SdkPojo) request,
                ChronoUnit.MILLIS));
        if (model.protocol() == WireProtocol.QUERY) {
            // Over the Query protocol the SDK writes an empty list ("Tags=") but nothing at all for an empty map, so
            // no server can tell an empty map from an absent one.
            differences.removeIf(d -> d.matches(".*: crossrole has nothing, the SDK has \\w*Map \\{\\}"));
        }
        assertEquals(List.of(), differences, () -> "crossrole read other values than the SDK sent: "
                + new String(exchange.body(), StandardCharsets.UTF_8));
    }

    private static void output(Service service, SdkOracle oracle, OperationModel operation,
                               boolean emptyCollections) {
        ServiceModel model = service.model();
        ShapeModel outputShape = operation.output();
        ModelValues values = new ModelValues(EXCLUDED_MEMBERS.keySet(), emptyCollections);
        ModelValues.Struct generated = values.structure(outputShape);
        assertEquals(List.of(), values.unsatisfiable(), "members no simple value satisfies");
        Shape output = (Shape) SdkOracle.toShape(outputShape, generated);

        byte[] body;
        ChronoUnit precision;
        if (model.protocol() == WireProtocol.QUERY) {
            body = QueryOutput.success(model.xmlNamespace(), operation, output, REQUEST_ID);
            // Query responses carry timestamps to the second (XmlWriter.timestamp), as IAM's and STS's do.
            precision = ChronoUnit.SECONDS;
        } else {
            body = JsonOutput.success(operation, output);
            precision = ChronoUnit.MILLIS;
        }
        SdkOracle.Exchange exchange = oracle.call(operation, emptyRequest(oracle, operation), 200,
                successHeaders(model), body);
        assertEquals(List.of(), SdkOracle.differences(outputShape, output, (SdkPojo) exchange.response(), precision),
                () -> "the SDK read other values than crossrole wrote: " + new String(body, StandardCharsets.UTF_8));
    }

    private static void error(Service service, SdkOracle oracle, OperationModel operation, String code, int status,
                              Class<?> expected) {
        ServiceModel model = service.model();
        AwsException error = new AwsException(code, status, "The oracle's " + code + " for " + operation.name()
                + " <&>.");
        byte[] body;
        Map<String, List<String>> headers;
        // Rendered as Pipeline.error renders it.
        if (model.protocol() == WireProtocol.QUERY) {
            body = QueryCodec.error(model.xmlNamespace(), error, REQUEST_ID);
            headers = Map.of("Content-Type", List.of(QueryCodec.CONTENT_TYPE));
        } else {
            body = JsonCodec.error(error);
            headers = Map.of("Content-Type", List.of(JsonCodec.CONTENT_TYPE),
                    "X-Amzn-ErrorType", List.of(error.code()));
        }
        AwsServiceException thrown = assertThrows(AwsServiceException.class,
                () -> oracle.call(operation, emptyRequest(oracle, operation), status, headers, body));
        assertEquals(expected, thrown.getClass());
        assertEquals(error.code(), thrown.awsErrorDetails().errorCode());
        assertEquals(error.getMessage(), thrown.awsErrorDetails().errorMessage());
        assertEquals(status, thrown.statusCode());
    }

    private static SdkRequest emptyRequest(SdkOracle oracle, OperationModel operation) {
        return (SdkRequest) ((SdkBuilder<?, ?>) oracle.requestBuilder(operation)).build();
    }

    /** The headers of a success as the pipeline sends them. */
    private static Map<String, List<String>> successHeaders(ServiceModel model) {
        String contentType = model.protocol() == WireProtocol.QUERY ? QueryCodec.CONTENT_TYPE
                : "application/x-amz-json-" + model.jsonVersion();
        return Map.of("Content-Type", List.of(contentType), "x-amzn-RequestId", List.of(REQUEST_ID));
    }
}
