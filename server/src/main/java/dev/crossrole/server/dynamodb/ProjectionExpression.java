package dev.crossrole.server.dynamodb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** A parsed {@code ProjectionExpression}: the document paths to return of each item. */
public final class ProjectionExpression {

    private final List<DocumentPath> paths;
    /** The paths as a tree: map member names and list indexes to their subtrees; an empty subtree takes all. */
    private final Node root = new Node();

    private ProjectionExpression(List<DocumentPath> paths) {
        this.paths = List.copyOf(paths);
        for (DocumentPath path : paths) {
            Node node = root;
            for (Object element : path.elements()) {
                node = element instanceof Integer index
                        ? node.indexes.computeIfAbsent(index, i -> new Node())
                        : node.members.computeIfAbsent((String) element, name -> new Node());
            }
        }
    }

    public static ProjectionExpression parse(String text, ExpressionAttributes attributes) throws ExpressionException {
        return new ProjectionExpression(ExpressionParser.parseProjection(text, attributes));
    }

    /** Projection of top-level attributes by name, for the legacy {@code AttributesToGet}. */
    public static ProjectionExpression ofAttributes(List<String> names) {
        List<DocumentPath> paths = new ArrayList<>();
        for (String name : new LinkedHashSet<>(names)) {
            paths.add(new DocumentPath(List.of(name)));
        }
        return new ProjectionExpression(paths);
    }

    /**
     * The parts of the item the paths name, nested as in the item (list elements keep their order, without the
     * elements not named); paths that name nothing are left out. The item is left untouched.
     */
    public Map<String, AttributeValue> project(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> result = new LinkedHashMap<>();
        for (Map.Entry<String, Node> member : root.members.entrySet()) {
            AttributeValue value = item.get(member.getKey());
            AttributeValue projected = value == null ? null : member.getValue().apply(value);
            if (projected != null) {
                result.put(member.getKey(), projected);
            }
        }
        return result;
    }

    /** The top-level attribute names the paths start with. */
    public Set<String> topLevelAttributes() {
        Set<String> names = new LinkedHashSet<>();
        for (DocumentPath path : paths) {
            names.add(path.topLevel());
        }
        return Collections.unmodifiableSet(names);
    }

    private static final class Node {
        final Map<String, Node> members = new LinkedHashMap<>();
        final Map<Integer, Node> indexes = new TreeMap<>();

        AttributeValue apply(AttributeValue value) {
            if (members.isEmpty() && indexes.isEmpty()) {
                return value;
            }
            if (!members.isEmpty() && value instanceof AttributeValue.M map) {
                Map<String, AttributeValue> kept = new LinkedHashMap<>();
                for (Map.Entry<String, Node> member : members.entrySet()) {
                    AttributeValue child = map.value().get(member.getKey());
                    AttributeValue projected = child == null ? null : member.getValue().apply(child);
                    if (projected != null) {
                        kept.put(member.getKey(), projected);
                    }
                }
                return kept.isEmpty() ? null : new AttributeValue.M(kept);
            }
            if (!indexes.isEmpty() && value instanceof AttributeValue.L list) {
                List<AttributeValue> kept = new ArrayList<>();
                for (Map.Entry<Integer, Node> index : indexes.entrySet()) {
                    if (index.getKey() < list.value().size()) {
                        AttributeValue projected = index.getValue().apply(list.value().get(index.getKey()));
                        if (projected != null) {
                            kept.add(projected);
                        }
                    }
                }
                return kept.isEmpty() ? null : new AttributeValue.L(kept);
            }
            return null;
        }
    }
}
