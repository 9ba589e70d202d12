package dev.crossrole.server.s3;

/**
 * S3's conditional writes: {@code If-Match} (write or delete only over the object with this ETag, {@code *} for
 * any) and {@code If-None-Match: *} (write only where no object is), on PutObject, CompleteMultipartUpload and
 * DeleteObject. Checked once before the body is read and again in the transaction that commits, so a writer that
 * got in between cannot be overwritten.
 *
 * <p>S3's answers (the S3 model's documentation of {@code IfMatch}/{@code IfNoneMatch}): a condition that does not
 * hold is 412 {@code PreconditionFailed}; {@code If-Match} on a key without an object is 404 {@code NoSuchKey};
 * a write whose {@code If-Match} held when it began but not when it commits lost to a concurrent write: 409
 * {@code ConditionalRequestConflict}. Of two {@code If-None-Match} writes the first to finish wins and the other
 * gets 412.
 *
 * @param ifMatch the {@code If-Match} value, or {@code null}
 * @param ifNoneMatch whether {@code If-None-Match: *} was given
 */
record WriteCondition(String ifMatch, boolean ifNoneMatch) {
    static final WriteCondition NONE = new WriteCondition(null, false);

    /** The conditions of a PutObject, CopyObject or CompleteMultipartUpload. */
    static WriteCondition ofWrite(S3Input input) {
        String ifNoneMatch = input.string("IfNoneMatch");
        if (ifNoneMatch != null && !ifNoneMatch.equals("*")) {
            // S3 takes only '*' here; conditions on a given ETag exist for reads alone.
            throw S3Service.notImplemented().with("Header", input.wireName("IfNoneMatch"));
        }
        return new WriteCondition(input.string("IfMatch"), ifNoneMatch != null);
    }

    /**
     * The conditions of a DeleteObject. The size and modification-time conditions exist only for directory
     * buckets (the S3 model's documentation of {@code IfMatchSize}, {@code IfMatchLastModifiedTime}); they are
     * refused rather than ignored, so a caller never believes a condition held that was never checked.
     */
    static WriteCondition ofDelete(S3Input input) {
        for (String member : new String[] {"IfMatchLastModifiedTime", "IfMatchSize"}) {
            if (input.sent(member)) {
                // Sent at all, whatever its value: the feature is refused before its value is judged.
                throw S3Service.notImplemented().with("Header", input.wireName(member));
            }
        }
        return new WriteCondition(input.string("IfMatch"), false);
    }

    boolean isNone() {
        return ifMatch == null && !ifNoneMatch;
    }

    /**
     * Whether the write may replace (or delete) {@code current}.
     *
     * @param current the object now under the key, or {@code null}
     * @param began whether the request already checked this once, before it read its body: failing now means a
     *     concurrent write committed in between
     */
    void check(String key, StoredObject current, boolean began) {
        if (ifNoneMatch && current != null) {
            throw ObjectOperations.preconditionFailed("If-None-Match");
        }
        if (ifMatch == null) {
            return;
        }
        boolean matches = current != null && (ifMatch.equals("*")
                || S3Support.unquoted(ifMatch).equals(S3Support.unquoted(current.etag())));
        if (matches) {
            return;
        }
        if (began) {
            throw new S3Exception("ConditionalRequestConflict", 409, "The conditional request cannot succeed due to a"
                    + " conflicting operation against this resource.");
        }
        throw current == null ? S3Exception.noSuchKey(key) : ObjectOperations.preconditionFailed("If-Match");
    }
}
