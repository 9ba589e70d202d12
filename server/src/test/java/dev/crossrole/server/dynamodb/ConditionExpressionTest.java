package dev.crossrole.server.dynamodb;

import static dev.crossrole.server.dynamodb.ExpressionTestValues.item;
import static dev.crossrole.server.dynamodb.ExpressionTestValues.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionExpressionTest {

    private static final Map<String, AttributeValue> ITEM = item("""
            {pk: {S: 'p1'}, title: {S: 'alpha'}, qty: {N: '5'}, price: {N: '10.50'},
             tags: {SS: ['red', 'blue']}, nums: {NS: ['1', '2']}, bin: {B: 'AQID'}, flag: {BOOL: true},
             nothing: {NULL: true}, unicode: {S: 'é'},
             things: {L: [{S: 'a'}, {N: '2'}, {M: {x: {S: 'y'}}}]},
             doc: {M: {core: {M: {deep: {N: '7'}}}, arr: {L: [{N: '1'}, {N: '2'}]}}}}
            """);

    private static Map<String, AttributeValue> values() {
        return item("""
                {':five': {N: '5'}, ':ten': {N: '10'}, ':eleven': {N: '11'}, ':one': {N: '1'}, ':two': {N: '2'},
                 ':three': {N: '3'}, ':seven': {N: '7'}, ':s': {S: 'alpha'}, ':al': {S: 'al'}, ':lph': {S: 'lph'},
                 ':red': {S: 'red'}, ':a': {S: 'a'}, ':m': {M: {x: {S: 'y'}}}, ':typeSS': {S: 'SS'},
                 ':typeS': {S: 'S'}, ':bad': {S: 'XX'}, ':b12': {B: 'AQI='}, ':b9': {B: 'CQ=='}, ':t': {BOOL: true},
                 ':null': {NULL: true}, ':fivePointZero': {N: '5.0'}, ':zero': {N: '0'}}
                """);
    }

    private static boolean holds(String expression, Map<String, String> names) throws ExpressionException {
        return ConditionExpression.parse(expression, new ExpressionAttributes(names, values()), "ConditionExpression")
                .test(ITEM);
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', textBlock = """
            qty = :five                                    | true
            qty = :fivePointZero                           | true
            qty <> :five                                   | false
            qty < :ten                                     | true
            qty <= :five                                   | true
            qty > :five                                    | false
            qty >= :five                                   | true
            :five = qty                                    | true
            :ten > qty                                     | true
            title = :five                                   | false
            title < :five                                   | false
            title > :al                                     | true
            absent = :five                                | false
            absent <> :five                               | true
            absent < :five                                | false
            price BETWEEN :ten AND :eleven                 | true
            qty BETWEEN :one AND :five                     | true
            qty BETWEEN :seven AND :ten                    | false
            title BETWEEN :one AND :ten                     | false
            qty IN (:one, :five)                           | true
            qty IN (:one, :two)                            | false
            absent IN (:one, :two)                        | false
            attribute_exists(title)                         | true
            attribute_exists(absent)                      | false
            attribute_not_exists(absent)                  | true
            attribute_not_exists(title)                     | false
            attribute_exists(doc.core.deep)               | true
            attribute_exists(doc.arr[5])                   | false
            attribute_exists(title.core)                   | false
            attribute_exists(nothing)                      | true
            attribute_type(tags, :typeSS)                  | true
            attribute_type(title, :typeSS)                  | false
            attribute_type(absent, :typeS)                | false
            begins_with(title, :al)                         | true
            begins_with(title, :lph)                        | false
            begins_with(bin, :b12)                         | true
            begins_with(bin, :b9)                          | false
            begins_with(qty, :al)                          | false
            begins_with(absent, :al)                      | false
            contains(title, :lph)                           | true
            contains(title, :red)                           | false
            contains(tags, :red)                           | true
            contains(tags, :a)                             | false
            contains(nums, :two)                           | true
            contains(nums, :three)                         | false
            contains(things, :a)                           | true
            contains(things, :m)                           | true
            contains(things, :red)                         | false
            contains(qty, :five)                           | false
            size(title) = :five                             | true
            size(unicode) = :two                           | true
            size(tags) = :two                              | true
            size(things) > :two                            | true
            size(doc) = :two                               | true
            size(bin) = :three                             | true
            size(qty) = :one                               | false
            size(absent) < :one                           | false
            NOT qty = :five                                | false
            not qty = :one                                 | true
            qty = :five AND title = :s                      | true
            qty = :five and title = :a                      | false
            qty = :one OR title = :s                        | true
            qty = :one AND title = :s OR flag = :t          | true
            qty = :one AND (title = :s OR flag = :t)        | false
            flag = :t OR qty = :one AND title = :a          | true
            NOT attribute_exists(absent) AND qty = :five  | true
            NOT (qty = :one OR qty = :two)                 | true
            doc.core.deep = :seven                        | true
            doc.arr[1] = :two                              | true
            doc.arr[0] < doc.core.deep                    | true
            things[2].x = :s                               | false
            things[2] = :m                                 | true
            flag = :t                                      | true
            nothing = :null                                | true
            (qty) = :five                                  | true
            (qty = :five)                                  | true
            size(#c) = :five                               | false
            #c = :five                                     | true
            doc.#i.deep = :seven                           | true
            """)
    void evaluatesAsDynamoDb(String expression, boolean expected) throws ExpressionException {
        Map<String, String> names = new LinkedHashMap<>();
        if (expression.contains("#c")) {
            names.put("#c", "qty");
        }
        if (expression.contains("#i")) {
            names.put("#i", "core");
        }
        assertEquals(expected, holds(expression, names.isEmpty() ? null : names), expression);
    }

    @Test
    void reservedWordsAndOddNamesGoThroughPlaceholders() throws ExpressionException {
        Map<String, AttributeValue> item = item("{status: {S: 'open'}, 'a.b': {S: 'dotted'}, 'a-b': {N: '1'}}");
        ExpressionAttributes attributes = new ExpressionAttributes(
                Map.of("#s", "status", "#d", "a.b", "#h", "a-b"),
                item("{':open': {S: 'open'}, ':dotted': {S: 'dotted'}, ':one': {N: '1'}}"));
        assertTrue(ConditionExpression.parse("#s = :open AND #d = :dotted AND #h = :one", attributes,
                "ConditionExpression").test(item));
        attributes.checkAllUsed();
    }

    @Test
    void anAbsentItemFailsExistenceAndPassesNonExistence() throws ExpressionException {
        ExpressionAttributes attributes = new ExpressionAttributes(null, null);
        assertFalse(ConditionExpression.parse("attribute_exists(pk)", attributes, "ConditionExpression")
                .test(Map.of()));
        assertTrue(ConditionExpression.parse("attribute_not_exists(pk)", attributes, "ConditionExpression")
                .test(Map.of()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            ~~                                | The expression can not be empty;
            ~   ~                             | The expression can not be empty;
            qty =                             | Syntax error; token: "<EOF>", near: "="
            qty = :five :five                 | Syntax error; token: ":five", near: ":five :five"
            qty == :five                      | Syntax error; token: "=", near: "== :five"
            qty = :five AND                   | Syntax error; token: "<EOF>", near: "AND"
            qty = :five $                     | Syntax error; token: "$", near: ":five $"
            qty = : five                      | Syntax error; token: ":", near: "= : five"
            doc[x] = :five                    | Syntax error; token: "x", near: "[x]"
            and = :five                       | Syntax error; token: "and", near: "and ="
            qty                               | Syntax error; token: "<EOF>", near: "qty"
            qty = 5                           | Syntax error; token: "5", near: "= 5"
            (qty = :five                      | Syntax error; token: "<EOF>", near: ":five"
            qty IN ()                         | Syntax error; token: ")", near: "()"
            status = :five                    | Attribute name is a reserved keyword; reserved keyword: status
            doc.Size = :five                  | Attribute name is a reserved keyword; reserved keyword: Size
            qty = :nope                       | An expression attribute value used in expression is not defined; attribute value: :nope
            #nope = :five                     | An expression attribute name used in the document path is not defined; attribute name: #nope
            status = :nope                    | Attribute name is a reserved keyword; reserved keyword: status
            size(qty)                         | The function is not allowed to be used this way in an expression; function: size
            attribute_exists(qty) = :five     | The function is not allowed to be used this way in an expression; function: attribute_exists
            foo(qty)                          | Invalid function name; function: foo
            BEGINS_WITH(title, :s)             | Invalid function name; function: BEGINS_WITH
            if_not_exists(qty, :five) = :five | The function is not allowed in a condition expression; function: if_not_exists
            list_append(qty, :five)           | The function is not allowed in a condition expression; function: list_append
            begins_with(qty)                  | Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1
            attribute_exists(qty, title)       | Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2
            attribute_exists(:five)           | Operator or function requires a document path; operator or function: attribute_exists
            attribute_not_exists(:five)       | Operator or function requires a document path; operator or function: attribute_not_exists
            size(:five) = :five               | Incorrect operand type for operator or function; operator or function: size, operand type: N
            size(size(title)) = :five          | Incorrect operand type for operator or function; operator or function: size, operand type: N
            begins_with(title, :five)          | Incorrect operand type for operator or function; operator or function: begins_with, operand type: N
            attribute_type(title, :bad)        | Invalid attribute type name found; type: XX, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}
            attribute_type(title, :five)       | Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N
            attribute_type(title, qty)         | Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}
            qty < :m                          | Incorrect operand type for operator or function; operator or function: <, operand type: M
            qty BETWEEN :t AND :five          | Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL
            qty = qty                         | The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [qty]
            doc.arr[0] <> doc.arr[0]          | The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [doc, arr, [0]]
            qty BETWEEN qty AND :five         | The first operand must be distinct from the remaining operands for this operator or function; operator: BETWEEN, first operand: [qty]
            begins_with(title, title)           | The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [title]
            qty BETWEEN :ten AND :five        | The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:5}
            qty BETWEEN :five AND :s          | The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:alpha}
            ((qty = :five))                   | The expression has redundant parentheses;
            ((qty)) = :five                   | The expression has redundant parentheses;
            """)
    void refusesWithDynamoDbsMessage(String expression, String message) {
        ExpressionException error = assertThrows(ExpressionException.class, () -> holds(expression, null));
        assertEquals("Invalid ConditionExpression: " + message, error.getMessage());
    }

    @Test
    void theKindNamesTheExpressionInMessages() {
        ExpressionException error = assertThrows(ExpressionException.class, () -> ConditionExpression.parse(
                "a = ", ExpressionAttributes.none(), "FilterExpression"));
        assertEquals("Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"=\"", error.getMessage());
    }

    @Test
    void inTakesAtMostOneHundredOperands() throws ExpressionException {
        StringBuilder hundred = new StringBuilder("qty IN (:v0");
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        values.put(":v0", value("{N: '0'}"));
        for (int i = 1; i < 100; i++) {
            hundred.append(", :v").append(i);
            values.put(":v" + i, value("{N: '" + i + "'}"));
        }
        assertTrue(ConditionExpression.parse(hundred + ")", new ExpressionAttributes(null, values),
                "ConditionExpression").test(ITEM));
        values.put(":v100", value("{N: '100'}"));
        ExpressionException error = assertThrows(ExpressionException.class, () -> ConditionExpression.parse(
                hundred + ", :v100)", new ExpressionAttributes(null, values), "ConditionExpression"));
        assertEquals("Invalid ConditionExpression: The IN operator is provided with too many operands; "
                + "number of operands: 101", error.getMessage());
    }

    @Test
    void pathsNestAtMostThirtyTwoLevels() throws ExpressionException {
        String deep = "a" + ".b".repeat(31);
        ConditionExpression.parse("attribute_exists(" + deep + ")", ExpressionAttributes.none(),
                "ConditionExpression");
        ExpressionException error = assertThrows(ExpressionException.class, () -> ConditionExpression.parse(
                "attribute_exists(" + deep + ".c)", ExpressionAttributes.none(), "ConditionExpression"));
        assertEquals("Invalid ConditionExpression: The document path has too many nesting levels; "
                + "nesting levels: 33", error.getMessage());
    }

    @Test
    void expressionsAreLimitedToFourKilobytes() {
        String longName = "a".repeat(4090);
        ExpressionException error = assertThrows(ExpressionException.class, () -> ConditionExpression.parse(
                "attribute_exists(" + longName + ")", ExpressionAttributes.none(), "ConditionExpression"));
        assertTrue(error.getMessage().startsWith(
                "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size"));
    }

    @Test
    void hostileNestingIsASyntaxErrorNotAStackOverflow() throws ExpressionException {
        assertTrue(holds("NOT ".repeat(200) + "qty = :five", null));
        assertFalse(holds("NOT ".repeat(201) + "qty = :five", null));
        ExpressionException notNot = assertThrows(ExpressionException.class,
                () -> holds("NOT ".repeat(300) + "qty = :five", null));
        assertTrue(notNot.getMessage().startsWith("Invalid ConditionExpression: Syntax error; token: \"NOT\""));
        ExpressionException parentheses = assertThrows(ExpressionException.class,
                () -> holds("(".repeat(2000) + "qty" + ")".repeat(2000) + " = :five", null));
        assertTrue(parentheses.getMessage().startsWith("Invalid ConditionExpression: Syntax error; token: \"(\""));
    }

    @Test
    void namesTheTopLevelAttributesItReads() throws ExpressionException {
        assertEquals(java.util.Set.of("qty", "doc", "title", "tags"), ConditionExpression.parse(
                "qty = :five AND (doc.core.deep > :one OR NOT begins_with(title, :al)) AND size(tags) IN (:one)",
                new ExpressionAttributes(null, values()), "FilterExpression").topLevelAttributes());
    }
}
