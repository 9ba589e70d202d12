package dev.crossrole.server.secretsmanager;

import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code Filters} of ListSecrets and BatchGetSecretValue, as Secrets Manager applies them: a value matches as a
 * prefix, without regard to case; a value led by {@code !} excludes what it matches; the values of one filter are
 * alternatives, and every filter must hold. {@code all} searches the name, description, tag keys and tag values. The
 * model's enumeration refuses other keys.
 */
final class SecretFilters {
    private record Filter(String key, List<String> values) {}

    private final List<Filter> filters;

    private SecretFilters(List<Filter> filters) {
        this.filters = filters;
    }

    static SecretFilters of(List<Input> given) {
        List<Filter> filters = new ArrayList<>();
        for (Input filter : given) {
            String key = filter.string("Key");
            List<String> values = filter.listOrEmpty("Values");
            if (values.isEmpty()) {
                throw new AwsException("InvalidParameterException", 400, "Filter " + key + " needs at least one"
                        + " value.");
            }
            filters.add(new Filter(key, values));
        }
        return new SecretFilters(filters);
    }

    boolean matches(Secret secret) {
        for (Filter filter : filters) {
            boolean any = false;
            for (String value : filter.values()) {
                boolean negated = value.startsWith("!");
                String prefix = (negated ? value.substring(1) : value).toLowerCase(Locale.ROOT);
                boolean hit = fields(secret, filter.key()).stream()
                        .anyMatch(field -> field != null && field.toLowerCase(Locale.ROOT).startsWith(prefix));
                if (hit != negated) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    /** What a filter key searches in a secret (crossrole's secrets are neither replicated nor owned by a service). */
    private static List<String> fields(Secret secret, String key) {
        List<String> fields = new ArrayList<>();
        switch (key) {
            case "name" -> fields.add(secret.name());
            case "description" -> fields.add(secret.description());
            case "tag-key" -> fields.addAll(secret.tags().keySet());
            case "tag-value" -> fields.addAll(secret.tags().values());
            case "primary-region" -> fields.add(secret.region());
            case "all" -> {
                fields.add(secret.name());
                fields.add(secret.description());
                fields.addAll(secret.tags().keySet());
                fields.addAll(secret.tags().values());
            }
            default -> { }
        }
        return fields;
    }
}
