package dev.crossrole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.ConfigException;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.tasks.TaskIsolation;
import dev.crossrole.server.tls.TlsSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --tls}, {@code --tls-port}, {@code --tls-cert}, {@code --tls-key}: combinations, errors, what is printed. */
class ServeTlsTest {
    @TempDir
    Path dir;

    private CliTest.Result serve(String... tlsOptions) {
        List<String> args = new java.util.ArrayList<>(List.of("serve", "--port", "0", "--data-dir", dir.resolve("data").toString(),
                "--task-runtime", "unsandboxed"));
        args.addAll(List.of(tlsOptions));
        return CliTest.run(args.toArray(String[]::new));
    }

    private void refused(String message, String... tlsOptions) {
        CliTest.Result r = serve(tlsOptions);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("crossrole: " + message), r.err());
    }

    @Test
    void optionsThatDoNotGoTogether() {
        refused("--tls-key needs --tls-cert, the certificate it is the key of", "--tls", "--tls-key", "key.pem");
        refused("--tls-cert needs --tls-key, the certificate's private key", "--tls", "--tls-cert", "cert.pem");
        refused("--tls-cert and --tls-key are served with --tls or --tls-port; add one",
                "--tls-cert", "cert.pem", "--tls-key", "key.pem");
        refused("--tls serves HTTPS on --port, --tls-port on a port of its own beside HTTP: give one of them",
                "--tls", "--tls-port", "8443");
        refused("--tls-port must be between 0 and 65535", "--tls-port", "70000");
        CliTest.Result samePort = CliTest.run("serve", "--port", "4566", "--tls-port", "4566",
                "--data-dir", dir.resolve("data").toString());
        assertEquals(2, samePort.exit());
        assertTrue(samePort.err().contains("--tls-port 4566 is --port too; use --tls to serve HTTPS on --port"), samePort.err());
        assertFalse(Files.exists(dir.resolve("data").resolve("tls")), "nothing made for options refused");
    }

    @Test
    void whatTheOptionsMean() {
        assertEquals(null, ServeCommand.tlsSettings(false, null, null, null, 4566));
        assertEquals(TlsSettings.onMainPort(), ServeCommand.tlsSettings(true, null, null, null, 4566));
        assertEquals(new TlsSettings(new TlsSettings.OwnPort(4567), new TlsSettings.LocalCa()),
                ServeCommand.tlsSettings(false, 4567, null, null, 4566));
        assertEquals(new TlsSettings(new TlsSettings.OwnPort(0), new TlsSettings.LocalCa()),
                ServeCommand.tlsSettings(false, 0, null, null, 0));
        assertEquals(new TlsSettings(new TlsSettings.MainPort(), new TlsSettings.PemFiles(Path.of("c"), Path.of("k"))),
                ServeCommand.tlsSettings(true, null, Path.of("c"), Path.of("k"), 4566));
    }

    @Test
    void unusableCertificateFilesStopTheStartWithExitTwo() throws Exception {
        refused("--tls-cert " + dir.resolve("missing.pem") + ": no such file",
                "--tls", "--tls-cert", dir.resolve("missing.pem").toString(), "--tls-key", dir.resolve("key.pem").toString());
        Path notPem = Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
        refused("--tls-cert " + notPem + " holds no PEM certificate",
                "--tls-port", "0", "--tls-cert", notPem.toString(), "--tls-key", notPem.toString());
        assertFalse(Files.exists(dir.resolve("data").resolve("store")), "the store was not opened");
    }

    @Test
    void aStartWithTheLocalCaPrintsHowToTrustIt() throws Exception {
        Path data = dir.resolve("data");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(data).withPort(0)
                .withTaskIsolation(TaskIsolation.UNSANDBOXED).withAllowedHosts(List.of("dev.example"))
                .withTls(TlsSettings.onMainPort()))) {
            StringWriter text = new StringWriter();
            ServeCommand.printWelcome(new PrintWriter(text, true), server);
            String out = text.toString();
            Path ca = data.toAbsolutePath().resolve("tls").resolve("ca.pem");
            assertTrue(out.contains("HTTPS certificate for dev.example, *.s3.dev.example, localhost, *.localhost, *.s3.localhost,"
                    + " 127.0.0.1, ::1, valid until "), out);
            assertTrue(out.contains("issued by crossrole's local CA " + ca + "; trust it once per client:"), out);
            assertTrue(out.contains("export AWS_CA_BUNDLE=" + ca + " "), out);
            assertTrue(out.contains("export NODE_EXTRA_CA_CERTS=" + ca + " "), out);
            assertTrue(out.contains("java -Djavax.net.ssl.trustStore=" + ca.resolveSibling("truststore.p12")
                    + " -Djavax.net.ssl.trustStorePassword=changeit ..."), out);
            assertTrue(Files.isRegularFile(ca));
            assertEquals(server.tls().orElseThrow().localCa().orElseThrow().certificate(), ca);
        }
        try (CrossroleServer plain = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve("plain")).withPort(0)
                .withTaskIsolation(TaskIsolation.UNSANDBOXED))) {
            StringWriter text = new StringWriter();
            ServeCommand.printWelcome(new PrintWriter(text, true), plain);
            assertFalse(text.toString().contains("HTTPS"), text.toString());
            assertTrue(plain.tls().isEmpty());
            assertFalse(Files.exists(dir.resolve("plain").resolve("tls")), "no CA is made without TLS");
        }
    }

    @Test
    void aBadCertificateIsAConfigurationError() {
        ConfigException e = assertThrows(ConfigException.class, () -> CrossroleServer.start(
                CrossroleServer.Options.defaults(dir.resolve("data")).withPort(0).withTaskIsolation(TaskIsolation.UNSANDBOXED)
                        .withTls(new TlsSettings(new TlsSettings.MainPort(),
                                new TlsSettings.PemFiles(dir.resolve("c.pem"), dir.resolve("k.pem"))))));
        assertEquals("--tls-cert " + dir.resolve("c.pem") + ": no such file", e.getMessage());
    }
}
