package dev.crossrole.server.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every AWS service namespace with the service's name, from the Service Authorization Reference
 * ({@code /service-names/service-names.json}), read the first time a report needs it.
 */
final class ServiceNamespaces {
    private static volatile Map<String, String> names;

    private ServiceNamespaces() {}

    /** Namespace to name, by namespace. */
    static Map<String, String> all() {
        Map<String, String> known = names;
        if (known == null) {
            synchronized (ServiceNamespaces.class) {
                known = names;
                if (known == null) {
                    known = read();
                    names = known;
                }
            }
        }
        return known;
    }

    /** The service's name, or its namespace for one the reference does not list. */
    static String name(String namespace) {
        return all().getOrDefault(namespace, namespace);
    }

    private static Map<String, String> read() {
        try (InputStream in = ServiceNamespaces.class.getResourceAsStream("/service-names/service-names.json")) {
            if (in == null) {
                throw new IllegalStateException("service-names.json is missing from the classpath");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, String> out = new TreeMap<>();
            root.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return Collections.unmodifiableMap(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
