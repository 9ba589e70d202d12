package dev.crossrole.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The material serves real TLS: a plain JDK TLS server with {@link TlsMaterial#sslContext()} answers clients
 * that trust the local CA (from {@code ca.pem} or the Java trust store) under every name the certificate
 * carries, and no client that does not.
 */
class TlsHandshakeTest {
    @TempDir
    Path data;

    private SSLServerSocket server;
    private Thread acceptor;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
            acceptor.join(5_000);
        }
    }

    /** A TLS server answering each HTTP request with "ok from crossrole", one request per connection. */
    private int serve(TlsMaterial material) throws Exception {
        server = (SSLServerSocket) material.sslContext().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(10_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        // the request's head
                    }
                    OutputStream out = socket.getOutputStream();
                    String body = "ok from crossrole";
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Exception e) {
                    // a client that refused the handshake, or the socket closed at the end of the test
                }
            }
        }, "tls-test-server");
        acceptor.start();
        return server.getLocalPort();
    }

    private static SSLContext trusting(X509Certificate ca) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        return trusting(store);
    }

    private static SSLContext trusting(KeyStore store) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static String get(SSLContext client, String url) throws Exception {
        HttpResponse<String> response = HttpClient.newBuilder().sslContext(client).connectTimeout(Duration.ofSeconds(10))
                .build().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /**
     * A handshake on 127.0.0.1 in which the client checks the certificate for {@code hostName}, as it does for
     * an S3 virtual host (a name no resolver here needs to know).
     */
    private static void handshakeAs(SSLContext client, int port, String hostName) throws Exception {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(plain, hostName, port, true)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
        }
    }

    @Test
    void clientsTrustingTheLocalCaConnectByEveryName() throws Exception {
        TlsMaterial material = TlsMaterial.prepare(TlsSettings.onMainPort(), data,
                ServerNames.of("127.0.0.1", List.of()), Clock.systemUTC());
        int port = serve(material);
        SSLContext client = trusting(read(data.resolve("tls/ca.pem")));
        assertEquals("200 ok from crossrole", get(client, "https://localhost:" + port + "/"));
        assertEquals("200 ok from crossrole", get(client, "https://127.0.0.1:" + port + "/"));
        handshakeAs(client, port, "my-bucket.s3.localhost");
        handshakeAs(client, port, "my-bucket.localhost");
        assertThrows(SSLHandshakeException.class, () -> handshakeAs(client, port, "my-bucket.example.com"));
        assertThrows(SSLHandshakeException.class, () -> handshakeAs(client, port, "a.b.s3.localhost"));

        // Java users: the trust store crossrole wrote, as -Djavax.net.ssl.trustStore would load it.
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(data.resolve("tls/truststore.p12"))) {
            trustStore.load(in, "changeit".toCharArray());
        }
        HttpsURLConnection connection = (HttpsURLConnection) new URL("https://localhost:" + port + "/").openConnection();
        connection.setSSLSocketFactory(trusting(trustStore).getSocketFactory());
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(10_000);
        assertEquals(200, connection.getResponseCode());
        try (InputStream in = connection.getInputStream()) {
            assertEquals("ok from crossrole", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCaRefusesTheHandshake() throws Exception {
        TlsMaterial material = TlsMaterial.prepare(TlsSettings.onMainPort(), data,
                ServerNames.of("127.0.0.1", List.of()), Clock.systemUTC());
        int port = serve(material);
        // The JDK's default trust: public CAs only.
        assertThrows(SSLHandshakeException.class, () -> get(SSLContext.getDefault(), "https://localhost:" + port + "/"));
        KeyPair stranger = TestCertificates.ec();
        X509Certificate otherCa = TestCertificates.issue("CN=other", stranger, "CN=other", stranger.getPrivate(),
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(1)), true);
        assertThrows(SSLHandshakeException.class, () -> get(trusting(otherCa), "https://localhost:" + port + "/"));
    }

    @Test
    void theOperatorsRsaCertificateIsServed() throws Exception {
        KeyPair keys = TestCertificates.rsa();
        X509Certificate certificate = TestCertificates.selfSigned("CN=localhost", keys,
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
        Path cert = TestCertificates.write(data.resolve("cert.pem"), TestCertificates.certificates(certificate));
        Path key = TestCertificates.write(data.resolve("key.pem"), TestCertificates.pkcs1(keys.getPrivate()));
        TlsMaterial material = TlsMaterial.prepare(new TlsSettings(new TlsSettings.OwnPort(0),
                new TlsSettings.PemFiles(cert, key)), data, ServerNames.of("127.0.0.1", List.of()), Clock.systemUTC());
        int port = serve(material);
        assertEquals("200 ok from crossrole", get(trusting(certificate), "https://localhost:" + port + "/"));
    }
}
