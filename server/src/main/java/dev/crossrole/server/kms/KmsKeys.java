package dev.crossrole.server.kms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.service.AccessCheck;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * KMS as other services use it on their callers' behalf (Secrets Manager, SSM, S3): a key named by the caller, the
 * account's AWS managed key for the service, the permission the caller needs on the key (asked of the policy engine
 * with the other access checks of the call, with {@code kms:ViaService} set), and encryption under the key.
 */
public final class KmsKeys {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KmsDirectory kms;

    public KmsKeys(KmsDirectory kms) {
        this.kms = kms;
    }

    /** A key as another service holds it: its id, ARN and account. */
    public record KeyReference(String id, String arn, String account, boolean awsManaged) {}

    /** Why a key cannot be used now: KMS's error code and message. */
    public static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;
        private final String code;

        Unusable(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private static KeyReference reference(KmsKey key) {
        return new KeyReference(key.id(), key.arn(), key.account(), key.awsManaged());
    }

    /**
     * The key a caller of {@code account} names (its id, key ARN, alias name or alias ARN; another account's only by
     * an ARN), or empty when there is none.
     */
    public Optional<KeyReference> find(String account, String region, String reference) {
        if (reference == null || reference.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(reference(kms.resolve(account, region, reference).key()));
        } catch (dev.crossrole.server.protocol.AwsException e) {
            return Optional.empty(); // KMS's NotFoundException: no such key or alias
        }
    }

    /**
     * The account's AWS managed key for a service ({@code alias/aws/<service>}), made with its alias on first use as
     * AWS makes it. Call inside a store write.
     */
    public KeyReference managedKey(String account, String region, String service) {
        String alias = "alias/aws/" + service;
        Optional<KeyReference> existing = find(account, region, alias);
        if (existing.isPresent()) {
            return existing.get();
        }
        String id = UUID.randomUUID().toString();
        String policyText = managedPolicy(account, region, service);
        var now = kms.clock().instant().truncatedTo(ChronoUnit.MILLIS);
        KmsKey key = new KmsKey(id, account, region, "Default key that protects my " + serviceTitle(service)
                + " data when no other key is defined", now, KmsKey.ENABLED, null, 0, policyText,
                Policies.parseValid(policyText, PolicyKind.KEY, "key policy of " + id), Ciphertexts.newKeyMaterial(),
                Map.of(), true);
        kms.put(key);
        kms.put(new KmsDirectory.Alias(account, region, alias, id, now, now));
        return reference(key);
    }

    private static String serviceTitle(String service) {
        return switch (service) {
            case "secretsmanager" -> "Secrets Manager";
            case "ssm" -> "SSM";
            case "s3" -> "S3";
            default -> service;
        };
    }

    /**
     * An AWS managed key's policy: the account's principals may use it through the service (AWS KMS Developer Guide,
     * "AWS managed keys"; the statements AWS writes for {@code aws/secretsmanager}), and the account may read it.
     */
    static String managedPolicy(String account, String region, String service) {
        String via = service + "." + region + ".amazonaws.com";
        ObjectNode policy = JSON.createObjectNode().put("Version", "2012-10-17").put("Id", "auto-" + service + "-2");
        ArrayNode statements = policy.putArray("Statement");
        String sid = "Allow access through " + serviceTitle(service) + " for all principals in the account that are"
                + " authorized to use " + serviceTitle(service);
        ObjectNode use = statements.addObject().put("Sid", sid).put("Effect", "Allow");
        use.putObject("Principal").put("AWS", "*");
        use.putArray("Action").add("kms:Encrypt").add("kms:Decrypt").add("kms:ReEncrypt*").add("kms:GenerateDataKey*")
                .add("kms:CreateGrant").add("kms:DescribeKey");
        use.put("Resource", "*");
        use.putObject("Condition").putObject("StringEquals").put("kms:CallerAccount", account).put("kms:ViaService", via);
        ObjectNode read = statements.addObject().put("Sid", "Allow direct access to key metadata to the account")
                .put("Effect", "Allow");
        read.putObject("Principal").put("AWS", "arn:aws:iam::" + account + ":root");
        read.putArray("Action").add("kms:Describe*").add("kms:Get*").add("kms:List*").add("kms:RevokeGrant");
        read.put("Resource", "*");
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(policy);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The permission a caller needs to have {@code service} use the key on its behalf: {@code action} on the key,
     * decided by the key policy and the caller's identity policies, with {@code kms:ViaService} naming the service.
     *
     * @param deniedMessage what the service answers when the caller may not (Secrets Manager: "Access to KMS is not
     *     allowed")
     */
    public AccessCheck viaService(String action, KeyReference reference, String callerAccount, String service,
                                  String region, Map<String, String> encryptionContext, String deniedMessage) {
        KmsKey key = kms.key(reference.id()).orElseThrow(() -> new IllegalStateException("no key " + reference.arn()));
        RequestContext.Builder context = RequestContext.builder();
        if (callerAccount != null) {
            context.single("kms:CallerAccount", callerAccount); // an anonymous caller has no account
        }
        context.single("kms:ViaService", service + "." + region + ".amazonaws.com")
                .single("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        encryptionContext.forEach((k, v) -> context.single("kms:EncryptionContext:" + k, v));
        if (!encryptionContext.isEmpty()) {
            context.multi("kms:EncryptionContextKeys", new ArrayList<>(encryptionContext.keySet()));
        }
        key.tags().forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        AccessCheck check = new AccessCheck(action, key.arn(), key.account(), key.policy(), context.build(), null, null,
                deniedMessage);
        // A grant allows a service's use of the key on its grantee's behalf as it allows the grantee's own calls.
        String operation = action.substring(action.indexOf(':') + 1);
        List<KmsGrant> grants = KmsSupport.GRANT_OPERATIONS.contains(operation) ? kms.grants(key.id()) : List.of();
        return grants.isEmpty() ? check : check.withGrants(grants.stream()
                .map(g -> g.forRequest(operation, encryptionContext)).toList());
    }

    /** Encrypts under the key, which must be enabled. */
    public byte[] encrypt(KeyReference reference, byte[] plaintext, Map<String, String> context) throws Unusable {
        return Ciphertexts.encrypt(usable(reference), plaintext, context);
    }

    /** Decrypts a blob made by {@link #encrypt} under the key, with the same context. */
    public byte[] decrypt(KeyReference reference, byte[] blob, Map<String, String> context) throws Unusable {
        try {
            return Ciphertexts.decrypt(usable(reference), blob, context);
        } catch (Ciphertexts.Invalid e) {
            throw new Unusable("InvalidCiphertextException", "The ciphertext does not decrypt under " + reference.arn());
        }
    }

    private KmsKey usable(KeyReference reference) throws Unusable {
        KmsKey key = kms.key(reference.id()).orElseThrow(() -> new Unusable("NotFoundException", "Key '"
                + reference.arn() + "' does not exist"));
        if (KmsKey.DISABLED.equals(key.state())) {
            throw new Unusable("DisabledException", key.arn() + " is disabled.");
        }
        if (KmsKey.PENDING_DELETION.equals(key.state())) {
            throw new Unusable("KMSInvalidStateException", key.arn() + " is pending deletion.");
        }
        if (!key.symmetricEncryption()) {
            // Services protect data with symmetric encryption keys only (KMS API Reference, CreateKey, KeySpec).
            throw new Unusable("InvalidKeyUsageException", key.arn() + " key spec is " + key.spec()
                    + " which is not valid for Encrypt.");
        }
        return key;
    }
}
