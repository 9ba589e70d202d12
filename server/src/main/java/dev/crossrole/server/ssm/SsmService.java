package dev.crossrole.server.ssm;

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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * AWS Systems Manager Parameter Store on the model-driven layer ({@code ssm/2014-11-06}): {@code String},
 * {@code StringList} and {@code SecureString} parameters in hierarchies, their versions and labels, and tags. A
 * {@code SecureString} is encrypted under its KMS key (the account's {@code aws/ssm} key when none is named), and
 * writing or decrypting it asks KMS as the caller through SSM ({@code kms:ViaService}). Parameters have no resource
 * policies: AWS shares them with other accounts only through AWS RAM (advanced tier), which crossrole does not have, so
 * another account's parameter is denied on its side.
 */
public final class SsmService implements ServiceProvider {
    private static final String SERVICE = "ssm";
    /** SSM's rule for names (its ValidationException's wording). */
    private static final String NAME_RULE = "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive)."
            + " If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a"
            + " mix of letters, numbers and the following 3 symbols .-_";
    private static final Pattern NAME = Pattern.compile("/?[a-zA-Z0-9_.\\-]+(/[a-zA-Z0-9_.\\-]+)*");
    private static final int MAX_DEPTH = 15;

    private final ParameterDirectory parameters;
    private final KmsKeys keys;

    public SsmService(ParameterDirectory parameters, KmsKeys keys) {
        this.parameters = parameters;
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
        String[] via = {"kms:CallerAccount", "kms:ViaService", "kms:EncryptionContext:${EncryptionContextKey}",
            "kms:EncryptionContextKeys", "kms:EncryptionAlgorithm"};
        ops.on("PutParameter", this::putParameter, Authorization.of("ssm:PutParameter").on("parameter", "Name")
                .keys("ssm:Overwrite", "aws:RequestTag/${TagKey}", "aws:TagKeys"),
                Authorization.of("kms:Encrypt").on("key", "KeyId").keys(via));
        ops.on("GetParameter", this::getParameter, Authorization.of("ssm:GetParameter").on("parameter", "Name")
                .keys("aws:ResourceTag/${TagKey}"), Authorization.of("kms:Decrypt").on("key").keys(via));
        ops.on("GetParameters", this::getParameters, Authorization.of("ssm:GetParameters").on("parameter", "Names")
                .keys("aws:ResourceTag/${TagKey}"), Authorization.of("kms:Decrypt").on("key").keys(via));
        ops.on("GetParametersByPath", this::getParametersByPath, Authorization.of("ssm:GetParametersByPath")
                .on("parameter", "Path").keys("ssm:Recursive"), Authorization.of("kms:Decrypt").on("key").keys(via));
        ops.on("GetParameterHistory", this::getParameterHistory, Authorization.of("ssm:GetParameterHistory")
                .on("parameter", "Name").keys("aws:ResourceTag/${TagKey}"),
                Authorization.of("kms:Decrypt").on("key").keys(via));
        ops.on("DeleteParameter", this::deleteParameter, Authorization.of("ssm:DeleteParameter").on("parameter", "Name")
                .keys("aws:ResourceTag/${TagKey}"));
        ops.on("DeleteParameters", this::deleteParameters, Authorization.of("ssm:DeleteParameters")
                .on("parameter", "Names").keys("aws:ResourceTag/${TagKey}"));
        ops.on("DescribeParameters", this::describeParameters, Authorization.of("ssm:DescribeParameters"));
        ops.on("LabelParameterVersion", this::labelParameterVersion, Authorization.of("ssm:LabelParameterVersion")
                .on("parameter", "Name").keys("aws:ResourceTag/${TagKey}"));
        ops.on("UnlabelParameterVersion", this::unlabelParameterVersion, Authorization.of("ssm:UnlabelParameterVersion")
                .on("parameter", "Name").keys("aws:ResourceTag/${TagKey}"));
        ops.on("AddTagsToResource", this::addTags, Authorization.of("ssm:AddTagsToResource").on("parameter", "ResourceId")
                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys", "aws:ResourceTag/${TagKey}"));
        ops.on("RemoveTagsFromResource", this::removeTags, Authorization.of("ssm:RemoveTagsFromResource")
                .on("parameter", "ResourceId").keys("aws:TagKeys", "aws:ResourceTag/${TagKey}"));
        ops.on("ListTagsForResource", this::listTags, Authorization.of("ssm:ListTagsForResource")
                .on("parameter", "ResourceId").keys("aws:ResourceTag/${TagKey}"));
    }

    // ---- errors and names -----------------------------------------------------------------------------

    private static AwsException notFound() {
        return new AwsException("ParameterNotFound", 400, null);
    }

    /** SSM's answer for a version or label a parameter does not have. */
    private static AwsException versionNotFound(String what, Object which, String name) {
        return new AwsException("ParameterVersionNotFound", 400, "Systems Manager could not find " + what + " " + which
                + " of " + name + ". Verify the " + what + " and try again.");
    }

    private static AwsException validation(String message) {
        return new AwsException("ValidationException", 400, message);
    }

    private static String account(Call call) {
        return call.caller().account();
    }

    /** A parameter named by name (the caller's account and region) or ARN: its ARN. */
    private static String arnOf(Call call, String nameOrArn) {
        if (nameOrArn.startsWith("arn:")) {
            return nameOrArn;
        }
        return arn(account(call), call.region(), nameOrArn);
    }

    static String arn(String account, String region, String name) {
        return "arn:aws:ssm:" + region + ":" + account + ":parameter" + (name.startsWith("/") ? name : "/" + name);
    }

    /** The name of a parameter given by name or ARN, checked against SSM's rules. */
    private static String checkedName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String first = lower.startsWith("/") ? lower.substring(1) : lower;
        if (!NAME.matcher(name).matches() || first.startsWith("aws") || first.startsWith("ssm")) {
            throw validation(NAME_RULE);
        }
        if (name.split("/").length - (name.startsWith("/") ? 1 : 0) > MAX_DEPTH) {
            throw new AwsException("HierarchyLevelLimitExceededException", 400, "A hierarchy can have a maximum of 15"
                    + " levels. Parameter name: " + name);
        }
        return name;
    }

    private static RequestContext tagContext(Parameter parameter) {
        RequestContext.Builder context = RequestContext.builder();
        if (parameter != null) {
            parameter.tags().forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        }
        return context.build();
    }

    private static AccessCheck onParameter(String action, String arn, Parameter parameter) {
        return new AccessCheck("ssm:" + action, arn, null, null, tagContext(parameter));
    }

    private static Map<String, String> encryptionContext(String arn) {
        return Map.of("PARAMETER_ARN", arn);
    }

    /** SSM's answer when the caller may not decrypt a SecureString (what KMS tells SSM, passed through). */
    private static final String NO_DECRYPT = "The ciphertext refers to a customer master key that does not exist, does"
            + " not exist in this region, or you are not allowed to access.";

    private AccessCheck kmsCheck(String action, KmsKeys.KeyReference key, Call call, String arn) {
        return keys.viaService(action, key, account(call), SERVICE, call.region(), encryptionContext(arn),
                action.equals("kms:Decrypt") ? NO_DECRYPT : null);
    }

    // ---- writing ---------------------------------------------------------------------------------------

    private PreparedCall putParameter(Call call, Input input) {
        String name = input.string("Name");
        if (name.startsWith("arn:")) {
            String arn = name;
            name = arn.substring(arn.indexOf(":parameter") + ":parameter".length());
            if (!arn.equals(arn(account(call), call.region(), name))) {
                throw validation("Parameter ARN " + arn + " is not of this account and Region.");
            }
        }
        String parameterName = checkedName(name);
        String arn = arn(account(call), call.region(), parameterName);
        Parameter existing = parameters.byArn(arn).orElse(null);
        boolean overwrite = input.bool("Overwrite", false);
        String type = input.string("Type") != null ? input.string("Type")
                : existing != null ? existing.latest().type() : null;
        if (type == null) {
            throw validation("A parameter type is required when you create a parameter.");
        }
        String value = input.string("Value");
        // The account's default tier is Standard; Intelligent-Tiering takes Advanced only for a value that needs it.
        String tier = input.string("Tier") == null ? "Standard" : input.string("Tier").equals("Intelligent-Tiering")
                ? (value.length() > 4096 ? "Advanced" : "Standard") : input.string("Tier");
        if (tier.equals("Standard") && value.length() > 4096) {
            throw validation("Standard tier parameters support a maximum parameter value of 4096 characters. To create a"
                    + " larger parameter value, upgrade the parameter to use the advanced-parameter tier.");
        }
        String allowedPattern = input.string("AllowedPattern");
        if (allowedPattern != null) {
            try {
                if (!Pattern.compile(allowedPattern).matcher(value).matches()) {
                    throw new AwsException("ParameterPatternMismatchException", 400, "Parameter value, " + (type.equals(
                            "SecureString") ? "" : value + ", ") + "failed to satisfy constraint specified by allowed"
                            + " pattern: " + allowedPattern);
                }
            } catch (PatternSyntaxException e) {
                throw new AwsException("InvalidAllowedPatternException", 400, "The allowed pattern is not a valid regular"
                        + " expression: " + e.getDescription());
            }
        }
        String keyId = input.string("KeyId");
        if (keyId != null && !type.equals("SecureString")) {
            throw validation("KeyId is required for SecureString type parameter only.");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (Input tag : input.<Input>listOrEmpty("Tags")) {
            tags.put(tag.string("Key"), tag.string("Value"));
        }
        if (!tags.isEmpty() && overwrite) {
            throw validation("Invalid request: tags and overwrite can't be used together. To create a parameter with"
                    + " tags, please remove overwrite flag. To update tags for an existing parameter, please use"
                    + " AddTagsToResource or RemoveTagsFromResource.");
        }
        RequestContext.Builder context = RequestContext.builder().single("ssm:Overwrite", String.valueOf(overwrite));
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        if (!tags.isEmpty()) {
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(new AccessCheck("ssm:PutParameter", arn, null, null, context.build()));
        KmsKeys.KeyReference key = null;
        if (type.equals("SecureString")) {
            key = keyId == null ? keys.managedKey(account(call), call.region(), SERVICE)
                    : keys.find(account(call), call.region(), keyId).orElseThrow(() -> new AwsException(
                            "InvalidKeyId", 400, "The key ID is not valid: " + keyId));
            checks.add(kmsCheck("kms:Encrypt", key, call, arn));
        }
        KmsKeys.KeyReference secureKey = key;
        String description = input.string("Description");
        String dataType = input.string("DataType") == null ? "text" : input.string("DataType");
        String user = call.caller().arn();
        return PreparedCall.of(checks, () -> {
            Parameter current = parameters.byArn(arn).orElse(null);
            if (current != null && !overwrite) {
                throw new AwsException("ParameterAlreadyExists", 400, "The parameter already exists. To overwrite this"
                        + " value, set the overwrite option in the request to true.");
            }
            if (current != null && current.versions().size() >= 100
                    && !current.versions().get(0).labels().isEmpty()) {
                throw new AwsException("ParameterMaxVersionLimitExceeded", 400, "You attempted to create a new version"
                        + " of " + parameterName + " by calling the PutParameter API with the overwrite flag. Version "
                        + current.versions().get(0).number() + ", the oldest version, can't be deleted because it has"
                        + " a label associated with it. Move the label to another version of the parameter, and try"
                        + " again.");
            }
            String stored = value;
            if (secureKey != null) {
                try {
                    stored = Base64.getEncoder().encodeToString(keys.encrypt(secureKey,
                            value.getBytes(StandardCharsets.UTF_8), encryptionContext(arn)));
                } catch (KmsKeys.Unusable e) {
                    throw new AwsException(e.code(), 400, e.getMessage());
                }
            }
            long number = current == null ? 1 : current.latest().number() + 1;
            Parameter.Version version = new Parameter.Version(number, type, stored, secureKey == null ? null
                    : secureKey.arn(), description != null ? description : current == null ? null
                    : current.latest().description(), allowedPattern, tier, dataType,
                    parameters.clock().instant().truncatedTo(ChronoUnit.MILLIS), user, List.of());
            List<Parameter.Version> versions = new ArrayList<>(current == null ? List.of() : current.versions());
            versions.add(version);
            while (versions.size() > 100) {
                versions.remove(0); // SSM keeps the last 100 versions
            }
            parameters.put(current == null ? new Parameter(account(call), call.region(), parameterName, arn, tags,
                    versions) : current.withVersions(versions));
            return Shape.of().put("Version", number).put("Tier", tier);
        });
    }

    // ---- reading ---------------------------------------------------------------------------------------

    /** A name with an optional selector ({@code name:3}, {@code name:label}). */
    private record Selected(String name, String selector) {}

    private static Selected selected(String text) {
        String body = text;
        int colon = body.startsWith("arn:") ? body.indexOf(':', body.indexOf(":parameter") + 1) : body.indexOf(':');
        if (colon < 0) {
            return new Selected(text, null);
        }
        return new Selected(text.substring(0, colon), text.substring(colon + 1));
    }

    private static Parameter.Version pick(Parameter parameter, String selector, String shownName) {
        if (selector == null) {
            return parameter.latest();
        }
        Parameter.Version version;
        if (selector.matches("[0-9]+")) {
            version = parameter.version(Long.parseLong(selector));
            if (version == null) {
                throw versionNotFound("version", selector, shownName);
            }
        } else {
            version = parameter.labelled(selector);
            if (version == null) {
                throw versionNotFound("label", selector, shownName);
            }
        }
        return version;
    }

    private Shape shape(Parameter parameter, Parameter.Version version, boolean decrypt, String selector) {
        String value = version.value();
        if (decrypt && version.type().equals("SecureString")) {
            KmsKeys.KeyReference key = keys.find(parameter.account(), parameter.region(), version.keyArn())
                    .orElseThrow(() -> new AwsException("AccessDeniedException", 400, NO_DECRYPT));
            try {
                value = new String(keys.decrypt(key, Base64.getDecoder().decode(version.value()),
                        encryptionContext(parameter.arn())), StandardCharsets.UTF_8);
            } catch (KmsKeys.Unusable e) {
                throw new AwsException("InvalidKeyId", 400, e.getMessage());
            }
        }
        Shape out = Shape.of().put("Name", parameter.name()).put("Type", version.type()).put("Value", value)
                .put("Version", version.number()).put("LastModifiedDate", version.modified()).put("ARN", parameter.arn())
                .put("DataType", version.dataType());
        if (selector != null) {
            out.put("Selector", ":" + selector);
        }
        return out;
    }

    /** The KMS checks a read with decryption needs: kms:Decrypt of each SecureString version read. */
    private void decryptChecks(List<AccessCheck> checks, Call call, Parameter parameter, Parameter.Version version,
                               boolean decrypt) {
        if (decrypt && version.type().equals("SecureString")) {
            keys.find(parameter.account(), parameter.region(), version.keyArn())
                    .ifPresent(key -> checks.add(kmsCheck("kms:Decrypt", key, call, parameter.arn())));
        }
    }

    private PreparedCall getParameter(Call call, Input input) {
        Selected selected = selected(input.string("Name"));
        String arn = arnOf(call, selected.name());
        boolean decrypt = input.bool("WithDecryption", false);
        Parameter parameter = parameters.byArn(arn).orElse(null);
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(onParameter("GetParameter", arn, parameter));
        if (parameter == null) {
            // Asked first, as SSM does: a caller that may not read the name learns nothing of it.
            return PreparedCall.of(checks, () -> {
                throw notFound();
            });
        }
        Parameter.Version version = pick(parameter, selected.selector(), selected.name());
        decryptChecks(checks, call, parameter, version, decrypt);
        return PreparedCall.of(checks, () -> Shape.of().put("Parameter", shape(parameter, version, decrypt,
                selected.selector())));
    }

    private PreparedCall getParameters(Call call, Input input) {
        boolean decrypt = input.bool("WithDecryption", false);
        List<String> names = input.list("Names");
        List<AccessCheck> checks = new ArrayList<>();
        List<Object[]> found = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        for (String name : names) {
            Selected selected = selected(name);
            String arn = arnOf(call, selected.name());
            Parameter parameter = parameters.byArn(arn).orElse(null);
            checks.add(onParameter("GetParameters", arn, parameter));
            Parameter.Version version = null;
            if (parameter != null) {
                try {
                    version = pick(parameter, selected.selector(), selected.name());
                } catch (AwsException e) {
                    version = null;
                }
            }
            if (version == null) {
                invalid.add(name);
            } else {
                decryptChecks(checks, call, parameter, version, decrypt);
                found.add(new Object[] {parameter, version, selected.selector()});
            }
        }
        return PreparedCall.of(checks, () -> {
            List<Shape> shapes = new ArrayList<>();
            for (Object[] entry : found) {
                shapes.add(shape((Parameter) entry[0], (Parameter.Version) entry[1], decrypt, (String) entry[2]));
            }
            return Shape.of().put("Parameters", shapes).put("InvalidParameters", invalid);
        });
    }

    private PreparedCall getParametersByPath(Call call, Input input) {
        String path = input.string("Path");
        if (!path.startsWith("/")) {
            throw validation("The parameter doesn't meet the parameter name requirements. The parameter name must begin"
                    + " with a forward slash \"/\". It can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). It"
                    + " must use only letters, numbers, or the following symbols: . (period), - (hyphen), _"
                    + " (underscore). Special characters are not allowed. All sub-paths, if specified, must use the"
                    + " forward slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.");
        }
        boolean recursive = input.bool("Recursive", false);
        boolean decrypt = input.bool("WithDecryption", false);
        int max = input.integer("MaxResults") == null ? 10 : input.integer("MaxResults");
        String prefix = path.endsWith("/") ? path : path + "/";
        List<Parameter> matching = new ArrayList<>();
        for (Parameter parameter : parameters.parameters(account(call), call.region())) {
            String name = parameter.name().startsWith("/") ? parameter.name() : "/" + parameter.name();
            if (name.startsWith(prefix) && (recursive || !name.substring(prefix.length()).contains("/"))) {
                matching.add(parameter);
            }
        }
        int from = input.string("NextToken") == null ? 0 : token(input.string("NextToken"), matching.size());
        int to = Math.min(matching.size(), from + max);
        List<Parameter> page = matching.subList(from, to);
        List<AccessCheck> checks = new ArrayList<>();
        String pathArn = arn(account(call), call.region(), path.equals("/") ? "" : path.replaceAll("/+$", ""));
        checks.add(new AccessCheck("ssm:GetParametersByPath", pathArn, null, null, RequestContext.builder()
                .single("ssm:Recursive", String.valueOf(recursive)).build()));
        for (Parameter parameter : page) {
            decryptChecks(checks, call, parameter, parameter.latest(), decrypt);
        }
        return PreparedCall.of(checks, () -> {
            List<Shape> shapes = new ArrayList<>();
            for (Parameter parameter : page) {
                shapes.add(shape(parameter, parameter.latest(), decrypt, null));
            }
            Shape out = Shape.of().put("Parameters", shapes);
            return to < matching.size() ? out.put("NextToken", String.valueOf(to)) : out;
        });
    }

    private static int token(String token, int size) {
        try {
            int from = Integer.parseInt(token);
            if (from >= 0 && from <= size) {
                return from;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new AwsException("InvalidNextToken", 400, "The specified token isn't valid.");
    }

    private PreparedCall getParameterHistory(Call call, Input input) {
        String arn = arnOf(call, input.string("Name"));
        boolean decrypt = input.bool("WithDecryption", false);
        Parameter parameter = parameters.byArn(arn).orElse(null);
        List<AccessCheck> checks = new ArrayList<>();
        checks.add(onParameter("GetParameterHistory", arn, parameter));
        if (parameter == null) {
            return PreparedCall.of(checks, () -> {
                throw notFound();
            });
        }
        for (Parameter.Version version : parameter.versions()) {
            decryptChecks(checks, call, parameter, version, decrypt);
        }
        return PreparedCall.of(checks, () -> {
            List<Shape> history = new ArrayList<>();
            for (Parameter.Version version : parameter.versions()) {
                Shape entry = shape(parameter, version, decrypt, null);
                history.add(Shape.of().put("Name", parameter.name()).put("Type", version.type())
                        .put("KeyId", version.keyArn()).put("LastModifiedDate", version.modified())
                        .put("LastModifiedUser", version.modifiedBy()).put("Description", version.description())
                        .put("Value", entry.get("Value")).put("AllowedPattern", version.allowedPattern())
                        .put("Version", version.number()).put("Labels", version.labels()).put("Tier", version.tier())
                        .put("DataType", version.dataType()));
            }
            return Shape.of().put("Parameters", history);
        });
    }

    private PreparedCall describeParameters(Call call, Input input) {
        List<Input> filters = input.listOrEmpty("ParameterFilters");
        if (input.has("Filters")) {
            throw validation("crossrole reads ParameterFilters, not the deprecated Filters.");
        }
        int max = input.integer("MaxResults") == null ? 10 : input.integer("MaxResults");
        return PreparedCall.of(List.of(new AccessCheck("ssm:DescribeParameters", "*", null, null,
                RequestContext.empty())), () -> {
                    List<Shape> entries = new ArrayList<>();
                    for (Parameter parameter : parameters.parameters(account(call), call.region())) {
                        if (matches(parameter, filters)) {
                            Parameter.Version latest = parameter.latest();
                            entries.add(Shape.of().put("Name", parameter.name()).put("ARN", parameter.arn())
                                    .put("Type", latest.type()).put("KeyId", latest.keyArn())
                                    .put("LastModifiedDate", latest.modified()).put("LastModifiedUser", latest.modifiedBy())
                                    .put("Description", latest.description()).put("AllowedPattern", latest.allowedPattern())
                                    .put("Version", latest.number()).put("Tier", latest.tier())
                                    .put("DataType", latest.dataType()));
                        }
                    }
                    int from = input.string("NextToken") == null ? 0 : token(input.string("NextToken"), entries.size());
                    int to = Math.min(entries.size(), from + max);
                    Shape out = Shape.of().put("Parameters", entries.subList(from, to));
                    return to < entries.size() ? out.put("NextToken", String.valueOf(to)) : out;
                });
    }

    /** ParameterFilters on {@code Name} (Equals, BeginsWith), {@code Type} (Equals) and {@code Path} (Recursive, OneLevel). */
    private static boolean matches(Parameter parameter, List<Input> filters) {
        for (Input filter : filters) {
            String key = filter.string("Key");
            String option = filter.string("Option");
            List<String> values = filter.listOrEmpty("Values");
            String name = parameter.name();
            boolean ok;
            switch (key) {
                case "Name" -> ok = values.stream().anyMatch(v -> "BeginsWith".equals(option) ? name.startsWith(v)
                        : name.equals(v));
                case "Type" -> ok = values.contains(parameter.latest().type());
                case "Path" -> ok = values.stream().anyMatch(v -> {
                    String prefix = v.endsWith("/") ? v : v + "/";
                    return name.startsWith(prefix) && ("Recursive".equals(option)
                            || !name.substring(prefix.length()).contains("/"));
                });
                default -> throw new AwsException("InvalidFilterKey", 400, "crossrole filters parameters by Name, Type"
                        + " and Path, not by " + key + ".");
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    // ---- deleting, labels, tags --------------------------------------------------------------------------

    private PreparedCall deleteParameter(Call call, Input input) {
        String arn = arnOf(call, input.string("Name"));
        Parameter parameter = parameters.byArn(arn).orElse(null);
        return PreparedCall.of(List.of(onParameter("DeleteParameter", arn, parameter)), () -> {
            Parameter current = parameters.byArn(arn).orElseThrow(SsmService::notFound);
            parameters.remove(current);
            return null;
        });
    }

    private PreparedCall deleteParameters(Call call, Input input) {
        List<String> names = input.list("Names");
        List<AccessCheck> checks = new ArrayList<>();
        for (String name : names) {
            String arn = arnOf(call, name);
            checks.add(onParameter("DeleteParameters", arn, parameters.byArn(arn).orElse(null)));
        }
        return PreparedCall.of(checks, () -> {
            List<String> deleted = new ArrayList<>();
            List<String> invalid = new ArrayList<>();
            for (String name : names) {
                Parameter current = parameters.byArn(arnOf(call, name)).orElse(null);
                if (current == null) {
                    invalid.add(name);
                } else {
                    parameters.remove(current);
                    deleted.add(name);
                }
            }
            return Shape.of().put("DeletedParameters", deleted).put("InvalidParameters", invalid);
        });
    }

    private PreparedCall labelParameterVersion(Call call, Input input) {
        String arn = arnOf(call, input.string("Name"));
        Parameter parameter = parameters.byArn(arn).orElseThrow(SsmService::notFound);
        List<String> labels = input.list("Labels");
        Long requested = input.longValue("ParameterVersion");
        return PreparedCall.of(List.of(onParameter("LabelParameterVersion", arn, parameter)), () -> {
            Parameter current = parameters.byArn(arn).orElseThrow(SsmService::notFound);
            Parameter.Version target = requested == null ? current.latest() : current.version(requested);
            if (target == null) {
                throw versionNotFound("version", requested, current.name());
            }
            List<String> invalid = new ArrayList<>();
            List<String> valid = new ArrayList<>();
            for (String label : labels) {
                String lower = label.toLowerCase(Locale.ROOT);
                if (label.matches("[0-9].*") || lower.startsWith("aws") || lower.startsWith("ssm")
                        || !label.matches("[a-zA-Z0-9_.\\-]{1,100}")) {
                    invalid.add(label);
                } else {
                    valid.add(label);
                }
            }
            List<Parameter.Version> versions = new ArrayList<>();
            for (Parameter.Version version : current.versions()) {
                List<String> kept = new ArrayList<>(version.labels());
                kept.removeAll(valid); // a label is on one version at a time: it moves
                if (version.number() == target.number()) {
                    valid.stream().filter(l -> !kept.contains(l)).forEach(kept::add);
                    if (kept.size() > 10) {
                        throw new AwsException("ParameterVersionLabelLimitExceeded", 400, "An parameter version can"
                                + " have maximum 10 labels.");
                    }
                }
                versions.add(version.withLabels(kept));
            }
            parameters.put(current.withVersions(versions));
            return Shape.of().put("InvalidLabels", invalid).put("ParameterVersion", target.number());
        });
    }

    private PreparedCall unlabelParameterVersion(Call call, Input input) {
        String arn = arnOf(call, input.string("Name"));
        Parameter parameter = parameters.byArn(arn).orElseThrow(SsmService::notFound);
        List<String> labels = input.list("Labels");
        long number = input.longValue("ParameterVersion");
        return PreparedCall.of(List.of(onParameter("UnlabelParameterVersion", arn, parameter)), () -> {
            Parameter current = parameters.byArn(arn).orElseThrow(SsmService::notFound);
            if (current.version(number) == null) {
                throw versionNotFound("version", number, current.name());
            }
            List<String> removed = new ArrayList<>();
            List<String> invalid = new ArrayList<>();
            List<Parameter.Version> versions = new ArrayList<>();
            for (Parameter.Version version : current.versions()) {
                if (version.number() == number) {
                    List<String> kept = new ArrayList<>(version.labels());
                    for (String label : labels) {
                        (kept.remove(label) ? removed : invalid).add(label);
                    }
                    versions.add(version.withLabels(kept));
                } else {
                    versions.add(version);
                }
            }
            parameters.put(current.withVersions(versions));
            return Shape.of().put("RemovedLabels", removed).put("InvalidLabels", invalid);
        });
    }

    private Parameter taggable(Call call, Input input) {
        if (!"Parameter".equals(input.string("ResourceType"))) {
            throw new AwsException("InvalidResourceType", 400, "crossrole tags parameters only (ResourceType"
                    + " Parameter).");
        }
        return parameters.byArn(arnOf(call, input.string("ResourceId"))).orElseThrow(() -> new AwsException(
                "InvalidResourceId", 400, "The resource ID \"" + input.string("ResourceId") + "\" is not valid. Verify"
                + " the ID and try again."));
    }

    private PreparedCall addTags(Call call, Input input) {
        Parameter parameter = taggable(call, input);
        Map<String, String> tags = new LinkedHashMap<>();
        for (Input tag : input.<Input>list("Tags")) {
            tags.put(tag.string("Key"), tag.string("Value"));
        }
        RequestContext.Builder context = RequestContext.builder();
        parameter.tags().forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        return PreparedCall.of(List.of(new AccessCheck("ssm:AddTagsToResource", parameter.arn(), null, null,
                context.build())), () -> {
                    Parameter current = parameters.byArn(parameter.arn()).orElseThrow(SsmService::notFound);
                    Map<String, String> merged = new LinkedHashMap<>(current.tags());
                    merged.putAll(tags);
                    if (merged.size() > 50) {
                        throw new AwsException("TooManyTagsError", 400, "The Tags parameter contains too many tags.");
                    }
                    parameters.put(current.withTags(merged));
                    return null;
                });
    }

    private PreparedCall removeTags(Call call, Input input) {
        Parameter parameter = taggable(call, input);
        List<String> keysToRemove = input.list("TagKeys");
        RequestContext.Builder context = RequestContext.builder().multi("aws:TagKeys", keysToRemove);
        parameter.tags().forEach((k, v) -> context.single("aws:ResourceTag/" + k, v));
        return PreparedCall.of(List.of(new AccessCheck("ssm:RemoveTagsFromResource", parameter.arn(), null, null,
                context.build())), () -> {
                    Parameter current = parameters.byArn(parameter.arn()).orElseThrow(SsmService::notFound);
                    Map<String, String> remaining = new LinkedHashMap<>(current.tags());
                    keysToRemove.forEach(remaining::remove);
                    parameters.put(current.withTags(remaining));
                    return null;
                });
    }

    private PreparedCall listTags(Call call, Input input) {
        Parameter parameter = taggable(call, input);
        return PreparedCall.of(List.of(new AccessCheck("ssm:ListTagsForResource", parameter.arn(), null, null,
                tagContext(parameter))), () -> {
                    List<Shape> tags = new ArrayList<>();
                    parameter.tags().forEach((k, v) -> tags.add(Shape.of().put("Key", k).put("Value", v)));
                    return Shape.of().put("TagList", tags);
                });
    }
}
