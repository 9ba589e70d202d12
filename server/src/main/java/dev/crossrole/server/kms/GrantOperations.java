package dev.crossrole.server.kms;

import static dev.crossrole.server.kms.KmsSupport.account;
import static dev.crossrole.server.kms.KmsSupport.baseContext;
import static dev.crossrole.server.kms.KmsSupport.dryRun;
import static dev.crossrole.server.kms.KmsSupport.encryptionContext;
import static dev.crossrole.server.kms.KmsSupport.limit;
import static dev.crossrole.server.kms.KmsSupport.page;
import static dev.crossrole.server.kms.KmsSupport.usable;

import dev.crossrole.policy.KeyGrant;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * KMS grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant. What a grant allows is
 * decided with the key policy by the policy engine (see {@link KmsSupport#onKey}); here grants are made, listed and
 * removed, and CreateGrant's and RetireGrant's own rules are given to the engine as grants too: a grant with
 * CreateGrant allows only grants as restrictive as itself, and a grant's retiring principal, its grantee (when the
 * grant allows RetireGrant) and the account that created it may retire it.
 */
final class GrantOperations {
    /** The principals a grant may name: account roots, users, roles, role sessions, federated users, services. */
    private static final Pattern PRINCIPAL = Pattern.compile("arn:aws:(iam::\\d{12}:(root|user/.+|role/.+)"
            + "|sts::\\d{12}:(assumed-role/[^/]+/.+|federated-user/.+))|[a-z0-9.-]+\\.amazonaws\\.com");
    private static final int MAX_CONSTRAINT_PAIRS = 8;
    private static final int MAX_CONSTRAINT_VALUE = 384;

    private final KmsSupport support;
    private final KmsDirectory kms;

    GrantOperations(KmsSupport support) {
        this.support = support;
        this.kms = support.directory();
    }

    void register(OperationTable ops) {
        ops.on("CreateGrant", this::createGrant, Authorization.of("kms:CreateGrant").on("key", "KeyId")
                .keys("kms:CallerAccount", "kms:EncryptionContext:${EncryptionContextKey}", "kms:EncryptionContextKeys",
                        "kms:GrantConstraintType", "kms:GrantIsForAWSResource", "kms:GrantOperations",
                        "kms:GranteePrincipal", "kms:RetiringPrincipal"));
        ops.on("ListGrants", this::listGrants, Authorization.of("kms:ListGrants").on("key", "KeyId")
                .keys("kms:CallerAccount", "kms:GrantIsForAWSResource"));
        ops.on("ListRetirableGrants", this::listRetirableGrants, Authorization.of("kms:ListRetirableGrants"));
        ops.on("RetireGrant", this::retireGrant, Authorization.of("kms:RetireGrant").on("key", "KeyId", "GrantToken")
                .keys("kms:CallerAccount", "kms:GrantConstraintType"));
        ops.on("RevokeGrant", this::revokeGrant, Authorization.of("kms:RevokeGrant").on("key", "KeyId")
                .keys("kms:CallerAccount", "kms:GrantIsForAWSResource"));
    }

    /** The key a grant operation names: by key id or key ARN only, as KMS's grant operations take it. */
    private KmsKey grantKey(Call call, String keyId) {
        KmsDirectory.Named named = support.resolve(call, keyId);
        if (named.alias() != null) {
            throw KmsErrors.notFound("Invalid keyId " + keyId);
        }
        return named.key();
    }

    private static String principal(Input input, String member) {
        String value = input.string(member);
        if (value != null && !PRINCIPAL.matcher(value).matches()) {
            // crossrole's wording.
            throw new AwsException("InvalidArnException", 400, member + " " + value + " is not the ARN of an AWS"
                    + " principal or a service principal.");
        }
        return value;
    }

    /** The operations a grant may allow on a key of its spec and usage (AWS KMS Developer Guide, "Grant operations"). */
    static Set<String> grantableOn(KmsKey key) {
        Set<String> out = new HashSet<>(KmsGrant.ON_ANY_KEY);
        if (key.symmetricEncryption()) {
            out.addAll(KmsGrant.WITH_ENCRYPTION_CONTEXT);
        } else if (key.usage().equals(KeySpec.ENCRYPT_DECRYPT)) {
            out.addAll(List.of("Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"));
        } else if (key.usage().equals(KeySpec.SIGN_VERIFY)) {
            out.addAll(List.of("Sign", "Verify", "GetPublicKey"));
        } else {
            out.addAll(List.of("GenerateMac", "VerifyMac"));
        }
        return out;
    }

    private static Map<String, String> constraint(Input constraints, String member) {
        if (constraints == null || !constraints.has(member)) {
            return null;
        }
        Map<String, String> pairs = encryptionContext(constraints, member);
        if (pairs.size() > MAX_CONSTRAINT_PAIRS) {
            throw KmsErrors.validation("The " + member + " grant constraint can have at most " + MAX_CONSTRAINT_PAIRS
                    + " encryption context pairs.");
        }
        for (String value : pairs.values()) {
            if (value.length() > MAX_CONSTRAINT_VALUE) {
                throw KmsErrors.validation("An encryption context value in a grant constraint cannot exceed "
                        + MAX_CONSTRAINT_VALUE + " characters.");
            }
        }
        return pairs;
    }

    /** The grant a CreateGrant asks for, checked against the key: what it may allow, and its constraints. */
    private KmsGrant requested(Call call, Input input, KmsKey key) {
        String grantee = principal(input, "GranteePrincipal");
        String retiring = principal(input, "RetiringPrincipal");
        List<String> operations = new ArrayList<>(new LinkedHashSet<>(input.<String>listOrEmpty("Operations")));
        if (grantee == null) {
            throw KmsErrors.validation("GranteePrincipal is required.");
        }
        if (operations.isEmpty()) {
            throw KmsErrors.validation("Operations must name at least one grant operation.");
        }
        List<String> notForKey = new ArrayList<>(operations);
        notForKey.removeAll(grantableOn(key));
        if (!notForKey.isEmpty()) {
            // crossrole's wording of KMS's ValidationException ("Grant operations" of the KMS Developer Guide).
            throw KmsErrors.validation("Grant operations " + notForKey + " are not valid for a KMS key with key spec "
                    + key.spec() + " and key usage " + key.usage() + ".");
        }
        Input constraints = input.has("Constraints") ? input.struct("Constraints") : null;
        Map<String, String> subset = constraint(constraints, "EncryptionContextSubset");
        Map<String, String> equals = constraint(constraints, "EncryptionContextEquals");
        if ((subset != null || equals != null) && !key.symmetricEncryption()
                && !KmsGrant.ON_ANY_KEY.containsAll(operations)) {
            // "You cannot use an encryption context grant constraint for cryptographic operations with asymmetric KMS
            // keys or HMAC KMS keys" (KMS API Reference, CreateGrant); crossrole's wording.
            throw KmsErrors.validation("Encryption context grant constraints are not valid for cryptographic"
                    + " operations with a KMS key of key spec " + key.spec() + ".");
        }
        return new KmsGrant(KmsGrant.newId(), key.id(), key.arn(), input.string("Name"), grantee, retiring,
                operations, subset, equals, "arn:aws:iam::" + account(call) + ":root",
                kms.clock().instant().truncatedTo(ChronoUnit.MILLIS));
    }

    /** Whether a grant already made is the one a retried CreateGrant with the same name asks for. */
    private static boolean sameGrant(KmsGrant made, KmsGrant asked) {
        return Objects.equals(made.name(), asked.name()) && made.granteePrincipal().equals(asked.granteePrincipal())
                && Objects.equals(made.retiringPrincipal(), asked.retiringPrincipal())
                && Set.copyOf(made.operations()).equals(Set.copyOf(asked.operations()))
                && Objects.equals(made.contextSubset(), asked.contextSubset())
                && Objects.equals(made.contextEquals(), asked.contextEquals());
    }

    private PreparedCall createGrant(Call call, Input input) {
        KmsKey key = grantKey(call, input.string("KeyId"));
        KmsGrant asked = requested(call, input, key);
        RequestContext.Builder context = baseContext(call, key, null).multi("kms:GrantOperations", asked.operations())
                .single("kms:GranteePrincipal", asked.granteePrincipal()).single("kms:GrantIsForAWSResource", "false");
        if (asked.retiringPrincipal() != null) {
            context.single("kms:RetiringPrincipal", asked.retiringPrincipal());
        }
        if (asked.constraintType() != null) {
            context.single("kms:GrantConstraintType", asked.constraintType());
            // On CreateGrant the encryption context keys are the constraint's (AWS KMS Developer Guide, "AWS KMS
            // condition keys", kms:EncryptionContext:context-key).
            Map<String, String> pairs = asked.contextEquals() != null ? asked.contextEquals() : asked.contextSubset();
            pairs.forEach((k, v) -> context.single("kms:EncryptionContext:" + k, v));
            if (!pairs.isEmpty()) {
                context.multi("kms:EncryptionContextKeys", new ArrayList<>(pairs.keySet()));
            }
        }
        List<KeyGrant> parents = kms.grants(key.id()).stream().map(parent -> new KeyGrant(parent.id(),
                parent.granteePrincipal(), parent.notCoveringChild(asked))).toList();
        AccessCheck check = new AccessCheck("kms:CreateGrant", key.arn(), key.account(), key.policy(), context.build());
        return PreparedCall.of(List.of(parents.isEmpty() ? check : check.withGrants(parents)), () -> {
            KmsKey current = kms.key(key.id()).orElseThrow(() -> KmsErrors.keyNotFound(key.arn()));
            usable(current);
            dryRun(input);
            if (asked.name() != null) {
                for (KmsGrant made : kms.grants(key.id())) {
                    if (sameGrant(made, asked)) {
                        return Shape.of().put("GrantToken", KmsGrant.token(made.id())).put("GrantId", made.id());
                    }
                }
            }
            kms.put(asked);
            return Shape.of().put("GrantToken", KmsGrant.token(asked.id())).put("GrantId", asked.id());
        });
    }

    static Shape entry(KmsGrant grant) {
        Shape entry = Shape.of().put("KeyId", grant.keyArn()).put("GrantId", grant.id()).put("Name", grant.name())
                .put("CreationDate", grant.created()).put("GranteePrincipal", grant.granteePrincipal())
                .put("RetiringPrincipal", grant.retiringPrincipal()).put("IssuingAccount", grant.issuingAccount())
                .put("Operations", grant.operations());
        if (grant.constraintType() != null) {
            entry.put("Constraints", Shape.of().put("EncryptionContextSubset", grant.contextSubset())
                    .put("EncryptionContextEquals", grant.contextEquals()));
        }
        return entry;
    }

    private PreparedCall listGrants(Call call, Input input) {
        KmsKey key = grantKey(call, input.string("KeyId"));
        String grantId = input.string("GrantId");
        String grantee = input.string("GranteePrincipal");
        int limit = limit(input, 50);
        String marker = input.string("Marker");
        RequestContext context = baseContext(call, key, null).single("kms:GrantIsForAWSResource", "false").build();
        return PreparedCall.of(List.of(support.onKey("kms:ListGrants", key, context)), () -> {
            List<KmsGrant> grants = kms.grants(key.id());
            if (grantId != null && grants.stream().noneMatch(g -> g.id().equals(grantId))) {
                throw KmsErrors.invalidGrantId();
            }
            List<Shape> entries = new ArrayList<>();
            for (KmsGrant grant : grants) {
                if ((grantId == null || grant.id().equals(grantId))
                        && (grantee == null || grant.granteePrincipal().equals(grantee))) {
                    entries.add(entry(grant));
                }
            }
            return page(entries, limit, marker, "Grants");
        });
    }

    /**
     * The grants of the caller's region whose retiring principal is the one named, whatever account's key they are
     * on; the principal must be of the caller's account, and KMS asks only the caller's permission (KMS API Reference,
     * ListRetirableGrants).
     */
    private PreparedCall listRetirableGrants(Call call, Input input) {
        String retiring = principal(input, "RetiringPrincipal");
        if (retiring == null) {
            throw KmsErrors.validation("RetiringPrincipal is required.");
        }
        int limit = limit(input, 50);
        String marker = input.string("Marker");
        AccessCheck check = new AccessCheck("kms:ListRetirableGrants", "*", null, null, RequestContext.empty());
        return PreparedCall.of(List.of(check), () -> {
            List<Shape> entries = new ArrayList<>();
            boolean ownAccount = retiring.contains(":" + account(call) + ":");
            for (KmsGrant grant : kms.allGrants()) {
                if (ownAccount && retiring.equals(grant.retiringPrincipal())
                        && grant.keyArn().startsWith("arn:aws:kms:" + call.region() + ":")) {
                    entries.add(entry(grant));
                }
            }
            return page(entries, limit, marker, "Grants");
        });
    }

    /** The grant a RetireGrant or RevokeGrant names by key and grant id. */
    private KmsGrant grantOf(KmsKey key, String grantId) {
        if (grantId == null || grantId.isEmpty()) {
            throw KmsErrors.validation("GrantId is required.");
        }
        return kms.grant(grantId).filter(g -> g.keyId().equals(key.id())).orElseThrow(KmsErrors::invalidGrantId);
    }

    /**
     * RetireGrant, by a grant token or by key and grant id. Who may retire a grant (KMS API Reference, RetireGrant,
     * and AWS KMS Developer Guide, "Retiring and revoking grants"): its retiring principal; its grantee, when the grant
     * allows RetireGrant; the account that created it (whose identity policies may delegate the permission); and
     * principals the key policy allows kms:RetireGrant. The first three are given to the policy engine as grants.
     */
    private PreparedCall retireGrant(Call call, Input input) {
        String token = input.string("GrantToken");
        KmsGrant grant;
        KmsKey key;
        if (token != null) {
            String grantId = KmsGrant.idOfToken(token);
            if (grantId == null) {
                throw KmsErrors.invalidGrantToken();
            }
            grant = kms.grant(grantId).orElseThrow(KmsErrors::invalidGrantToken);
            key = kms.key(grant.keyId()).orElseThrow(KmsErrors::invalidGrantToken);
        } else if (input.string("KeyId") != null && input.string("GrantId") != null) {
            key = grantKey(call, input.string("KeyId"));
            grant = grantOf(key, input.string("GrantId"));
        } else {
            throw KmsErrors.validation("Grant token OR (grant ID, key ID) must be specified");
        }
        RequestContext.Builder context = baseContext(call, key, null);
        if (grant.constraintType() != null) {
            context.single("kms:GrantConstraintType", grant.constraintType());
        }
        List<KeyGrant> retirers = new ArrayList<>();
        if (grant.retiringPrincipal() != null) {
            retirers.add(new KeyGrant(grant.id() + " (its retiring principal)", grant.retiringPrincipal(), null));
        }
        retirers.add(new KeyGrant(grant.id() + " (its grantee)", grant.granteePrincipal(),
                grant.notCovering("RetireGrant", Map.of())));
        retirers.add(new KeyGrant(grant.id() + " (its issuing account)", grant.issuingAccount(), null));
        AccessCheck check = new AccessCheck("kms:RetireGrant", key.arn(), key.account(), key.policy(), context.build())
                .withGrants(retirers);
        KmsGrant retired = grant;
        return PreparedCall.of(List.of(check), () -> {
            dryRun(input);
            kms.grant(retired.id()).ifPresent(kms::removeGrant);
            return null;
        });
    }

    private PreparedCall revokeGrant(Call call, Input input) {
        KmsKey key = grantKey(call, input.string("KeyId"));
        KmsGrant grant = grantOf(key, input.string("GrantId"));
        RequestContext context = baseContext(call, key, null).single("kms:GrantIsForAWSResource", "false").build();
        return PreparedCall.of(List.of(support.onKey("kms:RevokeGrant", key, context)), () -> {
            dryRun(input);
            kms.grant(grant.id()).ifPresent(kms::removeGrant);
            return null;
        });
    }
}
