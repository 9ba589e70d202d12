package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The QR encoder against symbols made by another encoder (python3-qrcode 7.4.2, with the same version and mask
 * forced: the files in {@code src/test/resources/qr/}), and its PNG as an image reader sees it. (During development
 * every level L/M/Q/H, all eight masks and versions 1 to 40 were compared the same way, and zbarimg decoded the PNGs.)
 */
class QrCodeTest {
    private record Reference(String text, int version, int mask, List<String> rows) {}

    private static Reference reference(String resource) throws IOException {
        try (InputStream in = QrCodeTest.class.getResourceAsStream("/qr/" + resource)) {
            assertNotNull(in, resource);
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            String header = lines.get(0);
            int version = Integer.parseInt(header.replaceAll(".*version (\\d+),.*", "$1"));
            int mask = Integer.parseInt(header.replaceAll(".*mask (\\d+):.*", "$1"));
            return new Reference(lines.get(1), version, mask, new ArrayList<>(lines.subList(2, lines.size())));
        }
    }

    private static List<String> rows(QrCode qr) {
        List<String> rows = new ArrayList<>();
        for (int y = 0; y < qr.size(); y++) {
            StringBuilder row = new StringBuilder();
            for (int x = 0; x < qr.size(); x++) {
                row.append(qr.dark(x, y) ? '1' : '0');
            }
            rows.add(row.toString());
        }
        return rows;
    }

    @Test
    void anOtpauthUriEncodesAsAnotherEncoderEncodesIt() throws IOException {
        Reference ref = reference("otpauth-M-mask3.txt");
        QrCode qr = QrCode.encode(ref.text().getBytes(StandardCharsets.UTF_8), QrCode.Ecc.M, ref.mask());
        assertEquals(ref.version(), qr.version());
        assertEquals(ref.rows(), rows(qr));
    }

    @Test
    void aLargerSymbolWithVersionInformationAndManyBlocks() throws IOException {
        Reference ref = reference("text300-M-mask6.txt");
        QrCode qr = QrCode.encode(ref.text().getBytes(StandardCharsets.UTF_8), QrCode.Ecc.M, ref.mask());
        assertEquals(13, qr.version());
        assertEquals(ref.rows(), rows(qr));
    }

    @Test
    void theSmallestVersionThatHoldsTheTextIsChosen() {
        assertEquals(1, QrCode.encode("a", QrCode.Ecc.M).version());
        // Version 1-M holds 14 bytes, version 2-M 26.
        assertEquals(1, QrCode.encode("x".repeat(14), QrCode.Ecc.M).version());
        assertEquals(2, QrCode.encode("x".repeat(15), QrCode.Ecc.M).version());
        assertEquals(40, QrCode.encode("x".repeat(2331), QrCode.Ecc.M).version());
        assertNull(QrCode.encode("x".repeat(2332), QrCode.Ecc.M), "too long for any version");
        QrCode chosen = QrCode.encode("otpauth://totp/x@111122223333?secret=ABC", QrCode.Ecc.M);
        assertTrue(chosen.mask() >= 0 && chosen.mask() < 8);
    }

    @Test
    void thePngIsAnImageOfTheSymbolWithItsMargin() throws IOException {
        QrCode qr = QrCode.encode("otpauth://totp/dev@111122223333?secret=" + "A".repeat(64), QrCode.Ecc.M);
        int scale = 5;
        byte[] png = qr.png(scale);
        assertEquals((byte) 0x89, png[0]);
        assertEquals("PNG", new String(png, 1, 3, StandardCharsets.US_ASCII));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(image, "a PNG that ImageIO reads");
        int pixels = (qr.size() + 8) * scale;
        assertEquals(pixels, image.getWidth());
        assertEquals(pixels, image.getHeight());
        for (int y = -4; y < qr.size() + 4; y++) {
            for (int x = -4; x < qr.size() + 4; x++) {
                boolean dark = x >= 0 && y >= 0 && x < qr.size() && y < qr.size() && qr.dark(x, y);
                int rgb = image.getRGB((x + 4) * scale + scale / 2, (y + 4) * scale + scale / 2) & 0xFFFFFF;
                assertEquals(dark ? 0x000000 : 0xFFFFFF, rgb, "module " + x + "," + y);
            }
        }
    }
}
