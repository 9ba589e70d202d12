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
    private final Clock clock;
    private volatile HttpClient http;

    public LoopbackAgent(Supplier<String> endpoint, Clock clock) {
        this.endpoint = endpoint;
        this.clock = clock;
    }

    @Override
    public byte[] readObject(TemporaryCredentials credentials, String region, String bucket, String key)
            throws CallFailure {
        String path = "/" + encode(bucket) + "/" + encodeKey(key);
        URI uri = URI.create(endpoint.get() + path);
        String amzDate = SigV4.formatAmzDate(clock.instant());
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("host", uri.getRawAuthority()));
        headers.add(Map.entry("x-amz-content-sha256", SigV4.EMPTY_BODY_SHA256));
        headers.add(Map.entry("x-amz-date", amzDate));
        headers.add(Map.entry("x-amz-security-token", credentials.sessionToken()));
        List<String> signed = List.of("host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token");
        SigV4.Credential scope = new SigV4.Credential(credentials.accessKeyId(), amzDate.substring(0, 8), region, "s3");
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts("GET", path, null, headers, null), signed,
                SigV4.EMPTY_BODY_SHA256, false, false);
        String signature = SigV4.signature(SigV4.signingKey(credentials.secretAccessKey(), scope.date(), scope.region(),
                scope.service()), SigV4.stringToSign(amzDate, scope, canonical));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET()
                .header("x-amz-content-sha256", SigV4.EMPTY_BODY_SHA256)
                .header("x-amz-date", amzDate)
                .header("x-amz-security-token", credentials.sessionToken())
                .header("Authorization", SigV4.ALGORITHM + " Credential=" + credentials.accessKeyId() + "/"
                        + scope.scope() + ", SignedHeaders=" + String.join(";", signed) + ", Signature=" + signature)
                .build();
        try {
            HttpResponse<InputStream> response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                byte[] content = body.readNBytes(MAX_BYTES + 1);
                if (response.statusCode() != 200) {
                    String requestId = response.headers().firstValue("x-amz-request-id").orElse(null);
                    throw new CallFailure(error(response.statusCode(), new String(content, StandardCharsets.UTF_8))
                            + (requestId == null ? "" : " (RequestID: " + requestId + "; crossrole why " + requestId
                            + " explains it)"));
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

    /** A call of a JSON 1.1 service, signed for it; its answer, or the failure with the service's code and message. */
    private com.fasterxml.jackson.databind.JsonNode jsonCall(TemporaryCredentials credentials, String region,
                                                             String service, String target,
                                                             com.fasterxml.jackson.databind.JsonNode input)
            throws CallFailure {
        byte[] body = input.toString().getBytes(StandardCharsets.UTF_8);
        URI uri = URI.create(endpoint.get() + "/");
        String amzDate = SigV4.formatAmzDate(clock.instant());
        String contentType = "application/x-amz-json-1.1";
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("content-type", contentType));
        headers.add(Map.entry("host", uri.getRawAuthority()));
        headers.add(Map.entry("x-amz-date", amzDate));
        headers.add(Map.entry("x-amz-security-token", credentials.sessionToken()));
        headers.add(Map.entry("x-amz-target", target));
        List<String> signed = List.of("content-type", "host", "x-amz-date", "x-amz-security-token", "x-amz-target");
        SigV4.Credential scope = new SigV4.Credential(credentials.accessKeyId(), amzDate.substring(0, 8), region,
                service);
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts("POST", "/", null, headers, body), signed,
                SigV4.sha256Hex(body), true, false);
        String signature = SigV4.signature(SigV4.signingKey(credentials.secretAccessKey(), scope.date(), scope.region(),
                scope.service()), SigV4.stringToSign(amzDate, scope, canonical));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("content-type", contentType)
                .header("x-amz-date", amzDate)
                .header("x-amz-security-token", credentials.sessionToken())
                .header("x-amz-target", target)
                .header("Authorization", SigV4.ALGORITHM + " Credential=" + credentials.accessKeyId() + "/"
                        + scope.scope() + ", SignedHeaders=" + String.join(";", signed) + ", Signature=" + signature)
                .build();
        try {
            HttpResponse<byte[]> response = client().send(request, HttpResponse.BodyHandlers.ofByteArray());
            com.fasterxml.jackson.databind.JsonNode answer = JSON.readTree(response.body());
            if (response.statusCode() != 200) {
                String type = answer.path("__type").asText("HTTP " + response.statusCode());
                String requestId = response.headers().firstValue("x-amzn-RequestId").orElse(null);
                throw new CallFailure(type.substring(type.indexOf('#') + 1)
                        + (answer.hasNonNull("message") ? ": " + answer.get("message").asText() : "")
                        + (requestId == null ? "" : " (RequestID: " + requestId + "; crossrole why " + requestId
                        + " explains it)"));
            }
            return answer;
        } catch (IOException e) {
            throw new CallFailure("crossrole's " + service + " endpoint did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailure("interrupted");
        }
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

    /** The key as a path: each segment encoded, the slashes kept. */
    private static String encodeKey(String key) {
        List<String> segments = new ArrayList<>();
        for (String segment : key.split("/", -1)) {
            segments.add(encode(segment));
        }
        return String.join("/", segments);
    }

    /** Percent-encodes all but the unreserved characters, as SigV4 wants a path segment. */
    private static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }
}
