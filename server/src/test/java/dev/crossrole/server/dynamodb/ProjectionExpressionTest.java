package dev.crossrole.server.dynamodb;

import static dev.crossrole.server.dynamodb.ExpressionTestValues.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProjectionExpressionTest {

    private static final Map<String, AttributeValue> ITEM = item("""
            {pk: {S: 'p'}, a: {N: '1'}, status: {S: 'open'},
             doc: {M: {x: {N: '1'}, y: {M: {z: {S: 'deep'}, w: {S: 'other'}}}}},
             arr: {L: [{S: 'a0'}, {M: {k: {S: 'v'}, j: {S: 'u'}}}, {S: 'a2'}, {S: 'a3'}]}}
            """);

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            pk                      | {pk: {S: 'p'}}
            pk, a                   | {pk: {S: 'p'}, a: {N: '1'}}
            absent                  | {}
            pk, absent              | {pk: {S: 'p'}}
            #s                      | {status: {S: 'open'}}
            doc.x                   | {doc: {M: {x: {N: '1'}}}}
            doc.y.z, doc.x          | {doc: {M: {y: {M: {z: {S: 'deep'}}}, x: {N: '1'}}}}
            doc.nope                | {}
            doc.x.nope              | {}
            arr[2]                  | {arr: {L: [{S: 'a2'}]}}
            arr[3], arr[0]          | {arr: {L: [{S: 'a0'}, {S: 'a3'}]}}
            arr[1].k                | {arr: {L: [{M: {k: {S: 'v'}}}]}}
            arr[9]                  | {}
            arr[9], arr[2]          | {arr: {L: [{S: 'a2'}]}}
            a[0]                    | {}
            doc                     | {doc: {M: {x: {N: '1'}, y: {M: {z: {S: 'deep'}, w: {S: 'other'}}}}}}
            """)
    void keepsWhatThePathsName(String expression, String expected) throws ExpressionException {
        ExpressionAttributes attributes = new ExpressionAttributes(
                expression.contains("#s") ? Map.of("#s", "status") : null, null);
        Map<String, AttributeValue> original = Map.copyOf(ITEM);
        assertEquals(item(expected), ProjectionExpression.parse(expression, attributes).project(original));
        assertEquals(ITEM, original);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            ~~               | The expression can not be empty;
            a, a.b           | Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]
            a.b, a           | Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]
            a, a             | Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]
            a[0], a[0].b     | Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, [0], b]
            a.b, a[0]        | Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]
            status           | Attribute name is a reserved keyword; reserved keyword: status
            #nope            | An expression attribute name used in the document path is not defined; attribute name: #nope
            a,               | Syntax error; token: "<EOF>", near: ","
            a b              | Syntax error; token: "b", near: "a b"
            :v               | Syntax error; token: ":v", near: ":v"
            size(a)          | Syntax error; token: "(", near: "size(a"
            a[-1]            | Syntax error; token: "-", near: "[-1"
            """)
    void refusesWithDynamoDbsMessage(String expression, String message) {
        ExpressionException error = assertThrows(ExpressionException.class,
                () -> ProjectionExpression.parse(expression, ExpressionAttributes.none()));
        assertEquals("Invalid ProjectionExpression: " + message, error.getMessage());
    }

    @Test
    void siblingsDoNotOverlap() throws ExpressionException {
        ProjectionExpression.parse("a.b, a.c, l[0], l[1].x, l[2]", ExpressionAttributes.none());
    }

    @Test
    void namesTopLevelAttributes() throws ExpressionException {
        assertEquals(Set.of("doc", "arr", "pk"),
                ProjectionExpression.parse("doc.x, arr[1], pk", ExpressionAttributes.none()).topLevelAttributes());
    }

    @Test
    void legacyAttributesToGetProjectTopLevelAttributes() {
        assertEquals(item("{pk: {S: 'p'}, status: {S: 'open'}}"),
                ProjectionExpression.ofAttributes(List.of("pk", "status", "absent")).project(ITEM));
    }
}
