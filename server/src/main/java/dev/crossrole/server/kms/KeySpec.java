package dev.crossrole.server.kms;

import java.util.List;

/**
 * The key specs crossrole makes, with what each is for: its key usages and the algorithms DescribeKey and
 * GetPublicKey list for each usage (AWS KMS Developer Guide, "Key spec reference").
 */
enum KeySpec {
    SYMMETRIC_DEFAULT(Family.SYMMETRIC, 256, null),
    RSA_2048(Family.RSA, 2048, null),
    RSA_3072(Family.RSA, 3072, null),
    RSA_4096(Family.RSA, 4096, null),
    ECC_NIST_P256(Family.ECC, 256, "secp256r1"),
    ECC_NIST_P384(Family.ECC, 384, "secp384r1"),
    ECC_NIST_P521(Family.ECC, 521, "secp521r1"),
    ECC_SECG_P256K1(Family.ECC, 256, "secp256k1"),
    HMAC_224(Family.HMAC, 224, null),
    HMAC_256(Family.HMAC, 256, null),
    HMAC_384(Family.HMAC, 384, null),
    HMAC_512(Family.HMAC, 512, null);

    static final String ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT";
    static final String SIGN_VERIFY = "SIGN_VERIFY";
    static final String GENERATE_VERIFY_MAC = "GENERATE_VERIFY_MAC";

    enum Family { SYMMETRIC, RSA, ECC, HMAC }

    private final Family family;
    private final int bits;
    private final String curve;

    KeySpec(Family family, int bits, String curve) {
        this.family = family;
        this.bits = bits;
        this.curve = curve;
    }

    Family family() {
        return family;
    }

    /** The key's size: the RSA modulus, the curve's field, the HMAC key. */
    int bits() {
        return bits;
    }

    /** The curve's standard name ({@code secp256r1}), for elliptic curve keys. */
    String curve() {
        return curve;
    }

    boolean asymmetric() {
        return family == Family.RSA || family == Family.ECC;
    }

    /** A spec by its name, or {@code null} for one crossrole does not make. */
    static KeySpec named(String name) {
        for (KeySpec spec : values()) {
            if (spec.name().equals(name)) {
                return spec;
            }
        }
        return null;
    }

    /** The key usages a key of this spec may have ({@code KEY_AGREEMENT} is not made by crossrole). */
    List<String> usages() {
        return switch (family) {
            case SYMMETRIC -> List.of(ENCRYPT_DECRYPT);
            case RSA -> List.of(ENCRYPT_DECRYPT, SIGN_VERIFY);
            case ECC -> List.of(SIGN_VERIFY);
            case HMAC -> List.of(GENERATE_VERIFY_MAC);
        };
    }

    /** The encryption algorithms of a key of this spec and usage; empty unless it encrypts. */
    List<String> encryptionAlgorithms(String usage) {
        if (!ENCRYPT_DECRYPT.equals(usage)) {
            return List.of();
        }
        return family == Family.SYMMETRIC ? List.of("SYMMETRIC_DEFAULT")
                : family == Family.RSA ? List.of("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256") : List.of();
    }

    /** The signing algorithms of a key of this spec and usage; empty unless it signs. */
    List<String> signingAlgorithms(String usage) {
        if (!SIGN_VERIFY.equals(usage)) {
            return List.of();
        }
        if (family == Family.RSA) {
            return List.of("RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
                    "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512");
        }
        return switch (this) {
            case ECC_NIST_P384 -> List.of("ECDSA_SHA_384");
            case ECC_NIST_P521 -> List.of("ECDSA_SHA_512");
            default -> List.of("ECDSA_SHA_256");
        };
    }

    /** The MAC algorithm of an HMAC key ({@code HMAC_SHA_256}), else {@code null}. */
    String macAlgorithm() {
        return family == Family.HMAC ? "HMAC_SHA_" + bits : null;
    }
}
