package dev.crossrole.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls-cert} and {@code --tls-key}: the encodings tools write, and every way such files can be wrong. */
class PemFilesTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path dir;

    private TlsMaterial serve(Path certificate, Path key) throws Exception {
        return TlsMaterial.prepare(new TlsSettings(new TlsSettings.MainPort(), new TlsSettings.PemFiles(certificate, key)),
                dir.resolve("data"), ServerNames.of("127.0.0.1", List.of()), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private TlsException refused(Path certificate, Path key) {
        return assertThrows(TlsException.class, () -> serve(certificate, key));
    }

    private X509Certificate certificateFor(KeyPair keys) throws Exception {
        return TestCertificates.selfSigned("CN=localhost", keys, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)));
    }

    private void servesKey(KeyPair keys, String keyPem, String header) throws Exception {
        assertTrue(keyPem.startsWith("-----BEGIN " + header + "-----"), keyPem);
        X509Certificate certificate = certificateFor(keys);
        Path cert = TestCertificates.write(dir.resolve("cert.pem"), TestCertificates.certificates(certificate));
        Path key = TestCertificates.write(dir.resolve("key.pem"), keyPem);
        TlsMaterial material = serve(cert, key);
        assertEquals(List.of(certificate), material.chain());
        PrivateKey served = (PrivateKey) material.keyStore().getKey(TlsMaterial.KEY_ALIAS, material.keyStorePassword());
        assertTrue(Pem.matches(served, certificate.getPublicKey(), "served"));
        assertTrue(material.localCa().isEmpty(), "no local CA with the operator's certificate");
        assertFalse(Files.exists(dir.resolve("data").resolve("tls")), "nor anything written for one");
    }

    @Test
    void rsaKeysInPkcs8AndPkcs1() throws Exception {
        KeyPair keys = TestCertificates.rsa();
        servesKey(keys, TestCertificates.pkcs8(keys.getPrivate()), "PRIVATE KEY");
        servesKey(keys, TestCertificates.pkcs1(keys.getPrivate()), "RSA PRIVATE KEY");
    }

    @Test
    void ecKeysInPkcs8AndSec1() throws Exception {
        KeyPair keys = TestCertificates.ec();
        servesKey(keys, TestCertificates.pkcs8(keys.getPrivate()), "PRIVATE KEY");
        servesKey(keys, TestCertificates.sec1(keys, true), "EC PRIVATE KEY");
        servesKey(keys, TestCertificates.sec1(keys, false), "EC PRIVATE KEY");
        // openssl ecparam -genkey writes the curve's parameters before the key.
        servesKey(keys, "-----BEGIN EC PARAMETERS-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(SECObjectIdentifiers.secp256r1.getEncoded())
                + "\n-----END EC PARAMETERS-----\n" + TestCertificates.sec1(keys, true), "EC PARAMETERS");
    }

    @Test
    void aChainWithAnIntermediateInOrder() throws Exception {
        KeyPair root = TestCertificates.ec();
        KeyPair intermediate = TestCertificates.ec();
        KeyPair server = TestCertificates.rsa();
        Instant from = NOW.minus(Duration.ofDays(1));
        Instant to = NOW.plus(Duration.ofDays(90));
        X509Certificate intermediateCert = TestCertificates.issue("CN=intermediate", intermediate, "CN=root",
                root.getPrivate(), from, to, true);
        X509Certificate serverCert = TestCertificates.issue("CN=localhost", server, "CN=intermediate",
                intermediate.getPrivate(), from, to, false);
        Path key = TestCertificates.write(dir.resolve("key.pem"), TestCertificates.pkcs8(server.getPrivate()));
        Path chain = TestCertificates.write(dir.resolve("chain.pem"), TestCertificates.certificates(serverCert, intermediateCert));
        assertEquals(List.of(serverCert, intermediateCert), serve(chain, key).chain());

        Path reversed = TestCertificates.write(dir.resolve("reversed.pem"), TestCertificates.certificates(intermediateCert, serverCert));
        TlsException e = refused(reversed, key);
        assertTrue(e.getMessage().contains("is not the key of the first certificate"), e.getMessage());
        Path misordered = TestCertificates.write(dir.resolve("misordered.pem"), TestCertificates.certificates(serverCert,
                TestCertificates.selfSigned("CN=stranger", TestCertificates.ec(), from, to)));
        TlsException stranger = refused(misordered, key);
        assertTrue(stranger.getMessage().contains("certificate 1 (CN=localhost) is not issued by the certificate after it"),
                stranger.getMessage());
    }

    @Test
    void missingFiles() throws Exception {
        KeyPair keys = TestCertificates.ec();
        Path cert = TestCertificates.write(dir.resolve("cert.pem"), TestCertificates.certificates(certificateFor(keys)));
        Path key = TestCertificates.write(dir.resolve("key.pem"), TestCertificates.pkcs8(keys.getPrivate()));
        assertEquals("--tls-cert " + dir.resolve("none.pem") + ": no such file", refused(dir.resolve("none.pem"), key).getMessage());
        assertEquals("--tls-key " + dir.resolve("none.pem") + ": no such file", refused(cert, dir.resolve("none.pem")).getMessage());
        assertEquals("--tls-cert " + dir + " is a folder, not a PEM file", refused(dir, key).getMessage());
    }

    @Test
    void filesThatAreNotPem() throws Exception {
        KeyPair keys = TestCertificates.ec();
        X509Certificate certificate = certificateFor(keys);
        Path cert = TestCertificates.write(dir.resolve("cert.pem"), TestCertificates.certificates(certificate));
        Path key = TestCertificates.write(dir.resolve("key.pem"), TestCertificates.pkcs8(keys.getPrivate()));
        Path der = Files.write(dir.resolve("cert.der"), certificate.getEncoded());
        assertTrue(refused(der, key).getMessage().endsWith("cert.der holds no PEM certificate (a block -----BEGIN CERTIFICATE-----)"));
        Path text = TestCertificates.write(dir.resolve("notes.txt"), "hello\n");
        assertTrue(refused(text, key).getMessage().contains("holds no PEM certificate"));
        assertTrue(refused(cert, text).getMessage().contains("--tls-key " + text + " holds no PEM private key"));
        // The certificate given as the key: PEM, but no key in it.
        assertTrue(refused(cert, cert).getMessage().contains("holds no PEM private key"));
        Path damaged = TestCertificates.write(dir.resolve("damaged.pem"),
                "-----BEGIN CERTIFICATE-----\nMIIB!!!notbase64\n-----END CERTIFICATE-----\n");
        TlsException e = refused(damaged, key);
        assertTrue(e.getMessage().startsWith("--tls-cert " + damaged + " is not a valid PEM file"), e.getMessage());
        Path damagedKey = TestCertificates.write(dir.resolve("damaged-key.pem"),
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertTrue(refused(cert, damagedKey).getMessage().startsWith("--tls-key " + damagedKey), "names the key file");
    }

    @Test
    void aKeyThatIsNotTheCertificatesKey() throws Exception {
        Path cert = TestCertificates.write(dir.resolve("cert.pem"), TestCertificates.certificates(certificateFor(TestCertificates.ec())));
        Path otherEc = TestCertificates.write(dir.resolve("other-ec.pem"), TestCertificates.pkcs8(TestCertificates.ec().getPrivate()));
        Path rsa = TestCertificates.write(dir.resolve("rsa.pem"), TestCertificates.pkcs8(TestCertificates.rsa().getPrivate()));
        assertEquals("--tls-key " + otherEc + " is not the key of the first certificate in --tls-cert " + cert + " (CN=localhost)",
                refused(cert, otherEc).getMessage());
        assertTrue(refused(cert, rsa).getMessage().contains("is not the key of the first certificate"));
    }

    @Test
    void twoKeysInOneFile() throws Exception {
        KeyPair keys = TestCertificates.ec();
        Path cert = TestCertificates.write(dir.resolve("cert.pem"), TestCertificates.certificates(certificateFor(keys)));
        Path key = TestCertificates.write(dir.resolve("key.pem"), TestCertificates.pkcs8(keys.getPrivate())
                + TestCertificates.pkcs8(TestCertificates.ec().getPrivate()));
        assertTrue(refused(cert, key).getMessage().contains("holds more than one private key"));
    }

    @Test
    void anExpiredOrNotYetValidCertificate() throws Exception {
        KeyPair keys = TestCertificates.ec();
        Path key = TestCertificates.write(dir.resolve("key.pem"), TestCertificates.pkcs8(keys.getPrivate()));
        Instant end = NOW.minus(Duration.ofDays(1));
        Path expired = TestCertificates.write(dir.resolve("expired.pem"), TestCertificates.certificates(
                TestCertificates.selfSigned("CN=localhost", keys, NOW.minus(Duration.ofDays(90)), end)));
        assertEquals("--tls-cert " + expired + ": certificate 1 (CN=localhost) expired on " + end,
                refused(expired, key).getMessage());
        Instant start = NOW.plus(Duration.ofDays(1));
        Path early = TestCertificates.write(dir.resolve("early.pem"), TestCertificates.certificates(
                TestCertificates.selfSigned("CN=localhost", keys, start, NOW.plus(Duration.ofDays(90)))));
        assertEquals("--tls-cert " + early + ": certificate 1 (CN=localhost) is not valid before " + start,
                refused(early, key).getMessage());
    }

    @Test
    void anEncryptedKeyIsRefusedWithHowToDecryptIt() throws Exception {
        KeyPair keys = TestCertificates.ec();
        Path cert = TestCertificates.write(dir.resolve("cert.pem"), TestCertificates.certificates(certificateFor(keys)));
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC)
                .setPassword("secret".toCharArray()).build();
        String encrypted = TestCertificates.pem(new JcaPKCS8Generator(keys.getPrivate(), encryptor));
        assertTrue(encrypted.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), encrypted);
        Path key = TestCertificates.write(dir.resolve("key.pem"), encrypted);
        TlsException e = refused(cert, key);
        assertTrue(e.getMessage().contains("holds an encrypted private key") && e.getMessage().contains("openssl pkey"),
                e.getMessage());
    }
}
