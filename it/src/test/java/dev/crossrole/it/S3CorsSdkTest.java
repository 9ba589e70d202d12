package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.GetBucketCorsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * S3 CORS: the configuration through the SDK for Java v2 (what S3 refuses of it, and that a refusal changes nothing),
 * its authorization ({@code s3:PutBucketCORS}, {@code s3:GetBucketCORS}), the unauthenticated preflight over raw HTTP
 * on bucket and object URLs, and the CORS headers of actual requests that carry an {@code Origin}.
 */
class S3CorsSdkTest {
    static TestCrossrole crossrole;
    static S3Client owner;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        owner.close();
        crossrole.close();
    }

    private static CORSRule rule(String origin, String... methods) {
        return CORSRule.builder().allowedOrigins(origin).allowedMethods(methods).build();
    }

    private static HttpResponse<String> preflight(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(crossrole.endpoint() + path))
                .timeout(Duration.ofSeconds(10)).method("OPTIONS", HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void configurationIsPutReadAndDeleted() {
        owner.createBucket(r -> r.bucket("cors-config"));
        assertError(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist",
                () -> owner.getBucketCors(r -> r.bucket("cors-config")));
        owner.putBucketCors(r -> r.bucket("cors-config").corsConfiguration(c -> c.corsRules(
                CORSRule.builder().id("web").allowedOrigins("https://app.example.com", "https://*.example.org")
                        .allowedMethods("GET", "PUT").allowedHeaders("content-type", "x-amz-*")
                        .exposeHeaders("ETag", "x-amz-request-id").maxAgeSeconds(600).build(),
                rule("*", "HEAD"))));
        GetBucketCorsResponse read = owner.getBucketCors(r -> r.bucket("cors-config"));
        assertEquals(2, read.corsRules().size());
        CORSRule first = read.corsRules().get(0);
        assertEquals("web", first.id());
        assertEquals(List.of("https://app.example.com", "https://*.example.org"), first.allowedOrigins());
        assertEquals(List.of("GET", "PUT"), first.allowedMethods());
        assertEquals(List.of("content-type", "x-amz-*"), first.allowedHeaders());
        assertEquals(List.of("ETag", "x-amz-request-id"), first.exposeHeaders());
        assertEquals(600, first.maxAgeSeconds());
        assertEquals(List.of("*"), read.corsRules().get(1).allowedOrigins());

        owner.deleteBucketCors(r -> r.bucket("cors-config"));
        assertError(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist",
                () -> owner.getBucketCors(r -> r.bucket("cors-config")));
        owner.deleteBucketCors(r -> r.bucket("cors-config")); // none to delete: still 204
    }

    @Test
    void badConfigurationsAreRefusedAndChangeNothing() {
        owner.createBucket(r -> r.bucket("cors-bad"));
        owner.putBucketCors(r -> r.bucket("cors-bad").corsConfiguration(c -> c.corsRules(rule("https://a.example",
                "GET"))));
        assertError(400, "InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is PATCH",
                () -> owner.putBucketCors(r -> r.bucket("cors-bad").corsConfiguration(c -> c.corsRules(
                        rule("https://b.example", "PATCH")))));
        assertError(400, "InvalidRequest", "AllowedOrigin \"https://*.*.example\" can not have more than one"
                + " wildcard.", () -> owner.putBucketCors(r -> r.bucket("cors-bad").corsConfiguration(c -> c
                        .corsRules(rule("https://*.*.example", "GET")))));
        List<CORSRule> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            tooMany.add(rule("https://" + i + ".example", "GET"));
        }
        assertError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our"
                + " published schema", () -> owner.putBucketCors(r -> r.bucket("cors-bad").corsConfiguration(c -> c
                        .corsRules(tooMany))));
        assertError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our"
                + " published schema", () -> owner.putBucketCors(r -> r.bucket("cors-bad").corsConfiguration(c -> c
                        .corsRules(CORSRule.builder().allowedMethods("GET").build()))));
        assertEquals(List.of("https://a.example"), owner.getBucketCors(r -> r.bucket("cors-bad")).corsRules().get(0)
                .allowedOrigins());
        assertError(404, "NoSuchBucket", "The specified bucket does not exist",
                () -> owner.getBucketCors(r -> r.bucket("cors-no-such-bucket")));
    }

    @Test
    void configurationIsAuthorizedAsS3AuthorizesIt() {
        owner.createBucket(r -> r.bucket("cors-authz"));
        owner.putBucketCors(r -> r.bucket("cors-authz").corsConfiguration(c -> c.corsRules(rule("*", "GET"))));
        var key = crossrole.user(DESTINATION, "cors-reader", Map.of("read", "{\"Version\":\"2012-10-17\",\"Statement\":"
                + "[{\"Effect\":\"Allow\",\"Action\":\"s3:GetBucketCORS\",\"Resource\":"
                + "\"arn:aws:s3:::cors-authz\"}]}"));
        try (S3Client reader = S3Sdk.pathStyle(crossrole, TestCrossrole.credentials(key))) {
            assertEquals(1, reader.getBucketCors(r -> r.bucket("cors-authz")).corsRules().size());
            var denied = assertError(403, "AccessDenied", null, () -> reader.putBucketCors(r -> r.bucket("cors-authz")
                    .corsConfiguration(c -> c.corsRules(rule("https://x.example", "GET")))));
            assertTrue(denied.getMessage().contains("s3:PutBucketCORS"), denied.getMessage());
            assertError(403, "AccessDenied", null, () -> reader.deleteBucketCors(r -> r.bucket("cors-authz")));
        }
        assertEquals(List.of("*"), owner.getBucketCors(r -> r.bucket("cors-authz")).corsRules().get(0)
                .allowedOrigins());
    }

    @Test
    void preflightIsAnsweredFromTheRules() throws Exception {
        owner.createBucket(r -> r.bucket("cors-preflight"));
        HttpResponse<String> off = preflight("/cors-preflight/doc.txt", Map.of("Origin", "https://app.example.com",
                "Access-Control-Request-Method", "GET"));
        assertEquals(403, off.statusCode());
        assertTrue(off.body().contains("<Code>AccessForbidden</Code>"), off.body());
        assertTrue(off.body().contains("CORSResponse: CORS is not enabled for this bucket."), off.body());

        owner.putBucketCors(r -> r.bucket("cors-preflight").corsConfiguration(c -> c.corsRules(
                CORSRule.builder().allowedOrigins("https://app.example.com").allowedMethods("GET", "PUT")
                        .allowedHeaders("content-type", "x-amz-meta-*").exposeHeaders("ETag").maxAgeSeconds(300)
                        .build(),
                CORSRule.builder().allowedOrigins("https://*.example.org").allowedMethods("GET").build())));
        HttpResponse<String> allowed = preflight("/cors-preflight/doc.txt", Map.of("Origin",
                "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers",
                "Content-Type, X-Amz-Meta-Owner"));
        assertEquals(200, allowed.statusCode(), allowed.body());
        assertEquals("https://app.example.com", allowed.headers().firstValue("Access-Control-Allow-Origin")
                .orElseThrow());
        assertEquals("GET, PUT", allowed.headers().firstValue("Access-Control-Allow-Methods").orElseThrow());
        assertEquals("content-type, x-amz-meta-owner", allowed.headers().firstValue("Access-Control-Allow-Headers")
                .orElseThrow());
        assertEquals("ETag", allowed.headers().firstValue("Access-Control-Expose-Headers").orElseThrow());
        assertEquals("300", allowed.headers().firstValue("Access-Control-Max-Age").orElseThrow());
        assertEquals("true", allowed.headers().firstValue("Access-Control-Allow-Credentials").orElseThrow());
        assertTrue(allowed.headers().firstValue("Vary").orElseThrow().startsWith("Origin"));
        assertTrue(allowed.headers().firstValue("x-amz-request-id").isPresent());

        // The bucket URL, and the second rule's wildcard origin.
        HttpResponse<String> wildcard = preflight("/cors-preflight", Map.of("Origin", "https://shop.example.org",
                "Access-Control-Request-Method", "GET"));
        assertEquals(200, wildcard.statusCode(), wildcard.body());
        assertEquals("https://shop.example.org", wildcard.headers().firstValue("Access-Control-Allow-Origin")
                .orElseThrow());

        String notAllowed = "CORSResponse: This CORS request is not allowed. This is usually because the evalution"
                + " of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are"
                + " not whitelisted by the resource's CORS spec.";
        for (Map<String, String> refused : List.of(
                Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "GET"),
                Map.of("Origin", "https://shop.example.org", "Access-Control-Request-Method", "PUT"),
                Map.of("Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT",
                        "Access-Control-Request-Headers", "authorization"))) {
            HttpResponse<String> answer = preflight("/cors-preflight/doc.txt", refused);
            assertEquals(403, answer.statusCode(), refused.toString());
            assertTrue(answer.body().contains("<Code>AccessForbidden</Code>"), answer.body());
            // The XML writer escapes the apostrophe of "resource's".
            assertTrue(answer.body().replace("&apos;", "'").contains(notAllowed), answer.body());
            assertFalse(answer.headers().firstValue("Access-Control-Allow-Origin").isPresent());
        }
        HttpResponse<String> noOrigin = preflight("/cors-preflight/doc.txt", Map.of("Access-Control-Request-Method",
                "GET"));
        assertEquals(400, noOrigin.statusCode());
        assertTrue(noOrigin.body().contains("Insufficient information. Origin request header needed."),
                noOrigin.body());
        HttpResponse<String> badMethod = preflight("/cors-preflight/doc.txt", Map.of("Origin",
                "https://app.example.com", "Access-Control-Request-Method", "PATCH"));
        assertEquals(400, badMethod.statusCode());
        assertTrue(badMethod.body().contains("Invalid Access-Control-Request-Method: PATCH"), badMethod.body());
        HttpResponse<String> noBucket = preflight("/cors-no-such-bucket/doc.txt", Map.of("Origin",
                "https://app.example.com", "Access-Control-Request-Method", "GET"));
        assertEquals(404, noBucket.statusCode());
        assertTrue(noBucket.body().contains("<Code>NoSuchBucket</Code>"), noBucket.body());
    }

    @Test
    void actualRequestsFromAnAllowedOriginCarryTheHeaders() {
        owner.createBucket(r -> r.bucket("cors-actual"));
        owner.putBucketCors(r -> r.bucket("cors-actual").corsConfiguration(c -> c.corsRules(
                CORSRule.builder().allowedOrigins("https://app.example.com").allowedMethods("GET", "PUT")
                        .exposeHeaders("ETag").maxAgeSeconds(60).build())));
        PutObjectResponse put = owner.putObject(r -> r.bucket("cors-actual").key("doc").overrideConfiguration(o -> o
                .putHeader("Origin", "https://app.example.com")), RequestBody.fromString("hello"));
        assertEquals("https://app.example.com", put.sdkHttpResponse().firstMatchingHeader(
                "Access-Control-Allow-Origin").orElseThrow());
        ResponseBytes<GetObjectResponse> got = owner.getObjectAsBytes(r -> r.bucket("cors-actual").key("doc")
                .overrideConfiguration(o -> o.putHeader("Origin", "https://app.example.com")));
        assertEquals("hello", got.asUtf8String());
        var headers = got.response().sdkHttpResponse();
        assertEquals("https://app.example.com", headers.firstMatchingHeader("Access-Control-Allow-Origin")
                .orElseThrow());
        assertEquals("GET, PUT", headers.firstMatchingHeader("Access-Control-Allow-Methods").orElseThrow());
        assertEquals("ETag", headers.firstMatchingHeader("Access-Control-Expose-Headers").orElseThrow());
        assertEquals("60", headers.firstMatchingHeader("Access-Control-Max-Age").orElseThrow());

        // An origin no rule allows, or no Origin at all: no CORS headers, the answer is otherwise the same.
        ResponseBytes<GetObjectResponse> other = owner.getObjectAsBytes(r -> r.bucket("cors-actual").key("doc")
                .overrideConfiguration(o -> o.putHeader("Origin", "https://evil.example")));
        assertEquals("hello", other.asUtf8String());
        assertFalse(other.response().sdkHttpResponse().firstMatchingHeader("Access-Control-Allow-Origin")
                .isPresent());
        assertFalse(owner.getObjectAsBytes(r -> r.bucket("cors-actual").key("doc")).response().sdkHttpResponse()
                .firstMatchingHeader("Access-Control-Allow-Origin").isPresent());
        // HEAD is not allowed by the rule.
        assertFalse(owner.headObject(r -> r.bucket("cors-actual").key("doc").overrideConfiguration(o -> o
                .putHeader("Origin", "https://app.example.com"))).sdkHttpResponse()
                .firstMatchingHeader("Access-Control-Allow-Origin").isPresent());
    }
}
