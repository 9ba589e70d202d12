package dev.crossrole.server.iam;

import dev.crossrole.server.protocol.QueryParams;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;

/** One IAM API operation: parse and validate its parameters, name its access checks, and run. */
@FunctionalInterface
public interface IamOperation {
    PreparedCall prepare(Call call, QueryParams params);
}
