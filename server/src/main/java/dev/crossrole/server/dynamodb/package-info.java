/**
 * Amazon DynamoDB: tables, items, expressions, queries, batches, transactions and tables' resource policies.
 */
package dev.crossrole.server.dynamodb;
