package dev.crossrole.server.dynamodb;

import static dev.crossrole.server.dynamodb.ExpressionTestValues.value;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AttributeOrderTest {

    private static int compare(String a, String b) {
        return AttributeOrder.compare(value(a), value(b));
    }

    @Test
    void numbersCompareNumerically() {
        assertTrue(compare("{N: '9'}", "{N: '10'}") < 0);
        assertTrue(compare("{N: '-1'}", "{N: '0.5'}") < 0);
        assertTrue(compare("{N: '1.50'}", "{N: '1.5'}") == 0);
        assertTrue(compare("{N: '1E+2'}", "{N: '99'}") > 0);
    }

    @Test
    void stringsCompareByUtf8Bytes() {
        assertTrue(compare("{S: 'a'}", "{S: 'b'}") < 0);
        assertTrue(compare("{S: 'B'}", "{S: 'a'}") < 0);
        assertTrue(compare("{S: 'ab'}", "{S: 'abc'}") < 0);
        // U+FF5E is one UTF-16 unit, U+1F600 two surrogates (0xD83D...): Java's order says the emoji is smaller,
        // UTF-8 bytes (EF BD 9E vs F0 9F 98 80) say it is larger
        assertTrue(AttributeOrder.compare(new AttributeValue.S("\uFF5E"), new AttributeValue.S("\uD83D\uDE00")) < 0);
    }

    @Test
    void binariesCompareAsUnsignedBytes() {
        assertTrue(compare("{B: 'AQ=='}", "{B: '/w=='}") < 0);
        assertTrue(compare("{B: 'AQ=='}", "{B: 'AQI='}") < 0);
    }

    @Test
    void onlySameScalarTypesCompare() {
        assertFalse(AttributeOrder.comparable(value("{N: '1'}"), value("{S: '1'}")));
        assertFalse(AttributeOrder.comparable(value("{BOOL: true}"), value("{BOOL: false}")));
        assertThrows(IllegalArgumentException.class, () -> compare("{N: '1'}", "{S: '1'}"));
    }
}
