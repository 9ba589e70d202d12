package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.saml.PrivateKeys;
import dev.crossrole.server.saml.SamlException;
import dev.crossrole.server.saml.SamlMetadata;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * SAML 2.0 identity providers: the identity providers an account trusts for {@code AssumeRoleWithSAML}. Every
 * operation is authorized as {@code iam:<Operation>} on the provider's ARN ({@code *} for the list). The metadata
 * document is read when it is uploaded ({@link SamlMetadata}): the issuer and its signing certificates are what
 * STS verifies responses with. Private keys (for encrypted assertions) are kept and never shown again, only their
 * ids; the errors for them are IAM's (IAM User Guide, "Troubleshoot SAML federation").
 */
final class SamlProviderOperations {
    /** IAM's quotas (IAM User Guide, "IAM and AWS STS quotas"; API Reference, UpdateSAMLProvider). */
    static final int PROVIDERS_PER_ACCOUNT = 100;
    static final int PRIVATE_KEYS_PER_PROVIDER = 2;
    /** A provider whose metadata has no {@code validUntil} is valid for a hundred years. */
    static final int DEFAULT_VALIDITY_YEARS = 100;
    private static final Pattern PROVIDER_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):saml-provider/([\\w._-]+)");
    private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private final IamDirectory iam;

    SamlProviderOperations(IamSupport support) {
        this.iam = support.iam;
    }

    static AwsException notFound(String arn) {
        return IamSupport.noSuchEntity("Manifest not found for arn " + arn);
    }

    private static void checkArn(String arn) {
        if (!arn.startsWith("arn:") || arn.split(":", 6).length < 6) {
            throw AwsException.validation("Invalid ARN:  Could not be parsed!");
        }
        if (!PROVIDER_ARN.matcher(arn).matches()) {
            throw IamSupport.invalidInput("ARN " + arn + " is not valid.");
        }
    }

    /** The metadata as IAM reads it; IAM's error when it cannot. */
    static SamlMetadata metadata(String document) {
        try {
            return SamlMetadata.parse(document);
        } catch (SamlException e) {
            throw IamSupport.invalidInput("Could not parse metadata.");
        }
    }

    private static void checkPrivateKey(String pem) {
        try {
            PrivateKeys.parse(pem);
        } catch (SamlException e) {
            throw IamSupport.invalidInput("Invalid private key.");
        }
    }

    private static AwsException requiredWithoutKey() {
        return IamSupport.invalidInput("Unable to set assertion encryption mode to Required because no private key is"
                + " provided.");
    }

    private String newId(String prefix) {
        StringBuilder out = new StringBuilder(prefix);
        while (out.length() < 22) {
            out.append(ID_ALPHABET[iam.ids().random().nextInt(ID_ALPHABET.length)]);
        }
        return out.toString();
    }

    private static Instant validUntil(SamlMetadata metadata, Instant now) {
        return metadata.validUntil() != null ? metadata.validUntil()
                : now.atZone(ZoneOffset.UTC).plusYears(DEFAULT_VALIDITY_YEARS).toInstant();
    }

    private AccessCheck onProvider(String action, String arn, RequestContext.Builder extra) {
        RequestContext.Builder context = extra == null ? RequestContext.builder() : extra;
        iam.samlProvider(arn).ifPresent(p -> IamSupport.resourceTags(context, p.tags()));
        return IamSupport.check(action, arn, context.build());
    }

    private SamlProvider existing(Call call, String arn) {
        return iam.samlProvider(arn).filter(p -> p.account().equals(account(call))).orElseThrow(() -> notFound(arn));
    }

    PreparedCall createSAMLProvider(Call call, Input input) {
        String name = input.string("Name");
        String document = input.string("SAMLMetadataDocument");
        String mode = input.string("AssertionEncryptionMode");
        String addKey = input.string("AddPrivateKey");
        Map<String, String> tags = IamSupport.tags(input);
        SamlMetadata metadata = metadata(document);
        if (addKey != null) {
            checkPrivateKey(addKey);
        }
        if (SamlProvider.REQUIRED.equals(mode) && addKey == null) {
            throw requiredWithoutKey();
        }
        String arn = SamlProvider.arn(account(call), name);
        return PreparedCall.of(List.of(IamSupport.check("iam:CreateSAMLProvider", arn,
                IamSupport.requestTags(RequestContext.builder(), tags).build())), () -> {
            synchronized (iam) {
                if (iam.samlProvider(arn).isPresent()) {
                    throw IamSupport.alreadyExists("SAMLProvider " + name + " already exists.");
                }
                if (iam.samlProviders(account(call)).size() >= PROVIDERS_PER_ACCOUNT) {
                    throw IamSupport.limitExceeded("Cannot exceed quota for SAMLProvidersPerAccount: "
                            + PROVIDERS_PER_ACCOUNT);
                }
                Instant now = iam.clock().instant();
                List<SamlProvider.PrivateKey> keys = addKey == null ? List.of()
                        : List.of(new SamlProvider.PrivateKey(newId("KEY"), addKey, now));
                iam.putSamlProvider(new SamlProvider(account(call), name, document, metadata, newId("SAML"), now,
                        validUntil(metadata, now), tags, mode == null ? SamlProvider.ALLOWED : mode, keys));
                Shape out = Shape.of().put("SAMLProviderArn", arn);
                if (!tags.isEmpty()) {
                    out.put("Tags", IamSupport.tagShapes(tags));
                }
                return out;
            }
        });
    }

    PreparedCall getSAMLProvider(Call call, Input input) {
        String arn = input.string("SAMLProviderArn");
        checkArn(arn);
        return PreparedCall.of(List.of(onProvider("iam:GetSAMLProvider", arn, null)), () -> {
            SamlProvider provider = existing(call, arn);
            return Shape.of()
                    .put("SAMLProviderUUID", provider.uuid())
                    .put("SAMLMetadataDocument", provider.metadataDocument())
                    .put("CreateDate", provider.created())
                    .put("ValidUntil", provider.validUntil())
                    .put("Tags", IamSupport.tagShapes(provider.tags()))
                    .put("AssertionEncryptionMode", provider.assertionEncryptionMode())
                    .put("PrivateKeyList", IamSupport.shapes(provider.privateKeys(),
                            k -> Shape.of().put("KeyId", k.keyId()).put("Timestamp", k.timestamp())));
        });
    }

    PreparedCall listSAMLProviders(Call call, Input input) {
        return PreparedCall.of(List.of(IamSupport.check("iam:ListSAMLProviders", "*", RequestContext.empty())),
                () -> Shape.of().put("SAMLProviderList", IamSupport.shapes(iam.samlProviders(account(call)),
                        p -> Shape.of().put("Arn", p.arn()).put("ValidUntil", p.validUntil())
                                .put("CreateDate", p.created()))));
    }

    PreparedCall updateSAMLProvider(Call call, Input input) {
        String arn = input.string("SAMLProviderArn");
        String document = input.string("SAMLMetadataDocument");
        String mode = input.string("AssertionEncryptionMode");
        String addKey = input.string("AddPrivateKey");
        String removeKey = input.string("RemovePrivateKey");
        checkArn(arn);
        if (document == null && mode == null && addKey == null && removeKey == null) {
            throw IamSupport.invalidInput("Unable to update identity provider. No updates are defined for metadata or"
                    + " encryption assertion.");
        }
        if (addKey != null && removeKey != null) {
            throw IamSupport.invalidInput("Unable to add and remove private keys in the same request. Set a value for"
                    + " only one of the two parameters.");
        }
        SamlMetadata metadata = document == null ? null : metadata(document);
        if (addKey != null) {
            checkPrivateKey(addKey);
        }
        return PreparedCall.of(List.of(onProvider("iam:UpdateSAMLProvider", arn, null)), () -> {
            synchronized (iam) {
                SamlProvider provider = existing(call, arn);
                List<SamlProvider.PrivateKey> keys = new ArrayList<>(provider.privateKeys());
                if (addKey != null) {
                    if (keys.size() >= PRIVATE_KEYS_PER_PROVIDER) {
                        throw IamSupport.limitExceeded("Private key limit of " + PRIVATE_KEYS_PER_PROVIDER
                                + " is reached.");
                    }
                    keys.add(new SamlProvider.PrivateKey(newId("KEY"), addKey, iam.clock().instant()));
                }
                if (removeKey != null && !keys.removeIf(k -> k.keyId().equals(removeKey))) {
                    throw IamSupport.invalidInput("Failed to remove private key because the Key ID does not match a"
                            + " private key.");
                }
                String newMode = mode == null ? provider.assertionEncryptionMode() : mode;
                if (SamlProvider.REQUIRED.equals(newMode) && keys.isEmpty()) {
                    throw removeKey != null ? IamSupport.invalidInput("Failed to remove private key.")
                            : requiredWithoutKey();
                }
                SamlProvider updated = provider.withEncryption(newMode, keys);
                if (metadata != null) {
                    updated = updated.withMetadata(document, metadata, validUntil(metadata, iam.clock().instant()));
                }
                iam.putSamlProvider(updated);
                return Shape.of().put("SAMLProviderArn", provider.arn());
            }
        });
    }

    PreparedCall deleteSAMLProvider(Call call, Input input) {
        String arn = input.string("SAMLProviderArn");
        checkArn(arn);
        return PreparedCall.of(List.of(onProvider("iam:DeleteSAMLProvider", arn, null)), () -> {
            synchronized (iam) {
                iam.deleteSamlProvider(existing(call, arn).arn());
                return null;
            }
        });
    }

    PreparedCall tagSAMLProvider(Call call, Input input) {
        String arn = input.string("SAMLProviderArn");
        checkArn(arn);
        Map<String, String> tags = IamSupport.tags(input);
        return PreparedCall.of(List.of(onProvider("iam:TagSAMLProvider", arn,
                IamSupport.requestTags(RequestContext.builder(), tags))), () -> {
            synchronized (iam) {
                SamlProvider provider = existing(call, arn);
                iam.putSamlProvider(provider.withTags(IamSupport.mergeTags(provider.tags(), tags)));
                return null;
            }
        });
    }

    PreparedCall untagSAMLProvider(Call call, Input input) {
        String arn = input.string("SAMLProviderArn");
        checkArn(arn);
        List<String> keys = input.listOrEmpty("TagKeys");
        return PreparedCall.of(List.of(onProvider("iam:UntagSAMLProvider", arn,
                RequestContext.builder().multi("aws:TagKeys", keys))), () -> {
            synchronized (iam) {
                SamlProvider provider = existing(call, arn);
                Map<String, String> remaining = new LinkedHashMap<>(provider.tags());
                remaining.keySet().removeIf(k -> keys.stream().anyMatch(k::equalsIgnoreCase));
                iam.putSamlProvider(provider.withTags(remaining));
                return null;
            }
        });
    }

    PreparedCall listSAMLProviderTags(Call call, Input input) {
        String arn = input.string("SAMLProviderArn");
        checkArn(arn);
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(onProvider("iam:ListSAMLProviderTags", arn, null)), () -> {
            SamlProvider provider = existing(call, arn);
            IamSupport.Page<Map.Entry<String, String>> p = IamSupport.page(new ArrayList<>(provider.tags().entrySet()),
                    page);
            return p.into(Shape.of().put("Tags", IamSupport.shapes(p.items(),
                    e -> Shape.of().put("Key", e.getKey()).put("Value", e.getValue()))));
        });
    }
}
