package dev.crossrole.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which requests are S3's, and how bucket and key are read from the path or the host. */
class S3HttpTest {

    private static HttpRequest request(String method, String host, String path, String query, String authorization) {
        List<Map.Entry<String, String>> headers = new java.util.ArrayList<>();
        headers.add(Map.entry("Host", host));
        if (authorization != null) {
            headers.add(Map.entry("Authorization", authorization));
        }
        return new HttpRequest(method, path, query, headers, new byte[0], "127.0.0.1", false);
    }

    @Test
    void pathStyleTakesTheFirstSegmentAsBucket() {
        S3Http.Addressed a = S3Http.address(request("GET", "127.0.0.1:4566", "/my-bucket/dir/a%20b%2Bc+d.txt",
                "list-type=2&prefix=a%2Fb&x", null));
        assertEquals("my-bucket", a.bucket());
        assertEquals("dir/a b+c+d.txt", a.key());
        assertEquals(Map.of("list-type", "2", "prefix", "a/b", "x", ""), a.query());
        assertNull(S3Http.address(request("GET", "127.0.0.1:4566", "/my-bucket/", null, null)).key());
        assertNull(S3Http.address(request("GET", "127.0.0.1:4566", "/", null, null)).bucket());
    }

    @Test
    void virtualHostsNameTheBucket() {
        S3Http.Addressed local = S3Http.address(request("PUT", "my.bucket.localhost:4566", "/k/ey", null, null));
        assertEquals("my.bucket", local.bucket());
        assertEquals("k/ey", local.key());
        S3Http.Addressed aws = S3Http.address(request("GET", "data.s3.us-east-1.amazonaws.com", "/", null, null));
        assertEquals("data", aws.bucket());
        assertNull(aws.key());
        assertNull(S3Http.address(request("GET", "localhost:4566", "/", null, null)).bucket());
        // The SDKs' virtual hosts on the endpoint s3.localhost, and that endpoint itself (path style).
        assertEquals("my.bucket", S3Http.address(request("GET", "my.bucket.s3.localhost:4566", "/k", null, null)).bucket());
        S3Http.Addressed endpoint = S3Http.address(request("GET", "s3.localhost:4566", "/my-bucket/k", null, null));
        assertEquals("my-bucket", endpoint.bucket());
        assertEquals("k", endpoint.key());
        assertEquals("b", S3Http.address(request("GET", "s3.us-west-2.localhost", "/b", null, null)).bucket());
    }

    @Test
    void signatureVersion2UrlsAreNotAnonymous() {
        assertFalse(S3Http.anonymous(request("GET", "h", "/b/k",
                "AWSAccessKeyId=AKIAEXAMPLE&Signature=abc%3D&Expires=1900000000", null)));
        assertTrue(S3Http.anonymous(request("GET", "h", "/b/k", "prefix=AWSAccessKeyId", null)));
    }

    @Test
    void aRequestSignedForAnotherRegionIsToldTheBucketsRegion() {
        dev.crossrole.server.s3.S3Exception e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.crossrole.server.s3.S3Exception.class,
                () -> S3Http.checkRegion("GetObject", "us-east-1", "eu-west-1", false));
        assertEquals("AuthorizationHeaderMalformed", e.code());
        assertEquals(Map.of("Region", "eu-west-1"), e.extras());
        S3Http.checkRegion("GetBucketLocation", "us-east-1", "eu-west-1", false);
        S3Http.checkRegion("GetObject", "eu-west-1", "eu-west-1", false);
        S3Http.checkRegion("GetObject", "us-east-1", null, false);
        S3Http.checkRegion(null, "us-east-1", "eu-west-1", false); // no operation: MethodNotAllowed follows
    }

    @Test
    void s3IsTheScopeServiceOrNoSignatureAtAll() {
        String s3 = "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host,"
                + " Signature=00";
        String sts = s3.replace("/s3/", "/sts/");
        assertTrue(S3Http.isS3(request("GET", "h", "/b", null, s3)));
        assertFalse(S3Http.isS3(request("GET", "h", "/b", null, sts)));
        assertTrue(S3Http.isS3(request("GET", "h", "/b", null, null)));
        assertTrue(S3Http.anonymous(request("GET", "h", "/b", null, null)));
        assertTrue(S3Http.isS3(request("GET", "h", "/b",
                "X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request", null)));
        assertFalse(S3Http.anonymous(request("GET", "h", "/b",
                "X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request", null)));
    }
}
