package dev.crossrole.server.saml;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * XML Encryption of a SAML assertion ({@code saml:EncryptedAssertion}) as identity providers do it for a service
 * provider's key: the assertion encrypted with a fresh AES key (GCM or CBC), that key encrypted with the service
 * provider's RSA key (RSA-OAEP). RSA PKCS#1 v1.5 key transport is refused: it is open to padding-oracle attacks.
 */
public final class XmlEncryption {
    static final String AES128_CBC = SamlXml.XENC + "aes128-cbc";
    static final String AES192_CBC = SamlXml.XENC + "aes192-cbc";
    static final String AES256_CBC = SamlXml.XENC + "aes256-cbc";
    static final String AES128_GCM = SamlXml.XENC11 + "aes128-gcm";
    static final String AES192_GCM = SamlXml.XENC11 + "aes192-gcm";
    static final String AES256_GCM = SamlXml.XENC11 + "aes256-gcm";
    static final String RSA_OAEP_MGF1P = SamlXml.XENC + "rsa-oaep-mgf1p";
    static final String RSA_OAEP = SamlXml.XENC11 + "rsa-oaep";
    private static final Map<String, Integer> DATA_KEY_BYTES = Map.of(AES128_CBC, 16, AES192_CBC, 24, AES256_CBC, 32,
            AES128_GCM, 16, AES192_GCM, 24, AES256_GCM, 32);
    private static final Map<String, String> DIGESTS = Map.of(SamlXml.DSIG + "sha1", "SHA-1",
            SamlXml.XENC + "sha256", "SHA-256", SamlXml.XENC + "sha512", "SHA-512",
            "http://www.w3.org/2001/04/xmldsig-more#sha384", "SHA-384");
    private static final Map<String, MGF1ParameterSpec> MGFS = Map.of(SamlXml.XENC11 + "mgf1sha1", MGF1ParameterSpec.SHA1,
            SamlXml.XENC11 + "mgf1sha256", MGF1ParameterSpec.SHA256, SamlXml.XENC11 + "mgf1sha384",
            MGF1ParameterSpec.SHA384, SamlXml.XENC11 + "mgf1sha512", MGF1ParameterSpec.SHA512);

    private XmlEncryption() {}

    /**
     * Replaces {@code assertion} (an element of its document) with a {@code saml:EncryptedAssertion} holding it
     * encrypted for {@code recipient} (an RSA key): AES-256-GCM, the key by RSA-OAEP.
     */
    public static Element encrypt(Element assertion, PublicKey recipient, SecureRandom random) {
        Document document = assertion.getOwnerDocument();
        byte[] plaintext = SamlXml.serialize(assertion);
        try {
            byte[] key = new byte[32];
            random.nextBytes(key);
            byte[] iv = new byte[12];
            random.nextBytes(iv);
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            byte[] sealed = aes.doFinal(plaintext);
            byte[] data = new byte[iv.length + sealed.length];
            System.arraycopy(iv, 0, data, 0, iv.length);
            System.arraycopy(sealed, 0, data, iv.length, sealed.length);
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
            rsa.init(Cipher.ENCRYPT_MODE, recipient, new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1,
                    PSource.PSpecified.DEFAULT), random);
            byte[] wrappedKey = rsa.doFinal(key);

            Element encryptedAssertion = document.createElementNS(SamlXml.ASSERTION, "saml:EncryptedAssertion");
            Element encryptedData = document.createElementNS(SamlXml.XENC, "xenc:EncryptedData");
            encryptedData.setAttributeNS("http://www.w3.org/2000/xmlns/", "xmlns:xenc", SamlXml.XENC);
            encryptedData.setAttributeNS(null, "Type", SamlXml.XENC + "Element");
            encryptedData.appendChild(method(document, AES256_GCM));
            Element keyInfo = document.createElementNS(SamlXml.DSIG, "ds:KeyInfo");
            keyInfo.setAttributeNS("http://www.w3.org/2000/xmlns/", "xmlns:ds", SamlXml.DSIG);
            Element encryptedKey = document.createElementNS(SamlXml.XENC, "xenc:EncryptedKey");
            Element keyMethod = method(document, RSA_OAEP_MGF1P);
            Element digest = document.createElementNS(SamlXml.DSIG, "ds:DigestMethod");
            digest.setAttributeNS(null, "Algorithm", SamlXml.DSIG + "sha1");
            keyMethod.appendChild(digest);
            encryptedKey.appendChild(keyMethod);
            encryptedKey.appendChild(cipherData(document, wrappedKey));
            keyInfo.appendChild(encryptedKey);
            encryptedData.appendChild(keyInfo);
            encryptedData.appendChild(cipherData(document, data));
            encryptedAssertion.appendChild(encryptedData);
            assertion.getParentNode().replaceChild(encryptedAssertion, assertion);
            return encryptedAssertion;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt the assertion: " + e.getMessage(), e);
        }
    }

    private static Element method(Document document, String algorithm) {
        Element method = document.createElementNS(SamlXml.XENC, "xenc:EncryptionMethod");
        method.setAttributeNS(null, "Algorithm", algorithm);
        return method;
    }

    private static Element cipherData(Document document, byte[] value) {
        Element cipherData = document.createElementNS(SamlXml.XENC, "xenc:CipherData");
        Element cipherValue = document.createElementNS(SamlXml.XENC, "xenc:CipherValue");
        cipherValue.setTextContent(Base64.getEncoder().encodeToString(value));
        cipherData.appendChild(cipherValue);
        return cipherData;
    }

    /**
     * The assertion inside {@code encryptedAssertion}, decrypted with the first of {@code keys} that opens one of its
     * encrypted keys. It comes back as the one element of a document of its own, under an element that declares the
     * namespaces in scope where it was, so that its own signature can be checked as it was made.
     */
    public static Element decrypt(Element encryptedAssertion, List<PrivateKey> keys) throws SamlException {
        Element encryptedData = SamlXml.child(encryptedAssertion, SamlXml.XENC, "EncryptedData");
        if (encryptedData == null) {
            throw new SamlException("the EncryptedAssertion has no EncryptedData");
        }
        String dataAlgorithm = algorithm(encryptedData);
        Integer keyBytes = DATA_KEY_BYTES.get(dataAlgorithm);
        if (keyBytes == null) {
            throw new SamlException("the data encryption " + dataAlgorithm + " is not supported");
        }
        byte[] data = cipherValue(encryptedData);
        List<Element> encryptedKeys = new ArrayList<>();
        var found = encryptedAssertion.getElementsByTagNameNS(SamlXml.XENC, "EncryptedKey");
        for (int i = 0; i < found.getLength() && i < 4; i++) {
            encryptedKeys.add((Element) found.item(i));
        }
        if (encryptedKeys.isEmpty()) {
            throw new SamlException("the EncryptedAssertion has no EncryptedKey");
        }
        byte[] plaintext = null;
        for (PrivateKey key : keys) {
            for (Element encryptedKey : encryptedKeys) {
                byte[] contentKey = unwrap(encryptedKey, key);
                if (contentKey != null && contentKey.length == keyBytes) {
                    plaintext = decryptData(dataAlgorithm, contentKey, data);
                    if (plaintext != null) {
                        break;
                    }
                }
            }
            if (plaintext != null) {
                break;
            }
        }
        if (plaintext == null) {
            throw new SamlException("none of the provider's private keys decrypts the assertion");
        }
        Document decrypted = SamlXml.parse(wrap(encryptedAssertion, plaintext));
        List<Element> children = new ArrayList<>();
        for (Node node = decrypted.getDocumentElement().getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element) {
                children.add(element);
            } else if (node.getNodeType() == Node.TEXT_NODE && !node.getTextContent().isBlank()) {
                throw new SamlException("the decrypted content is not a single element");
            }
        }
        if (children.size() != 1 || !SamlXml.is(children.get(0), SamlXml.ASSERTION, "Assertion")) {
            throw new SamlException("the decrypted content is not one saml:Assertion");
        }
        return children.get(0);
    }

    private static String algorithm(Element encrypted) throws SamlException {
        Element method = SamlXml.child(encrypted, SamlXml.XENC, "EncryptionMethod");
        String algorithm = method == null ? null : SamlXml.attribute(method, "Algorithm");
        if (algorithm == null) {
            throw new SamlException(encrypted.getLocalName() + " names no EncryptionMethod");
        }
        return algorithm;
    }

    private static byte[] cipherValue(Element encrypted) throws SamlException {
        Element cipherData = SamlXml.child(encrypted, SamlXml.XENC, "CipherData");
        Element cipherValue = cipherData == null ? null : SamlXml.child(cipherData, SamlXml.XENC, "CipherValue");
        if (cipherValue == null) {
            throw new SamlException(encrypted.getLocalName() + " has no CipherData/CipherValue");
        }
        try {
            return Base64.getMimeDecoder().decode(SamlXml.text(cipherValue));
        } catch (IllegalArgumentException e) {
            throw new SamlException("a CipherValue is not base64");
        }
    }

    /** The content key, or {@code null} when this private key does not open this encrypted key. */
    private static byte[] unwrap(Element encryptedKey, PrivateKey key) throws SamlException {
        String algorithm = algorithm(encryptedKey);
        Element method = SamlXml.child(encryptedKey, SamlXml.XENC, "EncryptionMethod");
        String digest = "SHA-1";
        MGF1ParameterSpec mgf = MGF1ParameterSpec.SHA1;
        Element digestMethod = SamlXml.child(method, SamlXml.DSIG, "DigestMethod");
        if (digestMethod != null) {
            digest = DIGESTS.get(SamlXml.attribute(digestMethod, "Algorithm"));
            if (digest == null) {
                throw new SamlException("the key transport digest " + SamlXml.attribute(digestMethod, "Algorithm")
                        + " is not supported");
            }
        }
        if (algorithm.equals(RSA_OAEP)) {
            Element mgfElement = SamlXml.child(method, SamlXml.XENC11, "MGF");
            if (mgfElement != null) {
                mgf = MGFS.get(SamlXml.attribute(mgfElement, "Algorithm"));
                if (mgf == null) {
                    throw new SamlException("the mask generation function " + SamlXml.attribute(mgfElement, "Algorithm")
                            + " is not supported");
                }
            }
        } else if (!algorithm.equals(RSA_OAEP_MGF1P)) {
            throw new SamlException("the key transport " + algorithm + " is not supported (RSA-OAEP only)");
        }
        byte[] wrapped = cipherValue(encryptedKey);
        try {
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
            rsa.init(Cipher.DECRYPT_MODE, key, new OAEPParameterSpec(digest, "MGF1", mgf, PSource.PSpecified.DEFAULT));
            return rsa.doFinal(wrapped);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    private static byte[] decryptData(String algorithm, byte[] key, byte[] data) {
        try {
            SecretKeySpec secret = new SecretKeySpec(key, "AES");
            if (algorithm.startsWith(SamlXml.XENC11)) {
                if (data.length < 12 + 16) {
                    return null;
                }
                Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
                aes.init(Cipher.DECRYPT_MODE, secret, new GCMParameterSpec(128, data, 0, 12));
                return aes.doFinal(data, 12, data.length - 12);
            }
            if (data.length < 32 || data.length % 16 != 0) {
                return null;
            }
            Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, secret, new IvParameterSpec(data, 0, 16));
            byte[] padded = aes.doFinal(data, 16, data.length - 16);
            int pad = padded[padded.length - 1] & 0xFF;
            if (pad < 1 || pad > 16) {
                return null;
            }
            return Arrays.copyOf(padded, padded.length - pad);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** The plaintext under an element declaring every namespace in scope at {@code context}. */
    private static byte[] wrap(Element context, byte[] plaintext) {
        Map<String, String> namespaces = new LinkedHashMap<>();
        for (Node node = context; node instanceof Element element; node = node.getParentNode()) {
            NamedNodeMap attributes = element.getAttributes();
            for (int i = 0; i < attributes.getLength(); i++) {
                Attr attribute = (Attr) attributes.item(i);
                if ("http://www.w3.org/2000/xmlns/".equals(attribute.getNamespaceURI())) {
                    namespaces.putIfAbsent(attribute.getName(), attribute.getValue());
                }
            }
        }
        StringBuilder open = new StringBuilder("<decrypted");
        namespaces.forEach((name, uri) -> open.append(' ').append(name).append("=\"").append(SamlXml.escape(uri))
                .append('"'));
        open.append('>');
        String text = new String(plaintext, StandardCharsets.UTF_8);
        if (text.startsWith("<?xml")) {
            int end = text.indexOf("?>");
            text = end < 0 ? text : text.substring(end + 2);
        }
        return (open + text + "</decrypted>").getBytes(StandardCharsets.UTF_8);
    }
}
