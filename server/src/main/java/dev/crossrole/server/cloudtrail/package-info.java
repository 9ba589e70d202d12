/**
 * AWS CloudTrail's event history ({@code cloudtrail/2013-11-01}, JSON 1.1): every request crossrole finishes becomes a
 * CloudTrail event of the caller's account (and of the resource's account when another account's resource was asked
 * for), kept in the store for a retention period, and LookupEvents answers an account's management events.
 */
package dev.crossrole.server.cloudtrail;
