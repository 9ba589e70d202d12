package dev.crossrole.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.server.auth.SigV4.AuthorizationHeader;
import dev.crossrole.server.auth.SigV4.Credential;
import dev.crossrole.server.auth.SigV4.HttpRequestParts;
import dev.crossrole.server.auth.SigV4.PresignedQuery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The official SigV4 test suite (aws-c-auth {@code tests/aws-signing-test-suite/v4}, vendored under
 * {@code src/test/resources/aws-sigv4-test-suite}), in both directions:
 *
 * <ul>
 *   <li>signing: from {@code request.txt} and {@code context.json}, reproduce the expected
 *       canonical request, string to sign and signature, for the header and the query form;</li>
 *   <li>verifying: take {@code *-signed-request.txt} as a received request, parse its envelope,
 *       recompute, accept it; then change each signed part and reject it.</li>
 * </ul>
 * Plus unit tests of the parsers and encoders that the suite does not reach.
 */
class SigV4TestSuiteTest {

    private static final String SUITE = "/aws-sigv4-test-suite/v4";
    private static final ObjectMapper JSON = new ObjectMapper();

    // ==== the suite =============================================================================

    /** One case directory with its context. */
    record SuiteCase(String name, Path dir, String accessKeyId, String secret, String token, boolean omitToken,
            String region, String service, String amzDate, long expires, boolean normalize, boolean signBody) {

        Credential credential() {
            return new Credential(accessKeyId, amzDate.substring(0, 8), region, service);
        }

        String file(String name) {
            try {
                return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        HttpRequestParts request(String name) {
            return parseRawRequest(file(name));
        }

        /** Query parameters the client left out of the signature: the signature, and a late-added token. */
        Set<String> unsignedQueryParams() {
            return omitToken ? Set.of(SigV4.QUERY_SIGNATURE, SigV4.QUERY_SECURITY_TOKEN) : SigV4.PRESIGNED_UNSIGNED_PARAMS;
        }
    }

    static List<SuiteCase> suiteCases() {
        URL root = SigV4TestSuiteTest.class.getResource(SUITE);
        assertNotNull(root, "test suite not on the test classpath");
        try (Stream<Path> dirs = Files.list(Path.of(root.toURI()))) {
            List<SuiteCase> cases = new ArrayList<>();
            for (Path dir : dirs.filter(Files::isDirectory).sorted().collect(Collectors.toList())) {
                JsonNode ctx = JSON.readTree(dir.resolve("context.json").toFile());
                JsonNode creds = ctx.path("credentials");
                cases.add(new SuiteCase(
                        dir.getFileName().toString(),
                        dir,
                        creds.path("access_key_id").asText(),
                        creds.path("secret_access_key").asText(),
                        creds.hasNonNull("token") ? creds.path("token").asText() : null,
                        ctx.path("omit_session_token").asBoolean(false),
                        ctx.path("region").asText(),
                        ctx.path("service").asText(),
                        SigV4.formatAmzDate(Instant.parse(ctx.path("timestamp").asText())),
                        ctx.path("expiration_in_seconds").asLong(),
                        ctx.path("normalize").asBoolean(),
                        ctx.path("sign_body").asBoolean(false)));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void suiteHasAllThirtyEightCases() {
        assertEquals(38, suiteCases().size());
    }

    @TestFactory
    Stream<DynamicNode> headerForm() {
        return suiteCases().stream().map(c -> dynamicContainer(c.name(), Stream.of(
                dynamicTest("signs as expected", () -> signHeaderForm(c)),
                dynamicTest("verifies the signed request", () -> verifyHeaderForm(c)),
                dynamicContainer("rejects tampering", tamperings(c, false)),
                dynamicContainer("ignores what is not signed", benignChanges(c, false)))));
    }

    @TestFactory
    Stream<DynamicNode> queryForm() {
        return suiteCases().stream().map(c -> dynamicContainer(c.name(), Stream.of(
                dynamicTest("signs as expected", () -> signQueryForm(c)),
                dynamicTest("verifies the signed request", () -> verifyQueryForm(c)),
                dynamicContainer("rejects tampering", tamperings(c, true)),
                dynamicContainer("ignores what is not signed", benignChanges(c, true)))));
    }

    // ---- signing direction ---------------------------------------------------------------------

    /** Adds what a header-form signer adds (X-Amz-Date, token, body hash), signs every header. */
    private static void signHeaderForm(SuiteCase c) {
        HttpRequestParts original = c.request("request.txt");
        List<Map.Entry<String, String>> headers = new ArrayList<>(original.headers());
        headers.add(Map.entry("X-Amz-Date", c.amzDate()));
        if (c.signBody()) {
            headers.add(Map.entry("x-amz-content-sha256", SigV4.sha256Hex(original.body())));
        }
        if (c.token() != null) {
            headers.add(Map.entry("X-Amz-Security-Token", c.token()));
        }
        HttpRequestParts req = withHeaders(original, headers);
        List<String> signed = headers.stream()
                .map(h -> h.getKey().toLowerCase(Locale.ROOT))
                .filter(name -> !(c.omitToken() && name.equals(SigV4.HEADER_SECURITY_TOKEN)))
                .collect(Collectors.toCollection(TreeSet::new))
                .stream().toList();

        String canonical = SigV4.canonicalRequest(req, signed, SigV4.payloadHash(req), c.normalize(), false);
        assertEquals(c.file("header-canonical-request.txt"), canonical);
        String stringToSign = SigV4.stringToSign(c.amzDate(), c.credential(), canonical);
        assertEquals(c.file("header-string-to-sign.txt"), stringToSign);
        String signature = SigV4.signature(signingKey(c), stringToSign);
        assertEquals(c.file("header-signature.txt").strip(), signature);
    }

    /** Adds the X-Amz-* query parameters a presigner adds, signs every header of the request. */
    private static void signQueryForm(SuiteCase c) {
        HttpRequestParts original = c.request("request.txt");
        List<String> signed = original.headers().stream()
                .map(h -> h.getKey().toLowerCase(Locale.ROOT))
                .collect(Collectors.toCollection(TreeSet::new))
                .stream().toList();
        StringBuilder query = new StringBuilder(original.rawQuery() == null ? "" : original.rawQuery());
        appendParam(query, SigV4.QUERY_ALGORITHM, SigV4.ALGORITHM);
        appendParam(query, SigV4.QUERY_CREDENTIAL, c.accessKeyId() + "/" + c.credential().scope());
        appendParam(query, SigV4.QUERY_DATE, c.amzDate());
        appendParam(query, SigV4.QUERY_EXPIRES, Long.toString(c.expires()));
        appendParam(query, SigV4.QUERY_SIGNED_HEADERS, String.join(";", signed));
        if (c.token() != null && !c.omitToken()) {
            appendParam(query, SigV4.QUERY_SECURITY_TOKEN, c.token());
        }
        HttpRequestParts req = new HttpRequestParts(original.method(), original.rawPath(), query.toString(),
                original.headers(), original.body());

        String canonical = SigV4.canonicalRequest(req, signed, SigV4.payloadHash(req), c.normalize(), true);
        assertEquals(c.file("query-canonical-request.txt"), canonical);
        String stringToSign = SigV4.stringToSign(c.amzDate(), c.credential(), canonical);
        assertEquals(c.file("query-string-to-sign.txt"), stringToSign);
        String signature = SigV4.signature(signingKey(c), stringToSign);
        assertEquals(c.file("query-signature.txt").strip(), signature);
    }

    // ---- verification direction ----------------------------------------------------------------

    private static void verifyHeaderForm(SuiteCase c) throws SigV4Exception {
        HttpRequestParts received = c.request("header-signed-request.txt");
        AuthorizationHeader auth = SigV4.parseAuthorizationHeader(received.header("Authorization"));
        assertEquals(c.credential(), auth.credential());
        String canonical = SigV4.canonicalRequest(received, auth.signedHeaders(), SigV4.payloadHash(received),
                c.normalize(), false);
        assertEquals(c.file("header-canonical-request.txt"), canonical);
        assertEquals(c.file("header-signature.txt").strip(), auth.signature());
        assertTrue(verifies(c, received, false));
    }

    private static void verifyQueryForm(SuiteCase c) throws SigV4Exception {
        HttpRequestParts received = c.request("query-signed-request.txt");
        PresignedQuery presigned = SigV4.parsePresigned(received.rawQuery());
        assertNotNull(presigned);
        assertEquals(c.credential(), presigned.credential());
        assertEquals(c.amzDate(), presigned.amzDate());
        assertEquals(c.expires(), presigned.expiresSeconds());
        assertEquals(c.token(), presigned.securityToken());
        String canonical = SigV4.canonicalRequest(received, presigned.signedHeaders(), SigV4.payloadHash(received),
                c.normalize(), c.unsignedQueryParams());
        assertEquals(c.file("query-canonical-request.txt"), canonical);
        assertEquals(c.file("query-signature.txt").strip(), presigned.signature());
        assertTrue(verifies(c, received, true));
    }

    /** What a verifier does: parse the envelope, recompute, compare. Any refusal counts as "no". */
    private static boolean verifies(SuiteCase c, HttpRequestParts received, boolean queryForm) {
        try {
            if (queryForm) {
                PresignedQuery p = SigV4.parsePresigned(received.rawQuery());
                if (p == null) {
                    return false;
                }
                String canonical = SigV4.canonicalRequest(received, p.signedHeaders(), SigV4.payloadHash(received),
                        c.normalize(), c.unsignedQueryParams());
                String expected = SigV4.signature(
                        SigV4.signingKey(c.secret(), p.credential().date(), p.credential().region(),
                                p.credential().service()),
                        SigV4.stringToSign(p.amzDate(), p.credential(), canonical));
                return SigV4.constantTimeEquals(expected, p.signature());
            }
            AuthorizationHeader auth = SigV4.parseAuthorizationHeader(received.header("Authorization"));
            String canonical = SigV4.canonicalRequest(received, auth.signedHeaders(), SigV4.payloadHash(received),
                    c.normalize(), false);
            Credential scope = auth.credential();
            String expected = SigV4.signature(
                    SigV4.signingKey(c.secret(), scope.date(), scope.region(), scope.service()),
                    SigV4.stringToSign(received.header("X-Amz-Date").strip(), scope, canonical));
            return SigV4.constantTimeEquals(expected, auth.signature());
        } catch (SigV4Exception e) {
            return false;
        }
    }

    /** Each signed part changed on its own: every one must break the signature. */
    private static Stream<DynamicNode> tamperings(SuiteCase c, boolean queryForm) {
        HttpRequestParts signed = c.request(queryForm ? "query-signed-request.txt" : "header-signed-request.txt");
        List<String> signedHeaders = signedHeaderNames(signed, queryForm);
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(rejects(c, queryForm, "method", withMethod(signed, signed.method().equals("GET") ? "POST" : "GET")));
        tests.add(rejects(c, queryForm, "path", withPath(signed, signed.rawPath() + "x")));

        List<String> params = splitQuery(signed.rawQuery());
        if (params.isEmpty()) {
            tests.add(rejects(c, queryForm, "added query parameter", withQuery(signed, "tampered=1")));
        }
        for (int i = 0; i < params.size(); i++) {
            String name = params.get(i).split("=", 2)[0];
            if (c.unsignedQueryParams().contains(name) && queryForm) {
                continue;
            }
            List<String> changed = new ArrayList<>(params);
            changed.set(i, params.get(i).contains("=") ? params.get(i) + "x" : params.get(i) + "=x");
            tests.add(rejects(c, queryForm, "query parameter " + name, withQuery(signed, String.join("&", changed))));
        }

        List<Map.Entry<String, String>> headers = signed.headers();
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.get(i).getKey().toLowerCase(Locale.ROOT);
            if (!signedHeaders.contains(name)) {
                continue;
            }
            List<Map.Entry<String, String>> changed = new ArrayList<>(headers);
            changed.set(i, Map.entry(headers.get(i).getKey(), headers.get(i).getValue() + "x"));
            tests.add(rejects(c, queryForm, "header " + headers.get(i).getKey() + " #" + i,
                    withHeaders(signed, changed)));
        }

        // the body is covered by the header form when x-amz-content-sha256 is signed, and by the
        // query form whenever the payload hash is the body hash (all suite cases)
        if (signed.body().length > 0) {
            byte[] body = signed.body().clone();
            body[body.length - 1] ^= 1;
            tests.add(rejects(c, queryForm, "body", new HttpRequestParts(signed.method(), signed.rawPath(),
                    signed.rawQuery(), signed.headers(), body)));
        }

        String otherDate = "20150830T123601Z";
        if (queryForm) {
            tests.add(rejects(c, true, "date", withQuery(signed,
                    signed.rawQuery().replace("X-Amz-Date=" + c.amzDate(), "X-Amz-Date=" + otherDate))));
        } else {
            List<Map.Entry<String, String>> changed = new ArrayList<>();
            for (Map.Entry<String, String> h : headers) {
                changed.add(h.getKey().equalsIgnoreCase("X-Amz-Date") ? Map.entry(h.getKey(), otherDate) : h);
            }
            tests.add(rejects(c, false, "date", withHeaders(signed, changed)));
        }
        return tests.stream();
    }

    /** Changes a verifier must not notice: unsigned headers, whitespace the canonical form collapses. */
    private static Stream<DynamicNode> benignChanges(SuiteCase c, boolean queryForm) {
        HttpRequestParts signed = c.request(queryForm ? "query-signed-request.txt" : "header-signed-request.txt");
        List<String> signedHeaders = signedHeaderNames(signed, queryForm);
        List<DynamicNode> tests = new ArrayList<>();

        List<Map.Entry<String, String>> added = new ArrayList<>(signed.headers());
        added.add(Map.entry("User-Agent", "unsigned/1.0"));
        tests.add(accepts(c, queryForm, "unsigned header added", withHeaders(signed, added)));

        List<Map.Entry<String, String>> padded = new ArrayList<>();
        for (Map.Entry<String, String> h : signed.headers()) {
            boolean isSigned = signedHeaders.contains(h.getKey().toLowerCase(Locale.ROOT));
            padded.add(isSigned ? Map.entry(h.getKey(), "  " + h.getValue().replace(" ", "\t ") + " \t") : h);
        }
        tests.add(accepts(c, queryForm, "signed header values padded with whitespace", withHeaders(signed, padded)));

        List<Map.Entry<String, String>> renamed = new ArrayList<>();
        for (Map.Entry<String, String> h : signed.headers()) {
            renamed.add(Map.entry(h.getKey().toUpperCase(Locale.ROOT), h.getValue()));
        }
        tests.add(accepts(c, queryForm, "header names in another case", withHeaders(signed, renamed)));

        List<String> params = new ArrayList<>(splitQuery(signed.rawQuery()));
        if (params.size() > 1) {
            java.util.Collections.reverse(params);
            tests.add(accepts(c, queryForm, "query parameters reordered", withQuery(signed, String.join("&", params))));
        }
        return tests.stream();
    }

    private static DynamicNode rejects(SuiteCase c, boolean queryForm, String what, HttpRequestParts tampered) {
        return dynamicTest(what, () -> assertFalse(verifies(c, tampered, queryForm), what + " changed, still verifies"));
    }

    private static DynamicNode accepts(SuiteCase c, boolean queryForm, String what, HttpRequestParts changed) {
        return dynamicTest(what, () -> assertTrue(verifies(c, changed, queryForm), what + ": no longer verifies"));
    }

    private static List<String> signedHeaderNames(HttpRequestParts signed, boolean queryForm) {
        try {
            return queryForm
                    ? SigV4.parsePresigned(signed.rawQuery()).signedHeaders()
                    : SigV4.parseAuthorizationHeader(signed.header("Authorization")).signedHeaders();
        } catch (SigV4Exception e) {
            throw new AssertionError(e);
        }
    }

    // ==== unit tests beyond the suite ===========================================================

    @Nested
    class KnownAnswers {

        @Test
        void getVanillaSignature() {
            HttpRequestParts req = new HttpRequestParts("GET", "/", null,
                    List.of(Map.entry("Host", "example.amazonaws.com"), Map.entry("X-Amz-Date", "20150830T123600Z")),
                    null);
            String canonical = SigV4.canonicalRequest(req, List.of("host", "x-amz-date"), SigV4.payloadHash(req),
                    true, false);
            Credential scope = new Credential("AKIDEXAMPLE", "20150830", "us-east-1", "service");
            byte[] key = SigV4.signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1",
                    "service");
            assertEquals("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
                    SigV4.signature(key, SigV4.stringToSign("20150830T123600Z", scope, canonical)));
        }

        @Test
        void s3PresignedGetObjectFromTheS3Documentation() throws SigV4Exception {
            // aws-wire.md §2.2: S3 doc example, UNSIGNED-PAYLOAD, S3 path rules
            String query = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
                    + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                    + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                    + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
            HttpRequestParts req = new HttpRequestParts("GET", "/test.txt", query,
                    List.of(Map.entry("Host", "examplebucket.s3.amazonaws.com")), null);
            PresignedQuery p = SigV4.parsePresigned(query);
            String canonical = SigV4.canonicalRequest(req, p.signedHeaders(), SigV4.UNSIGNED_PAYLOAD, false, true);
            Credential scope = p.credential();
            String signature = SigV4.signature(
                    SigV4.signingKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", scope.date(), scope.region(),
                            scope.service()),
                    SigV4.stringToSign(p.amzDate(), scope, canonical));
            assertEquals(p.signature(), signature);
        }
    }

    @Nested
    class AuthorizationHeaderParsing {

        private static final String VALID = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                + "aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a22"
                + "60956d9b8aae1d763fbf31";

        @Test
        void parsesWithAndWithoutSpacesAfterCommas() throws SigV4Exception {
            AuthorizationHeader spaced = SigV4.parseAuthorizationHeader(VALID);
            AuthorizationHeader tight = SigV4.parseAuthorizationHeader(VALID.replace(", ", ","));
            AuthorizationHeader loose = SigV4.parseAuthorizationHeader("  " + VALID.replace(", ", " ,  ") + " ");
            assertEquals(new Credential("AKIDEXAMPLE", "20150830", "us-east-1", "service"), spaced.credential());
            assertEquals(List.of("host", "x-amz-date"), spaced.signedHeaders());
            assertEquals("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", spaced.signature());
            assertEquals(spaced, tight);
            assertEquals(spaced, loose);
        }

        @Test
        void partsInAnyOrder() throws SigV4Exception {
            String reordered = "AWS4-HMAC-SHA256 Signature=abc, SignedHeaders=host, "
                    + "Credential=AKID/20150830/us-east-1/sts/aws4_request";
            AuthorizationHeader h = SigV4.parseAuthorizationHeader(reordered);
            assertEquals("sts", h.credential().service());
            assertEquals("abc", h.signature());
        }

        @Test
        void allPartsMissing() {
            SigV4Exception e = assertThrows(SigV4Exception.class,
                    () -> SigV4.parseAuthorizationHeader("AWS4-HMAC-SHA256"));
            assertEquals(SigV4Exception.Kind.INCOMPLETE_SIGNATURE, e.kind());
            assertEquals("Authorization header requires 'Credential' parameter. "
                    + "Authorization header requires 'Signature' parameter. "
                    + "Authorization header requires 'SignedHeaders' parameter. "
                    + "Authorization=AWS4-HMAC-SHA256", e.getMessage());
        }

        @Test
        void onlyTheMissingPartsAreListed() {
            String value = "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, "
                    + "SignedHeaders=host";
            SigV4Exception e = assertThrows(SigV4Exception.class, () -> SigV4.parseAuthorizationHeader(value));
            assertEquals("Authorization header requires 'Signature' parameter. Authorization=" + value,
                    e.getMessage());
        }

        @Test
        void emptyValueCountsAsMissing() {
            String value = "AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=abc";
            SigV4Exception e = assertThrows(SigV4Exception.class, () -> SigV4.parseAuthorizationHeader(value));
            assertEquals("Authorization header requires 'Credential' parameter. Authorization=" + value,
                    e.getMessage());
        }

        @Test
        void missingDateJoinsTheSameMessage() {
            SigV4Exception e = assertThrows(SigV4Exception.class,
                    () -> SigV4.parseAuthorizationHeader(VALID, false));
            assertEquals(SigV4Exception.Kind.INCOMPLETE_SIGNATURE, e.kind());
            assertEquals("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                    + "Authorization=" + VALID, e.getMessage());
        }

        @Test
        void partWithoutEqualSign() {
            String value = "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, oops";
            SigV4Exception e = assertThrows(SigV4Exception.class, () -> SigV4.parseAuthorizationHeader(value));
            assertEquals(SigV4Exception.Kind.INCOMPLETE_SIGNATURE, e.kind());
            assertEquals("'oops' not a valid key=value pair (missing equal-sign) in Authorization header: '"
                    + value + "'.", e.getMessage());
        }

        @Test
        void wrongTerminator() {
            SigV4Exception e = assertThrows(SigV4Exception.class, () -> SigV4.parseAuthorizationHeader(
                    VALID.replace("aws4_request", "aws4_requestx")));
            assertEquals(SigV4Exception.Kind.MALFORMED_CREDENTIAL, e.kind());
            assertEquals("Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requestx'. ",
                    e.getMessage());
        }

        @Test
        void tooFewScopeParts() {
            SigV4Exception e = assertThrows(SigV4Exception.class, () -> SigV4.parseAuthorizationHeader(
                    VALID.replace("/us-east-1/service/", "/")));
            assertEquals(SigV4Exception.Kind.MALFORMED_CREDENTIAL, e.kind());
            assertEquals("Credential should be scoped to a valid region. ", e.getMessage());
        }

        @Test
        void emptyRegion() {
            SigV4Exception e = assertThrows(SigV4Exception.class, () -> SigV4.parseAuthorizationHeader(
                    VALID.replace("/us-east-1/", "//")));
            assertEquals(SigV4.MSG_SCOPE_REGION, e.getMessage());
        }

        @Test
        void otherSchemesAreUnsupported() {
            for (String value : List.of("AWS AKIDEXAMPLE:c2lnbmF0dXJl", "Bearer abc", "AWS4-ECDSA-P256-SHA256 "
                    + "Credential=AKID/20150830/service/aws4_request, SignedHeaders=host, Signature=abc", "")) {
                SigV4Exception e = assertThrows(SigV4Exception.class, () -> SigV4.parseAuthorizationHeader(value));
                assertEquals(SigV4Exception.Kind.UNSUPPORTED_ALGORITHM, e.kind(), value);
            }
        }
    }

    @Nested
    class PresignedParsing {

        private static final String VALID = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2Faws4_request"
                + "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"
                + "&X-Amz-Signature=abc";

        @Test
        void notPresigned() throws SigV4Exception {
            assertNull(SigV4.parsePresigned(null));
            assertNull(SigV4.parsePresigned(""));
            assertNull(SigV4.parsePresigned("Action=GetCallerIdentity&Version=2011-06-15"));
        }

        @Test
        void parses() throws SigV4Exception {
            PresignedQuery p = SigV4.parsePresigned("Action=GetCallerIdentity&" + VALID
                    + "&X-Amz-Security-Token=Fwo%2B%2Fa%3D%3D");
            assertEquals(new Credential("AKID", "20150830", "us-east-1", "sts"), p.credential());
            assertEquals("20150830T123600Z", p.amzDate());
            assertEquals(900, p.expiresSeconds());
            assertEquals(List.of("host", "x-k8s-aws-id"), p.signedHeaders());
            assertEquals("abc", p.signature());
            assertEquals("Fwo+/a==", p.securityToken());
        }

        @Test
        void aRawPlusInTheTokenIsAPlus() throws SigV4Exception {
            assertEquals("a+b", SigV4.parsePresigned(VALID + "&X-Amz-Security-Token=a+b").securityToken());
        }

        @Test
        void missingParameter() {
            for (String drop : List.of("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
                    "X-Amz-Signature", "X-Amz-Algorithm")) {
                String query = splitQuery(VALID).stream().filter(p -> !p.startsWith(drop + "="))
                        .collect(Collectors.joining("&"));
                SigV4Exception e = assertThrows(SigV4Exception.class, () -> SigV4.parsePresigned(query), drop);
                assertEquals(SigV4Exception.Kind.MALFORMED_QUERY, e.kind(), drop);
                assertEquals(SigV4.MSG_PRESIGN_REQUIRED_PARAMETERS, e.getMessage());
            }
        }

        @Test
        void otherAlgorithm() {
            SigV4Exception e = assertThrows(SigV4Exception.class, () -> SigV4.parsePresigned(
                    VALID.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")));
            assertEquals(SigV4Exception.Kind.UNSUPPORTED_ALGORITHM, e.kind());
        }

        @Test
        void expiresRange() throws SigV4Exception {
            assertEquals(604800, SigV4.parsePresigned(VALID.replace("Expires=900", "Expires=604800"))
                    .expiresSeconds());
            assertEquals(1, SigV4.parsePresigned(VALID.replace("Expires=900", "Expires=1")).expiresSeconds());
            Map<String, String> bad = Map.of(
                    "604801", SigV4.MSG_PRESIGN_EXPIRES_TOO_LARGE,
                    "0", SigV4.MSG_PRESIGN_EXPIRES_ZERO,
                    "-5", SigV4.MSG_PRESIGN_EXPIRES_NEGATIVE,
                    "soon", SigV4.MSG_PRESIGN_EXPIRES_NOT_NUMBER);
            for (Map.Entry<String, String> b : bad.entrySet()) {
                SigV4Exception e = assertThrows(SigV4Exception.class,
                        () -> SigV4.parsePresigned(VALID.replace("Expires=900", "Expires=" + b.getKey())));
                assertEquals(SigV4Exception.Kind.MALFORMED_QUERY, e.kind());
                assertEquals(b.getValue(), e.getMessage());
            }
        }

        @Test
        void badDateAndCredential() {
            SigV4Exception date = assertThrows(SigV4Exception.class,
                    () -> SigV4.parsePresigned(VALID.replace("20150830T123600Z", "20150830T250000Z")));
            assertEquals(SigV4.MSG_PRESIGN_DATE, date.getMessage());
            SigV4Exception credential = assertThrows(SigV4Exception.class,
                    () -> SigV4.parsePresigned(VALID.replace("%2Fsts%2F", "%2F")));
            assertEquals(SigV4Exception.Kind.MALFORMED_CREDENTIAL, credential.kind());
            assertEquals(SigV4.MSG_PRESIGN_CREDENTIAL, credential.getMessage());
        }
    }

    @Nested
    class Canonicalization {

        @Test
        void rawPlusInTheQueryIsALiteralPlus() {
            // as smithy-rs's get-query-plus vector: "/?c+d" canonicalises to "c%2Bd="
            assertEquals("c%2Bd=", SigV4.canonicalQuery("c+d", Set.of()));
            assertEquals("a=b%20c&a=b%2Bc", SigV4.canonicalQuery("a=b+c&a=b%20c", Set.of()));
        }

        @Test
        void queryIsReEncodedStrictlyAndSorted() {
            assertEquals("a=&b=%2F%3D%21&b=x&c=~~",
                    SigV4.canonicalQuery("c=%7e%7E&b=x&b=/%3d!&&a", Set.of()));
            assertEquals("", SigV4.canonicalQuery(null, Set.of()));
            assertEquals("a=1", SigV4.canonicalQuery("a=1&X-Amz-Signature=abc", SigV4.PRESIGNED_UNSIGNED_PARAMS));
        }

        @Test
        void nonS3PathIsEncodedAgain() {
            assertEquals("/%25E1%2588%25B4", SigV4.canonicalUri("/%E1%88%B4", true));
            assertEquals("/a%2520b/c", SigV4.canonicalUri("//a%20b/./d/../c", true));
            assertEquals("/", SigV4.canonicalUri("", true));
            assertEquals("/a/", SigV4.canonicalUri("/a/b/../", true));
        }

        @Test
        void s3PathIsEncodedOnceAndNotNormalised() {
            assertEquals("/bucket/a%2Fb%20c/../d", SigV4.canonicalUri("/bucket/a%2Fb%20c/../d", false));
            assertEquals("/bucket/a%20b%21%2A", SigV4.canonicalUri("/bucket/a b!*", false));
            assertEquals("/bucket/%E1%88%B4", SigV4.canonicalUri("/bucket/%e1%88%b4", false));
            assertEquals("/bucket/100%25", SigV4.canonicalUri("/bucket/100%", false));
            assertEquals("/", SigV4.canonicalUri("", false));
        }

        @Test
        void declaredBodyHashMustMatchTheBody() {
            byte[] body = "Param1=value1".getBytes(StandardCharsets.UTF_8);
            String real = SigV4.sha256Hex(body);
            assertEquals(real, SigV4.payloadHash(requestWithBody(real, body)));
            assertEquals(real.toUpperCase(Locale.ROOT),
                    SigV4.payloadHash(requestWithBody(real.toUpperCase(Locale.ROOT), body)));
            assertEquals(real, SigV4.payloadHash(requestWithBody(SigV4.EMPTY_BODY_SHA256, body)));
            assertEquals(SigV4.UNSIGNED_PAYLOAD, SigV4.payloadHash(requestWithBody(SigV4.UNSIGNED_PAYLOAD, body)));
            assertEquals(SigV4.EMPTY_BODY_SHA256, SigV4.payloadHash(requestWithBody(null, null)));
        }

        private HttpRequestParts requestWithBody(String declaredHash, byte[] body) {
            List<Map.Entry<String, String>> headers = declaredHash == null
                    ? List.of() : List.of(Map.entry("X-Amz-Content-Sha256", declaredHash));
            return new HttpRequestParts("PUT", "/b/k", null, headers, body);
        }
    }

    @Nested
    class DatesAndComparison {

        @Test
        void amzDate() {
            assertEquals(Instant.parse("2015-08-30T12:36:00Z"), SigV4.parseAmzDate("20150830T123600Z"));
            assertEquals("20150830T123600Z", SigV4.formatAmzDate(Instant.parse("2015-08-30T12:36:00.999Z")));
            for (String bad : List.of("20150830T123600", "2015-08-30T12:36:00Z", "20150230T123600Z",
                    "20150830T126000Z", "2015083OT123600Z", "")) {
                assertNull(SigV4.parseAmzDate(bad), bad);
            }
            assertNull(SigV4.parseAmzDate(null));
        }

        @Test
        void httpDate() {
            assertEquals(Instant.parse("2015-08-30T12:36:00Z"), SigV4.parseHttpDate("Sun, 30 Aug 2015 12:36:00 GMT"));
            assertNull(SigV4.parseHttpDate("yesterday"));
            assertNull(SigV4.parseHttpDate(null));
        }

        @Test
        void constantTimeEquals() {
            assertTrue(SigV4.constantTimeEquals("abc", "abc"));
            assertFalse(SigV4.constantTimeEquals("abc", "abd"));
            assertFalse(SigV4.constantTimeEquals("abc", "abcd"));
            assertFalse(SigV4.constantTimeEquals(null, "abc"));
            assertFalse(SigV4.constantTimeEquals(null, null));
        }
    }

    // ==== raw HTTP and small helpers ============================================================

    /**
     * Parses a suite request file: request line (the target may contain spaces, e.g.
     * {@code GET /example space/ HTTP/1.1}), headers in order (a name may repeat; a line starting
     * with whitespace continues the previous value, obs-fold), a blank line, the body.
     */
    static HttpRequestParts parseRawRequest(String text) {
        int blank = text.indexOf("\n\n");
        String head = blank < 0 ? text : text.substring(0, blank);
        byte[] body = blank < 0 ? new byte[0] : text.substring(blank + 2).getBytes(StandardCharsets.UTF_8);
        String[] lines = head.split("\r?\n");
        String requestLine = lines[0];
        String method = requestLine.substring(0, requestLine.indexOf(' '));
        String target = requestLine.substring(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(' '));
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String rawQuery = q < 0 ? null : target.substring(q + 1);

        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                Map.Entry<String, String> previous = headers.remove(headers.size() - 1);
                headers.add(Map.entry(previous.getKey(), previous.getValue() + "\n" + line));
                continue;
            }
            int colon = line.indexOf(':');
            headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1)));
        }
        return new HttpRequestParts(method, rawPath, rawQuery, headers, body);
    }

    private static List<String> splitQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return List.of();
        }
        return Stream.of(rawQuery.split("&")).filter(p -> !p.isEmpty()).toList();
    }

    private static void appendParam(StringBuilder query, String name, String value) {
        if (query.length() > 0) {
            query.append('&');
        }
        query.append(name).append('=').append(strictEncode(value));
    }

    /** RFC 3986 strict encoding, built on URLEncoder (form encoding) with its three differences undone. */
    private static String strictEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                .replace("%7E", "~");
    }

    private static byte[] signingKey(SuiteCase c) {
        Credential scope = c.credential();
        return SigV4.signingKey(c.secret(), scope.date(), scope.region(), scope.service());
    }

    private static HttpRequestParts withHeaders(HttpRequestParts r, List<Map.Entry<String, String>> headers) {
        return new HttpRequestParts(r.method(), r.rawPath(), r.rawQuery(), headers, r.body());
    }

    private static HttpRequestParts withMethod(HttpRequestParts r, String method) {
        return new HttpRequestParts(method, r.rawPath(), r.rawQuery(), r.headers(), r.body());
    }

    private static HttpRequestParts withPath(HttpRequestParts r, String rawPath) {
        return new HttpRequestParts(r.method(), rawPath, r.rawQuery(), r.headers(), r.body());
    }

    private static HttpRequestParts withQuery(HttpRequestParts r, String rawQuery) {
        return new HttpRequestParts(r.method(), r.rawPath(), rawQuery, r.headers(), r.body());
    }
}
