package dev.crossrole.server.dynamodb;

/**
 * DynamoDB's ordering of scalar values, used for sort keys and comparison operators: numbers numerically, strings by
 * their UTF-8 bytes, binaries as unsigned bytes.
 */
public final class AttributeOrder {

    private AttributeOrder() {
    }

    /**
     * Compares two values of the same scalar type ({@code S}, {@code N} or {@code B}).
     *
     * @throws IllegalArgumentException when the types differ or are not scalar
     */
    public static int compare(AttributeValue a, AttributeValue b) {
        if (a instanceof AttributeValue.N x && b instanceof AttributeValue.N y) {
            return x.value().compareTo(y.value());
        }
        if (a instanceof AttributeValue.S x && b instanceof AttributeValue.S y) {
            return compareUtf8(x.value(), y.value());
        }
        if (a instanceof AttributeValue.B x && b instanceof AttributeValue.B y) {
            return x.value().compareTo(y.value());
        }
        throw new IllegalArgumentException("not comparable: " + a.type() + " and " + b.type());
    }

    /** Whether {@link #compare} accepts the two values: both the same scalar type. */
    public static boolean comparable(AttributeValue a, AttributeValue b) {
        return a.type().equals(b.type()) && (a instanceof AttributeValue.N || a instanceof AttributeValue.S
                || a instanceof AttributeValue.B);
    }

    /**
     * UTF-8 byte order equals code point order, which differs from Java's UTF-16 order only for supplementary
     * characters against U+E000..U+FFFF; comparing code points avoids encoding both strings.
     */
    static int compareUtf8(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
