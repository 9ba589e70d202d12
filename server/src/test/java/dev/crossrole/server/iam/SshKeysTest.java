package dev.crossrole.server.iam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.protocol.AwsException;
import java.security.KeyPairGenerator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SSH public keys as IAM takes them. The vectors were made with OpenSSH 9: {@code ssh-keygen -t rsa -b 2048}, its
 * PEM and RFC 4716 exports ({@code ssh-keygen -e -m PKCS8 / PEM / RFC4716}) and {@code ssh-keygen -E md5 -l}.
 */
class SshKeysTest {
    static final String ONE_LINE = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCPkHJjLovMnWEl8+NDo6gCkswQAxU3sjszf5n9bDFC1khckd"
            + "HGg46RAiYq9qclDpBiGkbmDfV2YKD4KS4b46ScXlOhEXvE/gtEJIO1k2OD9aQ8qUsqjM3oXt+M3NDjxPgk7B0CKhNIlg1Aq7WauicGrTAx"
            + "tVBPfHQBq8L9tO4MdGgWVfIEnSYWoU4NstMrr305WGsziFOQNTN5i6vv27uHIswjA82Gc88q7Mkgv0XUsAmNms9FuQfgD3c/oey7I0DxFZ"
            + "973ZfS/LNsxwJeFFqdBwe9JLZ3PiRJMg8qQXFsrS9Fd02gdg9pGs4tW84JnHUfMMvTwFp8IoRxW/XBEdzx dev@example";
    static final String FINGERPRINT = "98:98:65:5c:d3:39:c9:1d:0a:c9:97:e1:c2:4e:21:d7";
    static final String SPKI = """
            -----BEGIN PUBLIC KEY-----
            MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAj5ByYy6LzJ1hJfPjQ6Oo
            ApLMEAMVN7I7M3+Z/WwxQtZIXJHRxoOOkQImKvanJQ6QYhpG5g31dmCg+CkuG+Ok
            nF5ToRF7xP4LRCSDtZNjg/WkPKlLKozN6F7fjNzQ48T4JOwdAioTSJYNQKu1mron
            Bq0wMbVQT3x0AavC/bTuDHRoFlXyBJ0mFqFODbLTK699OVhrM4hTkDUzeYur79u7
            hyLMIwPNhnPPKuzJIL9F1LAJjZrPRbkH4A93P6HsuyNA8RWfe92X0vyzbMcCXhRa
            nQcHvSS2dz4kSTIPKkFxbK0vRXdNoHYPaRrOLVvOCZx1HzDL08BafCKEcVv1wRHc
            8QIDAQAB
            -----END PUBLIC KEY-----
            """;
    static final String PKCS1 = """
            -----BEGIN RSA PUBLIC KEY-----
            MIIBCgKCAQEAj5ByYy6LzJ1hJfPjQ6OoApLMEAMVN7I7M3+Z/WwxQtZIXJHRxoOO
            kQImKvanJQ6QYhpG5g31dmCg+CkuG+OknF5ToRF7xP4LRCSDtZNjg/WkPKlLKozN
            6F7fjNzQ48T4JOwdAioTSJYNQKu1mronBq0wMbVQT3x0AavC/bTuDHRoFlXyBJ0m
            FqFODbLTK699OVhrM4hTkDUzeYur79u7hyLMIwPNhnPPKuzJIL9F1LAJjZrPRbkH
            4A93P6HsuyNA8RWfe92X0vyzbMcCXhRanQcHvSS2dz4kSTIPKkFxbK0vRXdNoHYP
            aRrOLVvOCZx1HzDL08BafCKEcVv1wRHc8QIDAQAB
            -----END RSA PUBLIC KEY-----
            """;
    static final String RFC4716 = """
            ---- BEGIN SSH2 PUBLIC KEY ----
            Comment: "2048-bit RSA, converted by root@vm from OpenSSH"
            AAAAB3NzaC1yc2EAAAADAQABAAABAQCPkHJjLovMnWEl8+NDo6gCkswQAxU3sjszf5n9bD
            FC1khckdHGg46RAiYq9qclDpBiGkbmDfV2YKD4KS4b46ScXlOhEXvE/gtEJIO1k2OD9aQ8
            qUsqjM3oXt+M3NDjxPgk7B0CKhNIlg1Aq7WauicGrTAxtVBPfHQBq8L9tO4MdGgWVfIEnS
            YWoU4NstMrr305WGsziFOQNTN5i6vv27uHIswjA82Gc88q7Mkgv0XUsAmNms9FuQfgD3c/
            oey7I0DxFZ973ZfS/LNsxwJeFFqdBwe9JLZ3PiRJMg8qQXFsrS9Fd02gdg9pGs4tW84JnH
            UfMMvTwFp8IoRxW/XBEdzx
            ---- END SSH2 PUBLIC KEY ----
            """;
    static final String SHORT = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDSrOZjSnxd26Hxoc3M1NWfL5+tFBy4uiohbuKvrRExlJi0hEqg+"
            + "PbfClzp+AYfHi2tx3B0Aiz6X4gtfGfr4hY347EMUJ9oF+wcysMDEUreXR100MzSQe2pvLv/xJ1vtJGj6jgXUXEDS6sjUYGoToZI3nAr4JBb"
            + "ET60Nkxe4lnzVQ== root@vm";
    static final String ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPilZvLIlUOtOZxwd1iXQVT1G9HXHVCzqJ3S5TZaV5SH root@vm";

    @Test
    void everyFormOfOneKeyHasTheFingerprintSshKeygenPrints() {
        byte[] wire = SshKeys.parse(ONE_LINE);
        assertEquals(FINGERPRINT, SshKeys.fingerprint(wire));
        for (String form : List.of(SPKI, PKCS1, RFC4716, "  " + ONE_LINE + "\n", ONE_LINE.substring(0, ONE_LINE.lastIndexOf(' ')))) {
            assertArrayEquals(wire, SshKeys.parse(form), form);
        }
        assertEquals(ONE_LINE.substring(0, ONE_LINE.lastIndexOf(' ')), SshKeys.ssh(wire));
        assertEquals(SPKI, SshKeys.pem(wire));
        assertEquals(47, FINGERPRINT.length());
    }

    @Test
    void aKeyOfJavasOwnRoundTrips() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(3072);
        byte[] wire = SshKeys.wire(generator.generateKeyPair().getPublic());
        assertArrayEquals(wire, SshKeys.parse(SshKeys.ssh(wire)));
        assertArrayEquals(wire, SshKeys.parse(SshKeys.pem(wire)));
    }

    private static void assertRefused(String code, String body) {
        AwsException e = assertThrows(AwsException.class, () -> SshKeys.parse(body), body);
        assertEquals(code, e.code(), body);
        assertEquals(400, e.httpStatus());
    }

    @Test
    void whatIamDoesNotTakeGetsItsErrors() {
        assertRefused("InvalidPublicKey", SHORT);
        assertRefused("InvalidPublicKey", "ssh-rsa AAAA%%%notbase64");
        assertRefused("InvalidPublicKey", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB"); // cut short
        assertRefused("InvalidPublicKey", "-----BEGIN PUBLIC KEY-----\nMIIBIjAN!!\n-----END PUBLIC KEY-----\n");
        assertRefused("UnrecognizedPublicKeyEncoding", ED25519);
        assertRefused("UnrecognizedPublicKeyEncoding", "not a key at all");
        assertRefused("UnrecognizedPublicKeyEncoding", "ssh-dss AAAAB3NzaC1kc3M=");
        // The blob of an ed25519 key under an ssh-rsa label.
        assertRefused("UnrecognizedPublicKeyEncoding", "ssh-rsa " + ED25519.split(" ")[1]);
    }
}
