package dev.crossrole.server.kms;

import dev.crossrole.server.protocol.AwsException;

/** KMS's errors, with AWS KMS's codes (all 400 but the internal ones) and, where known, its messages. */
final class KmsErrors {
    private KmsErrors() {}

    static AwsException notFound(String message) {
        return new AwsException("NotFoundException", 400, message);
    }

    static AwsException keyNotFound(String arn) {
        return notFound("Key '" + arn + "' does not exist");
    }

    static AwsException aliasNotFound(String arn) {
        return notFound("Alias '" + arn + "' is not found.");
    }

    static AwsException disabled(KmsKey key) {
        return new AwsException("DisabledException", 400, key.arn() + " is disabled.");
    }

    static AwsException invalidState(String message) {
        return new AwsException("KMSInvalidStateException", 400, message);
    }

    static AwsException invalidCiphertext() {
        return new AwsException("InvalidCiphertextException", 400, null);
    }

    static AwsException validation(String message) {
        return new AwsException("ValidationException", 400, message);
    }

    static AwsException malformedPolicy(String message) {
        return new AwsException("MalformedPolicyDocumentException", 400, message);
    }
}
