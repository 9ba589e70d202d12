package dev.crossrole.server.ecr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.protocol.AwsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Image manifests as PutImage reads them: Docker's image manifest v2 schema 2 and the OCI image manifest (a config
 * and layers, which must have been uploaded to the repository), and their lists (Docker's manifest list, the OCI
 * image index: images that must have been pushed to the repository).
 */
final class Manifests {
    static final String DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final Set<String> IMAGES = Set.of(DOCKER_V2, OCI_MANIFEST);
    private static final Set<String> LISTS = Set.of(DOCKER_LIST, OCI_INDEX);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Manifests() {}

    /**
     * A manifest read.
     *
     * @param blobs the digests of its config and layers (none for a list), which must be layers of the repository
     * @param images the digests of the manifests a list names (none for an image), which must be its images
     * @param configMediaType the config's media type (the image's artifact media type), or {@code null}
     * @param layersSize the sum of its layers' sizes
     */
    record Manifest(String mediaType, List<String> blobs, List<String> images, String configMediaType,
                    long layersSize) {}

    static AwsException invalid(String member, String constraint) {
        return new AwsException("InvalidParameterException", 400, "Invalid parameter at '" + member
                + "' failed to satisfy constraint: '" + constraint + "'");
    }

    /** The digest of a manifest as ECR computes it: sha256 of its bytes as sent. */
    static String digest(String manifest) {
        return "sha256:" + HexFormat.of().formatHex(sha256().digest(manifest.getBytes(StandardCharsets.UTF_8)));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a manifest; {@code declaredMediaType} is PutImage's {@code imageManifestMediaType}, needed when the
     * manifest has no {@code mediaType} of its own.
     */
    static Manifest read(String text, String declaredMediaType) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw invalid("ImageManifest", "Invalid JSON syntax");
        }
        String own = root.hasNonNull("mediaType") ? root.get("mediaType").asText() : null;
        if (own != null && declaredMediaType != null && !own.equals(declaredMediaType)) {
            throw invalid("imageManifestMediaType", "Manifest media type '" + own + "' does not match the media type '"
                    + declaredMediaType + "' given in the request");
        }
        String mediaType = own != null ? own : declaredMediaType;
        if (mediaType == null) {
            throw invalid("imageManifestMediaType", "The manifest has no mediaType: give imageManifestMediaType");
        }
        if (root.path("schemaVersion").asInt() != 2) {
            throw invalid("ImageManifest", "Invalid schemaVersion: crossrole stores schema 2 manifests (Docker image"
                    + " manifest v2 schema 2, OCI)");
        }
        if (IMAGES.contains(mediaType)) {
            JsonNode config = root.path("config");
            if (!config.hasNonNull("digest") || !root.path("layers").isArray()) {
                throw invalid("ImageManifest", "An image manifest has a config and a list of layers");
            }
            List<String> blobs = new ArrayList<>();
            blobs.add(config.get("digest").asText());
            long size = 0;
            for (JsonNode layer : root.path("layers")) {
                if (!layer.hasNonNull("digest")) {
                    throw invalid("ImageManifest", "Every layer has a digest");
                }
                // A foreign layer (a Windows base layer) is fetched from its URLs, never uploaded.
                if (!layer.has("urls")) {
                    blobs.add(layer.get("digest").asText());
                }
                size += layer.path("size").asLong(0);
            }
            return new Manifest(mediaType, blobs, List.of(), config.path("mediaType").asText(null), size);
        }
        if (LISTS.contains(mediaType)) {
            if (!root.path("manifests").isArray()) {
                throw invalid("ImageManifest", "A manifest list has a list of manifests");
            }
            List<String> images = new ArrayList<>();
            for (JsonNode entry : root.path("manifests")) {
                images.add(entry.path("digest").asText());
            }
            return new Manifest(mediaType, List.of(), images, null, 0);
        }
        throw invalid("imageManifestMediaType", "Invalid media type '" + mediaType + "': crossrole stores "
                + String.join(", ", List.of(DOCKER_V2, OCI_MANIFEST, DOCKER_LIST, OCI_INDEX)));
    }
}
