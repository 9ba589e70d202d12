package dev.crossrole.server.secretsmanager;

import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.kms.KmsKeys;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.service.ServiceProvider;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * AWS Secrets Manager on the model-driven layer ({@code secretsmanager/2017-10-17}): secrets, their versions and
 * staging labels, deletion with a recovery window, tags and resource policies. A secret's values are encrypted under its
 * KMS key, and using them asks KMS as the caller through Secrets Manager ({@code kms:ViaService}): a reader in another
 * account needs the secret's resource policy, its own identity policy, and a customer managed key whose key policy lets
 * it decrypt — the account's {@code aws/secretsmanager} key never does.
 */
public final class SecretsService implements ServiceProvider {
    private static final String SERVICE = "secretsmanager";
    private static final String NO_KMS = "Access to KMS is not allowed";
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretsDirectory secrets;
    private final KmsKeys keys;

    public SecretsService(SecretsDirectory secrets, KmsKeys keys) {
        this.secrets = secrets;
        this.keys = keys;
    }

    @Override
    public String modelId() {
        return SERVICE;
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
        Authorization kmsWrite = Authorization.of("kms:GenerateDataKey").on("key").keys("kms:CallerAccount",
                "kms:ViaService", "kms:EncryptionContext:${EncryptionContextKey}", "kms:EncryptionContextKeys",
                "kms:EncryptionAlgorithm");
        Authorization kmsRead = Authorization.of("kms:Decrypt").on("key").keys("kms:CallerAccount", "kms:ViaService",
                "kms:EncryptionContext:${EncryptionContextKey}", "kms:EncryptionContextKeys", "kms:EncryptionAlgorithm");
        ops.on("CreateSecret", this::createSecret, Authorization.of("secretsmanager:CreateSecret").on("Secret", "Name")
                .keys("secretsmanager:Name", "secretsmanager:KmsKeyId", "secretsmanager:Description",
                        "aws:RequestTag/${TagKey}", "aws:TagKeys"),
                Authorization.of("secretsmanager:TagResource").on("Secret", "Name").keys("aws:RequestTag/${TagKey}",
                        "aws:TagKeys"), kmsWrite);
        ops.on("GetSecretValue", this::getSecretValue, Authorization.of("secretsmanager:GetSecretValue")
                .on("Secret", "SecretId").keys("secretsmanager:SecretId", "secretsmanager:VersionId",
                        "secretsmanager:VersionStage", "aws:ResourceTag/${TagKey}"), kmsRead);
        ops.on("BatchGetSecretValue", this::batchGetSecretValue, Authorization.of("secretsmanager:BatchGetSecretValue"),
                Authorization.of("secretsmanager:ListSecrets"), Authorization.of("secretsmanager:GetSecretValue")
                        .on("Secret", "SecretIdList").keys("secretsmanager:SecretId", "secretsmanager:VersionStage",
                                "aws:ResourceTag/${TagKey}"), kmsRead);
        ops.on("PutSecretValue", this::putSecretValue, Authorization.of("secretsmanager:PutSecretValue")
                .on("Secret", "SecretId").keys("secretsmanager:SecretId", "aws:ResourceTag/${TagKey}"), kmsWrite);
        ops.on("UpdateSecret", this::updateSecret, Authorization.of("secretsmanager:UpdateSecret")
                .on("Secret", "SecretId").keys("secretsmanager:SecretId", "secretsmanager:KmsKeyId",
                        "secretsmanager:Description", "aws:ResourceTag/${TagKey}"), kmsWrite);
        ops.on("DescribeSecret", this::describeSecret, plain("DescribeSecret"));
        ops.on("ListSecrets", this::listSecrets, Authorization.of("secretsmanager:ListSecrets"));
        ops.on("DeleteSecret", this::deleteSecret, Authorization.of("secretsmanager:DeleteSecret")
                .on("Secret", "SecretId").keys("secretsmanager:SecretId", "secretsmanager:RecoveryWindowInDays",
                        "secretsmanager:ForceDeleteWithoutRecovery", "aws:ResourceTag/${TagKey}"));
        ops.on("RestoreSecret", this::restoreSecret, plain("RestoreSecret"));
        ops.on("ListSecretVersionIds", this::listSecretVersionIds, plain("ListSecretVersionIds"));
        ops.on("TagResource", this::tagResource, Authorization.of("secretsmanager:TagResource").on("Secret", "SecretId")
                .keys("secretsmanager:SecretId", "aws:RequestTag/${TagKey}", "aws:TagKeys", "aws:ResourceTag/${TagKey}"));
        ops.on("UntagResource", this::untagResource, Authorization.of("secretsmanager:UntagResource")
                .on("Secret", "SecretId").keys("secretsmanager:SecretId", "aws:TagKeys", "aws:ResourceTag/${TagKey}"));
        ops.on("PutResourcePolicy", this::putResourcePolicy, Authorization.of("secretsmanager:PutResourcePolicy")
                .on("Secret", "SecretId").keys("secretsmanager:SecretId", "secretsmanager:BlockPublicPolicy",
                        "aws:ResourceTag/${TagKey}"));
        ops.on("GetResourcePolicy", this::getResourcePolicy, plain("GetResourcePolicy"));
        ops.on("DeleteResourcePolicy", this::deleteResourcePolicy, plain("DeleteResourcePolicy"));
        ops.on("UpdateSecretVersionStage", this::updateSecretVersionStage,
                Authorization.of("secretsmanager:UpdateSecretVersionStage").on("Secret", "SecretId")
                        .keys("secretsmanager:SecretId", "secretsmanager:VersionStage", "aws:ResourceTag/${TagKey}"));
        ops.on("GetRandomPassword", this::getRandomPassword, Authorization.of("secretsmanager:GetRandomPassword"));
        ops.on("ValidateResourcePolicy", this::validateResourcePolicy,
                Authorization.of("secretsmanager:ValidateResourcePolicy").on("Secret", "SecretId")
                        .keys("secretsmanager:SecretId"));
    }

    private static Authorization plain(String operation) {
        return Authorization.of("secretsmanager:" + operation).on("Secret", "SecretId")
                .keys("secretsmanager:SecretId", "aws:ResourceTag/${TagKey}");
    }

    // ---- errors --------------------------------------------------------------------------------------

    private static AwsException notFound() {
        return new AwsException("ResourceNotFoundException", 400, "Secrets Manager can't find the specified secret.");
    }

    private static AwsException invalidRequest(String message) {
        return new AwsException("InvalidRequestException", 400, message);
    }

    private static AwsException invalidParameter(String message) {
        return new AwsException("InvalidParameterException", 400, message);
    }

    private static AwsException markedForDeletion() {
        return invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");
    }

    // ---- naming secrets ------------------------------------------------------------------------------

    private static String account(Call call) {
        return call.caller().account();
    }

    /**
     * The secret a {@code SecretId} names: its name (the caller's account and region) or its ARN, whole or without
     * the six characters Secrets Manager adds (another account's secret only by an ARN).
     */
    private Secret resolve(Call call, String secretId) {
        if (secretId.startsWith("arn:")) {
            String[] parts = secretId.split(":", 7);
            if (parts.length != 7 || !parts[2].equals(SERVICE) || !parts[5].equals("secret")) {
                throw notFound();
            }
            return secrets.byArn(secretId).or(() -> secrets.byName(parts[4], parts[3], parts[6]))
                    .orElseThrow(SecretsService::notFound);
        }
        return secrets.byName(account(call), call.region(), secretId).orElseThrow(SecretsService::notFound);
    }

    private static RequestContext.Builder context(Secret secret) {
        RequestContext.Builder context = RequestContext.builder().single("secretsmanager:SecretId", secret.arn());
        secret.tags().forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        return context;
    }

    private static AccessCheck onSecret(String operation, Secret secret, RequestContext context) {
        return new AccessCheck("secretsmanager:" + operation, secret.arn(), secret.account(), secret.policy(), context);
    }

    private static Map<String, String> encryptionContext(String arn, String versionId) {
        Map<String, String> context = new LinkedHashMap<>();
        context.put("SecretARN", arn);
        context.put("SecretVersionId", versionId);
        return context;
    }

    /** The KMS key a secret's values are encrypted under: the one it names, or the account's AWS managed key. */
    private KmsKeys.KeyReference keyOf(String account, String region, String kmsKeyId) {
        if (kmsKeyId == null) {
            return keys.find(account, region, "alias/aws/" + SERVICE).orElse(null);
        }
        return keys.find(account, region, kmsKeyId).orElseThrow(() -> new AwsException("AccessDeniedException", 400,
                NO_KMS));
    }

    private AccessCheck kmsCheck(String action, KmsKeys.KeyReference key, Call call, Map<String, String> context) {
        return keys.viaService(action, key, account(call), SERVICE, call.region(), context, NO_KMS);
    }

    /** The value given as {@code SecretString} or {@code SecretBinary} (not both), or {@code null}. */
    private record Value(byte[] bytes, boolean binary) {}

    private static Value value(Input input) {
        String text = input.string("SecretString");
        byte[] binary = input.blob("SecretBinary");
        if (text != null && binary != null) {
            throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same"
                    + " secret.");
        }
        if (text != null) {
            return new Value(text.getBytes(StandardCharsets.UTF_8), false);
        }
        return binary == null ? null : new Value(binary, true);
    }

    private static String versionId(Input input) {
        String token = input.string("ClientRequestToken");
        return token != null ? token : UUID.randomUUID().toString();
    }

    private byte[] seal(KmsKeys.KeyReference key, Value value, Map<String, String> context) {
        try {
            return keys.encrypt(key, value.bytes(), context);
        } catch (KmsKeys.Unusable e) {
            throw new AwsException("EncryptionFailure", 400, "Secrets Manager can't encrypt the protected secret text"
                    + " using the provided KMS key: " + e.code() + ": " + e.getMessage());
        }
    }

    /** The versions after a new one takes {@code stages}: AWSCURRENT's former holder becomes AWSPREVIOUS. */
    private static Map<String, Secret.Version> stage(Map<String, Secret.Version> versions, Secret.Version added,
                                                     List<String> stages) {
        Map<String, Secret.Version> out = new LinkedHashMap<>();
        boolean current = stages.contains(Secret.CURRENT);
        for (Secret.Version version : versions.values()) {
            List<String> kept = new ArrayList<>(version.stages());
            kept.removeAll(stages);
            if (current) {
                kept.remove(Secret.PREVIOUS);
                if (version.stages().contains(Secret.CURRENT)) {
                    kept.add(Secret.PREVIOUS);
                }
            }
            out.put(version.id(), version.withStages(kept));
        }
        out.put(added.id(), added.withStages(stages));
        return out;
    }

    private static Instant now(SecretsDirectory secrets) {
        return secrets.clock().instant().truncatedTo(ChronoUnit.MILLIS);
    }

    // ---- operations -------------------------------------------------------------------------------------

    private PreparedCall createSecret(Call call, Input input) {
        String name = input.string("Name");
        if (name.startsWith("arn:")) {
            throw invalidParameter("Invalid name. Must be a valid name containing alphanumeric characters, or any of"
                    + " the following: -/_+=.@!");
        }
        Value value = value(input);
        String kmsKeyId = input.string("KmsKeyId");
        String description = input.string("Description");
        Map<String, String> tags = new LinkedHashMap<>();
        for (Input tag : input.<Input>listOrEmpty("Tags")) {
            tags.put(tag.string("Key"), tag.string("Value") == null ? "" : tag.string("Value"));
        }
        if (input.has("AddReplicaRegions")) {
            throw invalidRequest("crossrole does not replicate secrets to other Regions.");
        }
        String account = account(call);
        String arn = "arn:aws:secretsmanager:" + call.region() + ":" + account + ":secret:" + name + "-" + suffix();
        String versionId = versionId(input);
        Map<String, String> encryption = encryptionContext(arn, versionId);
        RequestContext.Builder context = RequestContext.builder().single("secretsmanager:Name", name);
        if (kmsKeyId != null) {
            context.single("secretsmanager:KmsKeyId", kmsKeyId);
        }
        if (description != null) {
            context.single("secretsmanager:Description", description);
        }
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        if (!tags.isEmpty()) {
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(new AccessCheck("secretsmanager:CreateSecret", arn, account, null, context.build()));
        if (!tags.isEmpty()) {
            checks.add(new AccessCheck("secretsmanager:TagResource", arn, account, null, context.build()));
        }
        KmsKeys.KeyReference key = value == null ? null : kmsKeyId == null
                ? keys.managedKey(account, call.region(), SERVICE) : keyOf(account, call.region(), kmsKeyId);
        if (key != null) {
            checks.add(kmsCheck("kms:GenerateDataKey", key, call, encryption));
        }
        return PreparedCall.of(checks, () -> {
            secrets.sweep();
            secrets.byName(account, call.region(), name).ifPresent(existing -> {
                throw existing.deletedDate() != null
                        ? invalidRequest("You can't create this secret because a secret with this name is already"
                        + " scheduled for deletion.")
                        : new AwsException("ResourceExistsException", 400, "The operation failed because the secret "
                        + name + " already exists.");
            });
            Instant now = now(secrets);
            Map<String, Secret.Version> versions = new LinkedHashMap<>();
            if (value != null) {
                versions.put(versionId, new Secret.Version(versionId, now, List.of(Secret.CURRENT), key.arn(),
                        seal(key, value, encryption), value.binary()));
            }
            secrets.put(new Secret(account, call.region(), name, arn, description, kmsKeyId, now, now, null, null, null,
                    tags, null, null, versions));
            Shape out = Shape.of().put("ARN", arn).put("Name", name);
            return value == null ? out : out.put("VersionId", versionId);
        });
    }

    private static String suffix() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            out.append(ALPHANUMERIC.charAt(RANDOM.nextInt(ALPHANUMERIC.length())));
        }
        return out.toString();
    }

    private PreparedCall getSecretValue(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        if (secret.deletedDate() != null) {
            throw markedForDeletion();
        }
        String versionId = input.string("VersionId");
        String stage = input.string("VersionStage");
        Secret.Version version;
        if (versionId != null) {
            version = secret.versions().get(versionId);
            if (version == null || (stage != null && !version.stages().contains(stage))) {
                throw new AwsException("ResourceNotFoundException", 400, "Secrets Manager can't find the specified"
                        + " secret value for VersionId: " + versionId);
            }
        } else {
            String wanted = stage == null ? Secret.CURRENT : stage;
            version = secret.staged(wanted);
            if (version == null) {
                throw new AwsException("ResourceNotFoundException", 400, "Secrets Manager can't find the specified"
                        + " secret value for staging label: " + wanted);
            }
        }
        RequestContext.Builder context = context(secret).single("secretsmanager:VersionId", version.id());
        if (stage != null) {
            context.single("secretsmanager:VersionStage", stage);
        }
        Map<String, String> encryption = encryptionContext(secret.arn(), version.id());
        KmsKeys.KeyReference key = keys.find(secret.account(), secret.region(), version.keyArn())
                .orElseThrow(() -> new AwsException("DecryptionFailure", 400, "Secrets Manager can't decrypt the"
                        + " protected secret text using the provided KMS key."));
        Secret.Version chosen = version;
        return PreparedCall.of(List.of(onSecret("GetSecretValue", secret, context.build()),
                kmsCheck("kms:Decrypt", key, call, encryption)), () -> {
                    byte[] plaintext;
                    try {
                        plaintext = keys.decrypt(key, chosen.ciphertext(), encryption);
                    } catch (KmsKeys.Unusable e) {
                        throw new AwsException("DecryptionFailure", 400, "Secrets Manager can't decrypt the protected"
                                + " secret text using the provided KMS key: " + e.code() + ": " + e.getMessage());
                    }
                    return valueShape(secret, chosen, plaintext);
                });
    }

    /**
     * The current values of several secrets, named or found by filters. Each secret is authorized as GetSecretValue
     * (and its key as for a read through Secrets Manager); one the caller may not read, or that is missing or marked
     * for deletion, is reported in {@code Errors} without failing the others.
     */
    private PreparedCall batchGetSecretValue(Call call, Input input) {
        boolean byIds = input.has("SecretIdList");
        boolean byFilters = input.has("Filters");
        if (byIds == byFilters) {
            throw invalidParameter("Either SecretIdList or Filters must be specified, but not both.");
        }
        if (byIds && input.has("MaxResults")) {
            throw invalidParameter("MaxResults can only be used with Filters.");
        }
        List<String> ids = input.listOrEmpty("SecretIdList");
        SecretFilters filters = SecretFilters.of(input.listOrEmpty("Filters"));
        int max = input.integer("MaxResults") == null ? 20 : input.integer("MaxResults");
        String token = input.string("NextToken");
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(new AccessCheck("secretsmanager:BatchGetSecretValue", "*", null, null, RequestContext.empty()));
        if (byFilters) {
            checks.add(new AccessCheck("secretsmanager:ListSecrets", "*", null, null, RequestContext.empty()));
        }
        return PreparedCall.withPermissions(checks, permissions -> {
            List<Shape> values = new ArrayList<>();
            List<Shape> errors = new ArrayList<>();
            List<Map.Entry<String, Secret>> wanted = new ArrayList<>();
            String next = null;
            if (byIds) {
                for (String id : ids) {
                    try {
                        wanted.add(Map.entry(id, resolve(call, id)));
                    } catch (AwsException e) {
                        errors.add(batchError(id, e.code(), e.getMessage()));
                    }
                }
            } else {
                List<Secret> matching = secrets.secrets(account(call), call.region()).stream()
                        .filter(secret -> secret.deletedDate() == null && filters.matches(secret)).toList();
                int from = token == null ? 0 : position(token, matching.size());
                int to = Math.min(matching.size(), from + max);
                matching.subList(from, to).forEach(secret -> wanted.add(Map.entry(secret.arn(), secret)));
                next = to < matching.size() ? String.valueOf(to) : null;
            }
            for (Map.Entry<String, Secret> entry : wanted) {
                Secret secret = entry.getValue();
                if (secret.deletedDate() != null) {
                    AwsException marked = markedForDeletion();
                    errors.add(batchError(entry.getKey(), marked.code(), marked.getMessage()));
                    continue;
                }
                Secret.Version version = secret.staged(Secret.CURRENT);
                RequestContext context = context(secret).single("secretsmanager:VersionStage", Secret.CURRENT).build();
                if (!permissions.allows(onSecret("GetSecretValue", secret, context))) {
                    errors.add(batchError(entry.getKey(), "AccessDeniedException", "User: " + call.caller().arn()
                            + " is not authorized to perform: secretsmanager:GetSecretValue on resource: "
                            + entry.getKey()));
                    continue;
                }
                Map<String, String> encryption = encryptionContext(secret.arn(), version.id());
                KmsKeys.KeyReference key = keys.find(secret.account(), secret.region(), version.keyArn()).orElse(null);
                if (key == null || !permissions.allows(kmsCheck("kms:Decrypt", key, call, encryption))) {
                    errors.add(batchError(entry.getKey(), "AccessDeniedException", NO_KMS));
                    continue;
                }
                try {
                    values.add(valueShape(secret, version, keys.decrypt(key, version.ciphertext(), encryption)));
                } catch (KmsKeys.Unusable e) {
                    errors.add(batchError(entry.getKey(), "DecryptionFailure", "Secrets Manager can't decrypt the"
                            + " protected secret text using the provided KMS key: " + e.code() + ": " + e.getMessage()));
                }
            }
            Shape out = Shape.of().put("SecretValues", values).put("Errors", errors);
            return next == null ? out : out.put("NextToken", next);
        });
    }

    private static Shape batchError(String secretId, String code, String message) {
        return Shape.of().put("SecretId", secretId).put("ErrorCode", code).put("Message", message);
    }

    private static Shape valueShape(Secret secret, Secret.Version version, byte[] plaintext) {
        Shape out = Shape.of().put("ARN", secret.arn()).put("Name", secret.name()).put("VersionId", version.id())
                .put("VersionStages", version.stages()).put("CreatedDate", version.created());
        return version.binary() ? out.put("SecretBinary", plaintext)
                : out.put("SecretString", new String(plaintext, StandardCharsets.UTF_8));
    }

    private PreparedCall putSecretValue(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        if (secret.deletedDate() != null) {
            throw markedForDeletion();
        }
        Value value = value(input);
        if (value == null) {
            throw invalidParameter("You must provide either SecretString or SecretBinary.");
        }
        List<String> stages = input.has("VersionStages") ? input.<String>list("VersionStages") : List.of(Secret.CURRENT);
        String versionId = versionId(input);
        return writeVersion(call, secret, versionId, value, stages, "PutSecretValue", context(secret).build());
    }

    /** Adds a version (or finds the same one again: a repeated token with the same value changes nothing). */
    private PreparedCall writeVersion(Call call, Secret secret, String versionId, Value value, List<String> stages,
                                      String operation, RequestContext context) {
        Map<String, String> encryption = encryptionContext(secret.arn(), versionId);
        KmsKeys.KeyReference key = secret.kmsKeyId() == null
                ? keys.managedKey(secret.account(), secret.region(), SERVICE)
                : keyOf(secret.account(), secret.region(), secret.kmsKeyId());
        return PreparedCall.of(List.of(onSecret(operation, secret, context), kmsCheck("kms:GenerateDataKey", key, call,
                encryption)), () -> {
                    Secret current = secrets.byArn(secret.arn()).orElseThrow(SecretsService::notFound);
                    Secret.Version existing = current.versions().get(versionId);
                    if (existing != null) {
                        if (!sameValue(key, existing, value, encryption)) {
                            throw new AwsException("ResourceExistsException", 400, "You can't modify an existing version,"
                                    + " you can only create a new version.");
                        }
                        return Shape.of().put("ARN", current.arn()).put("Name", current.name()).put("VersionId", versionId)
                                .put("VersionStages", existing.stages());
                    }
                    Instant now = now(secrets);
                    Secret.Version added = new Secret.Version(versionId, now, stages, key.arn(),
                            seal(key, value, encryption), value.binary());
                    secrets.put(current.withVersions(stage(current.versions(), added, stages), now));
                    return Shape.of().put("ARN", current.arn()).put("Name", current.name()).put("VersionId", versionId)
                            .put("VersionStages", stages);
                });
    }

    private boolean sameValue(KmsKeys.KeyReference key, Secret.Version version, Value value,
                              Map<String, String> encryption) {
        try {
            return version.binary() == value.binary()
                    && Arrays.equals(keys.decrypt(key, version.ciphertext(), encryption), value.bytes());
        } catch (KmsKeys.Unusable e) {
            return false;
        }
    }

    private PreparedCall updateSecret(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        if (secret.deletedDate() != null) {
            throw markedForDeletion();
        }
        Value value = value(input);
        String description = input.has("Description") ? input.string("Description") : secret.description();
        String kmsKeyId = input.has("KmsKeyId") ? input.string("KmsKeyId") : secret.kmsKeyId();
        RequestContext.Builder context = context(secret);
        if (input.has("KmsKeyId")) {
            context.single("secretsmanager:KmsKeyId", kmsKeyId);
        }
        if (input.has("Description")) {
            context.single("secretsmanager:Description", description);
        }
        if (value == null) {
            if (input.has("KmsKeyId")) {
                keyOf(secret.account(), secret.region(), kmsKeyId);
            }
            return PreparedCall.of(List.of(onSecret("UpdateSecret", secret, context.build())), () -> {
                Secret current = secrets.byArn(secret.arn()).orElseThrow(SecretsService::notFound);
                secrets.put(current.with(description, kmsKeyId, now(secrets), current.tags()));
                return Shape.of().put("ARN", current.arn()).put("Name", current.name());
            });
        }
        Secret updated = secret.with(description, kmsKeyId, secret.lastChanged(), secret.tags());
        PreparedCall write = writeVersion(call, updated, versionId(input), value, List.of(Secret.CURRENT),
                "UpdateSecret", context.build());
        return PreparedCall.of(write.accessChecks(), () -> {
            Secret current = secrets.byArn(secret.arn()).orElseThrow(SecretsService::notFound);
            secrets.put(current.with(description, kmsKeyId, current.lastChanged(), current.tags()));
            Shape out = write.execute();
            return Shape.of().put("ARN", out.get("ARN")).put("Name", out.get("Name")).put("VersionId", out.get("VersionId"));
        });
    }

    private PreparedCall describeSecret(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        return PreparedCall.of(List.of(onSecret("DescribeSecret", secret, context(secret).build())), () -> {
            Shape out = Shape.of().put("ARN", secret.arn()).put("Name", secret.name())
                    .put("Description", secret.description()).put("KmsKeyId", secret.kmsKeyId())
                    .put("RotationEnabled", false).put("LastChangedDate", secret.lastChanged())
                    .put("CreatedDate", secret.created()).put("DeletedDate", secret.deletedDate());
            if (!secret.tags().isEmpty()) {
                out.put("Tags", tagShapes(secret.tags()));
            }
            Map<String, Object> stages = new LinkedHashMap<>();
            secret.versions().values().stream().filter(v -> !v.stages().isEmpty())
                    .forEach(v -> stages.put(v.id(), v.stages()));
            return out.put("VersionIdsToStages", stages);
        });
    }

    private static List<Shape> tagShapes(Map<String, String> tags) {
        List<Shape> out = new ArrayList<>();
        tags.forEach((k, v) -> out.add(Shape.of().put("Key", k).put("Value", v)));
        return out;
    }

    private PreparedCall listSecrets(Call call, Input input) {
        boolean planned = input.bool("IncludePlannedDeletion", false);
        int max = input.integer("MaxResults") == null ? 100 : input.integer("MaxResults");
        String token = input.string("NextToken");
        SecretFilters filters = SecretFilters.of(input.listOrEmpty("Filters"));
        return PreparedCall.of(List.of(new AccessCheck("secretsmanager:ListSecrets", "*", null, null,
                RequestContext.empty())), () -> {
                    List<Shape> entries = new ArrayList<>();
                    for (Secret secret : secrets.secrets(account(call), call.region())) {
                        if (secret.deletedDate() != null && !planned || !filters.matches(secret)) {
                            continue;
                        }
                        Shape entry = Shape.of().put("ARN", secret.arn()).put("Name", secret.name())
                                .put("Description", secret.description()).put("KmsKeyId", secret.kmsKeyId())
                                .put("LastChangedDate", secret.lastChanged()).put("CreatedDate", secret.created())
                                .put("DeletedDate", secret.deletedDate());
                        if (!secret.tags().isEmpty()) {
                            entry.put("Tags", tagShapes(secret.tags()));
                        }
                        entries.add(entry);
                    }
                    int from = token == null ? 0 : position(token, entries.size());
                    int to = Math.min(entries.size(), from + max);
                    Shape out = Shape.of().put("SecretList", entries.subList(from, to));
                    return to < entries.size() ? out.put("NextToken", String.valueOf(to)) : out;
                });
    }

    private static int position(String token, int size) {
        try {
            int from = Integer.parseInt(token);
            if (from >= 0 && from <= size) {
                return from;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw invalidParameter("Invalid NextToken.");
    }

    private PreparedCall deleteSecret(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        Long window = input.longValue("RecoveryWindowInDays");
        boolean force = input.bool("ForceDeleteWithoutRecovery", false);
        if (window != null && force) {
            throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
        }
        long days = window == null ? 30 : window;
        if (!force && (days < 7 || days > 30)) {
            throw invalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
        }
        if (secret.deletedDate() != null && !force) {
            throw markedForDeletion();
        }
        RequestContext context = context(secret).single("secretsmanager:RecoveryWindowInDays", String.valueOf(days))
                .single("secretsmanager:ForceDeleteWithoutRecovery", String.valueOf(force)).build();
        return PreparedCall.of(List.of(onSecret("DeleteSecret", secret, context)), () -> {
            Secret current = secrets.byArn(secret.arn()).orElseThrow(SecretsService::notFound);
            Instant now = now(secrets);
            Instant deletion = force ? now : now.plus(days, ChronoUnit.DAYS);
            secrets.put(current.withDeletion(now, deletion));
            if (force) {
                secrets.sweep();
            }
            return Shape.of().put("ARN", current.arn()).put("Name", current.name()).put("DeletionDate", deletion);
        });
    }

    private PreparedCall restoreSecret(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        return PreparedCall.of(List.of(onSecret("RestoreSecret", secret, context(secret).build())), () -> {
            Secret current = secrets.byArn(secret.arn()).orElseThrow(SecretsService::notFound);
            secrets.put(current.withDeletion(null, null));
            return Shape.of().put("ARN", current.arn()).put("Name", current.name());
        });
    }

    private PreparedCall listSecretVersionIds(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        boolean deprecated = input.bool("IncludeDeprecated", false);
        return PreparedCall.of(List.of(onSecret("ListSecretVersionIds", secret, context(secret).build())), () -> {
            List<Shape> versions = new ArrayList<>();
            for (Secret.Version version : secret.versions().values()) {
                if (!version.stages().isEmpty() || deprecated) {
                    versions.add(Shape.of().put("VersionId", version.id()).put("VersionStages", version.stages())
                            .put("CreatedDate", version.created()).put("KmsKeyIds", List.of(version.keyArn())));
                }
            }
            return Shape.of().put("Versions", versions).put("ARN", secret.arn()).put("Name", secret.name());
        });
    }

    private PreparedCall tagResource(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        Map<String, String> tags = new LinkedHashMap<>();
        for (Input tag : input.<Input>list("Tags")) {
            tags.put(tag.string("Key"), tag.string("Value") == null ? "" : tag.string("Value"));
        }
        RequestContext.Builder context = context(secret);
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        return PreparedCall.of(List.of(onSecret("TagResource", secret, context.build())), () -> {
            Secret current = secrets.byArn(secret.arn()).orElseThrow(SecretsService::notFound);
            Map<String, String> merged = new LinkedHashMap<>(current.tags());
            merged.putAll(tags);
            secrets.put(current.with(current.description(), current.kmsKeyId(), current.lastChanged(), merged));
            return null;
        });
    }

    private PreparedCall untagResource(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        List<String> keysToRemove = input.list("TagKeys");
        RequestContext context = context(secret).multi("aws:TagKeys", keysToRemove).build();
        return PreparedCall.of(List.of(onSecret("UntagResource", secret, context)), () -> {
            Secret current = secrets.byArn(secret.arn()).orElseThrow(SecretsService::notFound);
            Map<String, String> remaining = new LinkedHashMap<>(current.tags());
            keysToRemove.forEach(remaining::remove);
            secrets.put(current.with(current.description(), current.kmsKeyId(), current.lastChanged(), remaining));
            return null;
        });
    }

    /**
     * Moves a staging label: off {@code RemoveFromVersionId} (which must hold it, if any version does) and onto
     * {@code MoveToVersionId}; moving {@code AWSCURRENT} gives its former holder {@code AWSPREVIOUS}, as Secrets Manager
     * does.
     */
    private PreparedCall updateSecretVersionStage(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        if (secret.deletedDate() != null) {
            throw markedForDeletion();
        }
        String stage = input.string("VersionStage");
        String from = input.string("RemoveFromVersionId");
        String to = input.string("MoveToVersionId");
        Secret.Version holder = secret.staged(stage);
        if (holder != null && to != null && !holder.id().equals(from) && !holder.id().equals(to)) {
            throw invalidParameter("The staging label " + stage + " is currently attached to version " + holder.id()
                    + ", so you must explicitly reference that version in RemoveFromVersionId.");
        }
        if (from != null && (holder == null || !holder.id().equals(from))) {
            throw invalidParameter("The staging label " + stage + " is not attached to version " + from + ".");
        }
        if (to != null && !secret.versions().containsKey(to)) {
            throw new AwsException("ResourceNotFoundException", 400, "Secrets Manager can't find the specified secret"
                    + " value for VersionId: " + to);
        }
        if (to == null && stage.equals(Secret.CURRENT)) {
            throw invalidParameter("You can't remove the staging label AWSCURRENT from a version without moving it to"
                    + " another version.");
        }
        RequestContext context = context(secret).single("secretsmanager:VersionStage", stage).build();
        return PreparedCall.of(List.of(onSecret("UpdateSecretVersionStage", secret, context)), () -> {
            Secret current = secrets.byArn(secret.arn()).orElseThrow(SecretsService::notFound);
            Map<String, Secret.Version> versions = new LinkedHashMap<>();
            for (Secret.Version version : current.versions().values()) {
                List<String> stages = new ArrayList<>(version.stages());
                stages.remove(stage);
                if (stage.equals(Secret.CURRENT) && to != null && !version.id().equals(to)) {
                    stages.remove(Secret.PREVIOUS);
                    if (version.stages().contains(Secret.CURRENT)) {
                        stages.add(Secret.PREVIOUS);
                    }
                }
                if (version.id().equals(to)) {
                    if (stage.equals(Secret.CURRENT)) {
                        stages.remove(Secret.PREVIOUS); // the version that becomes current is no longer previous
                    }
                    stages.add(stage);
                }
                versions.put(version.id(), version.withStages(stages));
            }
            secrets.put(current.withVersions(versions, now(secrets)));
            return Shape.of().put("ARN", current.arn()).put("Name", current.name());
        });
    }

    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String DIGITS = "0123456789";
    /** The punctuation Secrets Manager draws from (its GetRandomPassword documentation). */
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private PreparedCall getRandomPassword(Call call, Input input) {
        long length = input.longValue("PasswordLength") == null ? 32 : input.longValue("PasswordLength");
        String excluded = input.string("ExcludeCharacters") == null ? "" : input.string("ExcludeCharacters");
        List<String> classes = new ArrayList<>();
        if (!input.bool("ExcludeLowercase", false)) {
            classes.add(LOWER);
        }
        if (!input.bool("ExcludeUppercase", false)) {
            classes.add(UPPER);
        }
        if (!input.bool("ExcludeNumbers", false)) {
            classes.add(DIGITS);
        }
        if (!input.bool("ExcludePunctuation", false)) {
            classes.add(PUNCTUATION);
        }
        if (input.bool("IncludeSpace", false)) {
            classes.add(" ");
        }
        List<String> usable = new ArrayList<>();
        for (String characterClass : classes) {
            StringBuilder kept = new StringBuilder();
            characterClass.chars().filter(c -> excluded.indexOf(c) < 0).forEach(c -> kept.append((char) c));
            if (kept.length() > 0) {
                usable.add(kept.toString());
            }
        }
        boolean eachType = input.bool("RequireEachIncludedType", true);
        if (usable.isEmpty() || (eachType && length < usable.size())) {
            throw invalidParameter("The password length is too short to include every type of character the request"
                    + " asks for, or the request excludes every character.");
        }
        return PreparedCall.of(List.of(new AccessCheck("secretsmanager:GetRandomPassword", "*", null, null,
                RequestContext.empty())), () -> {
                    StringBuilder password = new StringBuilder();
                    String all = String.join("", usable);
                    if (eachType) {
                        usable.forEach(c -> password.append(c.charAt(RANDOM.nextInt(c.length()))));
                    }
                    while (password.length() < length) {
                        password.append(all.charAt(RANDOM.nextInt(all.length())));
                    }
                    // Shuffled, so that the required characters are not always first.
                    char[] chars = password.toString().toCharArray();
                    for (int i = chars.length - 1; i > 0; i--) {
                        int j = RANDOM.nextInt(i + 1);
                        char t = chars[i];
                        chars[i] = chars[j];
                        chars[j] = t;
                    }
                    return Shape.of().put("RandomPassword", new String(chars));
                });
    }

    // ---- resource policies ------------------------------------------------------------------------------

    private static Policy resourcePolicy(String text, String arn) {
        try {
            return Policies.parse(text, PolicyKind.RESOURCE, "resource policy of " + arn);
        } catch (InvalidPolicyException e) {
            throw new AwsException("MalformedPolicyDocumentException", 400, e.diagnostic().message());
        }
    }

    /**
     * Whether the policy allows anyone at all: an Allow for every principal ({@code "*"}) without a condition, which
     * BlockPublicPolicy refuses.
     */
    private static boolean broad(String text) {
        try {
            var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
            var statements = root.path("Statement").isArray() ? root.path("Statement")
                    : new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode().add(root.path("Statement"));
            for (var statement : statements) {
                var principal = statement.path("Principal");
                boolean everyone = principal.isTextual() && principal.asText().equals("*")
                        || principal.path("AWS").isTextual() && principal.path("AWS").asText().equals("*")
                        || principal.path("AWS").isArray() && principal.path("AWS").toString().contains("\"*\"");
                if ("Allow".equals(statement.path("Effect").asText()) && everyone && !statement.has("Condition")) {
                    return true;
                }
            }
        } catch (java.io.IOException e) {
            return false; // refused as malformed before this is asked
        }
        return false;
    }

    private PreparedCall putResourcePolicy(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        String text = input.string("ResourcePolicy");
        Policy policy = resourcePolicy(text, secret.arn());
        boolean block = input.bool("BlockPublicPolicy", false);
        if (block && broad(text)) {
            throw new AwsException("PublicPolicyException", 400, "The BlockPublicPolicy parameter is set to true, and"
                    + " the resource policy did not prevent broad access to the secret.");
        }
        RequestContext context = context(secret).single("secretsmanager:BlockPublicPolicy", String.valueOf(block)).build();
        return PreparedCall.of(List.of(onSecret("PutResourcePolicy", secret, context)), () -> {
            Secret current = secrets.byArn(secret.arn()).orElseThrow(SecretsService::notFound);
            secrets.put(current.withPolicy(text, policy, now(secrets)));
            return Shape.of().put("ARN", current.arn()).put("Name", current.name());
        });
    }

    private PreparedCall getResourcePolicy(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        return PreparedCall.of(List.of(onSecret("GetResourcePolicy", secret, context(secret).build())),
                () -> Shape.of().put("ARN", secret.arn()).put("Name", secret.name())
                        .put("ResourcePolicy", secret.policyText()));
    }

    private PreparedCall deleteResourcePolicy(Call call, Input input) {
        Secret secret = resolve(call, input.string("SecretId"));
        return PreparedCall.of(List.of(onSecret("DeleteResourcePolicy", secret, context(secret).build())), () -> {
            Secret current = secrets.byArn(secret.arn()).orElseThrow(SecretsService::notFound);
            secrets.put(current.withPolicy(null, null, now(secrets)));
            return Shape.of().put("ARN", current.arn()).put("Name", current.name());
        });
    }

    private PreparedCall validateResourcePolicy(Call call, Input input) {
        String text = input.string("ResourcePolicy");
        Secret secret = input.string("SecretId") == null ? null : resolve(call, input.string("SecretId"));
        String arn = secret != null ? secret.arn() : "*";
        List<AccessCheck> checks = List.of(secret != null
                ? onSecret("ValidateResourcePolicy", secret, context(secret).build())
                : new AccessCheck("secretsmanager:ValidateResourcePolicy", "*", null, null, RequestContext.empty()));
        return PreparedCall.of(checks, () -> {
            List<Shape> errors = new ArrayList<>();
            try {
                Policies.parse(text, PolicyKind.RESOURCE, "resource policy of " + arn);
            } catch (InvalidPolicyException e) {
                errors.add(Shape.of().put("CheckName", "SYNTAX_CHECK").put("ErrorMessage", e.diagnostic().message()));
            }
            if (errors.isEmpty() && broad(text)) {
                errors.add(Shape.of().put("CheckName", "BROAD_ACCESS_CHECK").put("ErrorMessage", "The resource policy"
                        + " grants access to every principal without a condition."));
            }
            return Shape.of().put("PolicyValidationPassed", errors.isEmpty()).put("ValidationErrors", errors);
        });
    }
}
