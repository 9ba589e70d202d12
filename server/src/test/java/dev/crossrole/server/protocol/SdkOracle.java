package dev.crossrole.server.protocol;

import dev.crossrole.server.model.MemberModel;
import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ShapeModel;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * A real SDK client of one service, on an HTTP client that records each request and answers with bytes the test
 * chose: what the SDK marshals is read by crossrole's codecs, and what crossrole's codecs write is unmarshalled by
 * the SDK. Also the bridges between crossrole's model and the SDK's own metadata ({@link SdkField}s by member name).
 */
final class SdkOracle {
    private final Class<?> clientInterface;
    private final String modelPackage;
    private final Recorder http = new Recorder();
    private SdkClient client;
    private String lastOperationName;

    private SdkOracle(Class<?> clientInterface) {
        this.clientInterface = clientInterface;
        this.modelPackage = clientInterface.getPackageName() + ".model";
    }

    /** {@code builder}: the service client's builder ({@code IamClient.builder()}). */
    static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C extends SdkClient> SdkOracle of(
            B builder, Class<C> clientInterface) {
        SdkOracle oracle = new SdkOracle(clientInterface);
        oracle.client = builder.httpClient(oracle.http)
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAORACLE", "secret")))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .addExecutionInterceptor(oracle.new OperationNames()))
                .build();
        return oracle;
    }

    /**
     * The exchange of one call: the request as sent, and the answer it was given. {@code streamed}: the bytes the
     * SDK handed on of a streaming response body ({@code null} when the operation's response does not stream).
     */
    record Exchange(SdkHttpRequest request, byte[] body, String operationName, Object response, byte[] streamed) {}

    /** The body the oracle gives operations whose request streams one ({@code PutObject}): bytes no text decodes. */
    static final byte[] STREAMED_REQUEST_BODY = {(byte) 0xf1, 0x00, '+', '/', (byte) 0x80, '\n', 'x'};

    /**
     * Calls the operation with {@code request}, answering {@code status}, {@code headers} and {@code responseBody};
     * returns what was sent and the SDK's response object. An exception the SDK throws is thrown as is.
     */
    Exchange call(OperationModel operation, SdkRequest request, int status, Map<String, List<String>> headers,
                  byte[] responseBody) {
        http.answer(status, headers, responseBody);
        Object response;
        byte[] streamed = null;
        try {
            Method method = method(operation);
            response = method.getParameterCount() == 2
                    ? method.invoke(client, request, RequestBody.fromBytes(STREAMED_REQUEST_BODY))
                    : method.invoke(client, request);
            if (response instanceof ResponseInputStream<?> stream) {
                try (stream) {
                    streamed = stream.readAllBytes();
                }
                response = stream.response();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return new Exchange(http.request, http.body, lastOperationName, response, streamed);
    }

    /**
     * The client method of the operation: the one of its name (case aside) taking its request object, and for an
     * operation whose request streams its body, the request object and a {@link RequestBody}.
     */
    Method method(OperationModel operation) {
        for (Method method : clientInterface.getMethods()) {
            Class<?>[] parameters = method.getParameterTypes();
            if (method.getName().equalsIgnoreCase(operation.name()) && parameters.length >= 1
                    && SdkRequest.class.isAssignableFrom(parameters[0])
                    && (parameters.length == 1 || parameters.length == 2 && parameters[1] == RequestBody.class)) {
                return method;
            }
        }
        return null;
    }

    /** A builder of the operation's request object. */
    SdkPojo requestBuilder(OperationModel operation) {
        try {
            return (SdkPojo) method(operation).getParameterTypes()[0].getMethod("builder").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SDK's exception class of an error shape (the SDK adds "Exception" to a name without it). */
    Class<?> exceptionClass(ShapeModel error) throws IOException, ClassNotFoundException {
        return modelClass(error.name().endsWith("Exception") ? error.name() : error.name() + "Exception");
    }

    /** The service's exception for codes it does not model ({@code IamException}: IamRequest's name). */
    Class<?> baseExceptionClass(OperationModel operation) throws IOException, ClassNotFoundException {
        String request = method(operation).getParameterTypes()[0].getSuperclass().getSimpleName();
        return modelClass(request.substring(0, request.length() - "Request".length()) + "Exception");
    }

    private Class<?> modelClass(String name) throws IOException, ClassNotFoundException {
        // The SDK also recases initialisms (IDPRejectedClaimException is IdpRejectedClaimException): the class of
        // the name, case aside, among the model package's classes.
        String folder = modelPackage.replace('.', '/') + "/";
        try (JarFile jar = new JarFile(new File(clientInterface.getProtectionDomain().getCodeSource().getLocation()
                .getPath()))) {
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                String entryName = entry.getName();
                if (entryName.startsWith(folder) && entryName.equalsIgnoreCase(folder + name + ".class")) {
                    return Class.forName(entryName.substring(0, entryName.length() - ".class".length())
                            .replace('/', '.'));
                }
            }
        }
        throw new ClassNotFoundException(modelPackage + "." + name + ", case aside");
    }

    // ---- generated values into SDK objects -----------------------------------------------------------------

    /**
     * Sets every generated member on an SDK builder and builds it. A member crossrole's model has and the SDK lacks
     * is added to {@code unknownToSdk}.
     */
    static Object build(SdkPojo builder, ShapeModel shape, ModelValues.Struct values, String path,
                        List<String> unknownToSdk) {
        Set<String> set = new HashSet<>();
        for (SdkField<?> field : builder.sdkFields()) {
            MemberModel member = memberOf(shape, field);
            Object value = member == null ? null : values.members().get(member.name());
            if (value != null) {
                field.set(builder, toSdk(field, member.shape(), value, path + "." + field.memberName(), unknownToSdk));
                set.add(member.name());
            }
        }
        for (String name : values.members().keySet()) {
            if (!set.contains(name)) {
                unknownToSdk.add(path + "." + name);
            }
        }
        return ((SdkBuilder<?, ?>) builder).build();
    }

    private static Object toSdk(SdkField<?> field, ShapeModel shape, Object value, String path,
                                List<String> unknownToSdk) {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.SDK_POJO) {
            return build(field.constructor().get(), shape, (ModelValues.Struct) value, path, unknownToSdk);
        }
        if (type == MarshallingType.LIST) {
            SdkField<?> memberField = field.getRequiredTrait(ListTrait.class).memberFieldInfo();
            List<Object> items = new ArrayList<>();
            for (Object item : (List<?>) value) {
                items.add(toSdk(memberField, shape.member().shape(), item, path + ".member", unknownToSdk));
            }
            return items;
        }
        if (type == MarshallingType.MAP) {
            SdkField<?> valueField = field.getRequiredTrait(MapTrait.class).valueFieldInfo();
            Map<String, Object> entries = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                entries.put((String) entry.getKey(),
                        toSdk(valueField, shape.value().shape(), entry.getValue(), path + ".value", unknownToSdk));
            }
            return entries;
        }
        if (type == MarshallingType.SDK_BYTES) {
            return SdkBytes.fromByteArray((byte[]) value);
        }
        if (type == MarshallingType.FLOAT) {
            return ((Number) value).floatValue();
        }
        if (type == MarshallingType.INSTANT && value instanceof String text) {
            return RestXmlInput.timestamp(text);
        }
        if (type == MarshallingType.DOCUMENT) {
            return document((JsonNode) value);
        }
        return value;
    }

    private static Document document(JsonNode node) {
        if (node.isObject()) {
            Map<String, Document> members = new LinkedHashMap<>();
            node.properties().forEach(entry -> members.put(entry.getKey(), document(entry.getValue())));
            return Document.fromMap(members);
        }
        if (node.isArray()) {
            List<Document> items = new ArrayList<>();
            node.forEach(item -> items.add(document(item)));
            return Document.fromList(items);
        }
        if (node.isNumber()) {
            return Document.fromNumber(node.decimalValue());
        }
        if (node.isBoolean()) {
            return Document.fromBoolean(node.booleanValue());
        }
        return node.isNull() ? Document.fromNull() : Document.fromString(node.textValue());
    }

    /** A document as plain values (maps, lists, strings, booleans, numbers as decimals), to compare two sides. */
    private static Object plain(Object document) {
        if (document instanceof JsonNode node) {
            if (node.isObject()) {
                Map<String, Object> members = new LinkedHashMap<>();
                node.properties().forEach(entry -> members.put(entry.getKey(), plain(entry.getValue())));
                return members;
            }
            if (node.isArray()) {
                List<Object> items = new ArrayList<>();
                node.forEach(item -> items.add(plain(item)));
                return items;
            }
            return node.isNumber() ? node.decimalValue().stripTrailingZeros()
                    : node.isBoolean() ? node.booleanValue() : node.isNull() ? null : node.textValue();
        }
        Document sdk = (Document) document;
        if (sdk.isMap()) {
            Map<String, Object> members = new LinkedHashMap<>();
            sdk.asMap().forEach((name, member) -> members.put(name, plain(member)));
            return members;
        }
        if (sdk.isList()) {
            List<Object> items = new ArrayList<>();
            sdk.asList().forEach(item -> items.add(plain(item)));
            return items;
        }
        return sdk.isNumber() ? sdk.asNumber().bigDecimalValue().stripTrailingZeros()
                : sdk.isBoolean() ? sdk.asBoolean() : sdk.isNull() ? null : sdk.asString();
    }

    /** Generated values as a crossrole output {@link Shape}. */
    static Object toShape(ShapeModel shape, Object value) {
        return switch (shape.type()) {
            case STRUCTURE -> {
                Shape result = Shape.of();
                ((ModelValues.Struct) value).members().forEach((name, member) ->
                        result.put(name, toShape(shape.member(name).shape(), member)));
                yield result;
            }
            case LIST -> {
                List<Object> items = new ArrayList<>();
                for (Object item : (List<?>) value) {
                    items.add(toShape(shape.member().shape(), item));
                }
                yield items;
            }
            case MAP -> {
                Map<String, Object> entries = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((k, v) -> entries.put((String) k, toShape(shape.value().shape(), v)));
                yield entries;
            }
            default -> value;
        };
    }

    // ---- comparison ------------------------------------------------------------------------------------------

    /**
     * The differences between a structure on crossrole's side (an {@link Input}, an output {@link Shape} or generated
     * values) and the SDK's object, member by member, to the depth of both; timestamps compared to {@code precision}.
     */
    static List<String> differences(ShapeModel shape, Object crossrole, SdkPojo sdk, ChronoUnit precision) {
        List<String> differences = new ArrayList<>();
        compareStructure(shape, crossrole, sdk, precision, null, shape.name(), differences);
        return differences;
    }

    /**
     * As {@link #differences(ShapeModel, Object, SdkPojo, ChronoUnit)} for a REST input or output, as far as the
     * wire carries them: timestamps written as HTTP dates or epoch seconds (a header's by default) are compared to
     * {@code headerPrecision}; the keys of a map bound to prefixed headers ({@code x-amz-meta-*}) case aside, as header names carry
     * no case; an empty list or map where nothing of it would be written (flattened in XML, or bound to a header or
     * the query string) is the same as none. SDK members crossrole's model names otherwise are matched by where they
     * are on the wire ({@link #memberOf}).
     */
    static List<String> differences(ShapeModel shape, Object crossrole, SdkPojo sdk, ChronoUnit precision,
                                    ChronoUnit headerPrecision) {
        List<String> differences = new ArrayList<>();
        compareStructure(shape, crossrole, sdk, precision, headerPrecision, shape.name(), differences);
        return differences;
    }

    private static Map<String, Object> members(Object structure) {
        if (structure instanceof Input input) {
            return input.values();
        }
        if (structure instanceof Shape shape) {
            return shape.members();
        }
        return ((ModelValues.Struct) structure).members();
    }

    private static void compareStructure(ShapeModel shape, Object crossrole, SdkPojo sdk, ChronoUnit precision,
                                         ChronoUnit headerPrecision, String path, List<String> differences) {
        Map<String, Object> members = members(crossrole);
        Set<String> compared = new HashSet<>();
        for (SdkField<?> field : sdk.sdkFields()) {
            Object sdkValue = present(field.getValueOrDefault(sdk));
            MemberModel member = headerPrecision == null ? memberNamed(shape, field) : memberOf(shape, field);
            String memberPath = path + "." + field.memberName();
            if (member == null) {
                if (sdkValue != null) {
                    differences.add(memberPath + ": the SDK has " + sdkValue + ", crossrole's model has no such member");
                }
                continue;
            }
            compared.add(member.name());
            Object ours = members.get(member.name());
            if (headerPrecision != null) {
                if ("headers".equals(member.location())) {
                    ours = keysInLowerCase(ours);
                    sdkValue = keysInLowerCase(sdkValue);
                }
                boolean unwritten = member.flattened() || member.location() != null;
                if (unwritten && (ours == null && isEmpty(sdkValue) || sdkValue == null && isEmpty(ours))) {
                    continue;
                }
            }
            compareValue(field, member.shape(), ours, sdkValue,
                    headerPrecision != null && inSeconds(member) ? headerPrecision : precision, headerPrecision,
                    memberPath, differences);
        }
        for (Map.Entry<String, Object> member : members.entrySet()) {
            if (!compared.contains(member.getKey()) && member.getValue() != null) {
                differences.add(path + "." + member.getKey() + ": crossrole has " + member.getValue()
                        + ", the SDK's object has no such member");
            }
        }
    }

    private static void compareValue(SdkField<?> field, ShapeModel shape, Object crossrole, Object sdk,
                                     ChronoUnit precision, ChronoUnit headerPrecision, String path,
                                     List<String> differences) {
        if (crossrole == null || sdk == null) {
            if (crossrole != sdk) {
                differences.add(path + ": crossrole has " + shown(crossrole) + ", the SDK has " + shown(sdk));
            }
            return;
        }
        MarshallingType<?> type = field.marshallingType();
        boolean equal;
        if (type == MarshallingType.SDK_POJO) {
            compareStructure(shape, crossrole, (SdkPojo) sdk, precision, headerPrecision, path, differences);
            return;
        } else if (type == MarshallingType.LIST) {
            List<?> ours = (List<?>) crossrole;
            List<?> theirs = (List<?>) sdk;
            if (ours.size() != theirs.size()) {
                differences.add(path + ": crossrole has " + ours.size() + " elements " + ours + ", the SDK "
                        + theirs.size() + " " + theirs);
                return;
            }
            SdkField<?> memberField = field.getRequiredTrait(ListTrait.class).memberFieldInfo();
            for (int i = 0; i < ours.size(); i++) {
                compareValue(memberField, shape.member().shape(), ours.get(i), theirs.get(i), precision, headerPrecision,
                        path + "[" + i + "]", differences);
            }
            return;
        } else if (type == MarshallingType.MAP) {
            Map<?, ?> ours = (Map<?, ?>) crossrole;
            Map<?, ?> theirs = (Map<?, ?>) sdk;
            if (!ours.keySet().equals(theirs.keySet())) {
                differences.add(path + ": crossrole has the keys " + ours.keySet() + ", the SDK " + theirs.keySet());
                return;
            }
            SdkField<?> valueField = field.getRequiredTrait(MapTrait.class).valueFieldInfo();
            for (Map.Entry<?, ?> entry : ours.entrySet()) {
                compareValue(valueField, shape.value().shape(), entry.getValue(), theirs.get(entry.getKey()),
                        precision, headerPrecision, path + "{" + entry.getKey() + "}", differences);
            }
            return;
        } else if (type == MarshallingType.DOCUMENT) {
            equal = crossrole instanceof JsonNode && plain(crossrole).equals(plain(sdk));
        } else if (type == MarshallingType.SDK_BYTES) {
            equal = crossrole instanceof byte[] bytes && Arrays.equals(bytes, ((SdkBytes) sdk).asByteArray());
        } else if (type == MarshallingType.INSTANT) {
            // A timestamp crossrole's model holds as a string (S3's Expires, an HTTP date) is one in the SDK.
            Object ours = crossrole instanceof String text ? RestXmlInput.timestamp(text) : crossrole;
            equal = ours instanceof Instant instant
                    && instant.truncatedTo(precision).equals(((Instant) sdk).truncatedTo(precision));
        } else if (type == MarshallingType.DOUBLE || type == MarshallingType.FLOAT) {
            equal = crossrole instanceof Number number && number.doubleValue() == ((Number) sdk).doubleValue();
        } else if (type == MarshallingType.INTEGER || type == MarshallingType.LONG) {
            equal = crossrole instanceof Number number && number.longValue() == ((Number) sdk).longValue();
        } else {
            equal = crossrole.equals(sdk);
        }
        if (!equal) {
            differences.add(path + ": crossrole has " + shown(crossrole) + ", the SDK has " + shown(sdk));
        }
    }

    /** Whether a REST member's timestamps are written to the second: HTTP dates (a header's default) and epochs. */
    private static boolean inSeconds(MemberModel member) {
        String format = member.timestampFormat() != null ? member.timestampFormat()
                : "header".equals(member.location()) ? "rfc822" : "iso8601";
        return !format.equals("iso8601");
    }

    private static boolean isEmpty(Object collection) {
        return collection instanceof java.util.Collection<?> items && items.isEmpty()
                || collection instanceof Map<?, ?> entries && entries.isEmpty();
    }

    /**
     * The member of crossrole's model an SDK field stands for: the one of its name, else the one at the same place
     * on the wire (the SDK renames some: UploadPartCopy's {@code Bucket} is its {@code DestinationBucket}, and it
     * reads S3's {@code Expires} header also as {@code ExpiresString}); {@code null} when there is none.
     */
    static MemberModel memberOf(ShapeModel shape, SdkField<?> field) {
        MemberModel member = memberNamed(shape, field);
        if (member != null) {
            return member;
        }
        String location = switch (field.location()) {
            case PATH, GREEDY_PATH -> "uri";
            case QUERY_PARAM -> "querystring";
            case HEADER -> field.locationName().endsWith("-") ? "headers" : "header";
            default -> null;
        };
        if (location == null) {
            return null;
        }
        for (MemberModel candidate : shape.members().values()) {
            if (location.equals(candidate.location()) && candidate.wireName().equalsIgnoreCase(field.locationName())) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The member of an SDK field's name, else the body member it marshals as: the SDK renames some (SNS's
     * AddPermission lists, AWSAccountId and ActionName, are its AWSAccountIds and ActionNames).
     */
    private static MemberModel memberNamed(ShapeModel shape, SdkField<?> field) {
        MemberModel member = shape.member(field.memberName());
        if (member != null) {
            return member;
        }
        if (field.location() == software.amazon.awssdk.core.protocol.MarshallLocation.PAYLOAD
                && field.locationName() != null) {
            return shape.member(field.locationName());
        }
        return null;
    }

    private static Object keysInLowerCase(Object map) {
        if (map == null) {
            return null;
        }
        Map<String, Object> lowered = new LinkedHashMap<>();
        ((Map<?, ?>) map).forEach((key, value) -> lowered.put(((String) key).toLowerCase(java.util.Locale.ROOT), value));
        return lowered;
    }

    /** An SDK value, or {@code null} for an unset list or map (which the SDK gives as an empty "auto" one). */
    private static Object present(Object value) {
        return value instanceof SdkAutoConstructList<?> || value instanceof SdkAutoConstructMap<?, ?> ? null : value;
    }

    private static String shown(Object value) {
        if (value instanceof byte[] bytes) {
            return Arrays.toString(bytes);
        }
        if (value instanceof SdkBytes bytes) {
            return Arrays.toString(bytes.asByteArray());
        }
        return value == null ? "nothing" : value.getClass().getSimpleName() + " " + value;
    }

    // ---- the HTTP side ---------------------------------------------------------------------------------------

    /** Records the request and answers with what {@link #answer} set. */
    private static final class Recorder implements SdkHttpClient {
        private int status;
        private Map<String, List<String>> headers;
        private byte[] responseBody;
        private SdkHttpRequest request;
        private byte[] body;

        void answer(int answerStatus, Map<String, List<String>> answerHeaders, byte[] answerBody) {
            this.status = answerStatus;
            this.headers = answerHeaders;
            this.responseBody = answerBody;
            this.request = null;
            this.body = null;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest execute) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() throws IOException {
                    request = execute.httpRequest();
                    body = new byte[0];
                    if (execute.contentStreamProvider().isPresent()) {
                        try (InputStream in = execute.contentStreamProvider().get().newStream()) {
                            body = in.readAllBytes();
                        }
                    }
                    SdkHttpResponse response = SdkHttpResponse.builder().statusCode(status).headers(headers).build();
                    return HttpExecuteResponse.builder().response(response)
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(responseBody)))
                            .build();
                }

                @Override
                public void abort() {
                }
            };
        }

        @Override
        public void close() {
        }
    }

    /** Notes the operation name the SDK itself gives the call, to check that the method found is the operation. */
    private final class OperationNames implements ExecutionInterceptor {
        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            lastOperationName = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        }
    }
}
