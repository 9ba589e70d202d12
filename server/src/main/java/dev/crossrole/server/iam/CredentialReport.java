package dev.crossrole.server.iam;

import java.time.Instant;

/**
 * An account's credential report as {@code GenerateCredentialReport} made it: the CSV at that moment, served by
 * {@code GetCredentialReport} until it expires, four hours after it was generated (IAM User Guide, "Generate
 * credential reports for your AWS account").
 */
public record CredentialReport(String account, Instant generated, String csv) {}
