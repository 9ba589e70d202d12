package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;

/**
 * CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload and ListParts.
 *
 * <p>An upload is encrypted as its CreateMultipartUpload says, else by the bucket's default encryption then; its parts
 * and the object it completes into are under that encryption. For SSE-KMS the API reference (CreateMultipartUpload,
 * UploadPart, CompleteMultipartUpload: "Permissions") asks the caller for {@code kms:GenerateDataKey} to create the
 * upload, {@code kms:Decrypt} for each UploadPart and UploadPartCopy, and {@code kms:Decrypt} to complete an upload
 * made with an additional checksum; each through S3, decided by the key policy and the caller's identity. An SSE-C
 * upload keeps a seal of its customer's key: every part must be sent with that key and is encrypted under it with a
 * counter of its own, and the completed object is its parts' encrypted bytes in order (so completing needs no key,
 * except for a full-object checksum, which is of the plaintext).
 */
final class MultipartOperations {
    static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    static final int MAX_PARTS = 10_000;

    private final S3Repository repository;
    private final Clock clock;
    private final ObjectOperations objects;
    private final SecureRandom random = new SecureRandom();

    MultipartOperations(S3Repository repository, Clock clock, ObjectOperations objects) {
        this.repository = repository;
        this.clock = clock;
        this.objects = objects;
    }

    S3Call create(S3Input input, Bucket bucket, Call call) {
        S3Request request = input.request();
        String key = input.string("Key");
        S3Support.checkKey(key);
        ObjectEncryption encryption = objects.encryption();
        ObjectOperations.checkAcl(input, bucket, encryption.servesKms());
        CustomerKey.Given customer = CustomerKey.of(input, false);
        ObjectAcls.Acl objectAcl = ObjectAcls.forWrite(input, bucket, call.caller().account());
        ObjectEncryption.Applied applied = customer != null ? ObjectEncryption.Applied.SSE_S3
                : encryption.forWrite(input, bucket);
        Map<String, String> tags = S3Support.taggingHeader(input.string("Tagging"));
        RequestContext.Builder context = RequestContext.builder();
        String acl = input.string("ACL");
        if (acl != null) {
            context.single("s3:x-amz-acl", acl);
        }
        S3Support.requestTags(context, tags);
        ObjectEncryption.conditionKeys(input, context);
        ObjectLock lock = ObjectLockOperations.requested(input, bucket, clock.instant());
        ObjectLockOperations.conditionKeys(lock, clock.instant(), context);
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(S3Support.objectCheck("s3:PutObject", bucket, key, context.build()));
        if (applied.kms()) {
            checks.add(encryption.generateDataKey(applied, input, bucket, key, call));
        }
        return new S3Call(checks, findings -> {
            String algorithmName = input.string("ChecksumAlgorithm");
            ChecksumAlgorithm algorithm = ChecksumAlgorithm.fromName(algorithmName).orElse(null);
            if (algorithmName != null && algorithm == null) {
                throw S3Exception.invalidRequest("Checksum algorithm provided is unsupported. Please try again with any of"
                        + " the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
            }
            String typeHeader = input.string("ChecksumType");
            String checksumType = null;
            if (typeHeader != null && !typeHeader.equals("COMPOSITE") && !typeHeader.equals("FULL_OBJECT")) {
                throw S3Exception.invalidRequest("Value for x-amz-checksum-type header is invalid.");
            }
            if (typeHeader != null && algorithm == null) {
                throw S3Exception.invalidRequest("The x-amz-checksum-type header can only be used with the"
                        + " x-amz-checksum-algorithm header.");
            }
            if (algorithm != null) {
                // CRC64NVME exists only as a full-object checksum; the others default to composite.
                checksumType = typeHeader != null ? typeHeader
                        : algorithm == ChecksumAlgorithm.CRC64NVME ? "FULL_OBJECT" : "COMPOSITE";
                boolean crc = algorithm == ChecksumAlgorithm.CRC32 || algorithm == ChecksumAlgorithm.CRC32C
                        || algorithm == ChecksumAlgorithm.CRC64NVME;
                if ((checksumType.equals("FULL_OBJECT") && !crc)
                        || (checksumType.equals("COMPOSITE") && algorithm == ChecksumAlgorithm.CRC64NVME)) {
                    throw S3Exception.invalidRequest("The " + algorithm.name() + " checksum algorithm does not support the "
                            + checksumType + " checksum type.");
                }
            }
            byte[] id = new byte[30];
            random.nextBytes(id);
            String uploadId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
            MultipartUpload upload = new MultipartUpload(bucket.name(), key, uploadId, clock.instant(), call.caller().arn(),
                    S3Support.storedHeaders(input), S3Support.userMetadata(input), tags,
                    algorithm == null ? null : algorithm.name(), checksumType, applied.keyArn(), applied.bucketKey(),
                    lock, customer == null ? null : CustomerKey.seal(customer, List.of()), objectAcl.owner(),
                    objectAcl.grants());
            repository.createUpload(upload);
            Shape output = Shape.of().put("Bucket", bucket.name()).put("Key", key).put("UploadId", uploadId)
                    .put("ChecksumAlgorithm", algorithm == null ? null : algorithm.name())
                    .put("ChecksumType", checksumType);
            return input.respond(encryptionMembers(output, upload));
        });
    }

    /** The encryption members of an upload's answers: SSE-C's, or SSE-S3's and SSE-KMS's. */
    private static Shape encryptionMembers(Shape output, MultipartUpload upload) {
        if (upload.customerKey() != null) {
            return CustomerKey.members(output, upload.customerKey());
        }
        return ObjectEncryption.members(output, upload.kmsKeyArn(), upload.bucketKey());
    }

    /**
     * The key a part of an upload is sent with: an SSE-C upload's parts need its key (S3's InvalidRequest without one,
     * InvalidArgument with another); an upload that is not SSE-C takes no key ({@code null}: no key).
     */
    private static CustomerKey.Given partKey(S3Input input, MultipartUpload upload) {
        CustomerKey.Given given = CustomerKey.of(input, false);
        if (upload.customerKey() == null) {
            if (given != null) {
                throw mismatchedKey();
            }
            return null;
        }
        if (given == null) {
            throw S3Exception.invalidRequest("The multipart upload initiate requested encryption. Subsequent part"
                    + " requests must include the appropriate encryption parameters.");
        }
        if (!upload.customerKey().opens(given)) {
            throw mismatchedKey();
        }
        return given;
    }

    /** S3's words for a part whose SSE-C parameters are not the upload's (its ArgumentName is not on record). */
    private static S3Exception mismatchedKey() {
        return new S3Exception("InvalidArgument", 400, "The provided encryption parameters did not match the ones"
                + " used originally.");
    }

    /** The upload the call names by its UploadId, if it is one of this key's. */
    private MultipartUpload upload(S3Input input, Bucket bucket) {
        String uploadId = input.string("UploadId");
        String key = input.string("Key");
        return repository.upload(bucket.name(), uploadId).filter(u -> u.key().equals(key))
                .orElseThrow(() -> S3Exception.noSuchUpload(uploadId));
    }

    /**
     * UploadPart, and UploadPartCopy (the same request with {@code x-amz-copy-source}): a part of an SSE-KMS upload
     * asks the caller for {@code kms:Decrypt} on the upload's key, and a copied part of an SSE-KMS source for
     * {@code kms:Decrypt} on the source's key, before any byte is written.
     */
    S3Call uploadPart(S3Input input, Bucket bucket, Call call) {
        int number = input.partNumber();
        AccessCheck put = S3Support.objectCheck("s3:PutObject", bucket, input.string("Key"), RequestContext.empty());
        CustomerKey.of(input, false); // malformed SSE-C headers are refused before anything else
        if (input.operation().name().equals("UploadPartCopy")) {
            CustomerKey.Given sourceKey = CustomerKey.of(input, true);
            ObjectOperations.CopySource source = objects.preparedCopySource(input);
            return new S3Call(List.of(source.check(), put), findings -> {
                ObjectSource found = CustomerKey.open(objects.readable(source, findings), sourceKey);
                objects.encryption().requireDecrypt(found.object().kmsKeyArn(), source.bucket(), source.key(), call,
                        findings);
                MultipartUpload upload = upload(input, bucket);
                requireUploadDecrypt(upload, bucket, call, findings);
                return uploadPartCopy(input, upload, found, number, source.shownVersionId(found.object()));
            });
        }
        return S3Call.of(put, findings -> {
            MultipartUpload upload = upload(input, bucket);
            requireUploadDecrypt(upload, bucket, call, findings);
            return uploadPart(input, upload, number);
        });
    }

    /** {@code kms:Decrypt} on an SSE-KMS upload's key, as its parts and completion ask it. */
    private void requireUploadDecrypt(MultipartUpload upload, Bucket bucket, Call call, AccessGate findings) {
        objects.encryption().requireDecrypt(upload.kmsKeyArn(), bucket, upload.key(), call, findings);
    }

    private S3Response uploadPart(S3Input input, MultipartUpload upload, int number) throws IOException {
        S3Request request = input.request();
        ObjectOperations.checkLength(request);
        ChecksumAlgorithm algorithm = ObjectOperations.requestedChecksum(request);
        CustomerKey.Given customer = partKey(input, upload);
        StoredObject part;
        try (InputStream body = request.body().get()) {
            part = repository.putPart(upload, number, body, ObjectOperations.sealed(customer,
                    ObjectOperations.finisher(algorithm, written -> new StoredObject(String.valueOf(number),
                            UUID.randomUUID().toString(), written.size(), "\"" + written.md5Hex() + "\"",
                            clock.instant().truncatedTo(ChronoUnit.MILLIS), Map.of(), Map.of(),
                            ObjectOperations.checksumsOf(written), Map.of(), 0))));
        }
        Shape output = encryptionMembers(Shape.of().put("ETag", part.etag()), upload);
        part.checksums().forEach((header, value) -> output.put(checksumMember(header), value));
        return input.respond(output);
    }

    /** The output member of a checksum header: {@code x-amz-checksum-crc32c} is {@code ChecksumCRC32C}. */
    static String checksumMember(String header) {
        return "Checksum" + header.substring("x-amz-checksum-".length()).toUpperCase(java.util.Locale.ROOT);
    }

    /** UploadPartCopy: a part made of (a byte range of) an existing object, which the caller must be able to read. */
    private S3Response uploadPartCopy(S3Input input, MultipartUpload upload, ObjectSource source, int partNumber,
                                      String sourceVersionId) throws IOException {
        long size = source.object().size();
        long offset = 0;
        long length = size;
        String range = input.sentValue("CopySourceRange");
        if (range != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes=(\\d+)-(\\d+)").matcher(range.trim());
            if (!m.matches()) {
                throw S3Exception.invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last"
                        + " where first and last are the zero-based offsets of the first and last bytes to copy",
                        "x-amz-copy-source-range", range);
            }
            long first = Long.parseLong(m.group(1));
            long last = Long.parseLong(m.group(2));
            if (first > last || last >= size) {
                throw S3Exception.invalidArgument("Range specified is not valid for source object of size: " + size,
                        "x-amz-copy-source-range", range);
            }
            offset = first;
            length = last - first + 1;
        }
        int number = partNumber;
        CustomerKey.Given customer = partKey(input, upload);
        StoredObject part = repository.putPartCopy(upload, number, new ObjectWriter.Range(source, offset, length),
                ObjectOperations.sealed(customer, written -> new StoredObject(String.valueOf(number),
                        UUID.randomUUID().toString(), written.size(), "\"" + written.md5Hex() + "\"",
                        clock.instant().truncatedTo(ChronoUnit.MILLIS), Map.of(), Map.of(), Map.of(), Map.of(), 0)));
        return input.respond(encryptionMembers(Shape.of().put("CopyPartResult", Shape.of()
                .put("LastModified", part.lastModified()).put("ETag", part.etag()))
                .put("CopySourceVersionId", sourceVersionId), upload));
    }

    S3Call complete(S3Input input, Bucket bucket, Call call) {
        WriteCondition condition = WriteCondition.ofWrite(input);
        CustomerKey.Given customer = CustomerKey.of(input, false);
        return S3Call.of(S3Support.objectCheck("s3:PutObject", bucket, input.string("Key"),
                ObjectOperations.conditionKeys(input, RequestContext.builder()).build()), findings -> {
            java.util.Optional<CompletedUpload> retried = repository.completed(bucket.name(), input.string("UploadId"))
                    .filter(done -> done.key().equals(input.string("Key")) && done.answers(clock.instant()));
            if (retried.isPresent() && repository.upload(bucket.name(), input.string("UploadId")).isEmpty()) {
                // A retry of a completion that succeeded: S3 answers it as it answered the first.
                return completion(input, bucket, retried.get());
            }
            MultipartUpload upload = upload(input, bucket);
            String typeSent = input.string("ChecksumType");
            if (typeSent != null && !typeSent.equals(upload.checksumType())) {
                // The API reference: a checksum type other than the upload's "will result in a BadDigest error".
                // S3's message is not on record; this one says what differs.
                throw new S3Exception("BadDigest", 400, "The checksum type you specified, " + typeSent
                        + ", does not match the checksum type of the upload, " + upload.checksumType() + ".");
            }
            if (upload.checksumAlgorithm() != null) {
                // "If you provide an additional checksum value in your MultipartUpload requests and the object is
                // encrypted with Key Management Service, you must have permission to use the kms:Decrypt action"
                requireUploadDecrypt(upload, bucket, call, findings);
            }
            boolean fullObject = "FULL_OBJECT".equals(upload.checksumType());
            // The key is optional here, as the API reference says, except for an upload with a checksum: a
            // full-object checksum of an SSE-C upload is computed over the parts decrypted.
            boolean decrypt = upload.customerKey() != null && fullObject;
            if (customer != null || decrypt) {
                partKey(input, upload);
            }
            objects.checkBeforeWrite(condition, bucket, upload.key(), findings);
            Input document = input.document();
            // The model requires neither the document nor its parts; S3 does, and every part's number.
            List<Input> listed = document == null ? List.of() : document.listOrEmpty("Parts");
            if (listed.isEmpty() || listed.stream().anyMatch(part -> part.integer("PartNumber") == null)) {
                throw S3Exception.malformedXml();
            }
            int previous = 0;
            for (Input entry : listed) {
                int number = entry.integer("PartNumber");
                if (number <= previous) {
                    throw new S3Exception("InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must"
                            + " be ordered by part number.").with("UploadId", upload.uploadId());
                }
                previous = number;
            }
            NavigableMap<Integer, ObjectSource> parts = repository.parts(upload);
            List<ObjectWriter.Range> ranges = new ArrayList<>();
            MessageDigest etags = ObjectWriter.md5();
            ChecksumAlgorithm algorithm = ChecksumAlgorithm.fromName(upload.checksumAlgorithm()).orElse(null);
            List<CustomerKey.Segment> segments = new ArrayList<>();
            java.io.ByteArrayOutputStream partChecksums = new java.io.ByteArrayOutputStream();
            List<StoredObject.Part> layout = new ArrayList<>();
            for (int i = 0; i < listed.size(); i++) {
                Input entry = listed.get(i);
                String etag = entry.string("ETag");
                int number = entry.integer("PartNumber");
                ObjectSource part = parts.get(number);
                if (part == null || etag == null
                        || !S3Support.unquoted(etag).equals(S3Support.unquoted(part.object().etag()))) {
                    throw new S3Exception("InvalidPart", 400, "One or more of the specified parts could not be found.  The"
                            + " part may not have been uploaded, or the specified entity tag may not match the part's"
                            + " entity tag.").with("UploadId", upload.uploadId()).with("PartNumber", String.valueOf(number))
                            .with("ETag", etag);
                }
                boolean last = i == listed.size() - 1;
                if (!last && part.object().size() < MIN_PART_SIZE) {
                    throw new S3Exception("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed"
                            + " object size.").with("ProposedSize", String.valueOf(part.object().size()))
                            .with("MinSizeAllowed", String.valueOf(MIN_PART_SIZE)).with("PartNumber", String.valueOf(number))
                            .with("ETag", etag);
                }
                etags.update(HexFormat.of().parseHex(S3Support.unquoted(part.object().etag())));
                String partChecksum = null;
                if (algorithm != null) {
                    String value = part.object().checksums().get(algorithm.headerName());
                    partChecksum = value;
                    if (value == null) {
                        throw S3Exception.invalidRequest("The upload was created using a " + algorithm.name()
                                + " checksum. The complete request must include the checksum for each part. It was missing"
                                + " for part " + number + " in the request.");
                    }
                    partChecksums.writeBytes(Base64.getDecoder().decode(value));
                }
                if (upload.customerKey() != null) {
                    // Each part stays encrypted as it was uploaded: the object is the parts' segments in order.
                    segments.add(new CustomerKey.Segment(part.object().customerKey().nonces().get(0),
                            part.object().size()));
                }
                ranges.add(new ObjectWriter.Range(decrypt ? CustomerKey.decrypting(part, customer) : part, 0,
                        part.object().size()));
                layout.add(new StoredObject.Part(number, part.object().size(), partChecksum));
            }
            String etag = "\"" + HexFormat.of().formatHex(etags.digest()) + "-" + listed.size() + "\"";
            Map<String, String> checksums = new LinkedHashMap<>();
            String expected = algorithm == null ? null : input.string("Checksum" + algorithm.name());
            if (algorithm != null && !fullObject) {
                ChecksumAlgorithm.Calculator running = algorithm.newCalculator();
                byte[] all = partChecksums.toByteArray();
                running.update(all, 0, all.length);
                // A composite checksum the client sends (with or without its "-<parts>") must be the parts' one.
                if (expected != null && !compositeMatches(expected.trim(), running.base64(), listed.size())) {
                    throw checksumMismatch(algorithm);
                }
                checksums.put(algorithm.headerName(), running.base64() + "-" + listed.size());
            }
            int count = listed.size();
            // A full-object checksum is computed over the assembled bytes; one the client sends must match it.
            String expectedFull = fullObject ? expected : null;
            ObjectWriter.Finisher finish = ObjectOperations.finisher(fullObject ? algorithm : null, written -> {
                if (fullObject) {
                    if (expectedFull != null && !expectedFull.trim().equals(written.checksum())) {
                        throw checksumMismatch(algorithm);
                    }
                    checksums.put(algorithm.headerName(), written.checksum());
                }
                java.time.Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                StoredObject object = new StoredObject(upload.key(), UUID.randomUUID().toString(),
                        written.size(), etag, at, upload.headers(), upload.userMetadata(), checksums, upload.tags(),
                        count, layout)
                        .withLock(ObjectLockOperations.forWrite(upload.lock(), bucket, at));
                // the ACL the upload was created with (its owner and grants) is the object's
                object = new ObjectAcls.Acl(upload.owner(), upload.acl()).applyTo(object);
                if (upload.customerKey() != null) {
                    return object.withCustomerKey(upload.customerKey().withNonces(segments.stream()
                            .map(CustomerKey.Segment::nonce).toList()), etag);
                }
                return upload.kmsKeyArn() == null ? object
                        : object.withKms(upload.kmsKeyArn(), upload.bucketKey());
            });
            if (decrypt) {
                finish = CustomerKey.encrypting(finish, algorithm, customer, segments);
            }
            StoredObject stored = repository.completeUpload(upload, ranges, finish, condition);
            // Only the completion itself is an event; its retries answered from the kept completion are not.
            return completion(input, bucket, new CompletedUpload(bucket.name(), upload.uploadId(), upload.key(),
                    stored.lastModified(), stored.etag(), stored.checksums(), upload.checksumType(),
                    stored.kmsKeyArn(), stored.bucketKey(), stored.versionId()))
                    .event(ObjectEvent.of(bucket.name(), "ObjectCreated:CompleteMultipartUpload", stored));
        });
    }

    /** CompleteMultipartUpload's answer: the first time, and again for each retry while the completion is kept. */
    private static S3Response completion(S3Input input, Bucket bucket, CompletedUpload done) {
        Shape output = Shape.of()
                .put("Location", "/" + bucket.name() + "/" + S3Support.urlEncode(done.key()))
                .put("Bucket", bucket.name()).put("Key", done.key()).put("ETag", done.etag())
                .put("VersionId", done.versionId());
        done.checksums().forEach((header, value) -> output.put(checksumMember(header), value));
        return input.respond(ObjectEncryption.members(output.put("ChecksumType", done.checksumType()),
                done.kmsKeyArn(), done.bucketKey()));
    }

    /** Whether a composite checksum sent as {@code base64} or {@code base64-<parts>} is the computed one. */
    private static boolean compositeMatches(String sent, String computed, int parts) {
        int dash = sent.lastIndexOf('-');
        if (dash > 0) {
            return sent.substring(0, dash).equals(computed) && sent.substring(dash + 1).equals(String.valueOf(parts));
        }
        return sent.equals(computed);
    }

    /**
     * A whole-object checksum on CompleteMultipartUpload that is not the object's: S3's BadDigest, which names the
     * algorithm in lower case there ("The sha256 you specified did not match the calculated checksum.", quoted from
     * S3 in apache/arrow-rs-object-store#709).
     */
    private static S3Exception checksumMismatch(ChecksumAlgorithm algorithm) {
        return new S3Exception("BadDigest", 400, "The " + algorithm.name().toLowerCase(java.util.Locale.ROOT)
                + " you specified did not match the calculated checksum.");
    }

    S3Call abort(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.objectCheck("s3:AbortMultipartUpload", bucket, input.string("Key"),
                RequestContext.empty()), findings -> {
            repository.deleteUpload(upload(input, bucket));
            return input.respond(Shape.of());
        });
    }

    S3Call listParts(S3Input input, Bucket bucket) {
        String key = input.string("Key");
        return S3Call.of(S3Support.objectCheck("s3:ListMultipartUploadParts", bucket, key,
                RequestContext.empty()), findings -> {
            String uploadId = input.string("UploadId");
            MultipartUpload upload = repository.upload(bucket.name(), uploadId).filter(u -> u.key().equals(key))
                    .orElseThrow(() -> S3Exception.noSuchUpload(uploadId));
            int maxParts = input.count("MaxParts", 1000);
            int marker = input.count("PartNumberMarker", 0);
            NavigableMap<Integer, ObjectSource> parts = repository.parts(upload).tailMap(marker, false);
            int returned = 0;
            int last = marker;
            boolean truncated = false;
            List<Shape> listed = new ArrayList<>();
            for (Map.Entry<Integer, ObjectSource> part : parts.entrySet()) {
                if (returned == maxParts) {
                    truncated = true;
                    break;
                }
                StoredObject p = part.getValue().object();
                Shape item = Shape.of().put("PartNumber", part.getKey()).put("LastModified", p.lastModified())
                        .put("ETag", p.etag()).put("Size", p.size());
                p.checksums().forEach((h, v) -> item.put("Checksum" + h.substring("x-amz-checksum-".length())
                        .toUpperCase(java.util.Locale.ROOT), v));
                listed.add(item);
                returned++;
                last = part.getKey();
            }
            Shape initiator = Shape.of().put("ID", upload.initiatorArn()).put("DisplayName", upload.initiatorArn());
            return input.respond(Shape.of().put("Bucket", bucket.name()).put("Key", upload.key())
                    .put("UploadId", upload.uploadId()).put("PartNumberMarker", marker)
                    .put("NextPartNumberMarker", last).put("MaxParts", maxParts).put("IsTruncated", truncated)
                    .put("Initiator", initiator).put("Owner", S3Support.owner(bucket.owner()))
                    .put("StorageClass", "STANDARD").put("ChecksumAlgorithm", upload.checksumAlgorithm())
                    .put("Parts", listed));
        });
    }

    /** ListMultipartUploads: by key, then by initiation; prefix, delimiter, key and upload-id markers, max-uploads. */
    S3Call listUploads(S3Input input, Bucket bucket) {
        return S3Call.of(S3Support.bucketCheck("s3:ListBucketMultipartUploads", bucket, RequestContext.empty()), findings -> {
            String prefix = orEmpty(input.string("Prefix"));
            String delimiter = orEmpty(input.string("Delimiter"));
            String keyMarker = orEmpty(input.string("KeyMarker"));
            String uploadIdMarker = orEmpty(input.string("UploadIdMarker"));
            int maxUploads = Math.min(input.count("MaxUploads", 1000), 1000);
            List<MultipartUpload> uploads = new ArrayList<>(repository.uploads(bucket.name()));
            uploads.sort(java.util.Comparator.comparing(MultipartUpload::key).thenComparing(MultipartUpload::initiated)
                    .thenComparing(MultipartUpload::uploadId));
            List<Shape> items = new ArrayList<>();
            List<String> prefixes = new ArrayList<>();
            int returned = 0;
            boolean truncated = false;
            String nextKey = null;
            String nextUploadId = null;
            boolean pastUploadMarker = uploadIdMarker.isEmpty();
            for (MultipartUpload upload : uploads) {
                String key = upload.key();
                if (!key.startsWith(prefix) || key.compareTo(keyMarker) < 0) {
                    continue;
                }
                if (key.equals(keyMarker)) {
                    if (uploadIdMarker.isEmpty()) {
                        continue;
                    }
                    if (!pastUploadMarker) {
                        pastUploadMarker = upload.uploadId().equals(uploadIdMarker);
                        continue;
                    }
                }
                String commonPrefix = null;
                if (!delimiter.isEmpty()) {
                    int at = key.indexOf(delimiter, prefix.length());
                    if (at >= 0) {
                        commonPrefix = key.substring(0, at + delimiter.length());
                    }
                }
                if (commonPrefix != null && prefixes.contains(commonPrefix)) {
                    continue;
                }
                if (returned == maxUploads) {
                    truncated = true;
                    break;
                }
                returned++;
                if (commonPrefix != null) {
                    prefixes.add(commonPrefix);
                    nextKey = commonPrefix;
                    nextUploadId = null;
                    continue;
                }
                nextKey = key;
                nextUploadId = upload.uploadId();
                items.add(Shape.of().put("Key", key).put("UploadId", upload.uploadId())
                        .put("Initiator", Shape.of().put("ID", upload.initiatorArn())
                                .put("DisplayName", upload.initiatorArn()))
                        .put("Owner", S3Support.owner(bucket.owner())).put("StorageClass", "STANDARD")
                        .put("Initiated", upload.initiated()).put("ChecksumAlgorithm", upload.checksumAlgorithm()));
            }
            Shape listing = Shape.of().put("Bucket", bucket.name()).put("KeyMarker", keyMarker)
                    .put("UploadIdMarker", uploadIdMarker);
            if (truncated) {
                listing.put("NextKeyMarker", nextKey).put("NextUploadIdMarker", nextUploadId);
            }
            listing.put("Prefix", prefix).put("Delimiter", delimiter.isEmpty() ? null : delimiter)
                    .put("MaxUploads", maxUploads).put("IsTruncated", truncated).put("Uploads", items)
                    .put("CommonPrefixes", prefixes.stream().map(p -> Shape.of().put("Prefix", p)).toList());
            return input.respond(listing);
        });
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
