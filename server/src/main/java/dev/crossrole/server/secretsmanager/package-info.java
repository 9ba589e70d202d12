/**
 * AWS Secrets Manager: secrets and their versions, encrypted under KMS keys used on the caller's behalf.
 */
package dev.crossrole.server.secretsmanager;
