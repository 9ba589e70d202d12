package dev.crossrole.server.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Encrypted assertions as identity providers make them, and the private keys that open them. */
class XmlEncryptionTest {
    static final KeyPair RSA = pair("RSA", 2048);
    static final String ASSERTION = "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_a\""
            + " Version=\"2.0\"><saml:Issuer>https://idp.example.com</saml:Issuer></saml:Assertion>";
    final SecureRandom random = new SecureRandom();

    static KeyPair pair(String algorithm, int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.equals("EC")) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                generator.initialize(bits);
            }
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Document response(String inner) throws Exception {
        return SamlXml.parse(("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\""
                + " xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r\" Version=\"2.0\">" + inner
                + "</samlp:Response>").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAssertionEncryptedForAKeyOpensWithItAndNoOther() throws Exception {
        Document document = response(ASSERTION);
        Element assertion = SamlXml.children(document.getDocumentElement(), SamlXml.ASSERTION, "Assertion").get(0);
        Element encrypted = XmlEncryption.encrypt(assertion, RSA.getPublic(), random);
        Document reread = SamlXml.parse(SamlXml.serialize(document));
        Element holder = SamlXml.children(reread.getDocumentElement(), SamlXml.ASSERTION, "EncryptedAssertion").get(0);
        assertTrue(SamlXml.all(reread, SamlXml.ASSERTION, "Assertion").isEmpty(), "nothing in clear");
        Element decrypted = XmlEncryption.decrypt(holder, List.of(pair("RSA", 2048).getPrivate(), RSA.getPrivate()));
        assertEquals("_a", decrypted.getAttribute("ID"));
        assertEquals("https://idp.example.com", SamlXml.text(SamlXml.child(decrypted, SamlXml.ASSERTION, "Issuer")));
        assertEquals("EncryptedAssertion", encrypted.getLocalName());
        assertThrows(SamlException.class, () -> XmlEncryption.decrypt(holder, List.of(pair("RSA", 2048).getPrivate())));
    }

    /** AES-128-CBC with the key sent beside the data by XML Encryption 1.1's RSA-OAEP (SHA-256, MGF1 SHA-256). */
    @Test
    void cbcAndOaepWithSha256AsShibbolethSendsThem() throws Exception {
        byte[] key = new byte[16];
        random.nextBytes(key);
        byte[] iv = new byte[16];
        random.nextBytes(iv);
        byte[] plain = ASSERTION.getBytes(StandardCharsets.UTF_8);
        int pad = 16 - plain.length % 16;
        byte[] padded = java.util.Arrays.copyOf(plain, plain.length + pad);
        padded[padded.length - 1] = (byte) pad;
        Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        byte[] body = aes.doFinal(padded);
        byte[] data = new byte[16 + body.length];
        System.arraycopy(iv, 0, data, 0, 16);
        System.arraycopy(body, 0, data, 16, body.length);
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
        rsa.init(Cipher.ENCRYPT_MODE, RSA.getPublic(), new OAEPParameterSpec("SHA-256", "MGF1",
                MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
        byte[] wrapped = rsa.doFinal(key);
        String xenc = "xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\" xmlns:xenc11=\"http://www.w3.org/2009/xmlenc11#\""
                + " xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"";
        String encryptedAssertion = "<saml:EncryptedAssertion " + xenc + ">"
                + "<xenc:EncryptedData Type=\"http://www.w3.org/2001/04/xmlenc#Element\">"
                + "<xenc:EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes128-cbc\"/>"
                + "<ds:KeyInfo><ds:RetrievalMethod Type=\"http://www.w3.org/2001/04/xmlenc#EncryptedKey\" URI=\"#_k\"/>"
                + "</ds:KeyInfo><xenc:CipherData><xenc:CipherValue>" + Base64.getEncoder().encodeToString(data)
                + "</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>"
                + "<xenc:EncryptedKey Id=\"_k\"><xenc:EncryptionMethod Algorithm=\"http://www.w3.org/2009/xmlenc11#rsa-oaep\">"
                + "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>"
                + "<xenc11:MGF Algorithm=\"http://www.w3.org/2009/xmlenc11#mgf1sha256\"/></xenc:EncryptionMethod>"
                + "<xenc:CipherData><xenc:CipherValue>" + Base64.getEncoder().encodeToString(wrapped)
                + "</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></saml:EncryptedAssertion>";
        Document document = response(encryptedAssertion);
        Element holder = SamlXml.children(document.getDocumentElement(), SamlXml.ASSERTION, "EncryptedAssertion").get(0);
        assertEquals("_a", XmlEncryption.decrypt(holder, List.of(RSA.getPrivate())).getAttribute("ID"));

        // The same with RSA PKCS#1 v1.5 key transport: refused, whatever the key.
        Document weak = response(encryptedAssertion.replace("http://www.w3.org/2009/xmlenc11#rsa-oaep",
                "http://www.w3.org/2001/04/xmlenc#rsa-1_5"));
        Element weakHolder = SamlXml.children(weak.getDocumentElement(), SamlXml.ASSERTION, "EncryptedAssertion").get(0);
        assertThrows(SamlException.class, () -> XmlEncryption.decrypt(weakHolder, List.of(RSA.getPrivate())));
    }

    static String pem(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    @Test
    void privateKeysAreUnencryptedRsaPem() throws Exception {
        String pkcs8 = pem(new JcaPKCS8Generator(RSA.getPrivate(), null));
        assertTrue(PrivateKeys.sameKey(RSA.getPrivate(), PrivateKeys.parse(pkcs8)));
        String pkcs1 = pem(RSA.getPrivate());
        assertTrue(pkcs1.contains("BEGIN RSA PRIVATE KEY"), pkcs1);
        assertTrue(PrivateKeys.sameKey(RSA.getPrivate(), PrivateKeys.parse(pkcs1)));
        assertEquals(RSA.getPublic(), PrivateKeys.publicKey(PrivateKeys.parse(pkcs1)));

        for (String bad : new String[] {
            "",
            "not a key",
            pem(new JcaPKCS8Generator(pair("EC", 256).getPrivate(), null)),
            pem(new JcaPKCS8Generator(pair("RSA", 1024).getPrivate(), null)),
            pkcs8 + pkcs8,
            pem(RSA.getPublic())}) {
            assertThrows(SamlException.class, () -> PrivateKeys.parse(bad), bad);
        }
    }
}
