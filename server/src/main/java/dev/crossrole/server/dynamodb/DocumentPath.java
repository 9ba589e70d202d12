package dev.crossrole.server.dynamodb;

import java.util.List;
import java.util.Map;

/**
 * A document path after its {@code #name} placeholders were resolved: map member names ({@link String}) and list
 * indexes ({@link Integer}), always starting with a top-level attribute name.
 */
record DocumentPath(List<Object> elements) {

    DocumentPath {
        elements = List.copyOf(elements);
    }

    String topLevel() {
        return (String) elements.get(0);
    }

    int depth() {
        return elements.size();
    }

    /** The value the path names in the item, or null when a step is missing or of another type than the step needs. */
    AttributeValue resolve(Map<String, AttributeValue> item) {
        AttributeValue current = item.get(topLevel());
        for (int i = 1; i < elements.size() && current != null; i++) {
            current = step(current, elements.get(i));
        }
        return current;
    }

    static AttributeValue step(AttributeValue container, Object element) {
        if (element instanceof String name) {
            return container instanceof AttributeValue.M map ? map.value().get(name) : null;
        }
        int index = (Integer) element;
        if (container instanceof AttributeValue.L list && index < list.value().size()) {
            return list.value().get(index);
        }
        return null;
    }

    /** How DynamoDB prints a path in its messages: {@code [a, b, [2]]}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                text.append(", ");
            }
            Object element = elements.get(i);
            text.append(element instanceof Integer ? "[" + element + "]" : element);
        }
        return text.append(']').toString();
    }
}
