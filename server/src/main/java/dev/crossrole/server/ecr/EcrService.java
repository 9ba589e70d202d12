package dev.crossrole.server.ecr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.PrincipalDirectory;
import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.model.ShapeModel;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.s3.BlobStore;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Authorization;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.OperationTable;
import dev.crossrole.server.service.PreparedCall;
import dev.crossrole.server.service.ServiceProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Amazon ECR's API on the model-driven layer ({@code ecr/2015-09-21}): repositories with their settings, tags,
 * repository policies and lifecycle policies; layers uploaded in parts, image manifests pushed and read; and
 * authorization tokens. A repository of another account is used as AWS decides: its repository policy must allow
 * the caller, and so must the caller's own identity policy. Layer bytes go to a blob store, never into records, and
 * are served by the registry ({@link RegistryApi}), which GetDownloadUrlForLayer's URLs point at.
 */
public final class EcrService implements ServiceProvider {
    private static final String SERVICE = "ecr";
    /** The pattern AWS quotes when a repository name fails it. */
    static final String NAME_PATTERN =
            "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*";
    private static final Pattern GENERIC_FAILURE = Pattern.compile(
            "Value (?:.*) at '([^']+)' failed to satisfy constraint: Member (.*)", Pattern.DOTALL);
    private static final Pattern LAYER_DIGEST = Pattern.compile("sha256:([a-f0-9]{64})");
    private static final long PART_SIZE = 10L * 1024 * 1024;
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_TAGS = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EcrDirectory registry;
    private final RegistryTokens tokens;
    private final PrincipalDirectory principals;
    /** Repository policies compiled, by text: compiled once, not at every access check. */
    private final Map<String, Policy> compiledPolicies = new ConcurrentHashMap<>();

    /** Where clients reach a registry ({@code proxyEndpoint}, download URLs), by account and region. */
    private final RegistryEndpoints endpoints;

    /** An ECR whose tokens and URLs name AWS's registry endpoints. */
    public EcrService(EcrDirectory registry, RegistryTokens tokens, PrincipalDirectory principals) {
        this(registry, tokens, principals, RegistryEndpoints.aws());
    }

    /**
     * @param endpoints the registry endpoints GetAuthorizationToken and GetDownloadUrlForLayer name: where
     *     {@code docker login} must go (crossrole's registry, not AWS's)
     */
    public EcrService(EcrDirectory registry, RegistryTokens tokens, PrincipalDirectory principals,
                      RegistryEndpoints endpoints) {
        this.registry = registry;
        this.tokens = tokens;
        this.principals = principals;
        this.endpoints = endpoints;
    }

    EcrDirectory directory() {
        return registry;
    }

    RegistryTokens tokens() {
        return tokens;
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
        return "InvalidParameterException";
    }

    /** ECR words a constraint failure "Invalid parameter at 'repositoryName' failed to satisfy constraint: '…'". */
    @Override
    public String validationMessage(List<String> failures) {
        Matcher generic = GENERIC_FAILURE.matcher(failures.get(0));
        return generic.matches() ? "Invalid parameter at '" + generic.group(1) + "' failed to satisfy constraint: '"
                + generic.group(2) + "'" : failures.get(0);
    }

    @Override
    public String patternFailure(String path, ShapeModel shape) {
        String pattern = path.endsWith("repositoryName") ? NAME_PATTERN : shape.pattern().toString();
        return "Invalid parameter at '" + path + "' failed to satisfy constraint: 'must satisfy regular expression '"
                + pattern + "''";
    }

    @Override
    public void register(OperationTable ops) {
        String[] resourceTags = {"aws:ResourceTag/${TagKey}", "ecr:ResourceTag/${TagKey}"};
        ops.on("CreateRepository", this::createRepository, Authorization.of("ecr:CreateRepository")
                .on("repository", "repositoryName").keys("aws:RequestTag/${TagKey}", "aws:TagKeys"));
        ops.on("DescribeRepositories", this::describeRepositories, Authorization.of("ecr:DescribeRepositories")
                .on("repository", "registryId", "repositoryNames").keys(resourceTags));
        ops.on("DeleteRepository", this::deleteRepository, onRepository("DeleteRepository", resourceTags));
        ops.on("TagResource", this::tagResource, Authorization.of("ecr:TagResource").on("repository", "resourceArn")
                .keys("aws:RequestTag/${TagKey}", "aws:TagKeys", "aws:ResourceTag/${TagKey}",
                        "ecr:ResourceTag/${TagKey}"));
        ops.on("UntagResource", this::untagResource, Authorization.of("ecr:UntagResource")
                .on("repository", "resourceArn").keys("aws:TagKeys", "aws:ResourceTag/${TagKey}",
                        "ecr:ResourceTag/${TagKey}"));
        ops.on("ListTagsForResource", this::listTagsForResource, Authorization.of("ecr:ListTagsForResource")
                .on("repository", "resourceArn").keys(resourceTags));
        ops.on("PutImageTagMutability", this::putImageTagMutability, onRepository("PutImageTagMutability",
                resourceTags));
        ops.on("PutImageScanningConfiguration", this::putImageScanningConfiguration,
                onRepository("PutImageScanningConfiguration", resourceTags));
        ops.on("SetRepositoryPolicy", this::setRepositoryPolicy, onRepository("SetRepositoryPolicy", resourceTags));
        ops.on("GetRepositoryPolicy", this::getRepositoryPolicy, onRepository("GetRepositoryPolicy", resourceTags));
        ops.on("DeleteRepositoryPolicy", this::deleteRepositoryPolicy, onRepository("DeleteRepositoryPolicy",
                resourceTags));
        ops.on("PutLifecyclePolicy", this::putLifecyclePolicy, onRepository("PutLifecyclePolicy", resourceTags));
        ops.on("GetLifecyclePolicy", this::getLifecyclePolicy, onRepository("GetLifecyclePolicy", resourceTags));
        ops.on("DeleteLifecyclePolicy", this::deleteLifecyclePolicy, onRepository("DeleteLifecyclePolicy",
                resourceTags));
        ops.on("GetAuthorizationToken", this::getAuthorizationToken, Authorization.of("ecr:GetAuthorizationToken"));
        ops.on("InitiateLayerUpload", this::initiateLayerUpload, onRepository("InitiateLayerUpload", resourceTags));
        ops.on("UploadLayerPart", this::uploadLayerPart, onRepository("UploadLayerPart", resourceTags));
        ops.on("CompleteLayerUpload", this::completeLayerUpload, onRepository("CompleteLayerUpload", resourceTags));
        ops.on("GetDownloadUrlForLayer", this::getDownloadUrlForLayer, onRepository("GetDownloadUrlForLayer",
                resourceTags));
        ops.on("BatchCheckLayerAvailability", this::batchCheckLayerAvailability,
                onRepository("BatchCheckLayerAvailability", resourceTags));
        ops.on("PutImage", this::putImage, onRepository("PutImage", resourceTags));
        ops.on("BatchGetImage", this::batchGetImage, onRepository("BatchGetImage", resourceTags));
        ops.on("ListImages", this::listImages, onRepository("ListImages", resourceTags));
        ops.on("DescribeImages", this::describeImages, onRepository("DescribeImages", resourceTags));
        ops.on("BatchDeleteImage", this::batchDeleteImage, onRepository("BatchDeleteImage", resourceTags));
    }

    private static Authorization onRepository(String operation, String... keys) {
        return Authorization.of("ecr:" + operation).on("repository", "registryId", "repositoryName").keys(keys);
    }

    // ---- errors ---------------------------------------------------------------------------------------

    private static AwsException invalid(String member, String constraint) {
        return Manifests.invalid(member, constraint);
    }

    private static AwsException repositoryNotFound(Target target) {
        return new AwsException("RepositoryNotFoundException", 400, "The repository with name '" + target.name()
                + "' does not exist in the registry with id '" + target.account() + "'");
    }

    private static AwsException uploadNotFound(Target target, String uploadId) {
        return new AwsException("UploadNotFoundException", 400, "Upload with id '" + uploadId + "' does not exist in"
                + " the repository with name '" + target.name() + "' in the registry with id '" + target.account()
                + "'");
    }

    // ---- naming repositories --------------------------------------------------------------------------

    /** A repository as a request names it: its registry (the caller's account unless {@code registryId}) and name. */
    private record Target(String account, String region, String name) {
        String arn() {
            return Repository.arn(account, region, name);
        }
    }

    private static Target target(Call call, Input input) {
        String registry = input.string("registryId");
        return new Target(registry != null ? registry : call.caller().account(), call.region(),
                input.string("repositoryName"));
    }

    /** The repository an ARN names ({@code resourceArn} of the tagging operations). */
    private static Target target(Call call, String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals(SERVICE)
                || !parts[5].startsWith("repository/") || !parts[4].matches("[0-9]{12}")) {
            throw invalid("resourceArn", "Invalid ARN");
        }
        if (!parts[3].equals(call.region())) {
            throw invalid("resourceArn", "Invalid region in ARN");
        }
        return new Target(parts[4], parts[3], parts[5].substring("repository/".length()));
    }

    private Policy policy(Repository repository) {
        if (repository == null || repository.policyText() == null) {
            return null;
        }
        if (compiledPolicies.size() > 10_000) {
            compiledPolicies.clear();
        }
        String arn = repository.arn();
        return compiledPolicies.computeIfAbsent(arn + "\n" + repository.policyText(), key -> Policies
                .parseValidLazily(withImpliedResource(repository.policyText(), arn), PolicyKind.RESOURCE,
                        "repository policy of " + arn));
    }

    /**
     * A repository policy as the policy engine reads it: ECR's statements name no Resource (the repository is
     * implied), so each statement without one gets the repository's ARN. Text that is not JSON is left as it is, for
     * the engine to refuse.
     */
    static String withImpliedResource(String text, String arn) {
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || !root.isObject()) {
                return text;
            }
            JsonNode statements = root.path("Statement");
            for (JsonNode statement : statements.isArray() ? statements : List.of(statements)) {
                if (statement.isObject() && !statement.has("Resource") && !statement.has("NotResource")) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) statement).put("Resource", arn);
                }
            }
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            return text;
        }
    }

    private static RequestContext.Builder tagContext(Repository repository) {
        RequestContext.Builder context = RequestContext.builder();
        if (repository != null) {
            repository.tags().forEach((k, v) -> {
                context.single("aws:ResourceTag/" + k, v);
                context.single("ecr:ResourceTag/" + k, v);
            });
        }
        return context;
    }

    private AccessCheck check(String operation, Target target, Repository repository, RequestContext context) {
        return new AccessCheck("ecr:" + operation, target.arn(), target.account(), policy(repository), context);
    }

    /**
     * The permission {@code ecr:<operation>} on a repository, asked as the API asks it: with the repository's policy
     * and tags when it exists (a registry request stands for that operation).
     */
    AccessCheck repositoryCheck(String operation, String account, String region, String name) {
        Target target = new Target(account, region, name);
        Repository repository = registry.repository(target.arn()).orElse(null);
        return check(operation, target, repository, tagContext(repository).build());
    }

    /**
     * An operation on a repository that must exist: asked first, as AWS does (a caller that may not use the name
     * learns nothing of it), then {@code body} runs on the repository as it is when the call runs.
     */
    private PreparedCall onExisting(Call call, Input input, String operation, Function<Repository, Shape> body) {
        Target target = target(call, input);
        Repository repository = registry.repository(target.arn()).orElse(null);
        return PreparedCall.of(List.of(check(operation, target, repository, tagContext(repository).build())), () -> {
            Repository current = registry.repository(target.arn()).orElseThrow(() -> repositoryNotFound(target));
            return body.apply(current);
        });
    }

    /** A write on a repository: the blobs a former write released are deleted first (that write is durable now). */
    private PreparedCall writing(Call call, Input input, String operation, Function<Repository, Shape> body) {
        return onExisting(call, input, operation, repository -> {
            registry.deleteReleasedBlobs();
            return body.apply(repository);
        });
    }

    private static Shape repositoryShape(Repository r) {
        Shape out = Shape.of().put("repositoryArn", r.arn()).put("registryId", r.account())
                .put("repositoryName", r.name()).put("repositoryUri", r.uri())
                .put("createdAt", Instant.ofEpochMilli(r.createdAt())).put("imageTagMutability", r.tagMutability())
                .put("imageScanningConfiguration", Shape.of().put("scanOnPush", r.scanOnPush()))
                .put("encryptionConfiguration", Shape.of().put("encryptionType", r.encryptionType()));
        if (!r.mutabilityExclusions().isEmpty()) {
            out.put("imageTagMutabilityExclusionFilters", exclusionShapes(r.mutabilityExclusions()));
        }
        return out;
    }

    private static List<Shape> exclusionShapes(List<String> filters) {
        return filters.stream().map(f -> Shape.of().put("filterType", "WILDCARD").put("filter", f)).toList();
    }

    private static Shape named(Repository repository) {
        return Shape.of().put("registryId", repository.account()).put("repositoryName", repository.name());
    }

    // ---- repositories ---------------------------------------------------------------------------------

    private static Map<String, String> tags(List<Input> given) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Input tag : given) {
            String key = tag.string("Key");
            String value = tag.string("Value") == null ? "" : tag.string("Value");
            if (key == null || key.isEmpty() || key.length() > 128 || value.length() > 256) {
                throw new AwsException("InvalidTagParameterException", 400, "Tag keys can have a maximum character"
                        + " length of 128 characters, and tag values can have a maximum length of 256 characters.");
            }
            if (key.toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
                throw new AwsException("InvalidTagParameterException", 400, "Tag keys starting with 'aws:' are"
                        + " reserved for AWS use.");
            }
            tags.put(key, value);
        }
        return tags;
    }

    private static AwsException tooManyTags() {
        return new AwsException("TooManyTagsException", 400, "The maximum number of tags that can be applied to a"
                + " repository is 50.");
    }

    /** The mutability and its exclusions, checked against each other as ECR checks them. */
    private static List<String> exclusions(String mutability, List<Input> filters) {
        boolean withExclusion = mutability.endsWith("_WITH_EXCLUSION");
        if (withExclusion && filters.isEmpty()) {
            throw invalid("imageTagMutabilityExclusionFilters", "Image tag mutability exclusion filters are required"
                    + " when image tag mutability is " + mutability);
        }
        if (!withExclusion && !filters.isEmpty()) {
            throw invalid("imageTagMutabilityExclusionFilters", "Image tag mutability exclusion filters can only be"
                    + " specified when image tag mutability is MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION");
        }
        List<String> out = new ArrayList<>();
        for (Input filter : filters) {
            out.add(filter.string("filter"));
        }
        return out;
    }

    private PreparedCall createRepository(Call call, Input input) {
        Target target = target(call, input);
        if (!target.account().equals(call.caller().account())) {
            throw invalid("registryId", "Registry id must match the account id of the caller");
        }
        String mutability = input.string("imageTagMutability") == null ? "MUTABLE"
                : input.string("imageTagMutability");
        List<String> exclusions = exclusions(mutability, input.listOrEmpty("imageTagMutabilityExclusionFilters"));
        Input scanning = input.struct("imageScanningConfiguration");
        boolean scanOnPush = scanning != null && scanning.bool("scanOnPush", false);
        Input encryption = input.struct("encryptionConfiguration");
        if (encryption != null && !"AES256".equals(encryption.string("encryptionType"))) {
            throw new AwsException("InvalidParameterException", 400, "crossrole encrypts repositories with AES256"
                    + " only: encryption type " + encryption.string("encryptionType") + " is not implemented.");
        }
        if (encryption != null && encryption.string("kmsKey") != null) {
            throw invalid("encryptionConfiguration", "KMS key should not be specified for AES256 encryption type");
        }
        Map<String, String> tags = tags(input.listOrEmpty("tags"));
        if (tags.size() > MAX_TAGS) {
            throw tooManyTags();
        }
        RequestContext.Builder context = RequestContext.builder();
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        if (!tags.isEmpty()) {
            context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        }
        return PreparedCall.of(List.of(check("CreateRepository", target, null, context.build())), () -> {
            if (registry.repository(target.arn()).isPresent()) {
                throw new AwsException("RepositoryAlreadyExistsException", 400, "The repository with name '"
                        + target.name() + "' already exists in the registry with id '" + target.account() + "'");
            }
            Repository repository = new Repository(target.account(), target.region(), target.name(), registry.now(),
                    mutability, exclusions, scanOnPush, "AES256", tags, null, null, 0);
            registry.put(repository);
            return Shape.of().put("repository", repositoryShape(repository));
        });
    }

    private PreparedCall describeRepositories(Call call, Input input) {
        String account = input.string("registryId") != null ? input.string("registryId") : call.caller().account();
        List<String> names = input.list("repositoryNames");
        if (names != null && (input.has("nextToken") || input.has("maxResults"))) {
            throw invalid("repositoryNames", "nextToken and maxResults cannot be used with repositoryNames");
        }
        if (names == null) {
            // Every repository of the registry: asked once, for all of them.
            Target all = new Target(account, call.region(), "*");
            int max = input.integer("maxResults") == null ? DEFAULT_PAGE : input.integer("maxResults");
            return PreparedCall.of(List.of(check("DescribeRepositories", all, null, RequestContext.empty())), () -> {
                List<Repository> found = registry.repositories(account, call.region());
                int from = from(input.string("nextToken"), found.size());
                int to = Math.min(found.size(), from + max);
                Shape out = Shape.of().put("repositories", found.subList(from, to).stream()
                        .map(EcrService::repositoryShape).toList());
                return to < found.size() ? out.put("nextToken", token(to)) : out;
            });
        }
        List<AccessCheck> checks = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        for (String name : new LinkedHashSet<>(names)) {
            Target target = new Target(account, call.region(), name);
            Repository repository = registry.repository(target.arn()).orElse(null);
            checks.add(check("DescribeRepositories", target, repository, tagContext(repository).build()));
            targets.add(target);
        }
        return PreparedCall.of(checks, () -> {
            List<Shape> out = new ArrayList<>();
            for (Target target : targets) {
                out.add(repositoryShape(registry.repository(target.arn())
                        .orElseThrow(() -> repositoryNotFound(target))));
            }
            return Shape.of().put("repositories", out);
        });
    }

    /** Where a page starts: {@code nextToken} is an opaque form of that index. */
    private static int from(String nextToken, int size) {
        if (nextToken == null) {
            return 0;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(nextToken), StandardCharsets.UTF_8);
            if (text.startsWith("ecr:")) {
                int from = Integer.parseInt(text.substring(4));
                if (from >= 0 && from <= size) {
                    return from;
                }
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw invalid("nextToken", "Invalid NextToken");
    }

    private static String token(int index) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("ecr:" + index)
                .getBytes(StandardCharsets.UTF_8));
    }

    private PreparedCall deleteRepository(Call call, Input input) {
        boolean force = input.bool("force", false);
        return writing(call, input, "DeleteRepository", repository -> {
            if (!force && !registry.images(repository.arn()).isEmpty()) {
                throw new AwsException("RepositoryNotEmptyException", 400, "The repository with name '"
                        + repository.name() + "' in registry with id '" + repository.account() + "' cannot be deleted"
                        + " because it still contains images");
            }
            registry.remove(repository);
            return Shape.of().put("repository", repositoryShape(repository));
        });
    }

    private PreparedCall putImageTagMutability(Call call, Input input) {
        String mutability = input.string("imageTagMutability");
        List<String> exclusions = exclusions(mutability, input.listOrEmpty("imageTagMutabilityExclusionFilters"));
        return writing(call, input, "PutImageTagMutability", repository -> {
            registry.put(repository.withTagMutability(mutability, exclusions));
            Shape out = named(repository).put("imageTagMutability", mutability);
            return exclusions.isEmpty() ? out : out.put("imageTagMutabilityExclusionFilters",
                    exclusionShapes(exclusions));
        });
    }

    private PreparedCall putImageScanningConfiguration(Call call, Input input) {
        boolean scanOnPush = input.struct("imageScanningConfiguration").bool("scanOnPush", false);
        return writing(call, input, "PutImageScanningConfiguration", repository -> {
            registry.put(repository.withScanOnPush(scanOnPush));
            return named(repository).put("imageScanningConfiguration", Shape.of().put("scanOnPush", scanOnPush));
        });
    }

    // ---- tags -----------------------------------------------------------------------------------------

    /** A tagging operation's repository, named by {@code resourceArn}, asked for with {@code context}. */
    private PreparedCall onTagged(Call call, Input input, String operation, RequestContext.Builder extra,
                                  Function<Repository, Shape> body) {
        Target target = target(call, input.string("resourceArn"));
        Repository repository = registry.repository(target.arn()).orElse(null);
        RequestContext.Builder context = tagContext(repository);
        extra.build().asMap().forEach(context::put);
        return PreparedCall.of(List.of(check(operation, target, repository, context.build())), () -> {
            Repository current = registry.repository(target.arn()).orElseThrow(() -> repositoryNotFound(target));
            return body.apply(current);
        });
    }

    private PreparedCall tagResource(Call call, Input input) {
        Map<String, String> tags = tags(input.list("tags"));
        RequestContext.Builder context = RequestContext.builder();
        tags.forEach((k, v) -> context.single("aws:RequestTag/" + k, v));
        context.multi("aws:TagKeys", new ArrayList<>(tags.keySet()));
        return onTagged(call, input, "TagResource", context, repository -> {
            Map<String, String> merged = new LinkedHashMap<>(repository.tags());
            merged.putAll(tags);
            if (merged.size() > MAX_TAGS) {
                throw tooManyTags();
            }
            registry.put(repository.withTags(merged));
            return Shape.of();
        });
    }

    private PreparedCall untagResource(Call call, Input input) {
        List<String> keys = input.list("tagKeys");
        return onTagged(call, input, "UntagResource", RequestContext.builder().multi("aws:TagKeys", keys),
                repository -> {
                    Map<String, String> remaining = new LinkedHashMap<>(repository.tags());
                    keys.forEach(remaining::remove);
                    registry.put(repository.withTags(remaining));
                    return Shape.of();
                });
    }

    private PreparedCall listTagsForResource(Call call, Input input) {
        return onTagged(call, input, "ListTagsForResource", RequestContext.builder(), repository -> {
            List<Shape> tags = new ArrayList<>();
            repository.tags().forEach((k, v) -> tags.add(Shape.of().put("Key", k).put("Value", v)));
            return Shape.of().put("tags", tags);
        });
    }

    // ---- repository and lifecycle policies --------------------------------------------------------------

    private static AwsException invalidPolicy() {
        return invalid("PolicyText", "Invalid repository policy provided");
    }

    private PreparedCall setRepositoryPolicy(Call call, Input input) {
        Target target = target(call, input);
        String text = input.string("policyText");
        try {
            Policies.parse(withImpliedResource(text, target.arn()), PolicyKind.RESOURCE,
                    "repository policy of " + target.arn(), principals);
        } catch (InvalidPolicyException e) {
            throw invalidPolicy();
        }
        if (!input.bool("force", false) && locksOut(text, call.caller().account())) {
            throw invalid("PolicyText", "The repository policy would prevent you from setting another policy in the"
                    + " future; set force to apply it anyway");
        }
        return writing(call, input, "SetRepositoryPolicy", repository -> {
            registry.put(repository.withPolicy(text));
            return named(repository).put("policyText", text);
        });
    }

    /**
     * Whether a policy denies SetRepositoryPolicy to every principal or to the caller's account: the lock-out
     * SetRepositoryPolicy's {@code force} is there to confirm.
     */
    private static boolean locksOut(String text, String account) {
        try {
            JsonNode root = JSON.readTree(text);
            JsonNode statements = root.path("Statement").isArray() ? root.path("Statement")
                    : JSON.createArrayNode().add(root.path("Statement"));
            for (JsonNode statement : statements) {
                if (!"Deny".equals(statement.path("Effect").asText()) || statement.has("Condition")) {
                    continue;
                }
                JsonNode principal = statement.path("Principal");
                String named = principal.isTextual() ? principal.asText() : principal.path("AWS").toString();
                boolean everyone = named.equals("*") || named.contains("\"*\"") || named.contains(account);
                boolean setPolicy = false;
                for (JsonNode action : statement.path("Action").isArray() ? statement.path("Action")
                        : JSON.createArrayNode().add(statement.path("Action"))) {
                    String pattern = action.asText().toLowerCase(java.util.Locale.ROOT).replace("?", ".")
                            .replace("*", ".*");
                    setPolicy |= "ecr:setrepositorypolicy".matches(pattern);
                }
                if (everyone && setPolicy) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false; // refused as malformed before this is asked
        }
        return false;
    }

    private PreparedCall getRepositoryPolicy(Call call, Input input) {
        return onExisting(call, input, "GetRepositoryPolicy", repository -> {
            if (repository.policyText() == null) {
                throw repositoryPolicyNotFound(repository);
            }
            return named(repository).put("policyText", repository.policyText());
        });
    }

    private static AwsException repositoryPolicyNotFound(Repository repository) {
        return new AwsException("RepositoryPolicyNotFoundException", 400, "Repository policy does not exist for the"
                + " repository with name '" + repository.name() + "' in the registry with id '"
                + repository.account() + "'");
    }

    private PreparedCall deleteRepositoryPolicy(Call call, Input input) {
        return writing(call, input, "DeleteRepositoryPolicy", repository -> {
            if (repository.policyText() == null) {
                throw repositoryPolicyNotFound(repository);
            }
            registry.put(repository.withPolicy(null));
            return named(repository).put("policyText", repository.policyText());
        });
    }

    private static AwsException lifecyclePolicyNotFound(Repository repository) {
        return new AwsException("LifecyclePolicyNotFoundException", 400, "Lifecycle policy does not exist for the"
                + " repository with name '" + repository.name() + "' in the registry with id '"
                + repository.account() + "'");
    }

    private static AwsException invalidLifecyclePolicy(String reason) {
        return invalid("LifecyclePolicyText", "Lifecycle policy validation failure: " + reason);
    }

    /** Checks a lifecycle policy's structure: rules with distinct priorities, a selection and an expire action. */
    static void validateLifecyclePolicy(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw invalidLifecyclePolicy("Could not parse the lifecycle policy JSON");
        }
        if (root == null || !root.path("rules").isArray() || root.path("rules").isEmpty()) {
            throw invalidLifecyclePolicy("object has missing required properties ([\"rules\"])");
        }
        Set<Integer> priorities = new java.util.HashSet<>();
        for (JsonNode rule : root.path("rules")) {
            if (!rule.path("rulePriority").isInt() || rule.path("rulePriority").asInt() < 1) {
                throw invalidLifecyclePolicy("rulePriority must be an integer of at least 1");
            }
            if (!priorities.add(rule.path("rulePriority").asInt())) {
                throw invalidLifecyclePolicy("rulePriority must be unique");
            }
            JsonNode selection = rule.path("selection");
            String tagStatus = selection.path("tagStatus").asText("");
            String countType = selection.path("countType").asText("");
            if (!Set.of("tagged", "untagged", "any").contains(tagStatus)) {
                throw invalidLifecyclePolicy("selection.tagStatus must be one of tagged, untagged, any");
            }
            if (tagStatus.equals("tagged") && !selection.path("tagPrefixList").isArray()
                    && !selection.path("tagPatternList").isArray()) {
                throw invalidLifecyclePolicy("tagPrefixList or tagPatternList is required when tagStatus is tagged");
            }
            if (!Set.of("imageCountMoreThan", "sinceImagePushed").contains(countType)) {
                throw invalidLifecyclePolicy("selection.countType must be imageCountMoreThan or sinceImagePushed");
            }
            if (!selection.path("countNumber").isInt() || selection.path("countNumber").asInt() < 1) {
                throw invalidLifecyclePolicy("selection.countNumber must be an integer of at least 1");
            }
            if (countType.equals("sinceImagePushed") && !"days".equals(selection.path("countUnit").asText())) {
                throw invalidLifecyclePolicy("countUnit must be days when countType is sinceImagePushed");
            }
            if (!"expire".equals(rule.path("action").path("type").asText())) {
                throw invalidLifecyclePolicy("action.type must be expire");
            }
        }
    }

    private PreparedCall putLifecyclePolicy(Call call, Input input) {
        String text = input.string("lifecyclePolicyText");
        validateLifecyclePolicy(text);
        return writing(call, input, "PutLifecyclePolicy", repository -> {
            registry.put(repository.withLifecyclePolicy(text, registry.now()));
            return named(repository).put("lifecyclePolicyText", text);
        });
    }

    private PreparedCall getLifecyclePolicy(Call call, Input input) {
        return onExisting(call, input, "GetLifecyclePolicy", repository -> {
            if (repository.lifecyclePolicyText() == null) {
                throw lifecyclePolicyNotFound(repository);
            }
            return named(repository).put("lifecyclePolicyText", repository.lifecyclePolicyText())
                    .put("lastEvaluatedAt", Instant.ofEpochMilli(repository.lifecycleUpdatedAt()));
        });
    }

    private PreparedCall deleteLifecyclePolicy(Call call, Input input) {
        return writing(call, input, "DeleteLifecyclePolicy", repository -> {
            if (repository.lifecyclePolicyText() == null) {
                throw lifecyclePolicyNotFound(repository);
            }
            registry.put(repository.withLifecyclePolicy(null, 0));
            return named(repository).put("lifecyclePolicyText", repository.lifecyclePolicyText())
                    .put("lastEvaluatedAt", Instant.ofEpochMilli(repository.lifecycleUpdatedAt()));
        });
    }

    // ---- authorization tokens ---------------------------------------------------------------------------

    private PreparedCall getAuthorizationToken(Call call, Input input) {
        List<String> registries = input.list("registryIds") == null || input.<String>list("registryIds").isEmpty()
                ? List.of(call.caller().account()) : input.list("registryIds");
        return PreparedCall.of(List.of(AccessCheck.of("ecr:GetAuthorizationToken", "*")), () -> {
            Instant expires = registry.clock().instant().plusSeconds(RegistryTokens.VALIDITY_SECONDS)
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            String password = tokens.seal(new RegistryTokens.Grant(call.caller().account(), call.region(),
                    call.caller().arn(), call.caller().accessKeyId(), call.caller().session(),
                    expires.getEpochSecond()));
            String token = Base64.getEncoder().encodeToString(("AWS:" + password).getBytes(StandardCharsets.UTF_8));
            List<Shape> data = new ArrayList<>();
            for (String id : registries) {
                data.add(Shape.of().put("authorizationToken", token).put("expiresAt", expires)
                        .put("proxyEndpoint", endpoints.proxyEndpoint(id, call.region())));
            }
            return Shape.of().put("authorizationData", data);
        });
    }

    // ---- layers -----------------------------------------------------------------------------------------

    private PreparedCall initiateLayerUpload(Call call, Input input) {
        return writing(call, input, "InitiateLayerUpload", repository -> {
            String uploadId = UUID.randomUUID().toString();
            registry.put(new LayerUpload(repository.arn(), uploadId, -1, List.of(), registry.now()));
            return Shape.of().put("uploadId", uploadId).put("partSize", PART_SIZE);
        });
    }

    private LayerUpload upload(Target target, Repository repository, String uploadId) {
        return registry.upload(uploadId).filter(u -> u.repositoryArn().equals(repository.arn()))
                .orElseThrow(() -> uploadNotFound(target, uploadId));
    }

    private PreparedCall uploadLayerPart(Call call, Input input) {
        Target target = target(call, input);
        String uploadId = input.string("uploadId");
        long first = input.longValue("partFirstByte");
        long last = input.longValue("partLastByte");
        byte[] bytes = input.blob("layerPartBlob");
        return writing(call, input, "UploadLayerPart", repository -> {
            LayerUpload upload = upload(target, repository, uploadId);
            long expected = upload.lastByteReceived() + 1;
            if (first != expected || last < first || last - first + 1 != bytes.length) {
                throw new AwsException("InvalidLayerPartException", 400, "The layer part with first byte " + first
                        + " and last byte " + last + " (" + bytes.length + " bytes) is not valid: the upload's next"
                        + " byte is " + expected + ", and a part's bytes are its last byte less its first plus one");
            }
            String blobId = upload.nextPartBlobId();
            try (BlobStore.Pending pending = registry.blobs().create()) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    pending.channel().write(buffer);
                }
                pending.publish(blobId);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot keep a layer part", e);
            }
            registry.put(upload.withPart(blobId, bytes.length));
            return named(repository).put("uploadId", uploadId).put("lastByteReceived", last);
        });
    }

    private PreparedCall completeLayerUpload(Call call, Input input) {
        Target target = target(call, input);
        String uploadId = input.string("uploadId");
        List<String> digests = input.list("layerDigests");
        return writing(call, input, "CompleteLayerUpload", repository -> {
            LayerUpload upload = upload(target, repository, uploadId);
            if (upload.parts().isEmpty()) {
                throw new AwsException("EmptyUploadException", 400, "The layer upload with id '" + uploadId
                        + "' does not contain any layer parts.");
            }
            String given = digests.get(0);
            Matcher hex = LAYER_DIGEST.matcher(given);
            if (digests.size() != 1 || !hex.matches()) {
                throw new AwsException("InvalidLayerException", 400, "Invalid layer digest '" + given + "': one"
                        + " sha256 digest is expected");
            }
            if (registry.layer(repository.arn(), given).isPresent()) {
                throw new AwsException("LayerAlreadyExistsException", 400, "Layer with digest '" + given
                        + "' already exists in the repository with name '" + repository.name()
                        + "' in registry with id '" + repository.account() + "'");
            }
            String blobId = Layer.blobId(hex.group(1));
            long size = upload.lastByteReceived() + 1;
            String computed = assemble(upload, blobId, given);
            if (!computed.equals(given)) {
                throw new AwsException("InvalidLayerException", 400, "The layer digest '" + given + "' does not"
                        + " match the digest '" + computed + "' computed from the layer's bytes");
            }
            registry.put(new Layer(repository.arn(), given, size, blobId, registry.now()));
            registry.remove(upload);
            return named(repository).put("uploadId", uploadId).put("layerDigest", given);
        });
    }

    /**
     * Joins an upload's parts into one blob, published as {@code blobId} only if its digest is {@code expected};
     * returns the digest computed.
     */
    private String assemble(LayerUpload upload, String blobId, String expected) {
        MessageDigest sha256 = Manifests.sha256();
        try (BlobStore.Pending pending = registry.blobs().create()) {
            OutputStream out = new DigestOutputStream(java.nio.channels.Channels.newOutputStream(pending.channel()),
                    sha256);
            long offset = 0;
            for (LayerUpload.Part part : upload.parts()) {
                registry.blobs().copyRange(part.blobId(), 0, part.size(), out);
                offset += part.size();
            }
            out.flush();
            String computed = "sha256:" + HexFormat.of().formatHex(sha256.digest());
            if (computed.equals(expected) && offset == upload.lastByteReceived() + 1) {
                pending.publish(blobId);
            }
            return computed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot assemble a layer", e);
        }
    }

    /**
     * A URL that serves a layer's bytes without further credentials, as ECR's pre-signed URLs do: crossrole's registry,
     * with a token sealing the repository, the layer and who asked, good for
     * {@link RegistryTokens#DOWNLOAD_VALIDITY_SECONDS}.
     */
    private PreparedCall getDownloadUrlForLayer(Call call, Input input) {
        String digest = input.string("layerDigest");
        if (!LAYER_DIGEST.matcher(digest).matches()) {
            throw new AwsException("InvalidParameterException", 400, "Invalid parameter at 'layerDigest' failed to"
                    + " satisfy constraint: 'Invalid layer digest'");
        }
        return onExisting(call, input, "GetDownloadUrlForLayer", repository -> {
            if (registry.layer(repository.arn(), digest).isEmpty()) {
                throw new AwsException("LayersNotFoundException", 400, "The specified layers could not be found,"
                        + " or the specified layer is not valid for this repository.");
            }
            long expires = registry.clock().instant().getEpochSecond() + RegistryTokens.DOWNLOAD_VALIDITY_SECONDS;
            String token = tokens.sealDownload(new RegistryTokens.Download(repository.arn(), digest,
                    call.caller().arn(), expires));
            String url = endpoints.repositoriesRoot(repository.account(), repository.region()) + repository.name()
                    + "/blobs/" + digest + "?" + RegistryApi.DOWNLOAD_PARAMETER + "=" + token;
            return Shape.of().put("downloadUrl", url).put("layerDigest", digest);
        });
    }

    private PreparedCall batchCheckLayerAvailability(Call call, Input input) {
        List<String> digests = input.list("layerDigests");
        return onExisting(call, input, "BatchCheckLayerAvailability", repository -> {
            List<Shape> layers = new ArrayList<>();
            List<Shape> failures = new ArrayList<>();
            for (String digest : digests) {
                if (!LAYER_DIGEST.matcher(digest).matches()) {
                    failures.add(Shape.of().put("layerDigest", digest).put("failureCode", "InvalidLayerDigest")
                            .put("failureReason", "Invalid layer digest"));
                    continue;
                }
                Layer layer = registry.layer(repository.arn(), digest).orElse(null);
                if (layer == null) {
                    failures.add(Shape.of().put("layerDigest", digest).put("failureCode", "MissingLayerDigest")
                            .put("failureReason", "Requested layer not found"));
                } else {
                    layers.add(Shape.of().put("layerDigest", digest).put("layerAvailability", "AVAILABLE")
                            .put("layerSize", layer.size()).put("mediaType", "application/vnd.docker.image.rootfs.diff"
                                    + ".tar.gzip"));
                }
            }
            return Shape.of().put("layers", layers).put("failures", failures);
        });
    }

    // ---- images -----------------------------------------------------------------------------------------

    private PreparedCall putImage(Call call, Input input) {
        String manifest = input.string("imageManifest");
        Manifests.Manifest read = Manifests.read(manifest, input.string("imageManifestMediaType"));
        String digest = Manifests.digest(manifest);
        String givenDigest = input.string("imageDigest");
        if (givenDigest != null && !givenDigest.equals(digest)) {
            throw new AwsException("ImageDigestDoesNotMatchException", 400, "Provided digest '" + givenDigest
                    + "' does not match the calculated digest '" + digest + "' of the image manifest");
        }
        String tag = input.string("imageTag");
        return writing(call, input, "PutImage", repository -> {
            storeImage(repository, manifest, read, digest, tag, false);
            Shape id = Shape.of().put("imageDigest", digest);
            if (tag != null) {
                id.put("imageTag", tag);
            }
            return Shape.of().put("image", named(repository).put("imageId", id).put("imageManifest", manifest)
                    .put("imageManifestMediaType", read.mediaType()));
        });
    }

    /**
     * Stores a manifest as an image of {@code repository}, tagged {@code tag} unless it is {@code null}: what PutImage
     * does, and a registry's manifest upload. Every blob (or, for a list, every image) it names must be the
     * repository's; a tag held by another image moves unless the repository keeps it immutable.
     *
     * @param again whether the same image pushed again under the same tag (or untagged) is no failure, as a registry
     *     takes it (PutImage answers {@code ImageAlreadyExistsException})
     */
    Image storeImage(Repository repository, String manifest, Manifests.Manifest read, String digest, String tag,
                     boolean again) {
        String arn = repository.arn();
        List<String> missing = read.blobs().stream().distinct()
                .filter(d -> registry.layer(arn, d).isEmpty()).toList();
        if (!missing.isEmpty()) {
            throw new AwsException("LayersNotFoundException", 400, "Layers with digests '" + missing + "' required"
                    + " for pushing image into repository with name '" + repository.name() + "' in the registry"
                    + " with id '" + repository.account() + "' do not exist");
        }
        List<String> missingImages = read.images().stream().distinct()
                .filter(d -> registry.image(arn, d).isEmpty()).toList();
        if (!missingImages.isEmpty()) {
            throw new AwsException("ReferencedImagesNotFoundException", 400, "Manifests with digests '"
                    + missingImages + "' referenced by the manifest list do not exist in the repository with name '"
                    + repository.name() + "' in the registry with id '" + repository.account() + "'");
        }
        Image existing = registry.image(arn, digest).orElse(null);
        if (existing != null && (tag == null || existing.tags().contains(tag))) {
            if (again) {
                return existing;
            }
            throw new AwsException("ImageAlreadyExistsException", 400, "Image with digest '" + digest
                    + "' and tag '" + tag + "' already exists in the repository with name '" + repository.name()
                    + "' in registry with id '" + repository.account() + "'");
        }
        if (tag != null) {
            Image holder = registry.tagged(arn, tag).orElse(null);
            if (holder != null && !holder.digest().equals(digest)) {
                if (!repository.tagMovable(tag)) {
                    throw new AwsException("ImageTagAlreadyExistsException", 400, "The image tag '" + tag
                            + "' already exists in the '" + repository.name() + "' repository and cannot be"
                            + " overwritten because the tag is immutable.");
                }
                List<String> left = new ArrayList<>(holder.tags());
                left.remove(tag);
                registry.put(holder.withTags(left)); // an image losing its last tag stays, untagged
            }
        }
        Image image;
        if (existing != null) {
            List<String> tags = new ArrayList<>(existing.tags());
            tags.add(tag);
            image = existing.withTags(tags);
        } else {
            image = new Image(arn, digest, manifest, read.mediaType(), read.configMediaType(),
                    tag == null ? List.of() : List.of(tag), registry.now(), read.layersSize(),
                    read.blobs().isEmpty() ? read.images() : read.blobs());
        }
        registry.put(image);
        return image;
    }

    /** What an image id names: the image, or a failure ({@code failureCode}, {@code failureReason}). */
    private record Lookup(Image image, String failureCode, String failureReason) {}

    private Lookup lookup(Repository repository, Input id) {
        String digest = id.string("imageDigest");
        String tag = id.string("imageTag");
        if (digest == null && tag == null) {
            return new Lookup(null, "MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot"
                    + " be null");
        }
        if (digest != null && !digest.matches("[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+")) {
            return new Lookup(null, "InvalidImageDigest", "Invalid request parameters: image digest should satisfy"
                    + " the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
        }
        Image image = digest != null ? registry.image(repository.arn(), digest).orElse(null)
                : registry.tagged(repository.arn(), tag).orElse(null);
        if (image == null) {
            return new Lookup(null, "ImageNotFound", "Requested image not found");
        }
        if (digest != null && tag != null && !image.tags().contains(tag)) {
            return new Lookup(null, "ImageTagDoesNotMatchDigest", "Invalid image tag for image with digest");
        }
        return new Lookup(image, null, null);
    }

    private static Shape imageId(Input id) {
        Shape out = Shape.of();
        if (id.string("imageDigest") != null) {
            out.put("imageDigest", id.string("imageDigest"));
        }
        if (id.string("imageTag") != null) {
            out.put("imageTag", id.string("imageTag"));
        }
        return out;
    }

    private static Shape imageId(String digest, String tag) {
        Shape out = Shape.of().put("imageDigest", digest);
        return tag == null ? out : out.put("imageTag", tag);
    }

    /** One image id of a batch that could not be answered, as ECR lists it in {@code failures}. */
    private static Shape imageFailure(Input id, String code, String reason) {
        return Shape.of().put("imageId", imageId(id)).put("failureCode", code).put("failureReason", reason);
    }

    private PreparedCall batchGetImage(Call call, Input input) {
        List<Input> ids = input.list("imageIds");
        List<String> accepted = input.list("acceptedMediaTypes");
        return onExisting(call, input, "BatchGetImage", repository -> {
            List<Shape> images = new ArrayList<>();
            List<Shape> failures = new ArrayList<>();
            for (Input id : ids) {
                Lookup found = lookup(repository, id);
                if (found.image() == null) {
                    failures.add(imageFailure(id, found.failureCode(), found.failureReason()));
                } else if (accepted != null && !accepted.contains(found.image().mediaType())) {
                    failures.add(imageFailure(id, "ImageNotFound",
                            "Requested image not found in an accepted media type"));
                } else {
                    Image image = found.image();
                    images.add(named(repository).put("imageId", imageId(image.digest(), id.string("imageTag")))
                            .put("imageManifest", image.manifest()).put("imageManifestMediaType", image.mediaType()));
                }
            }
            return Shape.of().put("images", images).put("failures", failures);
        });
    }

    private static boolean matches(Image image, Input filter) {
        String status = filter == null || filter.string("tagStatus") == null ? "ANY" : filter.string("tagStatus");
        return switch (status) {
            case "TAGGED" -> !image.tags().isEmpty();
            case "UNTAGGED" -> image.tags().isEmpty();
            default -> true;
        };
    }

    private PreparedCall listImages(Call call, Input input) {
        int max = input.integer("maxResults") == null ? DEFAULT_PAGE : input.integer("maxResults");
        Input filter = input.struct("filter");
        String nextToken = input.string("nextToken");
        return onExisting(call, input, "ListImages", repository -> {
            List<Shape> ids = new ArrayList<>();
            for (Image image : registry.images(repository.arn())) {
                if (!matches(image, filter)) {
                    continue;
                }
                if (image.tags().isEmpty()) {
                    ids.add(imageId(image.digest(), null));
                }
                image.tags().forEach(tag -> ids.add(imageId(image.digest(), tag)));
            }
            int from = from(nextToken, ids.size());
            int to = Math.min(ids.size(), from + max);
            Shape out = Shape.of().put("imageIds", ids.subList(from, to));
            return to < ids.size() ? out.put("nextToken", token(to)) : out;
        });
    }

    private static Shape detail(Repository repository, Image image) {
        Shape out = named(repository).put("imageDigest", image.digest()).put("imageSizeInBytes", image.sizeInBytes())
                .put("imagePushedAt", Instant.ofEpochMilli(image.pushedAt()))
                .put("imageManifestMediaType", image.mediaType()).put("imageStatus", "ACTIVE");
        if (!image.tags().isEmpty()) {
            out.put("imageTags", image.tags());
        }
        if (image.artifactMediaType() != null) {
            out.put("artifactMediaType", image.artifactMediaType());
        }
        return out;
    }

    private PreparedCall describeImages(Call call, Input input) {
        List<Input> ids = input.list("imageIds");
        if (ids != null && (input.has("nextToken") || input.has("maxResults"))) {
            throw invalid("imageIds", "nextToken and maxResults cannot be used with imageIds");
        }
        int max = input.integer("maxResults") == null ? DEFAULT_PAGE : input.integer("maxResults");
        Input filter = input.struct("filter");
        String nextToken = input.string("nextToken");
        return onExisting(call, input, "DescribeImages", repository -> {
            List<Shape> details = new ArrayList<>();
            if (ids != null) {
                Set<String> seen = new java.util.HashSet<>();
                for (Input id : ids) {
                    Lookup found = lookup(repository, id);
                    if (found.image() == null) {
                        throw new AwsException("ImageNotFoundException", 400, "The image with imageId {imageDigest:'"
                                + id.string("imageDigest") + "', imageTag:'" + id.string("imageTag") + "'} does not"
                                + " exist within the repository with name '" + repository.name() + "' in the registry"
                                + " with id '" + repository.account() + "'");
                    }
                    if (seen.add(found.image().digest())) {
                        details.add(detail(repository, found.image()));
                    }
                }
                return Shape.of().put("imageDetails", details);
            }
            List<Image> images = registry.images(repository.arn()).stream().filter(i -> matches(i, filter)).toList();
            int from = from(nextToken, images.size());
            int to = Math.min(images.size(), from + max);
            images.subList(from, to).forEach(image -> details.add(detail(repository, image)));
            Shape out = Shape.of().put("imageDetails", details);
            return to < images.size() ? out.put("nextToken", token(to)) : out;
        });
    }

    /**
     * Deletes images: by digest, the image with all its tags; by tag, the tag, and the image with it when it was the
     * image's last tag.
     */
    private PreparedCall batchDeleteImage(Call call, Input input) {
        List<Input> ids = input.list("imageIds");
        return writing(call, input, "BatchDeleteImage", repository -> {
            List<Shape> deleted = new ArrayList<>();
            List<Shape> failures = new ArrayList<>();
            for (Input id : ids) {
                Lookup found = lookup(repository, id);
                if (found.image() == null) {
                    failures.add(imageFailure(id, found.failureCode(), found.failureReason()));
                    continue;
                }
                // Looked up again: an earlier id of the same request may have changed the image.
                Image image = registry.image(repository.arn(), found.image().digest()).orElse(null);
                if (image == null) {
                    failures.add(imageFailure(id, "ImageNotFound", "Requested image not found"));
                    continue;
                }
                String tag = id.string("imageTag");
                if (id.string("imageDigest") == null && image.tags().size() > 1) {
                    List<String> left = new ArrayList<>(image.tags());
                    left.remove(tag);
                    registry.put(image.withTags(left));
                    deleted.add(imageId(image.digest(), tag));
                    continue;
                }
                registry.remove(image);
                if (image.tags().isEmpty()) {
                    deleted.add(imageId(image.digest(), null));
                }
                image.tags().forEach(t -> deleted.add(imageId(image.digest(), t)));
            }
            return Shape.of().put("imageIds", deleted).put("failures", failures);
        });
    }
}
