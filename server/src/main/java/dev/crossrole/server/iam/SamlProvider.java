package dev.crossrole.server.iam;

import dev.crossrole.server.saml.SamlMetadata;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An IAM SAML identity provider: the identity provider an account trusts for {@code AssumeRoleWithSAML}, as its
 * metadata document describes it. Immutable, replaced on change.
 *
 * @param name the provider's name, the last part of its ARN, as given when it was created
 * @param metadataDocument the document as uploaded (GetSAMLProvider returns it unchanged)
 * @param metadata what crossrole read from the document: the issuer and its signing certificates
 * @param uuid IAM's {@code SAMLProviderUUID}
 * @param validUntil the document's {@code validUntil}, else a hundred years after the upload
 * @param assertionEncryptionMode {@code Allowed} or {@code Required}
 * @param privateKeys the keys encrypted assertions are decrypted with, oldest first (at most two)
 */
public record SamlProvider(String account, String name, String metadataDocument, SamlMetadata metadata, String uuid,
                           Instant created, Instant validUntil, Map<String, String> tags,
                           String assertionEncryptionMode, List<PrivateKey> privateKeys) {
    public static final String ALLOWED = "Allowed";
    public static final String REQUIRED = "Required";

    /**
     * A private key of the provider.
     *
     * @param keyId IAM's id for it ({@code PrivateKeyList.member.KeyId})
     * @param pem the key as uploaded
     */
    public record PrivateKey(String keyId, String pem, Instant timestamp) {}

    public SamlProvider {
        tags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
        privateKeys = List.copyOf(privateKeys);
    }

    public static String arn(String account, String name) {
        return "arn:aws:iam::" + account + ":saml-provider/" + name;
    }

    public String arn() {
        return arn(account, name);
    }

    SamlProvider withMetadata(String document, SamlMetadata parsed, Instant until) {
        return new SamlProvider(account, name, document, parsed, uuid, created, until, tags, assertionEncryptionMode,
                privateKeys);
    }

    SamlProvider withEncryption(String mode, List<PrivateKey> keys) {
        return new SamlProvider(account, name, metadataDocument, metadata, uuid, created, validUntil, tags, mode, keys);
    }

    SamlProvider withTags(Map<String, String> newTags) {
        return new SamlProvider(account, name, metadataDocument, metadata, uuid, created, validUntil, newTags,
                assertionEncryptionMode, privateKeys);
    }
}
