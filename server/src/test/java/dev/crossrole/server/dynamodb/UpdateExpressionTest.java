package dev.crossrole.server.dynamodb;

import static dev.crossrole.server.dynamodb.ExpressionTestValues.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpdateExpressionTest {

    private static final String VALUES = """
            {':one': {N: '1'}, ':two': {N: '2'}, ':z': {N: '0'}, ':s': {S: 'new'}, ':l': {L: [{S: 'x'}]},
             ':empty': {L: []}, ':ss': {SS: ['c']}, ':ssab': {SS: ['a', 'b']}, ':ns': {NS: ['3']},
             ':m': {M: {k: {S: 'v'}}}, ':bs': {BS: ['AQI=']}}
            """;

    private static UpdateExpression parse(String expression) throws ExpressionException {
        Map<String, String> names = expression.contains("#k") ? Map.of("#k", "status") : null;
        return UpdateExpression.parse(expression, new ExpressionAttributes(names, item(VALUES)));
    }

    @ParameterizedTest(name = "[{index}] {0} on {1}")
    @CsvSource(delimiter = '|', textBlock = """
            SET a = :s                                 | {}                                   | {a: {S: 'new'}}
            SET a = :s, b = :one                       | {}                                   | {a: {S: 'new'}, b: {N: '1'}}
            SET a = :s                                 | {a: {N: '1'}}                        | {a: {S: 'new'}}
            SET n = n + :one                           | {n: {N: '5'}}                        | {n: {N: '6'}}
            SET n = n - :two                           | {n: {N: '5'}}                        | {n: {N: '3'}}
            SET n = :one + :two                        | {}                                   | {n: {N: '3'}}
            SET n = n + n                              | {n: {N: '2.5'}}                      | {n: {N: '5'}}
            SET c = list_append(c, :l)                 | {c: {L: [{S: 'w'}]}}                 | {c: {L: [{S: 'w'}, {S: 'x'}]}}
            SET c = list_append(:l, c)                 | {c: {L: [{S: 'w'}]}}                 | {c: {L: [{S: 'x'}, {S: 'w'}]}}
            SET d = if_not_exists(d, :z)               | {}                                   | {d: {N: '0'}}
            SET d = if_not_exists(d, :z)               | {d: {N: '9'}}                        | {d: {N: '9'}}
            SET cnt = if_not_exists(cnt, :z) + :one    | {}                                   | {cnt: {N: '1'}}
            SET c = list_append(if_not_exists(c, :empty), :l) | {}                            | {c: {L: [{S: 'x'}]}}
            SET a = b                                  | {b: {S: 'x'}}                        | {a: {S: 'x'}, b: {S: 'x'}}
            SET a = b, b = a                           | {a: {N: '1'}, b: {N: '2'}}           | {a: {N: '2'}, b: {N: '1'}}
            SET #k = :s                                | {}                                   | {status: {S: 'new'}}
            SET doc.k = :s                             | {doc: {M: {}}}                       | {doc: {M: {k: {S: 'new'}}}}
            SET doc.k = :m                             | {doc: {M: {k: {N: '1'}}}}            | {doc: {M: {k: {M: {k: {S: 'v'}}}}}}
            SET arr[1] = :s                            | {arr: {L: [{S: 'a'}, {S: 'b'}]}}     | {arr: {L: [{S: 'a'}, {S: 'new'}]}}
            SET arr[9] = :s                            | {arr: {L: [{S: 'a'}]}}               | {arr: {L: [{S: 'a'}, {S: 'new'}]}}
            SET doc.arr[0].k = :s                      | {doc: {M: {arr: {L: [{M: {}}]}}}}    | {doc: {M: {arr: {L: [{M: {k: {S: 'new'}}}]}}}}
            SET arr[0] = :s REMOVE arr[1]              | {arr: {L: [{S: 'a'}, {S: 'b'}, {S: 'c'}]}} | {arr: {L: [{S: 'new'}, {S: 'c'}]}}
            REMOVE a                                   | {a: {N: '1'}, b: {N: '2'}}           | {b: {N: '2'}}
            REMOVE a, b                                | {a: {N: '1'}, b: {N: '2'}}           | {}
            REMOVE arr[0], arr[2]                      | {arr: {L: [{S: 'a'}, {S: 'b'}, {S: 'c'}, {S: 'd'}]}} | {arr: {L: [{S: 'b'}, {S: 'd'}]}}
            REMOVE doc.k                               | {doc: {M: {k: {N: '1'}, j: {N: '2'}}}} | {doc: {M: {j: {N: '2'}}}}
            REMOVE absent                              | {a: {N: '1'}}                        | {a: {N: '1'}}
            REMOVE arr[7]                              | {arr: {L: [{S: 'a'}]}}               | {arr: {L: [{S: 'a'}]}}
            REMOVE doc.absent                          | {doc: {M: {k: {S: 'x'}}}}            | {doc: {M: {k: {S: 'x'}}}}
            REMOVE doc.arr[3]                          | {doc: {M: {arr: {L: []}}}}           | {doc: {M: {arr: {L: []}}}}
            DELETE doc.tags :ss                        | {doc: {M: {}}}                       | {doc: {M: {}}}
            ADD n :one                                 | {}                                   | {n: {N: '1'}}
            ADD n :one                                 | {n: {N: '5'}}                        | {n: {N: '6'}}
            ADD tags :ss                               | {tags: {SS: ['a', 'b']}}             | {tags: {SS: ['a', 'b', 'c']}}
            ADD tags :ss                               | {}                                   | {tags: {SS: ['c']}}
            ADD tags :ss                               | {tags: {SS: ['c']}}                  | {tags: {SS: ['c']}}
            ADD nums :ns                               | {nums: {NS: ['1']}}                  | {nums: {NS: ['1', '3']}}
            ADD bins :bs                               | {bins: {BS: ['CQ==']}}               | {bins: {BS: ['CQ==', 'AQI=']}}
            ADD doc.n :one                             | {doc: {M: {}}}                       | {doc: {M: {n: {N: '1'}}}}
            DELETE tags :ssab                          | {tags: {SS: ['a', 'b', 'c']}}        | {tags: {SS: ['c']}}
            DELETE tags :ssab                          | {tags: {SS: ['a', 'b']}, x: {N: '1'}} | {x: {N: '1'}}
            DELETE tags :ssab                          | {}                                   | {}
            DELETE bins :bs                            | {bins: {BS: ['CQ==', 'AQI=']}}       | {bins: {BS: ['CQ==']}}
            SET a = :s REMOVE b ADD n :one DELETE tags :ss | {b: {N: '1'}, tags: {SS: ['c', 'd']}} | {tags: {SS: ['d']}, a: {S: 'new'}, n: {N: '1'}}
            set a = :s remove b                        | {b: {N: '1'}}                        | {a: {S: 'new'}}
            REMOVE b SET a = :s                        | {b: {N: '1'}}                        | {a: {S: 'new'}}
            """)
    void appliesAsDynamoDb(String expression, String before, String after) throws ExpressionException {
        Map<String, AttributeValue> original = Map.copyOf(item(before)); // immutable: apply must not change it
        assertEquals(item(after), parse(expression).apply(original));
        assertEquals(item(before), original);
    }

    @ParameterizedTest(name = "[{index}] {0} on {1}")
    @CsvSource(delimiter = '|', textBlock = """
            SET a = b                      | {}                      | The provided expression refers to an attribute that does not exist in the item
            SET n = n + :one               | {}                      | The provided expression refers to an attribute that does not exist in the item
            SET c = list_append(c, :l)     | {}                      | The provided expression refers to an attribute that does not exist in the item
            SET n = n + :one               | {n: {S: 'x'}}           | An operand in the update expression has an incorrect data type
            SET n = n - n                  | {n: {SS: ['x']}}        | An operand in the update expression has an incorrect data type
            SET c = list_append(c, :l)     | {c: {S: 'x'}}           | An operand in the update expression has an incorrect data type
            ADD n :one                     | {n: {S: 'x'}}           | An operand in the update expression has an incorrect data type
            ADD tags :ss                   | {tags: {NS: ['1']}}     | An operand in the update expression has an incorrect data type
            ADD n :ns                      | {n: {N: '1'}}           | An operand in the update expression has an incorrect data type
            DELETE tags :ss                | {tags: {S: 'x'}}        | An operand in the update expression has an incorrect data type
            DELETE tags :ss                | {tags: {NS: ['1']}}     | An operand in the update expression has an incorrect data type
            SET doc.k = :s                 | {}                      | The document path provided in the update expression is invalid for update
            SET doc.k = :s                 | {doc: {S: 'x'}}         | The document path provided in the update expression is invalid for update
            SET doc.a.b = :s               | {doc: {M: {}}}          | The document path provided in the update expression is invalid for update
            SET arr[0] = :s                | {arr: {M: {}}}          | The document path provided in the update expression is invalid for update
            SET arr[3].k = :s              | {arr: {L: []}}          | The document path provided in the update expression is invalid for update
            ADD doc.n :one                 | {}                      | The document path provided in the update expression is invalid for update
            REMOVE doc.k                   | {}                      | The document path provided in the update expression is invalid for update
            REMOVE doc.k.j                 | {doc: {M: {k: {S: 'x'}}}} | The document path provided in the update expression is invalid for update
            REMOVE doc[0]                  | {doc: {M: {}}}          | The document path provided in the update expression is invalid for update
            REMOVE doc.a.b                 | {doc: {M: {}}}          | The document path provided in the update expression is invalid for update
            DELETE doc.tags :ss            | {}                      | The document path provided in the update expression is invalid for update
            """)
    void failsAtRunTimeAsDynamoDb(String expression, String before, String message) throws ExpressionException {
        UpdateExpression update = parse(expression);
        ExpressionException error = assertThrows(ExpressionException.class, () -> update.apply(item(before)));
        assertEquals(message, error.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            ~~                                   | The expression can not be empty;
            SET a = :s SET b = :one              | The "SET" section can only be used once in an update expression;
            REMOVE a REMOVE b                    | The "REMOVE" section can only be used once in an update expression;
            ADD a :one ADD b :one                | The "ADD" section can only be used once in an update expression;
            DELETE a :ss delete b :ss            | The "DELETE" section can only be used once in an update expression;
            SET a = :s, a = :one                 | Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]
            SET a = :s REMOVE a.b                | Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]
            REMOVE a.b[1] SET a.b = :s           | Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b, [1]], path two: [a, b]
            SET a.b = :s REMOVE a[0]             | Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]
            ADD n :s                             | Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND
            ADD n :l                             | Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND
            ADD n :m                             | Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND
            DELETE n :one                        | Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND
            SET a = :s + :one                    | Incorrect operand type for operator or function; operator or function: +, operand type: S
            SET a = b - :l                       | Incorrect operand type for operator or function; operator or function: -, operand type: L
            SET a = list_append(b, :l) + :one    | Incorrect operand type for operator or function; operator or function: +, operand type: L
            SET c = list_append(c, :m)           | Incorrect operand type for operator or function; operator or function: list_append, operand type: M
            SET a = if_not_exists(:s, :one)      | Operator or function requires a document path; operator or function: if_not_exists
            SET a = size(b)                      | The function is not allowed in an update expression; function: size
            SET a = attribute_exists(b)          | The function is not allowed in an update expression; function: attribute_exists
            SET a = foo(b)                       | Invalid function name; function: foo
            SET a = list_append(b)               | Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1
            SET status = :s                      | Attribute name is a reserved keyword; reserved keyword: status
            SET a = :nope                        | An expression attribute value used in expression is not defined; attribute value: :nope
            SET #nope = :s                       | An expression attribute name used in the document path is not defined; attribute name: #nope
            INVALID SYNTAX HERE                  | Syntax error; token: "INVALID", near: "INVALID SYNTAX"
            ADD hits : incr                      | Syntax error; token: ":", near: "hits : incr"
            SET a                                | Syntax error; token: "<EOF>", near: "a"
            SET a = :s,                          | Syntax error; token: "<EOF>", near: ","
            SET a = 1                            | Syntax error; token: "1", near: "= 1"
            ADD a b                              | Syntax error; token: "b", near: "a b"
            SET a = :s +                         | Syntax error; token: "<EOF>", near: "+"
            REMOVE                               | Syntax error; token: "<EOF>", near: "REMOVE"
            SET remove = :s                      | Syntax error; token: "remove", near: "SET remove ="
            SET a = :s WHERE b = :s              | Syntax error; token: "WHERE", near: ":s WHERE b"
            SET a = :one - :one - :two           | Syntax error; token: "-", near: ":one - :two"
            """)
    void refusesWithDynamoDbsMessage(String expression, String message) {
        ExpressionException error = assertThrows(ExpressionException.class, () -> parse(expression));
        assertEquals("Invalid UpdateExpression: " + message, error.getMessage());
    }

    @Test
    void namesTheTopLevelAttributesItTouches() throws ExpressionException {
        assertEquals(Set.of("a", "c", "d", "e", "f"),
                parse("SET a.b = :s, c[0] = :one REMOVE d ADD e :one DELETE f :ss").topLevelAttributes());
    }

    @Test
    void computedNumbersStayWithinWhatDynamoDbStores() throws ExpressionException {
        Map<String, AttributeValue> values = item("{':big': {N: '9E+125'}, ':tiny': {N: '1E-30'}, ':z': {N: '0'}}");
        assertEquals("Number overflow. Attempting to store a number with magnitude larger than supported range",
                assertThrows(ExpressionException.class, () -> UpdateExpression.parse("SET n = n + :big",
                        new ExpressionAttributes(null, values)).apply(item("{n: {N: '9E+125'}}"))).getMessage());
        assertEquals("Attempting to store more than 38 significant digits in a Number",
                assertThrows(ExpressionException.class, () -> UpdateExpression.parse("ADD n :tiny",
                        new ExpressionAttributes(null, values)).apply(item("{n: {N: '1E+30'}}"))).getMessage());
        assertEquals(item("{n: {N: '-9E+125'}}"), UpdateExpression.parse("SET n = :z - :big",
                new ExpressionAttributes(null, values)).apply(Map.of()));
    }
}
