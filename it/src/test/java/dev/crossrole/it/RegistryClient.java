package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * The Docker Registry HTTP API v2 spoken by hand, as a registry client speaks it: requests with ECR's Basic credentials
 * (the {@code authorizationToken} of GetAuthorizationToken) to crossrole's registry port.
 */
final class RegistryClient {
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String authorization;

    /**
     * @param base the registry, {@code http://127.0.0.1:<registry port>}
     * @param authorization the {@code authorizationToken} (base64 of {@code AWS:<password>}), or {@code null}
     */
    RegistryClient(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    RegistryClient as(String otherAuthorization) {
        return new RegistryClient(base, otherAuthorization);
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request; {@code headers} as name, value, name, value…; {@code body} {@code null} for none. */
    HttpResponse<byte[]> send(String method, String pathAndQuery, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", "Basic " + authorization);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** The code of the registry's first error. */
    static String errorCode(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body()).path("errors").path(0).path("code").asText();
    }

    static String errorMessage(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body()).path("errors").path(0).path("message").asText();
    }

    /** Uploads a blob in one request ({@code POST …/blobs/uploads/?digest=}); returns its digest. */
    String pushBlob(String repository, byte[] bytes) throws IOException, InterruptedException {
        String digest = sha256(bytes);
        HttpResponse<byte[]> response = send("POST", "/v2/" + repository + "/blobs/uploads/?digest=" + digest, bytes,
                "Content-Type", "application/octet-stream");
        assertEquals(201, response.statusCode(), text(response));
        return digest;
    }

    /** A Docker image manifest (v2 schema 2) naming a config and layers. */
    static String manifest(byte[] config, List<byte[]> layers) {
        ObjectNode root = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", DOCKER_MANIFEST);
        root.putObject("config").put("mediaType", DOCKER_CONFIG).put("size", config.length)
                .put("digest", sha256(config));
        ArrayNode list = root.putArray("layers");
        for (byte[] layer : layers) {
            list.addObject().put("mediaType", DOCKER_LAYER).put("size", layer.length).put("digest", sha256(layer));
        }
        return root.toString();
    }

    /** Pushes a config, its layers and the manifest naming them under {@code tag}; returns the manifest's digest. */
    String pushImage(String repository, String tag, byte[] config, List<byte[]> layers)
            throws IOException, InterruptedException {
        pushBlob(repository, config);
        for (byte[] layer : layers) {
            pushBlob(repository, layer);
        }
        byte[] manifest = manifest(config, layers).getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> response = send("PUT", "/v2/" + repository + "/manifests/" + tag, manifest,
                "Content-Type", DOCKER_MANIFEST);
        assertEquals(201, response.statusCode(), text(response));
        return sha256(manifest);
    }
}
