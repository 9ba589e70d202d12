package dev.crossrole.server.ecr;

import java.util.List;

/**
 * An image of a repository: its manifest as pushed (its digest is the manifest's sha256) and the tags pointing at it.
 * Immutable.
 *
 * @param artifactMediaType the media type of the manifest's config, or {@code null} (an image index has none)
 * @param sizeInBytes the sum of the sizes of its layers, as its manifest gives them
 * @param references the digests of the blobs (config and layers) or, for an index, the manifests it names
 */
record Image(String repositoryArn, String digest, String manifest, String mediaType, String artifactMediaType,
             List<String> tags, long pushedAt, long sizeInBytes, List<String> references) {

    Image {
        tags = List.copyOf(tags);
        references = List.copyOf(references);
    }

    String key() {
        return key(repositoryArn, digest);
    }

    static String key(String repositoryArn, String digest) {
        return repositoryArn + "@" + digest;
    }

    Image withTags(List<String> newTags) {
        return new Image(repositoryArn, digest, manifest, mediaType, artifactMediaType, newTags, pushedAt, sizeInBytes,
                references);
    }
}
