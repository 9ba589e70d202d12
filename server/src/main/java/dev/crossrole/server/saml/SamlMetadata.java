package dev.crossrole.server.saml;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * What IAM keeps of a SAML identity provider's metadata document: its entity id (the {@code Issuer} of its
 * responses), the certificates whose keys sign them, and the document's {@code validUntil} if it has one.
 *
 * <p>A document is accepted as IAM accepts one: a root {@code md:EntityDescriptor} with an {@code entityID} and an
 * {@code md:IDPSSODescriptor}, whose key descriptors for signing (or for no stated use) hold at least one X.509
 * certificate; an RSA key shorter than 1024 bits is refused (IAM User Guide, "Troubleshoot SAML federation").
 * Encryption-only keys are not signing keys.
 *
 * @param validUntil the root's {@code validUntil}, or {@code null} when it has none
 */
public record SamlMetadata(String entityId, List<X509Certificate> signingCertificates, Instant validUntil) {
    public SamlMetadata {
        signingCertificates = List.copyOf(signingCertificates);
    }

    /** The keys that may sign the provider's responses. */
    public List<PublicKey> signingKeys() {
        return signingCertificates.stream().map(X509Certificate::getPublicKey).toList();
    }

    /** Reads a metadata document; a {@link SamlException} says what makes it unusable. */
    public static SamlMetadata parse(String document) throws SamlException {
        String text = document.startsWith("\uFEFF") ? document.substring(1) : document;
        Document xml = SamlXml.parse(text.getBytes(StandardCharsets.UTF_8));
        Element root = xml.getDocumentElement();
        if (!SamlXml.is(root, SamlXml.METADATA, "EntityDescriptor")) {
            throw new SamlException("the root element is not md:EntityDescriptor");
        }
        String entityId = SamlXml.attribute(root, "entityID");
        if (entityId == null || entityId.isBlank()) {
            throw new SamlException("the EntityDescriptor has no entityID");
        }
        String validUntilText = SamlXml.attribute(root, "validUntil");
        Instant validUntil = validUntilText == null ? null : SamlXml.instant(validUntilText);
        List<Element> descriptors = SamlXml.children(root, SamlXml.METADATA, "IDPSSODescriptor");
        if (descriptors.isEmpty()) {
            throw new SamlException("the EntityDescriptor has no IDPSSODescriptor");
        }
        List<X509Certificate> certificates = new ArrayList<>();
        for (Element descriptor : descriptors) {
            for (Element keyDescriptor : SamlXml.children(descriptor, SamlXml.METADATA, "KeyDescriptor")) {
                String use = SamlXml.attribute(keyDescriptor, "use");
                if (use != null && !use.equals("signing")) {
                    continue;
                }
                for (Element keyInfo : SamlXml.children(keyDescriptor, SamlXml.DSIG, "KeyInfo")) {
                    for (Element data : SamlXml.children(keyInfo, SamlXml.DSIG, "X509Data")) {
                        for (Element certificate : SamlXml.children(data, SamlXml.DSIG, "X509Certificate")) {
                            X509Certificate parsed = certificate(SamlXml.text(certificate));
                            checkKey(parsed.getPublicKey());
                            if (!certificates.contains(parsed)) {
                                certificates.add(parsed);
                            }
                        }
                    }
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new SamlException("the IDPSSODescriptor has no signing certificate");
        }
        return new SamlMetadata(entityId, certificates, validUntil);
    }

    static X509Certificate certificate(String base64) throws SamlException {
        try {
            byte[] der = Base64.getMimeDecoder().decode(base64);
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (IllegalArgumentException | CertificateException e) {
            throw new SamlException("an X509Certificate is not a base64 DER certificate: " + e.getMessage(), e);
        }
    }

    private static void checkKey(PublicKey key) throws SamlException {
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 1024) {
                throw new SamlException("an RSA signing key has fewer than 1024 bits");
            }
        } else if (!(key instanceof ECPublicKey)) {
            throw new SamlException("a signing key is neither RSA nor EC (" + key.getAlgorithm() + ")");
        }
    }

    /**
     * The metadata document of an identity provider that signs with {@code certificate} and takes sign-in requests
     * at {@code ssoLocation}.
     */
    public static String document(String entityId, X509Certificate certificate, String ssoLocation) {
        String encoded;
        try {
            encoded = Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<md:EntityDescriptor xmlns:md=\"" + SamlXml.METADATA + "\" entityID=\""
                + SamlXml.escape(entityId) + "\">\n"
                + "  <md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\" protocolSupportEnumeration=\""
                + SamlXml.PROTOCOL + "\">\n"
                + "    <md:KeyDescriptor use=\"signing\">\n"
                + "      <ds:KeyInfo xmlns:ds=\"" + SamlXml.DSIG + "\">\n"
                + "        <ds:X509Data>\n"
                + "          <ds:X509Certificate>\n" + encoded + "\n</ds:X509Certificate>\n"
                + "        </ds:X509Data>\n"
                + "      </ds:KeyInfo>\n"
                + "    </md:KeyDescriptor>\n"
                + "    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>\n"
                + "    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>\n"
                + "    <md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\""
                + " Location=\"" + SamlXml.escape(ssoLocation) + "\"/>\n"
                + "  </md:IDPSSODescriptor>\n"
                + "</md:EntityDescriptor>\n";
    }
}
