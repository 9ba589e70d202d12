package dev.crossrole.server.iam;

import dev.crossrole.server.protocol.AwsException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * SSH public keys as IAM takes them for CodeCommit: RSA keys of at least 2048 bits, in OpenSSH's one-line
 * {@code ssh-rsa} form, RFC 4716's {@code ---- BEGIN SSH2 PUBLIC KEY ----} form, or PEM ({@code BEGIN PUBLIC KEY}
 * or {@code BEGIN RSA PUBLIC KEY}). A key is kept in SSH wire form ({@code string "ssh-rsa", mpint e, mpint n}); its
 * fingerprint is the MD5 digest of that form in colon-separated lower-case hex, as {@code ssh-keygen -E md5 -l}
 * prints it.
 */
final class SshKeys {
    static final int MIN_BITS = 2048;
    private static final String RSA = "ssh-rsa";

    private SshKeys() {}

    static AwsException invalid(String message) {
        return new AwsException("InvalidPublicKey", 400, message);
    }

    static AwsException unrecognized() {
        return new AwsException("UnrecognizedPublicKeyEncoding", 400,
                "The public key encoding format is unsupported or unrecognized. The public key must be encoded in"
                        + " ssh-rsa format or PEM format.");
    }

    /** The SSH wire form of an uploaded key; IAM's errors for a key it does not take. */
    static byte[] parse(String body) {
        String text = body.strip();
        byte[] wire;
        if (text.startsWith("-----BEGIN ")) {
            wire = wire(pemKey(text));
        } else if (text.startsWith("---- BEGIN SSH2 PUBLIC KEY ----")) {
            wire = rfc4716(text);
        } else {
            String[] parts = text.split("\\s+", 3);
            if (parts.length < 2 || !parts[0].equals(RSA)) {
                throw unrecognized();
            }
            wire = base64(parts[1]);
        }
        RSAPublicKey key = rsa(wire);
        if (key.getModulus().bitLength() < MIN_BITS) {
            throw invalid("The public key is " + key.getModulus().bitLength() + " bits long; the minimum bit-length of"
                    + " the public key is " + MIN_BITS + " bits.");
        }
        return wire(key);
    }

    private static byte[] base64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw invalid("The public key is malformed: its base64 cannot be decoded.");
        }
    }

    private static PublicKey pemKey(String text) {
        Object object;
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            object = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw invalid("The public key is malformed: its PEM cannot be read.");
        }
        if (!(object instanceof SubjectPublicKeyInfo info)) {
            throw unrecognized();
        }
        try {
            return new JcaPEMKeyConverter().getPublicKey(info);
        } catch (IOException | RuntimeException e) {
            throw unrecognized(); // not RSA, or an algorithm the JDK does not know
        }
    }

    /** RFC 4716: header lines ({@code Comment: ...}, continued with a backslash), then the base64 of the wire form. */
    private static byte[] rfc4716(String text) {
        String[] lines = text.split("\\R");
        if (!lines[lines.length - 1].strip().equals("---- END SSH2 PUBLIC KEY ----")) {
            throw invalid("The public key is malformed: it has no ---- END SSH2 PUBLIC KEY ---- line.");
        }
        StringBuilder base64 = new StringBuilder();
        boolean continued = false;
        for (int i = 1; i < lines.length - 1; i++) {
            String line = lines[i].strip();
            if (continued || line.contains(":")) {
                continued = line.endsWith("\\");
                continue;
            }
            base64.append(line);
        }
        return base64(base64.toString());
    }

    /** The RSA key of an SSH wire form; a form of another type is unrecognized, a damaged one invalid. */
    static RSAPublicKey rsa(byte[] wire) {
        ByteBuffer in = ByteBuffer.wrap(wire);
        try {
            String type = new String(field(in), StandardCharsets.US_ASCII);
            if (!type.equals(RSA)) {
                throw unrecognized();
            }
            BigInteger e = new BigInteger(field(in));
            BigInteger n = new BigInteger(field(in));
            if (in.hasRemaining() || e.signum() <= 0 || n.signum() <= 0) {
                throw invalid("The public key is malformed.");
            }
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | GeneralSecurityException ex) {
            throw invalid("The public key is malformed.");
        }
    }

    private static byte[] field(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("field length");
        }
        byte[] out = new byte[length];
        in.get(out);
        return out;
    }

    /** The SSH wire form of an RSA key. */
    static byte[] wire(PublicKey key) {
        if (!(key instanceof RSAPublicKey rsa)) {
            throw unrecognized();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        put(out, RSA.getBytes(StandardCharsets.US_ASCII));
        put(out, rsa.getPublicExponent().toByteArray());
        put(out, rsa.getModulus().toByteArray());
        return out.toByteArray();
    }

    private static void put(ByteArrayOutputStream out, byte[] field) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(field.length).array());
        out.writeBytes(field);
    }

    /** The MD5 fingerprint of a wire form: 16 bytes as colon-separated lower-case hex. */
    static String fingerprint(byte[] wire) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(wire);
            return HexFormat.ofDelimiter(":").formatHex(digest).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
    }

    /** The one-line OpenSSH form ({@code ssh-rsa AAAA...}). */
    static String ssh(byte[] wire) {
        return RSA + " " + Base64.getEncoder().encodeToString(wire);
    }

    /** The PEM form of the key: an X.509 SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}). */
    static String pem(byte[] wire) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(rsa(wire).getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n";
    }

    /** Whether an uploaded body is in PEM form (so that it is given back as uploaded when PEM is asked for). */
    static boolean isPem(String body) {
        return body.strip().startsWith("-----BEGIN ");
    }

    /** Whether an uploaded body is in OpenSSH's one-line form. */
    static boolean isOneLine(String body) {
        return body.strip().startsWith(RSA + " ");
    }
}
