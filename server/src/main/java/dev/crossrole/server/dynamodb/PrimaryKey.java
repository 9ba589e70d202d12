package dev.crossrole.server.dynamodb;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;

/**
 * An item's primary key: its partition key value and its sort key value ({@code null} for a table without one).
 * Keys order by partition value, then sort value, each in DynamoDB's order, so a partition's items are one range.
 */
record PrimaryKey(AttributeValue hash, AttributeValue range) {
    /** Bounds for ranges: below and above every value. */
    static final AttributeValue LOWEST = new AttributeValue.S("\u0000lowest");
    static final AttributeValue HIGHEST = new AttributeValue.S("\u0000highest");
    /** Orders scalar key values; values of different types (never in one key position of a table) by type name. */
    static final Comparator<AttributeValue> VALUES = (a, b) -> {
        if (a == b) {
            return 0;
        }
        if (a == null || b == null) {
            return a == null ? -1 : 1;
        }
        if (a == LOWEST || b == LOWEST) {
            return a == LOWEST ? -1 : 1;
        }
        if (a == HIGHEST || b == HIGHEST) {
            return a == HIGHEST ? 1 : -1;
        }
        return AttributeOrder.comparable(a, b) ? AttributeOrder.compare(a, b) : a.type().compareTo(b.type());
    };

    static final Comparator<PrimaryKey> ORDER = Comparator.comparing(PrimaryKey::hash, VALUES)
            .thenComparing(PrimaryKey::range, VALUES);

    /** The key's part of a store record key: each value as its type and its bytes in base64. */
    String encoded() {
        return encode(hash) + "|" + (range == null ? "" : encode(range));
    }

    static PrimaryKey decode(String encoded) {
        int bar = encoded.indexOf('|');
        String rangePart = encoded.substring(bar + 1);
        return new PrimaryKey(decodeValue(encoded.substring(0, bar)), rangePart.isEmpty() ? null
                : decodeValue(rangePart));
    }

    private static String encode(AttributeValue value) {
        byte[] bytes;
        if (value instanceof AttributeValue.S s) {
            bytes = s.value().getBytes(StandardCharsets.UTF_8);
        } else if (value instanceof AttributeValue.N n) {
            bytes = n.text().getBytes(StandardCharsets.UTF_8);
        } else {
            bytes = ((AttributeValue.B) value).value().bytes();
        }
        return value.type() + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static AttributeValue decodeValue(String text) {
        int colon = text.indexOf(':');
        byte[] bytes = Base64.getUrlDecoder().decode(text.substring(colon + 1));
        return switch (text.substring(0, colon)) {
            case "S" -> new AttributeValue.S(new String(bytes, StandardCharsets.UTF_8));
            case "N" -> AttributeValue.N.of(new String(bytes, StandardCharsets.UTF_8));
            default -> AttributeValue.B.of(bytes);
        };
    }
}
