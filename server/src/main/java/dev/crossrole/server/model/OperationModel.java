package dev.crossrole.server.model;

import java.util.List;

/**
 * One operation of a service model.
 *
 * @param name the operation's name in the model ({@code PutRolePolicy})
 * @param httpMethod the method of its HTTP binding
 * @param requestUri the request URI of its HTTP binding, with its {@code {Label}}s and fixed query names
 * @param readsOnly whether it only reads: the access level of its IAM action in the Service Authorization Reference
 *     is Read or List (see {@code src/main/aws/operation-actions.tsv} for the operations decided otherwise)
 * @param requiredQuery the query-string names of its required input members (S3 tells some operations apart by them)
 * @param deprecated whether the model marks it deprecated (S3 keeps old operations beside their successors)
 */
public record OperationModel(String name, String httpMethod, String requestUri, boolean readsOnly,
                             List<String> requiredQuery, boolean deprecated) {
    public OperationModel {
        requiredQuery = List.copyOf(requiredQuery);
    }
}
