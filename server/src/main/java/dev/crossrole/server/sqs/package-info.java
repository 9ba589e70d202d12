/**
 * Amazon SQS: queues, their messages (kept one store record each, so an acknowledged send survives a crash), receipt
 * handles and visibility timeouts, queue policies decided by the policy engine.
 */
package dev.crossrole.server.sqs;
