package dev.crossrole.server.saml;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The private keys an IAM SAML provider decrypts assertions with ({@code AddPrivateKey}): an unencrypted RSA key in
 * PEM, PKCS#8 ({@code BEGIN PRIVATE KEY}) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), as OpenSSL and identity
 * providers write them. Encrypted assertions carry their content key encrypted with RSA-OAEP, so only RSA keys can
 * decrypt them.
 */
public final class PrivateKeys {
    private PrivateKeys() {}

    /** The key of a PEM text; a {@link SamlException} says why it is not usable. */
    public static PrivateKey parse(String pem) throws SamlException {
        Object object;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            object = parser.readObject();
            if (object == null) {
                throw new SamlException("no PEM object was found");
            }
            if (parser.readObject() != null) {
                throw new SamlException("more than one PEM object was found");
            }
        } catch (IOException | RuntimeException e) {
            throw new SamlException("not a PEM private key: " + e.getMessage(), e);
        }
        PrivateKey key;
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PEMKeyPair pair) {
                key = converter.getKeyPair(pair).getPrivate();
            } else if (object instanceof PrivateKeyInfo info) {
                key = converter.getPrivateKey(info);
            } else {
                throw new SamlException("the PEM object is not an unencrypted private key ("
                        + object.getClass().getSimpleName() + ")");
            }
        } catch (IOException e) {
            throw new SamlException("the private key cannot be read: " + e.getMessage(), e);
        }
        if (!(key instanceof RSAPrivateCrtKey rsa)) {
            throw new SamlException("the key is " + key.getAlgorithm() + ", not RSA");
        }
        if (rsa.getModulus().bitLength() < 2048) {
            throw new SamlException("the RSA key has fewer than 2048 bits");
        }
        return key;
    }

    /** The public half of an RSA private key (its modulus and public exponent). */
    public static PublicKey publicKey(PrivateKey key) {
        if (!(key instanceof RSAPrivateCrtKey rsa)) {
            throw new IllegalArgumentException("not an RSA private key with its public exponent");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(),
                    rsa.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether two RSA keys are the same key (same modulus). */
    public static boolean sameKey(PrivateKey a, PrivateKey b) {
        BigInteger left = a instanceof RSAPrivateCrtKey x ? x.getModulus() : null;
        return left != null && b instanceof RSAPrivateCrtKey y && left.equals(y.getModulus());
    }
}
