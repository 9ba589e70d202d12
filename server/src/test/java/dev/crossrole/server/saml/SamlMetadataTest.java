package dev.crossrole.server.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** Metadata documents as IAM reads them, and the parser's refusals. */
class SamlMetadataTest {
    static final X509Certificate CERTIFICATE = certificate(2048);

    static X509Certificate certificate(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            KeyPair pair = generator.generateKeyPair();
            X500Name name = new X500Name("CN=test");
            Instant now = Instant.now();
            return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.TEN,
                    Date.from(now), Date.from(now.plusSeconds(3600)), name, pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String base64(X509Certificate certificate) throws Exception {
        return Base64.getEncoder().encodeToString(certificate.getEncoded());
    }

    static String document(String root, String keyDescriptors) {
        return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\""
                + " xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" " + root + ">"
                + "<md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
                + keyDescriptors
                + "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\""
                + " Location=\"https://idp.example.com/sso\"/></md:IDPSSODescriptor></md:EntityDescriptor>";
    }

    static String key(String use, X509Certificate certificate) throws Exception {
        return "<md:KeyDescriptor" + (use == null ? "" : " use=\"" + use + "\"") + "><ds:KeyInfo><ds:X509Data>"
                + "<ds:X509Certificate>" + base64(certificate) + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
                + "</md:KeyDescriptor>";
    }

    @Test
    void aDocumentGivesItsIssuerCertificatesAndValidity() throws Exception {
        SamlMetadata metadata = SamlMetadata.parse(document("entityID=\"https://idp.example.com\""
                + " validUntil=\"2030-01-01T00:00:00Z\"", key("signing", CERTIFICATE) + key(null, CERTIFICATE)));
        assertEquals("https://idp.example.com", metadata.entityId());
        assertEquals(1, metadata.signingCertificates().size(), "the same certificate once");
        assertEquals(Instant.parse("2030-01-01T00:00:00Z"), metadata.validUntil());
        assertNull(SamlMetadata.parse(document("entityID=\"x\"", key(null, CERTIFICATE))).validUntil());
    }

    @Test
    void whatMakesADocumentUnusable() throws Exception {
        String signing = key("signing", CERTIFICATE);
        for (String bad : new String[] {
            "not xml",
            "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"/>",
            document("", signing),
            document("entityID=\"x\"", ""),
            document("entityID=\"x\"", key("encryption", CERTIFICATE)),
            document("entityID=\"x\"", key("signing", certificate(768))),
            document("entityID=\"x\" validUntil=\"soon\"", signing),
            document("entityID=\"x\"", signing.replace(base64(CERTIFICATE), "bm90IGEgY2VydGlmaWNhdGU=")),
            "<!DOCTYPE x [<!ENTITY e \"e\">]>" + document("entityID=\"&e;\"", signing)}) {
            assertThrows(SamlException.class, () -> SamlMetadata.parse(bad), bad);
        }
    }

    @Test
    void theParserRefusesDeepNesting() throws Exception {
        String deep = "<a>".repeat(SamlXml.MAX_DEPTH + 5) + "</a>".repeat(SamlXml.MAX_DEPTH + 5);
        assertThrows(SamlException.class, () -> SamlXml.parse(deep.getBytes(StandardCharsets.UTF_8)));
        String shallow = "<a>".repeat(20) + "</a>".repeat(20);
        assertTrue(SamlXml.parse(shallow.getBytes(StandardCharsets.UTF_8)) != null);
    }

    @Test
    void theWrittenDocumentReadsBack() throws Exception {
        String written = SamlMetadata.document("https://idp.crossrole.localhost", CERTIFICATE,
                "http://127.0.0.1:4566/_crossrole/saml/idp.crossrole.localhost/sso");
        assertTrue(written.length() >= 1000, "IAM takes documents of at least 1,000 characters");
        SamlMetadata metadata = SamlMetadata.parse(written);
        assertEquals("https://idp.crossrole.localhost", metadata.entityId());
        assertEquals(CERTIFICATE, metadata.signingCertificates().get(0));
    }
}
