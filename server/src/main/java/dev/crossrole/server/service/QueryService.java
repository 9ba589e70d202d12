package dev.crossrole.server.service;

import dev.crossrole.server.protocol.QueryParams;

/** A service spoken in the AWS Query protocol (STS, IAM). */
public interface QueryService {
    /** The SigV4 signing name ({@code sts}, {@code iam}). */
    String signingName();

    /** The API version every request must carry ({@code 2011-06-15}). */
    String version();

    /** The XML namespace of responses. */
    String namespace();

    /** Whether an operation of this name exists. */
    boolean hasOperation(String action);

    /** Parses and validates a call; throws {@link dev.crossrole.server.protocol.AwsException} for bad input. */
    PreparedCall prepare(String action, Call call, QueryParams params);
}
