package dev.crossrole.server.s3;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.Shape;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NavigableMap;

/**
 * ListObjectVersions, authorized as {@code s3:ListBucketVersions}: every version and delete marker, by key and each
 * key's newest first, with prefix, delimiter (common prefixes), {@code key-marker}/{@code version-id-marker} (both
 * exclusive), {@code max-keys} and {@code encoding-type=url}. A never-versioned bucket lists its objects as their null
 * versions.
 */
final class VersionListing {
    private static final int DEFAULT_MAX_KEYS = 1000;

    private VersionListing() {}

    static S3Call list(S3Input input, Bucket bucket, S3Repository repository) {
        String prefix = input.string("Prefix") == null ? "" : input.string("Prefix");
        String delimiter = emptyToNull(input.string("Delimiter"));
        String encoding = emptyToNull(input.string("EncodingType"));
        if (encoding != null && !encoding.equals("url")) {
            throw S3Exception.invalidArgument("Invalid Encoding Method specified in Request", "encoding-type",
                    encoding);
        }
        int maxKeys = input.count("MaxKeys", DEFAULT_MAX_KEYS);
        String keyMarker = emptyToNull(input.string("KeyMarker"));
        String versionIdMarker = emptyToNull(input.string("VersionIdMarker"));
        if (versionIdMarker != null && keyMarker == null) {
            // S3's answer, quoted in versity/versitygw#2174
            throw S3Exception.invalidArgument("A version-id marker cannot be specified without a key marker.",
                    "version-id-marker", versionIdMarker);
        }
        if (versionIdMarker != null && !VersionIds.wellFormed(versionIdMarker)) {
            throw S3Exception.invalidArgument("Invalid version id specified", "version-id-marker", versionIdMarker);
        }
        RequestContext.Builder context = RequestContext.builder().single("s3:prefix", prefix)
                .single("s3:max-keys", String.valueOf(maxKeys));
        if (delimiter != null) {
            context.single("s3:delimiter", delimiter);
        }
        return S3Call.of(S3Support.bucketCheck("s3:ListBucketVersions", bucket, context.build()), findings -> {
            Page page = page(repository.objects(bucket.name()), repository.versions(bucket.name()), prefix, delimiter,
                    keyMarker, versionIdMarker, maxKeys);
            return input.respond(render(bucket, page, prefix, delimiter, encoding, keyMarker, versionIdMarker,
                    maxKeys));
        });
    }

    /** One entry of a page: a version (or delete marker) and whether it is its key's latest, or a common prefix. */
    private record Entry(StoredObject version, boolean latest, String commonPrefix) {}

    private record Page(List<Entry> entries, boolean truncated) {}

    private static Page page(NavigableMap<String, StoredObject> current, NavigableMap<String, List<StoredObject>> older,
                             String prefix, String delimiter, String keyMarker, String versionIdMarker, int maxKeys) {
        // Keys from the marker on (its own key too when a version of it is named), else from the prefix.
        String from = prefix;
        boolean inclusive = true;
        if (keyMarker != null && keyMarker.compareTo(prefix) >= 0) {
            from = keyMarker;
            inclusive = versionIdMarker != null;
        }
        Iterator<String> keys = merged(current.tailMap(from, inclusive).keySet().iterator(),
                older.tailMap(from, inclusive).keySet().iterator());
        List<Entry> entries = new ArrayList<>();
        String lastPrefix = null;
        while (keys.hasNext()) {
            String key = keys.next();
            if (!key.startsWith(prefix)) {
                break;
            }
            if (delimiter != null && keyMarker != null && keyMarker.endsWith(delimiter) && key.startsWith(keyMarker)
                    && !key.equals(keyMarker)) {
                continue; // inside a common prefix an earlier page returned
            }
            String commonPrefix = null;
            if (delimiter != null) {
                int at = key.indexOf(delimiter, prefix.length());
                if (at >= 0) {
                    commonPrefix = key.substring(0, at + delimiter.length());
                }
            }
            if (commonPrefix != null) {
                if (commonPrefix.equals(lastPrefix)) {
                    continue;
                }
                if (entries.size() >= maxKeys) {
                    return new Page(entries, true);
                }
                entries.add(new Entry(null, false, commonPrefix));
                lastPrefix = commonPrefix;
                continue;
            }
            List<StoredObject> versions = new ArrayList<>();
            StoredObject object = current.get(key);
            if (object != null) {
                versions.add(object);
            }
            List<StoredObject> rest = older.get(key);
            if (rest != null) {
                versions.addAll(rest);
            }
            int start = 0;
            if (key.equals(keyMarker) && versionIdMarker != null) {
                start = versions.size(); // a marker naming no version of the key skips the key
                for (int i = 0; i < versions.size(); i++) {
                    if (versions.get(i).wireVersionId().equals(versionIdMarker)) {
                        start = i + 1;
                        break;
                    }
                }
            }
            for (int i = start; i < versions.size(); i++) {
                if (entries.size() >= maxKeys) {
                    return new Page(entries, true);
                }
                entries.add(new Entry(versions.get(i), i == 0, null));
            }
        }
        return new Page(entries, false);
    }

    /** Two ascending iterators of keys as one, each key once. */
    private static Iterator<String> merged(Iterator<String> a, Iterator<String> b) {
        return new Iterator<>() {
            private String nextA = a.hasNext() ? a.next() : null;
            private String nextB = b.hasNext() ? b.next() : null;

            @Override
            public boolean hasNext() {
                return nextA != null || nextB != null;
            }

            @Override
            public String next() {
                String out;
                if (nextB == null || nextA != null && nextA.compareTo(nextB) <= 0) {
                    out = nextA;
                } else {
                    out = nextB;
                }
                if (out.equals(nextA)) {
                    nextA = a.hasNext() ? a.next() : null;
                }
                if (out.equals(nextB)) {
                    nextB = b.hasNext() ? b.next() : null;
                }
                return out;
            }
        };
    }

    private static Shape render(Bucket bucket, Page page, String prefix, String delimiter, String encoding,
                                String keyMarker, String versionIdMarker, int maxKeys) {
        boolean url = "url".equals(encoding);
        Shape listing = Shape.of().put("Name", bucket.name()).put("Prefix", encode(prefix, url))
                .put("KeyMarker", encode(keyMarker == null ? "" : keyMarker, url))
                .put("VersionIdMarker", versionIdMarker == null ? "" : versionIdMarker);
        if (page.truncated() && !page.entries().isEmpty()) {
            Entry last = page.entries().get(page.entries().size() - 1);
            if (last.commonPrefix() != null) {
                listing.put("NextKeyMarker", encode(last.commonPrefix(), url));
            } else {
                listing.put("NextKeyMarker", encode(last.version().key(), url))
                        .put("NextVersionIdMarker", last.version().wireVersionId());
            }
        }
        listing.put("MaxKeys", maxKeys);
        if (delimiter != null) {
            listing.put("Delimiter", encode(delimiter, url));
        }
        listing.put("EncodingType", encoding).put("IsTruncated", page.truncated());
        Shape owner = S3Support.owner(bucket.owner());
        List<Shape> versions = new ArrayList<>();
        List<Shape> markers = new ArrayList<>();
        List<Shape> prefixes = new ArrayList<>();
        for (Entry entry : page.entries()) {
            if (entry.commonPrefix() != null) {
                prefixes.add(Shape.of().put("Prefix", encode(entry.commonPrefix(), url)));
                continue;
            }
            StoredObject version = entry.version();
            Shape listed = Shape.of().put("Key", encode(version.key(), url)).put("VersionId", version.wireVersionId())
                    .put("IsLatest", entry.latest()).put("LastModified", version.lastModified());
            if (version.deleteMarker()) {
                markers.add(listed.put("Owner", owner));
                continue;
            }
            listed.put("ETag", version.etag()).put("Size", version.size())
                    .put("Owner", S3Support.owner(version.ownerIn(bucket)))
                    .put("StorageClass", version.headers().getOrDefault(S3Support.STORAGE_CLASS, "STANDARD"));
            version.checksums().keySet().stream().findFirst().ifPresent(header -> listed.put("ChecksumAlgorithm",
                    List.of(header.substring("x-amz-checksum-".length()).toUpperCase(Locale.ROOT))));
            versions.add(listed);
        }
        return listing.put("Versions", versions).put("DeleteMarkers", markers).put("CommonPrefixes", prefixes);
    }

    private static String encode(String text, boolean url) {
        return url ? S3Support.urlEncode(text) : text;
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
