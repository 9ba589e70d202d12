package dev.crossrole.server.ecr;

import java.util.ArrayList;
import java.util.List;

/**
 * A layer upload started by InitiateLayerUpload: the parts received so far, each a blob of its own until the upload
 * completes, and the position of the last byte received ({@code -1} before the first part).
 */
record LayerUpload(String repositoryArn, String uploadId, long lastByteReceived, List<Part> parts, long startedAt) {

    /** A part received: the blob holding it, and its length. */
    record Part(String blobId, long size) {}

    LayerUpload {
        parts = List.copyOf(parts);
    }

    List<String> partBlobIds() {
        return parts.stream().map(Part::blobId).toList();
    }

    /** The blob id the next part is kept under. */
    String nextPartBlobId() {
        return "ecr-part-" + uploadId + "-" + parts.size();
    }

    LayerUpload withPart(String blobId, long size) {
        List<Part> all = new ArrayList<>(parts);
        all.add(new Part(blobId, size));
        return new LayerUpload(repositoryArn, uploadId, lastByteReceived + size, all, startedAt);
    }
}
