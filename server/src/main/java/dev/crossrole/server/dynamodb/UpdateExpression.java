package dev.crossrole.server.dynamodb;

import dev.crossrole.server.dynamodb.ExpressionTree.Arithmetic;
import dev.crossrole.server.dynamodb.ExpressionTree.FunctionCall;
import dev.crossrole.server.dynamodb.ExpressionTree.Operand;
import dev.crossrole.server.dynamodb.ExpressionTree.PathOperand;
import dev.crossrole.server.dynamodb.ExpressionTree.UpdateAction;
import dev.crossrole.server.dynamodb.ExpressionTree.ValueOperand;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A parsed {@code UpdateExpression}: SET, REMOVE, ADD and DELETE clauses applied to an item. */
public final class UpdateExpression {

    static final String MISSING_ATTRIBUTE =
            "The provided expression refers to an attribute that does not exist in the item";
    static final String WRONG_TYPE = "An operand in the update expression has an incorrect data type";
    static final String INVALID_PATH = "The document path provided in the update expression is invalid for update";

    private final List<UpdateAction> actions;

    private UpdateExpression(List<UpdateAction> actions) {
        this.actions = List.copyOf(actions);
    }

    public static UpdateExpression parse(String text, ExpressionAttributes attributes) throws ExpressionException {
        return new UpdateExpression(ExpressionParser.parseUpdate(text, attributes));
    }

    /** Wraps already built actions, for the legacy {@code AttributeUpdates} converted to an expression. */
    static UpdateExpression of(List<UpdateAction> actions) {
        return new UpdateExpression(actions);
    }

    /**
     * The item after the update; the given item (empty map when there is none) is left untouched. Runtime errors are
     * worded as DynamoDB words them, e.g. {@code The provided expression refers to an attribute that does not exist in
     * the item} or {@code An operand in the update expression has an incorrect data type}.
     *
     * <p>Every value is computed from the item as it was before the update; then SET, ADD and DELETE are applied in
     * the order written, and REMOVE last, highest list index first, so that indexes name the original elements. A
     * nested path whose parent is missing (or not the map or list its next step needs) fails with {@code The document
     * path provided in the update expression is invalid for update}, for REMOVE and DELETE as for SET and ADD; the
     * last step itself may be missing for REMOVE and DELETE.
     */
    public Map<String, AttributeValue> apply(Map<String, AttributeValue> item) throws ExpressionException {
        List<AttributeValue> results = new ArrayList<>();
        for (UpdateAction action : actions) {
            results.add(switch (action.clause()) {
                case "SET" -> evaluate(action.value(), item);
                case "ADD" -> add(action.path().resolve(item), ((ValueOperand) action.value()).value());
                case "DELETE" -> delete(action.path().resolve(item), ((ValueOperand) action.value()).value());
                default -> null;
            });
        }
        Map<String, AttributeValue> updated = new LinkedHashMap<>(item);
        List<DocumentPath> removals = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            UpdateAction action = actions.get(i);
            AttributeValue result = results.get(i);
            if (action.clause().equals("REMOVE")) {
                removals.add(action.path());
            } else if (action.clause().equals("DELETE")) {
                if (result == null) {
                    // nothing to delete from, or the set became empty: DynamoDB removes the attribute
                    requireParent(item, action.path());
                    if (action.path().resolve(item) != null) {
                        removals.add(action.path());
                    }
                } else {
                    set(updated, action.path(), result);
                }
            } else {
                set(updated, action.path(), result);
            }
        }
        removals.sort(UpdateExpression::laterIndexFirst);
        for (DocumentPath path : removals) {
            remove(updated, path);
        }
        return updated;
    }

    /**
     * The top-level attribute names the expression sets, removes, adds to or deletes from, for the service's
     * {@code Cannot update attribute pk. This attribute is part of the key} check.
     */
    public Set<String> topLevelAttributes() {
        Set<String> names = new LinkedHashSet<>();
        for (UpdateAction action : actions) {
            names.add(action.path().topLevel());
        }
        return Collections.unmodifiableSet(names);
    }

    // ---- values

    private static AttributeValue evaluate(Operand operand, Map<String, AttributeValue> item)
            throws ExpressionException {
        if (operand instanceof ValueOperand value) {
            return value.value();
        }
        if (operand instanceof PathOperand path) {
            AttributeValue value = path.path().resolve(item);
            if (value == null) {
                throw new ExpressionException(MISSING_ATTRIBUTE);
            }
            return value;
        }
        if (operand instanceof Arithmetic arithmetic) {
            AttributeValue left = evaluate(arithmetic.left(), item);
            AttributeValue right = evaluate(arithmetic.right(), item);
            if (!(left instanceof AttributeValue.N a) || !(right instanceof AttributeValue.N b)) {
                throw new ExpressionException(WRONG_TYPE);
            }
            return number(arithmetic.operator().equals("+") ? a.value().add(b.value())
                    : a.value().subtract(b.value()));
        }
        FunctionCall call = (FunctionCall) operand;
        if (call.name().equals("if_not_exists")) {
            AttributeValue existing = ((PathOperand) call.arguments().get(0)).path().resolve(item);
            return existing != null ? existing : evaluate(call.arguments().get(1), item);
        }
        // list_append, the only other function an update expression accepts
        AttributeValue first = evaluate(call.arguments().get(0), item);
        AttributeValue second = evaluate(call.arguments().get(1), item);
        if (!(first instanceof AttributeValue.L a) || !(second instanceof AttributeValue.L b)) {
            throw new ExpressionException(WRONG_TYPE);
        }
        List<AttributeValue> joined = new ArrayList<>(a.value());
        joined.addAll(b.value());
        return new AttributeValue.L(joined);
    }

    private static final BigDecimal LARGEST_EXCLUDED = new BigDecimal("1E+126");
    private static final BigDecimal SMALLEST_ALLOWED = new BigDecimal("1E-130");

    /** A computed number, within what DynamoDB stores: 38 significant digits, magnitudes 1E-130 to below 1E+126. */
    static AttributeValue.N number(BigDecimal value) throws ExpressionException {
        AttributeValue.N number = new AttributeValue.N(value);
        BigDecimal magnitude = number.value().abs();
        if (magnitude.compareTo(LARGEST_EXCLUDED) >= 0) {
            throw new ExpressionException(
                    "Number overflow. Attempting to store a number with magnitude larger than supported range");
        }
        if (magnitude.signum() != 0 && magnitude.compareTo(SMALLEST_ALLOWED) < 0) {
            throw new ExpressionException(
                    "Number underflow. Attempting to store a number with magnitude smaller than supported range");
        }
        if (number.value().precision() > 38) {
            throw new ExpressionException("Attempting to store more than 38 significant digits in a Number");
        }
        return number;
    }

    /** ADD: a number added to a number, or members added to a set of the same type; missing starts from nothing. */
    static AttributeValue add(AttributeValue existing, AttributeValue operand) throws ExpressionException {
        if (existing == null) {
            return operand;
        }
        if (existing instanceof AttributeValue.N a && operand instanceof AttributeValue.N b) {
            return number(a.value().add(b.value()));
        }
        if (existing instanceof AttributeValue.SS a && operand instanceof AttributeValue.SS b) {
            Set<String> union = new LinkedHashSet<>(a.value());
            union.addAll(b.value());
            return new AttributeValue.SS(union);
        }
        if (existing instanceof AttributeValue.NS a && operand instanceof AttributeValue.NS b) {
            Set<BigDecimal> union = new LinkedHashSet<>(a.value());
            union.addAll(b.value());
            return new AttributeValue.NS(union);
        }
        if (existing instanceof AttributeValue.BS a && operand instanceof AttributeValue.BS b) {
            Set<AttributeValue.Binary> union = new LinkedHashSet<>(a.value());
            union.addAll(b.value());
            return new AttributeValue.BS(union);
        }
        throw new ExpressionException(WRONG_TYPE);
    }

    /** DELETE: the set without the operand's members; null when nothing is left (or there was no set). */
    static AttributeValue delete(AttributeValue existing, AttributeValue operand) throws ExpressionException {
        if (existing == null) {
            return null;
        }
        if (existing instanceof AttributeValue.SS a && operand instanceof AttributeValue.SS b) {
            Set<String> left = new LinkedHashSet<>(a.value());
            left.removeAll(b.value());
            return left.isEmpty() ? null : new AttributeValue.SS(left);
        }
        if (existing instanceof AttributeValue.NS a && operand instanceof AttributeValue.NS b) {
            Set<BigDecimal> left = new LinkedHashSet<>(a.value());
            left.removeAll(b.value());
            return left.isEmpty() ? null : new AttributeValue.NS(left);
        }
        if (existing instanceof AttributeValue.BS a && operand instanceof AttributeValue.BS b) {
            Set<AttributeValue.Binary> left = new LinkedHashSet<>(a.value());
            left.removeAll(b.value());
            return left.isEmpty() ? null : new AttributeValue.BS(left);
        }
        throw new ExpressionException(WRONG_TYPE);
    }

    // ---- placing values

    /** Sets the value at the path; every step but the last must exist with the type the step needs. */
    static void set(Map<String, AttributeValue> item, DocumentPath path, AttributeValue value)
            throws ExpressionException {
        if (path.depth() == 1) {
            item.put(path.topLevel(), value);
            return;
        }
        AttributeValue top = item.get(path.topLevel());
        if (top == null) {
            throw new ExpressionException(INVALID_PATH);
        }
        item.put(path.topLevel(), setIn(top, path.elements(), 1, value));
    }

    private static AttributeValue setIn(AttributeValue container, List<Object> elements, int at, AttributeValue value)
            throws ExpressionException {
        Object element = elements.get(at);
        boolean last = at == elements.size() - 1;
        if (element instanceof String name) {
            if (!(container instanceof AttributeValue.M map)) {
                throw new ExpressionException(INVALID_PATH);
            }
            Map<String, AttributeValue> members = new LinkedHashMap<>(map.value());
            if (last) {
                members.put(name, value);
            } else {
                AttributeValue child = members.get(name);
                if (child == null) {
                    throw new ExpressionException(INVALID_PATH);
                }
                members.put(name, setIn(child, elements, at + 1, value));
            }
            return new AttributeValue.M(members);
        }
        int index = (Integer) element;
        if (!(container instanceof AttributeValue.L list)) {
            throw new ExpressionException(INVALID_PATH);
        }
        List<AttributeValue> items = new ArrayList<>(list.value());
        if (last) {
            if (index >= items.size()) {
                items.add(value); // an index past the end appends
            } else {
                items.set(index, value);
            }
        } else {
            if (index >= items.size()) {
                throw new ExpressionException(INVALID_PATH);
            }
            items.set(index, setIn(items.get(index), elements, at + 1, value));
        }
        return new AttributeValue.L(items);
    }

    /**
     * Removes what the path names. The last step may name nothing (nothing is removed), but the steps before it must
     * exist with the type the next step needs, as for SET.
     */
    static void remove(Map<String, AttributeValue> item, DocumentPath path) throws ExpressionException {
        requireParent(item, path);
        if (path.depth() == 1) {
            item.remove(path.topLevel());
            return;
        }
        item.put(path.topLevel(), removeIn(item.get(path.topLevel()), path.elements(), 1));
    }

    /** Fails unless every step of the path but the last exists with the type the following step needs. */
    static void requireParent(Map<String, AttributeValue> item, DocumentPath path) throws ExpressionException {
        if (path.depth() == 1) {
            return;
        }
        AttributeValue current = item.get(path.topLevel());
        for (int i = 1; i < path.depth(); i++) {
            Object element = path.elements().get(i);
            boolean fits = element instanceof String ? current instanceof AttributeValue.M
                    : current instanceof AttributeValue.L;
            if (!fits) {
                throw new ExpressionException(INVALID_PATH);
            }
            if (i < path.depth() - 1) {
                current = DocumentPath.step(current, element);
            }
        }
    }

    private static AttributeValue removeIn(AttributeValue container, List<Object> elements, int at) {
        Object element = elements.get(at);
        boolean last = at == elements.size() - 1;
        if (element instanceof String name && container instanceof AttributeValue.M map
                && map.value().containsKey(name)) {
            Map<String, AttributeValue> members = new LinkedHashMap<>(map.value());
            if (last) {
                members.remove(name);
            } else {
                members.put(name, removeIn(members.get(name), elements, at + 1));
            }
            return new AttributeValue.M(members);
        }
        if (element instanceof Integer index && container instanceof AttributeValue.L list
                && index < list.value().size()) {
            List<AttributeValue> items = new ArrayList<>(list.value());
            if (last) {
                items.remove((int) index);
            } else {
                items.set(index, removeIn(items.get(index), elements, at + 1));
            }
            return new AttributeValue.L(items);
        }
        return container;
    }

    /** Orders removals so that of two indexes into one list the higher goes first. */
    private static int laterIndexFirst(DocumentPath a, DocumentPath b) {
        int common = Math.min(a.depth(), b.depth());
        for (int i = 0; i < common; i++) {
            Object x = a.elements().get(i);
            Object y = b.elements().get(i);
            if (x instanceof Integer p && y instanceof Integer q) {
                if (!p.equals(q)) {
                    return Integer.compare(q, p);
                }
            } else if (x instanceof String p && y instanceof String q) {
                if (!p.equals(q)) {
                    return p.compareTo(q);
                }
            } else {
                return x instanceof String ? -1 : 1;
            }
        }
        return Integer.compare(a.depth(), b.depth());
    }
}
