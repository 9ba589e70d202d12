package dev.crossrole.server.sns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Signatures a subscriber verifies with nothing but the JDK and the certificate crossrole serves. */
class NotificationSignerTest {
    @Test
    void signaturesVerifyWithTheServedCertificateInBothVersions() throws Exception {
        TopicDirectory directory = new TopicDirectory(Clock.systemUTC());
        NotificationSigner signer = new NotificationSigner(directory);
        assertNull(signer.certificatePem("SimpleNotificationService-x.pem"), "no key before the first signature");
        String text = "Message\nhello\nMessageId\n1\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\n"
                + "arn:aws:sns:us-east-1:111122223333:t\nType\nNotification\n";
        String v1 = signer.sign(text, "1");
        String v2 = signer.sign(text, "2");
        String name = signer.certificateName();
        assertTrue(name.matches("SimpleNotificationService-[0-9a-f]{32}\\.pem"), name);
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(signer.certificatePem(name).getBytes(StandardCharsets.US_ASCII)));
        certificate.checkValidity();
        assertTrue(verify("SHA1withRSA", certificate, text, v1));
        assertTrue(verify("SHA256withRSA", certificate, text, v2));
        assertFalse(verify("SHA1withRSA", certificate, text.replace("hello", "hullo"), v1));
        assertNull(signer.certificatePem("SimpleNotificationService-other.pem"));
        // Another signer over the same state (a restart, another node) signs with the same key.
        assertEquals(name, new NotificationSigner(directory).certificateName());
    }

    private static boolean verify(String algorithm, X509Certificate certificate, String text, String signature)
            throws Exception {
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(text.getBytes(StandardCharsets.UTF_8));
        return verifier.verify(Base64.getDecoder().decode(signature));
    }
}
