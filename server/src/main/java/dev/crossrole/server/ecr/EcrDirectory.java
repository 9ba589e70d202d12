package dev.crossrole.server.ecr;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.s3.BlobStore;
import dev.crossrole.server.store.RecordCache;
import dev.crossrole.server.store.RecordCacheReplica;
import dev.crossrole.server.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The registries of every account: repositories (by ARN), their images and layers (by repository ARN and digest) and
 * the layer uploads in progress (by upload id), each kept as a cache of its records in the store. Layer bytes are
 * blobs in a {@link BlobStore} of ECR's own, published before the record naming them is committed; a blob no record
 * names any more is deleted by the next write after the commit that dropped it (by then that commit is durable, or
 * undone and the blob named again), or by {@link #sweep} at start.
 */
public final class EcrDirectory extends RecordCacheReplica {
    static final String REPOSITORIES = "ecr.repositories";
    static final String IMAGES = "ecr.images";
    static final String LAYERS = "ecr.layers";
    static final String UPLOADS = "ecr.uploads";
    private static final Logger LOG = Logger.getLogger(EcrDirectory.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Clock clock;
    private final BlobStore blobs;
    private final RecordCache<Repository> repositories = cache(REPOSITORIES, Repository.class);
    private final RecordCache<Image> images = cache(IMAGES, Image.class);
    private final RecordCache<Layer> layers = cache(LAYERS, Layer.class);
    private final RecordCache<LayerUpload> uploads = cache(UPLOADS, LayerUpload.class);
    /** Blobs whose last record may have gone: deleted by the next write if no record names them then. */
    private final Set<String> released = ConcurrentHashMap.newKeySet();

    public EcrDirectory(Clock clock, BlobStore blobs) {
        this.clock = clock;
        this.blobs = blobs;
    }

    private static <T> RecordCache<T> cache(String namespace, Class<T> type) {
        return new RecordCache<>(namespace, value -> {
            try {
                return JSON.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, bytes -> {
            try {
                return JSON.readValue(bytes, type);
            } catch (IOException e) {
                throw new StoreException("a record of " + namespace + " cannot be read: " + e.getMessage(), e);
            }
        });
    }

    Clock clock() {
        return clock;
    }

    long now() {
        return clock.instant().toEpochMilli();
    }

    BlobStore blobs() {
        return blobs;
    }

    // ---- repositories ---------------------------------------------------------------------------------

    Optional<Repository> repository(String arn) {
        return repositories.get(arn);
    }

    /** The repositories of a registry, by name. */
    List<Repository> repositories(String account, String region) {
        return repositories.values().stream().filter(r -> r.account().equals(account) && r.region().equals(region))
                .sorted(Comparator.comparing(Repository::name)).toList();
    }

    void put(Repository repository) {
        repositories.put(repository.arn(), repository);
    }

    /** Removes a repository with its images, layers and uploads. */
    void remove(Repository repository) {
        String arn = repository.arn();
        repositories.remove(arn);
        images(arn).forEach(image -> images.remove(image.key()));
        layers.values().stream().filter(l -> l.repositoryArn().equals(arn)).toList().forEach(this::remove);
        uploads.values().stream().filter(u -> u.repositoryArn().equals(arn)).toList().forEach(this::remove);
    }

    // ---- images ---------------------------------------------------------------------------------------

    Optional<Image> image(String repositoryArn, String digest) {
        return images.get(Image.key(repositoryArn, digest));
    }

    /** A repository's images, oldest push first (then by digest). */
    List<Image> images(String repositoryArn) {
        return images.values().stream().filter(i -> i.repositoryArn().equals(repositoryArn))
                .sorted(Comparator.comparingLong(Image::pushedAt).thenComparing(Image::digest)).toList();
    }

    Optional<Image> tagged(String repositoryArn, String tag) {
        return images.values().stream().filter(i -> i.repositoryArn().equals(repositoryArn) && i.tags().contains(tag))
                .findFirst();
    }

    void put(Image image) {
        images.put(image.key(), image);
    }

    void remove(Image image) {
        images.remove(image.key());
    }

    // ---- layers and uploads ---------------------------------------------------------------------------

    Optional<Layer> layer(String repositoryArn, String digest) {
        return layers.get(Image.key(repositoryArn, digest));
    }

    void put(Layer layer) {
        layers.put(layer.key(), layer);
    }

    void remove(Layer layer) {
        layers.remove(layer.key());
        released.add(layer.blobId());
    }

    Optional<LayerUpload> upload(String uploadId) {
        return uploads.get(uploadId);
    }

    void put(LayerUpload upload) {
        uploads.put(upload.uploadId(), upload);
    }

    void remove(LayerUpload upload) {
        uploads.remove(upload.uploadId());
        released.addAll(upload.partBlobIds());
    }

    /** Marks a blob as possibly named by no record (an upload's parts once its layer is complete). */
    void release(String blobId) {
        released.add(blobId);
    }

    /** The blobs some record names. */
    private Set<String> referenced() {
        Set<String> named = new HashSet<>();
        layers.values().forEach(l -> named.add(l.blobId()));
        uploads.values().forEach(u -> named.addAll(u.partBlobIds()));
        return named;
    }

    /**
     * Deletes the released blobs no record names: called at the start of a write, when the write that released them
     * has committed (or failed, and its records name them again).
     */
    void deleteReleasedBlobs() {
        if (released.isEmpty()) {
            return;
        }
        Set<String> named = referenced();
        for (String id : List.copyOf(released)) {
            released.remove(id);
            if (!named.contains(id)) {
                try {
                    blobs.delete(id);
                } catch (IOException e) {
                    LOG.warning("ECR: cannot delete blob " + id + " (removed at the next start): " + e.getMessage());
                }
            }
        }
    }

    /** Deletes the blobs no record names that were written before {@code cutoff} (writes a crash interrupted). */
    public void sweep(Instant cutoff) throws IOException {
        int removed = blobs.sweep(referenced(), cutoff);
        if (removed > 0) {
            LOG.info("ECR: removed " + removed + " blobs no layer or upload references");
        }
    }

    // ---- replica --------------------------------------------------------------------------------------

    @Override
    protected List<RecordCache<?>> caches() {
        return List.of(repositories, images, layers, uploads);
    }
}
