package dev.crossrole.it;

import static dev.crossrole.it.RegistryClient.errorCode;
import static dev.crossrole.it.RegistryClient.errorMessage;
import static dev.crossrole.it.RegistryClient.sha256;
import static dev.crossrole.it.RegistryClient.text;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.requestlog.RecordedRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageDetail;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * ECR's registry endpoint spoken by hand (the Docker Registry HTTP API v2 as clients speak it) beside the SDK: Basic
 * authentication with GetAuthorizationToken's password, chunked and monolithic uploads, manifests by tag and digest,
 * byte ranges, the registry's errors for bad input, another account's repository decided by its policy, and the
 * routing that keeps S3's path-style {@code v2} bucket S3's.
 */
class EcrRegistryTest {
    static MutableClock clock;
    static TestCrossrole crossrole;
    static EcrClient ecr;
    static EcrClient other;
    static RegistryClient registry;
    static String sourceToken;
    static String destinationToken;

    @BeforeAll
    static void start() throws Exception {
        clock = MutableClock.frozenNow();
        crossrole = new TestCrossrole(clock);
        ecr = EcrSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
        other = EcrSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION));
        sourceToken = ecr.getAuthorizationToken().authorizationData().get(0).authorizationToken();
        destinationToken = other.getAuthorizationToken().authorizationData().get(0).authorizationToken();
        registry = new RegistryClient(crossrole.server.registryEndpoint().orElseThrow(), sourceToken);
    }

    @AfterAll
    static void stop() throws Exception {
        ecr.close();
        other.close();
        crossrole.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void theRegistryAsksForBasicCredentialsAndTakesGetAuthorizationTokensPassword() throws Exception {
        HttpResponse<byte[]> anonymous = registry.as(null).send("GET", "/v2/", null);
        assertEquals(401, anonymous.statusCode());
        String challenge = anonymous.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertTrue(challenge.startsWith("Basic realm=\"http://127.0.0.1:"), challenge);
        assertTrue(challenge.endsWith(",service=\"ecr.amazonaws.com\""), challenge);
        assertEquals("registry/2.0", anonymous.headers().firstValue("Docker-Distribution-API-Version").orElseThrow());
        assertEquals("UNAUTHORIZED", errorCode(anonymous));

        HttpResponse<byte[]> base = registry.send("GET", "/v2/", null);
        assertEquals(200, base.statusCode(), text(base));
        assertEquals("{}", text(base));
        RecordedRequest ping = crossrole.recorded(base.headers().firstValue("x-amzn-RequestId").orElseThrow());
        assertEquals("arn:aws:iam::" + SOURCE + ":user/admin", ping.caller());

        String forged = Base64.getEncoder().encodeToString("AWS:ecr1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                .getBytes(StandardCharsets.UTF_8));
        String notAws = Base64.getEncoder().encodeToString(("bob:" + new String(Base64.getDecoder().decode(
                sourceToken), StandardCharsets.UTF_8).substring(4)).getBytes(StandardCharsets.UTF_8));
        for (String wrong : List.of(forged, notAws, "not base64 at all")) {
            HttpResponse<byte[]> refused = registry.as(wrong).send("GET", "/v2/", null);
            assertEquals(401, refused.statusCode(), wrong);
            assertEquals("UNAUTHORIZED", errorCode(refused));
            assertTrue(refused.headers().firstValue("WWW-Authenticate").isPresent());
        }
        HttpResponse<byte[]> bearer = registry.as(null).send("GET", "/v2/", null, "Authorization", "Bearer "
                + sourceToken);
        assertEquals(401, bearer.statusCode());
    }

    @Test
    void aPasswordIsRefusedOnceItHasExpired() throws Exception {
        try {
            clock.advance(Duration.ofHours(12).plusSeconds(1));
            HttpResponse<byte[]> expired = registry.send("GET", "/v2/", null);
            assertEquals(401, expired.statusCode());
            assertEquals("UNAUTHORIZED", errorCode(expired));
            assertEquals("Your authorization token has expired. Reauthenticate and try again.", errorMessage(expired));
        } finally {
            clock.advance(Duration.ofHours(12).plusSeconds(1).negated());
        }
        assertEquals(200, registry.send("GET", "/v2/", null).statusCode());
    }

    @Test
    void aChunkedUploadAndAManifestAreImagesOfTheEcrApiAndBack() throws Exception {
        ecr.createRepository(r -> r.repositoryName("team/chunked"));
        String repo = SOURCE + "/team/chunked";
        byte[] layer = random(300_000, 1);
        String layerDigest = sha256(layer);

        HttpResponse<byte[]> started = registry.send("POST", "/v2/" + repo + "/blobs/uploads/", null);
        assertEquals(202, started.statusCode(), text(started));
        String location = started.headers().firstValue("Location").orElseThrow();
        String uuid = started.headers().firstValue("Docker-Upload-UUID").orElseThrow();
        assertEquals("/v2/" + repo + "/blobs/uploads/" + uuid, location);
        assertEquals("0-0", started.headers().firstValue("Range").orElseThrow());

        HttpResponse<byte[]> first = registry.send("PATCH", location, Arrays.copyOfRange(layer, 0, 100_000),
                "Content-Type", "application/octet-stream");
        assertEquals(202, first.statusCode(), text(first));
        assertEquals("0-99999", first.headers().firstValue("Range").orElseThrow());
        HttpResponse<byte[]> outOfOrder = registry.send("PATCH", location, Arrays.copyOfRange(layer, 0, 10),
                "Content-Range", "0-9");
        assertEquals(416, outOfOrder.statusCode());
        assertEquals("BLOB_UPLOAD_INVALID", errorCode(outOfOrder));
        assertEquals("0-99999", outOfOrder.headers().firstValue("Range").orElseThrow());
        HttpResponse<byte[]> second = registry.send("PATCH", location, Arrays.copyOfRange(layer, 100_000, 200_000),
                "Content-Range", "100000-199999", "Content-Type", "application/octet-stream");
        assertEquals(202, second.statusCode(), text(second));
        HttpResponse<byte[]> status = registry.send("GET", location, null);
        assertEquals(204, status.statusCode());
        assertEquals("0-199999", status.headers().firstValue("Range").orElseThrow());

        HttpResponse<byte[]> wrongDigest = registry.send("PUT", location + "?digest=" + sha256(new byte[1]),
                Arrays.copyOfRange(layer, 200_000, layer.length));
        assertEquals(400, wrongDigest.statusCode());
        assertEquals("DIGEST_INVALID", errorCode(wrongDigest));
        HttpResponse<byte[]> done = registry.send("PUT", location + "?digest=" + layerDigest, null);
        assertEquals(201, done.statusCode(), text(done));
        assertEquals("/v2/" + repo + "/blobs/" + layerDigest, done.headers().firstValue("Location").orElseThrow());
        assertEquals(layerDigest, done.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertEquals("BLOB_UPLOAD_UNKNOWN", errorCode(registry.send("PATCH", location, new byte[1])));

        HttpResponse<byte[]> head = registry.send("HEAD", "/v2/" + repo + "/blobs/" + layerDigest, null);
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(layer.length), head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(layerDigest, head.headers().firstValue("Docker-Content-Digest").orElseThrow());
        HttpResponse<byte[]> blob = registry.send("GET", "/v2/" + repo + "/blobs/" + layerDigest, null);
        assertEquals(200, blob.statusCode());
        assertArrayEquals(layer, blob.body());
        HttpResponse<byte[]> range = registry.send("GET", "/v2/" + repo + "/blobs/" + layerDigest, null, "Range",
                "bytes=10-19");
        assertEquals(206, range.statusCode());
        assertEquals("bytes 10-19/" + layer.length, range.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(layer, 10, 20), range.body());

        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        registry.pushBlob(repo, config);
        byte[] manifest = RegistryClient.manifest(config, List.of(layer)).getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> pushed = registry.send("PUT", "/v2/" + repo + "/manifests/1", manifest, "Content-Type",
                RegistryClient.DOCKER_MANIFEST);
        assertEquals(201, pushed.statusCode(), text(pushed));
        String digest = sha256(manifest);
        assertEquals(digest, pushed.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertEquals("/v2/" + repo + "/manifests/" + digest, pushed.headers().firstValue("Location").orElseThrow());
        // Pushed again (docker push of an unchanged image): no failure, where PutImage says ImageAlreadyExists.
        assertEquals(201, registry.send("PUT", "/v2/" + repo + "/manifests/1", manifest, "Content-Type",
                RegistryClient.DOCKER_MANIFEST).statusCode());

        for (String reference : List.of("1", digest)) {
            HttpResponse<byte[]> read = registry.send("GET", "/v2/" + repo + "/manifests/" + reference, null,
                    "Accept", RegistryClient.DOCKER_MANIFEST);
            assertEquals(200, read.statusCode(), text(read));
            assertArrayEquals(manifest, read.body());
            assertEquals(RegistryClient.DOCKER_MANIFEST, read.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(digest, read.headers().firstValue("Docker-Content-Digest").orElseThrow());
        }
        HttpResponse<byte[]> headManifest = registry.send("HEAD", "/v2/" + repo + "/manifests/1", null);
        assertEquals(200, headManifest.statusCode());
        assertEquals(String.valueOf(manifest.length), headManifest.headers().firstValue("Content-Length")
                .orElseThrow());

        // The ECR API sees the registry's image…
        ImageDetail detail = ecr.describeImages(r -> r.repositoryName("team/chunked")).imageDetails().get(0);
        assertEquals(digest, detail.imageDigest());
        assertEquals(List.of("1"), detail.imageTags());
        assertEquals(new String(manifest, StandardCharsets.UTF_8), ecr.batchGetImage(r -> r.repositoryName(
                "team/chunked").imageIds(i -> i.imageTag("1"))).images().get(0).imageManifest());
        // …and the registry the API's: PutImage under another tag, read through the registry.
        ecr.putImage(r -> r.repositoryName("team/chunked").imageTag("api").imageManifest(new String(manifest,
                StandardCharsets.UTF_8)));
        HttpResponse<byte[]> tags = registry.send("GET", "/v2/" + repo + "/tags/list", null);
        assertEquals(200, tags.statusCode());
        assertEquals("{\"name\":\"" + repo + "\",\"tags\":[\"1\",\"api\"]}", text(tags));
        HttpResponse<byte[]> page = registry.send("GET", "/v2/" + repo + "/tags/list?n=1", null);
        assertEquals("{\"name\":\"" + repo + "\",\"tags\":[\"1\"]}", text(page));
        assertEquals("</v2/" + repo + "/tags/list?n=1&last=1>; rel=\"next\"", page.headers().firstValue("Link")
                .orElseThrow());
        assertEquals("{\"name\":\"" + repo + "\",\"tags\":[\"api\"]}", text(registry.send("GET", "/v2/" + repo
                + "/tags/list?n=1&last=1", null)));

        // GetDownloadUrlForLayer: a URL that serves that layer to anyone holding it, and nothing else.
        String url = ecr.getDownloadUrlForLayer(r -> r.repositoryName("team/chunked").layerDigest(layerDigest))
                .downloadUrl();
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<byte[]> downloaded = plain.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, downloaded.statusCode());
        assertArrayEquals(layer, downloaded.body());
        HttpResponse<byte[]> elsewhere = plain.send(HttpRequest.newBuilder(URI.create(url.replace(layerDigest,
                sha256(config)))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(403, elsewhere.statusCode());
        assertEquals("DENIED", errorCode(elsewhere));
        SdkErrors.assertError(400, "LayersNotFoundException", "The specified layers could not be found, or the"
                + " specified layer is not valid for this repository.", () -> ecr.getDownloadUrlForLayer(r -> r
                .repositoryName("team/chunked").layerDigest(sha256(new byte[2]))));

        // Deleting by tag leaves the image its other tag; by digest it goes.
        assertEquals(202, registry.send("DELETE", "/v2/" + repo + "/manifests/api", null).statusCode());
        assertEquals(200, registry.send("GET", "/v2/" + repo + "/manifests/1", null).statusCode());
        assertEquals(202, registry.send("DELETE", "/v2/" + repo + "/manifests/" + digest, null).statusCode());
        HttpResponse<byte[]> gone = registry.send("GET", "/v2/" + repo + "/manifests/1", null);
        assertEquals(404, gone.statusCode());
        assertEquals("MANIFEST_UNKNOWN", errorCode(gone));
        assertTrue(ecr.describeImages(r -> r.repositoryName("team/chunked")).imageDetails().isEmpty());
    }

    @Test
    void badRequestsGetTheRegistrysErrors() throws Exception {
        ecr.createRepository(r -> r.repositoryName("team/bad").imageTagMutability("IMMUTABLE"));
        String repo = SOURCE + "/team/bad";
        assertError(404, "NAME_UNKNOWN", registry.send("GET", "/v2/" + SOURCE + "/no-such/manifests/1", null));
        assertError(404, "NAME_UNKNOWN", registry.send("GET", "/v2/team/bad/manifests/1", null));
        assertError(400, "NAME_INVALID", registry.send("GET", "/v2/" + SOURCE + "/Team/Bad/manifests/1", null));
        assertError(404, "MANIFEST_UNKNOWN", registry.send("GET", "/v2/" + repo + "/manifests/nope", null));
        assertError(404, "BLOB_UNKNOWN", registry.send("GET", "/v2/" + repo + "/blobs/" + sha256(new byte[3]), null));
        assertEquals(404, registry.send("HEAD", "/v2/" + repo + "/blobs/" + sha256(new byte[3]), null).statusCode());
        assertError(404, "BLOB_UPLOAD_UNKNOWN", registry.send("PATCH", "/v2/" + repo
                + "/blobs/uploads/6c1a8b7e-93f1-4c39-a0d2-5b1e0d2c9f00", new byte[4]));
        assertError(404, "BLOB_UPLOAD_UNKNOWN", registry.send("PATCH", "/v2/" + repo + "/blobs/uploads/not-an-id",
                new byte[4]));
        assertError(400, "DIGEST_INVALID", registry.send("POST", "/v2/" + repo + "/blobs/uploads/?digest="
                + sha256(new byte[5]), new byte[6]));
        assertError(400, "DIGEST_INVALID", registry.send("POST", "/v2/" + repo + "/blobs/uploads/?digest=sha512:"
                + "ab".repeat(64), new byte[6]));
        assertError(404, "UNSUPPORTED", registry.send("GET", "/v2/_catalog", null));
        assertError(405, "UNSUPPORTED", registry.send("DELETE", "/v2/" + repo + "/blobs/" + sha256(new byte[3]),
                null));
        assertError(400, "MANIFEST_INVALID", registry.send("PUT", "/v2/" + repo + "/manifests/1",
                "not json".getBytes(StandardCharsets.UTF_8), "Content-Type", RegistryClient.DOCKER_MANIFEST));
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        registry.pushBlob(repo, config);
        byte[] missingLayer = RegistryClient.manifest(config, List.of(new byte[7])).getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> unknownBlob = registry.send("PUT", "/v2/" + repo + "/manifests/1", missingLayer,
                "Content-Type", RegistryClient.DOCKER_MANIFEST);
        assertError(400, "MANIFEST_BLOB_UNKNOWN", unknownBlob);
        byte[] manifest = RegistryClient.manifest(config, List.of()).getBytes(StandardCharsets.UTF_8);
        assertError(400, "DIGEST_INVALID", registry.send("PUT", "/v2/" + repo + "/manifests/" + sha256(new byte[8]),
                manifest, "Content-Type", RegistryClient.DOCKER_MANIFEST));
        HttpResponse<byte[]> byDigest = registry.send("PUT", "/v2/" + repo + "/manifests/" + sha256(manifest), manifest,
                "Content-Type", RegistryClient.DOCKER_MANIFEST);
        assertEquals(201, byDigest.statusCode(), text(byDigest));
        assertEquals(201, registry.send("PUT", "/v2/" + repo + "/manifests/v1", manifest, "Content-Type",
                RegistryClient.DOCKER_MANIFEST).statusCode());
        byte[] another = RegistryClient.manifest(config, List.of()).replace("}", " }")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> immutable = registry.send("PUT", "/v2/" + repo + "/manifests/v1", another,
                "Content-Type", RegistryClient.DOCKER_MANIFEST);
        assertError(400, "TAG_INVALID", immutable);
        assertTrue(errorMessage(immutable).contains("cannot be overwritten because the tag is immutable"),
                text(immutable));
        assertError(400, "TAG_INVALID", registry.send("PUT", "/v2/" + repo + "/manifests/-bad", manifest,
                "Content-Type", RegistryClient.DOCKER_MANIFEST));
        assertError(404, "NAME_UNKNOWN", registry.send("GET", "/elsewhere", null));
    }

    private static void assertError(int status, String code, HttpResponse<byte[]> response) throws Exception {
        assertEquals(status, response.statusCode(), text(response));
        assertEquals(code, errorCode(response), text(response));
    }

    @Test
    void anotherAccountsRepositoryIsReadOnlyWhenItsPolicyAllows() throws Exception {
        ecr.createRepository(r -> r.repositoryName("shared/app"));
        String repo = SOURCE + "/shared/app";
        byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        registry.pushImage(repo, "1", config, List.of(random(1000, 2)));
        RegistryClient stranger = registry.as(destinationToken);

        HttpResponse<byte[]> denied = stranger.send("GET", "/v2/" + repo + "/manifests/1", null);
        assertEquals(403, denied.statusCode());
        assertEquals("DENIED", errorCode(denied));
        String requestId = denied.headers().firstValue("x-amzn-RequestId").orElseThrow();
        assertEquals("User: arn:aws:iam::" + DESTINATION + ":user/admin is not authorized to perform:"
                + " ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:" + SOURCE + ":repository/shared/app because"
                + " no resource-based policy allows the ecr:BatchGetImage action (RequestID: " + requestId
                + "; crossrole why " + requestId + " explains it)", errorMessage(denied));
        RecordedRequest recorded = crossrole.recorded(requestId);
        assertEquals("BatchGetImage", recorded.operation());
        assertEquals("ecr:BatchGetImage", recorded.action());
        assertFalse(recorded.decision().allowed());
        HttpResponse<String> why = crossrole.adminGet("/_crossrole/requests/" + requestId + "?format=text");
        assertEquals(200, why.statusCode(), why.body());
        assertTrue(why.body().contains("resource-based policy"), why.body());

        ecr.setRepositoryPolicy(r -> r.repositoryName("shared/app").policyText("{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + DESTINATION
                + ":root\"},\"Action\":[\"ecr:BatchGetImage\",\"ecr:GetDownloadUrlForLayer\"]}]}"));
        assertEquals(200, stranger.send("GET", "/v2/" + repo + "/manifests/1", null).statusCode());
        assertEquals(200, stranger.send("GET", "/v2/" + repo + "/blobs/" + sha256(config), null).statusCode());
        HttpResponse<byte[]> push = stranger.send("POST", "/v2/" + repo + "/blobs/uploads/", null);
        assertEquals(403, push.statusCode());
        assertTrue(errorMessage(push).contains("ecr:InitiateLayerUpload"), text(push));
    }

    @Test
    void aRegistryHostNameReachesTheRegistryOnTheMainPortWhereS3KeepsItsV2Bucket() throws Exception {
        ecr.createRepository(r -> r.repositoryName("by-host"));
        byte[] config = "{\"by\":\"host\"}".getBytes(StandardCharsets.UTF_8);
        registry.pushImage(SOURCE + "/by-host", "1", config, List.of());
        int port = crossrole.server.port();
        String host = SOURCE + ".dkr.ecr.us-east-1.localhost:" + port;
        String base = raw(port, "GET /v2/ HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Basic " + sourceToken
                + "\r\nConnection: close\r\n\r\n");
        assertTrue(base.startsWith("HTTP/1.1 200"), base);
        assertTrue(base.contains("Docker-Distribution-API-Version: registry/2.0"), base);
        String manifest = raw(port, "GET /v2/by-host/manifests/1 HTTP/1.1\r\nHost: " + host
                + "\r\nAuthorization: Basic " + sourceToken + "\r\nConnection: close\r\n\r\n");
        assertTrue(manifest.startsWith("HTTP/1.1 200"), manifest);
        assertTrue(manifest.contains(sha256(config)), manifest);

        // On the main port, with crossrole's own name, /v2/… stays what it was: S3's path-style addressing (and
        // ECS's container credentials under /v2/credentials/).
        String anonymous = raw(port, "GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n");
        assertFalse(anonymous.contains("Docker-Distribution-API-Version"), anonymous);
        assertTrue(anonymous.contains("<Error><Code>"), anonymous);
        try (S3Client s3 = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(SOURCE))) {
            s3.createBucket(r -> r.bucket("v2-images"));
            s3.putObject(r -> r.bucket("v2-images").key("v2/by-host/manifests/1"), RequestBody.fromString("object"));
            assertEquals("object", s3.getObjectAsBytes(r -> r.bucket("v2-images").key("v2/by-host/manifests/1"))
                    .asUtf8String());
        }
    }

    /** Sends a raw HTTP/1.1 request (a Host of the test's choosing) and reads the whole answer. */
    private static String raw(int port, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
