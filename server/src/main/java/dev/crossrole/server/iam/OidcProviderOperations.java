package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * OpenID Connect identity providers: the issuers an account trusts for {@code AssumeRoleWithWebIdentity}. Every
 * operation is authorized as {@code iam:<Operation>} on the provider's ARN ({@code *} for the list). Creating,
 * deleting and changing client ids are idempotent where IAM says so; thumbprints are kept (lower case) but not
 * checked against a certificate: crossrole verifies tokens by their signature against the issuer's keys.
 */
final class OidcProviderOperations {
    /** IAM's quotas (IAM User Guide, "IAM and AWS STS quotas"). */
    static final int PROVIDERS_PER_ACCOUNT = 100;
    static final int CLIENT_IDS_PER_PROVIDER = 100;
    static final int THUMBPRINTS_PER_PROVIDER = 5;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
    private static final Pattern PROVIDER_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):oidc-provider/(.+)");

    private final IamDirectory iam;

    OidcProviderOperations(IamSupport support) {
        this.iam = support.iam;
    }

    /**
     * The provider URL without its scheme, as IAM keys it; refuses what IAM refuses: no scheme or host
     * (ValidationError), another scheme, user info, a port, a query, a fragment or a host that is not a DNS name
     * (InvalidInput).
     */
    static String providerUrl(String url) {
        int scheme = url.indexOf("://");
        if (scheme <= 0 || scheme + 3 == url.length() || url.charAt(scheme + 3) == '/') {
            throw AwsException.validation("Invalid Open ID Connect Provider URL");
        }
        if (!url.substring(0, scheme).equalsIgnoreCase("https")) {
            throw IamSupport.invalidInput("Invalid Open ID Connect Provider URL. The URL must begin with https://.");
        }
        String rest = url.substring(scheme + 3);
        int slash = rest.indexOf('/');
        String host = slash < 0 ? rest : rest.substring(0, slash);
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0 || !HOST.matcher(host).matches()) {
            throw IamSupport.invalidInput("Invalid Open ID Connect Provider URL.");
        }
        return rest;
    }

    private static void checkArn(String arn) {
        if (!arn.startsWith("arn:") || arn.split(":", 6).length < 6) {
            throw AwsException.validation("Invalid ARN:  Could not be parsed!");
        }
        if (!PROVIDER_ARN.matcher(arn).matches()) {
            throw IamSupport.invalidInput("ARN " + arn + " is not valid.");
        }
    }

    private static List<String> thumbprints(List<String> given) {
        if (given.size() > THUMBPRINTS_PER_PROVIDER) {
            throw IamSupport.invalidInput("Thumbprint list must contain fewer than 5 entries.");
        }
        List<String> lower = new ArrayList<>();
        for (String thumbprint : given) {
            String value = thumbprint.toLowerCase(Locale.ROOT);
            if (!lower.contains(value)) {
                lower.add(value);
            }
        }
        return lower;
    }

    private AccessCheck onProvider(String action, String arn, RequestContext.Builder extra) {
        RequestContext.Builder context = extra == null ? RequestContext.builder() : extra;
        iam.oidcProvider(arn).ifPresent(p -> IamSupport.resourceTags(context, p.tags()));
        return IamSupport.check(action, arn, context.build());
    }

    private OidcProvider existing(Call call, String arn) {
        return iam.oidcProvider(arn).filter(p -> p.account().equals(account(call)))
                .orElseThrow(() -> IamSupport.noSuchEntity("OpenIDConnect Provider not found for arn " + arn));
    }

    PreparedCall createOpenIDConnectProvider(Call call, Input input) {
        String url = input.string("Url");
        String path = providerUrl(url);
        List<String> clientIds = new ArrayList<>(new java.util.LinkedHashSet<>(input.<String>listOrEmpty("ClientIDList")));
        List<String> thumbprints = thumbprints(input.listOrEmpty("ThumbprintList"));
        if (clientIds.size() > CLIENT_IDS_PER_PROVIDER) {
            throw IamSupport.limitExceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: "
                    + CLIENT_IDS_PER_PROVIDER);
        }
        Map<String, String> tags = IamSupport.tags(input);
        String arn = OidcProvider.arn(account(call), path);
        return PreparedCall.of(List.of(IamSupport.check("iam:CreateOpenIDConnectProvider", arn,
                IamSupport.requestTags(RequestContext.builder(), tags).build())), () -> {
            synchronized (iam) {
                if (iam.oidcProvider(arn).isPresent()) {
                    throw IamSupport.alreadyExists("Provider with url " + url + " already exists.");
                }
                if (iam.oidcProviders(account(call)).size() >= PROVIDERS_PER_ACCOUNT) {
                    throw IamSupport.limitExceeded("Cannot exceed quota for OpenIdConnectProvidersPerAccount: "
                            + PROVIDERS_PER_ACCOUNT);
                }
                iam.putOidcProvider(new OidcProvider(account(call), path, clientIds, thumbprints, tags,
                        iam.clock().instant()));
                Shape out = Shape.of().put("OpenIDConnectProviderArn", arn);
                if (!tags.isEmpty()) {
                    out.put("Tags", IamSupport.tagShapes(tags));
                }
                return out;
            }
        });
    }

    PreparedCall getOpenIDConnectProvider(Call call, Input input) {
        String arn = input.string("OpenIDConnectProviderArn");
        checkArn(arn);
        return PreparedCall.of(List.of(onProvider("iam:GetOpenIDConnectProvider", arn, null)), () -> {
            OidcProvider provider = existing(call, arn);
            Shape out = Shape.of().put("Url", provider.url()).put("ClientIDList", provider.clientIds())
                    .put("ThumbprintList", provider.thumbprints()).put("CreateDate", provider.created());
            if (!provider.tags().isEmpty()) {
                out.put("Tags", IamSupport.tagShapes(provider.tags()));
            }
            return out;
        });
    }

    PreparedCall listOpenIDConnectProviders(Call call, Input input) {
        return PreparedCall.of(List.of(IamSupport.check("iam:ListOpenIDConnectProviders", "*",
                RequestContext.empty())), () -> Shape.of().put("OpenIDConnectProviderList",
                IamSupport.shapes(iam.oidcProviders(account(call)), p -> Shape.of().put("Arn", p.arn()))));
    }

    PreparedCall deleteOpenIDConnectProvider(Call call, Input input) {
        String arn = input.string("OpenIDConnectProviderArn");
        checkArn(arn);
        return PreparedCall.of(List.of(onProvider("iam:DeleteOpenIDConnectProvider", arn, null)), () -> {
            synchronized (iam) {
                // Idempotent (IAM API Reference, DeleteOpenIDConnectProvider).
                if (iam.oidcProvider(arn).filter(p -> p.account().equals(account(call))).isPresent()) {
                    iam.deleteOidcProvider(arn);
                }
                return null;
            }
        });
    }

    PreparedCall addClientIDToOpenIDConnectProvider(Call call, Input input) {
        String arn = input.string("OpenIDConnectProviderArn");
        String clientId = input.string("ClientID");
        checkArn(arn);
        return PreparedCall.of(List.of(onProvider("iam:AddClientIDToOpenIDConnectProvider", arn, null)), () -> {
            synchronized (iam) {
                OidcProvider provider = existing(call, arn);
                if (!provider.clientIds().contains(clientId)) {
                    if (provider.clientIds().size() >= CLIENT_IDS_PER_PROVIDER) {
                        throw IamSupport.limitExceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: "
                                + CLIENT_IDS_PER_PROVIDER);
                    }
                    List<String> ids = new ArrayList<>(provider.clientIds());
                    ids.add(clientId);
                    iam.putOidcProvider(provider.withClientIds(ids));
                }
                return null;
            }
        });
    }

    PreparedCall removeClientIDFromOpenIDConnectProvider(Call call, Input input) {
        String arn = input.string("OpenIDConnectProviderArn");
        String clientId = input.string("ClientID");
        checkArn(arn);
        return PreparedCall.of(List.of(onProvider("iam:RemoveClientIDFromOpenIDConnectProvider", arn, null)), () -> {
            synchronized (iam) {
                OidcProvider provider = existing(call, arn);
                if (provider.clientIds().contains(clientId)) {
                    List<String> ids = new ArrayList<>(provider.clientIds());
                    ids.remove(clientId);
                    iam.putOidcProvider(provider.withClientIds(ids));
                }
                return null;
            }
        });
    }

    PreparedCall updateOpenIDConnectProviderThumbprint(Call call, Input input) {
        String arn = input.string("OpenIDConnectProviderArn");
        checkArn(arn);
        List<String> thumbprints = thumbprints(input.listOrEmpty("ThumbprintList"));
        return PreparedCall.of(List.of(onProvider("iam:UpdateOpenIDConnectProviderThumbprint", arn, null)), () -> {
            synchronized (iam) {
                iam.putOidcProvider(existing(call, arn).withThumbprints(thumbprints));
                return null;
            }
        });
    }

    PreparedCall tagOpenIDConnectProvider(Call call, Input input) {
        String arn = input.string("OpenIDConnectProviderArn");
        checkArn(arn);
        Map<String, String> tags = IamSupport.tags(input);
        return PreparedCall.of(List.of(onProvider("iam:TagOpenIDConnectProvider", arn,
                IamSupport.requestTags(RequestContext.builder(), tags))), () -> {
            synchronized (iam) {
                OidcProvider provider = existing(call, arn);
                iam.putOidcProvider(provider.withTags(IamSupport.mergeTags(provider.tags(), tags)));
                return null;
            }
        });
    }

    PreparedCall untagOpenIDConnectProvider(Call call, Input input) {
        String arn = input.string("OpenIDConnectProviderArn");
        checkArn(arn);
        List<String> keys = input.listOrEmpty("TagKeys");
        return PreparedCall.of(List.of(onProvider("iam:UntagOpenIDConnectProvider", arn,
                RequestContext.builder().multi("aws:TagKeys", keys))), () -> {
            synchronized (iam) {
                OidcProvider provider = existing(call, arn);
                Map<String, String> remaining = new LinkedHashMap<>(provider.tags());
                remaining.keySet().removeIf(k -> keys.stream().anyMatch(k::equalsIgnoreCase));
                iam.putOidcProvider(provider.withTags(remaining));
                return null;
            }
        });
    }

    PreparedCall listOpenIDConnectProviderTags(Call call, Input input) {
        String arn = input.string("OpenIDConnectProviderArn");
        checkArn(arn);
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(onProvider("iam:ListOpenIDConnectProviderTags", arn, null)), () -> {
            OidcProvider provider = existing(call, arn);
            IamSupport.Page<Map.Entry<String, String>> p = IamSupport.page(new ArrayList<>(provider.tags().entrySet()),
                    page);
            return p.into(Shape.of().put("Tags", IamSupport.shapes(p.items(),
                    e -> Shape.of().put("Key", e.getKey()).put("Value", e.getValue()))));
        });
    }
}
