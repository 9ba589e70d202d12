package dev.crossrole.server.model;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;

/**
 * A service as its AWS model describes it: how it is signed and spoken, and its operations.
 *
 * @param id the model's directory name ({@code secretsmanager})
 * @param signingName the SigV4 service name of its credential scope
 * @param protocol its wire protocol
 * @param apiVersion the model's API version ({@code 2010-05-08})
 * @param targetPrefix the {@code X-Amz-Target} prefix of a JSON service; {@code null} for others
 * @param xmlNamespace the response namespace of a Query service; {@code null} for others
 * @param operationsByName every operation of the model, by name
 */
public record ServiceModel(String id, String signingName, WireProtocol protocol, String apiVersion, String targetPrefix,
                           String xmlNamespace, Map<String, OperationModel> operationsByName) {
    public ServiceModel {
        operationsByName = Collections.unmodifiableMap(operationsByName);
    }

    /** The operation of this name; {@code null} when the model has none. */
    public OperationModel operation(String name) {
        return operationsByName.get(name);
    }

    public Collection<OperationModel> operations() {
        return operationsByName.values();
    }
}
