package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * GetObject's and HeadObject's response header overrides ({@code GetObjectRequest.responseContentType} and kin)
 * through the SDK for Java v2: honoured for a signed request; a value with CR/LF is S3's InvalidArgument and no
 * header of the response carries it; an anonymous request that uses them is S3's InvalidRequest.
 */
class S3ResponseOverridesSdkTest {
    private static final String BUCKET = "overrides-sdk";
    private static TestCrossrole crossrole;
    private static S3Client owner;
    private static S3Client anonymous;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        owner = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        anonymous = S3Sdk.pathStyle(crossrole, AnonymousCredentialsProvider.create());
        owner.createBucket(b -> b.bucket(BUCKET));
        owner.deletePublicAccessBlock(b -> b.bucket(BUCKET));
        owner.putObject(b -> b.bucket(BUCKET).key("page.txt").contentType("text/plain"), RequestBody.fromString("hi"));
        owner.putBucketPolicy(b -> b.bucket(BUCKET).policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + BUCKET
                + "/*\"}]}"));
    }

    @AfterAll
    static void stop() throws IOException {
        owner.close();
        anonymous.close();
        crossrole.close();
    }

    @Test
    void aSignedRequestSetsTheResponseHeaders() {
        ResponseBytes<GetObjectResponse> object = owner.getObjectAsBytes(b -> b.bucket(BUCKET).key("page.txt")
                .responseContentType("application/x-page").responseContentDisposition("attachment; filename=\"p.txt\"")
                .responseCacheControl("no-store"));
        assertEquals("hi", object.asUtf8String());
        assertEquals("application/x-page", object.response().contentType());
        assertEquals("attachment; filename=\"p.txt\"", object.response().contentDisposition());
        assertEquals("no-store", object.response().cacheControl());
        assertEquals("application/x-page", owner.headObject(b -> b.bucket(BUCKET).key("page.txt")
                .responseContentType("application/x-page")).contentType());
    }

    @Test
    void crLfInAnOverrideIsInvalidArgumentAndNoHeader() {
        S3Exception refused = assertThrows(S3Exception.class, () -> owner.getObjectAsBytes(b -> b.bucket(BUCKET)
                .key("page.txt").responseContentType("text/html\r\nX-Injected: yes")));
        assertEquals(400, refused.statusCode());
        assertEquals("InvalidArgument", refused.awsErrorDetails().errorCode());
        assertNull(refused.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("X-Injected").orElse(null));
        S3Exception head = assertThrows(S3Exception.class, () -> owner.headObject(b -> b.bucket(BUCKET)
                .key("page.txt").responseContentDisposition("inline\r\nSet-Cookie: session=stolen")));
        assertEquals(400, head.statusCode());
        assertNull(head.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Set-Cookie").orElse(null));
    }

    @Test
    void anAnonymousRequestMayReadButNotOverride() {
        assertEquals("hi", anonymous.getObjectAsBytes(b -> b.bucket(BUCKET).key("page.txt")).asUtf8String());
        S3Exception refused = assertThrows(S3Exception.class, () -> anonymous.getObjectAsBytes(b -> b.bucket(BUCKET)
                .key("page.txt").responseContentType("text/html")));
        assertEquals(400, refused.statusCode());
        assertEquals("InvalidRequest", refused.awsErrorDetails().errorCode());
        assertEquals("Request specific response headers cannot be used for anonymous GET requests.",
                refused.awsErrorDetails().errorMessage());
    }
}
