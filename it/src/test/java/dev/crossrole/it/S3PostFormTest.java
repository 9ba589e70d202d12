package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * POST-form (browser) uploads: forms made by boto3's {@code generate_presigned_post} and POSTed with requests
 * ({@code boto3/s3_post_form.py}), and forms built here and signed as S3's documentation says (the SDK for Java v2 has
 * no form builder): the policy's conditions and expiration, the signature, the success answers, and the upload
 * authorized as {@code s3:PutObject} for whoever signed it (anonymous when unsigned). A refused form writes nothing.
 */
class S3PostFormTest {
    static TestCrossrole crossrole;
    static S3Client s3;
    static final String BUCKET = "forms";
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        s3 = S3Sdk.pathStyle(crossrole, crossrole.adminCredentials(DESTINATION));
        s3.createBucket(r -> r.bucket(BUCKET));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        crossrole.close();
    }

    /** A form's fields, in order; {@code file} is added last. */
    record Form(Map<String, String> fields) {
        static Form of() {
            return new Form(new LinkedHashMap<>());
        }

        Form with(String name, String value) {
            fields.put(name, value);
            return this;
        }

        Form without(String name) {
            fields.remove(name);
            return this;
        }
    }

    /**
     * A form signed by {@code credentials} for {@code key} with {@code policy}'s conditions (the signing fields are
     * added to them, as generate_presigned_post adds them), expiring at {@code expires}.
     */
    static Form signed(AwsCredentials credentials, String key, String expires, List<String> conditions,
                       Map<String, String> fields) throws Exception {
        Instant now = Instant.now();
        String date = AMZ_DATE.format(now);
        String scope = date.substring(0, 8) + "/us-east-1/s3/aws4_request";
        String credential = credentials.accessKeyId() + "/" + scope;
        List<String> all = new ArrayList<>(conditions);
        all.add("{\"bucket\":\"" + BUCKET + "\"}");
        all.add("[\"starts-with\",\"$key\",\"" + key.replace("${filename}", "") + "\"]");
        all.add("{\"x-amz-algorithm\":\"AWS4-HMAC-SHA256\"}");
        all.add("{\"x-amz-credential\":\"" + credential + "\"}");
        all.add("{\"x-amz-date\":\"" + date + "\"}");
        Form form = Form.of().with("key", key);
        fields.forEach(form::with);
        if (credentials instanceof AwsSessionCredentials session) {
            all.add("{\"x-amz-security-token\":\"" + session.sessionToken() + "\"}");
            form.with("x-amz-security-token", session.sessionToken());
        }
        String policy = Base64.getEncoder().encodeToString(("{\"expiration\":\"" + expires + "\",\"conditions\":["
                + String.join(",", all) + "]}").getBytes(StandardCharsets.UTF_8));
        byte[] signingKey = hmac(("AWS4" + credentials.secretAccessKey()).getBytes(StandardCharsets.UTF_8),
                date.substring(0, 8));
        for (String part : List.of("us-east-1", "s3", "aws4_request")) {
            signingKey = hmac(signingKey, part);
        }
        return form.with("policy", policy).with("x-amz-algorithm", "AWS4-HMAC-SHA256")
                .with("x-amz-credential", credential).with("x-amz-date", date)
                .with("x-amz-signature", HexFormat.of().formatHex(hmac(signingKey, policy)));
    }

    static Form signed(String key, List<String> conditions, Map<String, String> fields) throws Exception {
        return signed(crossrole.adminCredentials(DESTINATION).resolveCredentials(), key, inAnHour(), conditions,
                fields);
    }

    static String inAnHour() {
        return Instant.now().plusSeconds(3600).toString();
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** POSTs {@code form} with {@code content} as its file named {@code filename} to {@code bucket}. */
    static HttpResponse<String> post(String bucket, Form form, String filename, byte[] content) throws Exception {
        String boundary = "----crossrole-form-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> field : form.fields().entrySet()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field.getKey()
                    + "\"\r\n\r\n" + field.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (content != null) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                    + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create(crossrole.endpoint() + "/" + bucket))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(Form form, String content) throws Exception {
        return post(BUCKET, form, "upload.txt", content.getBytes(StandardCharsets.UTF_8));
    }

    static String element(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">(.*?)</" + name + ">", Pattern.DOTALL).matcher(xml);
        return m.find() ? m.group(1).replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&apos;", "'").replace("&amp;", "&") : null;
    }

    /** The form is refused with {@code status}, {@code code} and {@code message}, and {@code key} is not written. */
    static void refused(HttpResponse<String> response, int status, String code, String message, String key) {
        assertAll(() -> assertEquals(status, response.statusCode(), response.body()),
                () -> assertEquals(code, element(response.body(), "Code"), response.body()),
                () -> {
                    if (message != null) {
                        assertEquals(message, element(response.body(), "Message"), response.body());
                    }
                },
                () -> assertTrue(s3.listObjectsV2(r -> r.bucket(BUCKET).prefix(key)).contents().isEmpty(),
                        key + " was written"));
    }

    @Test
    void boto3PresignedPostsUploadAndTheirPoliciesHold() throws Exception {
        JsonNode out = Boto3Script.run(crossrole, "/boto3/s3_post_form.py", 90);
        assertAll(
                () -> assertEquals(201, out.path("created").path("status").asInt(), out.toString()),
                () -> assertEquals("uploads/hello.txt", out.path("created").path("key").asText()),
                () -> assertTrue(out.path("created").path("location").asText().endsWith(
                        "/boto3-forms/uploads/hello.txt"), out.toString()),
                () -> assertEquals("hello from a form", out.path("body").asText()),
                () -> assertEquals("text/plain", out.path("contentType").asText()),
                () -> assertEquals("{\"origin\":\"form\"}", out.path("metadata").toString()),
                () -> assertEquals("EntityTooLarge", out.path("tooLarge").path("code").asText(), out.toString()),
                () -> assertEquals(403, out.path("changed").path("status").asInt()),
                () -> assertEquals("Invalid according to Policy: Policy Condition failed: [\"eq\","
                        + " \"$x-amz-meta-origin\", \"form\"]", out.path("changed").path("message").asText()),
                () -> assertEquals("Invalid according to Policy: Extra input fields: x-amz-meta-extra",
                        out.path("extra").path("message").asText()),
                () -> assertEquals("[\"uploads/hello.txt\"]", out.path("keys").toString()),
                () -> assertEquals(204, out.path("noContent").asInt()),
                () -> assertTrue(out.path("sseMd5").asBoolean(), out.toString()),
                () -> assertEquals("sealed by boto3", out.path("sseBody").asText()),
                () -> assertEquals("InvalidRequest", out.path("sseWithout").asText()));
    }

    @Test
    void signedFormsAnswerAsTheySay() throws Exception {
        String tagging = "<Tagging><TagSet><Tag><Key>stage</Key><Value>draft</Value></Tag></TagSet></Tagging>";
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("success_action_status", "201");
        fields.put("Content-Type", "text/markdown");
        fields.put("x-amz-meta-author", "me");
        fields.put("tagging", tagging);
        fields.put("acl", "private");
        Form form = signed("docs/${filename}", List.of("{\"success_action_status\":\"201\"}",
                "[\"starts-with\",\"$Content-Type\",\"text/\"]", "[\"starts-with\",\"$x-amz-meta-author\",\"\"]",
                "[\"starts-with\",\"$tagging\",\"\"]", "{\"acl\":\"private\"}"), fields);
        HttpResponse<String> created = post(BUCKET, form, "notes.md", "# notes".getBytes(StandardCharsets.UTF_8));
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("docs/notes.md", element(created.body(), "Key"));
        assertEquals(BUCKET, element(created.body(), "Bucket"));
        String etag = element(created.body(), "ETag");
        var got = s3.getObjectAsBytes(r -> r.bucket(BUCKET).key("docs/notes.md"));
        assertEquals("# notes", got.asUtf8String());
        assertEquals(etag, got.response().eTag());
        assertEquals("text/markdown", got.response().contentType());
        assertEquals(Map.of("author", "me"), got.response().metadata());
        assertEquals(List.of(Tag.builder().key("stage").value("draft").build()),
                s3.getObjectTagging(r -> r.bucket(BUCKET).key("docs/notes.md")).tagSet());

        HttpResponse<String> ok = post(signed("status/200", List.of("{\"success_action_status\":\"200\"}"),
                Map.of("success_action_status", "200")), "two hundred");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("", ok.body());
        HttpResponse<String> none = post(signed("status/204", List.of(), Map.of()), "no content");
        assertEquals(204, none.statusCode(), none.body());
        assertTrue(none.headers().firstValue("ETag").isPresent());
        HttpResponse<String> redirected = post(signed("status/303", List.of(
                "{\"success_action_redirect\":\"http://example.com/done?from=form\"}"),
                Map.of("success_action_redirect", "http://example.com/done?from=form")), "redirected");
        assertEquals(303, redirected.statusCode(), redirected.body());
        assertTrue(redirected.headers().firstValue("Location").orElseThrow().startsWith(
                "http://example.com/done?from=form&bucket=forms&key=status%2F303&etag="),
                redirected.headers().toString());
        assertEquals("redirected", s3.getObjectAsBytes(r -> r.bucket(BUCKET).key("status/303")).asUtf8String());
    }

    /** A file of several megabytes streams through the form (its delimiter found across reads), SSE-C included. */
    @Test
    void aLargeFileStreamsThroughTheForm() throws Exception {
        byte[] large = new byte[3 * 1024 * 1024 + 11];
        new java.util.Random(5).nextBytes(large);
        byte[] key = S3SseCSdkTest.KEY_A;
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("x-amz-server-side-encryption-customer-algorithm", "AES256");
        fields.put("x-amz-server-side-encryption-customer-key", S3SseCSdkTest.b64(key));
        fields.put("x-amz-server-side-encryption-customer-key-md5", S3SseCSdkTest.md5(key));
        Form form = signed("large.bin", List.of("[\"content-length-range\",1,10485760]",
                "[\"starts-with\",\"$x-amz-server-side-encryption-customer-algorithm\",\"\"]",
                "[\"starts-with\",\"$x-amz-server-side-encryption-customer-key\",\"\"]",
                "[\"starts-with\",\"$x-amz-server-side-encryption-customer-key-md5\",\"\"]"), fields);
        HttpResponse<String> stored = post(BUCKET, form, "large.bin", large);
        assertEquals(204, stored.statusCode(), stored.body());
        assertEquals(S3SseCSdkTest.md5(key), stored.headers().firstValue(
                "x-amz-server-side-encryption-customer-key-MD5").orElse(null), stored.headers().toString());
        org.junit.jupiter.api.Assertions.assertArrayEquals(large, s3.getObjectAsBytes(r -> r.bucket(BUCKET)
                .key("large.bin").sseCustomerAlgorithm("AES256").sseCustomerKey(S3SseCSdkTest.b64(key))
                .sseCustomerKeyMD5(S3SseCSdkTest.md5(key))).asByteArray());
    }

    @Test
    void badFormsWriteNothing() throws Exception {
        var admin = crossrole.adminCredentials(DESTINATION).resolveCredentials();
        refused(post(signed(admin, "expired", Instant.now().minusSeconds(60).toString(), List.of(), Map.of()),
                "late"), 403, "AccessDenied", "Invalid according to Policy: Policy expired.", "expired");
        refused(post(signed("cond", List.of("{\"Content-Type\":\"image/png\"}"), Map.of("Content-Type",
                "text/plain")), "x"), 403, "AccessDenied",
                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$content-type\", \"image/png\"]",
                "cond");
        refused(post(signed("prefixed/a", List.of(), Map.of()).with("key", "elsewhere"), "x"), 403, "AccessDenied",
                "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"prefixed/a\"]",
                "elsewhere");
        Form tampered = signed("tampered", List.of(), Map.of());
        tampered.with("x-amz-signature", "0".repeat(64));
        refused(post(tampered, "x"), 403, "SignatureDoesNotMatch", null, "tampered");
        refused(post(signed("ranged", List.of("[\"content-length-range\",5,10]"), Map.of()), "too long by far"),
                400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", "ranged");
        refused(post(signed("ranged", List.of("[\"content-length-range\",5,10]"), Map.of()), "tiny"),
                400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", "ranged");
        refused(post(signed("nokey", List.of(), Map.of()).without("key"), "x"), 400, "InvalidArgument",
                "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the"
                        + " fields.", "nokey");
        refused(post(BUCKET, signed("nofile", List.of(), Map.of()), null, null), 400, "InvalidArgument",
                "POST requires exactly one file upload per request.", "nofile");
        refused(post(signed("nosig", List.of(), Map.of()).without("x-amz-signature"), "x"), 400, "InvalidArgument",
                null, "nosig");
    }

    @Test
    void formsAreAuthorizedAsPutObjectForTheirSigner() throws Exception {
        // Unsigned: the anonymous principal, refused until the bucket's policy lets anyone put.
        refused(post(Form.of().with("key", "anonymous/one"), "anyone"), 403, "AccessDenied", null, "anonymous/");
        // Signed by the other account's administrator, whom the bucket's policy does not name.
        Form foreign = signed(crossrole.adminCredentials(SOURCE).resolveCredentials(), "foreign/one", inAnHour(),
                List.of(), Map.of());
        refused(post(foreign, "from elsewhere"), 403, "AccessDenied", null, "foreign/");

        s3.deletePublicAccessBlock(r -> r.bucket(BUCKET)); // BlockPublicPolicy would refuse the policy for anyone
        s3.putBucketPolicy(r -> r.bucket(BUCKET).policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},\"Action\":\"s3:PutObject\","
                + "\"Resource\":\"arn:aws:s3:::" + BUCKET + "/foreign/*\"},{\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::" + BUCKET + "/anonymous/*\"}]}"));
        try {
            assertEquals(204, post(foreign, "from elsewhere").statusCode());
            assertEquals("from elsewhere", s3.getObjectAsBytes(r -> r.bucket(BUCKET).key("foreign/one"))
                    .asUtf8String());
            assertEquals(204, post(Form.of().with("key", "anonymous/one"), "anyone").statusCode());
            assertEquals("anyone", s3.getObjectAsBytes(r -> r.bucket(BUCKET).key("anonymous/one")).asUtf8String());
        } finally {
            s3.deleteBucketPolicy(r -> r.bucket(BUCKET));
        }

        // A role session signs with its temporary key and names its token in the form.
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION))) {
            iam.createRole(r -> r.roleName("form-writer").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + DESTINATION
                    + ":root\"},\"Action\":\"sts:AssumeRole\"}]}"));
            iam.putRolePolicy(r -> r.roleName("form-writer").policyName("put").policyDocument(
                    Docs.allow("arn:aws:s3:::" + BUCKET + "/session/*", "s3:PutObject")));
        }
        software.amazon.awssdk.services.sts.model.Credentials session;
        try (var sts = crossrole.sts(crossrole.adminCredentials(DESTINATION))) {
            session = sts.assumeRole(r -> r.roleArn("arn:aws:iam::" + DESTINATION + ":role/form-writer")
                    .roleSessionName("browser")).credentials();
        }
        AwsSessionCredentials temporary = AwsSessionCredentials.create(session.accessKeyId(),
                session.secretAccessKey(), session.sessionToken());
        assertEquals(204, post(signed(temporary, "session/one", inAnHour(), List.of(), Map.of()), "by a role")
                .statusCode());
        assertEquals("by a role", s3.getObjectAsBytes(r -> r.bucket(BUCKET).key("session/one")).asUtf8String());
        refused(post(signed(temporary, "other/one", inAnHour(), List.of(), Map.of()), "denied"), 403,
                "AccessDenied", null, "other/");
    }
}
