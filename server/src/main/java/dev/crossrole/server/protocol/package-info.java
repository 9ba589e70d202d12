/**
 * Wire protocols: the AWS Query codec (form POST and GET in, XML out, {@code ErrorResponse}), the awsJson1_1
 * codec ({@code X-Amz-Target} in, JSON out, {@code __type} errors), the output {@code Shape} and XML writer,
 * AWS's input constraint wording, streamed response bodies, and the one exception type every stage throws to
 * produce an AWS error.
 */
package dev.crossrole.server.protocol;
