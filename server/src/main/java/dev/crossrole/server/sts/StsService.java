package dev.crossrole.server.sts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.ContextValue;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.iam.AccessKeys;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamSupport;
import dev.crossrole.server.iam.IamUser;
import dev.crossrole.server.iam.MfaCodes;
import dev.crossrole.server.iam.Role;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.InputValidation;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.requestlog.RecordedRequest;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.Caller;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.ServiceProvider;
import dev.crossrole.server.service.SessionClaims;
import dev.crossrole.server.sts.SessionTokens;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.zip.Deflater;

/**
 * STS (Query, version 2011-06-15) on the model-driven layer: the model reads and checks every input; what is left
 * here is STS's own rules (role ARNs, tags, session chains, packed policy size) and the sessions it issues.
 */
public final class StsService implements ServiceProvider {
    public static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

    static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role(/(?:[\\x21-\\x7E]*/)?)([\\w+=,.@-]{1,64})");
    /** At most this many managed session policies (STS API Reference, AssumeRole: PolicyArns). */
    static final int MANAGED_SESSION_POLICIES = 10;
    /** AWS does not publish the packed-size budget; this one makes a maximal session policy land near 100%. */
    static final int PACKED_BUDGET_BYTES = 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IamDirectory iam;
    private final SessionTokens tokens;
    private final Clock clock;
    private final Function<String, Optional<RecordedRequest>> requestLookup;
    private final WebIdentityTokens webIdentityTokens;
    private final MfaCodes mfaCodes;
    /** Runs the use of an MFA code as a durable store write (the code must not be accepted twice, on any node). */
    private final Function<java.util.function.Supplier<MfaCodes.Outcome>, MfaCodes.Outcome> durably;
    private final SamlAssertions samlAssertions;

    /** AWS's AccessDenied when the serial number names no MFA device enabled for the calling user. */
    static final String MFA_NOT_ASSOCIATED = "MultiFactorAuthentication failed, unable to validate MFA code.  Please"
            + " verify your MFA serial number is valid and associated with this user.";
    /** AWS's AccessDenied for a wrong, stale or reused code (with its trailing space). */
    static final String MFA_INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. ";

    /** An STS whose uses of MFA codes are kept in memory only (tests without a store). */
    public StsService(IamDirectory iam, SessionTokens tokens, Clock clock,
                      Function<String, Optional<RecordedRequest>> requestLookup, OidcIssuer issuer) {
        this(iam, tokens, clock, requestLookup, issuer, java.util.function.Supplier::get);
    }

    /**
     * @param durably runs its work as one durable store write and returns its result: how STS records that an MFA
     *     code was used before it answers
     */
    public StsService(IamDirectory iam, SessionTokens tokens, Clock clock,
                      Function<String, Optional<RecordedRequest>> requestLookup, OidcIssuer issuer,
                      Function<java.util.function.Supplier<MfaCodes.Outcome>, MfaCodes.Outcome> durably) {
        this.iam = iam;
        this.tokens = tokens;
        this.clock = clock;
        this.requestLookup = requestLookup;
        this.webIdentityTokens = new WebIdentityTokens(iam, issuer);
        this.samlAssertions = new SamlAssertions(iam);
        this.mfaCodes = new MfaCodes(iam);
        this.durably = durably;
    }

    /**
     * Checks the MFA a call names ({@code SerialNumber} and {@code TokenCode}) and uses its code up: the device must be
     * a virtual MFA device enabled for the calling IAM user (neither the root nor a role session has one here), and
     * the code current and not used before. Returns when the code was checked, in epoch seconds, or 0 when the call
     * names no MFA; anything else is AWS's AccessDenied, before any policy is asked.
     */
    long verifyMfa(Caller caller, String serial, String tokenCode) {
        if (serial == null && tokenCode == null) {
            return 0;
        }
        if (serial == null) {
            throw AwsException.accessDenied(MFA_NOT_ASSOCIATED);
        }
        if (tokenCode == null) {
            throw AwsException.accessDenied(MFA_INVALID_CODE);
        }
        Principal principal = caller.principal();
        String userId = principal instanceof Principal.IamUser ? principal.userId() : null;
        Instant now = clock.instant();
        MfaCodes.Outcome outcome = userId == null ? MfaCodes.Outcome.NOT_ASSOCIATED
                : durably.apply(() -> mfaCodes.consume(caller.account(), userId, serial, tokenCode, now));
        return switch (outcome) {
            case ACCEPTED -> now.getEpochSecond();
            case NOT_ASSOCIATED -> throw AwsException.accessDenied(MFA_NOT_ASSOCIATED);
            case INVALID_CODE -> throw AwsException.accessDenied(MFA_INVALID_CODE);
        };
    }

    /** When the calling session was authenticated with MFA, in epoch seconds; 0 if it was not, or is no session. */
    static long mfaOfSession(SessionClaims session) {
        if (session == null || !session.mfa()) {
            return 0;
        }
        // Tokens sealed before the time was kept: their MFA was checked when they were issued.
        return session.mfaAuthenticatedAt() > 0 ? session.mfaAuthenticatedAt() : session.issuedAt();
    }

    @Override
    public String modelId() {
        return "sts";
    }

    @Override
    public void register(OperationTable operations) {
        operations
                .on("AssumeRole", this::assumeRole,
                        Authorization.of("sts:AssumeRole").on("role", "RoleArn").keys("sts:RoleSessionName",
                                "sts:ExternalId", "sts:SourceIdentity", "sts:TransitiveTagKeys",
                                "aws:RequestTag/${TagKey}", "aws:TagKeys", "aws:ResourceTag/${TagKey}",
                                "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge"),
                        Authorization.of("sts:TagSession").on("role", "RoleArn").keys("aws:RequestTag/${TagKey}",
                                "aws:TagKeys", "sts:TransitiveTagKeys"),
                        Authorization.of("sts:SetSourceIdentity").on("role", "RoleArn").keys("sts:SourceIdentity"))
                // The token's claims are keys too: <provider url>:sub, :aud, :oaud, :amr, and the claims the reference
                // lists for GitHub and GitLab; those below are the ones it names for every issuer.
                .on("AssumeRoleWithWebIdentity", this::assumeRoleWithWebIdentity,
                        Authorization.of("sts:AssumeRoleWithWebIdentity").on("role", "RoleArn").keys(
                                "sts:RoleSessionName", "aws:FederatedProvider", "accounts.google.com:aud",
                                "accounts.google.com:oaud", "accounts.google.com:sub", "cognito-identity.amazonaws.com:amr",
                                "cognito-identity.amazonaws.com:aud", "cognito-identity.amazonaws.com:sub",
                                "token.actions.githubusercontent.com:repository", "token.actions.githubusercontent.com:ref",
                                "token.actions.githubusercontent.com:environment", "gitlab.com:project_id",
                                "aws:RequestTag/${TagKey}", "aws:TagKeys", "sts:TransitiveTagKeys", "sts:SourceIdentity"),
                        Authorization.of("sts:TagSession").on("role", "RoleArn").keys("aws:RequestTag/${TagKey}",
                                "aws:TagKeys", "sts:TransitiveTagKeys"),
                        Authorization.of("sts:SetSourceIdentity").on("role", "RoleArn").keys("sts:SourceIdentity"))
                // The response's attributes are keys too (saml:edupersonaffiliation, saml:mail, ...) when it has them.
                .on("AssumeRoleWithSAML", this::assumeRoleWithSAML,
                        Authorization.of("sts:AssumeRoleWithSAML").on("role", "RoleArn").keys("sts:RoleSessionName",
                                "aws:FederatedProvider", "saml:aud", "saml:iss", "saml:sub", "saml:sub_type",
                                "saml:namequalifier", "saml:doc", "sts:SourceIdentity", "sts:TransitiveTagKeys",
                                "aws:RequestTag/${TagKey}", "aws:TagKeys", "aws:ResourceTag/${TagKey}"),
                        Authorization.of("sts:TagSession").on("role", "RoleArn").keys("aws:RequestTag/${TagKey}",
                                "aws:TagKeys", "sts:TransitiveTagKeys", "saml:aud"),
                        Authorization.of("sts:SetSourceIdentity").on("role", "RoleArn").keys("sts:SourceIdentity"))
                .on("GetCallerIdentity", this::getCallerIdentity, Authorization.of("sts:GetCallerIdentity"))
                .on("GetSessionToken", this::getSessionToken)
                .on("GetFederationToken", this::getFederationToken,
                        Authorization.of("sts:GetFederationToken").on("federated-user", "Name")
                                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys"))
                .on("GetAccessKeyInfo", this::getAccessKeyInfo, Authorization.of("sts:GetAccessKeyInfo"))
                .on("DecodeAuthorizationMessage", this::decodeAuthorizationMessage,
                        Authorization.of("sts:DecodeAuthorizationMessage"));
    }

    private PreparedCall getCallerIdentity(Call call, Input input) {
        return PreparedCall.of(List.of(AccessCheck.of("sts:GetCallerIdentity", "*")), () -> callerIdentity(call.caller()));
    }

    // ---- GetCallerIdentity ------------------------------------------------------------------

    static Shape callerIdentity(Caller caller) {
        Principal p = caller.principal();
        return Shape.of().put("UserId", p.userId()).put("Account", p.accountId()).put("Arn", p.displayName());
    }

    // ---- AssumeRole -------------------------------------------------------------------------

    /**
     * Whether {@code text} has the shape of an ARN: {@code arn:partition:service:region:account:resource}
     * with partition, service and resource present. STS refuses other role ARNs as
     * "{@code <arn> is invalid}" (AWS's answers as recorded in localstack/localstack's STS tests); a well-shaped ARN that names no role is
     * denied like a missing role.
     */
    static boolean arnSyntax(String text) {
        String[] parts = text.split(":", 6);
        return parts.length == 6 && parts[0].equals("arn") && !parts[1].isEmpty() && !parts[2].isEmpty()
                && !parts[5].isEmpty();
    }

    /** The validated input of AssumeRole. */
    record AssumeRoleInput(String roleArn, String roleAccount, String rolePath, String roleName, String sessionName,
                           Integer durationSeconds, String externalId, String policy, List<String> policyArns,
                           Map<String, String> tags, List<String> transitiveTagKeys, String sourceIdentity,
                           String serialNumber, String tokenCode) {}

    private PreparedCall assumeRole(Call call, Input params) {
        String roleArn = params.string("RoleArn");
        String sessionName = params.string("RoleSessionName");
        Integer duration = params.integer("DurationSeconds");
        String externalId = params.string("ExternalId");
        String policy = params.string("Policy");
        List<String> policyArns = sessionPolicyArns(params);
        Map<String, String> tags = new LinkedHashMap<>();
        Set<String> lowerKeys = new java.util.HashSet<>();
        boolean duplicateTag = false;
        for (Input tag : params.<Input>listOrEmpty("Tags")) {
            String key = tag.string("Key");
            duplicateTag |= !lowerKeys.add(key.toLowerCase(Locale.ROOT));
            tags.put(key, tag.string("Value"));
        }
        List<String> transitive = params.listOrEmpty("TransitiveTagKeys");
        String sourceIdentity = params.string("SourceIdentity");
        String serial = params.string("SerialNumber");
        String tokenCode = params.string("TokenCode");
        if (!params.listOrEmpty("ProvidedContexts").isEmpty()) {
            // Trusted identity propagation: the assertions are IAM Identity Center's, signed by it. Refused rather than
            // ignored, so that a session never silently lacks the identity context its caller asked for.
            throw AwsException.invalidParameterValue("crossrole cannot verify ProvidedContexts: their context assertions"
                    + " are signed by IAM Identity Center (arn:aws:iam::aws:contextProvider/IdentityCenter), which"
                    + " crossrole does not emulate.");
        }

        if (!arnSyntax(roleArn)) {
            throw AwsException.validation(roleArn + " is invalid");
        }
        java.util.regex.Matcher arn = ROLE_ARN.matcher(roleArn);
        if (!arn.matches()) {
            // STS answers a RoleArn that cannot name a role exactly as it answers a role that does not exist.
            throw AwsException.accessDenied("User: " + call.caller().arn() + " is not authorized to perform:"
                    + " sts:AssumeRole on resource: " + roleArn);
        }
        if (sourceIdentity != null && sourceIdentity.toLowerCase(Locale.ROOT).startsWith("aws:")) {
            throw AwsException.validation("SourceIdentity must not start with 'aws:'.");
        }
        if (duplicateTag) {
            throw AwsException.invalidParameterValue("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
        }
        for (String key : transitive) {
            if (tags.keySet().stream().noneMatch(k -> k.equalsIgnoreCase(key))) {
                throw AwsException.invalidParameterValue(
                        "The specified transitive tag key must be included in the requested tags.");
            }
        }
        Caller caller = call.caller();
        if (caller.isRoot()) {
            throw AwsException.accessDenied("Roles may not be assumed by root accounts.");
        }
        SessionClaims callerSession = caller.session();
        if (callerSession != null && callerSession.isRoleSession()) {
            for (String key : tags.keySet()) {
                if (callerSession.transitiveTagKeys().stream().anyMatch(k -> k.equalsIgnoreCase(key))) {
                    throw AwsException.invalidParameterValue("One of the specified transitive tag keys can't be set"
                            + " because it conflicts with a transitive tag key from the calling session.");
                }
            }
        }
        if (policy != null) {
            IamSupport.parse(policy, PolicyKind.SESSION, "session policy");
        }
        checkSessionPolicyArns(policyArns);
        // The code is checked (and used up) before the trust policy is asked: aws:MultiFactorAuthPresent depends on it.
        long mfaAt = verifyMfa(caller, serial, tokenCode);

        AssumeRoleInput input = new AssumeRoleInput(roleArn, arn.group(1), arn.group(2), arn.group(3), sessionName,
                duration, externalId, policy, policyArns, tags, transitive, sourceIdentity, serial, tokenCode);
        Optional<Role> role = iam.role(input.roleAccount(), input.roleName())
                .filter(r -> r.arn().equals(roleArn));
        return PreparedCall.of(assumeRoleChecks(input, role.orElse(null), callerSession, mfaAt > 0),
                () -> issueRoleSession(caller, input, role.orElseThrow(), mfaAt));
    }

    private static List<AccessCheck> assumeRoleChecks(AssumeRoleInput in, Role role, SessionClaims callerSession,
                                                      boolean mfaVerified) {
        RequestContext.Builder context = RequestContext.builder();
        context.single("sts:RoleSessionName", in.sessionName());
        if (in.externalId() != null) {
            context.single("sts:ExternalId", in.externalId());
        }
        if (in.sourceIdentity() != null) {
            context.single("sts:SourceIdentity", in.sourceIdentity());
        }
        IamSupport.requestTags(context, in.tags());
        if (!in.transitiveTagKeys().isEmpty()) {
            context.multi("sts:TransitiveTagKeys", in.transitiveTagKeys());
        }
        if (mfaVerified) {
            // Verified in this call; without a code of its own, the calling session's MFA keys apply (Authorizer).
            context.single("aws:MultiFactorAuthPresent", "true");
            context.single("aws:MultiFactorAuthAge", "0");
        }
        Map<String, String> resourceTags = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (role != null) {
            resourceTags.putAll(role.tags());
        }
        // An inherited transitive tag replaces the target role's tag of the same key.
        if (callerSession != null) {
            for (String key : callerSession.transitiveTagKeys()) {
                String value = callerSession.tags().get(key);
                if (value != null) {
                    resourceTags.put(key, value);
                }
            }
        }
        resourceTags.forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        RequestContext ctx = context.build();
        dev.crossrole.policy.Policy trust = role == null ? null : role.trustPolicy();
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(new AccessCheck("sts:AssumeRole", in.roleArn(), in.roleAccount(), trust, ctx));
        if (!in.tags().isEmpty() || !in.transitiveTagKeys().isEmpty()) {
            checks.add(new AccessCheck("sts:TagSession", in.roleArn(), in.roleAccount(), trust, ctx));
        }
        if (in.sourceIdentity() != null) {
            checks.add(new AccessCheck("sts:SetSourceIdentity", in.roleArn(), in.roleAccount(), trust, ctx));
        }
        return checks;
    }

    private Shape issueRoleSession(Caller caller, AssumeRoleInput in, Role role, long mfaAt) {
        SessionClaims callerSession = caller.session();
        boolean chaining = callerSession != null && callerSession.isRoleSession();
        int duration = in.durationSeconds() == null ? 3600 : in.durationSeconds();
        if (chaining && duration > 3600) {
            throw AwsException.validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed"
                    + " by role chaining.");
        }
        if (duration > role.maxSessionDuration()) {
            throw AwsException.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }
        String sourceIdentity = in.sourceIdentity();
        if (callerSession != null && callerSession.sourceIdentity() != null) {
            if (sourceIdentity != null && !sourceIdentity.equals(callerSession.sourceIdentity())) {
                throw AwsException.accessDenied("User: " + caller.arn() + " is not authorized to perform:"
                        + " sts:SetSourceIdentity on resource: " + in.roleArn()
                        + " because the source identity of a session cannot be changed");
            }
            sourceIdentity = callerSession.sourceIdentity();
        }
        Map<String, String> sessionTags = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sessionTags.putAll(role.tags());
        sessionTags.putAll(in.tags());
        List<String> transitiveKeys = new ArrayList<>(in.transitiveTagKeys());
        if (callerSession != null) {
            for (String key : callerSession.transitiveTagKeys()) {
                String value = callerSession.tags().get(key);
                if (value != null) {
                    sessionTags.put(key, value);
                    transitiveKeys.add(key);
                }
            }
        }
        // A session created by an MFA-authenticated session is MFA-authenticated too, since that earlier time.
        long mfaAuthenticatedAt = mfaAt > 0 ? mfaAt : mfaOfSession(callerSession);
        TemporaryCredentials credentials = issue(role, in.sessionName(), duration, in.policy(), in.policyArns(),
                new LinkedHashMap<>(sessionTags), transitiveKeys, sourceIdentity, chaining, mfaAuthenticatedAt);
        Shape result = Shape.of()
                .put("Credentials", credentialsShape(credentials))
                .put("AssumedRoleUser", Shape.of()
                        .put("AssumedRoleId", role.roleId() + ":" + in.sessionName())
                        .put("Arn", sessionArn(role, in.sessionName())));
        if (in.policy() != null || !in.policyArns().isEmpty() || !in.tags().isEmpty()) {
            int packed = packedPolicySize(in);
            if (packed > 100) {
                throw new AwsException("PackedPolicyTooLarge", 400, "Packed policy consumes " + packed
                        + "% of allotted space, please use smaller policy for the session.");
            }
            result.put("PackedPolicySize", packed);
        }
        result.put("SourceIdentity", sourceIdentity);
        return result;
    }

    static String sessionArn(Role role, String sessionName) {
        return "arn:aws:sts::" + role.account() + ":assumed-role/" + role.name() + "/" + sessionName;
    }

    /**
     * Issues credentials for a session of the role. Used by AssumeRole and, through
     * a facade, by services that act with a role (ECS task roles).
     */
    TemporaryCredentials issue(Role role, String sessionName, int durationSeconds, String sessionPolicy,
                               List<String> sessionPolicyArns, Map<String, String> tags, List<String> transitiveTagKeys,
                               String sourceIdentity, boolean chained, long mfaAuthenticatedAt) {
        Instant now = clock.instant();
        Instant expiration = now.plusSeconds(durationSeconds);
        String accessKeyId = AccessKeys.temporary(role.account(), iam.ids().random());
        String secret = AccessKeys.secret(iam.ids().random());
        SessionClaims claims = new SessionClaims(SessionClaims.ROLE, accessKeyId, secret, role.account(), role.name(),
                role.path(), role.roleId(), sessionName, null, null, sessionPolicy, sessionPolicyArns, tags,
                transitiveTagKeys, sourceIdentity, chained, mfaAuthenticatedAt > 0, now.getEpochSecond(),
                expiration.getEpochSecond(), mfaAuthenticatedAt);
        return new TemporaryCredentials(accessKeyId, secret, tokens.seal(claims), expiration);
    }

    static Shape credentialsShape(TemporaryCredentials credentials) {
        return Shape.of()
                .put("AccessKeyId", credentials.accessKeyId())
                .put("SecretAccessKey", credentials.secretAccessKey())
                .put("SessionToken", credentials.sessionToken())
                .put("Expiration", credentials.expiration());
    }

    /** The share of STS's packed budget the session policies and tags use, in percent (rounded up). */
    static int packedPolicySize(AssumeRoleInput in) {
        StringBuilder packed = new StringBuilder();
        if (in.policy() != null) {
            packed.append(in.policy().replaceAll("\\s+", ""));
        }
        in.policyArns().forEach(packed::append);
        in.tags().forEach((k, v) -> packed.append(k).append('=').append(v).append(';'));
        byte[] input = packed.toString().getBytes(StandardCharsets.UTF_8);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(input);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[512];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return Math.max(1, (out.size() * 100 + PACKED_BUDGET_BYTES - 1) / PACKED_BUDGET_BYTES);
    }

    // ---- AssumeRoleWithWebIdentity -----------------------------------------------------------

    /** STS's AccessDenied for a token the role's trust policy does not let in: it names neither side. */
    static final String WEB_IDENTITY_DENIED = "Not authorized to perform sts:AssumeRoleWithWebIdentity";

    /**
     * A role session for the holder of an OpenID Connect ID token: the token is verified (issuer an IAM OIDC provider
     * of the role's account, signature, audience, lifetime) before anything else, then the role's trust policy must
     * let the provider's token holder in, with the token's claims as condition keys. The request needs no signature.
     */
    private PreparedCall assumeRoleWithWebIdentity(Call call, Input params) {
        String roleArn = params.string("RoleArn");
        String sessionName = params.string("RoleSessionName");
        String token = params.string("WebIdentityToken");
        Integer duration = params.integer("DurationSeconds");
        String policy = params.string("Policy");
        List<String> policyArns = sessionPolicyArns(params);
        if (params.string("ProviderId") != null) {
            throw WebIdentityTokens.invalid("crossrole verifies OpenID Connect ID tokens; ProviderId names an OAuth 2.0"
                    + " provider (www.amazon.com, graph.facebook.com), whose access tokens it cannot verify.");
        }
        if (!arnSyntax(roleArn)) {
            throw AwsException.validation(roleArn + " is invalid");
        }
        java.util.regex.Matcher arn = ROLE_ARN.matcher(roleArn);
        if (!arn.matches()) {
            throw AwsException.accessDenied(WEB_IDENTITY_DENIED);
        }
        if (policy != null) {
            IamSupport.parse(policy, PolicyKind.SESSION, "session policy");
        }
        checkSessionPolicyArns(policyArns);
        String roleAccount = arn.group(1);
        WebIdentityTokens.Verified verified = webIdentityTokens.verify(token, roleAccount, clock.instant());
        Optional<Role> role = iam.role(roleAccount, arn.group(3)).filter(r -> r.arn().equals(roleArn));
        RequestContext.Builder context = RequestContext.builder();
        context.single("sts:RoleSessionName", sessionName);
        context.single("aws:FederatedProvider", verified.provider().arn());
        verified.conditionKeys().forEach((key, values) -> {
            // amr is a list even with one value (ForAnyValue:StringLike in Cognito's trust policies); sub, aud and the
            // provider's claims are single values unless the token has several audiences.
            if (values.size() == 1 && !key.endsWith(":amr")) {
                context.single(key, values.get(0));
            } else {
                context.multi(key, values);
            }
        });
        WebIdentityTokens.SessionClaims asked = verified.session();
        checkSessionTags(asked.tags(), asked.transitiveTagKeys(), asked.sourceIdentity());
        IamSupport.requestTags(context, asked.tags());
        if (!asked.transitiveTagKeys().isEmpty()) {
            context.multi("sts:TransitiveTagKeys", asked.transitiveTagKeys());
        }
        if (asked.sourceIdentity() != null) {
            context.single("sts:SourceIdentity", asked.sourceIdentity());
        }
        Principal.WebIdentity holder = new Principal.WebIdentity(verified.provider().arn(), verified.subject());
        dev.crossrole.policy.Policy trust = role.map(Role::trustPolicy).orElse(null);
        RequestContext keys = context.build();
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(new AccessCheck("sts:AssumeRoleWithWebIdentity", roleArn, roleAccount, trust, keys)
                .askedBy(holder, WEB_IDENTITY_DENIED));
        // Session tags and a source identity need their own permission in the trust policy, as for AssumeRole.
        if (!asked.tags().isEmpty() || !asked.transitiveTagKeys().isEmpty()) {
            checks.add(new AccessCheck("sts:TagSession", roleArn, roleAccount, trust, keys).askedBy(holder,
                    "Not authorized to perform sts:TagSession"));
        }
        if (asked.sourceIdentity() != null) {
            checks.add(new AccessCheck("sts:SetSourceIdentity", roleArn, roleAccount, trust, keys).askedBy(holder,
                    "Not authorized to perform sts:SetSourceIdentity"));
        }
        return PreparedCall.of(checks, () -> {
            Role assumed = role.orElseThrow();
            int seconds = duration == null ? 3600 : duration;
            if (seconds > assumed.maxSessionDuration()) {
                throw AwsException.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this"
                        + " role.");
            }
            Map<String, String> tags = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            tags.putAll(assumed.tags());
            tags.putAll(asked.tags());
            TemporaryCredentials credentials = issue(assumed, sessionName, seconds, policy, policyArns,
                    new LinkedHashMap<>(tags), asked.transitiveTagKeys(), asked.sourceIdentity(), false, 0);
            Shape result = Shape.of()
                    .put("Credentials", credentialsShape(credentials))
                    .put("SubjectFromWebIdentityToken", verified.subject())
                    .put("AssumedRoleUser", Shape.of()
                            .put("AssumedRoleId", assumed.roleId() + ":" + sessionName)
                            .put("Arn", sessionArn(assumed, sessionName)));
            if (policy != null || !policyArns.isEmpty()) {
                result.put("PackedPolicySize", packedPolicySize(new AssumeRoleInput(roleArn, roleAccount, arn.group(2),
                        arn.group(3), sessionName, duration, null, policy, policyArns, Map.of(), List.of(), null, null,
                        null)));
            }
            return result.put("Provider", verified.issuer()).put("Audience", verified.audience())
                    .put("SourceIdentity", asked.sourceIdentity());
        });
    }

    /** Tags and a source identity asked of a session by other means than AssumeRole's parameters (a token's claims). */
    private static void checkSessionTags(Map<String, String> tags, List<String> transitive, String sourceIdentity) {
        if (tags.size() > 50) {
            throw AwsException.invalidParameterValue("The number of session tags exceeds 50.");
        }
        Set<String> lowerKeys = new java.util.HashSet<>();
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            if (!lowerKeys.add(tag.getKey().toLowerCase(Locale.ROOT))) {
                throw AwsException.invalidParameterValue("Duplicate tag keys found. Please note that Tag keys are case"
                        + " insensitive.");
            }
            if (tag.getKey().isEmpty() || tag.getKey().length() > 128 || tag.getValue().length() > 256) {
                throw AwsException.invalidParameterValue("Session tag keys are 1 to 128 characters and values at most 256.");
            }
        }
        for (String key : transitive) {
            if (tags.keySet().stream().noneMatch(k -> k.equalsIgnoreCase(key))) {
                throw AwsException.invalidParameterValue(
                        "The specified transitive tag key must be included in the requested tags.");
            }
        }
        if (sourceIdentity != null && (sourceIdentity.length() < 2 || sourceIdentity.length() > 64
                || sourceIdentity.toLowerCase(Locale.ROOT).startsWith("aws:"))) {
            throw AwsException.validation("The source identity must be 2 to 64 characters and not start with 'aws:'.");
        }
    }

    // ---- AssumeRoleWithSAML -------------------------------------------------------------------

    /**
     * A role session for a user a SAML identity provider vouches for: the response is verified (provider of the
     * role's account, signature, issuer, audience, lifetime, the {@code Role} attribute naming this role with this
     * provider) before anything else, then the role's trust policy must let the provider's user in, with the
     * response's {@code saml:} keys as condition keys; session tags ({@code PrincipalTag:}) need {@code
     * sts:TagSession} and a source identity {@code sts:SetSourceIdentity} from the same trust policy. The request
     * needs no signature.
     */
    private PreparedCall assumeRoleWithSAML(Call call, Input params) {
        String roleArn = params.string("RoleArn");
        String providerArn = params.string("PrincipalArn");
        String assertion = params.string("SAMLAssertion");
        Integer duration = params.integer("DurationSeconds");
        String policy = params.string("Policy");
        List<String> policyArns = sessionPolicyArns(params);
        if (!arnSyntax(roleArn)) {
            throw AwsException.validation(roleArn + " is invalid");
        }
        if (!arnSyntax(providerArn)) {
            throw AwsException.validation(providerArn + " is invalid");
        }
        java.util.regex.Matcher arn = ROLE_ARN.matcher(roleArn);
        if (!arn.matches()) {
            throw AwsException.accessDenied(SamlAssertions.ASSUME_DENIED);
        }
        if (policy != null) {
            IamSupport.parse(policy, PolicyKind.SESSION, "session policy");
        }
        checkSessionPolicyArns(policyArns);
        String roleAccount = arn.group(1);
        SamlAssertions.Verified verified = samlAssertions.verify(assertion, roleArn, roleAccount, providerArn,
                clock.instant());
        Optional<Role> role = iam.role(roleAccount, arn.group(3)).filter(r -> r.arn().equals(roleArn));
        RequestContext.Builder context = RequestContext.builder();
        context.single("sts:RoleSessionName", verified.sessionName());
        context.single("aws:FederatedProvider", verified.provider().arn());
        verified.conditionKeys().forEach((key, values) -> {
            if (values.size() == 1 && SamlAssertions.ATTRIBUTE_KEYS.values().stream()
                    .noneMatch(k -> k.list() && k.name().equals(key))) {
                context.single(key, values.get(0));
            } else {
                context.multi(key, values);
            }
        });
        if (verified.sourceIdentity() != null) {
            context.single("sts:SourceIdentity", verified.sourceIdentity());
        }
        IamSupport.requestTags(context, verified.tags());
        if (!verified.transitiveTagKeys().isEmpty()) {
            context.multi("sts:TransitiveTagKeys", verified.transitiveTagKeys());
        }
        role.ifPresent(r -> r.tags().forEach((k, v) -> context.single("aws:ResourceTag/" + k, v)));
        RequestContext ctx = context.build();
        dev.crossrole.policy.Policy trust = role.map(Role::trustPolicy).orElse(null);
        Principal asker = new Principal.WebIdentity(verified.provider().arn(), verified.subject());
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(new AccessCheck("sts:AssumeRoleWithSAML", roleArn, roleAccount, trust, ctx)
                .askedBy(asker, SamlAssertions.ASSUME_DENIED));
        if (!verified.tags().isEmpty()) {
            checks.add(new AccessCheck("sts:TagSession", roleArn, roleAccount, trust, ctx)
                    .askedBy(asker, SamlAssertions.ASSUME_DENIED));
        }
        if (verified.sourceIdentity() != null) {
            checks.add(new AccessCheck("sts:SetSourceIdentity", roleArn, roleAccount, trust, ctx)
                    .askedBy(asker, SamlAssertions.ASSUME_DENIED));
        }
        return PreparedCall.of(checks, () -> {
            Role assumed = role.orElseThrow();
            int seconds = duration == null ? 3600 : duration;
            if (seconds > assumed.maxSessionDuration()) {
                throw AwsException.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this"
                        + " role.");
            }
            // SessionDuration and the IdP's session end may shorten the session, never lengthen it (IAM User Guide,
            // "Configure SAML assertions for the authentication response").
            if (verified.sessionDuration() != null) {
                seconds = Math.min(seconds, verified.sessionDuration());
            }
            if (verified.sessionNotOnOrAfter() != null) {
                long left = verified.sessionNotOnOrAfter().getEpochSecond() - clock.instant().getEpochSecond();
                if (left < 900) {
                    throw new AwsException("ExpiredTokenException", 400, "The identity provider's session"
                            + " (SessionNotOnOrAfter) ends in less than 15 minutes.");
                }
                seconds = (int) Math.min(seconds, left);
            }
            Map<String, String> tags = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            tags.putAll(assumed.tags());
            tags.putAll(verified.tags());
            String sessionName = verified.sessionName();
            TemporaryCredentials credentials = issue(assumed, sessionName, seconds, policy, policyArns,
                    new LinkedHashMap<>(tags), verified.transitiveTagKeys(), verified.sourceIdentity(), false, 0);
            Shape result = Shape.of()
                    .put("Credentials", credentialsShape(credentials))
                    .put("AssumedRoleUser", Shape.of()
                            .put("AssumedRoleId", assumed.roleId() + ":" + sessionName)
                            .put("Arn", sessionArn(assumed, sessionName)));
            if (policy != null || !policyArns.isEmpty() || !verified.tags().isEmpty()) {
                int packed = packedPolicySize(new AssumeRoleInput(roleArn, roleAccount, arn.group(2), arn.group(3),
                        sessionName, duration, null, policy, policyArns, verified.tags(), List.of(), null, null, null));
                if (packed > 100) {
                    throw new AwsException("PackedPolicyTooLarge", 400, "Packed policy consumes " + packed
                            + "% of allotted space, please use smaller policy for the session.");
                }
                result.put("PackedPolicySize", packed);
            }
            return result.put("Subject", verified.subject())
                    .put("SubjectType", verified.subjectType())
                    .put("Issuer", verified.issuer())
                    .put("Audience", verified.recipient())
                    .put("NameQualifier", verified.nameQualifier())
                    .put("SourceIdentity", verified.sourceIdentity());
        });
    }

    /** The managed session policies of a request ({@code PolicyArns.member.N.arn}), at most ten. */
    private static List<String> sessionPolicyArns(Input params) {
        List<String> policyArns = new ArrayList<>();
        for (Input descriptor : params.<Input>listOrEmpty("PolicyArns")) {
            if (descriptor.string("arn") != null) {
                policyArns.add(descriptor.string("arn"));
            }
        }
        if (policyArns.size() > MANAGED_SESSION_POLICIES) {
            // The model sets no bound on the list; STS allows ten and says so as a constraint of the member.
            throw AwsException.validation(InputValidation.message(List.of("Value '" + policyArns + "' at 'policyArns'"
                    + " failed to satisfy constraint: Member must have length less than or equal to "
                    + MANAGED_SESSION_POLICIES)));
        }
        return policyArns;
    }

    private void checkSessionPolicyArns(List<String> policyArns) {
        for (String policyArn : policyArns) {
            if (iam.policy(policyArn).isEmpty()) {
                throw new AwsException("MalformedPolicyDocument", 400, "Policy " + policyArn
                        + " does not exist or is not attachable.");
            }
        }
    }

    // ---- GetSessionToken --------------------------------------------------------------------

    private PreparedCall getSessionToken(Call call, Input params) {
        Integer duration = params.integer("DurationSeconds");
        String serial = params.string("SerialNumber");
        String tokenCode = params.string("TokenCode");
        Caller caller = call.caller();
        if (caller.temporary()) {
            throw AwsException.accessDenied("Cannot call GetSessionToken with session credentials");
        }
        long mfaAt = verifyMfa(caller, serial, tokenCode);
        // GetSessionToken needs no permission (STS API Reference, GetSessionToken).
        return PreparedCall.of(List.of(), () -> {
            int seconds = duration == null ? 43200 : duration;
            if (caller.isRoot()) {
                seconds = Math.min(seconds, 3600);
            }
            Instant now = clock.instant();
            Instant expiration = now.plusSeconds(seconds);
            String accessKeyId = AccessKeys.temporary(caller.account(), iam.ids().random());
            String secret = AccessKeys.secret(iam.ids().random());
            Principal p = caller.principal();
            String userName = p instanceof Principal.IamUser user ? user.name() : null;
            Map<String, String> tags = userName == null ? Map.of()
                    : iam.userById(p.userId()).map(IamUser::tags).orElse(Map.of());
            SessionClaims claims = new SessionClaims(SessionClaims.SESSION, accessKeyId, secret, caller.account(), null,
                    null, null, null, userName, p.userId(), null, List.of(), tags, List.of(), null, false, mfaAt > 0,
                    now.getEpochSecond(), expiration.getEpochSecond(), mfaAt);
            return Shape.of().put("Credentials", credentialsShape(
                    new TemporaryCredentials(accessKeyId, secret, tokens.seal(claims), expiration)));
        });
    }

    // ---- GetFederationToken -----------------------------------------------------------------

    /**
     * A federated-user session for an IAM user (or the root): it may do what the user may and its session policies
     * allow — nothing without a session policy, except where a resource policy names the federated user — and call no
     * IAM and no STS operation but GetCallerIdentity. Asked for with long-term keys only.
     */
    private PreparedCall getFederationToken(Call call, Input params) {
        String name = params.string("Name");
        Integer duration = params.integer("DurationSeconds");
        String policy = params.string("Policy");
        List<String> policyArns = sessionPolicyArns(params);
        Map<String, String> tags = new LinkedHashMap<>();
        Set<String> lowerKeys = new java.util.HashSet<>();
        for (Input tag : params.<Input>listOrEmpty("Tags")) {
            if (!lowerKeys.add(tag.string("Key").toLowerCase(Locale.ROOT))) {
                throw AwsException.invalidParameterValue("Duplicate tag keys found. Please note that Tag keys are case"
                        + " insensitive.");
            }
            tags.put(tag.string("Key"), tag.string("Value"));
        }
        Caller caller = call.caller();
        if (caller.temporary()) {
            throw AwsException.accessDenied("Cannot call GetFederationToken with session credentials");
        }
        if (policy != null) {
            IamSupport.parse(policy, PolicyKind.SESSION, "session policy");
        }
        checkSessionPolicyArns(policyArns);
        int seconds = duration == null ? 43200 : duration;
        if (caller.isRoot() && seconds > 3600) {
            // The root's federated sessions last at most an hour (STS API Reference, GetFederationToken).
            seconds = 3600;
        }
        String account = caller.account();
        String federatedArn = "arn:aws:sts::" + account + ":federated-user/" + name;
        RequestContext.Builder context = RequestContext.builder();
        IamSupport.requestTags(context, tags);
        int lifetime = seconds;
        return PreparedCall.of(List.of(new AccessCheck("sts:GetFederationToken", federatedArn, account, null,
                context.build())), () -> {
            Instant now = clock.instant();
            Instant expiration = now.plusSeconds(lifetime);
            String accessKeyId = AccessKeys.temporary(account, iam.ids().random());
            String secret = AccessKeys.secret(iam.ids().random());
            Principal p = caller.principal();
            String userName = p instanceof Principal.IamUser user ? user.name() : null;
            SessionClaims claims = new SessionClaims(SessionClaims.FEDERATED, accessKeyId, secret, account, null, null,
                    null, name, userName, p.userId(), policy, policyArns, tags, List.of(), null, false, false,
                    now.getEpochSecond(), expiration.getEpochSecond(), 0);
            Shape result = Shape.of()
                    .put("Credentials", credentialsShape(new TemporaryCredentials(accessKeyId, secret,
                            tokens.seal(claims), expiration)))
                    .put("FederatedUser", Shape.of().put("FederatedUserId", account + ":" + name)
                            .put("Arn", federatedArn));
            if (policy != null || !policyArns.isEmpty() || !tags.isEmpty()) {
                int packed = packedPolicySize(new AssumeRoleInput(federatedArn, account, "/", name, name, lifetime, null,
                        policy, policyArns, tags, List.of(), null, null, null));
                if (packed > 100) {
                    throw new AwsException("PackedPolicyTooLarge", 400, "Packed policy consumes " + packed
                            + "% of allotted space, please use smaller policy for the session.");
                }
                result.put("PackedPolicySize", packed);
            }
            return result;
        });
    }

    // ---- GetAccessKeyInfo -------------------------------------------------------------------

    private PreparedCall getAccessKeyInfo(Call call, Input params) {
        String key = params.string("AccessKeyId");
        return PreparedCall.of(List.of(AccessCheck.of("sts:GetAccessKeyInfo", "*")), () -> {
            String account = AccessKeys.account(key);
            if (account == null) {
                account = iam.accessKey(key).map(k -> k.account()).orElse(null);
            }
            if (account == null) {
                throw AwsException.validation("The access key ID " + key + " is not in a format that identifies an account.");
            }
            return Shape.of().put("Account", account);
        });
    }

    // ---- DecodeAuthorizationMessage ---------------------------------------------------------

    /**
     * crossrole's AccessDenied messages are not encoded, but every denied request has a request id;
     * decoding a request id returns that denial in the shape AWS uses for decoded messages. As on AWS, a
     * message decodes only for the account whose principal was denied: another account's denial (its
     * policies, statements and resources) is answered as if the id were unknown.
     */
    private PreparedCall decodeAuthorizationMessage(Call call, Input params) {
        String message = params.string("EncodedMessage");
        return PreparedCall.of(List.of(AccessCheck.of("sts:DecodeAuthorizationMessage", "*")), () -> {
            String account = call.caller().principal().accountId();
            RecordedRequest recorded = requestLookup.apply(message.trim())
                    .filter(r -> r.decision() != null && !r.decision().allowed())
                    .filter(r -> account != null && account.equals(accountOf(r.caller())))
                    .orElseThrow(() -> new AwsException("InvalidAuthorizationMessageException", 400,
                            "The message is not a crossrole request id of a denied request."));
            ObjectNode decoded = JSON.createObjectNode();
            decoded.put("allowed", false);
            decoded.put("explicitDeny", recorded.decision().outcome() == dev.crossrole.policy.Outcome.EXPLICIT_DENY);
            var matched = decoded.putObject("matchedStatements").putArray("items");
            recorded.decision().explanation().matchedStatements().forEach(s -> {
                ObjectNode item = matched.addObject();
                item.put("statementId", s.sid() == null ? "" : s.sid());
                item.put("effect", s.effect().toUpperCase(Locale.ROOT));
                item.put("policy", s.policy());
            });
            decoded.putObject("failures").putArray("items");
            ObjectNode context = decoded.putObject("context");
            context.putObject("principal").put("arn", recorded.caller());
            context.put("action", recorded.action());
            context.put("resource", recorded.resource());
            decoded.set("explanation", recorded.decision().explanation().toJson());
            return Shape.of().put("DecodedMessage", decoded.toString());
        });
    }

    /** The account field of a caller's ARN ({@code arn:aws:sts::111122223333:assumed-role/...}); {@code null} for others. */
    static String accountOf(String callerArn) {
        if (callerArn == null) {
            return null;
        }
        String[] parts = callerArn.split(":", 6);
        return parts.length == 6 && parts[0].equals("arn") && parts[4].matches("\\d{12}") ? parts[4] : null;
    }

    /** Context keys given as single values, for tests. */
    static ContextValue single(String value) {
        return ContextValue.single(value);
    }
}
