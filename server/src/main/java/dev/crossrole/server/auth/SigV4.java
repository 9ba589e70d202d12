package dev.crossrole.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4, the pure computation: parse the envelope (Authorization header or
 * presigned query), build the canonical request, the string to sign, the signing key and the
 * signature. Nothing here knows about HTTP libraries, credentials stores or clocks; the caller
 * looks up the secret, checks the time window and compares signatures with
 * {@link #constantTimeEquals}.
 *
 * <p>Verification is the mirror of signing: every function takes the request <em>as received</em>
 * and reproduces what the client computed from the request <em>as sent</em>. The rules and the
 * places where clients differ are in {@code aws-wire.md} §2; the official test suite under
 * {@code src/test/resources/aws-sigv4-test-suite} pins the behaviour.
 */
public final class SigV4 {

    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    public static final String TERMINATOR = "aws4_request";
    /** Payload hash literal for unsigned bodies (S3 presigned URLs, S3 over https). */
    public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    /** Lower-hex SHA-256 of zero bytes. */
    public static final String EMPTY_BODY_SHA256 =
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    /** Upper bound of {@code X-Amz-Expires}: seven days. */
    public static final long MAX_PRESIGN_EXPIRES_SECONDS = 604_800L;

    public static final String HEADER_AUTHORIZATION = "authorization";
    public static final String HEADER_AMZ_DATE = "x-amz-date";
    public static final String HEADER_DATE = "date";
    public static final String HEADER_SECURITY_TOKEN = "x-amz-security-token";
    public static final String HEADER_CONTENT_SHA256 = "x-amz-content-sha256";

    public static final String QUERY_ALGORITHM = "X-Amz-Algorithm";
    public static final String QUERY_CREDENTIAL = "X-Amz-Credential";
    public static final String QUERY_DATE = "X-Amz-Date";
    public static final String QUERY_EXPIRES = "X-Amz-Expires";
    public static final String QUERY_SIGNED_HEADERS = "X-Amz-SignedHeaders";
    public static final String QUERY_SIGNATURE = "X-Amz-Signature";
    public static final String QUERY_SECURITY_TOKEN = "X-Amz-Security-Token";

    // ---- AWS message texts (one constant per message; %s are filled with String.format) ------
    // Query/JSON services (Coral) word header problems this way; each "requires" sentence is
    // printed for every missing part, then "Authorization=<header value>".

    public static final String MSG_REQUIRES_PARAMETER = "Authorization header requires '%s' parameter. ";
    public static final String MSG_REQUIRES_DATE =
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    public static final String MSG_AUTHORIZATION_SUFFIX = "Authorization=%s";
    public static final String MSG_NOT_KEY_VALUE_PAIR =
            "'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.";
    public static final String MSG_SCOPE_REGION = "Credential should be scoped to a valid region. ";
    public static final String MSG_SCOPE_REGION_NOT = "Credential should be scoped to a valid region, not '%s'. ";
    public static final String MSG_SCOPE_TERMINATOR =
            "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ";
    public static final String MSG_SCOPE_SERVICE = "Credential should be scoped to correct service: '%s'. ";
    /** Scope date vs. request date: scope date, request date part, full request timestamp. */
    public static final String MSG_SCOPE_DATE =
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                    + "'%s' != '%s', from '%s'.";
    /** S3's text for an Authorization scheme it does not know; Query services have no better one. */
    public static final String MSG_UNSUPPORTED_AUTHORIZATION_TYPE = "Unsupported Authorization Type";

    // Presigned URLs are an S3 feature first; these are S3's AuthorizationQueryParametersError texts.

    public static final String MSG_PRESIGN_REQUIRED_PARAMETERS =
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                    + "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";
    public static final String MSG_PRESIGN_ALGORITHM = "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"";
    public static final String MSG_PRESIGN_CREDENTIAL =
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
                    + "expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";
    public static final String MSG_PRESIGN_DATE =
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"";
    public static final String MSG_PRESIGN_EXPIRES_NOT_NUMBER = "X-Amz-Expires should be a number";
    public static final String MSG_PRESIGN_EXPIRES_NEGATIVE = "X-Amz-Expires must be non-negative";
    /** Our own wording: AWS's text for zero is not on record; the range we accept is 1..604800. */
    public static final String MSG_PRESIGN_EXPIRES_ZERO = "X-Amz-Expires must be greater than 0";
    public static final String MSG_PRESIGN_EXPIRES_TOO_LARGE =
            "X-Amz-Expires must be less than a week (in seconds) that is; 604800";

    /** Query parameters left out of a presigned canonical query: the signature cannot sign itself. */
    public static final Set<String> PRESIGNED_UNSIGNED_PARAMS = Set.of(QUERY_SIGNATURE);

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();
    private static final String HMAC_SHA256 = "HmacSHA256";
    private static final byte[] TERMINATOR_BYTES = TERMINATOR.getBytes(StandardCharsets.US_ASCII);

    // Mac and MessageDigest are not thread-safe and costly to look up; one per thread, reused for
    // every request the thread serves.
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(HMAC_SHA256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without HmacSHA256", e);
        }
    });
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without SHA-256", e);
        }
    });

    private SigV4() {}

    // ==== values ================================================================================

    /**
     * A request as received, reduced to what SigV4 covers.
     *
     * @param method   the HTTP method as sent
     * @param rawPath  the request-target path exactly as on the wire, still percent-encoded
     *                 ({@code /%E1%88%B4}, {@code /example/..}); non-ASCII characters, if a client
     *                 sent them raw, count as their UTF-8 bytes
     * @param rawQuery the query string as on the wire, without {@code ?}; null when there is none
     * @param headers  headers in received order with their original names; a name may repeat.
     *                 Not copied: the caller must not change the list afterwards.
     * @param body     the (decoded, i.e. after transfer framing) body; null means empty
     */
    public record HttpRequestParts(
            String method, String rawPath, String rawQuery, List<Map.Entry<String, String>> headers, byte[] body) {

        public HttpRequestParts {
            if (method == null || rawPath == null || headers == null) {
                throw new IllegalArgumentException("method, rawPath and headers are required");
            }
            if (body == null) {
                body = new byte[0];
            }
        }

        /** First value of the header named {@code name} (case-insensitive), or null. */
        public String header(String name) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }
    }

    /** The credential scope a client signed with: {@code <akid>/<date>/<region>/<service>/aws4_request}. */
    public record Credential(String accessKeyId, String date, String region, String service) {

        /** {@code <date>/<region>/<service>/aws4_request}, the scope line of the string to sign. */
        public String scope() {
            return date + '/' + region + '/' + service + '/' + TERMINATOR;
        }
    }

    /** A parsed {@code Authorization: AWS4-HMAC-SHA256 ...} header. Signed header names are lower-case. */
    public record AuthorizationHeader(Credential credential, List<String> signedHeaders, String signature) {}

    /**
     * A parsed presigned query. {@code expiresSeconds} is already range-checked (1..604800);
     * {@code amzDate} is already known to parse with {@link #parseAmzDate}. {@code securityToken}
     * is decoded, or null when absent.
     */
    public record PresignedQuery(
            Credential credential,
            String amzDate,
            long expiresSeconds,
            List<String> signedHeaders,
            String signature,
            String securityToken) {}

    // ==== parsing the envelope ==================================================================

    /** {@link #parseAuthorizationHeader(String, boolean)} for a request that has a date header. */
    public static AuthorizationHeader parseAuthorizationHeader(String value) throws SigV4Exception {
        return parseAuthorizationHeader(value, true);
    }

    /**
     * Parses {@code AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...}, tolerating
     * any spacing around the commas and any order of the parts.
     *
     * @param hasDateHeader whether the request carries {@code X-Amz-Date} or {@code Date}; AWS
     *                      reports a missing date in the same message as missing header parts
     * @throws SigV4Exception {@code UNSUPPORTED_ALGORITHM} for another scheme,
     *                        {@code INCOMPLETE_SIGNATURE} for missing parts or a part without '=',
     *                        {@code MALFORMED_CREDENTIAL} for a bad credential scope
     */
    public static AuthorizationHeader parseAuthorizationHeader(String value, boolean hasDateHeader)
            throws SigV4Exception {
        String trimmed = value == null ? "" : value.strip();
        int space = indexOfWhitespace(trimmed);
        String algorithm = space < 0 ? trimmed : trimmed.substring(0, space);
        if (!ALGORITHM.equals(algorithm)) {
            throw new SigV4Exception(SigV4Exception.Kind.UNSUPPORTED_ALGORITHM, MSG_UNSUPPORTED_AUTHORIZATION_TYPE);
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        if (space >= 0) {
            for (String part : trimmed.substring(space + 1).split(",")) {
                String p = part.strip();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                if (eq < 0) {
                    throw new SigV4Exception(SigV4Exception.Kind.INCOMPLETE_SIGNATURE,
                            String.format(MSG_NOT_KEY_VALUE_PAIR, p, value));
                }
                String key = p.substring(0, eq).strip();
                String v = p.substring(eq + 1).strip();
                // first occurrence wins; an empty value counts as missing
                if (key.equals("Credential") && credential == null && !v.isEmpty()) {
                    credential = v;
                } else if (key.equals("SignedHeaders") && signedHeaders == null && !v.isEmpty()) {
                    signedHeaders = v;
                } else if (key.equals("Signature") && signature == null && !v.isEmpty()) {
                    signature = v;
                }
            }
        }
        if (credential == null || signedHeaders == null || signature == null || !hasDateHeader) {
            StringBuilder msg = new StringBuilder(256);
            if (credential == null) {
                msg.append(String.format(MSG_REQUIRES_PARAMETER, "Credential"));
            }
            if (signature == null) {
                msg.append(String.format(MSG_REQUIRES_PARAMETER, "Signature"));
            }
            if (signedHeaders == null) {
                msg.append(String.format(MSG_REQUIRES_PARAMETER, "SignedHeaders"));
            }
            if (!hasDateHeader) {
                msg.append(MSG_REQUIRES_DATE);
            }
            msg.append(String.format(MSG_AUTHORIZATION_SUFFIX, value));
            throw new SigV4Exception(SigV4Exception.Kind.INCOMPLETE_SIGNATURE, msg.toString());
        }
        return new AuthorizationHeader(parseHeaderCredential(credential), splitSignedHeaders(signedHeaders), signature);
    }

    /** A credential scope {@code <key>/<date>/<region>/<service>/aws4_request}, as a POST form's field names it. */
    public static Credential parseCredential(String credential) throws SigV4Exception {
        return parseHeaderCredential(credential);
    }

    private static Credential parseHeaderCredential(String credential) throws SigV4Exception {
        String[] parts = credential.split("/", -1);
        if (parts.length >= 5 && !TERMINATOR.equals(parts[parts.length - 1])) {
            throw new SigV4Exception(SigV4Exception.Kind.MALFORMED_CREDENTIAL,
                    String.format(MSG_SCOPE_TERMINATOR, parts[parts.length - 1]));
        }
        // too few parts, or extra ones before the terminator: the region is not where it must be
        if (parts.length != 5 || parts[2].isEmpty()) {
            throw new SigV4Exception(SigV4Exception.Kind.MALFORMED_CREDENTIAL, MSG_SCOPE_REGION);
        }
        return new Credential(parts[0], parts[1], parts[2], parts[3]);
    }

    private static List<String> splitSignedHeaders(String signedHeaders) {
        List<String> names = new ArrayList<>(8);
        int start = 0;
        int n = signedHeaders.length();
        while (start <= n) {
            int semi = signedHeaders.indexOf(';', start);
            int end = semi < 0 ? n : semi;
            String name = signedHeaders.substring(start, end).strip();
            if (!name.isEmpty()) {
                names.add(name.toLowerCase(Locale.ROOT));
            }
            start = end + 1;
        }
        return List.copyOf(names);
    }

    /**
     * Parses the SigV4 parameters of a presigned query string.
     *
     * @return null if the query carries neither {@code X-Amz-Algorithm} nor {@code X-Amz-Signature}
     *         (i.e. it is not a presigned request at all)
     * @throws SigV4Exception {@code UNSUPPORTED_ALGORITHM}, {@code MALFORMED_CREDENTIAL} or
     *                        {@code MALFORMED_QUERY} (missing parameter, bad date, expires outside 1..604800)
     */
    public static PresignedQuery parsePresigned(String rawQuery) throws SigV4Exception {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        String algorithm = null;
        String credential = null;
        String date = null;
        String expires = null;
        String signedHeaders = null;
        String signature = null;
        String token = null;
        int n = rawQuery.length();
        int start = 0;
        while (start < n) {
            int amp = rawQuery.indexOf('&', start);
            int end = amp < 0 ? n : amp;
            // only X-Amz-* names matter here; they are plain ASCII, so check the raw prefix first
            if (end > start && regionStartsWithIgnoreCase(rawQuery, start, "X-Amz-")) {
                int eq = rawQuery.indexOf('=', start);
                int nameEnd = eq < 0 || eq > end ? end : eq;
                String name = percentDecode(rawQuery, start, nameEnd);
                String value = nameEnd == end ? "" : percentDecode(rawQuery, nameEnd + 1, end);
                // first occurrence wins, like the other SigV4 parsers
                switch (name) {
                    case QUERY_ALGORITHM -> algorithm = algorithm == null ? value : algorithm;
                    case QUERY_CREDENTIAL -> credential = credential == null ? value : credential;
                    case QUERY_DATE -> date = date == null ? value : date;
                    case QUERY_EXPIRES -> expires = expires == null ? value : expires;
                    case QUERY_SIGNED_HEADERS -> signedHeaders = signedHeaders == null ? value : signedHeaders;
                    case QUERY_SIGNATURE -> signature = signature == null ? value : signature;
                    case QUERY_SECURITY_TOKEN -> token = token == null ? value : token;
                    default -> { }
                }
            }
            start = end + 1;
        }
        if (algorithm == null && signature == null) {
            return null;
        }
        if (algorithm != null && !ALGORITHM.equals(algorithm)) {
            throw new SigV4Exception(SigV4Exception.Kind.UNSUPPORTED_ALGORITHM, MSG_PRESIGN_ALGORITHM);
        }
        if (algorithm == null || isEmpty(credential) || isEmpty(date) || isEmpty(expires)
                || isEmpty(signedHeaders) || isEmpty(signature)) {
            throw new SigV4Exception(SigV4Exception.Kind.MALFORMED_QUERY, MSG_PRESIGN_REQUIRED_PARAMETERS);
        }
        String[] parts = credential.split("/", -1);
        if (parts.length != 5 || !TERMINATOR.equals(parts[4]) || parts[1].isEmpty() || parts[2].isEmpty()
                || parts[3].isEmpty()) {
            throw new SigV4Exception(SigV4Exception.Kind.MALFORMED_CREDENTIAL, MSG_PRESIGN_CREDENTIAL);
        }
        if (parseAmzDate(date) == null) {
            throw new SigV4Exception(SigV4Exception.Kind.MALFORMED_QUERY, MSG_PRESIGN_DATE);
        }
        long expiresSeconds = parseExpires(expires);
        return new PresignedQuery(new Credential(parts[0], parts[1], parts[2], parts[3]), date, expiresSeconds,
                splitSignedHeaders(signedHeaders), signature, token);
    }

    private static long parseExpires(String expires) throws SigV4Exception {
        long seconds;
        try {
            seconds = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            throw new SigV4Exception(SigV4Exception.Kind.MALFORMED_QUERY, MSG_PRESIGN_EXPIRES_NOT_NUMBER);
        }
        if (seconds < 0) {
            throw new SigV4Exception(SigV4Exception.Kind.MALFORMED_QUERY, MSG_PRESIGN_EXPIRES_NEGATIVE);
        }
        if (seconds == 0) {
            throw new SigV4Exception(SigV4Exception.Kind.MALFORMED_QUERY, MSG_PRESIGN_EXPIRES_ZERO);
        }
        if (seconds > MAX_PRESIGN_EXPIRES_SECONDS) {
            throw new SigV4Exception(SigV4Exception.Kind.MALFORMED_QUERY, MSG_PRESIGN_EXPIRES_TOO_LARGE);
        }
        return seconds;
    }

    // ==== canonical request =====================================================================

    /**
     * The canonical request, for the header form ({@code presigned=false}) or the query form
     * ({@code presigned=true}: {@code X-Amz-Signature} is left out of the canonical query).
     *
     * @param signedHeaders the names the client listed (SignedHeaders / X-Amz-SignedHeaders),
     *                      used in the order given: clients sort them, and whatever order they
     *                      used is the order they hashed
     * @param payloadHash   usually {@link #payloadHash}; {@link #UNSIGNED_PAYLOAD} for S3 presigned
     * @param normalizePath true for every service but S3 (see {@link #canonicalUri})
     */
    public static String canonicalRequest(HttpRequestParts req, List<String> signedHeaders, String payloadHash,
            boolean normalizePath, boolean presigned) {
        return canonicalRequest(req, signedHeaders, payloadHash, normalizePath,
                presigned ? PRESIGNED_UNSIGNED_PARAMS : Set.of());
    }

    /**
     * As {@link #canonicalRequest(HttpRequestParts, List, String, boolean, boolean)}, with an
     * explicit set of query parameter names that the client did not sign. Besides
     * {@code X-Amz-Signature}, some clients append {@code X-Amz-Security-Token} only after signing
     * (the test suite's {@code omit_session_token} case; older IoT/WebSocket signers).
     *
     * @param unsignedQueryParams names in canonical (percent-encoded) form; every {@code X-Amz-*}
     *                            name is its own encoding
     */
    public static String canonicalRequest(HttpRequestParts req, List<String> signedHeaders, String payloadHash,
            boolean normalizePath, Set<String> unsignedQueryParams) {
        StringBuilder sb = new StringBuilder(256 + req.rawPath().length() * 2
                + (req.rawQuery() == null ? 0 : req.rawQuery().length() * 2));
        sb.append(req.method()).append('\n');
        appendCanonicalUri(sb, req.rawPath(), normalizePath);
        sb.append('\n');
        appendCanonicalQuery(sb, req.rawQuery(), unsignedQueryParams);
        sb.append('\n');
        for (String name : signedHeaders) {
            String lower = name.toLowerCase(Locale.ROOT);
            sb.append(lower).append(':');
            appendCanonicalHeaderValue(sb, req.headers(), lower);
            sb.append('\n');
        }
        sb.append('\n');
        for (int i = 0; i < signedHeaders.size(); i++) {
            if (i > 0) {
                sb.append(';');
            }
            sb.append(signedHeaders.get(i).toLowerCase(Locale.ROOT));
        }
        sb.append('\n').append(payloadHash);
        return sb.toString();
    }

    /**
     * The canonical URI of a path as received.
     *
     * <ul>
     *   <li>{@code normalizePath=true} (all services but S3): clients encode their already-encoded
     *       path once more ("double encoding") after removing {@code .}/{@code ..} segments and
     *       empty segments, so the verifier does the same to the wire path: normalise, then
     *       percent-encode every byte outside the unreserved set, {@code %} included.</li>
     *   <li>{@code normalizePath=false} (S3): clients sign the path they send, encoded once, not
     *       normalised. To be robust against clients that leave some characters raw, each
     *       segment is decoded and re-encoded strictly (an encoded {@code %2F} stays {@code %2F}).
     *       For a strictly encoded wire path this is the identity.</li>
     * </ul>
     * An empty path is {@code /}.
     */
    public static String canonicalUri(String rawPath, boolean normalizePath) {
        StringBuilder sb = new StringBuilder(rawPath.length() * 2 + 1);
        appendCanonicalUri(sb, rawPath, normalizePath);
        return sb.toString();
    }

    /**
     * {@code text} URI-encoded as SigV4 encodes a path (RFC 3986 unreserved characters kept, every other UTF-8 byte
     * as {@code %XX}); with {@code keepSlash}, {@code /} stays a separator. For a client building a request path.
     */
    public static String uriEncode(String text, boolean keepSlash) {
        StringBuilder sb = new StringBuilder(text.length() * 2);
        appendEncoded(sb, text, 0, text.length(), false, keepSlash);
        return sb.toString();
    }

    private static void appendCanonicalUri(StringBuilder sb, String rawPath, boolean normalizePath) {
        if (rawPath.isEmpty()) {
            sb.append('/');
            return;
        }
        if (normalizePath) {
            String path = needsNormalization(rawPath) ? removeDotAndEmptySegments(rawPath) : rawPath;
            appendEncoded(sb, path, 0, path.length(), false, true);
        } else {
            appendEncoded(sb, rawPath, 0, rawPath.length(), true, true);
        }
    }

    private static boolean needsNormalization(String path) {
        return path.charAt(0) != '/' || path.contains("//") || path.contains("/.");
    }

    /**
     * Drops empty and {@code .} segments and resolves {@code ..}; keeps a trailing slash when the
     * path had one and something is left (botocore and the JS v3 signer agree on this rule).
     */
    private static String removeDotAndEmptySegments(String path) {
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (!segments.isEmpty()) {
                    segments.remove(segments.size() - 1);
                }
                continue;
            }
            segments.add(segment);
        }
        StringBuilder sb = new StringBuilder(path.length() + 1).append('/');
        sb.append(String.join("/", segments));
        if (!segments.isEmpty() && path.endsWith("/")) {
            sb.append('/');
        }
        return sb.toString();
    }

    /**
     * The canonical query string: every {@code name=value} pair decoded and re-encoded with the
     * RFC 3986 unreserved set (so {@code /}, {@code =}, space become {@code %2F}, {@code %3D},
     * {@code %20}), a missing value rendered {@code name=}, sorted by encoded name then value,
     * joined with {@code &}.
     *
     * <p>A raw {@code +} is a literal plus ({@code %2B}), not a space: this is a URI query, not a
     * form body (smithy-rs's {@code get-query-plus} vector agrees). Clients that mean a space send
     * {@code %20}.
     *
     * @param unsignedParams encoded names to leave out (see {@link #PRESIGNED_UNSIGNED_PARAMS})
     */
    public static String canonicalQuery(String rawQuery, Set<String> unsignedParams) {
        StringBuilder sb = new StringBuilder(rawQuery == null ? 0 : rawQuery.length() * 2);
        appendCanonicalQuery(sb, rawQuery, unsignedParams);
        return sb.toString();
    }

    private static void appendCanonicalQuery(StringBuilder sb, String rawQuery, Set<String> unsignedParams) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return;
        }
        List<String[]> pairs = new ArrayList<>(8);
        StringBuilder scratch = new StringBuilder(64);
        int n = rawQuery.length();
        int start = 0;
        while (start < n) {
            int amp = rawQuery.indexOf('&', start);
            int end = amp < 0 ? n : amp;
            if (end > start) {
                int eq = rawQuery.indexOf('=', start);
                int nameEnd = eq < 0 || eq > end ? end : eq;
                scratch.setLength(0);
                appendEncoded(scratch, rawQuery, start, nameEnd, true, false);
                String name = scratch.toString();
                if (!unsignedParams.contains(name)) {
                    scratch.setLength(0);
                    if (nameEnd < end) {
                        appendEncoded(scratch, rawQuery, nameEnd + 1, end, true, false);
                    }
                    pairs.add(new String[] {name, scratch.toString()});
                }
            }
            start = end + 1;
        }
        // encoded strings are ASCII, so String order is byte order, as the spec requires
        pairs.sort((a, b) -> {
            int byName = a[0].compareTo(b[0]);
            return byName != 0 ? byName : a[1].compareTo(b[1]);
        });
        for (int i = 0; i < pairs.size(); i++) {
            if (i > 0) {
                sb.append('&');
            }
            sb.append(pairs.get(i)[0]).append('=').append(pairs.get(i)[1]);
        }
    }

    /**
     * Appends the canonical value of header {@code lowerName}: every occurrence, in received order,
     * trimmed, with whitespace runs (including obs-fold line breaks) collapsed to one space, joined
     * with {@code ,}. A signed header that is absent renders as an empty value, which then simply
     * fails to match.
     */
    private static void appendCanonicalHeaderValue(StringBuilder sb, List<Map.Entry<String, String>> headers,
            String lowerName) {
        boolean first = true;
        for (Map.Entry<String, String> h : headers) {
            if (!h.getKey().equalsIgnoreCase(lowerName)) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            appendTrimmedCollapsed(sb, h.getValue());
        }
    }

    private static void appendTrimmedCollapsed(StringBuilder sb, String value) {
        if (value == null) {
            return;
        }
        boolean pendingSpace = false;
        boolean wroteAny = false;
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                pendingSpace = wroteAny;
            } else {
                if (pendingSpace) {
                    sb.append(' ');
                    pendingSpace = false;
                }
                sb.append(c);
                wroteAny = true;
            }
        }
    }

    // ==== hashes, string to sign, key, signature ================================================

    /**
     * The payload hash to put in the canonical request: the {@code x-amz-content-sha256} header
     * when present, else the lower-hex SHA-256 of the body.
     *
     * <p>A header value that is a hex hash is honoured only if the body really has that hash
     * (case-insensitively); otherwise the body's real hash is returned, so the signature check
     * fails. Without this, a signed {@code x-amz-content-sha256} would let the body be swapped
     * under a valid signature. Literals ({@code UNSIGNED-PAYLOAD}, {@code STREAMING-*}) are
     * returned as sent; the body is then not covered, by the client's choice. S3 wants its own
     * error for the mismatch ({@code XAmzContentSHA256Mismatch}); the caller can detect it with
     * {@link #isHexSha256} and {@link #sha256Hex} before verifying.
     */
    public static String payloadHash(HttpRequestParts req) {
        String declared = req.header(HEADER_CONTENT_SHA256);
        String actual = req.body().length == 0 ? EMPTY_BODY_SHA256 : null;
        if (declared != null) {
            declared = declared.strip();
            if (!isHexSha256(declared)) {
                return declared;
            }
            if (actual == null) {
                actual = sha256Hex(req.body());
            }
            return declared.equalsIgnoreCase(actual) ? declared : actual;
        }
        return actual != null ? actual : sha256Hex(req.body());
    }

    /** Whether {@code value} looks like a hex SHA-256 (64 hex digits, either case). */
    public static boolean isHexSha256(String value) {
        if (value == null || value.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            if (Character.digit(value.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code AWS4-HMAC-SHA256\n<amzDate>\n<scope>\n<hex sha256 of the canonical request>}. */
    public static String stringToSign(String amzDate, Credential scope, String canonicalRequest) {
        return ALGORITHM + '\n' + amzDate + '\n' + scope.scope() + '\n'
                + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
    }

    /** The HMAC chain {@code "AWS4"+secret -> date -> region -> service -> "aws4_request"}. */
    public static byte[] signingKey(String secretAccessKey, String date, String region, String service) {
        Mac mac = MAC.get();
        byte[] key = hmac(mac, ("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8),
                date.getBytes(StandardCharsets.UTF_8));
        key = hmac(mac, key, region.getBytes(StandardCharsets.UTF_8));
        key = hmac(mac, key, service.getBytes(StandardCharsets.UTF_8));
        return hmac(mac, key, TERMINATOR_BYTES);
    }

    /** Lower-hex HMAC-SHA256 of the string to sign under the signing key. */
    public static String signature(byte[] signingKey, String stringToSign) {
        return hex(hmac(MAC.get(), signingKey, stringToSign.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] hmac(Mac mac, byte[] key, byte[] data) {
        try {
            mac.init(new SecretKeySpec(key, HMAC_SHA256));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 refused a key", e);
        }
        return mac.doFinal(data);
    }

    /** Lower-hex SHA-256. */
    public static String sha256Hex(byte[] data) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return hex(digest.digest(data));
    }

    private static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }

    /**
     * Compares two signatures in time independent of where they differ, so a caller cannot learn
     * a correct prefix by timing. Lengths are not secret (always 64 hex). Null never matches.
     */
    public static boolean constantTimeEquals(String a, String b) {
        if (a == null || b == null || a.length() != b.length()) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < a.length(); i++) {
            diff |= a.charAt(i) ^ b.charAt(i);
        }
        return diff == 0;
    }

    // ==== dates =================================================================================

    /** Parses {@code yyyyMMdd'T'HHmmss'Z'} (UTC); null if it is not exactly that. */
    public static Instant parseAmzDate(String value) {
        if (value == null || value.length() != 16 || value.charAt(8) != 'T' || value.charAt(15) != 'Z') {
            return null;
        }
        int year = digits(value, 0, 4);
        int month = digits(value, 4, 6);
        int day = digits(value, 6, 8);
        int hour = digits(value, 9, 11);
        int minute = digits(value, 11, 13);
        int second = digits(value, 13, 15);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** Formats an instant as {@code yyyyMMdd'T'HHmmss'Z'} (for a {@code Date}-header request and skew messages). */
    public static String formatAmzDate(Instant instant) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        char[] out = new char[16];
        put(out, 0, t.getYear(), 4);
        put(out, 4, t.getMonthValue(), 2);
        put(out, 6, t.getDayOfMonth(), 2);
        out[8] = 'T';
        put(out, 9, t.getHour(), 2);
        put(out, 11, t.getMinute(), 2);
        put(out, 13, t.getSecond(), 2);
        out[15] = 'Z';
        return new String(out);
    }

    /**
     * Parses an RFC 1123 {@code Date} header ({@code Sun, 30 Aug 2015 12:36:00 GMT}), the fallback
     * when a client (botocore with a caller-set Date) sends no {@code X-Amz-Date}; null if unparsable.
     */
    public static Instant parseHttpDate(String value) {
        if (value == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static void put(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    // ==== percent-encoding ======================================================================

    private static boolean isUnreserved(int b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
                || b == '-' || b == '_' || b == '.' || b == '~';
    }

    /**
     * Appends {@code s[from, to)} URI-encoded (RFC 3986 unreserved kept, everything else as
     * {@code %XX} of its UTF-8 bytes). With {@code decodeFirst}, valid {@code %XX} escapes are
     * taken as the byte they denote (a stray {@code %} stays literal), so the result is the
     * strict encoding of the decoded bytes; decoded bytes are always re-encoded, which keeps an
     * escaped {@code %2F} distinct from a real {@code /}. With {@code keepSlash}, literal
     * {@code /} characters stay as they are (path separators).
     */
    private static void appendEncoded(StringBuilder sb, String s, int from, int to, boolean decodeFirst,
            boolean keepSlash) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            int escaped = decodeFirst && c == '%' ? hexValue(s, i + 1, to) : -1;
            if (escaped >= 0) {
                appendByte(sb, escaped);
                i += 2;
            } else if (c < 0x80) {
                if (keepSlash && c == '/') {
                    sb.append('/');
                } else {
                    appendByte(sb, c);
                }
            } else {
                int cp = codePointAt(s, i, to);
                i += Character.charCount(cp) - 1;
                appendUtf8(sb, cp);
            }
        }
    }

    /** The code point at {@code i}; an unpaired surrogate becomes U+FFFD, as a UTF-8 encoder would make it. */
    private static int codePointAt(String s, int i, int to) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
            return Character.toCodePoint(c, s.charAt(i + 1));
        }
        return Character.isSurrogate(c) ? 0xFFFD : c;
    }

    /** The byte denoted by {@code s[at]s[at+1]} as hex digits, or -1 (also when past {@code to}). */
    private static int hexValue(String s, int at, int to) {
        if (at + 1 >= to) {
            return -1;
        }
        int hi = Character.digit(s.charAt(at), 16);
        int lo = Character.digit(s.charAt(at + 1), 16);
        return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
    }

    private static void appendByte(StringBuilder sb, int b) {
        if (isUnreserved(b)) {
            sb.append((char) b);
        } else {
            sb.append('%').append(HEX_UPPER[(b >> 4) & 0xF]).append(HEX_UPPER[b & 0xF]);
        }
    }

    private static void appendUtf8(StringBuilder sb, int cp) {
        if (cp < 0x800) {
            appendByte(sb, 0xC0 | (cp >> 6));
            appendByte(sb, 0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            appendByte(sb, 0xE0 | (cp >> 12));
            appendByte(sb, 0x80 | ((cp >> 6) & 0x3F));
            appendByte(sb, 0x80 | (cp & 0x3F));
        } else {
            appendByte(sb, 0xF0 | (cp >> 18));
            appendByte(sb, 0x80 | ((cp >> 12) & 0x3F));
            appendByte(sb, 0x80 | ((cp >> 6) & 0x3F));
            appendByte(sb, 0x80 | (cp & 0x3F));
        }
    }

    /** Percent-decodes {@code s[from, to)} as UTF-8; {@code +} stays a plus, a stray {@code %} stays literal. */
    private static String percentDecode(String s, int from, int to) {
        int firstPercent = s.indexOf('%', from);
        if (firstPercent < 0 || firstPercent >= to) {
            return s.substring(from, to);
        }
        byte[] out = new byte[(to - from) * 3]; // a char is at most 3 UTF-8 bytes (a pair is 4 for 2 chars)
        int len = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            int escaped = c == '%' ? hexValue(s, i + 1, to) : -1;
            if (escaped >= 0) {
                out[len++] = (byte) escaped;
                i += 2;
            } else if (c < 0x80) {
                out[len++] = (byte) c;
            } else {
                int cp = codePointAt(s, i, to);
                i += Character.charCount(cp) - 1;
                len = putUtf8(out, len, cp);
            }
        }
        return new String(out, 0, len, StandardCharsets.UTF_8);
    }

    private static int putUtf8(byte[] out, int len, int cp) {
        if (cp < 0x800) {
            out[len++] = (byte) (0xC0 | (cp >> 6));
        } else if (cp < 0x10000) {
            out[len++] = (byte) (0xE0 | (cp >> 12));
            out[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        } else {
            out[len++] = (byte) (0xF0 | (cp >> 18));
            out[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            out[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        }
        out[len++] = (byte) (0x80 | (cp & 0x3F));
        return len;
    }

    private static boolean regionStartsWithIgnoreCase(String s, int at, String prefix) {
        return s.regionMatches(true, at, prefix, 0, prefix.length());
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
