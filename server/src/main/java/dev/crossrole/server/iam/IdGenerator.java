package dev.crossrole.server.iam;

import java.security.SecureRandom;

/** Unique ids in AWS's shapes: a 4-letter prefix ({@code AIDA}, {@code AROA}, {@code ANPA}) and 17 upper-case alphanumerics. */
public final class IdGenerator {
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private final SecureRandom random;

    public IdGenerator(SecureRandom random) {
        this.random = random;
    }

    public String uniqueId(String prefix) {
        byte[] bytes = new byte[17];
        random.nextBytes(bytes);
        StringBuilder out = new StringBuilder(21).append(prefix);
        for (byte b : bytes) {
            out.append(ALPHABET[b & 31]);
        }
        return out.toString();
    }

    public String userId() {
        return uniqueId("AIDA");
    }

    public String roleId() {
        return uniqueId("AROA");
    }

    public String policyId() {
        return uniqueId("ANPA");
    }

    public String instanceProfileId() {
        return uniqueId("AIPA");
    }

    public SecureRandom random() {
        return random;
    }
}
