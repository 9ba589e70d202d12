package dev.crossrole.server.dynamodb;

import static dev.crossrole.server.dynamodb.ExpressionTestValues.item;
import static dev.crossrole.server.dynamodb.ExpressionTestValues.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.dynamodb.LegacyParameters.AttributeUpdate;
import dev.crossrole.server.dynamodb.LegacyParameters.ExpectedValue;
import dev.crossrole.server.dynamodb.LegacyParameters.LegacyCondition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LegacyParametersTest {

    private static final Map<String, AttributeValue> ITEM = item("""
            {pk: {S: 'p'}, qty: {N: '5'}, title: {S: 'alpha'}, tags: {SS: ['red', 'blue']},
             things: {L: [{S: 'a'}]}, doc: {M: {k: {S: 'v'}}}}
            """);

    /** "qty GT 1" style: attribute, operator, then values in DynamoDB JSON separated by ';'. */
    private static LegacyCondition condition(String operator, String values) {
        List<AttributeValue> list = new ArrayList<>();
        if (!values.isBlank()) {
            for (String json : values.split(";")) {
                list.add(value(json));
            }
        }
        return new LegacyCondition(operator, list);
    }

    @ParameterizedTest(name = "[{index}] {0} {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            qty    | EQ           | {N: '5'}             | true
            qty    | EQ           | {S: '5'}             | false
            doc    | EQ           | {M: {k: {S: 'v'}}}   | true
            qty    | NE           | {N: '5'}             | false
            absent | NE           | {N: '5'}             | true
            qty    | LT           | {N: '6'}             | true
            qty    | LE           | {N: '5'}             | true
            qty    | GT           | {N: '5'}             | false
            qty    | GE           | {N: '5'}             | true
            qty    | BETWEEN      | {N: '1'};{N: '5'}    | true
            qty    | IN           | {N: '1'};{N: '5'}    | true
            qty    | IN           | {N: '1'}             | false
            absent | NULL         |                      | true
            qty    | NULL         |                      | false
            qty    | NOT_NULL     |                      | true
            title  | CONTAINS     | {S: 'lph'}           | true
            tags   | CONTAINS     | {S: 'red'}           | true
            things | CONTAINS     | {S: 'a'}             | true
            tags   | NOT_CONTAINS | {S: 'red'}           | false
            absent | NOT_CONTAINS | {S: 'red'}           | true
            title  | BEGINS_WITH  | {S: 'al'}            | true
            qty    | BEGINS_WITH  | {S: 'al'}            | false
            """)
    void filterConditionsEvaluateAsTheirExpressions(String attribute, String operator, String values,
            boolean expected) throws ExpressionException {
        ConditionExpression filter = LegacyParameters.filter(
                Map.of(attribute, condition(operator, values == null ? "" : values)), null);
        assertEquals(expected, filter.test(ITEM));
    }

    @Test
    void conditionalOperatorJoinsWithAndOrOr() throws ExpressionException {
        Map<String, LegacyCondition> filter = new LinkedHashMap<>();
        filter.put("qty", condition("EQ", "{N: '5'}"));
        filter.put("title", condition("EQ", "{S: 'other'}"));
        assertFalse(LegacyParameters.filter(filter, null).test(ITEM));
        assertFalse(LegacyParameters.filter(filter, "AND").test(ITEM));
        assertTrue(LegacyParameters.filter(filter, "OR").test(ITEM));
        assertTrue(LegacyParameters.filter(Map.of(), null).test(ITEM), "no conditions: nothing to check");
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            EQ          |                     | One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator
            EQ          | {N: '1'};{N: '2'}   | One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator
            NULL        | {N: '1'}            | One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator
            BETWEEN     | {N: '1'}            | One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator
            IN          |                     | One or more parameter values were invalid: Invalid number of argument(s) for the IN ComparisonOperator
            GT          | {SS: ['a']}         | One or more parameter values were invalid: ComparisonOperator GT is not valid for SS AttributeValue type
            CONTAINS    | {L: []}             | One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for L AttributeValue type
            BEGINS_WITH | {N: '1'}            | One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type
            BETWEEN     | {N: '1'};{S: '5'}   | One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type
            IN          | {S: 'b'};{N: '1'}   | One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type
            BETWEEN     | {N: '5'};{N: '1'}   | The BETWEEN condition was provided a range where the lower bound is greater than the upper bound
            """)
    void refusesMalformedConditions(String operator, String values, String message) {
        ExpressionException error = assertThrows(ExpressionException.class, () -> LegacyParameters.filter(
                Map.of("qty", condition(operator, values == null ? "" : values)), null));
        assertEquals(message, error.getMessage());
    }

    @Test
    void expectedValueExistsAndComparisons() throws ExpressionException {
        assertTrue(LegacyParameters.expected(Map.of("qty", new ExpectedValue(value("{N: '5'}"), null, null, null)),
                null).test(ITEM));
        assertTrue(LegacyParameters.expected(Map.of("qty", new ExpectedValue(value("{N: '5'}"), true, null, null)),
                null).test(ITEM));
        assertFalse(LegacyParameters.expected(Map.of("qty", new ExpectedValue(null, false, null, null)), null)
                .test(ITEM));
        assertTrue(LegacyParameters.expected(Map.of("absent", new ExpectedValue(null, false, null, null)), null)
                .test(ITEM));
        assertTrue(LegacyParameters.expected(Map.of("qty",
                new ExpectedValue(null, null, "GT", List.of(value("{N: '1'}")))), null).test(ITEM));
        assertTrue(LegacyParameters.expected(Map.of(), null).test(Map.of()));
    }

    @Test
    void expectedRefusesContradictions() {
        assertEquals("One or more parameter values were invalid: Exists is set to TRUE for attribute (qty), Value "
                + "must also be set", assertThrows(ExpressionException.class, () -> LegacyParameters.expected(
                        Map.of("qty", new ExpectedValue(null, true, null, null)), null)).getMessage());
        assertEquals("One or more parameter values were invalid: Cannot expect an attribute to have a specified "
                + "value while expecting it to not exist", assertThrows(ExpressionException.class,
                        () -> LegacyParameters.expected(Map.of("qty",
                                new ExpectedValue(value("{N: '5'}"), false, null, null)), null)).getMessage());
    }

    @Test
    void keyConditionsBecomeKeyTerms() throws ExpressionException {
        Map<String, LegacyCondition> conditions = new LinkedHashMap<>();
        conditions.put("pk", condition("EQ", "{S: 'p'}"));
        conditions.put("sk", condition("BETWEEN", "{N: '1'};{N: '5'}"));
        KeyConditionExpression key = LegacyParameters.keyConditions(conditions);
        key.check("pk", "S", "sk", "N");
        assertEquals(value("{S: 'p'}"), key.partitionValue());
        assertTrue(key.sortKeyMatches(value("{N: '3'}")));
        assertFalse(key.sortKeyMatches(value("{N: '6'}")));

        KeyConditionExpression prefix = LegacyParameters.keyConditions(Map.of("pk", condition("EQ", "{S: 'p'}"),
                "sk", condition("BEGINS_WITH", "{S: 'ab'}")));
        prefix.check("pk", "S", "sk", "S");
        assertTrue(prefix.sortKeyMatches(value("{S: 'abc'}")));
    }

    @Test
    void keyConditionsRefuseWhatAQueryCannotIndex() throws ExpressionException {
        assertEquals("Attempted conditional constraint is not an indexable operation",
                assertThrows(ExpressionException.class, () -> LegacyParameters.keyConditions(
                        Map.of("pk", condition("NE", "{S: 'p'}")))).getMessage());
        KeyConditionExpression wrongType = LegacyParameters.keyConditions(Map.of("pk", condition("EQ", "{N: '1'}")));
        assertEquals("One or more parameter values were invalid: Condition parameter type does not match schema type",
                assertThrows(ExpressionException.class, () -> wrongType.check("pk", "S", null, null)).getMessage());
        Map<String, LegacyCondition> three = new LinkedHashMap<>();
        three.put("pk", condition("EQ", "{S: 'p'}"));
        three.put("sk", condition("EQ", "{N: '1'}"));
        three.put("x", condition("EQ", "{N: '1'}"));
        assertEquals("Conditions can be of length 1 or 2 only",
                assertThrows(ExpressionException.class, () -> LegacyParameters.keyConditions(three)).getMessage());
        KeyConditionExpression noHash = LegacyParameters.keyConditions(Map.of("sk", condition("EQ", "{N: '1'}")));
        assertEquals("Query condition missed key schema element: pk",
                assertThrows(ExpressionException.class, () -> noHash.check("pk", "S", "sk", "N")).getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0} {1} {2} on {3}")
    @CsvSource(delimiter = '|', textBlock = """
            qty    | PUT    | {N: '7'}          | {qty: {N: '5'}}             | {qty: {N: '7'}}
            qty    |        | {N: '7'}          | {}                          | {qty: {N: '7'}}
            qty    | DELETE |                   | {qty: {N: '5'}, a: {N: '1'}} | {a: {N: '1'}}
            tags   | DELETE | {SS: ['red']}     | {tags: {SS: ['red', 'x']}}  | {tags: {SS: ['x']}}
            tags   | DELETE | {SS: ['red']}     | {tags: {SS: ['red']}}       | {}
            qty    | ADD    | {N: '2'}          | {qty: {N: '5'}}             | {qty: {N: '7'}}
            qty    | ADD    | {N: '2'}          | {}                          | {qty: {N: '2'}}
            tags   | ADD    | {SS: ['new']}     | {tags: {SS: ['red']}}       | {tags: {SS: ['red', 'new']}}
            things | ADD    | {L: [{S: 'b'}]}   | {things: {L: [{S: 'a'}]}}   | {things: {L: [{S: 'a'}, {S: 'b'}]}}
            things | ADD    | {L: [{S: 'b'}]}   | {}                          | {things: {L: [{S: 'b'}]}}
            """)
    void attributeUpdatesApplyAsTheirExpressions(String attribute, String action, String value, String before,
            String after) throws ExpressionException {
        UpdateExpression update = LegacyParameters.attributeUpdates(
                Map.of(attribute, new AttributeUpdate(action, value == null ? null : value(value))));
        assertEquals(item(after), update.apply(item(before)));
        assertEquals(Set.of(attribute), update.topLevelAttributes());
    }

    @Test
    void attributeUpdatesRefuseAPutWithoutValue() {
        assertEquals("One or more parameter values were invalid: Only DELETE action is allowed when no attribute "
                + "value is specified", assertThrows(ExpressionException.class, () -> LegacyParameters
                        .attributeUpdates(Map.of("qty", new AttributeUpdate("PUT", null)))).getMessage());
    }

    @Test
    void mixingLegacyAndExpressionParametersIsRefused() throws ExpressionException {
        LegacyParameters.checkNotMixed(List.of("AttributesToGet"), List.of());
        LegacyParameters.checkNotMixed(List.of(), List.of("ProjectionExpression"));
        assertEquals("Can not use both expression and non-expression parameters in the same request: "
                + "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
                assertThrows(ExpressionException.class, () -> LegacyParameters.checkNotMixed(
                        List.of("AttributesToGet"), List.of("ProjectionExpression"))).getMessage());
    }
}
