package dev.crossrole.server.http;

import dev.crossrole.policy.Decision;
import dev.crossrole.server.auth.AwsChunkedInputStream;
import dev.crossrole.server.auth.ChunkSigningContext;
import dev.crossrole.server.auth.S3AuthErrors;
import dev.crossrole.server.auth.VerifyingInputStream;
import dev.crossrole.server.payload.PayloadRejectedException;
import dev.crossrole.server.s3.S3Exception;
import dev.crossrole.server.s3.S3Request;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Caller;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * S3's side of HTTP: which requests are S3, path-style and virtual-hosted-style addressing, the
 * body decoded (aws-chunked) and verified while it streams, and S3's error document.
 */
final class S3Http {
    private S3Http() {}

    /**
     * A request that is neither Query nor JSON is S3's when signed for the service {@code s3} (header
     * or presigned query), or not signed at all (S3 alone serves anonymous requests).
     */
    static boolean isS3(HttpRequest request) {
        String authorization = request.header("Authorization");
        if (authorization != null) {
            String service = scopeService(authorization);
            return service == null || service.equals("s3");
        }
        String credential = queryParameter(request.rawQuery(), "X-Amz-Credential");
        if (credential != null) {
            String service = credentialService(credential);
            return service == null || service.equals("s3");
        }
        return true;
    }

    /** Whether the request's credential scope (header or presigned query) names the service {@code s3}. */
    static boolean signedForS3(HttpRequest request) {
        return "s3".equals(signingService(request));
    }

    /** The service a request is signed for, by its Authorization header or its presigned credential; else {@code null}. */
    static String signingService(HttpRequest request) {
        String authorization = request.header("Authorization");
        if (authorization != null) {
            return scopeService(authorization);
        }
        String credential = queryParameter(request.rawQuery(), "X-Amz-Credential");
        return credential == null ? null : credentialService(credential);
    }

    private static final String CREDENTIAL = "Credential=";

    /**
     * The service of the first {@code Credential=key/date/region/service/} in an Authorization header, or
     * {@code null}: each of the four parts free of {@code /}, {@code ,} and white space, and the fourth followed
     * by a {@code /}. A plain scan, as it runs on every request that is neither Query nor JSON.
     */
    static String scopeService(String authorization) {
        for (int at = authorization.indexOf(CREDENTIAL); at >= 0; at = authorization.indexOf(CREDENTIAL, at + 1)) {
            int position = at + CREDENTIAL.length();
            int serviceStart = -1;
            int part = 0;
            while (part < 4) {
                int start = position;
                while (position < authorization.length() && !endsPart(authorization.charAt(position))) {
                    position++;
                }
                if (position == authorization.length() || authorization.charAt(position) != '/') {
                    break;
                }
                serviceStart = start;
                position++;
                part++;
            }
            if (part == 4) {
                return authorization.substring(serviceStart, position - 1);
            }
        }
        return null;
    }

    /** What ends a part of a credential: a slash, a comma or white space (as {@code \s} in a regex). */
    private static boolean endsPart(char c) {
        return c == '/' || c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** The fourth part of a presigned {@code X-Amz-Credential} (key/date/region/service/...), or {@code null}. */
    private static String credentialService(String credential) {
        int from = 0;
        for (int part = 0; part < 3; part++) {
            int slash = credential.indexOf('/', from);
            if (slash < 0) {
                return null;
            }
            from = slash + 1;
        }
        int end = credential.indexOf('/', from);
        String service = end < 0 ? credential.substring(from) : credential.substring(from, end);
        // As String.split, which drops trailing empty parts: "k/d/r/" has no fourth part.
        return service.isEmpty() && credential.substring(from).chars().allMatch(c -> c == '/') ? null : service;
    }

    /**
     * Whether the request carries no signature at all. A Signature Version 2 query ({@code AWSAccessKeyId},
     * {@code Signature}), which AWS CLI v1's {@code aws s3 presign} and boto3 still make, is a signature:
     * the authenticator refuses it as S3 does, rather than it being served as an anonymous request.
     */
    static boolean anonymous(HttpRequest request) {
        String query = request.rawQuery();
        return request.header("Authorization") == null && queryParameter(query, "X-Amz-Credential") == null
                && queryParameter(query, "X-Amz-Algorithm") == null
                && !(queryParameter(query, "AWSAccessKeyId") != null && queryParameter(query, "Signature") != null);
    }

    /** Operations S3 serves whatever region the request was signed for. */
    private static final java.util.Set<String> ANY_REGION = java.util.Set.of("ListBuckets", "CreateBucket",
            "GetBucketLocation");

    /**
     * S3 answers a request signed for another region than the bucket's with the region it expects (the
     * {@code Region} member lets SDKs retry there), except for the operations any region serves.
     */
    static void checkRegion(String operation, String signedRegion, String bucketRegion, boolean presigned) {
        if (operation == null || bucketRegion == null || signedRegion == null || ANY_REGION.contains(operation)
                || signedRegion.equals(bucketRegion)) {
            return;
        }
        S3AuthErrors.S3Error error = S3AuthErrors.wrongRegion(presigned, signedRegion, bucketRegion);
        S3Exception exception = new S3Exception(error.code(), error.status(), error.message());
        error.members().forEach(exception::with);
        throw exception;
    }

    /** Bucket, key and query of a request; the body is attached once authentication says how to decode it. */
    record Addressed(String method, String bucket, String key, Map<String, String> query, HttpRequest request) {
        S3Request withBody(Supplier<InputStream> body) {
            return new S3Request(method, bucket, key, query, request.headers(), body, request.content().declaredLength());
        }
    }

    /** An S3 Control request: no bucket or key, whatever its host says (its first label is the account). */
    static Addressed control(HttpRequest request) {
        return new Addressed(request.method(), null, null, queryParameters(request.rawQuery()), request);
    }

    static Addressed address(HttpRequest request) {
        String host = request.header("Host");
        String hostBucket = null;
        if (host != null) {
            String name = host.toLowerCase(Locale.ROOT);
            int colon = name.lastIndexOf(':');
            if (colon > 0 && !name.endsWith("]")) {
                name = name.substring(0, colon);
            }
            // bucket.s3.localhost (what an SDK makes of the endpoint s3.localhost) before bucket.localhost; the
            // endpoint's own name (s3.localhost, s3.<region>.localhost) names no bucket.
            hostBucket = s3HostBucket(name);
            if (hostBucket == null && name.endsWith(".localhost") && name.length() > ".localhost".length()) {
                String prefix = name.substring(0, name.length() - ".localhost".length());
                boolean endpoint = prefix.equals("s3") || prefix.startsWith("s3.") || prefix.startsWith("s3-");
                hostBucket = endpoint ? null : prefix;
            }
        }
        String path = request.rawPath();
        String rest = path.startsWith("/") ? path.substring(1) : path;
        String bucket;
        String key;
        if (hostBucket != null) {
            bucket = hostBucket;
            key = rest.isEmpty() ? null : percentDecode(rest);
        } else {
            int slash = rest.indexOf('/');
            String first = slash < 0 ? rest : rest.substring(0, slash);
            bucket = first.isEmpty() ? null : percentDecode(first);
            String keyPart = slash < 0 ? "" : rest.substring(slash + 1);
            key = keyPart.isEmpty() ? null : percentDecode(keyPart);
        }
        return new Addressed(request.method(), bucket, key, queryParameters(request.rawQuery()), request);
    }

    /**
     * The bucket of an AWS- or LocalStack-style S3 host, {@code bucket.s3.<anything>} or
     * {@code bucket.s3-<region>.<anything>}: what comes before the first {@code .s3.} or {@code .s3-} that is not
     * at the start; {@code null} for any other host, and for one with a line break in it.
     */
    static String s3HostBucket(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return null;
            }
        }
        for (int at = host.indexOf(".s3", 1); at >= 0; at = host.indexOf(".s3", at + 1)) {
            if (at + 3 < host.length() && (host.charAt(at + 3) == '.' || host.charAt(at + 3) == '-')) {
                return host.substring(0, at);
            }
        }
        return null;
    }

    /**
     * The body as the operation reads it: HTTP framing already removed; aws-chunked framing decoded
     * with each chunk signature checked; the promised SHA-256, Content-MD5 and checksum verified at
     * the end, so a body that fails a check fails its read and nothing is stored.
     */
    static InputStream body(HttpRequest request, ChunkSigningContext signing) {
        InputStream raw = request.content().stream();
        String sha = request.header("x-amz-content-sha256");
        try {
            InputStream decoded = sha != null && AwsChunkedInputStream.isAwsChunked(sha.strip())
                    ? AwsChunkedInputStream.forRequest(raw, request::header, signing) : raw;
            // CompleteMultipartUpload's checksum headers describe the assembled object, not its XML body.
            boolean completion = request.method().equals("POST")
                    && queryParameter(request.rawQuery(), "uploadId") != null;
            return VerifyingInputStream.forRequest(decoded, name -> completion
                    && name.toLowerCase(Locale.ROOT).startsWith("x-amz-") && name.toLowerCase(Locale.ROOT)
                    .contains("checksum") ? null : request.header(name));
        } catch (PayloadRejectedException e) {
            S3Exception error = new S3Exception(e.code(), e.status(), e.message());
            e.members().forEach(error::with);
            throw error;
        }
    }

    /**
     * S3's AccessDenied: within the caller's own account the policy engine's reason with the resource
     * quoted, as S3 writes it; across accounts and for anonymous callers only "Access Denied".
     */
    static S3Exception accessDenied(Caller caller, AccessCheck check, Decision decision) {
        String account = caller.account();
        if (account == null || decision == null || !account.equals(check.resourceAccount())) {
            return new S3Exception("AccessDenied", 403, "Access Denied");
        }
        String message = decision.accessDeniedMessage().replace(" on resource: " + check.resource(),
                " on resource: \"" + check.resource() + "\"");
        return new S3Exception("AccessDenied", 403, message);
    }

    static byte[] errorXml(S3AuthErrors.S3Error error, String requestId) {
        return errorDocument(error, requestId, false);
    }

    /**
     * S3 Control's error document: the error inside {@code <ErrorResponse>}, the request ids beside it, as the
     * SDKs' S3 Control clients read it (the SDK for Java v2 finds no code in S3's bare {@code <Error>}).
     */
    static byte[] controlErrorXml(S3AuthErrors.S3Error error, String requestId) {
        return errorDocument(error, requestId, true);
    }

    private static byte[] errorDocument(S3AuthErrors.S3Error error, String requestId, boolean wrapped) {
        StringBuilder xml = new StringBuilder(256).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append(wrapped ? "<ErrorResponse><Error>" : "<Error>");
        element(xml, "Code", error.code());
        element(xml, "Message", error.message());
        error.members().forEach((name, value) -> element(xml, name, value));
        if (wrapped) {
            xml.append("</Error>");
        }
        element(xml, "RequestId", requestId);
        element(xml, "HostId", hostId(requestId));
        return xml.append(wrapped ? "</ErrorResponse>" : "</Error>").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void element(StringBuilder xml, String name, String value) {
        if (value == null) {
            return;
        }
        xml.append('<').append(name).append('>');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '<' -> xml.append("&lt;");
                case '>' -> xml.append("&gt;");
                case '&' -> xml.append("&amp;");
                case '"' -> xml.append("&quot;");
                case '\'' -> xml.append("&apos;");
                default -> xml.append(c);
            }
        }
        xml.append("</").append(name).append('>');
    }

    /** S3's {@code x-amz-id-2}: an opaque id of the serving host; here derived from the request id. */
    static String hostId(String requestId) {
        byte[] hash = SHA_256.get().digest(requestId.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(hash);
    }

    /** One digest per thread: looking one up by name for every S3 response went through the provider each time. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = queryDecode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : queryDecode(pair.substring(eq + 1));
            query.putIfAbsent(name, value);
        }
        return query;
    }

    /**
     * The first value of one query parameter, as {@link #queryParameters} would give it, without decoding the
     * rest of the query.
     */
    static String queryParameter(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            if (end > start) {
                int eq = rawQuery.indexOf('=', start);
                int nameEnd = eq < 0 || eq > end ? end : eq;
                String rawName = rawQuery.substring(start, nameEnd);
                boolean encoded = rawName.indexOf('%') >= 0 || rawName.indexOf('+') >= 0;
                if (encoded ? queryDecode(rawName).equals(name) : rawName.equals(name)) {
                    return nameEnd == end ? "" : queryDecode(rawQuery.substring(nameEnd + 1, end));
                }
            }
            start = end + 1;
        }
        return null;
    }

    private static String queryDecode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    /** Percent-decoding of a path: {@code +} stays a plus; malformed escapes are kept as they are. */
    static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length()
                    && Character.digit(text.charAt(i + 1), 16) >= 0 && Character.digit(text.charAt(i + 2), 16) >= 0) {
                out.write(Character.digit(text.charAt(i + 1), 16) * 16 + Character.digit(text.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
