/**
 * AWS Systems Manager Parameter Store: parameters, their versions and labels, SecureStrings encrypted with KMS.
 */
package dev.crossrole.server.ssm;
