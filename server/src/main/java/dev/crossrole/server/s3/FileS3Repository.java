package dev.crossrole.server.s3;

import dev.crossrole.server.auth.ChecksumAlgorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * S3 in the data directory, under {@code s3/buckets/<name>/}: {@code bucket.json}, one file per
 * object in {@code objects/} holding the bytes followed by the metadata as JSON (so an object is
 * one file, made visible by one atomic rename after fsync), tag sets written later beside it in
 * {@code <file>.tags}, and multipart uploads in {@code uploads/<id>/}. Keys are indexed in memory,
 * rebuilt from the files at start; leftover temporary files of interrupted writes are removed then.
 */
final class FileS3Repository implements S3Repository {
    private static final Logger LOG = Logger.getLogger(FileS3Repository.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAGIC = 0x4352_5333_4f42_4a31L; // "CRS3OBJ1"
    private static final int FOOTER = 16;
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path buckets;
    private final Map<String, Bucket> bucketsByName = new ConcurrentHashMap<>();
    private final Map<String, NavigableMap<String, StoredObject>> index = new ConcurrentHashMap<>();

    FileS3Repository(Path root) throws IOException {
        this.buckets = root.resolve("buckets");
        Files.createDirectories(buckets);
        load();
    }

    // ---- buckets ------------------------------------------------------------------------------

    @Override
    public Optional<Bucket> bucket(String name) {
        return Optional.ofNullable(bucketsByName.get(name));
    }

    @Override
    public List<Bucket> buckets() {
        List<Bucket> all = new ArrayList<>(bucketsByName.values());
        all.sort(Comparator.comparing(Bucket::name));
        return all;
    }

    @Override
    public synchronized Optional<Bucket> createIfAbsent(Bucket bucket) throws IOException {
        Bucket existing = bucketsByName.get(bucket.name());
        if (existing != null) {
            return Optional.of(existing);
        }
        Path dir = buckets.resolve(bucket.name());
        Files.createDirectories(dir.resolve("objects"));
        Files.createDirectories(dir.resolve("uploads"));
        writeBucket(bucket);
        index.put(bucket.name(), new ConcurrentSkipListMap<>());
        bucketsByName.put(bucket.name(), bucket);
        return Optional.empty();
    }

    @Override
    public synchronized void putBucket(Bucket bucket) throws IOException {
        writeBucket(bucket);
        bucketsByName.put(bucket.name(), bucket);
    }

    @Override
    public synchronized boolean deleteBucket(String name) throws IOException {
        NavigableMap<String, StoredObject> objects = index.get(name);
        if (objects != null && !objects.isEmpty()) {
            return false;
        }
        bucketsByName.remove(name);
        index.remove(name);
        deleteTree(buckets.resolve(name));
        return true;
    }

    private void writeBucket(Bucket bucket) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", bucket.name());
        node.put("owner", bucket.owner());
        node.put("region", bucket.region());
        node.put("created", bucket.created().toString());
        if (bucket.policyText() != null) {
            node.put("policy", bucket.policyText());
        }
        Path dir = buckets.resolve(bucket.name());
        writeAtomically(dir, dir.resolve("bucket.json"), JSON.writeValueAsBytes(node));
    }

    // ---- objects ------------------------------------------------------------------------------

    @Override
    public NavigableMap<String, StoredObject> objects(String bucket) {
        NavigableMap<String, StoredObject> objects = index.get(bucket);
        return objects == null ? new ConcurrentSkipListMap<>() : objects;
    }

    @Override
    public Optional<ObjectSource> open(String bucket, String key) {
        StoredObject object = objects(bucket).get(key);
        if (object == null) {
            return Optional.empty();
        }
        return Optional.of(new FileSource(objectFile(bucket, key), object));
    }

    @Override
    public StoredObject putObject(String bucket, String key, InputStream body, ObjectWriter.Finisher finish)
            throws IOException {
        Path dir = buckets.resolve(bucket).resolve("objects");
        return write(dir, objectFile(bucket, key), channel -> {
            ObjectWriter.Written written = ObjectWriter.copy(body, channel, algorithmOf(finish));
            return written;
        }, finish, stored -> index(bucket).put(key, stored));
    }

    @Override
    public StoredObject putConcatenation(String bucket, String key, List<ObjectWriter.Range> sources,
                                         ObjectWriter.Finisher finish) throws IOException {
        Path dir = buckets.resolve(bucket).resolve("objects");
        return write(dir, objectFile(bucket, key), channel -> ObjectWriter.concatenate(sources, channel,
                algorithmOf(finish)), finish, stored -> index(bucket).put(key, stored));
    }

    @Override
    public void deleteObject(String bucket, String key) throws IOException {
        synchronized (lockFor(bucket)) {
            Path file = objectFile(bucket, key);
            Files.deleteIfExists(file);
            Files.deleteIfExists(tagsFile(file));
            index(bucket).remove(key);
        }
    }

    @Override
    public StoredObject putTags(String bucket, StoredObject object, Map<String, String> tags) throws IOException {
        synchronized (lockFor(bucket)) {
            StoredObject current = index(bucket).get(object.key());
            if (current == null || !current.objectId().equals(object.objectId())) {
                // The object was replaced or deleted meanwhile: its successor keeps its own tags.
                return current;
            }
            Path file = objectFile(bucket, object.key());
            ObjectNode node = JSON.createObjectNode();
            node.put("objectId", object.objectId());
            node.set("tags", JSON.valueToTree(tags));
            writeAtomically(file.getParent(), tagsFile(file), JSON.writeValueAsBytes(node));
            StoredObject tagged = current.withTags(tags);
            index(bucket).put(object.key(), tagged);
            return tagged;
        }
    }

    // ---- multipart uploads --------------------------------------------------------------------

    @Override
    public void createUpload(MultipartUpload upload) throws IOException {
        Path dir = uploadDir(upload.bucket(), upload.uploadId());
        Files.createDirectories(dir);
        ObjectNode node = JSON.createObjectNode();
        node.put("bucket", upload.bucket());
        node.put("key", upload.key());
        node.put("uploadId", upload.uploadId());
        node.put("initiated", upload.initiated().toString());
        node.put("initiatorArn", upload.initiatorArn());
        node.set("headers", JSON.valueToTree(upload.headers()));
        node.set("userMetadata", JSON.valueToTree(upload.userMetadata()));
        node.set("tags", JSON.valueToTree(upload.tags()));
        if (upload.checksumAlgorithm() != null) {
            node.put("checksumAlgorithm", upload.checksumAlgorithm());
            node.put("checksumType", upload.checksumType());
        }
        writeAtomically(dir, dir.resolve("upload.json"), JSON.writeValueAsBytes(node));
    }

    @Override
    public Optional<MultipartUpload> upload(String bucket, String uploadId) {
        if (!uploadId.matches("[A-Za-z0-9_-]{1,128}")) {
            return Optional.empty();
        }
        Path file = uploadDir(bucket, uploadId).resolve("upload.json");
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            JsonNode node = JSON.readTree(file.toFile());
            return Optional.of(new MultipartUpload(node.path("bucket").asText(), node.path("key").asText(),
                    node.path("uploadId").asText(), Instant.parse(node.path("initiated").asText()),
                    node.path("initiatorArn").asText(), strings(node.path("headers")), strings(node.path("userMetadata")),
                    strings(node.path("tags")), node.path("checksumAlgorithm").isTextual()
                    ? node.path("checksumAlgorithm").asText() : null,
                    node.path("checksumType").isTextual() ? node.path("checksumType").asText() : null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<MultipartUpload> uploads(String bucket) throws IOException {
        List<MultipartUpload> uploads = new ArrayList<>();
        Path dir = buckets.resolve(bucket).resolve("uploads");
        if (!Files.isDirectory(dir)) {
            return uploads;
        }
        try (DirectoryStream<Path> ids = Files.newDirectoryStream(dir)) {
            for (Path id : ids) {
                upload(bucket, id.getFileName().toString()).ifPresent(uploads::add);
            }
        }
        return uploads;
    }

    @Override
    public StoredObject putPart(MultipartUpload upload, int partNumber, InputStream body, ObjectWriter.Finisher finish)
            throws IOException {
        Path dir = uploadDir(upload.bucket(), upload.uploadId());
        return write(dir, dir.resolve("part-" + partNumber), channel -> ObjectWriter.copy(body, channel,
                algorithmOf(finish)), finish, stored -> { });
    }

    @Override
    public StoredObject putPartCopy(MultipartUpload upload, int partNumber, ObjectWriter.Range source,
                                    ObjectWriter.Finisher finish) throws IOException {
        Path dir = uploadDir(upload.bucket(), upload.uploadId());
        return write(dir, dir.resolve("part-" + partNumber), channel -> ObjectWriter.concatenate(List.of(source), channel,
                algorithmOf(finish)), finish, stored -> { });
    }

    @Override
    public NavigableMap<Integer, ObjectSource> parts(MultipartUpload upload) throws IOException {
        NavigableMap<Integer, ObjectSource> parts = new java.util.TreeMap<>();
        Path dir = uploadDir(upload.bucket(), upload.uploadId());
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "part-*")) {
            for (Path file : files) {
                try {
                    int number = Integer.parseInt(file.getFileName().toString().substring(5));
                    parts.put(number, new FileSource(file, readMetadata(file)));
                } catch (NumberFormatException e) {
                    LOG.log(Level.FINE, "not a part: " + file, e);
                }
            }
        }
        return parts;
    }

    @Override
    public void deleteUpload(MultipartUpload upload) throws IOException {
        deleteTree(uploadDir(upload.bucket(), upload.uploadId()));
    }

    // ---- files --------------------------------------------------------------------------------

    /** A checksum to compute is carried by finishers that ask for one. */
    private static ChecksumAlgorithm algorithmOf(ObjectWriter.Finisher finish) {
        return finish instanceof WithChecksum withChecksum ? withChecksum.algorithm() : null;
    }

    /** A finisher that also wants a flexible checksum computed over the bytes. */
    interface WithChecksum extends ObjectWriter.Finisher {
        ChecksumAlgorithm algorithm();
    }

    @FunctionalInterface
    private interface Body {
        ObjectWriter.Written writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Writes a temporary file in the target's directory (bytes, then metadata, then fsync) and renames
     * it over the target only when everything succeeded; on any failure the temporary file is deleted.
     */
    private StoredObject write(Path dir, Path target, Body body, ObjectWriter.Finisher finish,
                               java.util.function.Consumer<StoredObject> publish) throws IOException {
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        boolean done = false;
        try {
            StoredObject stored;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ObjectWriter.Written written = body.writeTo(channel);
                stored = finish.finish(written);
                byte[] metadata = JSON.writeValueAsBytes(toJson(stored));
                ByteBuffer trailer = ByteBuffer.allocate(metadata.length + FOOTER);
                trailer.put(metadata).putLong(metadata.length).putLong(MAGIC).flip();
                while (trailer.hasRemaining()) {
                    channel.write(trailer);
                }
                channel.force(true);
            }
            synchronized (lockFor(dir)) {
                move(temp, target);
                Files.deleteIfExists(tagsFile(target));
                publish.accept(stored);
            }
            done = true;
            return stored;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static void writeAtomically(Path dir, Path target, byte[] content) throws IOException {
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Object lockFor(String bucket) {
        return lockFor(buckets.resolve(bucket).resolve("objects"));
    }

    private final Map<Path, Object> locks = new ConcurrentHashMap<>();

    private Object lockFor(Path dir) {
        return locks.computeIfAbsent(dir, d -> new Object());
    }

    private NavigableMap<String, StoredObject> index(String bucket) {
        return index.computeIfAbsent(bucket, b -> new ConcurrentSkipListMap<>());
    }

    /** Keys become file names by their SHA-256, so any key (slashes, dots, 1024 bytes) maps to one safe name. */
    Path objectFile(String bucket, String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return buckets.resolve(bucket).resolve("objects").resolve(HexFormat.of().formatHex(hash));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path tagsFile(Path objectFile) {
        return objectFile.resolveSibling(objectFile.getFileName() + ".tags");
    }

    Path uploadDir(String bucket, String uploadId) {
        return buckets.resolve(bucket).resolve("uploads").resolve(uploadId);
    }

    static ObjectNode toJson(StoredObject object) {
        ObjectNode node = JSON.createObjectNode();
        node.put("key", object.key());
        node.put("objectId", object.objectId());
        node.put("size", object.size());
        node.put("etag", object.etag());
        node.put("lastModified", object.lastModified().toString());
        node.set("headers", JSON.valueToTree(object.headers()));
        node.set("userMetadata", JSON.valueToTree(object.userMetadata()));
        node.set("checksums", JSON.valueToTree(object.checksums()));
        node.set("tags", JSON.valueToTree(object.tags()));
        node.put("partCount", object.partCount());
        return node;
    }

    static StoredObject fromJson(JsonNode node) {
        return new StoredObject(node.path("key").asText(), node.path("objectId").asText(), node.path("size").asLong(),
                node.path("etag").asText(), Instant.parse(node.path("lastModified").asText()), strings(node.path("headers")),
                strings(node.path("userMetadata")), strings(node.path("checksums")), strings(node.path("tags")),
                node.path("partCount").asInt());
    }

    static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** Reads the metadata at the end of an object or part file. */
    private static StoredObject readMetadata(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readMetadata(file, channel);
        }
    }

    private static StoredObject readMetadata(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < FOOTER) {
            throw new IOException(file + " is not an object file");
        }
        ByteBuffer footer = ByteBuffer.allocate(FOOTER);
        channel.read(footer, size - FOOTER);
        footer.flip();
        long length = footer.getLong();
        if (footer.getLong() != MAGIC || length < 0 || length > size - FOOTER) {
            throw new IOException(file + " is not an object file");
        }
        ByteBuffer metadata = ByteBuffer.allocate((int) length);
        channel.read(metadata, size - FOOTER - length);
        return fromJson(JSON.readTree(metadata.array()));
    }

    /** Reads a stored object's bytes by position, so any range streams without reading what precedes it. */
    private static final class FileSource implements ObjectSource {
        private final Path file;
        private final StoredObject object;

        FileSource(Path file, StoredObject object) {
            this.file = file;
            this.object = object;
        }

        @Override
        public StoredObject object() {
            return object;
        }

        @Override
        public void copyRange(long offset, long length, OutputStream out) throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                if (!readMetadata(file, channel).objectId().equals(object.objectId())) {
                    // Replaced since it was looked up: never serve one object's bytes under another's headers.
                    throw new IOException("object " + object.key() + " was replaced while being read");
                }
                ByteBuffer buffer = ByteBuffer.allocate(ObjectWriter.BUFFER);
                long position = offset;
                long end = offset + length;
                while (position < end) {
                    buffer.clear();
                    buffer.limit((int) Math.min(buffer.capacity(), end - position));
                    int n = channel.read(buffer, position);
                    if (n < 0) {
                        throw new IOException("object file " + file + " is shorter than its metadata says");
                    }
                    out.write(buffer.array(), 0, n);
                    position += n;
                }
            }
        }
    }

    // ---- start-up -----------------------------------------------------------------------------

    private void load() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(buckets)) {
            for (Path dir : dirs) {
                Path bucketFile = dir.resolve("bucket.json");
                if (!Files.isRegularFile(bucketFile)) {
                    continue;
                }
                JsonNode node = JSON.readTree(bucketFile.toFile());
                String policyText = node.path("policy").isTextual() ? node.path("policy").asText() : null;
                Policy policy = null;
                if (policyText != null) {
                    try {
                        policy = Policies.parse(policyText, PolicyKind.RESOURCE, "bucket policy");
                    } catch (InvalidPolicyException e) {
                        LOG.warning("bucket " + dir.getFileName() + ": stored policy no longer parses; ignored");
                    }
                }
                Bucket bucket = new Bucket(node.path("name").asText(), node.path("owner").asText(),
                        node.path("region").asText(), Instant.parse(node.path("created").asText()), policyText, policy);
                bucketsByName.put(bucket.name(), bucket);
                NavigableMap<String, StoredObject> objects = new ConcurrentSkipListMap<>();
                index.put(bucket.name(), objects);
                Files.createDirectories(dir.resolve("objects"));
                Files.createDirectories(dir.resolve("uploads"));
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve("objects"))) {
                    for (Path file : files) {
                        String name = file.getFileName().toString();
                        if (name.startsWith(TEMP_PREFIX)) {
                            Files.deleteIfExists(file);
                        } else if (!name.endsWith(".tags")) {
                            StoredObject object = readMetadata(file);
                            objects.put(object.key(), withSavedTags(file, object));
                        }
                    }
                }
            }
        }
    }

    private static StoredObject withSavedTags(Path file, StoredObject object) throws IOException {
        Path tags = tagsFile(file);
        if (!Files.exists(tags)) {
            return object;
        }
        JsonNode node = JSON.readTree(tags.toFile());
        return node.path("objectId").asText().equals(object.objectId()) ? object.withTags(strings(node.path("tags")))
                : object;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }

}
