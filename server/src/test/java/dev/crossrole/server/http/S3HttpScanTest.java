package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The plain scans S3Http runs on every request (which service a credential scope names, the bucket of an S3 host
 * name, one query parameter) give what the regular expressions and full query parse they replace gave: those are
 * kept here as oracles and compared on generated strings made of the pieces that matter.
 */
class S3HttpScanTest {
    private static final Pattern SCOPE_SERVICE =
            Pattern.compile("Credential=[^/,\\s]*/[^/,\\s]*/[^/,\\s]*/([^/,\\s]*)/");
    private static final Pattern S3_HOST = Pattern.compile("^(.+?)\\.s3[.-].*$");

    private static String oracleService(String authorization) {
        Matcher matcher = SCOPE_SERVICE.matcher(authorization);
        return matcher.find() ? matcher.group(1) : null;
    }

    private static String oracleHostBucket(String host) {
        Matcher matcher = S3_HOST.matcher(host);
        return matcher.matches() ? matcher.group(1) : null;
    }

    /** {@code credential.split("/")}'s fourth part, as the query form was read before. */
    private static String oracleCredentialService(String credential) {
        String[] parts = credential.split("/");
        return parts.length < 4 ? null : parts[3];
    }

    /** Token soup, and credentials shaped like the real one with a stray separator here and there. */
    @Provide
    Arbitrary<String> authorizations() {
        Arbitrary<String> soup = Arbitraries.of("Credential=", "AKIAEXAMPLE", "/", "/", "/", ",", " ", "\t", "\n",
                "20260101", "us-east-1", "s3", "sts", "aws4_request", "=", "x", "AWS4-HMAC-SHA256 ",
                "SignedHeaders=host", "Signature=0").list().ofMaxSize(24).map(parts -> String.join("", parts));
        Arbitrary<String> part = Arbitraries.of("AKIA", "20260101", "us-east-1", "s3", "sts", "", "a,b", "a b", "a/b",
                "s3\t", "\u000B");
        Arbitrary<String> shaped = part.list().ofMinSize(3).ofMaxSize(6).flatMap(parts -> soup.map(tail ->
                "AWS4-HMAC-SHA256 Credential=" + String.join("/", parts) + "/" + tail));
        return Arbitraries.oneOf(soup, shaped, shaped);
    }

    @Property(tries = 3000)
    void theScopeServiceIsTheOnesTheRegexFound(@ForAll("authorizations") String authorization) {
        assertEquals(oracleService(authorization), S3Http.scopeService(authorization), authorization);
    }

    @Provide
    Arbitrary<String> hosts() {
        return Arbitraries.of("b", "my-bucket", ".", ".s3", ".s3.", ".s3-", "s3", "-", "us-east-1", "amazonaws.com",
                "localhost", ":4566", "\n", "\u2028", "x").list().ofMaxSize(10).map(parts -> String.join("", parts));
    }

    @Property(tries = 3000)
    void theHostBucketIsTheOneTheRegexFound(@ForAll("hosts") String host) {
        assertEquals(oracleHostBucket(host), S3Http.s3HostBucket(host), host);
    }

    @Provide
    Arbitrary<String> queries() {
        return Arbitraries.of("X-Amz-Credential", "X%2DAmz-Credential", "X-Amz-Algorithm", "=", "&", "&", "a", "%2F",
                "/", "s3", "%", "+", "uploadId", "AKIA").list().ofMaxSize(16).map(parts -> String.join("", parts));
    }

    @Property(tries = 3000)
    void oneQueryParameterIsWhatTheWholeParseGives(@ForAll("queries") String query) {
        for (String name : List.of("X-Amz-Credential", "X-Amz-Algorithm", "uploadId", "a")) {
            assertEquals(S3Http.queryParameters(query).get(name), S3Http.queryParameter(query, name), query);
        }
    }

    @Property(tries = 2000)
    void aPresignedCredentialsServiceIsWhatSplittingItGave(@ForAll("queries") String credential) {
        String asAuthorization = credential.replace("&", "/");
        String expected = oracleCredentialService(asAuthorization);
        HttpRequest request = new HttpRequest("GET", "/b", "X-Amz-Credential="
                + java.net.URLEncoder.encode(asAuthorization, java.nio.charset.StandardCharsets.UTF_8), List.of(),
                new byte[0], "127.0.0.1", false);
        assertEquals(expected == null || expected.equals("s3"), S3Http.isS3(request), asAuthorization);
        assertEquals("s3".equals(expected), S3Http.signedForS3(request), asAuthorization);
    }

    @Test
    void examples() {
        assertEquals("s3", S3Http.scopeService("AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request,"
                + " SignedHeaders=host, Signature=00"));
        assertEquals("sts", S3Http.scopeService("Credential=a/b/c/x Credential=AKIA/d/r/sts/aws4_request"));
        assertNull(S3Http.scopeService("Credential=AKIA/20260101/us-east-1/s3"));
        assertEquals("bucket", S3Http.s3HostBucket("bucket.s3.us-east-1.amazonaws.com"));
        assertEquals("a.b", S3Http.s3HostBucket("a.b.s3-us-west-2.amazonaws.com"));
        assertNull(S3Http.s3HostBucket(".s3.amazonaws.com"));
    }
}
