package dev.crossrole.it;

import dev.crossrole.server.auth.SigV4;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Raw HTTP to crossrole with a small SigV4 signer built on the server's public SigV4 functions, so a
 * test can send exactly the request it wants, well-formed or not.
 */
final class RawAws {
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    static final String FORM = "application/x-www-form-urlencoded; charset=utf-8";

    /** Credentials to sign with; {@code token} is {@code null} for long-term keys. */
    record Creds(String accessKeyId, String secretAccessKey, String sessionToken) {
        Creds withToken(String token) {
            return new Creds(accessKeyId, secretAccessKey, token);
        }
    }

    /** A request before signing: method, query (raw, encoded), headers (name to value, in order), body. */
    static final class Req {
        String method = "POST";
        String rawQuery;
        final Map<String, String> headers = new LinkedHashMap<>();
        String body = "";

        Req header(String name, String value) {
            headers.put(name, value);
            return this;
        }
    }

    /** A response, with its XML (Query) or JSON body at hand. */
    record Res(int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        Document xml() {
            try {
                var factory = DocumentBuilderFactory.newInstance();
                factory.setNamespaceAware(true);
                return factory.newDocumentBuilder().parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new AssertionError("not XML (" + status + "): " + body, e);
            }
        }

        /** Text of the first element with this local name, or {@code null}. */
        String xmlText(String localName) {
            NodeList nodes = xml().getElementsByTagNameNS("*", localName);
            return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
        }

        Element xmlRoot() {
            return xml().getDocumentElement();
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + headers + "\n" + body;
        }
    }

    private final String endpoint;
    private final String host;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    RawAws(String endpoint) {
        this.endpoint = endpoint;
        this.host = URI.create(endpoint).getAuthority();
    }

    // ---- building requests --------------------------------------------------------------------

    /** RFC 3986 percent-encoding of a query or form value. */
    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    static String form(Map<String, String> params) {
        StringBuilder out = new StringBuilder();
        params.forEach((k, v) -> out.append(out.length() == 0 ? "" : "&").append(encode(k)).append('=').append(encode(v)));
        return out.toString();
    }

    /** An STS Query POST of these parameters (Action first), not yet signed. */
    static Req query(String action, String... keyValues) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Action", action);
        params.put("Version", "2011-06-15");
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        Req req = new Req();
        req.header("Content-Type", FORM);
        req.body = form(params);
        return req;
    }

    static String amzDate(Instant at) {
        return AMZ_DATE.format(at);
    }

    /**
     * Signs in the header form: adds {@code X-Amz-Date} (and {@code X-Amz-Security-Token}), then
     * {@code Authorization} over host, every header set so far, in sorted order.
     */
    Req sign(Req req, Creds creds, Instant at, String region, String service) {
        String amzDate = amzDate(at);
        req.header("X-Amz-Date", amzDate);
        if (creds.sessionToken() != null) {
            req.header("X-Amz-Security-Token", creds.sessionToken());
        }
        TreeMap<String, String> signed = new TreeMap<>();
        req.headers.forEach((k, v) -> signed.put(k.toLowerCase(java.util.Locale.ROOT), v));
        signed.put("host", host);
        List<Map.Entry<String, String>> headerList = new ArrayList<>(signed.entrySet());
        byte[] body = req.body.getBytes(StandardCharsets.UTF_8);
        var parts = new SigV4.HttpRequestParts(req.method, "/", req.rawQuery, headerList, body);
        List<String> names = new ArrayList<>(signed.keySet());
        String canonical = SigV4.canonicalRequest(parts, names, SigV4.sha256Hex(body), true, false);
        SigV4.Credential scope = new SigV4.Credential(creds.accessKeyId(), amzDate.substring(0, 8), region, service);
        String signature = SigV4.signature(SigV4.signingKey(creds.secretAccessKey(), scope.date(), region, service),
                SigV4.stringToSign(amzDate, scope, canonical));
        req.header("Authorization", SigV4.ALGORITHM + " Credential=" + creds.accessKeyId() + "/" + scope.scope()
                + ", SignedHeaders=" + String.join(";", names) + ", Signature=" + signature);
        return req;
    }

    Req sign(Req req, Creds creds, Instant at) {
        return sign(req, creds, at, "us-east-1", "sts");
    }

    /** A presigned GET URL query for the Query parameters, valid {@code expires} seconds from {@code at}. */
    String presign(Map<String, String> params, Creds creds, Instant at, long expires) {
        String amzDate = amzDate(at);
        SigV4.Credential scope = new SigV4.Credential(creds.accessKeyId(), amzDate.substring(0, 8), "us-east-1", "sts");
        Map<String, String> q = new LinkedHashMap<>(params);
        q.put("X-Amz-Algorithm", SigV4.ALGORITHM);
        q.put("X-Amz-Credential", creds.accessKeyId() + "/" + scope.scope());
        q.put("X-Amz-Date", amzDate);
        q.put("X-Amz-Expires", String.valueOf(expires));
        q.put("X-Amz-SignedHeaders", "host");
        if (creds.sessionToken() != null) {
            q.put("X-Amz-Security-Token", creds.sessionToken());
        }
        String rawQuery = form(q);
        var parts = new SigV4.HttpRequestParts("GET", "/", rawQuery, List.of(Map.entry("host", host)), new byte[0]);
        String canonical = SigV4.canonicalRequest(parts, List.of("host"), SigV4.EMPTY_BODY_SHA256, true, true);
        String signature = SigV4.signature(SigV4.signingKey(creds.secretAccessKey(), scope.date(), "us-east-1", "sts"),
                SigV4.stringToSign(amzDate, scope, canonical));
        return rawQuery + "&X-Amz-Signature=" + signature;
    }

    // ---- sending ------------------------------------------------------------------------------

    Res send(Req req) throws IOException, InterruptedException {
        return send(req, "/");
    }

    Res send(Req req, String path) throws IOException, InterruptedException {
        URI uri = URI.create(endpoint + path + (req.rawQuery == null ? "" : "?" + req.rawQuery));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        req.headers.forEach(b::header);
        HttpRequest.BodyPublisher body = req.body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(req.body);
        b.method(req.method, body);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Res(r.statusCode(), r.headers().map(), r.body());
    }

    /** Signs (header form, at {@code at}) and sends. */
    Res call(Req req, Creds creds, Instant at) throws IOException, InterruptedException {
        return send(sign(req, creds, at));
    }
}
