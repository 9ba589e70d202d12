/**
 * Amazon SNS: topics and their policies, subscriptions (SQS queues through SQS's service delivery, HTTP and HTTPS
 * endpoints on loopback), publishing with filter policies, raw delivery and FIFO deduplication, and the signed
 * notification envelopes subscribers receive.
 */
package dev.crossrole.server.sns;
