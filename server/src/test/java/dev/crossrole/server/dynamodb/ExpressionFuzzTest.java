package dev.crossrole.server.dynamodb;

import static dev.crossrole.server.dynamodb.ExpressionTestValues.item;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random token soup never gets anything from the parsers and evaluators but a result or an
 * {@link ExpressionException}: no other exception, whatever a caller sends.
 */
class ExpressionFuzzTest {

    private static final List<String> TOKENS = List.of("a", "b", "doc", "arr", "#n", "#undefined", ":s", ":n",
            ":l", ":m", ":ss", ":undefined", "=", "<>", "<", "<=", ">", ">=", "(", ")", "[", "]", "0", "1", "99",
            ",", ".", "+", "-", "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE", "size",
            "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains",
            "if_not_exists", "list_append", "status", "$", ":", "#", " ");

    private static final Map<String, AttributeValue> ITEM = item("""
            {a: {N: '1'}, b: {S: 'x'}, doc: {M: {a: {L: [{N: '1'}]}}}, arr: {L: [{S: 'x'}, {N: '2'}]},
             ss: {SS: ['x']}}
            """);

    private static ExpressionAttributes attributes() {
        return new ExpressionAttributes(Map.of("#n", "a"), item("""
                {':s': {S: 'x'}, ':n': {N: '1'}, ':l': {L: [{N: '1'}]}, ':m': {M: {a: {N: '1'}}},
                 ':ss': {SS: ['y']}}
                """));
    }

    @Provide
    Arbitrary<String> soup() {
        return Arbitraries.of(TOKENS).list().ofMinSize(1).ofMaxSize(14).map(tokens -> String.join(" ", tokens));
    }

    @Property(tries = 1000)
    void conditionsParseAndEvaluateOrRefuse(@ForAll("soup") String text) {
        try {
            ConditionExpression condition = ConditionExpression.parse(text, attributes(), "ConditionExpression");
            condition.test(ITEM);
            condition.test(Map.of());
            condition.topLevelAttributes();
        } catch (ExpressionException refused) {
            // the answer a malformed expression gets
        }
    }

    @Property(tries = 1000)
    void updatesParseAndApplyOrRefuse(@ForAll("soup") String text) {
        try {
            UpdateExpression update = UpdateExpression.parse("SET " + text, attributes());
            update.apply(ITEM);
            update.apply(Map.of());
        } catch (ExpressionException refused) {
            // the answer a malformed expression or an inapplicable update gets
        }
        try {
            UpdateExpression.parse(text, attributes()).apply(ITEM);
        } catch (ExpressionException refused) {
            // likewise
        }
    }

    @Property(tries = 1000)
    void projectionsAndKeyConditionsParseOrRefuse(@ForAll("soup") String text) {
        try {
            ProjectionExpression.parse(text, attributes()).project(ITEM);
        } catch (ExpressionException refused) {
            // likewise
        }
        try {
            KeyConditionExpression key = KeyConditionExpression.parse(text, attributes());
            key.check("a", "N", "b", "S");
            key.partitionValue();
            key.sortKeyMatches(new AttributeValue.S("x"));
        } catch (ExpressionException refused) {
            // likewise
        }
    }

    private static final List<String> PATHS = List.of("a", "b", "ss", "doc", "doc.a", "doc.a[0]", "doc.a[3]", "arr",
            "arr[0]", "arr[1]", "arr[7]", "arr[0].x", "b.c", "#n", "zz", "zz[0]");
    private static final List<String> VALUES = List.of(":s", ":n", ":l", ":m", ":ss");

    @Provide
    Arbitrary<String> updates() {
        Arbitrary<String> path = Arbitraries.of(PATHS);
        Arbitrary<String> operand = Arbitraries.oneOf(path, Arbitraries.of(VALUES),
                path.map(p -> "if_not_exists(" + p + ", :n)"),
                Arbitraries.of(VALUES).map(v -> "list_append(" + v + ", :l)"));
        Arbitrary<String> value = Arbitraries.oneOf(operand,
                Combinators.combine(operand, Arbitraries.of("+", "-"), operand)
                        .as((x, o, y) -> x + " " + o + " " + y));
        Arbitrary<String> set = Combinators.combine(path, value).as((p, v) -> "SET " + p + " = " + v);
        Arbitrary<String> remove = path.map(p -> "REMOVE " + p);
        Arbitrary<String> add = Combinators.combine(path, Arbitraries.of(VALUES))
                .as((p, v) -> "ADD " + p + " " + v);
        Arbitrary<String> delete = Combinators.combine(path, Arbitraries.of(VALUES))
                .as((p, v) -> "DELETE " + p + " " + v);
        return Arbitraries.oneOf(set, remove, add, delete).list().ofMinSize(1).ofMaxSize(4)
                .map(clauses -> String.join(" ", clauses));
    }

    @Provide
    Arbitrary<String> conditions() {
        Arbitrary<String> path = Arbitraries.of(PATHS);
        Arbitrary<String> operand = Arbitraries.oneOf(path, Arbitraries.of(VALUES), path.map(p -> "size(" + p + ")"));
        Arbitrary<String> comparison = Combinators.combine(operand,
                Arbitraries.of("=", "<>", "<", "<=", ">", ">="), operand).as((x, o, y) -> x + " " + o + " " + y);
        Arbitrary<String> function = Combinators.combine(
                Arbitraries.of("attribute_exists", "attribute_not_exists", "begins_with", "contains",
                        "attribute_type"), path, Arbitraries.of(VALUES))
                .as((f, p, v) -> f.startsWith("attribute_") && !f.equals("attribute_type") ? f + "(" + p + ")"
                        : f + "(" + p + ", " + v + ")");
        Arbitrary<String> between = Combinators.combine(operand, operand, operand)
                .as((x, y, z) -> x + " BETWEEN " + y + " AND " + z);
        Arbitrary<String> leaf = Arbitraries.oneOf(comparison, function, between);
        return Combinators.combine(leaf, Arbitraries.of(" AND ", " OR ", " AND NOT "), leaf)
                .as((x, j, y) -> x + j + "(" + y + ")");
    }

    @Property(tries = 1000)
    void wellFormedUpdatesApplyOrRefuse(@ForAll("updates") String text) {
        try {
            UpdateExpression update = UpdateExpression.parse(text, attributes());
            update.apply(ITEM);
            update.apply(Map.of());
        } catch (ExpressionException refused) {
            // overlapping paths, wrong operand types, paths a document does not have
        }
    }

    @Property(tries = 1000)
    void wellFormedConditionsEvaluateOrRefuse(@ForAll("conditions") String text) {
        try {
            ConditionExpression condition = ConditionExpression.parse(text, attributes(), "ConditionExpression");
            condition.test(ITEM);
            condition.test(Map.of());
        } catch (ExpressionException refused) {
            // operand types, distinct operands and the like
        }
    }
}
