package dev.crossrole.server.dynamodb;

import dev.crossrole.server.dynamodb.ExpressionTree.And;
import dev.crossrole.server.dynamodb.ExpressionTree.Arithmetic;
import dev.crossrole.server.dynamodb.ExpressionTree.Between;
import dev.crossrole.server.dynamodb.ExpressionTree.Comparison;
import dev.crossrole.server.dynamodb.ExpressionTree.Condition;
import dev.crossrole.server.dynamodb.ExpressionTree.FunctionCall;
import dev.crossrole.server.dynamodb.ExpressionTree.FunctionCondition;
import dev.crossrole.server.dynamodb.ExpressionTree.In;
import dev.crossrole.server.dynamodb.ExpressionTree.Not;
import dev.crossrole.server.dynamodb.ExpressionTree.Operand;
import dev.crossrole.server.dynamodb.ExpressionTree.Or;
import dev.crossrole.server.dynamodb.ExpressionTree.PathOperand;
import dev.crossrole.server.dynamodb.ExpressionTree.UpdateAction;
import dev.crossrole.server.dynamodb.ExpressionTree.ValueOperand;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses DynamoDB's expression language: condition (and filter and key-condition) expressions, update expressions and
 * projection expressions. Syntax errors stop parsing at the offending token; the other errors are collected while
 * parsing and validating and the most important one is answered, in the order DynamoDB checks them (redundant
 * parentheses, function names, function placement, reserved words, then each operator's operands).
 */
final class ExpressionParser {

    /** DynamoDB's limits: document path depth, IN operands, expression length. */
    static final int MAX_PATH_DEPTH = 32;
    static final int MAX_IN_OPERANDS = 100;
    static final int MAX_EXPRESSION_LENGTH = 4096;
    /**
     * How deep parentheses and NOTs may nest. DynamoDB documents no such limit; this one only keeps a hostile
     * expression (4 KB of parentheses) from exhausting the parser's stack, and is answered as a syntax error.
     */
    static final int MAX_NESTING = 256;

    private static final Set<String> RESERVED_WORDS = loadReservedWords();
    private static final Set<String> KEYWORDS = Set.of("AND", "OR", "NOT", "BETWEEN", "IN");
    private static final Set<String> UPDATE_CLAUSES = Set.of("SET", "REMOVE", "ADD", "DELETE");
    private static final Set<String> CONDITION_FUNCTIONS =
            Set.of("attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size");
    private static final Set<String> UPDATE_FUNCTIONS = Set.of("if_not_exists", "list_append");
    private static final Set<String> COMPARATORS = Set.of("=", "<>", "<", "<=", ">", ">=");
    private static final Set<String> ORDERED_TYPES = Set.of("S", "N", "B");
    private static final Set<String> STRING_OR_BINARY = Set.of("S", "B");
    private static final Set<String> SIZED_TYPES = Set.of("S", "B", "SS", "NS", "BS", "L", "M");
    private static final Set<String> SET_TYPES = Set.of("SS", "NS", "BS");
    /** The type names attribute_type accepts, in the order DynamoDB lists them in its message. */
    static final String VALID_TYPE_NAMES = "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}";
    private static final Set<String> TYPE_NAMES = Set.of("B", "NULL", "SS", "BOOL", "L", "BS", "N", "NS", "S", "M");
    /** What a document path may hold, printed as DynamoDB prints an operand that could be anything. */
    private static final String ANY_TYPE = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}";

    /** Error kinds, most important first: when several are found, the first kind found is answered. */
    private enum Severity {
        STRUCTURE, UNKNOWN_FUNCTION, FUNCTION_NOT_ALLOWED, MISUSED_FUNCTION, RESERVED_WORD, UNDEFINED, OPERANDS
    }

    private enum TokenKind { IDENT, NAME_REF, VALUE_REF, NUMBER, SYMBOL, UNKNOWN, EOF }

    private record Token(TokenKind kind, String text, int start, int end) {
        boolean is(String symbol) {
            return kind == TokenKind.SYMBOL && text.equals(symbol);
        }

        boolean isWord(String word) {
            return kind == TokenKind.IDENT && text.equalsIgnoreCase(word);
        }
    }

    /** Which expression is parsed: decides function placement rules and message prefixes. */
    enum Mode { CONDITION, UPDATE, PROJECTION }

    private final String text;
    private final String label;
    private final Mode mode;
    private final ExpressionAttributes attributes;
    private final List<Token> tokens;
    private int position;
    private int nesting;
    /** Where the last syntax error was found, to choose between two readings of a parenthesis. */
    private int syntaxErrorAt;
    private final String[] errors = new String[Severity.values().length];
    private final Set<Object> parenthesized = Collections.newSetFromMap(new IdentityHashMap<>());

    private ExpressionParser(String text, String label, Mode mode, ExpressionAttributes attributes)
            throws ExpressionException {
        this.text = text;
        this.label = label;
        this.mode = mode;
        this.attributes = attributes;
        this.tokens = tokenize(text);
    }

    /** Parses a condition, filter or key-condition expression; {@code label} names it in messages. */
    static Condition parseCondition(String text, ExpressionAttributes attributes, String label)
            throws ExpressionException {
        ExpressionParser parser = start(text, attributes, label, Mode.CONDITION);
        Condition condition = parser.condition();
        parser.expect(TokenKind.EOF);
        parser.validateCondition(condition);
        parser.finish();
        return condition;
    }

    static List<UpdateAction> parseUpdate(String text, ExpressionAttributes attributes) throws ExpressionException {
        ExpressionParser parser = start(text, attributes, "UpdateExpression", Mode.UPDATE);
        List<UpdateAction> actions = parser.updateActions();
        for (UpdateAction action : actions) {
            parser.validateUpdateAction(action);
        }
        parser.checkOverlaps(actions.stream().map(UpdateAction::path).toList());
        parser.finish();
        return actions;
    }

    static List<DocumentPath> parseProjection(String text, ExpressionAttributes attributes)
            throws ExpressionException {
        ExpressionParser parser = start(text, attributes, "ProjectionExpression", Mode.PROJECTION);
        List<DocumentPath> paths = new ArrayList<>();
        paths.add(parser.path());
        while (parser.peek().is(",")) {
            parser.position++;
            paths.add(parser.path());
        }
        parser.expect(TokenKind.EOF);
        parser.checkOverlaps(paths);
        parser.finish();
        return paths;
    }

    private static ExpressionParser start(String text, ExpressionAttributes attributes, String label, Mode mode)
            throws ExpressionException {
        if (attributes == null) {
            attributes = ExpressionAttributes.none();
        }
        attributes.expressionStarted();
        if (text == null || text.isBlank()) {
            throw new ExpressionException("Invalid " + label + ": The expression can not be empty;");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_EXPRESSION_LENGTH) {
            // DynamoDB's wording of this limit; the detail it appends, if any, is not known here.
            throw new ExpressionException("Invalid " + label + ": Expression size has exceeded the maximum allowed size;");
        }
        return new ExpressionParser(text, label, mode, attributes);
    }

    // ---- tokens

    private List<Token> tokenize(String source) {
        List<Token> result = new ArrayList<>();
        int i = 0;
        int length = source.length();
        while (i < length) {
            char c = source.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int begin = i;
            TokenKind kind;
            if (isIdentifierStart(c)) {
                while (i < length && isIdentifierPart(source.charAt(i))) {
                    i++;
                }
                kind = TokenKind.IDENT;
            } else if (c >= '0' && c <= '9') {
                while (i < length && source.charAt(i) >= '0' && source.charAt(i) <= '9') {
                    i++;
                }
                kind = TokenKind.NUMBER;
            } else if ((c == '#' || c == ':') && i + 1 < length && isIdentifierPart(source.charAt(i + 1))) {
                i++;
                while (i < length && isIdentifierPart(source.charAt(i))) {
                    i++;
                }
                kind = c == '#' ? TokenKind.NAME_REF : TokenKind.VALUE_REF;
            } else if ((c == '<' || c == '>') && i + 1 < length
                    && (source.charAt(i + 1) == '=' || (c == '<' && source.charAt(i + 1) == '>'))) {
                i += 2;
                kind = TokenKind.SYMBOL;
            } else if ("=<>()[],.+-".indexOf(c) >= 0) {
                i++;
                kind = TokenKind.SYMBOL;
            } else {
                i += Character.charCount(source.codePointAt(i));
                kind = TokenKind.UNKNOWN;
            }
            result.add(new Token(kind, source.substring(begin, i), begin, i));
        }
        result.add(new Token(TokenKind.EOF, "<EOF>", length, length));
        return result;
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || (c >= '0' && c <= '9');
    }

    private Token peek() {
        return tokens.get(position);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(position + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token token = tokens.get(position);
        if (token.kind != TokenKind.EOF) {
            position++;
        }
        return token;
    }

    private void expect(TokenKind kind) throws ExpressionException {
        if (peek().kind != kind) {
            throw syntaxError();
        }
    }

    private void expectSymbol(String symbol) throws ExpressionException {
        if (!peek().is(symbol)) {
            throw syntaxError();
        }
        position++;
    }

    /**
     * DynamoDB's syntax error: the offending token, and the source from the token before it to the token after it.
     */
    private ExpressionException syntaxError() {
        Token offending = peek();
        int index = position;
        syntaxErrorAt = index;
        int from = index > 0 ? tokens.get(index - 1).start : offending.start;
        int to;
        if (offending.kind == TokenKind.EOF) {
            to = index > 0 ? tokens.get(index - 1).end : offending.end;
        } else if (tokens.get(index + 1).kind != TokenKind.EOF) {
            to = tokens.get(index + 1).end;
        } else {
            to = offending.end;
        }
        return new ExpressionException("Invalid " + label + ": Syntax error; token: \"" + offending.text
                + "\", near: \"" + text.substring(from, to) + "\"");
    }

    private void error(Severity severity, String message) {
        if (errors[severity.ordinal()] == null) {
            errors[severity.ordinal()] = message;
        }
    }

    private void finish() throws ExpressionException {
        for (String message : errors) {
            if (message != null) {
                throw new ExpressionException("Invalid " + label + ": " + message);
            }
        }
    }

    private boolean isKeyword(Token token) {
        if (token.kind != TokenKind.IDENT) {
            return false;
        }
        String upper = token.text.toUpperCase(Locale.ROOT);
        return KEYWORDS.contains(upper) || (mode == Mode.UPDATE && UPDATE_CLAUSES.contains(upper));
    }

    // ---- conditions

    private Condition condition() throws ExpressionException {
        Condition left = conjunction();
        while (peek().isWord("OR")) {
            position++;
            left = new Or(left, conjunction());
        }
        return left;
    }

    private Condition conjunction() throws ExpressionException {
        Condition left = negation();
        while (peek().isWord("AND")) {
            position++;
            left = new And(left, negation());
        }
        return left;
    }

    private Condition negation() throws ExpressionException {
        if (++nesting > MAX_NESTING) {
            throw syntaxError();
        }
        try {
            if (peek().isWord("NOT")) {
                position++;
                return new Not(negation());
            }
            return primary();
        } finally {
            nesting--;
        }
    }

    private Condition primary() throws ExpressionException {
        if (peek().is("(")) {
            // Either a parenthesized condition or a comparison whose first operand is parenthesized: try the
            // condition first, and fall back to a comparison when what follows the parentheses says so.
            int saved = position;
            String[] savedErrors = errors.clone();
            ExpressionException asCondition;
            int conditionErrorAt;
            try {
                position++;
                Condition inner = condition();
                expectSymbol(")");
                if (!startsComparison(peek())) {
                    if (parenthesized.contains(inner)) {
                        error(Severity.STRUCTURE, "The expression has redundant parentheses;");
                    }
                    parenthesized.add(inner);
                    return inner;
                }
            } catch (ExpressionException notACondition) {
                asCondition = notACondition;
                conditionErrorAt = syntaxErrorAt;
                position = saved;
                System.arraycopy(savedErrors, 0, errors, 0, errors.length);
                try {
                    return predicate();
                } catch (ExpressionException notAComparison) {
                    // the reading that got further explains the mistake better
                    throw conditionErrorAt >= syntaxErrorAt ? asCondition : notAComparison;
                }
            }
            position = saved;
            System.arraycopy(savedErrors, 0, errors, 0, errors.length);
        }
        return predicate();
    }

    private static boolean startsComparison(Token token) {
        return (token.kind == TokenKind.SYMBOL && COMPARATORS.contains(token.text)) || token.isWord("BETWEEN")
                || token.isWord("IN");
    }

    private Condition predicate() throws ExpressionException {
        Operand subject = operand();
        Token token = peek();
        if (token.kind == TokenKind.SYMBOL && COMPARATORS.contains(token.text)) {
            position++;
            return new Comparison(token.text, subject, operand());
        }
        if (token.isWord("BETWEEN")) {
            position++;
            Operand lower = operand();
            if (!peek().isWord("AND")) {
                throw syntaxError();
            }
            position++;
            return new Between(subject, lower, operand());
        }
        if (token.isWord("IN")) {
            position++;
            expectSymbol("(");
            List<Operand> candidates = new ArrayList<>();
            candidates.add(operand());
            while (peek().is(",")) {
                position++;
                candidates.add(operand());
            }
            expectSymbol(")");
            return new In(subject, candidates);
        }
        if (subject instanceof FunctionCall call && !parenthesized.contains(call)) {
            return new FunctionCondition(call);
        }
        throw syntaxError();
    }

    /** An operand of a condition: a path, a value, a function call, possibly in parentheses. */
    private Operand operand() throws ExpressionException {
        Token token = peek();
        if (token.is("(")) {
            Operand inner;
            try {
                if (++nesting > MAX_NESTING) {
                    throw syntaxError();
                }
                position++;
                inner = operand();
                expectSymbol(")");
            } finally {
                nesting--;
            }
            if (parenthesized.contains(inner)) {
                error(Severity.STRUCTURE, "The expression has redundant parentheses;");
            }
            parenthesized.add(inner);
            return inner;
        }
        if (token.kind == TokenKind.VALUE_REF) {
            position++;
            return value(token);
        }
        if (token.kind == TokenKind.IDENT && peek(1).is("(") && !isKeyword(token)) {
            return functionCall();
        }
        return new PathOperand(path());
    }

    private FunctionCall functionCall() throws ExpressionException {
        String name = next().text;
        expectSymbol("(");
        List<Operand> arguments = new ArrayList<>();
        arguments.add(operand());
        while (peek().is(",")) {
            position++;
            arguments.add(operand());
        }
        expectSymbol(")");
        if (!CONDITION_FUNCTIONS.contains(name) && !UPDATE_FUNCTIONS.contains(name)) {
            error(Severity.UNKNOWN_FUNCTION, "Invalid function name; function: " + name);
        }
        return new FunctionCall(name, arguments);
    }

    private ValueOperand value(Token token) {
        AttributeValue value = attributes.value(token.text);
        if (value == null) {
            error(Severity.UNDEFINED,
                    "An expression attribute value used in expression is not defined; attribute value: " + token.text);
        }
        return new ValueOperand(token.text, value);
    }

    private DocumentPath path() throws ExpressionException {
        List<Object> elements = new ArrayList<>();
        elements.add(pathName());
        while (true) {
            if (peek().is(".")) {
                position++;
                elements.add(pathName());
            } else if (peek().is("[")) {
                position++;
                Token index = peek();
                if (index.kind != TokenKind.NUMBER || index.text.length() > 9) {
                    throw syntaxError();
                }
                position++;
                expectSymbol("]");
                elements.add(Integer.parseInt(index.text));
            } else {
                break;
            }
        }
        if (elements.size() > MAX_PATH_DEPTH) {
            error(Severity.OPERANDS, "The document path has too many nesting levels; nesting levels: " + elements.size());
        }
        return new DocumentPath(elements);
    }

    private String pathName() throws ExpressionException {
        Token token = peek();
        if (token.kind == TokenKind.NAME_REF) {
            position++;
            String name = attributes.name(token.text);
            if (name == null) {
                error(Severity.UNDEFINED, "An expression attribute name used in the document path is not defined; "
                        + "attribute name: " + token.text);
                return token.text;
            }
            return name;
        }
        if (token.kind == TokenKind.IDENT && !isKeyword(token)) {
            position++;
            if (RESERVED_WORDS.contains(token.text.toUpperCase(Locale.ROOT))) {
                error(Severity.RESERVED_WORD, "Attribute name is a reserved keyword; reserved keyword: " + token.text);
            }
            return token.text;
        }
        throw syntaxError();
    }

    // ---- updates

    private List<UpdateAction> updateActions() throws ExpressionException {
        List<UpdateAction> actions = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        do {
            Token keyword = peek();
            String clause = keyword.kind == TokenKind.IDENT ? keyword.text.toUpperCase(Locale.ROOT) : "";
            if (!UPDATE_CLAUSES.contains(clause)) {
                throw syntaxError();
            }
            position++;
            if (!seen.add(clause)) {
                error(Severity.STRUCTURE, "The \"" + clause + "\" section can only be used once in an update expression;");
            }
            actions.add(updateAction(clause));
            while (peek().is(",")) {
                position++;
                actions.add(updateAction(clause));
            }
        } while (peek().kind != TokenKind.EOF);
        return actions;
    }

    private UpdateAction updateAction(String clause) throws ExpressionException {
        DocumentPath path = path();
        switch (clause) {
            case "SET" -> {
                expectSymbol("=");
                Operand value = updateOperand();
                if (peek().is("+") || peek().is("-")) {
                    String operator = next().text;
                    value = new Arithmetic(operator, value, updateOperand());
                }
                return new UpdateAction(clause, path, value);
            }
            case "REMOVE" -> {
                return new UpdateAction(clause, path, null);
            }
            default -> {
                Token token = peek();
                if (token.kind != TokenKind.VALUE_REF) {
                    throw syntaxError();
                }
                position++;
                return new UpdateAction(clause, path, value(token));
            }
        }
    }

    private Operand updateOperand() throws ExpressionException {
        Token token = peek();
        if (token.kind == TokenKind.VALUE_REF) {
            position++;
            return value(token);
        }
        if (token.kind == TokenKind.IDENT && peek(1).is("(") && !isKeyword(token)) {
            String name = next().text;
            expectSymbol("(");
            List<Operand> arguments = new ArrayList<>();
            arguments.add(updateOperand());
            while (peek().is(",")) {
                position++;
                arguments.add(updateOperand());
            }
            expectSymbol(")");
            if (!CONDITION_FUNCTIONS.contains(name) && !UPDATE_FUNCTIONS.contains(name)) {
                error(Severity.UNKNOWN_FUNCTION, "Invalid function name; function: " + name);
            }
            return new FunctionCall(name, arguments);
        }
        return new PathOperand(path());
    }

    // ---- validation

    private void validateCondition(Condition condition) {
        if (condition instanceof And and) {
            validateCondition(and.left());
            validateCondition(and.right());
        } else if (condition instanceof Or or) {
            validateCondition(or.left());
            validateCondition(or.right());
        } else if (condition instanceof Not not) {
            validateCondition(not.inner());
        } else if (condition instanceof FunctionCondition function) {
            FunctionCall call = function.call();
            validateArguments(call);
            if (UPDATE_FUNCTIONS.contains(call.name())) {
                error(Severity.FUNCTION_NOT_ALLOWED,
                        "The function is not allowed in a condition expression; function: " + call.name());
            } else if (call.name().equals("size")) {
                misused(call.name());
            }
            checkFunction(call);
        } else if (condition instanceof Comparison comparison) {
            conditionOperand(comparison.left());
            conditionOperand(comparison.right());
            if (!comparison.operator().equals("=") && !comparison.operator().equals("<>")) {
                checkType(comparison.operator(), comparison.left(), ORDERED_TYPES);
                checkType(comparison.operator(), comparison.right(), ORDERED_TYPES);
            }
            checkDistinct(comparison.operator(), comparison.left(), List.of(comparison.right()));
        } else if (condition instanceof Between between) {
            conditionOperand(between.subject());
            conditionOperand(between.lower());
            conditionOperand(between.upper());
            for (Operand operand : List.of(between.subject(), between.lower(), between.upper())) {
                checkType("BETWEEN", operand, ORDERED_TYPES);
            }
            checkDistinct("BETWEEN", between.subject(), List.of(between.lower(), between.upper()));
            checkBounds(between);
        } else if (condition instanceof In in) {
            conditionOperand(in.subject());
            in.candidates().forEach(this::conditionOperand);
            checkDistinct("IN", in.subject(), in.candidates());
            if (in.candidates().size() > MAX_IN_OPERANDS) {
                error(Severity.OPERANDS, "The IN operator is provided with too many operands; number of operands: "
                        + in.candidates().size());
            }
        }
    }

    /** An operand of a comparison: of the functions, only size gives a value. */
    private void conditionOperand(Operand operand) {
        if (operand instanceof FunctionCall call) {
            validateArguments(call);
            if (UPDATE_FUNCTIONS.contains(call.name())) {
                error(Severity.FUNCTION_NOT_ALLOWED,
                        "The function is not allowed in a condition expression; function: " + call.name());
            } else if (CONDITION_FUNCTIONS.contains(call.name()) && !call.name().equals("size")) {
                misused(call.name());
            }
            checkFunction(call);
        }
    }

    private void validateArguments(FunctionCall call) {
        for (Operand argument : call.arguments()) {
            conditionOperand(argument);
        }
    }

    private void misused(String function) {
        error(Severity.MISUSED_FUNCTION,
                "The function is not allowed to be used this way in an expression; function: " + function);
    }

    private void validateUpdateAction(UpdateAction action) {
        switch (action.clause()) {
            case "SET" -> updateOperand(action.value());
            case "ADD" -> checkActionOperand("ADD", action.value(), Set.of("N", "SS", "NS", "BS"));
            case "DELETE" -> checkActionOperand("DELETE", action.value(), SET_TYPES);
            default -> {
            }
        }
    }

    private void updateOperand(Operand operand) {
        if (operand instanceof Arithmetic arithmetic) {
            updateOperand(arithmetic.left());
            updateOperand(arithmetic.right());
            checkType(arithmetic.operator(), arithmetic.left(), Set.of("N"));
            checkType(arithmetic.operator(), arithmetic.right(), Set.of("N"));
        } else if (operand instanceof FunctionCall call) {
            call.arguments().forEach(this::updateOperand);
            if (CONDITION_FUNCTIONS.contains(call.name())) {
                error(Severity.FUNCTION_NOT_ALLOWED,
                        "The function is not allowed in an update expression; function: " + call.name());
            }
            checkFunction(call);
        }
    }

    private void checkActionOperand(String clause, Operand operand, Set<String> allowed) {
        if (operand instanceof ValueOperand value && value.value() != null
                && !allowed.contains(value.value().type())) {
            error(Severity.OPERANDS, "Incorrect operand type for operator or function; operator: " + clause
                    + ", operand type: " + typeWord(value.value().type()) + ", typeSet: ALLOWED_FOR_" + clause
                    + "_OPERAND");
        }
    }

    /** How DynamoDB names a value's type in ADD and DELETE errors. */
    private static String typeWord(String type) {
        return switch (type) {
            case "S" -> "STRING";
            case "N" -> "NUMBER";
            case "B" -> "BINARY";
            case "BOOL" -> "BOOLEAN";
            case "NULL" -> "NULL";
            case "L" -> "LIST";
            case "M" -> "MAP";
            case "SS" -> "STRING_SET";
            case "NS" -> "NUMBER_SET";
            default -> "BINARY_SET";
        };
    }

    /** Operand count, document-path and type rules of one function call. */
    private void checkFunction(FunctionCall call) {
        String name = call.name();
        List<Operand> arguments = call.arguments();
        int expected = switch (name) {
            case "attribute_exists", "attribute_not_exists", "size" -> 1;
            case "attribute_type", "begins_with", "contains", "if_not_exists", "list_append" -> 2;
            default -> -1;
        };
        if (expected < 0) {
            return;
        }
        if (arguments.size() != expected) {
            error(Severity.OPERANDS, "Incorrect number of operands for operator or function; operator or function: "
                    + name + ", number of operands: " + arguments.size());
            return;
        }
        switch (name) {
            case "attribute_exists", "attribute_not_exists", "if_not_exists" -> {
                if (!(arguments.get(0) instanceof PathOperand)) {
                    error(Severity.OPERANDS,
                            "Operator or function requires a document path; operator or function: " + name);
                }
            }
            case "attribute_type" -> {
                checkDistinct(name, arguments.get(0), List.of(arguments.get(1)));
                Operand typeName = arguments.get(1);
                if (!(typeName instanceof ValueOperand value) || value.value() == null
                        || !(value.value() instanceof AttributeValue.S s)) {
                    if (!(typeName instanceof ValueOperand value && value.value() == null)) {
                        error(Severity.OPERANDS, "Incorrect operand type for operator or function; operator or "
                                + "function: " + name + ", operand type: " + typeText(typeName));
                    }
                } else if (!TYPE_NAMES.contains(s.value())) {
                    error(Severity.OPERANDS, "Invalid attribute type name found; type: " + s.value()
                            + ", valid types: " + VALID_TYPE_NAMES);
                }
            }
            case "begins_with" -> {
                checkDistinct(name, arguments.get(0), List.of(arguments.get(1)));
                checkType(name, arguments.get(0), STRING_OR_BINARY);
                checkType(name, arguments.get(1), STRING_OR_BINARY);
            }
            case "contains" -> checkDistinct(name, arguments.get(0), List.of(arguments.get(1)));
            case "size" -> checkType(name, arguments.get(0), SIZED_TYPES);
            case "list_append" -> {
                checkType(name, arguments.get(0), Set.of("L"));
                checkType(name, arguments.get(1), Set.of("L"));
            }
            default -> {
            }
        }
    }

    /** The types an operand can have once evaluated; null when it could be any (a path, if_not_exists). */
    private static Set<String> possibleTypes(Operand operand) {
        if (operand instanceof ValueOperand value) {
            return value.value() == null ? null : Set.of(value.value().type());
        }
        if (operand instanceof Arithmetic) {
            return Set.of("N");
        }
        if (operand instanceof FunctionCall call) {
            return switch (call.name()) {
                case "size" -> Set.of("N");
                case "list_append" -> Set.of("L");
                case "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains" ->
                        Set.of("BOOL");
                default -> null;
            };
        }
        return null;
    }

    private static String typeText(Operand operand) {
        Set<String> types = possibleTypes(operand);
        if (types == null) {
            return ANY_TYPE;
        }
        return types.size() == 1 ? types.iterator().next() : "{" + String.join(",", types) + "}";
    }

    private void checkType(String operator, Operand operand, Set<String> allowed) {
        Set<String> types = possibleTypes(operand);
        if (types != null && Collections.disjoint(types, allowed)) {
            error(Severity.OPERANDS, "Incorrect operand type for operator or function; operator or function: "
                    + operator + ", operand type: " + typeText(operand));
        }
    }

    private void checkDistinct(String operator, Operand first, List<Operand> others) {
        if (!(first instanceof PathOperand firstPath)) {
            return;
        }
        for (Operand other : others) {
            if (other instanceof PathOperand path && path.path().equals(firstPath.path())) {
                error(Severity.OPERANDS, "The first operand must be distinct from the remaining operands for this "
                        + "operator or function; operator: " + operator + ", first operand: " + firstPath.path());
                return;
            }
        }
    }

    private void checkBounds(Between between) {
        if (!(between.lower() instanceof ValueOperand lower) || !(between.upper() instanceof ValueOperand upper)
                || lower.value() == null || upper.value() == null) {
            return;
        }
        AttributeValue low = lower.value();
        AttributeValue high = upper.value();
        String bounds = "lower bound operand: AttributeValue: {" + low.type() + ":" + scalarText(low)
                + "}, upper bound operand: AttributeValue: {" + high.type() + ":" + scalarText(high) + "}";
        if (!low.type().equals(high.type())) {
            error(Severity.OPERANDS, "The BETWEEN operator requires same data type for lower and upper bounds; "
                    + bounds);
        } else if (AttributeOrder.comparable(low, high) && AttributeOrder.compare(low, high) > 0) {
            error(Severity.OPERANDS, "The BETWEEN operator requires upper bound to be greater than or equal to "
                    + "lower bound; " + bounds);
        }
    }

    static String scalarText(AttributeValue value) {
        if (value instanceof AttributeValue.S s) {
            return s.value();
        }
        if (value instanceof AttributeValue.N n) {
            return n.text();
        }
        if (value instanceof AttributeValue.B b) {
            return b.value().toString();
        }
        if (value instanceof AttributeValue.Bool bool) {
            return Boolean.toString(bool.value());
        }
        return value instanceof AttributeValue.Null ? "true" : value.toString();
    }

    /**
     * Two paths of one update or projection may not overlap (one a prefix of the other, or equal) nor conflict (a map
     * member and a list index at the same place). The earlier path is named first.
     */
    private void checkOverlaps(List<DocumentPath> paths) {
        for (int later = 1; later < paths.size(); later++) {
            for (int earlier = 0; earlier < later; earlier++) {
                String problem = overlap(paths.get(earlier), paths.get(later));
                if (problem != null) {
                    error(Severity.OPERANDS, "Two document paths " + problem + " with each other; must remove or "
                            + "rewrite one of these paths; path one: " + paths.get(earlier) + ", path two: "
                            + paths.get(later));
                    return;
                }
            }
        }
    }

    private static String overlap(DocumentPath one, DocumentPath two) {
        int common = Math.min(one.depth(), two.depth());
        for (int i = 0; i < common; i++) {
            Object a = one.elements().get(i);
            Object b = two.elements().get(i);
            if (!a.equals(b)) {
                return a.getClass() != b.getClass() ? "conflict" : null;
            }
        }
        return "overlap";
    }

    private static Set<String> loadReservedWords() {
        try (InputStream in = ExpressionParser.class.getResourceAsStream("reserved-words.txt")) {
            if (in == null) {
                throw new IllegalStateException("reserved-words.txt is missing");
            }
            Set<String> words = new LinkedHashSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String word = line.strip();
                if (!word.isEmpty() && !word.startsWith("#")) {
                    words.add(word);
                }
            }
            return Set.copyOf(words);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether DynamoDB reserves the word (case-insensitively) so that expressions must name it by placeholder. */
    static boolean isReserved(String word) {
        return RESERVED_WORDS.contains(word.toUpperCase(Locale.ROOT));
    }
}
