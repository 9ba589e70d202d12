package dev.crossrole.server.ecr;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.StreamingBody;
import dev.crossrole.server.s3.BlobStore;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.store.StateSync;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker Registry HTTP API v2 (the OCI Distribution API) of ECR's registries, over the same repositories, layers
 * and images as the ECR API, so that {@code docker push} and {@code aws ecr describe-images} see one registry. Each
 * request stands for the ECR action AWS authorizes it as (a manifest read is {@code ecr:BatchGetImage}, a blob read
 * {@code ecr:GetDownloadUrlForLayer}, a blob probe {@code ecr:BatchCheckLayerAvailability}, an upload
 * {@code ecr:InitiateLayerUpload}, {@code ecr:UploadLayerPart} and {@code ecr:CompleteLayerUpload}, a manifest upload
 * {@code ecr:PutImage}), asked with the repository's policy exactly as the API asks it; the listener authenticates
 * the caller and decides those checks before {@link Prepared#run} runs.
 *
 * <p>Bodies stream: an uploaded chunk goes to a blob file as it arrives, and only its record is written in a store
 * transaction, so a large layer never holds the store's write lock while it crosses the network. Errors are the
 * registry's JSON ({@code {"errors":[{"code":"NAME_UNKNOWN","message":…}]}}) with the distribution spec's codes.
 */
public final class RegistryApi {
    /** The query parameter of a GetDownloadUrlForLayer URL that holds its token. */
    public static final String DOWNLOAD_PARAMETER = "X-Crossrole-Download";
    /** ECR's limit on a manifest's size. */
    static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    private static final Pattern NAME = Pattern.compile(EcrService.NAME_PATTERN);
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("sha256:([a-f0-9]{64})");
    private static final Pattern ANY_DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    private static final Pattern UPLOAD_ID = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?(\\d{1,18})-(\\d{1,18})(?:/\\S+)?");
    private static final Pattern BYTE_RANGE = Pattern.compile("bytes=(\\d{0,18})-(\\d{0,18})");
    private static final Pattern MANIFEST_ROUTE = Pattern.compile("(.+)/manifests/([^/]+)");
    private static final Pattern UPLOADS_ROUTE = Pattern.compile("(.+)/blobs/uploads/?");
    private static final Pattern UPLOAD_ROUTE = Pattern.compile("(.+)/blobs/uploads/([^/]+)");
    private static final Pattern BLOB_ROUTE = Pattern.compile("(.+)/blobs/([^/]+)");
    private static final Pattern TAGS_ROUTE = Pattern.compile("(.+)/tags/list");
    private static final Set<String> MANIFEST_TYPES = Set.of(Manifests.DOCKER_V2, Manifests.DOCKER_LIST,
            Manifests.OCI_MANIFEST, Manifests.OCI_INDEX);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EcrService ecr;
    private final EcrDirectory registry;
    private final StateSync sync;

    public RegistryApi(EcrService ecr, StateSync sync) {
        this.ecr = ecr;
        this.registry = ecr.directory();
        this.sync = sync;
    }

    /**
     * A request to one registry, as the listener read it.
     *
     * @param account the registry's account (its host name's, or the first segment of the path on the registry port)
     * @param region the registry's region
     * @param path what follows {@code /v2/}, the account segment taken off: {@code team/app/manifests/1}
     * @param namePrefix what the client wrote before the repository's name ({@code 111122223333/} on the registry
     *     port), for the locations and names the answers give back
     * @param header a request header by name, case-insensitively; {@code null} when absent
     * @param body the body, read once
     * @param declaredLength the body's {@code Content-Length}, or -1 when chunked
     */
    public record Request(String method, String account, String region, String path, String namePrefix,
                          Map<String, String> query, Function<String, String> header, Supplier<InputStream> body,
                          long declaredLength) {}

    /** An answer: status, headers, and a body in memory or streamed ({@code stream} non-null). */
    public record Answer(int status, Map<String, String> headers, byte[] body, StreamingBody stream) {}

    /** A request understood: what it stands for, the permissions it needs, and the work once they are granted. */
    public interface Prepared {
        /** The ECR operation the request stands for (its record's operation). */
        String operation();

        List<AccessCheck> checks();

        /** Runs the request; a {@link RegistryException} is the registry's error answer. */
        Answer run();
    }

    /** A registry error: its HTTP status, the distribution spec's code, and the message. */
    public static final class RegistryException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;
        private final transient Map<String, String> headers = new LinkedHashMap<>();

        public RegistryException(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }

        /** Headers the error answer carries ({@code Range} of a refused chunk). */
        public Map<String, String> headers() {
            return headers;
        }

        RegistryException with(String name, String value) {
            headers.put(name, value);
            return this;
        }
    }

    /** The registry's error document: {@code {"errors":[{"code":…,"message":…,"detail":…}]}}. */
    public static byte[] errorBody(String code, String message) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putArray("errors").addObject();
        error.put("code", code);
        error.put("message", message);
        error.putNull("detail");
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static RegistryException nameUnknown(String account, String name) {
        return new RegistryException(404, "NAME_UNKNOWN", "The repository with name '" + name
                + "' does not exist in the registry with id '" + account + "'");
    }

    private static RegistryException unsupported(String what) {
        return new RegistryException(405, "UNSUPPORTED", what);
    }

    // ---- routing ----------------------------------------------------------------------------------------

    /** Reads what the request stands for; a request no route takes is a {@link RegistryException}. */
    public Prepared prepare(Request request) {
        String path = request.path();
        String method = request.method();
        if (path.isEmpty()) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                throw unsupported("The registry's base answers GET and HEAD only");
            }
            // Authenticated (the listener refuses anyone else with 401): the registry is there.
            return prepared("Ping", List.of(), () -> new Answer(200, jsonHeaders(), "{}".getBytes(
                    StandardCharsets.UTF_8), null));
        }
        if (path.equals("_catalog")) {
            throw new RegistryException(404, "UNSUPPORTED", "ECR's registry does not list repositories: call"
                    + " DescribeRepositories");
        }
        Matcher m;
        if ((m = UPLOADS_ROUTE.matcher(path)).matches()) {
            Repo repo = repo(request, m.group(1));
            if (!method.equals("POST")) {
                throw unsupported(method + " is not supported on uploads: start one with POST");
            }
            return startUpload(request, repo);
        }
        if ((m = UPLOAD_ROUTE.matcher(path)).matches()) {
            Repo repo = repo(request, m.group(1));
            String id = m.group(2);
            return switch (method) {
                case "PATCH" -> uploadChunk(request, repo, id);
                case "PUT" -> completeUpload(request, repo, id);
                case "GET" -> uploadStatus(repo, id);
                case "DELETE" -> cancelUpload(repo, id);
                default -> throw unsupported(method + " is not supported on an upload");
            };
        }
        if ((m = MANIFEST_ROUTE.matcher(path)).matches()) {
            Repo repo = repo(request, m.group(1));
            String reference = m.group(2);
            return switch (method) {
                case "GET", "HEAD" -> getManifest(repo, reference);
                case "PUT" -> putManifest(request, repo, reference);
                case "DELETE" -> deleteManifest(repo, reference);
                default -> throw unsupported(method + " is not supported on a manifest");
            };
        }
        if ((m = TAGS_ROUTE.matcher(path)).matches()) {
            Repo repo = repo(request, m.group(1));
            if (!method.equals("GET") && !method.equals("HEAD")) {
                throw unsupported(method + " is not supported on a tag list");
            }
            return listTags(request, repo);
        }
        if ((m = BLOB_ROUTE.matcher(path)).matches()) {
            Repo repo = repo(request, m.group(1));
            String digest = m.group(2);
            return switch (method) {
                case "GET" -> getBlob(request, repo, digest);
                case "HEAD" -> headBlob(repo, digest);
                case "DELETE" -> throw unsupported("ECR deletes layers with their images: call BatchDeleteImage");
                default -> throw unsupported(method + " is not supported on a blob");
            };
        }
        throw new RegistryException(404, "NAME_UNKNOWN", "The registry has no route for " + method + " /v2/"
                + request.namePrefix() + path);
    }

    /**
     * A layer's download URL (GetDownloadUrlForLayer's): it serves the one layer it was issued for, without further
     * credentials, the permission having been decided when it was issued (as ECR's pre-signed URLs are). The region is
     * the repository's, from the token.
     */
    public Prepared download(Request request, RegistryTokens.Download download) {
        Matcher blob = BLOB_ROUTE.matcher(request.path());
        boolean upload = UPLOADS_ROUTE.matcher(request.path()).matches()
                || UPLOAD_ROUTE.matcher(request.path()).matches();
        String[] arn = download.repositoryArn().split(":", 6);
        if (!blob.matches() || upload || arn.length != 6
                || !request.method().equals("GET") && !request.method().equals("HEAD")) {
            throw new RegistryException(403, "DENIED", "A download URL serves its layer only, with GET");
        }
        Repo repo = repo(new Request(request.method(), request.account(), arn[3], request.path(),
                request.namePrefix(), request.query(), request.header(), request.body(), request.declaredLength()),
                blob.group(1));
        if (!repo.arn().equals(download.repositoryArn()) || !blob.group(2).equals(download.digest())) {
            throw new RegistryException(403, "DENIED", "This download URL was issued for " + download.digest()
                    + " of " + download.repositoryArn());
        }
        return prepared("GetDownloadUrlForLayer", List.of(),
                () -> serveBlob(request.header().apply("Range"), repo, download.digest()));
    }

    /** A repository as a request names it. */
    private record Repo(String account, String region, String name, String clientName) {
        String arn() {
            return Repository.arn(account, region, name);
        }

        String location(String rest) {
            return "/v2/" + clientName + "/" + rest;
        }
    }

    private static Repo repo(Request request, String name) {
        if (name.length() < 2 || name.length() > 256 || !NAME.matcher(name).matches()) {
            throw new RegistryException(400, "NAME_INVALID", "Invalid repository name '" + name + "': it must satisfy"
                    + " regular expression '" + EcrService.NAME_PATTERN + "'");
        }
        return new Repo(request.account(), request.region(), name, request.namePrefix() + name);
    }

    private AccessCheck check(String operation, Repo repo) {
        return ecr.repositoryCheck(operation, repo.account(), repo.region(), repo.name());
    }

    private static Prepared prepared(String operation, List<AccessCheck> checks, Supplier<Answer> work) {
        return new Prepared() {
            @Override
            public String operation() {
                return operation;
            }

            @Override
            public List<AccessCheck> checks() {
                return checks;
            }

            @Override
            public Answer run() {
                return work.get();
            }
        };
    }

    private Repository existing(Repo repo) {
        return registry.repository(repo.arn()).orElseThrow(() -> nameUnknown(repo.account(), repo.name()));
    }

    // ---- answers ------------------------------------------------------------------------------------------

    private static Map<String, String> jsonHeaders() {
        return headers("Content-Type", "application/json; charset=utf-8");
    }

    private static Answer empty(int status, Map<String, String> headers) {
        return new Answer(status, headers, new byte[0], null);
    }

    private static Map<String, String> headers(String... pairs) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.put(pairs[i], pairs[i + 1]);
        }
        return headers;
    }

    /** The {@code Range} of an upload: {@code 0-<last byte>}, and {@code 0-0} before the first (as registries say). */
    private static String range(LayerUpload upload) {
        return "0-" + Math.max(0, upload.lastByteReceived());
    }

    private static Map<String, String> uploadHeaders(Repo repo, LayerUpload upload) {
        return headers("Location", repo.location("blobs/uploads/" + upload.uploadId()), "Range", range(upload),
                "Docker-Upload-UUID", upload.uploadId());
    }

    // ---- manifests ----------------------------------------------------------------------------------------

    private Prepared getManifest(Repo repo, String reference) {
        boolean byDigest = reference.contains(":");
        if (!byDigest && !TAG.matcher(reference).matches()) {
            throw new RegistryException(400, "TAG_INVALID", "Invalid tag '" + reference + "'");
        }
        return prepared("BatchGetImage", List.of(check("BatchGetImage", repo)), () -> {
            Repository repository = existing(repo);
            Image image = (byDigest ? registry.image(repository.arn(), reference)
                    : registry.tagged(repository.arn(), reference)).orElseThrow(() -> manifestUnknown(repo,
                    reference));
            byte[] body = image.manifest().getBytes(StandardCharsets.UTF_8);
            return new Answer(200, headers("Content-Type", image.mediaType(), "Docker-Content-Digest",
                    image.digest(), "ETag", "\"" + image.digest() + "\""), body, null);
        });
    }

    private static RegistryException manifestUnknown(Repo repo, String reference) {
        return new RegistryException(404, "MANIFEST_UNKNOWN", "Requested image not found: " + repo.clientName()
                + (reference.contains(":") ? "@" : ":") + reference);
    }

    private Prepared putManifest(Request request, Repo repo, String reference) {
        boolean byDigest = reference.contains(":");
        if (byDigest && !SHA256.matcher(reference).matches()) {
            throw new RegistryException(400, "DIGEST_INVALID", "Invalid digest '" + reference + "': ECR takes"
                    + " sha256 digests");
        }
        if (!byDigest && !TAG.matcher(reference).matches()) {
            throw new RegistryException(400, "TAG_INVALID", "Invalid tag '" + reference + "'");
        }
        return prepared("PutImage", List.of(check("PutImage", repo)), () -> {
            existing(repo);
            String manifest = readManifest(request);
            String declared = mediaType(request.header().apply("Content-Type"));
            Manifests.Manifest read;
            try {
                read = Manifests.read(manifest, MANIFEST_TYPES.contains(declared) ? declared : null);
            } catch (AwsException e) {
                throw new RegistryException(400, "MANIFEST_INVALID", "manifest invalid: " + e.getMessage());
            }
            String digest = Manifests.digest(manifest);
            if (byDigest && !digest.equals(reference)) {
                throw new RegistryException(400, "DIGEST_INVALID", "Provided digest '" + reference + "' does not"
                        + " match the calculated digest '" + digest + "' of the image manifest");
            }
            String tag = byDigest ? null : reference;
            sync.write(tx -> {
                registry.deleteReleasedBlobs();
                Repository repository = existing(repo);
                try {
                    return ecr.storeImage(repository, manifest, read, digest, tag, true);
                } catch (AwsException e) {
                    throw switch (e.code()) {
                        case "LayersNotFoundException", "ReferencedImagesNotFoundException" ->
                                new RegistryException(400, "MANIFEST_BLOB_UNKNOWN", e.getMessage());
                        case "ImageTagAlreadyExistsException" -> new RegistryException(400, "TAG_INVALID",
                                "tag invalid: " + e.getMessage());
                        default -> new RegistryException(400, "MANIFEST_INVALID", e.getMessage());
                    };
                }
            });
            return empty(201, headers("Location", repo.location("manifests/" + digest), "Docker-Content-Digest",
                    digest));
        });
    }

    /** The media type of a {@code Content-Type}, its parameters off, in lower case; {@code null} for none. */
    private static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    /** A manifest as sent: at most ECR's 4 MiB, and UTF-8 (its digest is of those bytes). */
    private static String readManifest(Request request) {
        if (request.declaredLength() > MAX_MANIFEST_BYTES) {
            throw tooLargeManifest();
        }
        byte[] bytes;
        try (InputStream in = request.body().get()) {
            bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
        } catch (IOException e) {
            throw bodyEnded(e);
        }
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw tooLargeManifest();
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new RegistryException(400, "MANIFEST_INVALID", "manifest invalid: a manifest is JSON in UTF-8");
        }
    }

    private static RegistryException tooLargeManifest() {
        return new RegistryException(413, "SIZE_INVALID", "A manifest is at most " + MAX_MANIFEST_BYTES + " bytes");
    }

    private static RegistryException bodyEnded(IOException e) {
        return new RegistryException(400, "BLOB_UPLOAD_INVALID", "The request body is malformed or ended early: "
                + e.getMessage());
    }

    /** By digest: the image with its tags; by tag: the tag, and the image with it when it was the last. */
    private Prepared deleteManifest(Repo repo, String reference) {
        boolean byDigest = reference.contains(":");
        return prepared("BatchDeleteImage", List.of(check("BatchDeleteImage", repo)), () -> {
            sync.write(tx -> {
                registry.deleteReleasedBlobs();
                Repository repository = existing(repo);
                Image image = (byDigest ? registry.image(repository.arn(), reference)
                        : registry.tagged(repository.arn(), reference)).orElseThrow(() -> manifestUnknown(repo,
                        reference));
                if (!byDigest && image.tags().size() > 1) {
                    List<String> left = new ArrayList<>(image.tags());
                    left.remove(reference);
                    registry.put(image.withTags(left));
                } else {
                    registry.remove(image);
                }
                return null;
            });
            return empty(202, headers());
        });
    }

    private Prepared listTags(Request request, Repo repo) {
        return prepared("ListImages", List.of(check("ListImages", repo)), () -> {
            Repository repository = existing(repo);
            List<String> tags = registry.images(repository.arn()).stream().flatMap(i -> i.tags().stream()).sorted()
                    .toList();
            String last = request.query().get("last");
            if (last != null) {
                tags = tags.stream().filter(t -> t.compareTo(last) > 0).toList();
            }
            Map<String, String> headers = jsonHeaders();
            String n = request.query().get("n");
            if (n != null) {
                int limit;
                try {
                    limit = Integer.parseInt(n);
                } catch (NumberFormatException e) {
                    throw new RegistryException(400, "PAGINATION_NUMBER_INVALID", "invalid number of results"
                            + " requested: '" + n + "'");
                }
                if (limit < 0) {
                    throw new RegistryException(400, "PAGINATION_NUMBER_INVALID", "invalid number of results"
                            + " requested: '" + n + "'");
                }
                if (tags.size() > limit) {
                    tags = tags.subList(0, limit);
                    if (limit > 0) {
                        headers.put("Link", "<" + repo.location("tags/list") + "?n=" + limit + "&last="
                                + tags.get(limit - 1) + ">; rel=\"next\"");
                    }
                }
            }
            ObjectNode root = JSON.createObjectNode().put("name", repo.clientName());
            ArrayNode list = root.putArray("tags");
            tags.forEach(list::add);
            return new Answer(200, headers, root.toString().getBytes(StandardCharsets.UTF_8), null);
        });
    }

    // ---- blobs --------------------------------------------------------------------------------------------

    private static RegistryException blobUnknown(String digest) {
        return new RegistryException(404, "BLOB_UNKNOWN", "blob unknown to registry: " + digest);
    }

    private Prepared headBlob(Repo repo, String digest) {
        return prepared("BatchCheckLayerAvailability", List.of(check("BatchCheckLayerAvailability", repo)), () -> {
            Repository repository = existing(repo);
            Layer layer = registry.layer(repository.arn(), digest).orElseThrow(() -> blobUnknown(digest));
            return new Answer(200, headers("Content-Type", "application/octet-stream", "Docker-Content-Digest",
                    digest, "Accept-Ranges", "bytes"), null, blob(layer.blobId(), 0, layer.size()));
        });
    }

    /** A blob's bytes, or the single range a {@code Range: bytes=…} asks for (206). */
    private Prepared getBlob(Request request, Repo repo, String digest) {
        return prepared("GetDownloadUrlForLayer", List.of(check("GetDownloadUrlForLayer", repo)),
                () -> serveBlob(request.header().apply("Range"), repo, digest));
    }

    /** A layer's bytes as {@link #getBlob} serves them (also for a download URL, authorized when it was issued). */
    Answer serveBlob(String rangeHeader, Repo repo, String digest) {
        Repository repository = existing(repo);
        Layer layer = registry.layer(repository.arn(), digest).orElseThrow(() -> blobUnknown(digest));
        Map<String, String> headers = headers("Content-Type", "application/octet-stream", "Docker-Content-Digest",
                digest, "Accept-Ranges", "bytes");
        long size = layer.size();
        if (rangeHeader != null) {
            Matcher range = BYTE_RANGE.matcher(rangeHeader.strip());
            if (range.matches() && !(range.group(1).isEmpty() && range.group(2).isEmpty())) {
                long first;
                long last;
                if (range.group(1).isEmpty()) { // the last N bytes
                    long suffix = Long.parseLong(range.group(2));
                    first = Math.max(0, size - suffix);
                    last = size - 1;
                } else {
                    first = Long.parseLong(range.group(1));
                    last = range.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(range.group(2)));
                }
                if (first >= size || last < first) {
                    throw new RegistryException(416, "BLOB_UNKNOWN", "requested range not satisfiable: "
                            + rangeHeader + " of a blob of " + size + " bytes")
                            .with("Content-Range", "bytes */" + size);
                }
                headers.put("Content-Range", "bytes " + first + "-" + last + "/" + size);
                return new Answer(206, headers, null, blob(layer.blobId(), first, last - first + 1));
            }
        }
        return new Answer(200, headers, null, blob(layer.blobId(), 0, size));
    }

    private StreamingBody blob(String blobId, long offset, long length) {
        BlobStore blobs = registry.blobs();
        return new StreamingBody() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                blobs.copyRange(blobId, offset, length, out);
            }
        };
    }

    // ---- uploads ------------------------------------------------------------------------------------------

    /**
     * {@code POST …/blobs/uploads/}: a new upload (202); with {@code ?digest=} the whole blob in this request (201);
     * a cross-repository mount ({@code ?mount=&from=}) is answered as a new upload, which the spec allows.
     */
    private Prepared startUpload(Request request, Repo repo) {
        String digest = request.query().get("digest");
        if (digest != null && request.query().get("mount") == null) {
            Matcher hex = sha256(digest);
            return prepared("InitiateLayerUpload", List.of(check("InitiateLayerUpload", repo),
                    check("UploadLayerPart", repo), check("CompleteLayerUpload", repo)), () -> {
                existing(repo);
                try (BlobStore.Pending whole = registry.blobs().create()) {
                    Received received = receive(request, whole);
                    if (!received.digest().equals(digest)) {
                        throw digestMismatch(digest, received.digest());
                    }
                    sync.write(tx -> {
                        registry.deleteReleasedBlobs();
                        Repository repository = existing(repo);
                        keepLayer(repository, digest, hex.group(1), received.size(), whole);
                        return null;
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot keep a layer", e);
                }
                return empty(201, headers("Location", repo.location("blobs/" + digest), "Docker-Content-Digest",
                        digest));
            });
        }
        return prepared("InitiateLayerUpload", List.of(check("InitiateLayerUpload", repo)), () -> {
            LayerUpload upload = sync.write(tx -> {
                registry.deleteReleasedBlobs();
                Repository repository = existing(repo);
                LayerUpload started = new LayerUpload(repository.arn(), UUID.randomUUID().toString(), -1, List.of(),
                        registry.now());
                registry.put(started);
                return started;
            });
            return empty(202, uploadHeaders(repo, upload));
        });
    }

    private static Matcher sha256(String digest) {
        Matcher hex = SHA256.matcher(digest);
        if (!hex.matches()) {
            throw new RegistryException(400, "DIGEST_INVALID", ANY_DIGEST.matcher(digest).matches()
                    ? "Unsupported digest '" + digest + "': ECR takes sha256 digests"
                    : "Invalid digest '" + digest + "'");
        }
        return hex;
    }

    private static RegistryException digestMismatch(String given, String computed) {
        return new RegistryException(400, "DIGEST_INVALID", "provided digest did not match uploaded content: '"
                + given + "' was given, the content's is '" + computed + "'");
    }

    private LayerUpload upload(Repo repo, String uploadId) {
        if (!UPLOAD_ID.matcher(uploadId).matches()) {
            throw uploadUnknown(uploadId);
        }
        return registry.upload(uploadId).filter(u -> u.repositoryArn().equals(repo.arn()))
                .orElseThrow(() -> uploadUnknown(uploadId));
    }

    private static RegistryException uploadUnknown(String uploadId) {
        return new RegistryException(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry: " + uploadId);
    }

    /** What a body held: its size and digest. */
    private record Received(long size, String digest) {}

    /** Writes the request's body into {@code pending}, made durable before it returns (so that a commit is quick). */
    private static Received receive(Request request, BlobStore.Pending pending) {
        MessageDigest sha256 = Manifests.sha256();
        long size;
        try (InputStream in = request.body().get()) {
            CountingOutput out = new CountingOutput(new DigestOutputStream(Channels.newOutputStream(pending.channel()),
                    sha256));
            in.transferTo(out);
            out.flush();
            size = out.count;
        } catch (IOException e) {
            throw bodyEnded(e);
        }
        if (request.declaredLength() >= 0 && size != request.declaredLength()) {
            throw new RegistryException(400, "SIZE_INVALID", "The body held " + size + " bytes, not its"
                    + " Content-Length's " + request.declaredLength());
        }
        try {
            durable(pending);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep a layer part", e);
        }
        return new Received(size, "sha256:" + HexFormat.of().formatHex(sha256.digest()));
    }

    /** Syncs a file blob's bytes to disk now, so that publishing it under the store's write lock is quick. */
    private static void durable(BlobStore.Pending pending) throws IOException {
        if (pending.channel() instanceof java.nio.channels.FileChannel file) {
            file.force(true);
        }
    }

    /** Counts the bytes written through it. */
    private static final class CountingOutput extends java.io.FilterOutputStream {
        long count;

        CountingOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /**
     * A {@code Content-Range} a chunk must agree with: it continues the upload where it stands. {@code null} when the
     * request has none.
     */
    private static long[] contentRange(Request request, LayerUpload upload) {
        String header = request.header().apply("Content-Range");
        if (header == null) {
            return null;
        }
        Matcher m = CONTENT_RANGE.matcher(header.strip());
        if (!m.matches()) {
            throw new RegistryException(400, "BLOB_UPLOAD_INVALID", "Invalid Content-Range '" + header + "'");
        }
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        if (first != upload.lastByteReceived() + 1 || last < first) {
            throw new RegistryException(416, "BLOB_UPLOAD_INVALID", "The chunk " + first + "-" + last + " does not"
                    + " continue the upload, whose next byte is " + (upload.lastByteReceived() + 1))
                    .with("Range", range(upload)).with("Docker-Upload-UUID", upload.uploadId());
        }
        return new long[] {first, last};
    }

    private Prepared uploadChunk(Request request, Repo repo, String uploadId) {
        return prepared("UploadLayerPart", List.of(check("UploadLayerPart", repo)), () -> {
            existing(repo);
            LayerUpload upload = upload(repo, uploadId);
            long[] range = contentRange(request, upload);
            LayerUpload after = appendChunk(request, repo, upload, range);
            return empty(202, uploadHeaders(repo, after));
        });
    }

    /** Appends the request's body to an upload as its next part; the upload as it then is. */
    private LayerUpload appendChunk(Request request, Repo repo, LayerUpload upload, long[] range) {
        try (BlobStore.Pending part = registry.blobs().create()) {
            Received received = receive(request, part);
            if (range != null && received.size() != range[1] - range[0] + 1) {
                throw new RegistryException(400, "SIZE_INVALID", "The chunk held " + received.size() + " bytes, not"
                        + " the " + (range[1] - range[0] + 1) + " its Content-Range says");
            }
            if (received.size() == 0) {
                return upload;
            }
            return sync.write(tx -> {
                registry.deleteReleasedBlobs();
                LayerUpload current = upload(repo, upload.uploadId());
                if (current.lastByteReceived() != upload.lastByteReceived()) {
                    throw new RegistryException(416, "BLOB_UPLOAD_INVALID", "Another chunk of this upload arrived"
                            + " meanwhile; its next byte is now " + (current.lastByteReceived() + 1))
                            .with("Range", range(current));
                }
                String blobId = current.nextPartBlobId();
                try {
                    part.publish(blobId);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot keep a layer part", e);
                }
                registry.release(blobId); // deleted after this write unless its record is committed
                LayerUpload next = current.withPart(blobId, received.size());
                registry.put(next);
                return next;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep a layer part", e);
        }
    }

    /** {@code PUT …/blobs/uploads/<id>?digest=}: the last chunk (if the body has one), then the layer. */
    private Prepared completeUpload(Request request, Repo repo, String uploadId) {
        String digest = request.query().get("digest");
        if (digest == null) {
            throw new RegistryException(400, "DIGEST_INVALID", "A finished upload names its digest:"
                    + " ?digest=sha256:…");
        }
        Matcher hex = sha256(digest);
        List<AccessCheck> checks = request.declaredLength() != 0
                ? List.of(check("UploadLayerPart", repo), check("CompleteLayerUpload", repo))
                : List.of(check("CompleteLayerUpload", repo));
        return prepared("CompleteLayerUpload", checks, () -> {
            existing(repo);
            LayerUpload upload = upload(repo, uploadId);
            if (request.declaredLength() != 0) {
                upload = appendChunk(request, repo, upload, contentRange(request, upload));
            }
            LayerUpload complete = upload;
            try (BlobStore.Pending whole = registry.blobs().create()) {
                MessageDigest sha256 = Manifests.sha256();
                OutputStream out = new DigestOutputStream(Channels.newOutputStream(whole.channel()), sha256);
                for (LayerUpload.Part part : complete.parts()) {
                    registry.blobs().copyRange(part.blobId(), 0, part.size(), out);
                }
                out.flush();
                durable(whole);
                String computed = "sha256:" + HexFormat.of().formatHex(sha256.digest());
                if (!computed.equals(digest)) {
                    throw digestMismatch(digest, computed);
                }
                sync.write(tx -> {
                    registry.deleteReleasedBlobs();
                    Repository repository = existing(repo);
                    LayerUpload current = upload(repo, uploadId);
                    if (current.lastByteReceived() != complete.lastByteReceived()) {
                        throw new RegistryException(416, "BLOB_UPLOAD_INVALID", "Another chunk of this upload arrived"
                                + " meanwhile").with("Range", range(current));
                    }
                    keepLayer(repository, digest, hex.group(1), complete.lastByteReceived() + 1, whole);
                    registry.remove(current);
                    return null;
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot assemble a layer", e);
            }
            return empty(201, headers("Location", repo.location("blobs/" + digest), "Docker-Content-Digest", digest));
        });
    }

    /** Under a write: the repository's layer {@code digest}, its bytes in {@code whole}, unless it has it already. */
    private void keepLayer(Repository repository, String digest, String hex, long size, BlobStore.Pending whole) {
        if (registry.layer(repository.arn(), digest).isPresent()) {
            return;
        }
        String blobId = Layer.blobId(hex);
        try {
            whole.publish(blobId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep a layer", e);
        }
        registry.release(blobId); // deleted after this write if the commit fails (its record is then gone)
        registry.put(new Layer(repository.arn(), digest, size, blobId, registry.now()));
    }

    private Prepared uploadStatus(Repo repo, String uploadId) {
        return prepared("UploadLayerPart", List.of(check("UploadLayerPart", repo)), () -> {
            existing(repo);
            return empty(204, uploadHeaders(repo, upload(repo, uploadId)));
        });
    }

    private Prepared cancelUpload(Repo repo, String uploadId) {
        return prepared("UploadLayerPart", List.of(check("UploadLayerPart", repo)), () -> {
            sync.write(tx -> {
                registry.deleteReleasedBlobs();
                existing(repo);
                registry.remove(upload(repo, uploadId));
                return null;
            });
            return empty(204, headers());
        });
    }
}
