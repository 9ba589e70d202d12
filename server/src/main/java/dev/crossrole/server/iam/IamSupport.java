package dev.crossrole.server.iam;

import dev.crossrole.policy.Diagnostic;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What the IAM operations share: the directory, name and path rules, IAM's error vocabulary,
 * pagination, tags, and the URL-encoding of policy documents in responses.
 */
public final class IamSupport {
    public static final Pattern POLICY_ARN = Pattern.compile("arn:aws:iam::(\\d{12}|aws):policy(/(?:[\\x21-\\x7E]*/)?)([\\w+=,.@-]+)");

    final IamDirectory iam;

    IamSupport(IamDirectory iam) {
        this.iam = iam;
    }

    public IamDirectory directory() {
        return iam;
    }

    /** IAM calls act in the caller's own account. */
    public static String account(Call call) {
        return call.caller().account();
    }

    // ---- errors -----------------------------------------------------------------------------

    public static AwsException noSuchEntity(String message) {
        return new AwsException("NoSuchEntity", 404, message);
    }

    public static AwsException alreadyExists(String message) {
        return new AwsException("EntityAlreadyExists", 409, message);
    }

    public static AwsException deleteConflict(String message) {
        return new AwsException("DeleteConflict", 409, message);
    }

    public static AwsException limitExceeded(String message) {
        return new AwsException("LimitExceeded", 409, message);
    }

    public static AwsException invalidInput(String message) {
        return new AwsException("InvalidInput", 400, message);
    }

    /** The policy compiled, or AWS's error for it when it fails validation. */
    public static Policy parse(String text, PolicyKind kind, String name) {
        try {
            return Policies.parse(text, kind, name);
        } catch (InvalidPolicyException e) {
            throw malformed(e);
        }
    }

    /** A policy that failed validation, with the code, status and message AWS returns for it. */
    public static AwsException malformed(InvalidPolicyException e) {
        Diagnostic d = e.diagnostic();
        return new AwsException(d.code(), d.httpStatus(), d.message());
    }

    public static AwsException noSuchRole(String name) {
        return noSuchEntity("The role with name " + name + " cannot be found.");
    }

    public static AwsException noSuchUser(String name) {
        return noSuchEntity("The user with name " + name + " cannot be found.");
    }

    // ---- names, paths, documents ------------------------------------------------------------

    /** The model's name shapes, whose pattern failures IAM words as {@link #NAME_RULE}. */
    private static final java.util.Set<String> NAME_SHAPES = java.util.Set.of("roleNameType", "userNameType",
            "existingUserNameType", "groupNameType", "policyNameType", "virtualMFADeviceName",
            "instanceProfileNameType");
    private static final String NAME_RULE = " is invalid. It must contain only alphanumeric characters and/or the"
            + " following: +=,.@_-";
    private static final String PATH_RULE = " is invalid. It must begin and end with / and contain only alphanumeric"
            + " characters and/or / characters.";

    /**
     * IAM's own message for a name or path that breaks its character rule; {@code null} (the generic wording) for
     * every other pattern.
     */
    static String patternFailure(String path, dev.crossrole.server.model.ShapeModel shape) {
        if (NAME_SHAPES.contains(shape.name())) {
            return "The specified value for " + path + NAME_RULE;
        }
        if (shape.name().equals("pathType")) {
            return "The specified value for " + path + PATH_RULE;
        }
        return null;
    }

    /** Policy documents appear in IAM responses URL-encoded (RFC 3986), exactly as submitted otherwise. */
    public static String encodeDocument(String text) {
        StringBuilder out = new StringBuilder(text.length() * 2);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

    public String arn(String account, String kind, String path, String name) {
        return "arn:aws:iam::" + account + ":" + kind + path + name;
    }

    // ---- tags -------------------------------------------------------------------------------

    /** The {@code Tags} of a request (the model checked each tag and the count), refusing keys that differ only in case. */
    public static Map<String, String> tags(Input input) {
        Map<String, String> tags = new LinkedHashMap<>();
        TreeMap<String, String> seen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Input tag : input.<Input>listOrEmpty("Tags")) {
            if (seen.put(tag.string("Key"), tag.string("Value")) != null) {
                throw invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
            }
            tags.put(tag.string("Key"), tag.string("Value"));
        }
        return tags;
    }

    /** Adds tags over existing ones (same key, compared case-insensitively, is overwritten), enforcing the 50-tag quota. */
    public static Map<String, String> mergeTags(Map<String, String> existing, Map<String, String> added) {
        // Keys are unique regardless of case; a replaced tag keeps its place, new ones follow.
        Map<String, String> pending = new LinkedHashMap<>(added);
        Map<String, String> merged = new LinkedHashMap<>();
        for (Map.Entry<String, String> tag : existing.entrySet()) {
            String replacement = pending.keySet().stream().filter(k -> k.equalsIgnoreCase(tag.getKey())).findFirst()
                    .orElse(null);
            if (replacement == null) {
                merged.put(tag.getKey(), tag.getValue());
            } else {
                merged.put(replacement, pending.remove(replacement));
            }
        }
        merged.putAll(pending);
        if (merged.size() > 50) {
            throw limitExceeded("The number of tags has reached the maximum limit.");
        }
        return merged;
    }

    public static List<Shape> tagShapes(Map<String, String> tags) {
        List<Shape> out = new ArrayList<>();
        tags.forEach((k, v) -> out.add(Shape.of().put("Key", k).put("Value", v)));
        return out;
    }

    /** Condition keys of a request that carries tags: {@code aws:RequestTag/k} and {@code aws:TagKeys}. */
    public static RequestContext.Builder requestTags(RequestContext.Builder context, Map<String, String> tags) {
        if (!tags.isEmpty()) {
            tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        return context;
    }

    /** Condition keys for a resource's tags: {@code aws:ResourceTag/k} and IAM's {@code iam:ResourceTag/k}. */
    public static RequestContext.Builder resourceTags(RequestContext.Builder context, Map<String, String> tags) {
        tags.forEach((k, v) -> {
            context.single("aws:ResourceTag/" + k, v);
            context.single("iam:ResourceTag/" + k, v);
        });
        return context;
    }

    public static AccessCheck check(String action, String resource, RequestContext context) {
        return new AccessCheck(action, resource, null, null, context, shown(action, resource));
    }

    /**
     * How IAM's AccessDenied messages name an existing entity: {@code role NAME}, {@code user NAME},
     * {@code group NAME}, {@code policy ARN}; creations and list calls show the ARN itself.
     */
    static String shown(String action, String resource) {
        if (action.startsWith("iam:Create") || action.startsWith("iam:Simulate") || !resource.startsWith("arn:aws:iam::")
                || resource.endsWith("/")) {
            return null;
        }
        String[] parts = resource.split(":", 6);
        if (parts.length != 6) {
            return null;
        }
        String path = parts[5];
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (path.startsWith("role/")) {
            return "role " + name;
        }
        if (path.startsWith("user/")) {
            return "user " + name;
        }
        if (path.startsWith("group/")) {
            return "group " + name;
        }
        if (path.startsWith("policy/")) {
            return "policy " + resource;
        }
        return null;
    }

    /** A permissions boundary: a managed policy of the account or AWS's, named by a well-formed policy ARN. */
    public static String boundary(IamDirectory iam, String account, String arn) {
        if (arn == null) {
            return null;
        }
        if (!POLICY_ARN.matcher(arn).matches()) {
            throw invalidInput("ARN " + arn + " is not valid.");
        }
        return iam.policy(arn).filter(p -> p.awsManaged() || p.account().equals(account))
                .orElseThrow(() -> noSuchEntity("Scope ARN: " + arn + " does not exist or is not attachable.")).arn();
    }

    /** A managed policy that can be attached in the account: its own customer policies and AWS's. */
    public static ManagedPolicy attachable(IamDirectory iam, String account, String arn) {
        if (!POLICY_ARN.matcher(arn).matches()) {
            throw invalidInput("ARN " + arn + " is not valid.");
        }
        return iam.policy(arn).filter(p -> p.awsManaged() || p.account().equals(account))
                .orElseThrow(() -> noSuchEntity("Policy " + arn + " does not exist or is not attachable."));
    }

    /** A check whose denial names the resource by its ARN (permissions checked while an entity is created). */
    public static AccessCheck checkByArn(String action, String resource, RequestContext context) {
        return new AccessCheck(action, resource, null, null, context, null);
    }

    /** The resource of a list call: the ARN prefix of the entity kind in the caller's account ({@code arn:aws:iam::A:role/}). */
    public static String listResource(Call call, String kind) {
        return "arn:aws:iam::" + account(call) + ":" + kind + "/";
    }

    // ---- pagination -------------------------------------------------------------------------

    /** One page of a list call. */
    public record Page<T>(List<T> items, boolean truncated, String marker) {
        public Shape into(Shape shape) {
            shape.put("IsTruncated", truncated);
            if (truncated) {
                shape.put("Marker", marker);
            }
            return shape;
        }
    }

    /** {@code MaxItems} (default 100) and where {@code Marker} resumes; the model checked their ranges. */
    public record PageRequest(int maxItems, int offset) {}

    public static PageRequest pageRequest(Input input) {
        Integer max = input.integer("MaxItems");
        String marker = input.string("Marker");
        int offset = 0;
        if (marker != null) {
            try {
                offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.UTF_8)
                        .replace("crossrole-page-", ""));
            } catch (IllegalArgumentException e) {
                throw invalidInput("Invalid Marker: " + marker);
            }
            if (offset < 0) {
                throw invalidInput("Invalid Marker: " + marker);
            }
        }
        return new PageRequest(max == null ? 100 : max, offset);
    }

    public static <T> Page<T> page(List<T> all, PageRequest request) {
        int from = Math.min(request.offset(), all.size());
        int to = Math.min(all.size(), from + request.maxItems());
        boolean truncated = to < all.size();
        String marker = truncated ? Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("crossrole-page-" + to).getBytes(StandardCharsets.UTF_8)) : null;
        return new Page<>(List.copyOf(all.subList(from, to)), truncated, marker);
    }

    public static <T> List<Shape> shapes(List<T> items, Function<T, Shape> toShape) {
        List<Shape> out = new ArrayList<>(items.size());
        items.forEach(item -> out.add(toShape.apply(item)));
        return out;
    }

    /** Paths filter list calls by prefix ({@code PathPrefix}, default {@code /}). */
    public static boolean underPrefix(String path, String prefix) {
        return prefix == null || path.startsWith(prefix);
    }

    public static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
