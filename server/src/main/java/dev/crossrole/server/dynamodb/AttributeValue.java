package dev.crossrole.server.dynamodb;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One DynamoDB attribute value, typed as DynamoDB types it: string, number, binary, boolean, null, map, list and the
 * three sets. Values are immutable; numbers are kept normalized (no trailing zeros), so equal numbers are equal values
 * and read back as DynamoDB writes them ({@code 1.50} comes back {@code 1.5}).
 */
public sealed interface AttributeValue {

    /** DynamoDB's type descriptor for this value: {@code S}, {@code N}, {@code B}, {@code BOOL}, {@code NULL}, … */
    String type();

    /**
     * The bytes this value counts for in DynamoDB's item size (400 KB limit): UTF-8 length of strings, roughly one
     * byte per two digits of numbers plus one, raw length of binaries, one for booleans and nulls, three plus
     * contents and one byte per element for documents.
     */
    int size();

    record S(String value) implements AttributeValue {
        public S {
            java.util.Objects.requireNonNull(value);
        }

        public String type() {
            return "S";
        }

        public int size() {
            return value.getBytes(StandardCharsets.UTF_8).length;
        }
    }

    /** A number, normalized: {@link #text()} is what DynamoDB answers with. */
    record N(BigDecimal value) implements AttributeValue {
        public N {
            value = normalize(value);
        }

        public static N of(String text) {
            return new N(new BigDecimal(text));
        }

        public String type() {
            return "N";
        }

        public String text() {
            return value.toPlainString();
        }

        public int size() {
            String digits = value.unscaledValue().abs().toString();
            return (digits.length() + 1) / 2 + 1;
        }
    }

    record B(Binary value) implements AttributeValue {
        public static B of(byte[] bytes) {
            return new B(new Binary(bytes));
        }

        public String type() {
            return "B";
        }

        public int size() {
            return value.length();
        }
    }

    record Bool(boolean value) implements AttributeValue {
        public String type() {
            return "BOOL";
        }

        public int size() {
            return 1;
        }
    }

    record Null() implements AttributeValue {
        public String type() {
            return "NULL";
        }

        public int size() {
            return 1;
        }
    }

    /** A map; member order is kept as given. */
    record M(Map<String, AttributeValue> value) implements AttributeValue {
        public M {
            value = Collections.unmodifiableMap(new LinkedHashMap<>(value));
        }

        public String type() {
            return "M";
        }

        public int size() {
            int size = 3;
            for (Map.Entry<String, AttributeValue> member : value.entrySet()) {
                size += member.getKey().getBytes(StandardCharsets.UTF_8).length + member.getValue().size() + 1;
            }
            return size;
        }
    }

    record L(List<AttributeValue> value) implements AttributeValue {
        public L {
            value = List.copyOf(value);
        }

        public String type() {
            return "L";
        }

        public int size() {
            int size = 3;
            for (AttributeValue element : value) {
                size += element.size() + 1;
            }
            return size;
        }
    }

    /** A string set; DynamoDB refuses empty sets and duplicates, which the caller checks before building one. */
    record SS(Set<String> value) implements AttributeValue {
        public SS {
            value = Collections.unmodifiableSet(new LinkedHashSet<>(value));
        }

        public String type() {
            return "SS";
        }

        public int size() {
            return value.stream().mapToInt(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
        }
    }

    record NS(Set<BigDecimal> value) implements AttributeValue {
        public NS {
            LinkedHashSet<BigDecimal> normalized = new LinkedHashSet<>();
            for (BigDecimal number : value) {
                normalized.add(normalize(number));
            }
            value = Collections.unmodifiableSet(normalized);
        }

        public String type() {
            return "NS";
        }

        public int size() {
            return value.stream().mapToInt(n -> new N(n).size()).sum();
        }
    }

    record BS(Set<Binary> value) implements AttributeValue {
        public BS {
            value = Collections.unmodifiableSet(new LinkedHashSet<>(value));
        }

        public String type() {
            return "BS";
        }

        public int size() {
            return value.stream().mapToInt(Binary::length).sum();
        }
    }

    /** Bytes compared by content (DynamoDB compares binaries as unsigned bytes). */
    final class Binary implements Comparable<Binary> {
        private final byte[] bytes;

        public Binary(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        public byte[] bytes() {
            return bytes.clone();
        }

        public int length() {
            return bytes.length;
        }

        @Override
        public int compareTo(Binary other) {
            return Arrays.compareUnsigned(bytes, other.bytes);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Binary b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return java.util.Base64.getEncoder().encodeToString(bytes);
        }
    }

    private static BigDecimal normalize(BigDecimal number) {
        BigDecimal stripped = number.stripTrailingZeros();
        return stripped.signum() == 0 ? BigDecimal.ZERO : stripped;
    }
}
