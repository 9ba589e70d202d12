package dev.crossrole.server.kms;

import static dev.crossrole.server.kms.KmsSupport.baseContext;
import static dev.crossrole.server.kms.KmsSupport.cryptoContext;
import static dev.crossrole.server.kms.KmsSupport.dryRun;
import static dev.crossrole.server.kms.KmsSupport.encryptionContext;
import static dev.crossrole.server.kms.KmsSupport.usable;
import static dev.crossrole.server.kms.KmsSupport.usage;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import java.util.List;
import java.util.Map;

/**
 * The operations of asymmetric and HMAC keys: GetPublicKey, Sign and Verify, GenerateMac and VerifyMac, and the data
 * key pairs a symmetric key protects (GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext). RSA encryption
 * goes through Encrypt and Decrypt ({@link KmsService}).
 */
final class AsymmetricOperations {
    private static final String RAW = "RAW";
    private static final String DIGEST = "DIGEST";

    private final KmsSupport support;

    AsymmetricOperations(KmsSupport support) {
        this.support = support;
    }

    void register(OperationTable ops) {
        String[] signing = {"kms:CallerAccount", "kms:MessageType", "kms:RequestAlias", "kms:SigningAlgorithm"};
        String[] mac = {"kms:CallerAccount", "kms:MacAlgorithm", "kms:RequestAlias"};
        String[] pairs = {"kms:CallerAccount", "kms:DataKeyPairSpec", "kms:EncryptionAlgorithm",
            "kms:EncryptionContext:${EncryptionContextKey}", "kms:EncryptionContextKeys", "kms:RequestAlias"};
        ops.on("GetPublicKey", this::getPublicKey, Authorization.of("kms:GetPublicKey").on("key", "KeyId")
                .keys("kms:CallerAccount", "kms:RequestAlias"));
        ops.on("Sign", this::sign, Authorization.of("kms:Sign").on("key", "KeyId").keys(signing));
        ops.on("Verify", this::verify, Authorization.of("kms:Verify").on("key", "KeyId").keys(signing));
        ops.on("GenerateMac", (c, i) -> mac(c, i, false), Authorization.of("kms:GenerateMac").on("key", "KeyId")
                .keys(mac));
        ops.on("VerifyMac", (c, i) -> mac(c, i, true), Authorization.of("kms:VerifyMac").on("key", "KeyId").keys(mac));
        ops.on("GenerateDataKeyPair", (c, i) -> dataKeyPair(c, i, true),
                Authorization.of("kms:GenerateDataKeyPair").on("key", "KeyId").keys(pairs));
        ops.on("GenerateDataKeyPairWithoutPlaintext", (c, i) -> dataKeyPair(c, i, false),
                Authorization.of("kms:GenerateDataKeyPairWithoutPlaintext").on("key", "KeyId").keys(pairs));
    }

    private PreparedCall getPublicKey(Call call, Input input) {
        KmsDirectory.Named named = support.resolve(call, input.string("KeyId"));
        KmsKey key = named.key();
        return PreparedCall.of(List.of(support.onKey("kms:GetPublicKey", key, baseContext(call, key, named.alias())
                .build())), () -> {
                    usable(key);
                    if (!key.spec().asymmetric()) {
                        throw KmsErrors.unsupportedSpec("UnsupportedOperationException", key, "GetPublicKey");
                    }
                    Shape out = Shape.of().put("KeyId", key.arn()).put("PublicKey", key.publicKey())
                            .put("CustomerMasterKeySpec", key.spec().name()).put("KeySpec", key.spec().name())
                            .put("KeyUsage", key.usage());
                    KmsService.algorithms(out, key);
                    return out;
                });
    }

    /** The message type of a Sign or Verify: RAW or DIGEST, whose length must be the algorithm's digest's. */
    private static boolean digest(Input input, String algorithm, byte[] message) {
        String type = input.string("MessageType") == null ? RAW : input.string("MessageType");
        if (!type.equals(RAW) && !type.equals(DIGEST)) {
            // EXTERNAL_MU is for ML-DSA keys, which crossrole does not make; crossrole's wording.
            throw KmsErrors.validation("MessageType " + type + " is valid only with ML-DSA keys.");
        }
        if (type.equals(DIGEST) && message.length != KeyCrypto.digestLength(algorithm)) {
            throw KmsErrors.validation("Digest is invalid length for algorithm " + algorithm + ".");
        }
        return type.equals(DIGEST);
    }

    /** A key that signs with the algorithm: of usage SIGN_VERIFY, with the algorithm among its spec's. */
    private static void signsWith(KmsKey key, String algorithm, String operation) {
        usable(key);
        usage(key, KeySpec.SIGN_VERIFY, operation);
        if (!key.spec().signingAlgorithms(key.usage()).contains(algorithm)) {
            throw KmsErrors.incompatibleAlgorithm(algorithm, key);
        }
    }

    private RequestContext signingContext(Call call, KmsDirectory.Named named, Input input, String algorithm) {
        return baseContext(call, named.key(), named.alias()).single("kms:SigningAlgorithm", algorithm)
                .single("kms:MessageType", input.string("MessageType") == null ? RAW : input.string("MessageType"))
                .build();
    }

    private PreparedCall sign(Call call, Input input) {
        KmsDirectory.Named named = support.resolve(call, input.string("KeyId"));
        KmsKey key = named.key();
        String algorithm = input.string("SigningAlgorithm");
        byte[] message = input.blob("Message");
        boolean digest = digest(input, algorithm, message);
        return PreparedCall.of(List.of(support.onKey("kms:Sign", key, signingContext(call, named, input, algorithm))),
                () -> {
                    signsWith(key, algorithm, "Sign");
                    dryRun(input);
                    return Shape.of().put("KeyId", key.arn())
                            .put("Signature", KeyCrypto.sign(key.spec(), key.material(), algorithm, message, digest))
                            .put("SigningAlgorithm", algorithm);
                });
    }

    private PreparedCall verify(Call call, Input input) {
        KmsDirectory.Named named = support.resolve(call, input.string("KeyId"));
        KmsKey key = named.key();
        String algorithm = input.string("SigningAlgorithm");
        byte[] message = input.blob("Message");
        byte[] signature = input.blob("Signature");
        boolean digest = digest(input, algorithm, message);
        return PreparedCall.of(List.of(support.onKey("kms:Verify", key, signingContext(call, named, input,
                algorithm))), () -> {
                    signsWith(key, algorithm, "Verify");
                    dryRun(input);
                    if (!KeyCrypto.verify(key.spec(), key.publicKey(), algorithm, message, digest, signature)) {
                        throw new AwsException("KMSInvalidSignatureException", 400, null);
                    }
                    return Shape.of().put("KeyId", key.arn()).put("SignatureValid", true)
                            .put("SigningAlgorithm", algorithm);
                });
    }

    /** GenerateMac, or VerifyMac when {@code verifying}: HMAC with the key, whose MAC algorithm must be named. */
    private PreparedCall mac(Call call, Input input, boolean verifying) {
        KmsDirectory.Named named = support.resolve(call, input.string("KeyId"));
        KmsKey key = named.key();
        String algorithm = input.string("MacAlgorithm");
        byte[] message = input.blob("Message");
        byte[] given = input.blob("Mac");
        String operation = verifying ? "VerifyMac" : "GenerateMac";
        RequestContext context = baseContext(call, key, named.alias()).single("kms:MacAlgorithm", algorithm).build();
        return PreparedCall.of(List.of(support.onKey("kms:" + operation, key, context)), () -> {
            usable(key);
            usage(key, KeySpec.GENERATE_VERIFY_MAC, operation);
            if (!algorithm.equals(key.spec().macAlgorithm())) {
                throw KmsErrors.incompatibleAlgorithm(algorithm, key);
            }
            dryRun(input);
            byte[] mac = KeyCrypto.mac(key.spec(), key.material(), message);
            if (!verifying) {
                return Shape.of().put("Mac", mac).put("MacAlgorithm", algorithm).put("KeyId", key.arn());
            }
            if (!KeyCrypto.sameMac(mac, given)) {
                throw new AwsException("KMSInvalidMacException", 400, null);
            }
            return Shape.of().put("KeyId", key.arn()).put("MacValid", true).put("MacAlgorithm", algorithm);
        });
    }

    private PreparedCall dataKeyPair(Call call, Input input, boolean withPlaintext) {
        KmsDirectory.Named named = support.resolve(call, input.string("KeyId"));
        KmsKey key = named.key();
        String pairSpecName = input.string("KeyPairSpec");
        KeySpec pairSpec = KeySpec.named(pairSpecName);
        if (pairSpec == null || !pairSpec.asymmetric()) {
            throw new AwsException("UnsupportedOperationException", 400, "crossrole does not make data key pairs of"
                    + " spec " + pairSpecName + ".");
        }
        if (input.has("Recipient")) {
            throw new AwsException("UnsupportedOperationException", 400, "crossrole has no attested environments:"
                    + " Recipient is not supported.");
        }
        Map<String, String> context = encryptionContext(input, "EncryptionContext");
        String operation = withPlaintext ? "GenerateDataKeyPair" : "GenerateDataKeyPairWithoutPlaintext";
        RequestContext conditions = cryptoContext(call, key, named.alias(), context, "SYMMETRIC_DEFAULT")
                .single("kms:DataKeyPairSpec", pairSpec.name()).build();
        return PreparedCall.of(List.of(support.onKey("kms:" + operation, key, conditions, context)), () -> {
            usable(key);
            KmsSupport.symmetricEncryption(key, operation);
            dryRun(input);
            KeyCrypto.Material pair = KeyCrypto.generate(pairSpec);
            Shape out = Shape.of().put("PrivateKeyCiphertextBlob", Ciphertexts.encrypt(key, pair.secret(), context));
            if (withPlaintext) {
                out.put("PrivateKeyPlaintext", pair.secret());
            }
            return out.put("PublicKey", pair.publicKey()).put("KeyId", key.arn()).put("KeyPairSpec", pairSpec.name());
        });
    }
}
