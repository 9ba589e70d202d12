package dev.crossrole.server.ecr;

/**
 * A layer (or config) blob uploaded to a repository. Its bytes are in the blob store under {@code blobId}, which
 * is named by the digest: repositories holding the same layer share the blob.
 */
record Layer(String repositoryArn, String digest, long size, String blobId, long uploadedAt) {

    String key() {
        return Image.key(repositoryArn, digest);
    }

    /** The blob holding the bytes whose digest is {@code sha256:hex}. */
    static String blobId(String hex) {
        return "ecr-layer-" + hex;
    }
}
