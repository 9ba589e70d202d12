package dev.crossrole.server.requestlog;

import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Caller;
import java.util.List;

/**
 * What a finished request's listeners (CloudTrail's event history) learn beyond its {@link RecordedRequest}: who
 * called in full, from where, with which parameters, on which resources. Handed to the listeners as the request is
 * recorded and never kept in the log's ring, so the parameters (which may hold secrets until a listener redacts them)
 * live no longer than the request.
 *
 * @param service the service's signing name (for a request that failed authentication, the one it was signed for)
 * @param operation the operation's name (for a request that failed authentication, the one it named), or {@code null}
 * @param caller the authenticated caller (or the token holder an unsigned call stands for); {@code null} when
 *     authentication failed
 * @param attemptedAccessKeyId the access key a request that failed authentication named, or {@code null}
 * @param model the operation of the service's model, or {@code null} when the request named none
 * @param input the parameters as read by the protocol's codec, or {@code null} when none were read
 * @param output what the operation answered, or {@code null} (an error, or a service outside the model layer)
 * @param checks every access check the call asked for, in order
 * @param host the {@code Host} the request was sent to, or {@code null}
 */
public record RequestDetails(String service, String operation, Caller caller, String attemptedAccessKeyId,
                             String sourceIp, String userAgent, String region, boolean secure, String host,
                             OperationModel model, Input input, Shape output, List<AccessCheck> checks) {
    public RequestDetails {
        checks = List.copyOf(checks);
    }
}
