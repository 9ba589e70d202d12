package dev.crossrole.server.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local CA: made once, reused, and the server certificate it issues for the names crossrole answers. */
class LocalCaTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path data;

    private Path tls(String name) {
        return data.resolve("tls").resolve(name);
    }

    private TlsMaterial prepare(ServerNames names, Instant at) throws Exception {
        return TlsMaterial.prepare(TlsSettings.onMainPort(), data, names, Clock.fixed(at, ZoneOffset.UTC));
    }

    private static ServerNames loopback() {
        return ServerNames.of("127.0.0.1", List.of());
    }

    /** Read with the JDK alone, so that nothing of the code under test judges its own output. */
    private X509Certificate caFromDisk() throws Exception {
        try (InputStream in = Files.newInputStream(tls("ca.pem"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void theCaIsACaForTenYearsAndItsKeyIsPrivate() throws Exception {
        prepare(loopback(), NOW);
        X509Certificate ca = caFromDisk();
        assertEquals(0, ca.getBasicConstraints(), "CA:true, path length 0");
        assertTrue(ca.getCriticalExtensionOIDs().contains("2.5.29.19"), "basicConstraints is critical");
        boolean[] usage = ca.getKeyUsage();
        assertTrue(usage[5], "keyCertSign");
        assertFalse(usage[0], "no digitalSignature: it signs certificates only");
        assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
        ca.verify(ca.getPublicKey());
        assertTrue(Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant()).toDays() >= 3650);
        assertEquals("EC", ca.getPublicKey().getAlgorithm());
        assertEquals("rwx------", mode(data.resolve("tls")));
        for (String file : List.of("ca-key.pem", "ca.pem", "server-key.pem", "server.pem", "truststore.p12")) {
            assertEquals("rw-------", mode(tls(file)), file);
        }
        assertTrue(Files.readString(tls("ca-key.pem")).startsWith("-----BEGIN PRIVATE KEY-----"));
    }

    @Test
    void theServerCertificateNamesWhatCrossroleAnswersAndChainsToTheCa() throws Exception {
        TlsMaterial material = prepare(ServerNames.of("10.1.2.3", List.of("crossrole.test", "[fd00::7]")), NOW);
        X509Certificate server = material.chain().get(0);
        Set<String> dns = new HashSet<>();
        Set<String> ips = new HashSet<>();
        for (List<?> name : server.getSubjectAlternativeNames()) {
            ((Integer) name.get(0) == 2 ? dns : ips).add((String) name.get(1));
        }
        assertEquals(Set.of("localhost", "*.localhost", "*.s3.localhost", "crossrole.test", "*.s3.crossrole.test"), dns);
        assertEquals(Set.of("127.0.0.1", "0:0:0:0:0:0:0:1", "10.1.2.3", "fd00:0:0:0:0:0:0:7"), ips);
        assertEquals(-1, server.getBasicConstraints());
        assertTrue(server.getKeyUsage()[0], "digitalSignature");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), server.getExtendedKeyUsage(), "serverAuth");
        Duration validity = Duration.between(server.getNotBefore().toInstant(), server.getNotAfter().toInstant());
        assertTrue(validity.toDays() <= 398, "clients refuse server certificates valid for longer: " + validity);
        assertTrue(server.getNotBefore().toInstant().isBefore(NOW) && server.getNotAfter().toInstant().isAfter(NOW.plus(Duration.ofDays(300))));

        X509Certificate ca = caFromDisk();
        assertEquals(ca, material.chain().get(1));
        // The JDK's own PKIX validation, anchored on ca.pem (no revocation: a local CA publishes none).
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(NOW));
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(server)), parameters);
        // And as a TLS client's trust manager, from the trust store written for Java users.
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls("truststore.p12"))) {
            trustStore.load(in, "changeit".toCharArray());
        }
        assertEquals(ca, trustStore.getCertificate(trustStore.aliases().nextElement()));
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(trustStore);
        ((X509TrustManager) trust.getTrustManagers()[0]).checkServerTrusted(
                material.chain().toArray(X509Certificate[]::new), "ECDHE_ECDSA");
        assertEquals(material.localCa().orElseThrow(),
                new TlsMaterial.LocalCaFiles(tls("ca.pem"), tls("truststore.p12"), "changeit"));
    }

    @Test
    void aRestartReusesTheCaAndTheServerCertificate() throws Exception {
        prepare(loopback(), NOW);
        byte[] ca = Files.readAllBytes(tls("ca.pem"));
        byte[] caKey = Files.readAllBytes(tls("ca-key.pem"));
        byte[] server = Files.readAllBytes(tls("server.pem"));
        TlsMaterial again = prepare(loopback(), NOW.plus(Duration.ofDays(200)));
        assertArrayEquals(ca, Files.readAllBytes(tls("ca.pem")));
        assertArrayEquals(caKey, Files.readAllBytes(tls("ca-key.pem")));
        assertArrayEquals(server, Files.readAllBytes(tls("server.pem")));
        assertEquals(Pem.readCertificates(tls("server.pem"), "server.pem").get(0), again.chain().get(0));
    }

    @Test
    void newNamesGetANewServerCertificateFromTheSameCa() throws Exception {
        X509Certificate first = prepare(loopback(), NOW).chain().get(0);
        byte[] ca = Files.readAllBytes(tls("ca.pem"));
        byte[] firstKey = Files.readAllBytes(tls("server-key.pem"));
        X509Certificate second = prepare(ServerNames.of("127.0.0.1", List.of("dev.example")), NOW).chain().get(0);
        assertArrayEquals(ca, Files.readAllBytes(tls("ca.pem")));
        assertNotEquals(first.getSerialNumber(), second.getSerialNumber());
        assertTrue(LocalCa.namesOf(second).dnsNames().contains("dev.example"));
        assertFalse(java.util.Arrays.equals(firstKey, Files.readAllBytes(tls("server-key.pem"))), "a new key too");
        // Dropping the name again is a change as well: the certificate names exactly what is answered.
        X509Certificate third = prepare(loopback(), NOW).chain().get(0);
        assertFalse(LocalCa.namesOf(third).dnsNames().contains("dev.example"));
    }

    @Test
    void aServerCertificateNearItsEndIsReissuedAndTheCaKept() throws Exception {
        X509Certificate first = prepare(loopback(), NOW).chain().get(0);
        byte[] ca = Files.readAllBytes(tls("ca.pem"));
        Instant late = first.getNotAfter().toInstant().minus(Duration.ofDays(29));
        X509Certificate renewed = prepare(loopback(), late).chain().get(0);
        assertNotEquals(first.getSerialNumber(), renewed.getSerialNumber());
        assertTrue(renewed.getNotAfter().toInstant().isAfter(late.plus(Duration.ofDays(300))));
        assertArrayEquals(ca, Files.readAllBytes(tls("ca.pem")));
    }

    @Test
    void aDamagedServerCertificateIsIssuedAnew() throws Exception {
        prepare(loopback(), NOW);
        Files.writeString(tls("server.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        TlsMaterial material = prepare(loopback(), NOW);
        material.chain().get(0).verify(caFromDisk().getPublicKey());
        assertEquals(material.chain().get(0), Pem.readCertificates(tls("server.pem"), "server.pem").get(0));
    }

    @Test
    void aServerCertificateFromAnotherCaIsIssuedAnew() throws Exception {
        prepare(loopback(), NOW);
        byte[] server = Files.readAllBytes(tls("server.pem"));
        byte[] serverKey = Files.readAllBytes(tls("server-key.pem"));
        Files.delete(tls("ca.pem")); // a new CA is made ...
        prepare(loopback(), NOW);
        Files.write(tls("server.pem"), server); // ... and the old CA's server certificate put back
        Files.write(tls("server-key.pem"), serverKey);
        TlsMaterial material = prepare(loopback(), NOW);
        material.chain().get(0).verify(caFromDisk().getPublicKey());
    }

    @Test
    void aKeyWithoutItsCertificateIsAFirstStartThatStoppedHalfWay() throws Exception {
        prepare(loopback(), NOW);
        byte[] oldKey = Files.readAllBytes(tls("ca-key.pem"));
        Files.delete(tls("ca.pem"));
        TlsMaterial material = prepare(loopback(), NOW);
        assertFalse(java.util.Arrays.equals(oldKey, Files.readAllBytes(tls("ca-key.pem"))));
        X509Certificate ca = caFromDisk();
        material.chain().get(0).verify(ca.getPublicKey());
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls("truststore.p12"))) {
            trustStore.load(in, "changeit".toCharArray());
        }
        assertEquals(ca, trustStore.getCertificate(trustStore.aliases().nextElement()), "the trust store follows the CA");
    }

    @Test
    void aCaWhoseKeyIsMissingOrWrongStopsTheStartAndSaysWhatToDo() throws Exception {
        prepare(loopback(), NOW);
        byte[] ca = Files.readAllBytes(tls("ca.pem"));
        Files.delete(tls("ca-key.pem"));
        TlsException missing = assertThrows(TlsException.class, () -> prepare(loopback(), NOW));
        assertTrue(missing.getMessage().contains(tls("ca-key.pem") + ", the local CA's key, is missing"), missing.getMessage());
        assertTrue(missing.getMessage().contains("Remove " + data.resolve("tls")), missing.getMessage());
        assertArrayEquals(ca, Files.readAllBytes(tls("ca.pem")), "a CA clients may trust is never replaced silently");

        Files.writeString(tls("ca-key.pem"), TestCertificates.pkcs8(TestCertificates.ec().getPrivate()));
        TlsException wrong = assertThrows(TlsException.class, () -> prepare(loopback(), NOW));
        assertTrue(wrong.getMessage().contains(tls("ca-key.pem") + " is not the key of " + tls("ca.pem")), wrong.getMessage());

        Files.writeString(tls("ca.pem"), "garbage");
        TlsException damaged = assertThrows(TlsException.class, () -> prepare(loopback(), NOW));
        assertTrue(damaged.getMessage().contains("holds no PEM certificate"), damaged.getMessage());
    }

    @Test
    void anExpiredCaStopsTheStart() throws Exception {
        prepare(loopback(), NOW);
        TlsException e = assertThrows(TlsException.class, () -> prepare(loopback(), NOW.plus(Duration.ofDays(3651))));
        assertTrue(e.getMessage().contains("expired on"), e.getMessage());
    }

    @Test
    void theServerCertificateEndsWithTheCaWhenThatEndsFirst() throws Exception {
        X509Certificate ca = prepare(loopback(), NOW).chain().get(1);
        Instant lateInTheCasLife = ca.getNotAfter().toInstant().minus(Duration.ofDays(100));
        X509Certificate server = prepare(loopback(), lateInTheCasLife).chain().get(0);
        assertEquals(ca.getNotAfter(), server.getNotAfter());
    }

    @Test
    void theKeyStoreHoldsTheKeyAndChainUnderOneAlias() throws Exception {
        TlsMaterial material = prepare(loopback(), NOW);
        KeyStore store = material.keyStore();
        assertEquals(List.of(TlsMaterial.KEY_ALIAS), new ArrayList<>(java.util.Collections.list(store.aliases())));
        assertEquals(material.chain(), List.of(store.getCertificateChain(TlsMaterial.KEY_ALIAS)));
        assertTrue(Pem.matches((java.security.PrivateKey) store.getKey(TlsMaterial.KEY_ALIAS, material.keyStorePassword()),
                material.chain().get(0).getPublicKey(), "key store"));
        assertArrayEquals(Files.readAllBytes(tls("server-key.pem")), Pem.privateKey(
                (java.security.PrivateKey) store.getKey(TlsMaterial.KEY_ALIAS, material.keyStorePassword()))
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
