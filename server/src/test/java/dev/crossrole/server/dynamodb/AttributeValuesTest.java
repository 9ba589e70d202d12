package dev.crossrole.server.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** DynamoDB's AttributeValue read from the wire with DynamoDB's checks, and written back as JSON. */
class AttributeValuesTest {
    private static Input wire(Object... pairs) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put((String) pairs[i], pairs[i + 1]);
        }
        return new Input(null, values);
    }

    private static String refusal(Input value) {
        AwsException e = assertThrows(AwsException.class, () -> AttributeValues.value(value));
        assertEquals("ValidationException", e.code());
        assertEquals(400, e.httpStatus());
        return e.getMessage();
    }

    @Test
    void exactlyOneTypeIsSet() {
        assertEquals("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
                refusal(wire()));
        assertEquals("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the"
                + " supported datatypes", refusal(wire("S", "a", "N", "1")));
        assertEquals("One or more parameter values were invalid: Null attribute value types must have the value of"
                + " true", refusal(wire("NULL", false)));
    }

    @Test
    void setsAreNeitherEmptyNorRepeated() {
        assertEquals("One or more parameter values were invalid: An string set  may not be empty",
                refusal(wire("SS", List.of())));
        assertEquals("One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
                refusal(wire("SS", List.of("a", "a"))));
        // Numbers are compared by value: 1 and 1.0 are one number.
        assertEquals("One or more parameter values were invalid: Input collection [1, 1.0] contains duplicates.",
                refusal(wire("NS", List.of("1", "1.0"))));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "abc|The parameter cannot be converted to a numeric value: abc",
        "' 1'|The parameter cannot be converted to a numeric value:  1",
        "1E+126|Number overflow. Attempting to store a number with magnitude larger than supported range",
        "-1E+126|Number overflow. Attempting to store a number with magnitude larger than supported range",
        "1E-131|Number underflow. Attempting to store a number with magnitude smaller than supported range",
        "1.23456789012345678901234567890123456789|Attempting to store more than 38 significant digits in a Number"})
    void numbersDynamoDbCannotStore(String number, String message) {
        assertEquals(message, refusal(wire("N", number)));
    }

    @Test
    void numbersAreNormalizedAndTheLimitsAccepted() {
        assertEquals("1.5", ((AttributeValue.N) AttributeValues.value(wire("N", "1.50"))).text());
        assertEquals("0", ((AttributeValue.N) AttributeValues.value(wire("N", "-0.000"))).text());
        AttributeValues.value(wire("N", "9.9999999999999999999999999999999999999E+125"));
        AttributeValues.value(wire("N", "1E-130"));
        // Trailing zeros are not significant digits.
        AttributeValues.value(wire("N", "1" + "0".repeat(60)));
    }

    @Test
    void documentsRoundTripThroughJson() {
        AttributeValue value = AttributeValues.value(wire("M", Map.of("list", wire("L", List.of(wire("S", "x"),
                wire("B", new byte[] {0, (byte) 255}), wire("NS", List.of("2", "10")), wire("BOOL", true),
                wire("NULL", true))))));
        AttributeValue back = AttributeValues.valueFromJson(AttributeValues.json(value));
        assertEquals(value, back);
        assertEquals("{\"M\":{\"list\":{\"L\":[{\"S\":\"x\"},{\"B\":\"AP8=\"},{\"NS\":[\"2\",\"10\"]},"
                + "{\"BOOL\":true},{\"NULL\":true}]}}}", AttributeValues.json(value).toString());
    }

    @Test
    void nestingDeeperThan32LevelsIsRefused() {
        Input value = wire("S", "leaf");
        for (int i = 0; i < 33; i++) {
            value = wire("L", List.of(value));
        }
        assertEquals("Nesting Levels have exceeded supported limits: Nesting Levels exceeded 32", refusal(value));
    }
}
