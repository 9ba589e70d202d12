package dev.crossrole.server.kms;

import dev.crossrole.policy.KeyGrant;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A grant on a KMS key: the grantee principal may perform the grant's operations on the key, under its encryption
 * context constraints (AWS KMS Developer Guide, "Grants in AWS KMS"). Grants are kept by id, with the key's id; they go
 * when their key is deleted.
 *
 * @param id 64 hexadecimal digits, as AWS's grant ids
 * @param name the name given at creation, or {@code null}
 * @param retiringPrincipal the principal that may retire the grant, or {@code null}
 * @param operations the grant operations ({@code Decrypt}, {@code CreateGrant}, ...), as given
 * @param contextSubset the {@code EncryptionContextSubset} constraint, or {@code null}
 * @param contextEquals the {@code EncryptionContextEquals} constraint, or {@code null}
 * @param issuingAccount the account whose principal created the grant, as {@code arn:aws:iam::ACCOUNT:root}
 */
record KmsGrant(String id, String keyId, String keyArn, String name, String granteePrincipal, String retiringPrincipal,
                List<String> operations, Map<String, String> contextSubset, Map<String, String> contextEquals,
                String issuingAccount, Instant created) {
    /** The operations whose requests carry an encryption context: the ones the constraints apply to. */
    static final Set<String> WITH_ENCRYPTION_CONTEXT = Set.of("Decrypt", "Encrypt", "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext");
    /** The operations a grant may allow on any key: the others depend on the key's spec and usage. */
    static final Set<String> ON_ANY_KEY = Set.of("CreateGrant", "RetireGrant", "DescribeKey");
    private static final byte TOKEN_FORMAT = 1;
    private static final int ID_BYTES = 32;

    KmsGrant {
        operations = List.copyOf(operations);
        contextSubset = contextSubset == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(contextSubset));
        contextEquals = contextEquals == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(contextEquals));
    }

    static String newId() {
        return HexFormat.of().formatHex(Ciphertexts.random(ID_BYTES));
    }

    /**
     * A new token for the grant. AWS's tokens are opaque and differ on every CreateGrant, even for the same grant;
     * crossrole's carry the grant id and random bytes, so that any of them names the grant without being stored.
     */
    static String token(String grantId) {
        byte[] id = HexFormat.of().parseHex(grantId);
        ByteBuffer token = ByteBuffer.allocate(1 + ID_BYTES + 16).put(TOKEN_FORMAT).put(id).put(Ciphertexts.random(16));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token.array());
    }

    /** The grant id a token carries, or {@code null} when the text is no token of crossrole's. */
    static String idOfToken(String token) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (bytes.length != 1 + ID_BYTES + 16 || bytes[0] != TOKEN_FORMAT) {
            return null;
        }
        return HexFormat.of().formatHex(bytes, 1, 1 + ID_BYTES);
    }

    /** Which constraint type the grant has, as {@code kms:GrantConstraintType} names it; {@code null} for none. */
    String constraintType() {
        return contextEquals != null ? "EncryptionContextEquals" : contextSubset != null ? "EncryptionContextSubset"
                : null;
    }

    /**
     * Why the grant does not allow an operation under an encryption context, or {@code null} when it does. The
     * constraints apply only to operations with an encryption context ("Grants with grant constraints can include the
     * DescribeKey and RetireGrant operations, but the constraint doesn't apply to these operations": KMS API
     * Reference, CreateGrant).
     */
    String notCovering(String operation, Map<String, String> encryptionContext) {
        if (!operations.contains(operation)) {
            return "its operations " + operations + " do not include " + operation;
        }
        if (WITH_ENCRYPTION_CONTEXT.contains(operation)) {
            if (contextEquals != null && !contextEquals.equals(encryptionContext)) {
                return "its EncryptionContextEquals constraint " + contextEquals + " is not the request's encryption"
                        + " context " + encryptionContext;
            }
            if (contextSubset != null && !encryptionContext.entrySet().containsAll(contextSubset.entrySet())) {
                return "its EncryptionContextSubset constraint " + contextSubset + " is not within the request's"
                        + " encryption context " + encryptionContext;
            }
        }
        return null;
    }

    /**
     * Why the grant does not allow its grantee to create {@code child}, or {@code null} when it does: a grant with
     * CreateGrant allows only grants as restrictive or more, in operations and constraints (AWS KMS Developer Guide,
     * "Grants in AWS KMS", granting CreateGrant permission).
     */
    String notCoveringChild(KmsGrant child) {
        if (!operations.contains("CreateGrant")) {
            return "its operations " + operations + " do not include CreateGrant";
        }
        List<String> beyond = new ArrayList<>(child.operations());
        beyond.removeAll(operations);
        if (!beyond.isEmpty()) {
            return "the new grant allows " + beyond + ", which it does not";
        }
        if (contextEquals != null && !contextEquals.equals(child.contextEquals())) {
            return "the new grant does not have its EncryptionContextEquals constraint " + contextEquals;
        }
        if (contextSubset != null) {
            Map<String, String> childContext = child.contextEquals() != null ? child.contextEquals()
                    : child.contextSubset();
            if (childContext == null || !childContext.entrySet().containsAll(contextSubset.entrySet())) {
                return "the new grant's constraints do not include its EncryptionContextSubset constraint "
                        + contextSubset;
            }
        }
        return null;
    }

    /** The grant as the policy engine takes it, for one operation under one encryption context. */
    KeyGrant forRequest(String operation, Map<String, String> encryptionContext) {
        return new KeyGrant(id, granteePrincipal, notCovering(operation, encryptionContext));
    }
}
