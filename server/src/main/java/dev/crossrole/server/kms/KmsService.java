package dev.crossrole.server.kms;

import static dev.crossrole.server.kms.KmsSupport.account;
import static dev.crossrole.server.kms.KmsSupport.baseContext;
import static dev.crossrole.server.kms.KmsSupport.cryptoContext;
import static dev.crossrole.server.kms.KmsSupport.dryRun;
import static dev.crossrole.server.kms.KmsSupport.encryptionContext;
import static dev.crossrole.server.kms.KmsSupport.limit;
import static dev.crossrole.server.kms.KmsSupport.page;
import static dev.crossrole.server.kms.KmsSupport.usable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.AuthorizationRequest;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyEngine;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.PolicySet;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.service.ServiceProvider;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * AWS KMS on the model-driven layer ({@code kms/2014-11-01}): symmetric encryption keys (AES-256-GCM under key material
 * that never leaves crossrole), asymmetric RSA and elliptic curve keys and HMAC keys, key policies, grants, aliases,
 * tags and key states. Every call on a key is authorized by its key policy as KMS authorizes it
 * ({@link PolicyKind#KEY}): the key policy must allow the caller, directly or by allowing the account, whose identity
 * policies then decide; another account's caller needs both. A grant on the key allows its grantee what it covers,
 * in any account ({@link GrantOperations}).
 */
public final class KmsService implements ServiceProvider {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";
    private static final Pattern ALIAS_NAME = Pattern.compile("alias/[a-zA-Z0-9/_-]+");
    /** What the key policy lockout check gives the caller's side: only the key policy is in question there. */
    private static final Policy ANY_IDENTITY = Policies.parseValid(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
            PolicyKind.IDENTITY, "any identity permission");

    private final KmsDirectory kms;
    private final KmsSupport support;
    private final PolicyEngine engine;
    private final GrantOperations grants;
    private final AsymmetricOperations asymmetric;

    public KmsService(KmsDirectory kms) {
        this.kms = kms;
        this.support = new KmsSupport(kms);
        this.engine = new PolicyEngine(kms.clock());
        this.grants = new GrantOperations(support);
        this.asymmetric = new AsymmetricOperations(support);
    }

    @Override
    public String modelId() {
        return "kms";
    }

    @Override
    public String accessDeniedCode() {
        return "AccessDeniedException";
    }

    @Override
    public String validationErrorCode() {
        return "ValidationException";
    }

    @Override
    public void register(OperationTable ops) {
        String[] usage = {"kms:CallerAccount", "kms:RequestAlias"};
        String[] crypto = {"kms:CallerAccount", "kms:EncryptionAlgorithm", "kms:EncryptionContext:${EncryptionContextKey}",
            "kms:EncryptionContextKeys", "kms:RequestAlias"};
        ops.on("CreateKey", this::createKey, Authorization.of("kms:CreateKey").keys("kms:CallerAccount", "kms:KeySpec",
                        "kms:KeyUsage", "kms:KeyOrigin", "kms:MultiRegion", "kms:BypassPolicyLockoutSafetyCheck",
                        "aws:RequestTag/${TagKey}", "aws:TagKeys"),
                Authorization.of("kms:TagResource").on("key").keys("aws:RequestTag/${TagKey}", "aws:TagKeys"));
        ops.on("DescribeKey", this::describeKey, Authorization.of("kms:DescribeKey").on("key", "KeyId").keys(usage));
        ops.on("ListKeys", this::listKeys, Authorization.of("kms:ListKeys"));
        ops.on("EnableKey", (c, i) -> setState(c, i, "kms:EnableKey", KmsKey.ENABLED),
                Authorization.of("kms:EnableKey").on("key", "KeyId").keys("kms:CallerAccount"));
        ops.on("DisableKey", (c, i) -> setState(c, i, "kms:DisableKey", KmsKey.DISABLED),
                Authorization.of("kms:DisableKey").on("key", "KeyId").keys("kms:CallerAccount"));
        ops.on("ScheduleKeyDeletion", this::scheduleKeyDeletion, Authorization.of("kms:ScheduleKeyDeletion")
                .on("key", "KeyId").keys("kms:CallerAccount", "kms:ScheduleKeyDeletionPendingWindowInDays"));
        ops.on("CancelKeyDeletion", this::cancelKeyDeletion,
                Authorization.of("kms:CancelKeyDeletion").on("key", "KeyId").keys("kms:CallerAccount"));
        ops.on("UpdateKeyDescription", this::updateKeyDescription,
                Authorization.of("kms:UpdateKeyDescription").on("key", "KeyId").keys("kms:CallerAccount"));
        ops.on("GetKeyPolicy", this::getKeyPolicy,
                Authorization.of("kms:GetKeyPolicy").on("key", "KeyId").keys("kms:CallerAccount"));
        ops.on("PutKeyPolicy", this::putKeyPolicy, Authorization.of("kms:PutKeyPolicy").on("key", "KeyId")
                .keys("kms:CallerAccount", "kms:BypassPolicyLockoutSafetyCheck"));
        ops.on("ListKeyPolicies", this::listKeyPolicies,
                Authorization.of("kms:ListKeyPolicies").on("key", "KeyId").keys("kms:CallerAccount"));
        ops.on("CreateAlias", this::createAlias, Authorization.of("kms:CreateAlias").on("alias", "AliasName")
                .keys("kms:CallerAccount"), Authorization.of("kms:CreateAlias").on("key", "TargetKeyId")
                .keys("kms:CallerAccount"));
        ops.on("UpdateAlias", this::updateAlias, Authorization.of("kms:UpdateAlias").on("alias", "AliasName")
                .keys("kms:CallerAccount"), Authorization.of("kms:UpdateAlias").on("key", "TargetKeyId")
                .keys("kms:CallerAccount"));
        ops.on("DeleteAlias", this::deleteAlias, Authorization.of("kms:DeleteAlias").on("alias", "AliasName")
                .keys("kms:CallerAccount"), Authorization.of("kms:DeleteAlias").on("key").keys("kms:CallerAccount"));
        ops.on("ListAliases", this::listAliases, Authorization.of("kms:ListAliases"));
        ops.on("TagResource", this::tagResource, Authorization.of("kms:TagResource").on("key", "KeyId")
                .keys("kms:CallerAccount", "aws:RequestTag/${TagKey}", "aws:TagKeys"));
        ops.on("UntagResource", this::untagResource, Authorization.of("kms:UntagResource").on("key", "KeyId")
                .keys("kms:CallerAccount", "aws:TagKeys"));
        ops.on("ListResourceTags", this::listResourceTags,
                Authorization.of("kms:ListResourceTags").on("key", "KeyId").keys("kms:CallerAccount"));
        ops.on("Encrypt", this::encrypt, Authorization.of("kms:Encrypt").on("key", "KeyId").keys(crypto));
        ops.on("Decrypt", this::decrypt, Authorization.of("kms:Decrypt").on("key", "CiphertextBlob", "KeyId")
                .keys(crypto));
        ops.on("GenerateDataKey", (c, i) -> generateDataKey(c, i, true),
                Authorization.of("kms:GenerateDataKey").on("key", "KeyId").keys(crypto));
        ops.on("GenerateDataKeyWithoutPlaintext", (c, i) -> generateDataKey(c, i, false),
                Authorization.of("kms:GenerateDataKeyWithoutPlaintext").on("key", "KeyId").keys(crypto));
        ops.on("ReEncrypt", this::reEncrypt,
                Authorization.of("kms:ReEncryptFrom").on("key", "CiphertextBlob", "SourceKeyId").keys(crypto),
                Authorization.of("kms:ReEncryptTo").on("key", "DestinationKeyId").keys(crypto));
        ops.on("GenerateRandom", this::generateRandom, Authorization.of("kms:GenerateRandom"));
        grants.register(ops);
        asymmetric.register(ops);
    }

    // ---- keys ------------------------------------------------------------------------------------

    /**
     * The spec of a new key: an unknown value fails the model's enum check before this; a spec crossrole does not
     * make (ML-DSA, Ed25519, SM2) is refused as unsupported.
     */
    private static KeySpec newKeySpec(Input input) {
        String specName = input.string("KeySpec") != null ? input.string("KeySpec")
                : input.string("CustomerMasterKeySpec");
        if (input.string("KeySpec") != null && input.string("CustomerMasterKeySpec") != null) {
            throw KmsErrors.validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request."
                    + " CustomerMasterKeySpec parameter is deprecated. Use KeySpec parameter instead.");
        }
        KeySpec spec = specName == null ? KeySpec.SYMMETRIC_DEFAULT : KeySpec.named(specName);
        if (spec == null) {
            throw new AwsException("UnsupportedOperationException", 400, "crossrole does not make keys of key spec "
                    + specName + ".");
        }
        return spec;
    }

    /** The usage of a new key: required but for symmetric keys, one its spec takes; key agreement is unsupported. */
    private static String newKeyUsage(Input input, KeySpec spec) {
        String usage = input.string("KeyUsage");
        if (usage == null) {
            if (spec != KeySpec.SYMMETRIC_DEFAULT) {
                throw KmsErrors.validation("You must specify a KeyUsage value for all KMS keys except for symmetric"
                        + " encryption keys.");
            }
            return KeySpec.ENCRYPT_DECRYPT;
        }
        if (usage.equals("KEY_AGREEMENT") && spec.family() == KeySpec.Family.ECC && spec != KeySpec.ECC_SECG_P256K1) {
            throw new AwsException("UnsupportedOperationException", 400, "crossrole does not make KEY_AGREEMENT keys.");
        }
        if (!spec.usages().contains(usage)) {
            throw KmsErrors.validation("KeyUsage " + usage + " is not compatible with KeySpec " + spec);
        }
        return usage;
    }

    private PreparedCall createKey(Call call, Input input) {
        KeySpec spec = newKeySpec(input);
        String usage = newKeyUsage(input, spec);
        String origin = input.string("Origin");
        if (origin != null && !origin.equals("AWS_KMS")) {
            throw new AwsException("UnsupportedOperationException", 400, "crossrole makes keys with Origin AWS_KMS only.");
        }
        if (input.bool("MultiRegion", false)) {
            throw new AwsException("UnsupportedOperationException", 400, "crossrole does not make multi-Region keys.");
        }
        if (input.string("CustomKeyStoreId") != null) {
            throw new AwsException("CustomKeyStoreNotFoundException", 400, "crossrole has no custom key stores.");
        }
        Map<String, String> tags = tags(input);
        String account = account(call);
        String id = UUID.randomUUID().toString();
        String arn = "arn:aws:kms:" + call.region() + ":" + account + ":key/" + id;
        boolean bypass = input.bool("BypassPolicyLockoutSafetyCheck", false);
        String policyText = input.string("Policy") != null ? input.string("Policy") : defaultPolicy(account);
        Policy policy = keyPolicy(policyText, id);
        if (!bypass) {
            lockoutCheck(call, policy, arn, account);
        }
        RequestContext.Builder context = RequestContext.builder().single("kms:CallerAccount", account)
                .single("kms:KeySpec", spec.name()).single("kms:KeyUsage", usage)
                .single("kms:KeyOrigin", "AWS_KMS").single("kms:MultiRegion", "false")
                .single("kms:BypassPolicyLockoutSafetyCheck", String.valueOf(bypass));
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        if (!tags.isEmpty()) {
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(new AccessCheck("kms:CreateKey", "*", null, null, context.build()));
        if (!tags.isEmpty()) {
            checks.add(new AccessCheck("kms:TagResource", arn, account, null, context.build()));
        }
        String description = input.string("Description") == null ? "" : input.string("Description");
        return PreparedCall.of(checks, () -> {
            kms.sweep();
            KeyCrypto.Material material = KeyCrypto.generate(spec);
            KmsKey key = new KmsKey(id, account, call.region(), description, kms.clock().instant().truncatedTo(
                    ChronoUnit.MILLIS), KmsKey.ENABLED, null, 0, policyText, policy, material.secret(), tags, false,
                    spec, usage, material.publicKey());
            kms.put(key);
            return Shape.of().put("KeyMetadata", metadata(key));
        });
    }

    /** The key policy KMS gives a key created without one: the account, and so its identity policies, decide. */
    static String defaultPolicy(String account) {
        ObjectNode policy = JSON.createObjectNode().put("Version", "2012-10-17").put("Id", "key-default-1");
        ObjectNode statement = policy.putArray("Statement").addObject();
        statement.put("Sid", "Enable IAM User Permissions").put("Effect", "Allow");
        statement.putObject("Principal").put("AWS", "arn:aws:iam::" + account + ":root");
        statement.put("Action", "kms:*").put("Resource", "*");
        try {
            // KMS returns its default policy pretty-printed this way.
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(policy);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Policy keyPolicy(String text, String keyId) {
        try {
            return Policies.parse(text, PolicyKind.KEY, "key policy of " + keyId);
        } catch (InvalidPolicyException e) {
            throw KmsErrors.malformedPolicy(e.diagnostic().message());
        }
    }

    /**
     * KMS's key policy lockout safety check: the new policy must let the caller change the key policy later
     * (directly, or by allowing the account), unless the caller bypasses the check.
     */
    private void lockoutCheck(Call call, Policy policy, String keyArn, String account) {
        var decision = engine.evaluate(new AuthorizationRequest(call.caller().principal(), "kms:PutKeyPolicy", keyArn,
                account, RequestContext.empty()), PolicySet.builder().identity(ANY_IDENTITY).resource(policy).build());
        if (!decision.allowed()) {
            throw KmsErrors.malformedPolicy("The new key policy will not allow you to update the key policy in the"
                    + " future.");
        }
    }

    private static Map<String, String> tags(Input input) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Input tag : input.<Input>listOrEmpty("Tags")) {
            tags.put(tag.string("TagKey"), tag.string("TagValue") == null ? "" : tag.string("TagValue"));
        }
        return tags;
    }

    static Shape metadata(KmsKey key) {
        Shape shape = Shape.of().put("AWSAccountId", key.account()).put("KeyId", key.id()).put("Arn", key.arn())
                .put("CreationDate", key.created()).put("Enabled", KmsKey.ENABLED.equals(key.state()))
                .put("Description", key.description()).put("KeyUsage", key.usage()).put("KeyState", key.state())
                .put("Origin", "AWS_KMS").put("KeyManager", key.awsManaged() ? "AWS" : "CUSTOMER")
                .put("CustomerMasterKeySpec", key.spec().name()).put("KeySpec", key.spec().name())
                .put("MultiRegion", false);
        algorithms(shape, key);
        if (key.deletionDate() != null) {
            shape.put("DeletionDate", key.deletionDate()).put("PendingDeletionWindowInDays", key.pendingWindowDays());
        }
        return shape;
    }

    /** The algorithm lists KMS gives for a key: only those of its usage appear (DescribeKey, GetPublicKey). */
    static void algorithms(Shape shape, KmsKey key) {
        if (!key.spec().encryptionAlgorithms(key.usage()).isEmpty()) {
            shape.put("EncryptionAlgorithms", key.spec().encryptionAlgorithms(key.usage()));
        }
        if (!key.spec().signingAlgorithms(key.usage()).isEmpty()) {
            shape.put("SigningAlgorithms", key.spec().signingAlgorithms(key.usage()));
        }
        if (key.spec().macAlgorithm() != null) {
            shape.put("MacAlgorithms", List.of(key.spec().macAlgorithm()));
        }
    }

    private PreparedCall describeKey(Call call, Input input) {
        KmsDirectory.Named named = support.resolve(call, input.string("KeyId"));
        return PreparedCall.of(List.of(support.onKey("kms:DescribeKey", named.key(), baseContext(call, named.key(),
                named.alias()).build())), () -> Shape.of().put("KeyMetadata", metadata(named.key())));
    }

    private PreparedCall listKeys(Call call, Input input) {
        int limit = limit(input, 100);
        String marker = input.string("Marker");
        return PreparedCall.of(List.of(new AccessCheck("kms:ListKeys", "*", null, null, RequestContext.empty())), () -> {
            List<Shape> entries = new ArrayList<>();
            for (KmsKey key : kms.keys(account(call), call.region())) {
                entries.add(Shape.of().put("KeyId", key.id()).put("KeyArn", key.arn()));
            }
            return page(entries, limit, marker, "Keys");
        });
    }

    private PreparedCall setState(Call call, Input input, String action, String state) {
        KmsKey key = support.customerOwned(call, input.string("KeyId"));
        return PreparedCall.of(List.of(support.onKey(action, key, baseContext(call, key, null).build())), () -> {
            KmsKey current = kms.key(key.id()).orElseThrow(() -> KmsErrors.keyNotFound(key.arn()));
            if (KmsKey.PENDING_DELETION.equals(current.state())) {
                throw KmsErrors.invalidState(current.arn() + " is pending deletion.");
            }
            kms.put(current.withState(state, null, 0));
            return null;
        });
    }

    private PreparedCall scheduleKeyDeletion(Call call, Input input) {
        KmsKey key = support.customerOwned(call, input.string("KeyId"));
        Integer window = input.integer("PendingWindowInDays");
        int days = window == null ? 30 : window;
        if (days < 7 || days > 30) {
            throw KmsErrors.validation("1 validation error detected: Value '" + days + "' at 'pendingWindowInDays'"
                    + " failed to satisfy constraint: Member must have value " + (days < 7
                    ? "greater than or equal to 7" : "less than or equal to 30"));
        }
        RequestContext context = baseContext(call, key, null).single("kms:ScheduleKeyDeletionPendingWindowInDays",
                String.valueOf(days)).build();
        return PreparedCall.of(List.of(support.onKey("kms:ScheduleKeyDeletion", key, context)), () -> {
            KmsKey current = kms.key(key.id()).orElseThrow(() -> KmsErrors.keyNotFound(key.arn()));
            if (KmsKey.PENDING_DELETION.equals(current.state())) {
                throw KmsErrors.invalidState(current.arn() + " is pending deletion.");
            }
            Instant deletion = kms.clock().instant().plus(days, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MILLIS);
            kms.put(current.withState(KmsKey.PENDING_DELETION, deletion, days));
            return Shape.of().put("KeyId", current.arn()).put("DeletionDate", deletion)
                    .put("KeyState", KmsKey.PENDING_DELETION).put("PendingWindowInDays", days);
        });
    }

    private PreparedCall cancelKeyDeletion(Call call, Input input) {
        KmsKey key = support.customerOwned(call, input.string("KeyId"));
        RequestContext context = baseContext(call, key, null).build();
        return PreparedCall.of(List.of(support.onKey("kms:CancelKeyDeletion", key, context)), () -> {
            KmsKey current = kms.key(key.id()).orElseThrow(() -> KmsErrors.keyNotFound(key.arn()));
            if (!KmsKey.PENDING_DELETION.equals(current.state())) {
                throw KmsErrors.invalidState(current.arn() + " is not pending deletion.");
            }
            // A key whose deletion is cancelled is disabled (AWS KMS Developer Guide, "Deleting AWS KMS keys").
            kms.put(current.withState(KmsKey.DISABLED, null, 0));
            return Shape.of().put("KeyId", current.arn());
        });
    }

    private PreparedCall updateKeyDescription(Call call, Input input) {
        KmsKey key = support.customerOwned(call, input.string("KeyId"));
        String description = input.string("Description");
        RequestContext context = baseContext(call, key, null).build();
        return PreparedCall.of(List.of(support.onKey("kms:UpdateKeyDescription", key, context)), () -> {
            KmsKey current = kms.key(key.id()).orElseThrow(() -> KmsErrors.keyNotFound(key.arn()));
            kms.put(current.withDescription(description));
            return null;
        });
    }

    // ---- key policies ------------------------------------------------------------------------------

    private static void policyName(Input input) {
        String name = input.string("PolicyName");
        if (name != null && !name.equals("default")) {
            throw KmsErrors.notFound("No such policy exists");
        }
    }

    private PreparedCall getKeyPolicy(Call call, Input input) {
        policyName(input);
        KmsKey key = support.own(call, input.string("KeyId"));
        return PreparedCall.of(List.of(support.onKey("kms:GetKeyPolicy", key, baseContext(call, key, null).build())),
                () -> Shape.of().put("Policy", key.policyText()).put("PolicyName", "default"));
    }

    private PreparedCall putKeyPolicy(Call call, Input input) {
        policyName(input);
        KmsKey key = support.customerOwned(call, input.string("KeyId"));
        String text = input.string("Policy");
        boolean bypass = input.bool("BypassPolicyLockoutSafetyCheck", false);
        Policy policy = keyPolicy(text, key.id());
        if (!bypass) {
            lockoutCheck(call, policy, key.arn(), key.account());
        }
        RequestContext context = baseContext(call, key, null).single("kms:BypassPolicyLockoutSafetyCheck",
                String.valueOf(bypass)).build();
        return PreparedCall.of(List.of(support.onKey("kms:PutKeyPolicy", key, context)), () -> {
            KmsKey current = kms.key(key.id()).orElseThrow(() -> KmsErrors.keyNotFound(key.arn()));
            kms.put(current.withPolicy(text, policy));
            return null;
        });
    }

    private PreparedCall listKeyPolicies(Call call, Input input) {
        KmsKey key = support.own(call, input.string("KeyId"));
        return PreparedCall.of(List.of(support.onKey("kms:ListKeyPolicies", key, baseContext(call, key, null).build())),
                () -> Shape.of().put("PolicyNames", List.of("default")).put("Truncated", false));
    }

    // ---- aliases -----------------------------------------------------------------------------------

    private static String aliasName(Input input) {
        String name = input.string("AliasName");
        if (name == null || !name.startsWith("alias/")) {
            throw new AwsException("InvalidAliasNameException", 400, "Alias must start with the prefix \"alias/\".");
        }
        if (!ALIAS_NAME.matcher(name).matches()) {
            throw new AwsException("InvalidAliasNameException", 400, "Alias " + name + " contains characters other than"
                    + " letters, numbers, /, _ and -.");
        }
        return name;
    }

    private static void notReserved(String name) {
        if (name.startsWith("alias/aws/")) {
            throw new AwsException("NotAuthorizedException", 400, "Alias names beginning with alias/aws/ are reserved"
                    + " for AWS managed keys.");
        }
    }

    private KmsKey aliasTarget(Call call, String targetKeyId) {
        if (targetKeyId != null && (targetKeyId.startsWith("alias/") || targetKeyId.contains(":alias/"))) {
            throw KmsErrors.validation("TargetKeyId must name a key by its id or ARN, not by an alias.");
        }
        return support.customerOwned(call, targetKeyId);
    }

    private String aliasArn(Call call, String name) {
        return "arn:aws:kms:" + call.region() + ":" + account(call) + ":" + name;
    }

    private PreparedCall createAlias(Call call, Input input) {
        String name = aliasName(input);
        notReserved(name);
        KmsKey target = aliasTarget(call, input.string("TargetKeyId"));
        String arn = aliasArn(call, name);
        RequestContext context = baseContext(call, null, null).build();
        return PreparedCall.of(List.of(new AccessCheck("kms:CreateAlias", arn, account(call), null, context),
                support.onKey("kms:CreateAlias", target, baseContext(call, target, null).build())), () -> {
            if (kms.alias(account(call), call.region(), name).isPresent()) {
                throw new AwsException("AlreadyExistsException", 400, "An alias with the name " + arn
                        + " already exists");
            }
            Instant now = kms.clock().instant().truncatedTo(ChronoUnit.MILLIS);
            kms.put(new KmsDirectory.Alias(account(call), call.region(), name, target.id(), now, now));
            return null;
        });
    }

    private PreparedCall updateAlias(Call call, Input input) {
        String name = aliasName(input);
        notReserved(name);
        KmsKey target = aliasTarget(call, input.string("TargetKeyId"));
        String arn = aliasArn(call, name);
        KmsDirectory.Alias alias = kms.alias(account(call), call.region(), name)
                .orElseThrow(() -> KmsErrors.aliasNotFound(arn));
        KmsKey current = kms.key(alias.targetKeyId()).orElseThrow(() -> KmsErrors.aliasNotFound(arn));
        List<AccessCheck> checks = List.of(new AccessCheck("kms:UpdateAlias", arn, account(call), null,
                        baseContext(call, null, null).build()),
                support.onKey("kms:UpdateAlias", current, baseContext(call, current, null).build()),
                support.onKey("kms:UpdateAlias", target, baseContext(call, target, null).build()));
        return PreparedCall.of(checks, () -> {
            kms.put(new KmsDirectory.Alias(alias.account(), alias.region(), name, target.id(), alias.created(),
                    kms.clock().instant().truncatedTo(ChronoUnit.MILLIS)));
            return null;
        });
    }

    private PreparedCall deleteAlias(Call call, Input input) {
        String name = aliasName(input);
        notReserved(name);
        String arn = aliasArn(call, name);
        KmsDirectory.Alias alias = kms.alias(account(call), call.region(), name)
                .orElseThrow(() -> KmsErrors.aliasNotFound(arn));
        KmsKey key = kms.key(alias.targetKeyId()).orElseThrow(() -> KmsErrors.aliasNotFound(arn));
        return PreparedCall.of(List.of(new AccessCheck("kms:DeleteAlias", arn, account(call), null,
                baseContext(call, null, null).build()), support.onKey("kms:DeleteAlias", key,
                baseContext(call, key, null).build())), () -> {
                    kms.removeAlias(alias);
                    return null;
                });
    }

    private PreparedCall listAliases(Call call, Input input) {
        int limit = limit(input, 100);
        String marker = input.string("Marker");
        KmsKey only = input.string("KeyId") == null ? null : support.own(call, input.string("KeyId"));
        return PreparedCall.of(List.of(new AccessCheck("kms:ListAliases", "*", null, null, RequestContext.empty())), () -> {
            List<Shape> entries = new ArrayList<>();
            for (KmsDirectory.Alias alias : kms.aliases(account(call), call.region())) {
                if (only == null || alias.targetKeyId().equals(only.id())) {
                    entries.add(Shape.of().put("AliasName", alias.name()).put("AliasArn", alias.arn())
                            .put("TargetKeyId", alias.targetKeyId()).put("CreationDate", alias.created())
                            .put("LastUpdatedDate", alias.updated()));
                }
            }
            return page(entries, limit, marker, "Aliases");
        });
    }

    // ---- tags --------------------------------------------------------------------------------------

    private PreparedCall tagResource(Call call, Input input) {
        KmsKey key = support.customerOwned(call, input.string("KeyId"));
        Map<String, String> tags = tags(input);
        RequestContext.Builder context = baseContext(call, key, null);
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        return PreparedCall.of(List.of(support.onKey("kms:TagResource", key, context.build())), () -> {
            KmsKey current = kms.key(key.id()).orElseThrow(() -> KmsErrors.keyNotFound(key.arn()));
            Map<String, String> merged = new LinkedHashMap<>(current.tags());
            merged.putAll(tags);
            if (merged.size() > 50) {
                throw new AwsException("TagException", 400, "A KMS key can have at most 50 tags.");
            }
            kms.put(current.withTags(merged));
            return null;
        });
    }

    private PreparedCall untagResource(Call call, Input input) {
        KmsKey key = support.customerOwned(call, input.string("KeyId"));
        List<String> keys = input.listOrEmpty("TagKeys");
        RequestContext context = baseContext(call, key, null).multi("aws:TagKeys", keys).build();
        return PreparedCall.of(List.of(support.onKey("kms:UntagResource", key, context)), () -> {
            KmsKey current = kms.key(key.id()).orElseThrow(() -> KmsErrors.keyNotFound(key.arn()));
            Map<String, String> remaining = new LinkedHashMap<>(current.tags());
            keys.forEach(remaining::remove);
            kms.put(current.withTags(remaining));
            return null;
        });
    }

    private PreparedCall listResourceTags(Call call, Input input) {
        KmsKey key = support.own(call, input.string("KeyId"));
        RequestContext context = baseContext(call, key, null).build();
        return PreparedCall.of(List.of(support.onKey("kms:ListResourceTags", key, context)), () -> {
            List<Shape> tags = new ArrayList<>();
            key.tags().forEach((k, v) -> tags.add(Shape.of().put("TagKey", k).put("TagValue", v)));
            return Shape.of().put("Tags", tags).put("Truncated", false);
        });
    }

    // ---- cryptography ------------------------------------------------------------------------------

    /** The encryption algorithm a request names, {@code SYMMETRIC_DEFAULT} when it names none. */
    private static String algorithm(Input input, String member) {
        return input.string(member) == null ? SYMMETRIC_DEFAULT : input.string(member);
    }

    /**
     * A key that may encrypt or decrypt with the algorithm: of usage ENCRYPT_DECRYPT, with the algorithm among its
     * spec's; an asymmetric key takes no encryption context ("Asymmetric algorithms and MAC algorithms do not support
     * an encryption context": AWS KMS Developer Guide, "Encryption context").
     */
    private static void encryptsWith(KmsKey key, String algorithm, Map<String, String> context, String operation) {
        KmsSupport.usage(key, KeySpec.ENCRYPT_DECRYPT, operation);
        if (!key.spec().encryptionAlgorithms(key.usage()).contains(algorithm)) {
            throw KmsErrors.incompatibleAlgorithm(algorithm, key);
        }
        if (!key.symmetricEncryption() && !context.isEmpty()) {
            // crossrole's wording.
            throw KmsErrors.validation("An encryption context is not supported with asymmetric KMS keys.");
        }
    }

    /** Encrypts under a key: crossrole's blob under a symmetric key, RSA-OAEP under an RSA key. */
    private static byte[] seal(KmsKey key, String algorithm, byte[] plaintext, Map<String, String> context,
                               String operation) {
        usable(key);
        encryptsWith(key, algorithm, context, operation);
        if (key.symmetricEncryption()) {
            return Ciphertexts.encrypt(key, plaintext, context);
        }
        int max = KeyCrypto.maxPlaintext(key.spec(), algorithm);
        if (plaintext.length > max) {
            throw KmsErrors.validation("Algorithm " + algorithm + " and key spec " + key.spec() + " cannot encrypt"
                    + " data larger than " + max + " bytes.");
        }
        return KeyCrypto.encrypt(key.publicKey(), algorithm, plaintext);
    }

    /** Decrypts what {@link #seal} made; anything else is KMS's {@code InvalidCiphertextException}. */
    private static byte[] open(KmsKey key, String algorithm, byte[] blob, Map<String, String> context,
                               String operation) {
        usable(key);
        encryptsWith(key, algorithm, context, operation);
        try {
            return key.symmetricEncryption() ? Ciphertexts.decrypt(key, blob, context)
                    : KeyCrypto.decrypt(key.material(), algorithm, blob);
        } catch (Ciphertexts.Invalid e) {
            throw KmsErrors.invalidCiphertext();
        }
    }

    private PreparedCall encrypt(Call call, Input input) {
        KmsDirectory.Named named = support.resolve(call, input.string("KeyId"));
        KmsKey key = named.key();
        String algorithm = algorithm(input, "EncryptionAlgorithm");
        Map<String, String> context = encryptionContext(input, "EncryptionContext");
        byte[] plaintext = input.blob("Plaintext");
        return PreparedCall.of(List.of(support.onKey("kms:Encrypt", key, cryptoContext(call, key, named.alias(),
                context, algorithm).build(), context)), () -> {
                    byte[] blob = seal(key, algorithm, plaintext, context, "Encrypt");
                    dryRun(input);
                    return Shape.of().put("CiphertextBlob", blob).put("KeyId", key.arn())
                            .put("EncryptionAlgorithm", algorithm);
                });
    }

    /**
     * The key a ciphertext was made under: the symmetric key a crossrole blob names, checked against the KeyId the
     * caller named (if any); else the asymmetric key named, whose ciphertexts carry no key id.
     */
    private KmsKey keyOf(Call call, byte[] blob, String keyId) {
        KmsKey named = keyId == null ? null : support.resolve(call, keyId).key();
        KmsKey madeUnder = null;
        try {
            madeUnder = kms.key(Ciphertexts.keyId(blob)).filter(KmsKey::symmetricEncryption).orElse(null);
        } catch (Ciphertexts.Invalid e) {
            // Not crossrole's symmetric blob: an asymmetric ciphertext, or nothing.
        }
        if (madeUnder != null) {
            if (named != null && !named.id().equals(madeUnder.id())) {
                throw new AwsException("IncorrectKeyException", 400, "The key ID in the request does not identify a"
                        + " CMK that can perform this operation.");
            }
            return madeUnder;
        }
        if (named != null && !named.symmetricEncryption()) {
            return named;
        }
        throw KmsErrors.invalidCiphertext();
    }

    private PreparedCall decrypt(Call call, Input input) {
        byte[] blob = input.blob("CiphertextBlob");
        KmsKey key = keyOf(call, blob, input.string("KeyId"));
        String algorithm = algorithm(input, "EncryptionAlgorithm");
        Map<String, String> context = encryptionContext(input, "EncryptionContext");
        return PreparedCall.of(List.of(support.onKey("kms:Decrypt", key, cryptoContext(call, key, null, context,
                algorithm).build(), context)), () -> {
                    byte[] plaintext = open(key, algorithm, blob, context, "Decrypt");
                    dryRun(input);
                    return Shape.of().put("KeyId", key.arn()).put("Plaintext", plaintext)
                            .put("EncryptionAlgorithm", algorithm);
                });
    }

    private PreparedCall generateDataKey(Call call, Input input, boolean withPlaintext) {
        KmsDirectory.Named named = support.resolve(call, input.string("KeyId"));
        String spec = input.string("KeySpec");
        Integer count = input.integer("NumberOfBytes");
        if ((spec == null) == (count == null)) {
            throw KmsErrors.validation("Please specify either number of bytes or key spec.");
        }
        int bytes = spec == null ? count : spec.equals("AES_128") ? 16 : 32;
        Map<String, String> context = encryptionContext(input, "EncryptionContext");
        String operation = withPlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext";
        return PreparedCall.of(List.of(support.onKey("kms:" + operation, named.key(), cryptoContext(call, named.key(),
                named.alias(), context, SYMMETRIC_DEFAULT).build(), context)), () -> {
                    usable(named.key());
                    KmsSupport.symmetricEncryption(named.key(), operation);
                    dryRun(input);
                    byte[] dataKey = Ciphertexts.random(bytes);
                    Shape out = Shape.of().put("CiphertextBlob", Ciphertexts.encrypt(named.key(), dataKey, context))
                            .put("KeyId", named.key().arn());
                    return withPlaintext ? out.put("Plaintext", dataKey) : out;
                });
    }

    private PreparedCall reEncrypt(Call call, Input input) {
        byte[] blob = input.blob("CiphertextBlob");
        KmsKey source = keyOf(call, blob, input.string("SourceKeyId"));
        KmsDirectory.Named destination = support.resolve(call, input.string("DestinationKeyId"));
        String sourceAlgorithm = algorithm(input, "SourceEncryptionAlgorithm");
        String destinationAlgorithm = algorithm(input, "DestinationEncryptionAlgorithm");
        Map<String, String> sourceContext = encryptionContext(input, "SourceEncryptionContext");
        Map<String, String> destinationContext = encryptionContext(input, "DestinationEncryptionContext");
        return PreparedCall.of(List.of(support.onKey("kms:ReEncryptFrom", source, cryptoContext(call, source, null,
                        sourceContext, sourceAlgorithm).build(), sourceContext),
                support.onKey("kms:ReEncryptTo", destination.key(), cryptoContext(call, destination.key(),
                        destination.alias(), destinationContext, destinationAlgorithm).build(), destinationContext)),
                () -> {
                    byte[] plaintext = open(source, sourceAlgorithm, blob, sourceContext, "ReEncrypt");
                    byte[] resealed = seal(destination.key(), destinationAlgorithm, plaintext, destinationContext,
                            "ReEncrypt");
                    dryRun(input);
                    return Shape.of().put("CiphertextBlob", resealed).put("SourceKeyId", source.arn())
                            .put("KeyId", destination.key().arn()).put("SourceEncryptionAlgorithm", sourceAlgorithm)
                            .put("DestinationEncryptionAlgorithm", destinationAlgorithm);
                });
    }

    private PreparedCall generateRandom(Call call, Input input) {
        Integer count = input.integer("NumberOfBytes");
        if (count == null) {
            throw KmsErrors.validation("NumberOfBytes is required.");
        }
        if (input.string("CustomKeyStoreId") != null) {
            throw new AwsException("CustomKeyStoreNotFoundException", 400, "crossrole has no custom key stores.");
        }
        return PreparedCall.of(List.of(new AccessCheck("kms:GenerateRandom", "*", null, null, RequestContext.empty())),
                () -> Shape.of().put("Plaintext", Ciphertexts.random(count)));
    }
}
