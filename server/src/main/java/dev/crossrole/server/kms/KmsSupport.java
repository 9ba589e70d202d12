package dev.crossrole.server.kms;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What KMS's operation classes share: naming keys as KMS does, the condition keys of a call, the access check on a key
 * (with the key's grants), key states, and KMS's pages.
 */
final class KmsSupport {
    /** The operations a grant may allow: the model's {@code GrantOperation} values. */
    static final Set<String> GRANT_OPERATIONS = Set.of("Decrypt", "Encrypt", "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "Sign", "Verify", "GetPublicKey",
            "CreateGrant", "RetireGrant", "DescribeKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
            "GenerateMac", "VerifyMac", "DeriveSharedSecret");

    private final KmsDirectory kms;

    KmsSupport(KmsDirectory kms) {
        this.kms = kms;
    }

    KmsDirectory directory() {
        return kms;
    }

    static String account(Call call) {
        return call.caller().account();
    }

    // ---- naming keys ---------------------------------------------------------------------------------

    /**
     * The key a {@code KeyId} names: its id or ARN, or an alias's name or ARN; a bare id or alias name is the
     * caller's account and region, an ARN may be another account's.
     */
    KmsDirectory.Named resolve(Call call, String keyId) {
        if (keyId == null || keyId.isEmpty()) {
            throw KmsErrors.validation("KeyId is required.");
        }
        return kms.resolve(account(call), call.region(), keyId);
    }

    /** The key named, which must be the caller's own (administrative operations on keys are never cross-account). */
    KmsKey own(Call call, String keyId) {
        KmsDirectory.Named named = resolve(call, keyId);
        if (!named.key().account().equals(account(call))) {
            throw KmsErrors.keyNotFound(named.key().arn());
        }
        return named.key();
    }

    /** A key of the caller's account that its users may change: not an AWS managed key. */
    KmsKey customerOwned(Call call, String keyId) {
        KmsKey key = own(call, keyId);
        if (key.awsManaged()) {
            // crossrole's wording: the service that made an AWS managed key is the only one to change it.
            throw new AwsException("UnsupportedOperationException", 400, key.arn() + " is an AWS managed key, which"
                    + " only its service changes.");
        }
        return key;
    }

    // ---- condition keys and access checks --------------------------------------------------------------

    static RequestContext.Builder baseContext(Call call, KmsKey key, String alias) {
        RequestContext.Builder context = RequestContext.builder().single("kms:CallerAccount", account(call));
        if (alias != null) {
            context.single("kms:RequestAlias", alias.substring(alias.indexOf(":alias/") + 1));
        }
        if (key != null) {
            key.tags().forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        }
        return context;
    }

    /** The condition keys of an encryption operation: its algorithm and encryption context. */
    static RequestContext.Builder cryptoContext(Call call, KmsKey key, String alias, Map<String, String> context,
                                                String algorithm) {
        RequestContext.Builder builder = baseContext(call, key, alias).single("kms:EncryptionAlgorithm", algorithm);
        context.forEach((k, v) -> builder.single("kms:EncryptionContext:" + k, v));
        if (!context.isEmpty()) {
            builder.multi("kms:EncryptionContextKeys", new ArrayList<>(context.keySet()));
        }
        return builder;
    }

    /** The permission for an action on a key: its key policy, and its grants when a grant may allow the action. */
    AccessCheck onKey(String action, KmsKey key, RequestContext context) {
        return onKey(action, key, context, Map.of());
    }

    /** As {@link #onKey(String, KmsKey, RequestContext)}, for a request with an encryption context. */
    AccessCheck onKey(String action, KmsKey key, RequestContext context, Map<String, String> encryptionContext) {
        AccessCheck check = new AccessCheck(action, key.arn(), key.account(), key.policy(), context);
        String operation = action.substring(action.indexOf(':') + 1);
        List<KmsGrant> grants = GRANT_OPERATIONS.contains(operation) ? kms.grants(key.id()) : List.of();
        return grants.isEmpty() ? check
                : check.withGrants(grants.stream().map(g -> g.forRequest(operation, encryptionContext)).toList());
    }

    static Map<String, String> encryptionContext(Input input, String member) {
        Map<String, String> out = new LinkedHashMap<>();
        if (input.has(member)) {
            input.<Object>map(member).forEach((k, v) -> out.put(k, String.valueOf(v)));
        }
        return out;
    }

    // ---- key states ------------------------------------------------------------------------------------

    /** A key that may be used now: enabled. */
    static void usable(KmsKey key) {
        if (KmsKey.DISABLED.equals(key.state())) {
            throw KmsErrors.disabled(key);
        }
        if (KmsKey.PENDING_DELETION.equals(key.state())) {
            throw KmsErrors.invalidState(key.arn() + " is pending deletion.");
        }
    }

    /** A key of the usage an operation needs, as KMS refuses another: {@code InvalidKeyUsageException}. */
    static void usage(KmsKey key, String usage, String operation) {
        if (!key.usage().equals(usage)) {
            throw KmsErrors.invalidUsage(key, operation);
        }
    }

    /**
     * A symmetric encryption key, the only kind that encrypts data keys (KMS API Reference, GenerateDataKey: "You
     * cannot use an asymmetric KMS key to encrypt data keys").
     */
    static void symmetricEncryption(KmsKey key, String operation) {
        usage(key, KeySpec.ENCRYPT_DECRYPT, operation);
        if (!key.symmetricEncryption()) {
            throw KmsErrors.unsupportedSpec("InvalidKeyUsageException", key, operation);
        }
    }

    /**
     * KMS's answer to a request with {@code DryRun} that would have succeeded: called once the call is authorized and
     * checked, before it changes or returns anything.
     */
    static void dryRun(Input input) {
        if (input.bool("DryRun", false)) {
            throw new AwsException("DryRunOperationException", 412, "The request would have succeeded, but the DryRun"
                    + " option is set.");
        }
    }

    // ---- pages -----------------------------------------------------------------------------------------

    static int limit(Input input, int otherwise) {
        Integer limit = input.integer("Limit");
        return limit == null ? otherwise : limit;
    }

    /** One page of a list: KMS's {@code Truncated} and {@code NextMarker} (an index, here). */
    static Shape page(List<Shape> entries, int limit, String marker, String member) {
        int from = 0;
        if (marker != null) {
            try {
                from = Integer.parseInt(marker);
            } catch (NumberFormatException e) {
                from = -1;
            }
            if (from < 0 || from > entries.size()) {
                throw new AwsException("InvalidMarkerException", 400, "The request was rejected because the marker"
                        + " that specifies where pagination should next begin is not valid.");
            }
        }
        int to = Math.min(entries.size(), from + limit);
        Shape out = Shape.of().put(member, entries.subList(from, to)).put("Truncated", to < entries.size());
        if (to < entries.size()) {
            out.put("NextMarker", String.valueOf(to));
        }
        return out;
    }
}
