package dev.crossrole.server.dynamodb;

import java.util.List;

/** The parsed forms of DynamoDB's expressions, shared by the parser and the evaluators. */
final class ExpressionTree {

    private ExpressionTree() {
    }

    /** Something with a value: a document path, a {@code :value}, a function call or {@code +}/{@code -}. */
    sealed interface Operand permits PathOperand, ValueOperand, FunctionCall, Arithmetic {
    }

    record PathOperand(DocumentPath path) implements Operand {
    }

    /** {@code value} is null only while the placeholder is undefined, which fails parsing. */
    record ValueOperand(String placeholder, AttributeValue value) implements Operand {
    }

    record FunctionCall(String name, List<Operand> arguments) implements Operand {
        FunctionCall {
            arguments = List.copyOf(arguments);
        }
    }

    /** {@code operator} is {@code +} or {@code -}; update expressions only. */
    record Arithmetic(String operator, Operand left, Operand right) implements Operand {
    }

    /** A condition: a comparison, BETWEEN, IN, a boolean function, or AND/OR/NOT of conditions. */
    sealed interface Condition permits Comparison, Between, In, And, Or, Not, FunctionCondition {
    }

    /** {@code operator} is one of {@code = <> < <= > >=}. */
    record Comparison(String operator, Operand left, Operand right) implements Condition {
    }

    record Between(Operand subject, Operand lower, Operand upper) implements Condition {
    }

    record In(Operand subject, List<Operand> candidates) implements Condition {
        In {
            candidates = List.copyOf(candidates);
        }
    }

    record And(Condition left, Condition right) implements Condition {
    }

    record Or(Condition left, Condition right) implements Condition {
    }

    record Not(Condition inner) implements Condition {
    }

    record FunctionCondition(FunctionCall call) implements Condition {
    }

    /** One action of an update expression; {@code value} is the SET value, or the ADD/DELETE operand. */
    record UpdateAction(String clause, DocumentPath path, Operand value) {
    }
}
