package dev.crossrole.server.model;

import java.util.ArrayList;
import java.util.List;

/**
 * One operation of a service model. Its shapes are resolved from the service's {@link ShapeTable} on first use and
 * kept, so a request never looks a shape up by name.
 */
public final class OperationModel {
    private final ServiceModel service;
    private final int index;
    private final String name;
    private final String httpMethod;
    private final String requestUri;
    private final boolean readsOnly;
    private final List<String> requiredQuery;
    private final boolean deprecated;
    private final boolean unsigned;
    private final String inputName;
    private final String outputName;
    private final String resultWrapper;
    private final int responseCode;
    private final List<String> errorNames;
    private volatile Resolved resolved;

    private record Resolved(ShapeModel input, ShapeModel output, List<ShapeModel> errors) {}

    OperationModel(ServiceModel service, int index, String name, String httpMethod, String requestUri,
                   boolean readsOnly, List<String> requiredQuery, boolean deprecated, boolean unsigned, String inputName,
                   String outputName, String resultWrapper, int responseCode, List<String> errorNames) {
        this.service = service;
        this.index = index;
        this.name = name;
        this.httpMethod = httpMethod;
        this.requestUri = requestUri;
        this.readsOnly = readsOnly;
        this.requiredQuery = List.copyOf(requiredQuery);
        this.deprecated = deprecated;
        this.unsigned = unsigned;
        this.inputName = inputName;
        this.outputName = outputName;
        this.resultWrapper = resultWrapper;
        this.responseCode = responseCode;
        this.errorNames = List.copyOf(errorNames);
    }

    public ServiceModel service() {
        return service;
    }

    /** Its position among the service's operations (by name), for tables indexed by operation. */
    public int index() {
        return index;
    }

    /** The operation's name in the model ({@code PutRolePolicy}). */
    public String name() {
        return name;
    }

    /** The method of its HTTP binding. */
    public String httpMethod() {
        return httpMethod;
    }

    /** The request URI of its HTTP binding, with its {@code {Label}}s and fixed query names. */
    public String requestUri() {
        return requestUri;
    }

    /**
     * Whether it only reads: the access level of its IAM action in the Service Authorization Reference is Read or
     * List (see {@code src/main/aws/operation-actions.tsv} for the operations decided otherwise).
     */
    public boolean readsOnly() {
        return readsOnly;
    }

    /** The query-string names of its required input members (S3 tells some operations apart by them). */
    public List<String> requiredQuery() {
        return requiredQuery;
    }

    /** Whether clients call it without signing: its token or assertion is the credential. */
    public boolean unsigned() {
        return unsigned;
    }

    /** Whether the model marks it deprecated (S3 keeps old operations beside their successors). */
    public boolean deprecated() {
        return deprecated;
    }

    /** The element a Query response wraps its output in ({@code CreateRoleResult}); {@code null} when none. */
    public String resultWrapper() {
        return resultWrapper;
    }

    /** The HTTP status of a success of a REST operation when the model names one, else 200. */
    public int responseCode() {
        return responseCode;
    }

    /** Its input shape; {@code null} for an operation without input. */
    public ShapeModel input() {
        return resolve().input;
    }

    /** Its output shape; {@code null} for an operation without output. */
    public ShapeModel output() {
        return resolve().output;
    }

    /** The error shapes the model lists for it. */
    public List<ShapeModel> errors() {
        return resolve().errors;
    }

    private Resolved resolve() {
        Resolved known = resolved;
        if (known == null) {
            ShapeTable shapes = service.shapes();
            List<ShapeModel> errors = new ArrayList<>();
            for (String error : errorNames) {
                errors.add(shapes.shape(error));
            }
            known = new Resolved(inputName == null ? null : shapes.shape(inputName),
                    outputName == null ? null : shapes.shape(outputName), List.copyOf(errors));
            resolved = known;
        }
        return known;
    }

    @Override
    public String toString() {
        return service.id() + ":" + name;
    }
}
