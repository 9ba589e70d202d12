package dev.crossrole.server.loopback;

import dev.crossrole.server.auth.SigV4;
import dev.crossrole.server.ecs.AgentCalls;
import dev.crossrole.server.sts.TemporaryCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ECS's agent calls, as the agent makes them on a task's behalf: requests signed with the task execution role's
 * credentials, sent to crossrole's own endpoint on this machine. Each goes through the whole pipeline — the signature,
 * the role's policies, the resource's policy, the request log — so a denial is explained like any other, and its
 * request id is part of the failure.
 */
public final class LoopbackAgent implements AgentCalls {
    /** How long the agent gives one download (its {@code s3DownloadTimeout}). */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** More than a container's environment can hold (Linux limits a process's arguments and environment). */
    private static final int MAX_BYTES = 1 << 20;
    private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
    private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

    private final Supplier<String> endpoint;
    /** The container registry's own endpoint ({@code http://127.0.0.1:<port>}), or {@code null} without one. */
    private final Supplier<String> registryEndpoint;
    private final Clock clock;
    private volatile HttpClient http;

    public LoopbackAgent(Supplier<String> endpoint, Clock clock) {
        this(endpoint, () -> null, clock);
    }

    public LoopbackAgent(Supplier<String> endpoint, Supplier<String> registryEndpoint, Clock clock) {
        this.endpoint = endpoint;
        this.registryEndpoint = registryEndpoint;
        this.clock = clock;
    }

    @Override
    public byte[] readObject(TemporaryCredentials credentials, String region, String bucket, String key)
            throws CallFailure {
        String path = "/" + SigV4.uriEncode(bucket, false) + "/" + SigV4.uriEncode(key, true);
        HttpRequest request = signed(credentials, region, "s3", "GET", path, List.of(Map.entry("x-amz-content-sha256",
                SigV4.EMPTY_BODY_SHA256)), null);
        try {
            HttpResponse<InputStream> response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                byte[] content = body.readNBytes(MAX_BYTES + 1);
                if (response.statusCode() != 200) {
                    throw new CallFailure(error(response.statusCode(), new String(content, StandardCharsets.UTF_8))
                            + explained(response.headers().firstValue("x-amz-request-id").orElse(null)));
                }
                if (content.length > MAX_BYTES) {
                    throw new CallFailure("the object is larger than " + MAX_BYTES + " bytes");
                }
                return content;
            }
        } catch (IOException e) {
            throw new CallFailure("crossrole's S3 endpoint did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailure("interrupted");
        }
    }

    @Override
    public String secretValue(TemporaryCredentials credentials, String region, String secretId, String versionStage,
                              String versionId) throws CallFailure {
        com.fasterxml.jackson.databind.node.ObjectNode input = JSON.createObjectNode().put("SecretId", secretId);
        if (versionStage != null) {
            input.put("VersionStage", versionStage);
        }
        if (versionId != null) {
            input.put("VersionId", versionId);
        }
        com.fasterxml.jackson.databind.JsonNode answer = jsonCall(credentials, region, "secretsmanager",
                "secretsmanager.GetSecretValue", input);
        if (answer.hasNonNull("SecretString")) {
            return answer.get("SecretString").asText();
        }
        return new String(java.util.Base64.getDecoder().decode(answer.path("SecretBinary").asText("")),
                StandardCharsets.UTF_8);
    }

    /** As ECS's agent asks for them: {@code GetParameters} (the execution role needs {@code ssm:GetParameters}). */
    @Override
    public String parameterValue(TemporaryCredentials credentials, String region, String name) throws CallFailure {
        com.fasterxml.jackson.databind.node.ObjectNode input = JSON.createObjectNode().put("WithDecryption", true);
        input.putArray("Names").add(name);
        com.fasterxml.jackson.databind.JsonNode answer = jsonCall(credentials, region, "ssm", "AmazonSSM.GetParameters",
                input);
        if (answer.path("InvalidParameters").size() > 0) {
            throw new CallFailure("invalid parameters: " + answer.path("InvalidParameters").get(0).asText());
        }
        return answer.path("Parameters").path(0).path("Value").asText();
    }

    @Override
    public void createLogGroup(TemporaryCredentials credentials, String region, String group) throws CallFailure {
        logsCall(credentials, region, "CreateLogGroup", JSON.createObjectNode().put("logGroupName", group));
    }

    @Override
    public void createLogStream(TemporaryCredentials credentials, String region, String group, String stream)
            throws CallFailure {
        logsCall(credentials, region, "CreateLogStream", JSON.createObjectNode().put("logGroupName", group)
                .put("logStreamName", stream));
    }

    @Override
    public void putLogEvents(TemporaryCredentials credentials, String region, String group, String stream,
                             List<LogLine> lines) throws CallFailure {
        com.fasterxml.jackson.databind.node.ObjectNode input = JSON.createObjectNode().put("logGroupName", group)
                .put("logStreamName", stream);
        com.fasterxml.jackson.databind.node.ArrayNode events = input.putArray("logEvents");
        for (LogLine line : lines) {
            events.addObject().put("timestamp", line.timestamp()).put("message", line.message());
        }
        jsonCall(credentials, region, "logs", "Logs_20140328.PutLogEvents", input);
    }

    /** A CloudWatch Logs call whose resource may exist already, which is what the caller wanted. */
    private void logsCall(TemporaryCredentials credentials, String region, String operation,
                          com.fasterxml.jackson.databind.JsonNode input) throws CallFailure {
        try {
            jsonCall(credentials, region, "logs", "Logs_20140328." + operation, input);
        } catch (CallFailure e) {
            if (!e.getMessage().startsWith("ResourceAlreadyExistsException")) {
                throw e;
            }
        }
    }

    /** A call of a JSON 1.1 service, signed for it; its answer, or the failure with the service's code and message. */
    private com.fasterxml.jackson.databind.JsonNode jsonCall(TemporaryCredentials credentials, String region,
                                                             String service, String target,
                                                             com.fasterxml.jackson.databind.JsonNode input)
            throws CallFailure {
        byte[] body = input.toString().getBytes(StandardCharsets.UTF_8);
        HttpRequest request = signed(credentials, region, service, "POST", "/", List.of(
                Map.entry("content-type", "application/x-amz-json-1.1"), Map.entry("x-amz-target", target)), body);
        try {
            HttpResponse<byte[]> response = client().send(request, HttpResponse.BodyHandlers.ofByteArray());
            com.fasterxml.jackson.databind.JsonNode answer = JSON.readTree(response.body());
            if (response.statusCode() != 200) {
                String type = answer.path("__type").asText("HTTP " + response.statusCode());
                throw new CallFailure(type.substring(type.indexOf('#') + 1)
                        + (answer.hasNonNull("message") ? ": " + answer.get("message").asText() : "")
                        + explained(response.headers().firstValue("x-amzn-RequestId").orElse(null)));
            }
            return answer;
        } catch (IOException e) {
            throw new CallFailure("crossrole's " + service + " endpoint did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailure("interrupted");
        }
    }

    /**
     * A request to crossrole's endpoint signed with {@code credentials} for {@code service}: the host, date and session
     * token signed with {@code headers} (given in lower case, sorted by name), the body's hash (S3: the empty body's).
     */
    private HttpRequest signed(TemporaryCredentials credentials, String region, String service, String method,
                               String path, List<Map.Entry<String, String>> headers, byte[] body) {
        URI uri = URI.create(endpoint.get() + path);
        String amzDate = SigV4.formatAmzDate(clock.instant());
        java.util.TreeMap<String, String> all = new java.util.TreeMap<>();
        headers.forEach(h -> all.put(h.getKey(), h.getValue()));
        all.put("host", uri.getRawAuthority());
        all.put("x-amz-date", amzDate);
        all.put("x-amz-security-token", credentials.sessionToken());
        List<String> names = List.copyOf(all.keySet());
        boolean s3 = service.equals("s3");
        String payloadHash = s3 ? SigV4.EMPTY_BODY_SHA256 : SigV4.sha256Hex(body);
        SigV4.Credential scope = new SigV4.Credential(credentials.accessKeyId(), amzDate.substring(0, 8), region, service);
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts(method, path, null,
                new ArrayList<>(all.entrySet()), body), names, payloadHash, !s3, false);
        String signature = SigV4.signature(SigV4.signingKey(credentials.secretAccessKey(), scope.date(), scope.region(),
                scope.service()), SigV4.stringToSign(amzDate, scope, canonical));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        all.forEach((name, value) -> {
            if (!name.equals("host")) { // the client sets it, from the URI
                request.header(name, value);
            }
        });
        return request.header("Authorization", SigV4.ALGORITHM + " Credential=" + credentials.accessKeyId() + "/"
                + scope.scope() + ", SignedHeaders=" + String.join(";", names) + ", Signature=" + signature).build();
    }

    /** Where to read why a call was denied. */
    private static String explained(String requestId) {
        return requestId == null ? "" : " (RequestID: " + requestId + "; crossrole why " + requestId + " explains it)";
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private HttpClient client() {
        HttpClient client = http;
        if (client == null) {
            client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1)
                    .build();
            http = client;
        }
        return client;
    }

    /** "Code: Message" from S3's error document, or the status alone. */
    private static String error(int status, String body) {
        Matcher code = CODE.matcher(body);
        Matcher message = MESSAGE.matcher(body);
        return (code.find() ? code.group(1) : "HTTP " + status)
                + (message.find() ? ": " + unescape(message.group(1)) : "");
    }

    private static String unescape(String xml) {
        return xml.replace("&quot;", "\"").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
    }
}
