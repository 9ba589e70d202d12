package dev.crossrole.server.dynamodb;

import static dev.crossrole.server.dynamodb.ExpressionTestValues.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionAttributesTest {

    private static Map<String, String> names(String... pairs) {
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            names.put(pairs[i], pairs[i + 1]);
        }
        return names;
    }

    private static String failure(ExpressionAttributes attributes) {
        return assertThrows(ExpressionException.class, attributes::checkAllUsed).getMessage();
    }

    @Test
    void everyNameAndValueUsedAcrossTheRequestsExpressionsPasses() throws ExpressionException {
        ExpressionAttributes attributes = new ExpressionAttributes(names("#a", "a", "#b", "b"),
                item("{':v': {N: '1'}, ':w': {N: '2'}}"));
        ConditionExpression.parse("#a = :v", attributes, "ConditionExpression");
        UpdateExpression.parse("SET #b = :w", attributes);
        attributes.checkAllUsed();
    }

    @Test
    void unusedNamesAndValuesAreNamedInTheOrderGiven() throws ExpressionException {
        ExpressionAttributes attributes = new ExpressionAttributes(names("#a", "a", "#z", "z", "#b", "b"),
                item("{':v': {N: '1'}}"));
        ConditionExpression.parse("#a = :v", attributes, "ConditionExpression");
        assertEquals("Value provided in ExpressionAttributeNames unused in expressions: keys: {#z, #b}",
                failure(attributes));

        ExpressionAttributes values = new ExpressionAttributes(null,
                item("{':v': {N: '1'}, ':w': {N: '2'}}"));
        ProjectionExpression.parse("a", values);
        assertEquals("Value provided in ExpressionAttributeValues unused in expressions: keys: {:v, :w}",
                failure(values));
    }

    @Test
    void namesOrValuesWithoutAnyExpressionAreRefused() {
        assertEquals("ExpressionAttributeNames can only be specified when using expressions",
                failure(new ExpressionAttributes(names("#a", "a"), null)));
        assertEquals("ExpressionAttributeValues can only be specified when using expressions",
                failure(new ExpressionAttributes(null, item("{':v': {N: '1'}}"))));
    }

    @Test
    void nothingGivenAndNoExpressionPasses() throws ExpressionException {
        new ExpressionAttributes(null, null).checkAllUsed();
        ExpressionAttributes.none().checkAllUsed();
    }

    @Test
    void emptyMapsAndMalformedKeysAreRefusedBeforeAnyExpression() {
        assertEquals("ExpressionAttributeNames must not be empty", assertThrows(ExpressionException.class,
                () -> ConditionExpression.parse("((", new ExpressionAttributes(Map.of(), null),
                        "ConditionExpression")).getMessage());
        assertEquals("ExpressionAttributeValues must not be empty", assertThrows(ExpressionException.class,
                () -> UpdateExpression.parse("SET a = :v", new ExpressionAttributes(null, Map.of()))).getMessage());
        assertEquals("ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"",
                assertThrows(ExpressionException.class, () -> ProjectionExpression.parse("a",
                        new ExpressionAttributes(names("a", "b"), null))).getMessage());
        assertEquals("ExpressionAttributeNames contains invalid key: Syntax error; key: \"#a-b\"",
                assertThrows(ExpressionException.class, () -> ProjectionExpression.parse("a",
                        new ExpressionAttributes(names("#a-b", "b"), null))).getMessage());
        assertEquals("ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\"",
                assertThrows(ExpressionException.class, () -> UpdateExpression.parse("SET a = :v",
                        new ExpressionAttributes(null, item("{v: {N: '1'}}")))).getMessage());
    }
}
