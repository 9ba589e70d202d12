package dev.crossrole.server.iam;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code CreateServiceLinkedRole} makes for each service principal IAM knows: the role's name, the AWS managed
 * policy attached to it, whether a {@code CustomSuffix} is accepted, and the description IAM gives it. Read once
 * from {@code iam/service-linked-roles.tsv} on the class path, which says where each line comes from.
 */
final class ServiceLinkedRoles {
    /** Service-linked roles live under {@code /aws-service-role/<service principal>/}. */
    static final String PATH_PREFIX = "/aws-service-role/";
    private static final String RESOURCE = "/iam/service-linked-roles.tsv";
    private static volatile Map<String, Template> templates;

    private ServiceLinkedRoles() {}

    /** One service's service-linked role. */
    record Template(String service, String roleName, String policyArn, boolean suffixAllowed, String description) {
        String path() {
            return PATH_PREFIX + service + "/";
        }

        /** {@code AWSServiceRoleFor<Name>}, or with a custom suffix {@code AWSServiceRoleFor<Name>_<suffix>}. */
        String roleName(String suffix) {
            return suffix == null ? roleName : roleName + "_" + suffix;
        }
    }

    /** The template of a service principal (case-sensitive, as IAM compares them). */
    static Optional<Template> of(String service) {
        return Optional.ofNullable(all().get(service));
    }

    static Collection<Template> templates() {
        return all().values();
    }

    private static Map<String, Template> all() {
        Map<String, Template> loaded = templates;
        if (loaded == null) {
            synchronized (ServiceLinkedRoles.class) {
                loaded = templates;
                if (loaded == null) {
                    loaded = read();
                    templates = loaded;
                }
            }
        }
        return loaded;
    }

    private static Map<String, Template> read() {
        Map<String, Template> out = new LinkedHashMap<>();
        try (InputStream in = ServiceLinkedRoles.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 5 || !(f[3].equals("yes") || f[3].equals("no"))) {
                    throw new IllegalStateException(RESOURCE + ": not a template line: " + line);
                }
                out.put(f[0], new Template(f[0], f[1], AwsManagedPolicies.ARN_PREFIX + PATH_PREFIX + f[2],
                        f[3].equals("yes"), f[4].isEmpty() ? null : f[4]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
