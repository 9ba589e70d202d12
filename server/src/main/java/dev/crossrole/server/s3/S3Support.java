package dev.crossrole.server.s3;

import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.KeyGrant;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.protocol.Shape;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** What the S3 operations share: access checks on bucket and object ARNs, names, headers, dates. */
final class S3Support {
    static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    static final int MAX_KEY_BYTES = 1024;
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP_ADDRESS = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    /** Representation headers S3 stores with an object and returns on GET and HEAD. */
    /** The input members of the representation headers an object keeps, and the headers they are stored as. */
    private static final List<Map.Entry<String, String>> STORED_HEADERS = List.of(
            Map.entry("ContentType", "Content-Type"), Map.entry("CacheControl", "Cache-Control"),
            Map.entry("ContentDisposition", "Content-Disposition"), Map.entry("ContentEncoding", "Content-Encoding"),
            Map.entry("ContentLanguage", "Content-Language"), Map.entry("Expires", "Expires"));

    private S3Support() {}

    /**
     * A check on the bucket resource. The bucket's tags are its {@code aws:ResourceTag/<key>} and
     * {@code s3:BucketTag/<key>}, the condition keys the Service Authorization Reference gives the bucket resource
     * type (AWS itself supplies them once attribute-based access control is enabled on the bucket).
     */
    static AccessCheck bucketCheck(String action, Bucket bucket, RequestContext context) {
        RequestContext withTags = context;
        if (!bucket.tags().isEmpty()) {
            RequestContext.Builder builder = context.toBuilder();
            bucket.tags().forEach((k, v) -> builder.single("aws:ResourceTag/" + k, v).single("s3:BucketTag/" + k, v));
            withTags = builder.build();
        }
        return withAcl(new AccessCheck(action, bucket.arn(), bucket.owner(), policyInForce(bucket), withTags),
                bucket);
    }

    static AccessCheck objectCheck(String action, Bucket bucket, String key, RequestContext context) {
        return withAcl(new AccessCheck(action, bucket.arn() + "/" + key, bucket.owner(), policyInForce(bucket),
                context), bucket);
    }

    /** A policy derived from a bucket policy (its {@code variant}), by the policy as put, compared by identity. */
    private record Derived(Policy from, String variant) {}

    /**
     * Policies derived from bucket policies, read without a lock on every request that needs one; emptied when it
     * holds more than {@link #DERIVED_LIMIT}, as replaced policies would otherwise stay. An empty value: the variant
     * has no statement.
     */
    private static final Map<Derived, java.util.Optional<Policy>> DERIVED =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int DERIVED_LIMIT = 4096;

    /**
     * The {@code variant} of {@code bucket}'s policy: the text {@code derive} makes of the policy's text, compiled
     * once under {@code name}; {@code null} when {@code derive} finds no statement for it ({@code unparsable} should
     * its text not compile).
     */
    private static Policy derived(Bucket bucket, String variant, java.util.function.UnaryOperator<String> derive,
                                  String name, Policy unparsable) {
        Derived key = new Derived(bucket.policy(), variant);
        java.util.Optional<Policy> known = DERIVED.get(key);
        if (known == null) {
            if (DERIVED.size() > DERIVED_LIMIT) {
                DERIVED.clear();
            }
            known = DERIVED.computeIfAbsent(key, k -> {
                String text = derive.apply(bucket.policyText());
                try {
                    return text == null ? java.util.Optional.empty()
                            : java.util.Optional.of(Policies.parseStored(text, PolicyKind.RESOURCE, name));
                } catch (InvalidPolicyException e) {
                    // Unreachable: the statements are the put policy's, at most with a condition more.
                    return java.util.Optional.ofNullable(unparsable);
                }
            });
        }
        return known.orElse(null);
    }

    private static final Policy DENY_ALL = Policies.parseValid("{\"Version\":\"2012-10-17\",\"Statement\":[{"
            + "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}", PolicyKind.RESOURCE,
            "bucket policy that could not be derived (grants nothing)");

    /**
     * The bucket policy that decides access: the policy as put, unless Block Public Access's
     * {@code RestrictPublicBuckets} (the bucket's or its owner account's) is on and the policy is public — then only
     * what it allows the owner's own principals and AWS services ({@link PublicPolicies#restricted}).
     */
    static Policy policyInForce(Bucket bucket) {
        PublicAccessBlock blocking = bucket.blocking();
        if (bucket.policy() == null || blocking == null || !blocking.restrictPublicBuckets()) {
            return bucket.policy();
        }
        Policy restricted = derived(bucket, "restricted", text -> PublicPolicies.restricted(text, bucket.owner()),
                "bucket policy, which RestrictPublicBuckets limits to principals of account " + bucket.owner()
                        + " and AWS services as it is public", DENY_ALL);
        return restricted == null ? bucket.policy() : restricted;
    }

    /**
     * The check with the bucket ACL's grants as a grant source, where ACLs are in force: each grant covers the
     * actions S3 maps its permission to on a bucket (Amazon S3 User Guide, "Access control list (ACL) overview",
     * mapping of ACL permissions and access policy permissions). A public grant that Block Public Access's
     * {@code IgnorePublicAcls} ignores is shown as not covering. Objects' own grants are decided by
     * {@link #objectCheck(String, Bucket, String, RequestContext, StoredObject)}.
     */
    static AccessCheck withAcl(AccessCheck check, Bucket bucket) {
        if (!bucket.aclsEnabled()) {
            return check;
        }
        List<KeyGrant> grants = engineGrants(bucket.acl(), bucket, check.action(), "a bucket",
                AclGrant::bucketActions, KeyGrant.Source.S3_ACL);
        return grants.isEmpty() ? check : check.withGrants(grants);
    }

    /**
     * A check on an object the request names, decided as S3 decides it in the object's context: for the actions an
     * object ACL can grant, the object's grants are the grant source (where the bucket's ACLs are enabled), and an
     * object another account owns is that account's resource, whose ACL alone can allow others: the bucket policy
     * can only deny it (Amazon S3 User Guide, "How Amazon S3 authorizes a request for an object operation"). Other
     * actions, and a key with no object, are checked on the bucket owner's side as before.
     */
    static AccessCheck objectCheck(String action, Bucket bucket, String key, RequestContext context,
                                   StoredObject object) {
        if (object == null || object.deleteMarker() || !bucket.aclsEnabled()
                || !OBJECT_ACL_ACTIONS.contains(action)) {
            return objectCheck(action, bucket, key, context);
        }
        String owner = object.ownerIn(bucket);
        Policy policy = owner.equals(bucket.owner()) ? policyInForce(bucket) : denyStatements(bucket);
        AccessCheck check = new AccessCheck(action, bucket.arn() + "/" + key, owner, policy, context);
        List<KeyGrant> grants = engineGrants(object.aclIn(bucket), bucket, action, "an object",
                AclGrant::objectActions, KeyGrant.Source.S3_OBJECT_ACL);
        return grants.isEmpty() ? check : check.withGrants(grants);
    }

    /**
     * ACL grants as the policy engine's grant source: each names its grantee's principal and says whether it covers
     * {@code action} (the actions S3 maps its permission to on {@code on}), or why not — Block Public Access's
     * {@code IgnorePublicAcls} leaves public grants out. LogDelivery, and canonical ids no account has, name no
     * principal here (S3's log delivery is not served) and are left out.
     */
    private static List<KeyGrant> engineGrants(List<AclGrant> acl, Bucket bucket, String action, String on,
                                               java.util.function.Function<String, java.util.Set<String>> actionsOf,
                                               KeyGrant.Source source) {
        PublicAccessBlock blocking = bucket.blocking();
        boolean ignorePublic = blocking != null && blocking.ignorePublicAcls();
        List<KeyGrant> grants = new ArrayList<>();
        for (AclGrant grant : acl) {
            String grantee = granteePrincipal(grant);
            if (grantee == null) {
                continue;
            }
            String description = grant.permission() + " to " + (grant.uri() != null ? grantee : grant.id());
            String notCovering = null;
            if (!actionsOf.apply(grant.permission()).contains(action)) {
                notCovering = "on " + on + " " + grant.permission() + " does not grant " + action;
            } else if (ignorePublic && grant.isPublic()) {
                notCovering = "Block Public Access's IgnorePublicAcls (the bucket's or its account's) ignores public"
                        + " grants";
            }
            grants.add(new KeyGrant(description, grantee, notCovering, source));
        }
        return grants;
    }

    /** The object actions S3 maps ACL permissions to (READ, READ_ACP, WRITE_ACP and FULL_CONTROL on an object). */
    static final java.util.Set<String> OBJECT_ACL_ACTIONS = java.util.Set.of("s3:GetObject", "s3:GetObjectVersion",
            "s3:GetObjectAcl", "s3:GetObjectVersionAcl", "s3:PutObjectAcl", "s3:PutObjectVersionAcl");

    /** The principal a grant names for the engine; {@code null} for LogDelivery and ids that are no account's. */
    private static String granteePrincipal(AclGrant grant) {
        if (grant.uri() != null) {
            return grant.uri().equals(AclGrant.ALL_USERS) ? KeyGrant.ALL_USERS
                    : grant.uri().equals(AclGrant.AUTHENTICATED_USERS) ? KeyGrant.AUTHENTICATED_USERS : null;
        }
        String account = accountOf(grant.id());
        return account == null ? null : "arn:aws:iam::" + account + ":root";
    }

    /**
     * The bucket policy's Deny statements alone, or {@code null} when it has none: what the bucket owner's policy
     * still decides about an object another account owns.
     */
    static Policy denyStatements(Bucket bucket) {
        if (bucket.policyText() == null || bucket.policy() == null) {
            return null;
        }
        return derived(bucket, "denies", PublicPolicies::denyStatements,
                "bucket policy (its Deny statements: the object's owner is another account)", null);
    }

    /** {@code s3:ExistingObjectTag/<key>} for each tag of the object the request acts on. */
    static RequestContext existingTags(StoredObject object) {
        RequestContext.Builder context = RequestContext.builder();
        if (object != null) {
            object.tags().forEach((k, v) -> context.single("s3:ExistingObjectTag/" + k, v));
        }
        return context.build();
    }

    /** S3's bucket naming rules (general purpose buckets). */
    static boolean validBucketName(String name) {
        return name != null && BUCKET_NAME.matcher(name).matches() && !name.contains("..") && !name.contains(".-")
                && !name.contains("-.") && !IP_ADDRESS.matcher(name).matches() && !name.startsWith("xn--")
                && !name.startsWith("sthree-") && !name.startsWith("amzn-s3-demo-") && !name.endsWith("-s3alias")
                && !name.endsWith("--ol-s3") && !name.endsWith(".mrap") && !name.endsWith("--x-s3")
                && !name.endsWith("--table-s3");
    }

    static void checkKey(String key) {
        if (key.isEmpty()) {
            throw S3Exception.invalidRequest("A key must be specified");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new S3Exception("KeyTooLongError", 400, "Your key is too long").with("MaxSizeAllowed", "1024")
                    .with("Size", String.valueOf(key.getBytes(StandardCharsets.UTF_8).length));
        }
    }

    /** The Owner S3 shows for an account: its canonical id, and the account as the display name. */
    static Shape owner(String account) {
        return Shape.of().put("ID", canonicalId(account)).put("DisplayName", account);
    }

    /**
     * The canonical user id S3 shows as Owner/ID: 64 hex digits, stable per account. The last twelve are the account
     * id itself (digits are hex digits) after 52 of a hash of it, so an ACL grant's id leads back to its account and
     * an id no account has is told apart ({@link #accountOf}).
     */
    static String canonicalId(String account) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("crossrole-canonical-user:" + account).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 52) + account;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The account whose canonical user id {@code id} is, or {@code null} when it is none's. */
    static String accountOf(String id) {
        if (id == null || id.length() != 64 || !id.substring(52).matches("\\d{12}")) {
            return null;
        }
        String account = id.substring(52);
        return canonicalId(account).equals(id) ? account : null;
    }

    static String quoted(String etag) {
        return etag.startsWith("\"") ? etag : "\"" + etag + "\"";
    }

    static String unquoted(String etag) {
        String trimmed = etag.trim();
        return trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")
                ? trimmed.substring(1, trimmed.length() - 1) : trimmed;
    }

    static String httpDate(Instant instant) {
        return HTTP_DATE.format(instant);
    }

    static Instant parseHttpDate(String value) {
        if (value == null) {
            return null;
        }
        try {
            return java.time.ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return Instant.parse(value.trim());
            } catch (java.time.format.DateTimeParseException again) {
                return null;
            }
        }
    }

    static final List<String> STORAGE_CLASSES = List.of("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
            "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE");
    static final String STORAGE_CLASS = "x-amz-storage-class";

    /**
     * The representation headers of a PUT, copy or multipart creation, and its storage class when not
     * STANDARD (recorded and reported as S3 does; every class is readable at once here).
     */
    static Map<String, String> storedHeaders(S3Input input) {
        Map<String, String> headers = new LinkedHashMap<>();
        String storageClass = input.string("StorageClass");
        if (storageClass != null && !STORAGE_CLASSES.contains(storageClass)) {
            throw new S3Exception("InvalidStorageClass", 400, "The storage class you specified is not valid")
                    .with("StorageClassRequested", input.sentValue("StorageClass"));
        }
        if (storageClass != null && !storageClass.equals("STANDARD")) {
            headers.put(STORAGE_CLASS, storageClass);
        }
        for (Map.Entry<String, String> member : STORED_HEADERS) {
            String name = member.getValue();
            String value = input.string(member.getKey());
            if (value == null) {
                continue;
            }
            if (name.equals("Content-Encoding")) {
                value = withoutAwsChunked(value);
                if (value == null) {
                    continue;
                }
            }
            headers.put(name, value);
        }
        return headers;
    }

    /**
     * A Content-Encoding as the object keeps it: as sent, less {@code aws-chunked}, which names the transfer of this
     * request and not the object's encoding; {@code null} when nothing else was named.
     */
    static String withoutAwsChunked(String value) {
        String[] codings = value.split(",", -1);
        if (java.util.Arrays.stream(codings).noneMatch(c -> c.trim().equalsIgnoreCase("aws-chunked"))) {
            return value;
        }
        String kept = java.util.Arrays.stream(codings).map(String::trim)
                .filter(c -> !c.isEmpty() && !c.equalsIgnoreCase("aws-chunked"))
                .reduce((a, b) -> a + ", " + b).orElse(null);
        return kept;
    }

    static Map<String, String> userMetadata(S3Input input) {
        Map<String, String> sent = input.map("Metadata");
        Map<String, String> metadata = sent == null ? new LinkedHashMap<>() : new LinkedHashMap<>(sent);
        int size = 0;
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            size += entry.getKey().length() + entry.getValue().length();
        }
        if (size > 2048) {
            throw new S3Exception("MetadataTooLarge", 400,
                    "Your metadata headers exceed the maximum allowed metadata size.").with("Size", String.valueOf(size))
                    .with("MaxSizeAllowed", "2048");
        }
        return metadata;
    }

    /** Tags from the {@code x-amz-tagging} header (URL query syntax). */
    static Map<String, String> taggingHeader(String header) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (header == null || header.isEmpty()) {
            return tags;
        }
        for (String pair : header.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (key == null || value == null || tags.put(key, value) != null) {
                throw S3Exception.invalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded"
                        + " URL query parameters without tag name duplicates.", "x-amz-tagging", header);
            }
        }
        validateTags(tags);
        return tags;
    }

    static void validateTags(Map<String, String> tags) {
        if (tags.size() > 10) {
            // S3's code and text for an eleventh object tag (the tag limit is 10 per object).
            throw new S3Exception("InvalidTag", 400, "Object tags cannot be greater than 10");
        }
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            if (tag.getKey().isEmpty() || tag.getKey().length() > 128 || tag.getKey().startsWith("aws:")) {
                throw new S3Exception("InvalidTag", 400, "The TagKey you have provided is invalid");
            }
            if (tag.getValue().length() > 256) {
                throw new S3Exception("InvalidTag", 400, "The TagValue you have provided is invalid");
            }
        }
    }

    /** {@code s3:RequestObjectTag/<key>} and {@code s3:RequestObjectTagKeys} for tags a request sets. */
    static void requestTags(RequestContext.Builder context, Map<String, String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        tags.forEach((k, v) -> context.single("s3:RequestObjectTag/" + k, v));
        context.multi("s3:RequestObjectTagKeys", List.copyOf(tags.keySet()));
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Percent-encodes like S3's {@code encoding-type=url}: UTF-8, a space as {@code %20} and a {@code +} as
     * {@code %2B}, slashes kept (ceph/s3-tests {@code test_bucket_list_encoding_basic}, run against AWS, expects
     * {@code quux%20ab/} and {@code asdf%2Bb}).
     */
    static String urlEncode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    /**
     * The integrity header a configuration upload must carry (the model's {@code httpChecksum} trait with
     * {@code requestChecksumRequired}, not a member of its input): {@code Content-MD5} or a checksum; the body stream
     * verifies whichever was sent.
     */
    static void requireIntegrity(S3Request request) {
        if (request.header("Content-MD5") == null && ObjectOperations.requestedChecksum(request) == null) {
            throw S3Exception.invalidRequest("Missing required header for this request: Content-MD5");
        }
    }
}
