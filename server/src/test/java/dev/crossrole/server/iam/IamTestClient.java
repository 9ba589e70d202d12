package dev.crossrole.server.iam;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.auth.SigV4;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal IAM Query client for tests: signs {@code Action=...&Version=2010-05-08&...} form posts with
 * SigV4 (service {@code iam}) and sends them through the server's real HTTP pipeline.
 */
public final class IamTestClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final CrossroleServer server;
    private final String accessKeyId;
    private final String secretAccessKey;

    public IamTestClient(CrossroleServer server, String accessKeyId, String secretAccessKey) {
        this.server = server;
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
    }

    /** The administrator of the account behind a bootstrap profile. */
    public static IamTestClient of(CrossroleServer server, Bootstrap.Profile profile) {
        return new IamTestClient(server, profile.accessKeyId(), profile.secretAccessKey());
    }

    /** The administrator of the server's first account. */
    public static IamTestClient admin(CrossroleServer server) {
        return of(server, server.profiles().get(0));
    }

    /** An IAM user's long-term key. */
    public static IamTestClient of(CrossroleServer server, AccessKey key) {
        return new IamTestClient(server, key.accessKeyId(), key.secretAccessKey());
    }

    /** Calls an IAM action with parameters given as name, value, name, value, ... */
    public Response call(String action, String... params) {
        if (params.length % 2 != 0) {
            throw new IllegalArgumentException("parameters come in name/value pairs");
        }
        StringBuilder body = new StringBuilder("Action=").append(encode(action)).append("&Version=2010-05-08");
        for (int i = 0; i < params.length; i += 2) {
            body.append('&').append(encode(params[i])).append('=').append(encode(params[i + 1]));
        }
        return post(body.toString());
    }

    /** Sends a form body as it is, signed. */
    public Response post(String body) {
        try {
            String amzDate = SigV4.formatAmzDate(Instant.now());
            URI uri = URI.create(server.endpoint() + "/");
            String host = uri.getHost() + ":" + uri.getPort();
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            List<Map.Entry<String, String>> headers = new ArrayList<>(List.of(
                    Map.entry("Content-Type", "application/x-www-form-urlencoded"), Map.entry("Host", host),
                    Map.entry("X-Amz-Date", amzDate)));
            SigV4.Credential scope = new SigV4.Credential(accessKeyId, amzDate.substring(0, 8), "us-east-1", "iam");
            String canonical = SigV4.canonicalRequest(new SigV4.HttpRequestParts("POST", "/", null, headers, payload),
                    List.of("content-type", "host", "x-amz-date"), SigV4.sha256Hex(payload), true, false);
            String signature = SigV4.signature(SigV4.signingKey(secretAccessKey, scope.date(), scope.region(),
                    scope.service()), SigV4.stringToSign(amzDate, scope, canonical));
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("X-Amz-Date", amzDate)
                    .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/" + scope.scope()
                            + ", SignedHeaders=content-type;host;x-amz-date, Signature=" + signature)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** An HTTP response with helpers to read Query XML. */
    public record Response(int status, String body) {
        /** The text of the first element with that name, XML-unescaped; {@code null} if there is none. */
        public String value(String element) {
            Matcher m = Pattern.compile("<" + element + ">([^<]*)</" + element + ">").matcher(body);
            return m.find() ? unescape(m.group(1)) : null;
        }

        /** The texts of every element with that name, in document order. */
        public List<String> values(String element) {
            List<String> out = new ArrayList<>();
            Matcher m = Pattern.compile("<" + element + ">([^<]*)</" + element + ">").matcher(body);
            while (m.find()) {
                out.add(unescape(m.group(1)));
            }
            return out;
        }

        /** Whether an element with that name appears at all (empty or not). */
        public boolean has(String element) {
            return body.contains("<" + element + ">") || body.contains("<" + element + "/>");
        }

        public String errorCode() {
            return value("Code");
        }

        public String errorMessage() {
            return value("Message");
        }

        @Override
        public String toString() {
            return status + " " + body;
        }

        private static String unescape(String text) {
            return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                    .replace("&#xD;", "\r").replace("&amp;", "&");
        }
    }
}
