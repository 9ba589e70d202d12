/**
 * Amazon CloudWatch Logs: log groups and streams, their events and filter patterns, retention, tags, metric filters
 * and resource policies.
 */
package dev.crossrole.server.logs;
