package dev.crossrole.server.model;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** A service as its AWS model describes it: how it is signed and spoken, its operations and (on first use) shapes. */
public final class ServiceModel {
    private final String id;
    private final String signingName;
    private final WireProtocol protocol;
    private final String apiVersion;
    private final String targetPrefix;
    private final String xmlNamespace;
    private final String jsonVersion;
    private Map<String, OperationModel> operationsByName = Map.of();
    private List<OperationModel> operations = List.of();
    private volatile ShapeTable shapes;

    ServiceModel(String id, String signingName, WireProtocol protocol, String apiVersion, String targetPrefix,
                 String xmlNamespace, String jsonVersion) {
        this.id = id;
        this.signingName = signingName;
        this.protocol = protocol;
        this.apiVersion = apiVersion;
        this.targetPrefix = targetPrefix;
        this.xmlNamespace = xmlNamespace;
        this.jsonVersion = jsonVersion;
    }

    void operations(Map<String, OperationModel> byName, List<OperationModel> inOrder) {
        this.operationsByName = Collections.unmodifiableMap(byName);
        this.operations = List.copyOf(inOrder);
    }

    /** The model's directory name ({@code secretsmanager}). */
    public String id() {
        return id;
    }

    /** The SigV4 service name of its credential scope. */
    public String signingName() {
        return signingName;
    }

    public WireProtocol protocol() {
        return protocol;
    }

    /** The model's API version ({@code 2010-05-08}). */
    public String apiVersion() {
        return apiVersion;
    }

    /** The {@code X-Amz-Target} prefix of a JSON service; {@code null} for others. */
    public String targetPrefix() {
        return targetPrefix;
    }

    /** The response namespace of a Query service; {@code null} for others. */
    public String xmlNamespace() {
        return xmlNamespace;
    }

    /** The JSON protocol version of a JSON service ({@code 1.0}, {@code 1.1}); {@code null} for others. */
    public String jsonVersion() {
        return jsonVersion;
    }

    /** The operation of this name; {@code null} when the model has none. */
    public OperationModel operation(String name) {
        return operationsByName.get(name);
    }

    /** Every operation, by name; an operation's {@link OperationModel#index()} is its position here. */
    public List<OperationModel> operations() {
        return operations;
    }

    public Collection<String> operationNames() {
        return operationsByName.keySet();
    }

    /** The model's shapes, read on first use (a service nobody calls never pays for them). */
    public ShapeTable shapes() {
        ShapeTable table = shapes;
        if (table == null) {
            synchronized (this) {
                table = shapes;
                if (table == null) {
                    table = ShapeTable.load(id);
                    shapes = table;
                }
            }
        }
        return table;
    }

    /** Gives the service its shapes outright (a model compiled by a test rather than by the build). */
    void shapes(ShapeTable table) {
        this.shapes = table;
    }

    /** The shape of this name; {@code null} when the model has none. */
    public ShapeModel shape(String name) {
        return shapes().shape(name);
    }

    @Override
    public String toString() {
        return id;
    }
}
