package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.payload.ChecksumAlgorithm;
import dev.crossrole.server.protocol.Shape;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/** ListObjectsV2 and ListObjects: prefix, delimiter (common prefixes), max-keys and continuation. */
final class Listing {
    private static final int DEFAULT_MAX_KEYS = 1000;

    private Listing() {}

    static S3Call list(S3Input input, Bucket bucket, NavigableMap<String, StoredObject> objects, boolean v2) {
        String prefix = input.string("Prefix") == null ? "" : input.string("Prefix");
        String delimiter = emptyToNull(input.string("Delimiter"));
        String encoding = emptyToNull(input.string("EncodingType"));
        if (encoding != null && !encoding.equals("url")) {
            throw S3Exception.invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", encoding);
        }
        int maxKeys = input.count("MaxKeys", DEFAULT_MAX_KEYS);
        RequestContext.Builder context = RequestContext.builder().single("s3:prefix", prefix)
                .single("s3:max-keys", String.valueOf(maxKeys));
        if (delimiter != null) {
            context.single("s3:delimiter", delimiter);
        }
        int pageSize = maxKeys;
        return S3Call.of(S3Support.bucketCheck("s3:ListBucket", bucket, context.build()), findings -> {

            String token = v2 ? input.string("ContinuationToken") : null;
            String startAfter = emptyToNull(input.string(v2 ? "StartAfter" : "Marker"));
            String after = startAfter;
            // An empty token is S3's first page, as clients that always send the parameter expect.
            if (v2 && token != null && !token.isEmpty()) {
                after = decodeToken(token);
            }
            List<StoredObject> contents = new ArrayList<>();
            List<String> prefixes = new ArrayList<>();
            String last = null;
            boolean truncated = false;
            Map<String, StoredObject> candidates = after == null || after.compareTo(prefix) < 0
                    ? objects.tailMap(prefix, true) : objects.tailMap(after, false);
            for (Map.Entry<String, StoredObject> entry : candidates.entrySet()) {
                String key = entry.getKey();
                if (!key.startsWith(prefix)) {
                    break;
                }
                if (delimiter != null && after != null && after.endsWith(delimiter) && key.startsWith(after)) {
                    continue; // inside a common prefix already returned on an earlier page
                }
                String commonPrefix = null;
                if (delimiter != null) {
                    int at = key.indexOf(delimiter, prefix.length());
                    if (at >= 0) {
                        commonPrefix = key.substring(0, at + delimiter.length());
                    }
                }
                if (commonPrefix != null && commonPrefix.equals(last)) {
                    continue;
                }
                if (contents.size() + prefixes.size() >= pageSize) {
                    // max-keys=0 asks for no entries and S3 answers it untruncated, with no token to follow.
                    truncated = pageSize > 0;
                    break;
                }
                if (commonPrefix != null) {
                    prefixes.add(commonPrefix);
                    last = commonPrefix;
                } else {
                    contents.add(entry.getValue());
                    last = key;
                }
            }
            boolean url = "url".equals(encoding);
            Shape listing = Shape.of().put("Name", bucket.name()).put("Prefix", encode(prefix, url));
            if (v2) {
                listing.put("KeyCount", contents.size() + prefixes.size());
            } else {
                listing.put("Marker", encode(startAfter == null ? "" : startAfter, url));
                if (truncated && delimiter != null) {
                    listing.put("NextMarker", encode(last, url));
                }
            }
            listing.put("MaxKeys", pageSize);
            if (delimiter != null) {
                listing.put("Delimiter", encode(delimiter, url));
            }
            listing.put("EncodingType", encoding).put("IsTruncated", truncated);
            if (v2) {
                listing.put("ContinuationToken", token);
                if (truncated) {
                    listing.put("NextContinuationToken", encodeToken(last));
                }
                if (startAfter != null) {
                    listing.put("StartAfter", encode(startAfter, url));
                }
            }
            boolean owner = !v2 || Boolean.TRUE.equals(input.bool("FetchOwner"));
            List<Shape> listedObjects = new ArrayList<>();
            for (StoredObject object : contents) {
                Shape listed = Shape.of().put("Key", encode(object.key(), url))
                        .put("LastModified", object.lastModified()).put("ETag", object.etag());
                object.checksums().keySet().stream().findFirst().ifPresent(header -> listed.put("ChecksumAlgorithm",
                        List.of(header.substring("x-amz-checksum-".length()).toUpperCase(java.util.Locale.ROOT))));
                listed.put("Size", object.size()).put("Owner", owner ? S3Support.owner(object.ownerIn(bucket)) : null)
                        .put("StorageClass", object.headers().getOrDefault(S3Support.STORAGE_CLASS, "STANDARD"));
                listedObjects.add(listed);
            }
            List<Shape> commonPrefixes = new ArrayList<>();
            for (String commonPrefix : prefixes) {
                commonPrefixes.add(Shape.of().put("Prefix", encode(commonPrefix, url)));
            }
            return input.respond(listing.put("Contents", listedObjects).put("CommonPrefixes", commonPrefixes));
        });
    }

    private static String encode(String text, boolean url) {
        return url ? S3Support.urlEncode(text) : text;
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** Continuation tokens are opaque to clients; here the last key or prefix returned, encoded. */
    static String encodeToken(String last) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("1:" + last).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String token) {
        return decodeToken(token, "continuation-token");
    }

    /** The position a token of {@link #encodeToken} names; one it did not make is S3's InvalidArgument. */
    static String decodeToken(String token, String parameter) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (decoded.startsWith("1:")) {
                return decoded.substring(2);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw S3Exception.invalidArgument("The continuation token provided is incorrect", parameter, token);
    }
}
