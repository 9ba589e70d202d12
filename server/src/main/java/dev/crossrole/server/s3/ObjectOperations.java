package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.kms.KmsKeys;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.protocol.StreamingBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * PutObject, GetObject, HeadObject, DeleteObject(s), CopyObject and object tagging, of the current object or, with a
 * {@code versionId}, of one version: a request that names a version is authorized with the version's own action
 * ({@code s3:GetObjectVersion}, {@code s3:DeleteObjectVersion}, {@code s3:*ObjectVersionTagging}, with
 * {@code s3:versionid}), as the Service Authorization Reference gives them.
 */
final class ObjectOperations {
    static final long MAX_SINGLE_PUT = 5L * 1024 * 1024 * 1024;
    /** S3 deletes at most 1,000 keys in one DeleteObjects. */
    private static final int MAX_DELETE_KEYS = 1000;
    private static final List<String> OWNER_ENFORCED_ACLS = List.of("private", "bucket-owner-full-control");

    private final S3Repository repository;
    private final Clock clock;
    /** Which encryption writes get, and the KMS permissions SSE-KMS objects ask for. */
    private final ObjectEncryption encryption;
    /** Object Lock on versions: retention, legal hold, and the deletes they refuse. */
    private final ObjectLockOperations locks;

    ObjectOperations(S3Repository repository, Clock clock, KmsKeys kms) {
        this.repository = repository;
        this.clock = clock;
        this.encryption = new ObjectEncryption(kms);
        this.locks = new ObjectLockOperations(repository, clock, this);
    }

    ObjectLockOperations locks() {
        return locks;
    }

    ObjectEncryption encryption() {
        return encryption;
    }

    // ---- PutObject ----------------------------------------------------------------------------

    S3Call put(S3Input input, Bucket bucket, Call call) {
        S3Request request = input.request();
        String key = input.string("Key");
        S3Support.checkKey(key);
        checkAcl(input, bucket, encryption.servesKms());
        CustomerKey.Given customer = CustomerKey.of(input, false);
        ObjectAcls.Acl objectAcl = ObjectAcls.forWrite(input, bucket, call.caller().account());
        // A customer's key replaces the bucket's default encryption, as on S3.
        ObjectEncryption.Applied applied = customer != null ? ObjectEncryption.Applied.SSE_S3
                : encryption.forWrite(input, bucket);
        Map<String, String> tags = S3Support.taggingHeader(input.string("Tagging"));
        Map<String, String> headers = S3Support.storedHeaders(input);
        Map<String, String> metadata = S3Support.userMetadata(input);
        checkLength(request);
        WriteCondition condition = WriteCondition.ofWrite(input);
        ObjectLock lock = ObjectLockOperations.requested(input, bucket, clock.instant());
        ObjectLockOperations.requireIntegrity(input, lock, bucket);
        RequestContext.Builder context = RequestContext.builder();
        String acl = input.string("ACL");
        if (acl != null) {
            context.single("s3:x-amz-acl", acl);
        }
        S3Support.requestTags(context, tags);
        conditionKeys(input, context);
        ObjectLockOperations.conditionKeys(lock, clock.instant(), context);
        ObjectEncryption.conditionKeys(input, context);
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(S3Support.objectCheck("s3:PutObject", bucket, key, context.build()));
        if (!tags.isEmpty()) {
            RequestContext.Builder tagContext = RequestContext.builder();
            S3Support.requestTags(tagContext, tags);
            checks.add(S3Support.objectCheck("s3:PutObjectTagging", bucket, key, tagContext.build()));
        }
        if (applied.kms()) {
            checks.add(encryption.generateDataKey(applied, input, bucket, key, call));
        }
        return new S3Call(checks, findings -> {
            // Before the body is read; again when the object commits, against whatever was written meanwhile.
            checkBeforeWrite(condition, bucket, key, findings);
            ChecksumAlgorithm algorithm = requestedChecksum(request);
            StoredObject stored;
            try (InputStream body = request.body().get()) {
                Instant writtenAt = now();
                ObjectLock locked = ObjectLockOperations.forWrite(lock, bucket, writtenAt);
                stored = repository.putObject(bucket.name(), key, body, sealed(customer, finisher(algorithm, done ->
                        objectAcl.applyTo(applied.applyTo(new StoredObject(key, UUID.randomUUID().toString(),
                                done.size(), "\"" + done.md5Hex() + "\"", writtenAt, headers, metadata,
                                checksumsOf(done), tags, 0)).withLock(locked)))), condition);
            }
            // A suspended bucket's write is the null version, which S3's PutObject answer does not name.
            S3Response response = S3Response.empty(200).header("ETag", stored.etag())
                    .header("x-amz-version-id", stored.versionId())
                    .header("x-amz-expiration", expiration(bucket, stored));
            ObjectEncryption.headers(response, stored);
            stored.checksums().forEach(response::header);
            // A browser's form arrives as the PutObject it stands for, still a POST.
            return response.event(ObjectEvent.of(bucket.name(), "POST".equals(request.method())
                    ? "ObjectCreated:Post" : "ObjectCreated:Put", stored));
        });
    }

    /**
     * Reading an SSE-KMS object's bytes asks the caller for {@code kms:Decrypt} on its key, through S3: the classic
     * failure of a reader of another account that the key's policy does not name.
     */
    void requireDecrypt(StoredObject object, Bucket bucket, Call call, AccessGate gate) {
        encryption.requireDecrypt(object.kmsKeyArn(), bucket, object.key(), call, gate);
    }

    /**
     * {@code finish} as a write of one segment under the customer's key (SSE-C), or as it is without one: the bytes
     * are encrypted as they are stored, the object keeps the key's seal and shows an SSE-C ETag.
     */
    static ObjectWriter.Finisher sealed(CustomerKey.Given customer, ObjectWriter.Finisher finish) {
        if (customer == null) {
            return finish;
        }
        String nonce = CustomerKey.nonce();
        CustomerKey.Sealed seal = CustomerKey.seal(customer, List.of(nonce));
        return CustomerKey.encrypting(written -> finish.finish(written).withCustomerKey(seal,
                CustomerKey.etag(written.md5(), seal)), CustomerKey.algorithmOf(finish), customer,
                List.of(new CustomerKey.Segment(nonce, Long.MAX_VALUE)));
    }

    /**
     * A write's conditions against the object as it is before the body is read. A missing key under
     * {@code If-Match} is NoSuchKey only for callers who may list the bucket, as for reads.
     */
    void checkBeforeWrite(WriteCondition condition, Bucket bucket, String key, AccessGate gate) {
        StoredObject current = repository.objects(bucket.name()).get(key);
        if (condition.ifMatch() != null && current == null) {
            throw missing(bucket, key, gate);
        }
        condition.check(key, current, false);
    }

    /** {@code s3:if-match} and {@code s3:if-none-match}, the condition keys of a conditional PutObject. */
    static RequestContext.Builder conditionKeys(S3Input input, RequestContext.Builder context) {
        String ifMatch = input.string("IfMatch");
        if (ifMatch != null) {
            context.single("s3:if-match", ifMatch);
        }
        String ifNoneMatch = input.string("IfNoneMatch");
        if (ifNoneMatch != null) {
            context.single("s3:if-none-match", ifNoneMatch);
        }
        return context;
    }

    static void checkLength(S3Request request) {
        if (request.declaredLength() == 0 && request.header("Content-Length") == null
                && request.header("Transfer-Encoding") == null) {
            throw new S3Exception("MissingContentLength", 411, "You must provide the Content-Length HTTP header.");
        }
        long size = request.declaredLength();
        String decoded = request.header("x-amz-decoded-content-length");
        if (decoded != null) {
            try {
                size = Long.parseLong(decoded.trim());
            } catch (NumberFormatException e) {
                throw S3Exception.invalidArgument("x-amz-decoded-content-length must be a number",
                        "x-amz-decoded-content-length", decoded);
            }
        }
        if (size > MAX_SINGLE_PUT) {
            throw new S3Exception("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size")
                    .with("ProposedSize", String.valueOf(size)).with("MaxSizeAllowed", String.valueOf(MAX_SINGLE_PUT));
        }
    }

    /**
     * Objects are encrypted the way S3 encrypts them by default (SSE-S3, {@code AES256}), or with a customer's key
     * (SSE-C, which excludes the other); asking for KMS is refused rather than answered as if it had been done.
     */
    static void checkEncryption(S3Input input) {
        checkEncryption(input, false);
    }

    /** As {@link #checkEncryption(S3Input)}; {@code aws:kms} is accepted where the operation implements SSE-KMS. */
    static void checkEncryption(S3Input input, boolean kms) {
        String sse = input.string("ServerSideEncryption");
        if (sse != null && !sse.equals(ObjectEncryption.SSE_S3) && !(kms && sse.equals(ObjectEncryption.SSE_KMS))) {
            throw new S3Exception("NotImplemented", 501, "A header you provided implies functionality that is not"
                    + " implemented").with("Header", input.wireName("ServerSideEncryption"));
        }
        if (sse != null && (input.sent("SSECustomerAlgorithm") || input.sent("SSECustomerKey"))) {
            throw S3Exception.invalidArgument("Server Side Encryption with Customer provided key is incompatible with"
                    + " the encryption method specified.", input.wireName("ServerSideEncryption"), sse);
        }
    }

    /** The object grants of the model's writes; any of them is an ACL. */
    private static final List<String> GRANTS = List.of("GrantFullControl", "GrantRead", "GrantReadACP",
            "GrantWriteACP");

    /**
     * With S3 Object Ownership "bucket owner enforced" (the default), ACLs other than the owner's are refused. A
     * bucket whose ACLs are enabled keeps each object's own ACL ({@link ObjectAcls#forWrite}).
     */
    static void checkAcl(S3Input input, Bucket bucket, boolean kms) {
        checkEncryption(input, kms);
        String acl = input.string("ACL");
        String grant = GRANTS.stream().filter(input::sent).findFirst().orElse(null);
        if ((acl != null && !OWNER_ENFORCED_ACLS.contains(acl)) || grant != null) {
            if (!bucket.aclsEnabled()) {
                throw new S3Exception("AccessControlListNotSupported", 400, "The bucket does not allow ACLs");
            }
        }
    }

    /**
     * The flexible checksum to compute and store: the one the client sent (header or trailer) or named
     * with {@code x-amz-sdk-checksum-algorithm}. Malformed or conflicting checksum headers never get
     * here: the pipeline checks the body's headers and refuses them, and
     * verifies the values sent, before the operation runs or at the body's end.
     */
    static ChecksumAlgorithm requestedChecksum(S3Request request) {
        for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
            if (request.header(algorithm.headerName()) != null) {
                return algorithm;
            }
        }
        String trailer = request.header("x-amz-trailer");
        if (trailer != null) {
            Optional<ChecksumAlgorithm> named = ChecksumAlgorithm.fromHeaderName(trailer.split(",")[0]);
            if (named.isPresent()) {
                return named.get();
            }
        }
        return ChecksumAlgorithm.fromName(request.header("x-amz-sdk-checksum-algorithm")).orElse(null);
    }

    /**
     * The type of an object's flexible checksum: {@code COMPOSITE} for the checksum of a multipart object's part
     * checksums (S3 writes it {@code <base64>-<parts>}), {@code FULL_OBJECT} for one over the whole object (every
     * single PUT or copy, and full-object multipart uploads); {@code null} without one.
     */
    static String checksumType(StoredObject object) {
        if (object.checksums().isEmpty()) {
            return null;
        }
        String value = object.checksums().values().iterator().next();
        return object.partCount() > 0 && value.matches(".*-\\d+") ? "COMPOSITE" : "FULL_OBJECT";
    }

    static Map<String, String> checksumsOf(ObjectWriter.Written written) {
        Map<String, String> checksums = new LinkedHashMap<>();
        if (written.algorithm() != null) {
            checksums.put(written.algorithm().headerName(), written.checksum());
        }
        return checksums;
    }

    static ObjectWriter.Finisher finisher(ChecksumAlgorithm algorithm, ObjectWriter.Finisher finish) {
        if (algorithm == null) {
            return finish;
        }
        return new ObjectWriter.WithChecksum() {
            @Override
            public ChecksumAlgorithm algorithm() {
                return algorithm;
            }

            @Override
            public StoredObject finish(ObjectWriter.Written written) {
                return finish.finish(written);
            }
        };
    }

    /**
     * The {@code x-amz-expiration} header of a current version: when the bucket's lifecycle rules will expire it and
     * by which rule; {@code null} when none will.
     */
    static String expiration(Bucket bucket, StoredObject current) {
        return bucket.lifecycle() == null ? null : bucket.lifecycle().expirationHeader(current);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    // ---- GetObject / HeadObject ---------------------------------------------------------------

    S3Call get(S3Input input, Bucket bucket, boolean anonymous, Call call, boolean head) {
        Map<String, String> overrides = ResponseOverrides.of(input, anonymous);
        String key = input.string("Key");
        Integer partNumber = partNumber(input);
        String range = input.string("Range");
        boolean checksums = "ENABLED".equalsIgnoreCase(input.string("ChecksumMode"));
        ReadConditions conditions = ReadConditions.of(input);
        CustomerKey.Given customer = CustomerKey.of(input, false);
        // The current object is looked up once, as before versions existed; only a versionId looks among versions.
        Target target = input.string("VersionId") == null ? new Target(null, null) : target(input, bucket, key);
        Optional<ObjectSource> found = target.versioned() ? Optional.empty() : repository.open(bucket.name(), key);
        StoredObject existing = target.versioned() ? target.found() : found.map(ObjectSource::object).orElse(null);
        return S3Call.of(target.check("s3:GetObject", "s3:GetObjectVersion", bucket, key,
                S3Support.existingTags(existing).toBuilder(), existing), findings -> {
            ObjectSource source;
            if (target.versioned()) {
                source = repository.source(readable(target, bucket, key, findings, head ? "HEAD" : "GET"));
            } else {
                source = found.orElseThrow(() -> missingCurrent(bucket, key, findings));
            }
            StoredObject object = source.object();
            if (!head) {
                requireDecrypt(object, bucket, call, findings); // HEAD reads no bytes, so needs no kms:Decrypt
            }
            ObjectSource opened = CustomerKey.open(source, customer);
            S3Response conditional = conditions.answer(object);
            if (conditional != null) {
                return conditional;
            }
            long offset = 0;
            long length = object.size();
            int status = 200;
            long[] wanted = range == null ? null : parseRange(range, object.size());
            if (partNumber != null) {
                wanted = partRange(object, partNumber);
            }
            if (wanted != null) {
                offset = wanted[0];
                length = wanted[1] - wanted[0] + 1;
                status = 206;
            }
            long from = offset;
            long count = length;
            StreamingBody body = new StreamingBody() {
                @Override
                public long length() {
                    return count;
                }

                @Override
                public void writeTo(OutputStream out) throws IOException {
                    opened.copyRange(from, count, out);
                }
            };
            S3Response response = new S3Response(status, new LinkedHashMap<>(), null, body);
            describe(response, object);
            ObjectLockOperations.headers(response, object, bucket, findings);
            response.header("x-amz-version-id", shownVersionId(bucket, object));
            if (!target.versioned()) {
                response.header("x-amz-expiration", expiration(bucket, object));
            }
            if (status == 206) {
                response.header("Content-Range", "bytes " + from + "-" + (from + count - 1) + "/" + object.size());
            } else if (checksums && !object.checksums().isEmpty()) {
                object.checksums().forEach(response::header);
                response.header("x-amz-checksum-type", checksumType(object));
            }
            response.headers().putAll(overrides);
            return response;
        });
    }

    /**
     * GetObject's and HeadObject's {@code partNumber}: 1 to 10,000 (S3's UploadPart wording), and not together
     * with a Range (S3's InvalidRequest, quoted in ceph/ceph#66780). {@code null} when absent.
     */
    private static Integer partNumber(S3Input input) {
        if (!input.sent("PartNumber")) {
            return null;
        }
        int number = input.partNumber();
        if (input.sent("Range")) {
            throw S3Exception.invalidRequest("Cannot specify both Range header and partNumber query parameter");
        }
        return number;
    }

    /**
     * The bytes of part {@code number}: of a multipart object the part uploaded under that number; of an object
     * from a single PUT, part 1 is the whole object (S3 answers it 206 with a Content-Range, without
     * {@code x-amz-mp-parts-count}: versity/versitygw#2074, storj/gateway-st#56). {@code null} for an empty
     * object from a single PUT: part 1 is the whole (empty) object.
     */
    private static long[] partRange(StoredObject object, int number) {
        if (object.partCount() == 0) {
            if (number != 1) {
                throw invalidPartNumber(number, 1);
            }
            return object.size() == 0 ? null : new long[] {0, object.size() - 1};
        }
        if (object.parts().isEmpty()) {
            throw new S3Exception("NotImplemented", 501, "This multipart object was stored before crossrole recorded"
                    + " part boundaries; read it whole or with a Range, or put it again.").with("Header", "partNumber");
        }
        long offset = 0;
        for (StoredObject.Part part : object.parts()) {
            if (part.number() == number) {
                // an empty last part is an empty range, never the whole object
                return new long[] {offset, offset + part.size() - 1};
            }
            offset += part.size();
        }
        throw invalidPartNumber(number, object.partCount());
    }

    private static S3Exception invalidPartNumber(int requested, int count) {
        return new S3Exception("InvalidPartNumber", 416, "The requested partnumber is not satisfiable")
                .with("PartNumberRequested", String.valueOf(requested)).with("ActualPartCount", String.valueOf(count));
    }

    /** NoSuchKey only for callers who may list the bucket; others learn nothing about which keys exist. */
    static S3Exception missing(Bucket bucket, String key, AccessGate gate) {
        RequestContext context = RequestContext.builder().single("s3:prefix", key).build();
        if (gate.allows(S3Support.bucketCheck("s3:ListBucket", bucket, context))) {
            return S3Exception.noSuchKey(key);
        }
        return S3Exception.accessDenied();
    }

    // ---- versions -----------------------------------------------------------------------------

    /**
     * What a request on an object addresses: the current object, or the version its {@code versionId} names (as sent:
     * {@code "null"} is the null version). {@code found} is what there is now, possibly a delete marker.
     */
    record Target(String versionId, StoredObject found) {
        boolean versioned() {
            return versionId != null;
        }

        /** The check of {@code action}, or of {@code versionAction} with {@code s3:versionid} for a version. */
        AccessCheck check(String action, String versionAction, Bucket bucket, String key,
                          RequestContext.Builder context) {
            return check(action, versionAction, bucket, key, context, found);
        }

        /** The check, decided in {@code object}'s context where its own ACL can grant the action. */
        AccessCheck check(String action, String versionAction, Bucket bucket, String key,
                          RequestContext.Builder context, StoredObject object) {
            if (!versioned()) {
                return S3Support.objectCheck(action, bucket, key, context.build(), object);
            }
            return S3Support.objectCheck(versionAction, bucket, key, context.single("s3:versionid", versionId).build(),
                    object);
        }
    }

    /** The object or version a request names by its key and {@code versionId}. */
    Target target(S3Input input, Bucket bucket, String key) {
        String requested = input.string("VersionId");
        if (requested == null) {
            return new Target(null, repository.objects(bucket.name()).get(key));
        }
        return new Target(requested, repository.version(bucket.name(), key, VersionIds.internal(requested))
                .orElse(null));
    }

    /**
     * The object a request may act on: the current one, else NoSuchKey (saying so when a delete marker hides the key);
     * the version named, else NoSuchVersion, or 405 when it is a delete marker (S3's answer to reading one).
     */
    StoredObject readable(Target target, Bucket bucket, String key, AccessGate gate, String method) {
        if (!target.versioned()) {
            if (target.found() == null) {
                throw missingCurrent(bucket, key, gate);
            }
            return target.found();
        }
        if (target.found() == null) {
            throw missingVersion(bucket, key, target.versionId(), gate);
        }
        if (target.found().deleteMarker()) {
            throw deleteMarkerNamed(method, target.found());
        }
        return target.found();
    }

    /**
     * NoSuchKey for a key read without a version id, with {@code x-amz-delete-marker: true} and the marker's id when
     * its latest version is a delete marker, as S3 answers it.
     */
    S3Exception missingCurrent(Bucket bucket, String key, AccessGate gate) {
        S3Exception missing = missing(bucket, key, gate);
        if (missing.code().equals("NoSuchKey")) {
            repository.latestDeleteMarker(bucket.name(), key).ifPresent(marker -> missing
                    .withHeader("x-amz-delete-marker", "true").withHeader("x-amz-version-id", marker.wireVersionId()));
        }
        return missing;
    }

    /** NoSuchVersion (with the Key and VersionId S3 names) only for callers who may list the bucket, as NoSuchKey. */
    static S3Exception missingVersion(Bucket bucket, String key, String versionId, AccessGate gate) {
        RequestContext context = RequestContext.builder().single("s3:prefix", key).build();
        if (gate.allows(S3Support.bucketCheck("s3:ListBucket", bucket, context))) {
            return S3Exception.noSuchVersion(key, versionId);
        }
        return S3Exception.accessDenied();
    }

    /**
     * A read of a delete marker by its version id: 405 with {@code x-amz-delete-marker: true} and the marker's
     * Last-Modified (GetObject's API reference).
     */
    static S3Exception deleteMarkerNamed(String method, StoredObject marker) {
        return new S3Exception("MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
                .with("Method", method).with("ResourceType", "DeleteMarker")
                .withHeader("x-amz-delete-marker", "true").withHeader("x-amz-version-id", marker.wireVersionId())
                .withHeader("Last-Modified", S3Support.httpDate(marker.lastModified()));
    }

    /**
     * The {@code x-amz-version-id} of a version read: its id, and {@code null} for the null version of a bucket that
     * has had versioning (versity/versitygw#2165); none in a never-versioned bucket.
     */
    static String shownVersionId(Bucket bucket, StoredObject object) {
        if (object.versionId() != null) {
            return object.versionId();
        }
        return bucket.versioning() != null ? StoredObject.NULL_VERSION : null;
    }

    private static void describe(S3Response response, StoredObject object) {
        response.header("Accept-Ranges", "bytes");
        response.header("Last-Modified", S3Support.httpDate(object.lastModified()));
        response.header("ETag", object.etag());
        object.headers().forEach(response::header);
        response.headers().putIfAbsent("Content-Type", object.contentType());
        object.userMetadata().forEach((k, v) -> response.header("x-amz-meta-" + k, v));
        if (!object.tags().isEmpty()) {
            response.header("x-amz-tagging-count", String.valueOf(object.tags().size()));
        }
        if (object.partCount() > 0) {
            response.header("x-amz-mp-parts-count", String.valueOf(object.partCount()));
        }
        ObjectEncryption.headers(response, object);
    }

    /**
     * A read's conditions, in S3's order: If-Match, then If-Unmodified-Since (412); If-None-Match, then
     * If-Modified-Since (304). A date that is not one is ignored.
     */
    private record ReadConditions(String ifMatch, String ifNoneMatch, Instant ifModifiedSince,
                                  Instant ifUnmodifiedSince) {
        static ReadConditions of(S3Input input) {
            return new ReadConditions(input.string("IfMatch"), input.string("IfNoneMatch"),
                    input.timestampOrIgnored("IfModifiedSince"), input.timestampOrIgnored("IfUnmodifiedSince"));
        }

        /** The 304 answer when the object was not modified; {@code null} to answer with the object. */
        S3Response answer(StoredObject object) {
            Instant modified = object.lastModified().truncatedTo(ChronoUnit.SECONDS);
            if (ifMatch != null && !etagListMatches(ifMatch, object.etag())) {
                throw preconditionFailed("If-Match");
            }
            if (ifMatch == null && ifUnmodifiedSince != null && modified.isAfter(ifUnmodifiedSince)) {
                throw preconditionFailed("If-Unmodified-Since");
            }
            boolean notModified = false;
            if (ifNoneMatch != null) {
                notModified = etagListMatches(ifNoneMatch, object.etag());
            } else if (ifModifiedSince != null) {
                notModified = !modified.isAfter(ifModifiedSince);
            }
            if (notModified) {
                return S3Response.empty(304).header("ETag", object.etag())
                        .header("Last-Modified", S3Support.httpDate(object.lastModified()));
            }
            return null;
        }
    }

    private static boolean etagListMatches(String header, String etag) {
        for (String candidate : header.split(",")) {
            String trimmed = candidate.trim();
            if (trimmed.equals("*") || S3Support.unquoted(trimmed).equals(S3Support.unquoted(etag))) {
                return true;
            }
        }
        return false;
    }

    static S3Exception preconditionFailed(String condition) {
        return new S3Exception("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold")
                .with("Condition", condition);
    }

    /**
     * {@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n} as {@code [first, last]}; {@code null} for a
     * header S3 ignores (another unit, several ranges, bad syntax). An unsatisfiable range is InvalidRange.
     */
    static long[] parseRange(String header, long size) {
        String value = header.trim();
        if (!value.startsWith("bytes=") || value.contains(",")) {
            return null;
        }
        String spec = value.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String first = spec.substring(0, dash).trim();
            String last = spec.substring(dash + 1).trim();
            long start;
            long end;
            if (first.isEmpty()) {
                if (last.isEmpty()) {
                    return null;
                }
                long suffix = Long.parseLong(last);
                if (suffix == 0 || size == 0) {
                    throw invalidRange(header, size);
                }
                start = Math.max(0, size - suffix);
                end = size - 1;
            } else {
                start = Long.parseLong(first);
                end = last.isEmpty() ? size - 1 : Math.min(Long.parseLong(last), size - 1);
                if (!last.isEmpty() && Long.parseLong(last) < start) {
                    return null;
                }
                if (start >= size) {
                    throw invalidRange(header, size);
                }
            }
            return new long[] {start, end};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static S3Exception invalidRange(String header, long size) {
        return new S3Exception("InvalidRange", 416, "The requested range is not satisfiable")
                .with("RangeRequested", header).with("ActualObjectSize", String.valueOf(size));
    }

    // ---- GetObjectAttributes -------------------------------------------------------------------

    /** What {@code x-amz-object-attributes} may ask for. */
    private static final List<String> OBJECT_ATTRIBUTES = List.of("ETag", "Checksum", "ObjectParts", "StorageClass",
            "ObjectSize");

    /**
     * GetObjectAttributes: an object's metadata without its bytes. The API reference asks for both
     * {@code s3:GetObject} and {@code s3:GetObjectAttributes} on an unversioned bucket, and {@code s3:ListBucket} to
     * learn that a key is missing; reading no bytes, it asks no KMS permission.
     */
    S3Call attributes(S3Input input, Bucket bucket) {
        String key = input.string("Key");
        List<String> asked = askedAttributes(input);
        // S3 ignores an x-amz-max-parts or x-amz-part-number-marker that is not a count (versity/versitygw#1806).
        Integer maxParts = lenientCount(input, "MaxParts");
        Integer marker = lenientCount(input, "PartNumberMarker");
        Target target = target(input, bucket, key);
        CustomerKey.Given customer = CustomerKey.of(input, false);
        RequestContext context = S3Support.existingTags(target.found());
        // A version is read with the version actions (the API reference: s3:GetObjectVersion and
        // s3:GetObjectVersionAttributes when a versionId is given).
        List<AccessCheck> checks = List.of(
                target.check("s3:GetObject", "s3:GetObjectVersion", bucket, key, context.toBuilder()),
                target.check("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes", bucket, key,
                        context.toBuilder()));
        return new S3Call(checks, findings -> {
            StoredObject existing = readable(target, bucket, key, findings, "GET");
            CustomerKey.check(existing, customer); // an SSE-C object's attributes are read with its key, as S3 says
            Shape output = Shape.of().put("LastModified", existing.lastModified());
            if (target.versioned() || existing.versionId() != null) {
                output.put("VersionId", shownVersionId(bucket, existing));
            }
            if (asked.contains("ETag")) {
                output.put("ETag", S3Support.unquoted(existing.etag())); // unquoted here, unlike every other ETag
            }
            if (asked.contains("Checksum") && !existing.checksums().isEmpty()) {
                Shape checksum = Shape.of();
                // A composite checksum without its "-<parts>" (as S3 answers it, quoted in floci-io/floci#3083).
                existing.checksums().forEach((header, value) -> checksum.put(MultipartOperations.checksumMember(header),
                        value.replaceFirst("-\\d+$", "")));
                output.put("Checksum", checksum.put("ChecksumType", checksumType(existing)));
            }
            if (asked.contains("ObjectParts") && existing.partCount() > 0) {
                output.put("ObjectParts", objectParts(existing, maxParts == null ? 1000 : maxParts,
                        marker == null ? 0 : marker));
            }
            if (asked.contains("StorageClass")) {
                output.put("StorageClass", existing.headers().getOrDefault(S3Support.STORAGE_CLASS, "STANDARD"));
            }
            if (asked.contains("ObjectSize")) {
                output.put("ObjectSize", existing.size());
            }
            return input.respond(output);
        });
    }

    /**
     * A multipart object's parts after {@code marker}, {@code maxParts} at a time. Each part is listed only when the
     * object has a flexible checksum, as the API reference says of general purpose buckets; the count always.
     */
    private static Shape objectParts(StoredObject object, int maxParts, int marker) {
        Shape parts = Shape.of().put("TotalPartsCount", object.partCount());
        if (object.checksums().isEmpty() || object.parts().isEmpty()) {
            return parts;
        }
        String header = object.checksums().keySet().iterator().next();
        List<Shape> listed = new ArrayList<>();
        boolean truncated = false;
        int last = marker;
        for (StoredObject.Part part : object.parts()) {
            if (part.number() <= marker) {
                continue;
            }
            if (listed.size() == maxParts) {
                truncated = true;
                break;
            }
            Shape item = Shape.of().put("PartNumber", part.number()).put("Size", part.size());
            if (part.checksum() != null) {
                item.put(MultipartOperations.checksumMember(header), part.checksum());
            }
            listed.add(item);
            last = part.number();
        }
        return parts.put("PartNumberMarker", marker).put("NextPartNumberMarker", last).put("MaxParts", maxParts)
                .put("IsTruncated", truncated).put("Parts", listed);
    }

    /**
     * The attributes {@code x-amz-object-attributes} names: required, and each one of S3's five (S3's answers,
     * quoted from S3 in versity/versitygw#915 and #917).
     */
    private static List<String> askedAttributes(S3Input input) {
        List<String> asked = new ArrayList<>();
        for (Map.Entry<String, String> header : input.request().headers()) {
            if (header.getKey().equalsIgnoreCase("x-amz-object-attributes")) {
                for (String value : header.getValue().split(",")) {
                    if (!value.isBlank()) {
                        asked.add(value.trim());
                    }
                }
            }
        }
        if (asked.isEmpty()) {
            throw S3Exception.invalidRequest("The x-amz-object-attributes header specifying the attributes to be"
                    + " retrieved is either missing or empty");
        }
        for (String attribute : asked) {
            if (!OBJECT_ATTRIBUTES.contains(attribute)) {
                throw S3Exception.invalidArgument("Invalid attribute name specified.", "x-amz-object-attributes",
                        attribute);
            }
        }
        return asked;
    }

    /** A count header S3 takes when it is one and ignores when it is not. */
    private static Integer lenientCount(S3Input input, String member) {
        try {
            Integer value = input.integer(member);
            return value == null || value < 0 ? null : value;
        } catch (S3Exception e) {
            return null;
        }
    }

    // ---- DeleteObject(s) ----------------------------------------------------------------------

    /**
     * DeleteObject. Without a version id it deletes the object, or in a bucket that has had versioning adds a delete
     * marker (the answer names it); with one it deletes that version for good, and answers a version that is not
     * there as deleted too (a delete is idempotent, as in S3).
     */
    S3Call delete(S3Input input, Bucket bucket) {
        WriteCondition condition = WriteCondition.ofDelete(input);
        String key = input.string("Key");
        String requested = input.string("VersionId");
        if (requested != null) {
            boolean bypassSent = Boolean.TRUE.equals(input.bool("BypassGovernanceRetention"));
            return S3Call.of(S3Support.objectCheck("s3:DeleteObjectVersion", bucket, key,
                    RequestContext.builder().single("s3:versionid", requested).build()), findings -> {
                boolean bypass = locks.bypass(bypassSent, bucket, key, requested, findings);
                Optional<StoredObject> removed = repository.deleteVersion(bucket.name(), key,
                        VersionIds.internal(requested), condition, locks.deleteGuard(bypass));
                return input.respond(Shape.of().put("DeleteMarker", removed.filter(StoredObject::deleteMarker)
                        .map(marker -> true).orElse(null)).put("VersionId", requested))
                        .event(new ObjectEvent(bucket.name(), "ObjectRemoved:Delete", key, null, null,
                                VersionIds.internal(requested)));
            });
        }
        return S3Call.of(S3Support.objectCheck("s3:DeleteObject", bucket, key, RequestContext.empty()), findings -> {
            if (condition.ifMatch() != null && repository.objects(bucket.name()).get(key) == null) {
                // Whether the key exists is told only to callers who may list the bucket.
                throw missing(bucket, key, findings);
            }
            StoredObject marker = repository.deleteObject(bucket.name(), key, condition, now());
            Shape output = Shape.of();
            if (marker != null) {
                output.put("DeleteMarker", true).put("VersionId", marker.wireVersionId());
            }
            return input.respond(output).event(removal(bucket, key, marker));
        });
    }

    /** DeleteObjects is authorized key by key, as S3 does: each key's s3:DeleteObject is decided when it is reached. */
    S3Call deleteObjects(S3Input input, Bucket bucket) {
        return new S3Call(List.of(), findings -> deleteObjects(input, bucket, findings));
    }

    private S3Response deleteObjects(S3Input input, Bucket bucket, AccessGate gate) throws IOException {
        // The body's integrity headers (the model's httpChecksum trait, not members of its input).
        S3Request request = input.request();
        boolean integrity = request.header("Content-MD5") != null || requestedChecksum(request) != null;
        if (!integrity) {
            throw S3Exception.invalidRequest("Missing required header for this request: Content-MD5");
        }
        // Read whole, so that Content-MD5 or the checksum is verified by the body stream before anything is deleted.
        Input delete = input.document();
        List<Input> entries = delete.list("Objects");
        if (entries.size() > MAX_DELETE_KEYS) {
            throw S3Exception.malformedXml();
        }
        boolean quiet = delete.bool("Quiet", false);
        boolean bypassSent = Boolean.TRUE.equals(input.bool("BypassGovernanceRetention"));
        List<Shape> deleted = new ArrayList<>();
        List<Shape> errors = new ArrayList<>();
        List<ObjectEvent> removals = new ArrayList<>();
        for (Input entry : entries) {
            String key = entry.string("Key");
            // Per key what DeleteObject does with its versionId and If-Match: never a delete of something else.
            String versionId = entry.string("VersionId") == null ? null : entry.string("VersionId").trim();
            if (versionId != null && !VersionIds.wellFormed(versionId)) {
                errors.add(deleteError(key, "InvalidArgument", "Invalid version id specified").put("VersionId",
                        versionId));
                continue;
            }
            AccessCheck check = versionId == null
                    ? S3Support.objectCheck("s3:DeleteObject", bucket, key, RequestContext.empty())
                    : S3Support.objectCheck("s3:DeleteObjectVersion", bucket, key,
                            RequestContext.builder().single("s3:versionid", versionId).build());
            if (!gate.allows(check)) {
                errors.add(deleteError(key, "AccessDenied", "Access Denied").put("VersionId", versionId));
                continue;
            }
            String etag = entry.string("ETag");
            WriteCondition condition = etag == null ? WriteCondition.NONE : new WriteCondition(etag.trim(), false);
            S3Exception refused = null;
            Shape done = Shape.of().put("Key", key);
            if (entry.has("LastModifiedTime") || entry.has("Size")) {
                refused = S3Service.notImplemented();
            } else {
                try {
                    if (versionId != null) {
                        boolean bypass = locks.bypass(bypassSent, bucket, key, versionId, gate);
                        Optional<StoredObject> removed = repository.deleteVersion(bucket.name(), key,
                                VersionIds.internal(versionId), condition, locks.deleteGuard(bypass));
                        done.put("VersionId", versionId);
                        if (removed.isPresent() && removed.get().deleteMarker()) {
                            done.put("DeleteMarker", true).put("DeleteMarkerVersionId", versionId);
                        }
                        removals.add(new ObjectEvent(bucket.name(), "ObjectRemoved:Delete", key, null, null,
                                VersionIds.internal(versionId)));
                    } else {
                        StoredObject marker = repository.deleteObject(bucket.name(), key, condition, now());
                        if (marker != null) {
                            done.put("DeleteMarker", true).put("DeleteMarkerVersionId", marker.wireVersionId());
                        }
                        removals.add(removal(bucket, key, marker));
                    }
                } catch (S3Exception e) {
                    refused = e;
                }
            }
            if (refused != null) {
                errors.add(deleteError(key, refused.code(), refused.getMessage()).put("VersionId", versionId));
            } else if (!quiet) {
                deleted.add(done);
            }
        }
        // Both lists always, so that a quiet answer with nothing to report is still S3's empty DeleteResult.
        S3Response response = input.respond(Shape.of().put("Deleted", deleted).put("Errors", errors));
        removals.forEach(response::event);
        return response;
    }

    /** A delete without a version: a delete marker where versions are kept, the object's removal where not. */
    private static ObjectEvent removal(Bucket bucket, String key, StoredObject marker) {
        return marker == null ? new ObjectEvent(bucket.name(), "ObjectRemoved:Delete", key, null, null, null)
                : ObjectEvent.of(bucket.name(), "ObjectRemoved:DeleteMarkerCreated", marker);
    }

    private static Shape deleteError(String key, String code, String message) {
        return Shape.of().put("Key", key).put("Code", code).put("Message", message);
    }

    // ---- CopyObject ---------------------------------------------------------------------------

    /**
     * CopyObject. A source under SSE-KMS asks the copier for {@code kms:Decrypt} on its key; the copy is encrypted as
     * the request says, else by the destination bucket's default encryption, never by the source's (API reference,
     * CopyObject), with {@code kms:GenerateDataKey} asked for an SSE-KMS destination.
     */
    S3Call copy(S3Input input, Bucket target, Call call) {
        String key = input.string("Key");
        S3Support.checkKey(key);
        checkAcl(input, target, encryption.servesKms());
        CustomerKey.Given customer = CustomerKey.of(input, false);
        CustomerKey.Given sourceCustomer = CustomerKey.of(input, true);
        // the copy gets the ACL its request names (private when none), never its source's, as in S3
        ObjectAcls.Acl objectAcl = ObjectAcls.forWrite(input, target, call.caller().account());
        ObjectEncryption.Applied applied = customer != null ? ObjectEncryption.Applied.SSE_S3
                : encryption.forWrite(input, target);
        // If-Match / If-None-Match of a copy are about the object it replaces, as for PutObject.
        WriteCondition condition = WriteCondition.ofWrite(input);
        CopySource source = preparedCopySource(input);
        String sourceBucketName = source.bucket().name();
        String sourceKey = source.key();
        String metadataDirective = directive(input, "MetadataDirective");
        String taggingDirective = directive(input, "TaggingDirective");
        Map<String, String> requestedTags = taggingDirective.equals("REPLACE")
                ? S3Support.taggingHeader(input.string("Tagging")) : Map.of();
        RequestContext.Builder context = RequestContext.builder();
        if (input.string("ACL") != null) {
            context.single("s3:x-amz-acl", input.string("ACL"));
        }
        if (taggingDirective.equals("REPLACE")) {
            S3Support.requestTags(context, requestedTags);
        }
        // The source as the policy examples name it ("bucket/key", no leading slash), however the client wrote it.
        context.single("s3:x-amz-copy-source", sourceBucketName + "/" + sourceKey);
        if (input.string("MetadataDirective") != null) {
            context.single("s3:x-amz-metadata-directive", metadataDirective);
        }
        conditionKeys(input, context);
        ObjectEncryption.conditionKeys(input, context);
        ObjectLock lock = ObjectLockOperations.requested(input, target, clock.instant());
        ObjectLockOperations.conditionKeys(lock, clock.instant(), context);
        List<AccessCheck> checks = new ArrayList<>(List.of(source.check(),
                S3Support.objectCheck("s3:PutObject", target, key, context.build())));
        if (applied.kms()) {
            checks.add(encryption.generateDataKey(applied, input, target, key, call));
        }
        return new S3Call(checks, findings -> {
            ObjectSource found = CustomerKey.open(readable(source, findings), sourceCustomer);
            StoredObject original = found.object();
            encryption.requireDecrypt(original.kmsKeyArn(), source.bucket(), sourceKey, call, findings);
            Map<String, String> tags = taggingDirective.equals("REPLACE") ? requestedTags : original.tags();
            checkBeforeWrite(condition, target, key, findings);
            return copied(input, target, key, condition, found, original, tags, source, metadataDirective,
                    taggingDirective, applied, lock, customer, objectAcl);
        });
    }

    private S3Response copied(S3Input input, Bucket target, String key, WriteCondition condition,
                              ObjectSource found, StoredObject original, Map<String, String> tags,
                              CopySource source, String metadataDirective,
                              String taggingDirective, ObjectEncryption.Applied applied, ObjectLock lock,
                              CustomerKey.Given customer, ObjectAcls.Acl objectAcl) throws IOException {
        // A copy of an older version onto its own key (restoring it) changes the object, so only a copy of the current
        // one is a copy to itself.
        if (source.bucket().name().equals(target.name()) && source.key().equals(key) && source.versionId() == null
                && metadataDirective.equals("COPY") && taggingDirective.equals("COPY")
                && !input.sent("ServerSideEncryption") && customer == null && original.customerKey() == null) {
            throw S3Exception.invalidRequest("This copy request is illegal because it is trying to copy an object to"
                    + " itself without changing the object's metadata, storage class, website redirect location or"
                    + " encryption attributes.");
        }
        String copyIfMatch = input.string("CopySourceIfMatch");
        if (copyIfMatch != null && !etagListMatches(copyIfMatch, original.etag())) {
            throw preconditionFailed("x-amz-copy-source-If-Match");
        }
        String copyIfNoneMatch = input.string("CopySourceIfNoneMatch");
        if (copyIfNoneMatch != null && etagListMatches(copyIfNoneMatch, original.etag())) {
            throw preconditionFailed("x-amz-copy-source-If-None-Match");
        }
        Map<String, String> headers = metadataDirective.equals("REPLACE") ? S3Support.storedHeaders(input)
                : original.headers();
        Map<String, String> metadata = metadataDirective.equals("REPLACE") ? S3Support.userMetadata(input)
                : original.userMetadata();
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.fromName(input.string("ChecksumAlgorithm")).orElse(null);
        if (algorithm == null && !original.checksums().isEmpty()) {
            algorithm = ChecksumAlgorithm.fromHeaderName(original.checksums().keySet().iterator().next()).orElse(null);
        }
        // The copy's lock is its request's or the destination's default retention, never the source's.
        Instant at = now();
        ObjectLock locked = ObjectLockOperations.forWrite(lock, target, at);
        StoredObject stored = repository.putConcatenation(target.name(), key,
                List.of(new ObjectWriter.Range(found, 0, original.size())), sealed(customer, finisher(algorithm,
                        written -> objectAcl.applyTo(applied.applyTo(new StoredObject(key,
                                UUID.randomUUID().toString(), written.size(), "\"" + written.md5Hex() + "\"", at,
                                headers, metadata, checksumsOf(written), tags, 0)).withLock(locked)))), condition);
        Shape result = Shape.of().put("LastModified", stored.lastModified()).put("ETag", stored.etag());
        stored.checksums().forEach((h, v) -> result.put("Checksum" + h.substring("x-amz-checksum-".length())
                .toUpperCase(Locale.ROOT), v));
        Shape output = Shape.of().put("CopyObjectResult", result).put("VersionId", stored.versionId())
                .put("CopySourceVersionId", source.shownVersionId(original));
        ObjectEvent copiedEvent = ObjectEvent.of(target.name(), "ObjectCreated:Copy", stored);
        if (stored.customerKey() != null) {
            return input.respond(CustomerKey.members(output, stored.customerKey())).event(copiedEvent);
        }
        return input.respond(ObjectEncryption.members(output, stored.kmsKeyArn(), stored.bucketKey()))
                .event(copiedEvent);
    }

    /**
     * Bucket, key and version id (or {@code null}) named by {@code x-amz-copy-source}: {@code bucket/key} or
     * {@code /bucket/key}, URL-encoded, with {@code ?versionId=} to copy a version.
     */
    private static String[] copySource(S3Input input) {
        String header = input.sentValue("CopySource");
        String source = header.trim();
        String versionId = null;
        int question = source.indexOf('?');
        if (question >= 0) {
            for (String parameter : source.substring(question + 1).split("&")) {
                if (parameter.startsWith("versionId=")) {
                    versionId = URLDecoder.decode(parameter.substring("versionId=".length()), StandardCharsets.UTF_8);
                }
            }
            source = source.substring(0, question);
        }
        source = URLDecoder.decode(source.startsWith("/") ? source.substring(1) : source, StandardCharsets.UTF_8);
        int slash = source.indexOf('/');
        if (slash <= 0 || slash == source.length() - 1) {
            throw S3Exception.invalidArgument("Invalid copy source object key", input.wireName("CopySource"), header);
        }
        if (versionId != null && !VersionIds.wellFormed(versionId)) {
            // S3's words for a malformed version id; which argument it names for a copy source was not found.
            throw S3Exception.invalidArgument("Invalid version id specified", input.wireName("CopySource"), header);
        }
        return new String[] {source.substring(0, slash), source.substring(slash + 1), versionId};
    }

    /**
     * The object {@code x-amz-copy-source} names, looked up when the call is prepared: the caller must be allowed to
     * read it (the check: {@code s3:GetObjectVersion} when it names a version), and learns that it is missing only
     * when allowed to list its bucket (at run).
     */
    CopySource preparedCopySource(S3Input input) {
        String[] named = copySource(input);
        Bucket sourceBucket = repository.bucket(named[0]).orElseThrow(() -> S3Exception.noSuchBucket(named[0]));
        String versionId = named[2];
        Target target = versionId == null ? new Target(null, repository.objects(sourceBucket.name()).get(named[1]))
                : new Target(versionId, repository.version(sourceBucket.name(), named[1],
                        VersionIds.internal(versionId)).orElse(null));
        Optional<ObjectSource> found = versionId == null ? repository.open(sourceBucket.name(), named[1])
                : Optional.empty();
        StoredObject existing = versionId == null ? found.map(ObjectSource::object).orElse(null) : target.found();
        return new CopySource(sourceBucket, named[1], versionId, target, found, target.check("s3:GetObject",
                "s3:GetObjectVersion", sourceBucket, named[1], S3Support.existingTags(existing).toBuilder(), existing));
    }

    /** A copy's source as prepared: where it is, what reading it needs, and the object or version if there is one. */
    record CopySource(Bucket bucket, String key, String versionId, Target target, Optional<ObjectSource> found,
                      AccessCheck check) {
        /** The {@code x-amz-copy-source-version-id} of the answer: the version copied, where versions are kept. */
        String shownVersionId(StoredObject copied) {
            return versionId != null ? versionId : ObjectOperations.shownVersionId(bucket, copied);
        }
    }

    /**
     * The bytes a copy reads: the current object (NoSuchKey, as for reads, when there is none) or the version named
     * (NoSuchVersion; a delete marker named by its id is InvalidRequest, as versity/versitygw#2417 observed of S3;
     * S3's exact message was not found, this one says what is refused).
     */
    ObjectSource readable(CopySource source, AccessGate findings) {
        if (source.versionId() == null) {
            return source.found().orElseThrow(() -> missingCurrent(source.bucket(), source.key(), findings));
        }
        StoredObject version = source.target().found();
        if (version != null && version.deleteMarker()) {
            throw S3Exception.invalidRequest("The source of a copy request may not specifically refer to a delete"
                    + " marker by version id.");
        }
        return repository.source(readable(source.target(), source.bucket(), source.key(), findings, "GET"));
    }

    /** A copy's MetadataDirective or TaggingDirective: COPY when absent, else COPY or REPLACE. */
    private static String directive(S3Input input, String member) {
        String value = input.string(member);
        if (value == null) {
            return "COPY";
        }
        if (!value.equals("COPY") && !value.equals("REPLACE")) {
            throw S3Exception.invalidArgument("Unknown " + (member.startsWith("Metadata") ? "metadata" : "tagging")
                    + " directive.", input.wireName(member), input.sentValue(member));
        }
        return value;
    }

    // ---- tagging ------------------------------------------------------------------------------

    /** The one call whose check depends on its body: the tags it sets are condition keys, so they are read first. */
    S3Call putTagging(S3Input input, Bucket bucket) throws IOException {
        String key = input.string("Key");
        Target target = target(input, bucket, key);
        Map<String, String> tags = BucketTagging.distinct(input.document().list("TagSet"));
        S3Support.validateTags(tags);
        RequestContext.Builder context = S3Support.existingTags(target.found()).toBuilder();
        S3Support.requestTags(context, tags);
        return S3Call.of(target.check("s3:PutObjectTagging", "s3:PutObjectVersionTagging", bucket, key, context),
                findings -> {
                    StoredObject tagged = repository.putTags(bucket.name(),
                            readable(target, bucket, key, findings, "PUT"), tags);
                    if (tagged == null) {
                        throw target.versioned() ? S3Exception.noSuchVersion(key, target.versionId())
                                : S3Exception.noSuchKey(key);
                    }
                    return input.respond(Shape.of().put("VersionId", shownVersionId(bucket, tagged)))
                            .event(ObjectEvent.of(bucket.name(), "ObjectTagging:Put", tagged));
                });
    }

    S3Call getTagging(S3Input input, Bucket bucket) {
        String key = input.string("Key");
        Target target = target(input, bucket, key);
        return S3Call.of(target.check("s3:GetObjectTagging", "s3:GetObjectVersionTagging", bucket, key,
                S3Support.existingTags(target.found()).toBuilder()), findings -> {
                    StoredObject version = readable(target, bucket, key, findings, "GET");
                    return input.respond(Shape.of().put("VersionId", shownVersionId(bucket, version))
                            .put("TagSet", BucketTagging.tagSet(version.tags())));
                });
    }

    S3Call deleteTagging(S3Input input, Bucket bucket) {
        String key = input.string("Key");
        Target target = target(input, bucket, key);
        return S3Call.of(target.check("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", bucket, key,
                S3Support.existingTags(target.found()).toBuilder()), findings -> {
                    StoredObject version = readable(target, bucket, key, findings, "DELETE");
                    repository.putTags(bucket.name(), version, Map.of());
                    return input.respond(Shape.of().put("VersionId", shownVersionId(bucket, version)))
                            .event(ObjectEvent.of(bucket.name(), "ObjectTagging:Delete", version));
                });
    }

    /**
     * GetObjectAcl ({@code s3:GetObjectAcl}, of a version {@code s3:GetObjectVersionAcl}): the object's owner and
     * its grants (its owner's FULL_CONTROL wherever the bucket's ACLs are disabled).
     */
    S3Call getAcl(S3Input input, Bucket bucket) {
        String key = input.string("Key");
        Target target = target(input, bucket, key);
        return S3Call.of(target.check("s3:GetObjectAcl", "s3:GetObjectVersionAcl", bucket, key,
                S3Support.existingTags(target.found()).toBuilder()), findings -> {
                    StoredObject version = readable(target, bucket, key, findings, "GET");
                    return input.respond(ObjectAcls.shape(bucket, version));
                });
    }

    /**
     * PutObjectAcl ({@code s3:PutObjectAcl}, of a version {@code s3:PutObjectVersionAcl}, with the ACL's condition
     * keys): replaces the grants of the object or version, whose owner stays. Where the bucket's ACLs are disabled
     * only the owner's own ACL is accepted (and changes nothing): AccessControlListNotSupported.
     */
    S3Call putAcl(S3Input input, Bucket bucket) {
        String key = input.string("Key");
        Target target = target(input, bucket, key);
        RequestContext.Builder context = S3Support.existingTags(target.found()).toBuilder();
        BucketAccess.aclContext(input).asMap().forEach(context::put);
        return S3Call.of(target.check("s3:PutObjectAcl", "s3:PutObjectVersionAcl", bucket, key, context),
                findings -> {
                    StoredObject version = readable(target, bucket, key, findings, "PUT");
                    ObjectAcls.Acl acl = ObjectAcls.forPut(input, bucket, version);
                    if (bucket.aclsEnabled() && repository.putAcl(bucket.name(), version, version.owner(),
                            acl.grants()) == null) {
                        throw target.versioned() ? missingVersion(bucket, key, target.versionId(), findings)
                                : missingCurrent(bucket, key, findings);
                    }
                    // the model's output has no VersionId member: the version is named by its header alone
                    return input.respond(Shape.of()).header("x-amz-version-id", shownVersionId(bucket, version))
                            .event(ObjectEvent.of(bucket.name(), "ObjectAcl:Put", version));
                });
    }
}
