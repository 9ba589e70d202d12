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

    /** A key of another usage than the operation's, in KMS's words. */
    static AwsException invalidUsage(KmsKey key, String operation) {
        return new AwsException("InvalidKeyUsageException", 400, key.arn() + " key usage is " + key.usage()
                + " which is not valid for " + operation + ".");
    }

    /** An algorithm the key's spec does not support, in KMS's words. */
    static AwsException incompatibleAlgorithm(String algorithm, KmsKey key) {
        return new AwsException("InvalidKeyUsageException", 400, "Algorithm " + algorithm
                + " is incompatible with key spec " + key.spec() + ".");
    }

    /**
     * An operation a key of this spec never performs though its usage would allow it (a data key under an RSA
     * encryption key; GetPublicKey of a symmetric key). crossrole's wording, after KMS's for key usage.
     */
    static AwsException unsupportedSpec(String code, KmsKey key, String operation) {
        return new AwsException(code, 400, key.arn() + " key spec is " + key.spec() + " which is not valid for "
                + operation + ".");
    }

    static AwsException invalidGrantId() {
        // crossrole's wording; KMS answers InvalidGrantIdException for a grant id it does not know for the key.
        return new AwsException("InvalidGrantIdException", 400, "Grant id is not valid for this key.");
    }

    static AwsException invalidGrantToken() {
        return new AwsException("InvalidGrantTokenException", 400, "The grant token is not valid.");
    }
}
