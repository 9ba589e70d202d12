package dev.crossrole.server.loopback;

import dev.crossrole.server.auth.SigV4;
import dev.crossrole.server.ecs.AgentCalls;
import dev.crossrole.server.ecs.EcrImage;
import dev.crossrole.server.sts.TemporaryCredentials;
import dev.crossrole.server.tasks.PulledImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Override
    public String registryAuthorization(TemporaryCredentials credentials, String region) throws CallFailure {
        com.fasterxml.jackson.databind.JsonNode answer = jsonCall(credentials, region, "ecr",
                "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", JSON.createObjectNode());
        String token = answer.path("authorizationData").path(0).path("authorizationToken").asText("");
        if (token.isEmpty()) {
            throw new CallFailure("GetAuthorizationToken answered no authorization token");
        }
        return token;
    }

    /** What a registry answered with, once it said 200 (or 206). */
    private record Fetched(byte[] body, String mediaType) {}

    /**
     * Pulls through crossrole's registry port as ECS's agent has its container runtime pull: the manifest (the one for
     * this machine's platform, from a list), then the config and each layer, every one checked against its digest.
     */
    @Override
    public PulledImage pullImage(String authorization, EcrImage image, Path folder) throws CallFailure {
        String base = registryEndpoint.get();
        if (base == null) {
            throw new PullFailure(true, "failed to resolve ref " + image.image() + ": crossrole serves no registry"
                    + " port (serve --registry-port -1), through which ECS's agent pulls ECR images");
        }
        String root = base + "/v2/" + image.account() + "/" + image.repository();
        Fetched manifest = manifest(root, image.reference(), image, authorization);
        com.fasterxml.jackson.databind.JsonNode document = json(manifest.body(), image);
        if (document.has("manifests")) {
            String chosen = platformManifest(document);
            if (chosen == null) {
                throw new PullFailure(true, "failed to resolve ref " + image.image() + ": no match for platform"
                        + " linux/" + architecture() + " in manifest: not found");
            }
            manifest = manifest(root, chosen, image, authorization);
            document = json(manifest.body(), image);
        }
        String configDigest = document.path("config").path("digest").asText("");
        if (!DIGEST.matcher(configDigest).matches() || !document.path("layers").isArray()) {
            throw new PullFailure(true, "failed to resolve ref " + image.image() + ": the manifest is not an image"
                    + " manifest with a config and layers");
        }
        byte[] config = blob(root, configDigest, image, authorization, null);
        List<Path> layers = new ArrayList<>();
        java.util.Map<String, Path> fetched = new java.util.HashMap<>();
        for (com.fasterxml.jackson.databind.JsonNode layer : document.path("layers")) {
            String digest = layer.path("digest").asText("");
            if (!DIGEST.matcher(digest).matches()) {
                throw new PullFailure(false, "failed to copy: the manifest names a layer by '" + digest + "'");
            }
            if (folder == null) {
                probe(root, digest, image, authorization);
                continue;
            }
            Path file = fetched.get(digest);
            if (file == null) {
                file = folder.resolve(digest.substring("sha256:".length()));
                blob(root, digest, image, authorization, file);
                fetched.put(digest, file);
            }
            layers.add(file);
        }
        return new PulledImage(image.localName(), config, layers, folder);
    }

    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final String ACCEPTED_MANIFESTS = String.join(", ",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json");
    /** How long one blob may take to arrive whole. */
    private static final Duration BLOB_TIMEOUT = Duration.ofMinutes(10);
    /** ECR's limit on a manifest, and a generous one on an image's config. */
    private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    private static com.fasterxml.jackson.databind.JsonNode json(byte[] body, EcrImage image) throws PullFailure {
        try {
            com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(body);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            // refused below
        }
        throw new PullFailure(true, "failed to resolve ref " + image.image() + ": the registry's manifest is not JSON");
    }

    /** The digest of a list's manifest for linux on this machine's architecture, or {@code null}. */
    private static String platformManifest(com.fasterxml.jackson.databind.JsonNode list) {
        for (com.fasterxml.jackson.databind.JsonNode entry : list.path("manifests")) {
            com.fasterxml.jackson.databind.JsonNode platform = entry.path("platform");
            if ("linux".equals(platform.path("os").asText()) && architecture().equals(platform.path("architecture")
                    .asText())) {
                return entry.path("digest").asText(null);
            }
        }
        return null;
    }

    /** This machine's architecture as images name it. */
    private static String architecture() {
        String arch = System.getProperty("os.arch", "");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
    }

    private Fetched manifest(String root, String reference, EcrImage image, String authorization) throws CallFailure {
        String url = root + "/manifests/" + reference;
        HttpResponse<InputStream> response = registryGet(url, authorization, java.util.Map.of("Accept",
                ACCEPTED_MANIFESTS), TIMEOUT, true, image);
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw manifestRefused(response, body, image, reference);
            }
            byte[] bytes = body.readNBytes(MAX_MANIFEST_BYTES + 1);
            String digest = "sha256:" + SigV4.sha256Hex(bytes);
            if (bytes.length > MAX_MANIFEST_BYTES || reference.startsWith("sha256:") && !digest.equals(reference)) {
                throw new PullFailure(true, "failed to resolve ref " + image.image() + ": the manifest's digest is "
                        + digest + ", not " + reference);
            }
            return new Fetched(bytes, response.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new PullFailure(true, "failed to resolve ref " + image.image() + ": " + e.getMessage());
        }
    }

    /**
     * A blob: read whole (the config) when {@code file} is {@code null}, else written to {@code file}; its sha256 must
     * be its digest.
     */
    private byte[] blob(String root, String digest, EcrImage image, String authorization, Path file)
            throws CallFailure {
        String url = root + "/blobs/" + digest;
        HttpResponse<InputStream> response = registryGet(url, authorization, java.util.Map.of(), BLOB_TIMEOUT, false,
                image);
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw blobRefused(response, body, url);
            }
            java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
            byte[] content = null;
            if (file == null) {
                content = body.readNBytes(MAX_MANIFEST_BYTES + 1);
                if (content.length > MAX_MANIFEST_BYTES) {
                    throw new PullFailure(false, "failed to copy: the image's config is larger than "
                            + MAX_MANIFEST_BYTES + " bytes");
                }
                sha256.update(content);
            } else {
                try (java.io.OutputStream out = new java.security.DigestOutputStream(Files.newOutputStream(file),
                        sha256)) {
                    body.transferTo(out);
                }
            }
            String computed = "sha256:" + java.util.HexFormat.of().formatHex(sha256.digest());
            if (!computed.equals(digest)) {
                throw new PullFailure(false, "failed to copy: failed commit on ref \"layer-" + digest + "\": \""
                        + digest + "\" failed size validation: the content's digest is " + computed);
            }
            return content;
        } catch (IOException e) {
            throw new PullFailure(false, "failed to copy: reading " + url + ": " + e.getMessage());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asks for one byte of a layer: the permission a pull needs, without the layer. */
    private void probe(String root, String digest, EcrImage image, String authorization) throws CallFailure {
        String url = root + "/blobs/" + digest;
        HttpResponse<InputStream> response = registryGet(url, authorization, java.util.Map.of("Range", "bytes=0-0"),
                TIMEOUT, false, image);
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200 && response.statusCode() != 206) {
                throw blobRefused(response, body, url);
            }
            body.readNBytes(1);
        } catch (IOException e) {
            throw new PullFailure(false, "failed to copy: reading " + url + ": " + e.getMessage());
        }
    }

    private HttpResponse<InputStream> registryGet(String url, String authorization,
                                                  java.util.Map<String, String> headers, Duration timeout,
                                                  boolean resolving, EcrImage image)
            throws PullFailure {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET()
                .header("Authorization", "Basic " + authorization);
        headers.forEach(request::header);
        try {
            return client().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new PullFailure(resolving, (resolving ? "failed to resolve ref " + image.image() + ": "
                    : "failed to copy: ") + "crossrole's registry did not answer " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PullFailure(resolving, "interrupted");
        }
    }

    /** A refused manifest in containerd's words, with the registry's reason and where crossrole explains it. */
    private static PullFailure manifestRefused(HttpResponse<InputStream> response, InputStream body, EcrImage image,
                                               String reference) throws IOException {
        String[] error = registryError(body);
        String reason = error[0].toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + error[1];
        String ref = "failed to resolve ref " + image.image() + ": ";
        String message = switch (response.statusCode()) {
            case 403 -> ref + "pull access denied, repository does not exist or may require authorization: " + reason;
            case 404 -> error[0].equals("MANIFEST_UNKNOWN") ? ref + image.image() + ": not found"
                    : ref + "pull access denied, repository does not exist or may require authorization: " + reason;
            default -> ref + "pulling from host " + image.host() + " failed with status code [manifests "
                    + reference + "]: " + statusLine(response.statusCode()) + ": " + reason;
        };
        return new PullFailure(true, message + whyOf(response, message));
    }

    private static PullFailure blobRefused(HttpResponse<InputStream> response, InputStream body, String url)
            throws IOException {
        String[] error = registryError(body);
        String message = "failed to copy: httpReaderSeeker: failed open: unexpected status code " + url + ": "
                + statusLine(response.statusCode()) + ": "
                + error[0].toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + error[1];
        return new PullFailure(false, message + whyOf(response, message));
    }

    /** Where crossrole explains the refusal, unless the registry's message says so already. */
    private static String whyOf(HttpResponse<InputStream> response, String message) {
        return message.contains("crossrole why") ? ""
                : explained(response.headers().firstValue("x-amzn-RequestId").orElse(null));
    }

    /** {@code [code, message]} of the registry's error document (its first error). */
    private static String[] registryError(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(64 * 1024);
        try {
            com.fasterxml.jackson.databind.JsonNode first = JSON.readTree(bytes).path("errors").path(0);
            return new String[] {first.path("code").asText("UNKNOWN"), first.path("message").asText("")};
        } catch (IOException e) {
            return new String[] {"UNKNOWN", new String(bytes, StandardCharsets.UTF_8)};
        }
    }

    private static String statusLine(int status) {
        return status + switch (status) {
            case 401 -> " Unauthorized";
            case 403 -> " Forbidden";
            case 404 -> " Not Found";
            case 416 -> " Requested Range Not Satisfiable";
            case 500 -> " Internal Server Error";
            default -> "";
        };
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
