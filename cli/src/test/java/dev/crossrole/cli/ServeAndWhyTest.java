package dev.crossrole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.auth.SigV4;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeAndWhyTest {
    @TempDir
    Path dir;

    @Test
    void serveStartsPrintsHowToUseItAndStopsOnSignal() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--port", "0", "--data-dir", dir.resolve("data").toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            Matcher m = Pattern.compile("crossrole listening on (http://127\\.0\\.0\\.1:\\d+)").matcher(first);
            assertTrue(m.matches(), first);
            StringBuilder welcome = new StringBuilder();
            for (int i = 0; i < 15; i++) {
                welcome.append(out.readLine()).append('\n');
            }
            assertTrue(welcome.toString().contains("111122223333  profile source"), welcome.toString());
            assertTrue(Pattern.compile("ECR's registry: aws ecr get-login-password \\| podman login --username AWS"
                    + " --password-stdin 127\\.0\\.0\\.1:\\d+\n").matcher(welcome).find(), welcome.toString());
            assertTrue(welcome.toString().contains("export AWS_SHARED_CREDENTIALS_FILE=" + dir.resolve("data").toAbsolutePath()
                    .resolve("credentials")), welcome.toString());
            assertTrue(welcome.toString().contains("Admin API token (for /_crossrole/*; the crossrole CLI reads it): "
                    + dir.resolve("data").toAbsolutePath().resolve("admin-token")), welcome.toString());
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(m.group(1) + "/_crossrole/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
        } finally {
            process.destroy();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "serve stops on SIGTERM");
        }
    }

    @Test
    void maxConnectionsMakesFurtherConnectionsWaitUntilOneCloses() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--port", "0", "--data-dir", dir.resolve("data").toString(), "--max-connections", "2")
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Matcher m = Pattern.compile("crossrole listening on http://127\\.0\\.0\\.1:(\\d+)").matcher(out.readLine());
            assertTrue(m.matches());
            int port = Integer.parseInt(m.group(1));
            String health = "GET /_crossrole/health HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n";
            try (java.net.Socket first = new java.net.Socket("127.0.0.1", port);
                 java.net.Socket second = new java.net.Socket("127.0.0.1", port)) {
                for (java.net.Socket open : List.of(first, second)) {
                    open.setSoTimeout(10_000);
                    open.getOutputStream().write(health.getBytes(StandardCharsets.ISO_8859_1));
                    assertTrue(new String(open.getInputStream().readNBytes(15), StandardCharsets.ISO_8859_1)
                            .startsWith("HTTP/1.1 200"));
                }
                try (java.net.Socket third = new java.net.Socket("127.0.0.1", port)) {
                    third.getOutputStream().write(health.getBytes(StandardCharsets.ISO_8859_1));
                    third.setSoTimeout(700);
                    org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class,
                            () -> third.getInputStream().read(), "a third connection is served while two are open");
                    first.close();
                    third.setSoTimeout(10_000);
                    assertTrue(new String(third.getInputStream().readNBytes(15), StandardCharsets.ISO_8859_1)
                            .startsWith("HTTP/1.1 200"), "served once one closed");
                }
            }
        } finally {
            process.destroy();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "serve stops on SIGTERM");
        }
        CliTest.Result none = CliTest.run("serve", "--port", "0", "--data-dir", dir.resolve("d").toString(),
                "--max-connections", "0");
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("--max-connections must be at least 1"), none.err());
    }

    @Test
    void serveRefusesABadAccountsFile() throws Exception {
        Path config = dir.resolve("accounts.json");
        Files.writeString(config, "{\"accounts\":[{\"id\":\"12\"}]}");
        CliTest.Result r = CliTest.run("serve", "--port", "0", "--data-dir", dir.resolve("d").toString(),
                "--accounts", config.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("accounts[0].id must be a string of exactly 12 digits"), r.err());
        CliTest.Result badPort = CliTest.run("serve", "--port", "70000");
        assertEquals(2, badPort.exit());
    }

    @Test
    void whyExplainsADeniedRequest() throws Exception {
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("w")).withPort(0))) {
            server.iam().createRole("555566667777", "destination-account-role", "/", "{\"Version\":\"2012-10-17\","
                    + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::555566667777:root\"},"
                    + "\"Action\":\"sts:AssumeRole\"}]}", 3600, Map.of());
            Bootstrap.Profile source = server.profiles().get(0);
            HttpResponse<String> denied = signedPost(server, source, "Action=AssumeRole&Version=2011-06-15&RoleArn="
                    + "arn%3Aaws%3Aiam%3A%3A555566667777%3Arole%2Fdestination-account-role&RoleSessionName=why");
            assertEquals(403, denied.statusCode(), denied.body());
            String id = denied.headers().firstValue("x-amzn-RequestId").orElseThrow();

            String data = dir.resolve("w").toString();
            CliTest.Result text = CliTest.run("why", "--endpoint", server.endpoint(), "--data-dir", data, id);
            assertEquals(0, text.exit(), text.err());
            assertTrue(text.out().contains("User: arn:aws:iam::111122223333:user/admin is not authorized to perform:"
                    + " sts:AssumeRole on resource: arn:aws:iam::555566667777:role/destination-account-role"), text.out());
            assertTrue(text.out().contains("Decided on: the resource's side (account 555566667777)"), text.out());
            assertTrue(text.out().contains("To change this:"), text.out());

            CliTest.Result json = CliTest.run("why", "--json", "--endpoint", server.endpoint(), "--data-dir", data, id);
            assertEquals(0, json.exit());
            assertTrue(json.out().contains("\"decidedBy\":\"trust\""), json.out());

            CliTest.Result unknown = CliTest.run("why", "--endpoint", server.endpoint(), "--data-dir", data, "no-such-request");
            assertEquals(1, unknown.exit());
            assertTrue(unknown.err().contains("No request with id no-such-request"), unknown.err());

            // Without the administrator's token (another data directory), nothing of the request is shown.
            CliTest.Result tokenless = CliTest.run("why", "--endpoint", server.endpoint(), "--data-dir",
                    dir.resolve("elsewhere").toString(), id);
            assertEquals(2, tokenless.exit(), tokenless.err());
            assertEquals("", tokenless.out());
            assertTrue(tokenless.err().contains("This admin route needs the administrator's token"), tokenless.err());
            assertTrue(tokenless.err().contains(dir.resolve("elsewhere").resolve("admin-token") + " (not found or not readable)"),
                    tokenless.err());
            Files.createDirectories(dir.resolve("forged"));
            Files.writeString(dir.resolve("forged").resolve("admin-token"), "not-the-token\n");
            CliTest.Result forged = CliTest.run("why", "--endpoint", server.endpoint(), "--data-dir",
                    dir.resolve("forged").toString(), id);
            assertEquals(2, forged.exit(), forged.err());
            assertEquals("", forged.out());
            assertTrue(forged.err().contains("The token given is not the administrator's token"), forged.err());
        }
        CliTest.Result unreachable = CliTest.run("why", "--endpoint", "http://127.0.0.1:1", "x");
        assertEquals(2, unreachable.exit());
        assertTrue(unreachable.err().contains("cannot reach crossrole"), unreachable.err());
    }

    static HttpResponse<String> signedPost(CrossroleServer server, Bootstrap.Profile profile, String body) throws Exception {
        String amzDate = SigV4.formatAmzDate(Instant.now());
        URI uri = URI.create(server.endpoint() + "/");
        String host = uri.getHost() + ":" + uri.getPort();
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        List<Map.Entry<String, String>> headers = new ArrayList<>(List.of(
                Map.entry("Content-Type", "application/x-www-form-urlencoded"), Map.entry("Host", host),
                Map.entry("X-Amz-Date", amzDate)));
        SigV4.Credential scope = new SigV4.Credential(profile.accessKeyId(), amzDate.substring(0, 8), "us-east-1", "sts");
        String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts("POST", "/", null, headers, payload),
                List.of("content-type", "host", "x-amz-date"), SigV4.sha256Hex(payload), true, false);
        String signature = SigV4.signature(SigV4.signingKey(profile.secretAccessKey(), scope.date(), scope.region(),
                scope.service()), SigV4.stringToSign(amzDate, scope, canonical));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Amz-Date", amzDate)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + profile.accessKeyId() + "/" + scope.scope()
                        + ", SignedHeaders=content-type;host;x-amz-date, Signature=" + signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
    }
}
