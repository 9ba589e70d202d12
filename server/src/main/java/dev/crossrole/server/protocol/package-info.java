/**
 * The wire, written once per protocol and driven by the service models: {@link dev.crossrole.server.protocol.QueryInput}
 * (form POST and GET), {@link dev.crossrole.server.protocol.JsonInput} (awsJson 1.0/1.1) and
 * {@link dev.crossrole.server.protocol.RestXmlInput} (S3: labels, query, headers, XML payloads) read a request into an
 * {@link dev.crossrole.server.protocol.Input} by the operation's input shape;
 * {@link dev.crossrole.server.protocol.InputValidation} checks it against the model's constraints in AWS's words
 * ({@link dev.crossrole.server.protocol.OperationInput} does both, for the pipeline and for tests);
 * {@link dev.crossrole.server.protocol.QueryOutput}, {@link dev.crossrole.server.protocol.JsonOutput} and
 * {@link dev.crossrole.server.protocol.RestXmlOutput} write a service's {@link dev.crossrole.server.protocol.Shape} by the
 * output shape. Errors are {@link dev.crossrole.server.protocol.AwsException}s, rendered per protocol by
 * {@link dev.crossrole.server.protocol.QueryCodec} and {@link dev.crossrole.server.protocol.JsonCodec}.
 */
package dev.crossrole.server.protocol;
