package dev.crossrole.server.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operation tables of every service model crossrole carries, read from the compact form that
 * {@link OperationTableGenerator} writes at build time (the models themselves, 7 MB of JSON, are never parsed
 * at run time). Loaded once, on first use.
 */
public final class ServiceModels {
    static final String RESOURCE = "operation-tables.tsv";

    private static final class Loaded {
        static final ServiceModels INSTANCE = read();
    }

    private final Map<String, ServiceModel> bySigningName;
    private final Map<String, ServiceModel> byId;

    private ServiceModels(List<ServiceModel> services) {
        Map<String, ServiceModel> signing = new HashMap<>();
        Map<String, ServiceModel> ids = new LinkedHashMap<>();
        for (ServiceModel service : services) {
            // S3 Control signs for s3 too: a signing name is its own service's ("s3" is S3's).
            if (service.id().equals(service.signingName()) || !signing.containsKey(service.signingName())) {
                signing.put(service.signingName(), service);
            }
            ids.put(service.id(), service);
        }
        this.bySigningName = signing;
        this.byId = Collections.unmodifiableMap(ids);
    }

    /** The tables of every model. */
    public static ServiceModels all() {
        return Loaded.INSTANCE;
    }

    /** The service signed for under this SigV4 name; {@code null} when no model has it. */
    public ServiceModel bySigningName(String signingName) {
        return signingName == null ? null : bySigningName.get(signingName);
    }

    /** The service of this model name; {@code null} when there is none. */
    public ServiceModel byId(String id) {
        return byId.get(id);
    }

    public Collection<ServiceModel> services() {
        return byId.values();
    }

    private static ServiceModels read() {
        try (InputStream in = ServiceModels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing: the build generates it from the models");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The class-path resource (beside this class) of a service's shape table. */
    static String shapesResource(String serviceId) {
        return "shapes/" + serviceId + ".tsv";
    }

    static ServiceModels parse(BufferedReader lines) throws IOException {
        List<ServiceModel> services = new ArrayList<>();
        ServiceModel service = null;
        List<String[]> operations = new ArrayList<>();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            String[] fields = line.split("\t", -1);
            if (fields[0].equals("service")) {
                finish(service, operations);
                service = new ServiceModel(fields[1], fields[2], WireProtocol.fromModelName(fields[3]), fields[4],
                        fields[5].isEmpty() ? null : fields[5], fields[6].isEmpty() ? null : fields[6],
                        fields[7].isEmpty() ? null : fields[7]);
                services.add(service);
                operations = new ArrayList<>();
            } else if (fields[0].equals("operation") && service != null && fields.length == 12) {
                operations.add(fields);
            } else {
                throw new IllegalStateException(RESOURCE + " has a line it cannot read: " + line);
            }
        }
        finish(service, operations);
        return new ServiceModels(services);
    }

    /** Gives a service its operations, each with its index in name order. */
    private static void finish(ServiceModel service, List<String[]> lines) {
        if (service == null) {
            return;
        }
        lines.sort(java.util.Comparator.comparing(fields -> fields[1]));
        Map<String, OperationModel> byName = new HashMap<>();
        List<OperationModel> inOrder = new ArrayList<>();
        for (String[] fields : lines) {
            OperationModel operation = new OperationModel(service, inOrder.size(), fields[1], fields[2], fields[3],
                    fields[4].equals("read"), fields[5].isEmpty() ? List.of() : Arrays.asList(fields[5].split(",")),
                    List.of(fields[6].split(",")).contains("deprecated"),
                    List.of(fields[6].split(",")).contains("unsigned"), blankToNull(fields[7]), blankToNull(fields[8]),
                    blankToNull(fields[9]), fields[10].isEmpty() ? 200 : Integer.parseInt(fields[10]),
                    fields[11].isEmpty() ? List.of() : Arrays.asList(fields[11].split(",")));
            byName.put(operation.name(), operation);
            inOrder.add(operation);
        }
        service.operations(byName, inOrder);
    }

    private static String blankToNull(String text) {
        return text.isEmpty() ? null : text;
    }
}
