package dev.crossrole.server.dynamodb;

import static dev.crossrole.server.dynamodb.ExpressionTestValues.item;
import static dev.crossrole.server.dynamodb.ExpressionTestValues.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyConditionExpressionTest {

    private static final String VALUES = """
            {':p': {S: 'p1'}, ':q': {S: 'p2'}, ':one': {N: '1'}, ':five': {N: '5'}, ':pre': {S: 'ab'},
             ':lowB': {B: 'AQ=='}, ':highB': {B: '/w=='}}
            """;

    private static KeyConditionExpression parse(String expression) throws ExpressionException {
        Map<String, String> names = expression.contains("#") ? Map.of("#p", "pk", "#s", "sk") : null;
        return KeyConditionExpression.parse(expression, new ExpressionAttributes(names, item(VALUES)));
    }

    /** Parses and checks against a table keyed by pk (S) and sk (N). */
    private static KeyConditionExpression numberSorted(String expression) throws ExpressionException {
        KeyConditionExpression condition = parse(expression);
        condition.check("pk", "S", "sk", "N");
        return condition;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            pk = :p                                | 0, 1, 4, 5, 6, 9
            pk = :p AND sk = :five                 | 5
            pk = :p AND sk < :five                 | 0, 1, 4
            pk = :p AND sk <= :five                | 0, 1, 4, 5
            pk = :p AND sk > :five                 | 6, 9
            pk = :p AND sk >= :five                | 5, 6, 9
            sk <= :five AND pk = :p                | 0, 1, 4, 5
            pk = :p AND :five > sk                 | 0, 1, 4
            :p = pk AND :five <= sk                | 5, 6, 9
            pk = :p AND sk BETWEEN :one AND :five  | 1, 4, 5
            pk = :p AND (sk >= :five)              | 5, 6, 9
            (pk = :p) AND sk = :one                | 1
            #p = :p AND #s > :one                  | 4, 5, 6, 9
            pk = :p and sk between :one and :five  | 1, 4, 5
            """)
    void matchesSortKeys(String expression, String matching) throws ExpressionException {
        KeyConditionExpression condition = numberSorted(expression);
        assertEquals(value("{S: 'p1'}"), condition.partitionValue());
        StringBuilder matched = new StringBuilder();
        for (int sort : new int[] {0, 1, 4, 5, 6, 9}) {
            if (condition.sortKeyMatches(value("{N: '" + sort + "'}"))) {
                matched.append(matched.length() == 0 ? "" : ", ").append(sort);
            }
        }
        assertEquals(matching, matched.toString());
    }

    @Test
    void beginsWithOnStringAndBinarySortKeys() throws ExpressionException {
        KeyConditionExpression strings = parse("pk = :p AND begins_with(sk, :pre)");
        strings.check("pk", "S", "sk", "S");
        assertEquals("sk", strings.sortKeyName());
        assertTrue(strings.sortKeyMatches(value("{S: 'abc'}")));
        assertTrue(strings.sortKeyMatches(value("{S: 'ab'}")));
        assertFalse(strings.sortKeyMatches(value("{S: 'a'}")));
        assertFalse(strings.sortKeyMatches(null));

        KeyConditionExpression binaries = parse("pk = :p AND sk > :lowB");
        binaries.check("pk", "S", "sk", "B");
        assertTrue(binaries.sortKeyMatches(value("{B: '/w=='}")), "0xFF sorts after 0x01: bytes are unsigned");
        assertFalse(binaries.sortKeyMatches(value("{B: 'AA=='}")));
    }

    @Test
    void aPartitionOnlyConditionMatchesEverySortKey() throws ExpressionException {
        KeyConditionExpression condition = parse("pk = :p");
        condition.check("pk", "S", null, null);
        assertNull(condition.sortKeyName());
        assertTrue(condition.sortKeyMatches(null));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            pk = :p OR sk = :five                 | Invalid operator used in KeyConditionExpression: OR
            NOT pk = :p                           | Invalid operator used in KeyConditionExpression: NOT
            pk IN (:p, :q)                        | Invalid operator used in KeyConditionExpression: IN
            pk = :p AND sk <> :five               | Invalid operator used in KeyConditionExpression: <>
            pk = :p AND contains(sk, :five)       | Invalid operator used in KeyConditionExpression: contains
            pk = :p AND attribute_exists(sk)      | Invalid operator used in KeyConditionExpression: attribute_exists
            pk = :p AND                           | Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND"
            pk = :nope                            | Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope
            pk = :p AND begins_with(sk, :five)    | Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N
            pk = :p AND sk BETWEEN :five AND :one | Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}
            pk = :p AND pk = :q                   | KeyConditionExpressions must only contain one condition per key
            (pk = :p AND sk > :one) AND (sk < :five) | KeyConditionExpressions must only contain one condition per key
            pk = sk                               | Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition
            begins_with(pk, sk)                   | Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition
            sk BETWEEN extra[1] AND :one          | Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition
            :p = :q AND pk = :p                   | Invalid condition in KeyConditionExpression: No key attribute specified
            :one BETWEEN sk AND :five             | Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand
            begins_with(:pre, sk)                 | Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand
            size(sk) > :one AND pk.x = :p         | KeyConditionExpressions cannot contain nested operations
            pk > size(sk)                         | KeyConditionExpressions cannot contain nested operations
            sk BETWEEN size(pk) AND :one          | KeyConditionExpressions cannot contain nested operations
            pk.x = :p                             | KeyConditionExpressions cannot have conditions on nested attributes
            pk[0] > sk                            | KeyConditionExpressions cannot have conditions on nested attributes
            pk = :p AND size(sk) > :one OR pk = :q | Invalid operator used in KeyConditionExpression: OR
            sk IN (:one, :five) AND size(pk) = :one | Invalid operator used in KeyConditionExpression: IN
            """)
    void refusesMalformedConditions(String expression, String message) {
        ExpressionException error = assertThrows(ExpressionException.class, () -> parse(expression));
        assertEquals(message, error.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            sk = :five                            | Query condition missed key schema element: pk
            pk < :p                               | Query key condition not supported
            pk = :p AND extra = :one              | Query condition missed key schema element: sk
            pk = :p AND sk = :one AND extra = :one | Query key condition not supported
            pk = :five                            | One or more parameter values were invalid: Condition parameter type does not match schema type
            pk = :p AND sk = :p                   | One or more parameter values were invalid: Condition parameter type does not match schema type
            pk = :p AND begins_with(sk, :pre)     | One or more parameter values were invalid: Condition parameter type does not match schema type
            """)
    void refusesConditionsTheKeySchemaDoesNotAllow(String expression, String message) throws ExpressionException {
        KeyConditionExpression condition = parse(expression);
        ExpressionException error = assertThrows(ExpressionException.class,
                () -> condition.check("pk", "S", "sk", "N"));
        assertEquals(message, error.getMessage());
    }

    @Test
    void aConditionOnAnotherAttributeOfAPartitionOnlyTableIsNotSupported() throws ExpressionException {
        KeyConditionExpression condition = parse("pk = :p AND sk = :one");
        ExpressionException error = assertThrows(ExpressionException.class,
                () -> condition.check("pk", "S", null, null));
        assertEquals("Query key condition not supported", error.getMessage());
    }

    @Test
    void anIndexKeySchemaDecides() throws ExpressionException {
        KeyConditionExpression condition = parse("sk = :five AND pk = :p");
        condition.check("sk", "N", "pk", "S");
        assertEquals(value("{N: '5'}"), condition.partitionValue());
        assertTrue(condition.sortKeyMatches(value("{S: 'p1'}")));
        assertFalse(condition.sortKeyMatches(value("{S: 'p2'}")));
    }
}
