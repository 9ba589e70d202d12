package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.payload.ChecksumAlgorithm;
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
            if (v2 && token != null) {
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
                    truncated = true;
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
            Xml xml = new Xml().root("ListBucketResult").element("Name", bucket.name())
                    .element("Prefix", encode(prefix, url));
            if (v2) {
                xml.element("KeyCount", contents.size() + prefixes.size());
            } else {
                xml.element("Marker", encode(startAfter == null ? "" : startAfter, url));
                if (truncated && delimiter != null) {
                    xml.element("NextMarker", encode(last, url));
                }
            }
            xml.element("MaxKeys", pageSize);
            if (delimiter != null) {
                xml.element("Delimiter", encode(delimiter, url));
            }
            if (encoding != null) {
                xml.element("EncodingType", encoding);
            }
            xml.element("IsTruncated", truncated);
            if (v2) {
                if (token != null) {
                    xml.element("ContinuationToken", token);
                }
                if (truncated) {
                    xml.element("NextContinuationToken", encodeToken(last));
                }
                if (startAfter != null) {
                    xml.element("StartAfter", encode(startAfter, url));
                }
            }
            boolean owner = !v2 || Boolean.TRUE.equals(input.bool("FetchOwner"));
            for (StoredObject object : contents) {
                xml.open("Contents").element("Key", encode(object.key(), url)).element("LastModified", object.lastModified())
                        .element("ETag", object.etag());
                object.checksums().keySet().stream().findFirst().ifPresent(header -> xml.element("ChecksumAlgorithm",
                        header.substring("x-amz-checksum-".length()).toUpperCase(java.util.Locale.ROOT)));
                xml.element("Size", object.size());
                if (owner) {
                    xml.open("Owner").element("ID", S3Support.canonicalId(bucket.owner()))
                            .element("DisplayName", bucket.owner()).close("Owner");
                }
                xml.element("StorageClass", object.headers().getOrDefault(S3Support.STORAGE_CLASS, "STANDARD"))
                        .close("Contents");
            }
            for (String commonPrefix : prefixes) {
                xml.open("CommonPrefixes").element("Prefix", encode(commonPrefix, url)).close("CommonPrefixes");
            }
            return S3Response.xml(200, xml.close("ListBucketResult").toString());
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
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (decoded.startsWith("1:")) {
                return decoded.substring(2);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw S3Exception.invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
    }
}
