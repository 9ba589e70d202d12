package dev.crossrole.it;

import static dev.crossrole.it.SdkErrors.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecr.model.TagStatus;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Amazon ECR through the SDK for Java v2: repositories and their settings, layers uploaded in parts, images pushed as
 * manifests, repository and lifecycle policies, authorization tokens, and another account's repository read only when
 * its repository policy and the reader's identity policy both allow it.
 */
class EcrSdkTest {
    static TestCrossrole crossrole;
    static EcrClient ecr;
    static EcrClient other;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        ecr = client(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
        other = client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        ecr.close();
        other.close();
        crossrole.close();
    }

    static EcrClient client(String endpoint, AwsCredentialsProvider credentials) {
        return EcrClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Uploads a layer in parts of at most {@code partSize} bytes; returns its digest. */
    static String pushLayer(EcrClient client, String registryId, String repository, byte[] bytes, int partSize)
            throws Exception {
        String uploadId = client.initiateLayerUpload(r -> r.registryId(registryId).repositoryName(repository))
                .uploadId();
        for (int first = 0; first < bytes.length; first += partSize) {
            int from = first;
            int to = Math.min(bytes.length, first + partSize);
            long last = client.uploadLayerPart(r -> r.registryId(registryId).repositoryName(repository)
                    .uploadId(uploadId).partFirstByte((long) from).partLastByte((long) to - 1)
                    .layerPartBlob(SdkBytes.fromByteArray(java.util.Arrays.copyOfRange(bytes, from, to))))
                    .lastByteReceived();
            assertEquals(to - 1, last);
        }
        String digest = sha256(bytes);
        assertEquals(digest, client.completeLayerUpload(r -> r.registryId(registryId).repositoryName(repository)
                .uploadId(uploadId).layerDigests(digest)).layerDigest());
        return digest;
    }

    /** A Docker image manifest v2 schema 2 naming a config and layers ({@code digest, size} pairs). */
    static String manifest(String configDigest, long configSize, Object... layers) {
        StringBuilder out = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution"
                + ".manifest.v2+json\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\","
                + "\"size\":" + configSize + ",\"digest\":\"" + configDigest + "\"},\"layers\":[");
        for (int i = 0; i < layers.length; i += 2) {
            out.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
                    + "\"size\":").append(layers[i + 1]).append(",\"digest\":\"").append(layers[i]).append("\"}");
        }
        return out.append("]}").toString();
    }

    /** Pushes a one-layer image ({@code content} as its layer) to a repository; returns the manifest. */
    static String pushImage(EcrClient client, String registryId, String repository, String content, String tag)
            throws Exception {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"content\":\"" + content + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("layer of " + content).getBytes(StandardCharsets.UTF_8);
        String configDigest = present(client, registryId, repository, config);
        String layerDigest = present(client, registryId, repository, layer);
        String manifest = manifest(configDigest, config.length, layerDigest, layer.length);
        client.putImage(r -> r.registryId(registryId).repositoryName(repository).imageManifest(manifest).imageTag(tag));
        return manifest;
    }

    /** A blob's digest, uploaded first unless the repository has it. */
    private static String present(EcrClient client, String registryId, String repository, byte[] bytes)
            throws Exception {
        String digest = sha256(bytes);
        boolean available = !client.batchCheckLayerAvailability(r -> r.registryId(registryId)
                .repositoryName(repository).layerDigests(digest)).layers().isEmpty();
        return available ? digest : pushLayer(client, registryId, repository, bytes, 1 << 20);
    }

    private static List<String> names() {
        return ecr.describeRepositories().repositories().stream().map(Repository::repositoryName).toList();
    }

    @Test
    void repositoriesAreCreatedWithTheirSettingsDescribedPagedAndDeleted() {
        Repository created = ecr.createRepository(r -> r.repositoryName("team/web-app").imageTagMutability("IMMUTABLE")
                .imageScanningConfiguration(s -> s.scanOnPush(true)).encryptionConfiguration(e -> e
                        .encryptionType("AES256")).tags(t -> t.key("team").value("web"))).repository();
        assertEquals("arn:aws:ecr:us-east-1:" + SOURCE + ":repository/team/web-app", created.repositoryArn());
        assertEquals(SOURCE + ".dkr.ecr.us-east-1.amazonaws.com/team/web-app", created.repositoryUri());
        assertEquals(SOURCE, created.registryId());
        assertEquals("IMMUTABLE", created.imageTagMutabilityAsString());
        assertTrue(created.imageScanningConfiguration().scanOnPush());
        assertEquals("AES256", created.encryptionConfiguration().encryptionTypeAsString());
        assertNotNull(created.createdAt());
        assertEquals(created, ecr.describeRepositories(r -> r.repositoryNames("team/web-app")).repositories().get(0));
        assertEquals("MUTABLE", ecr.createRepository(r -> r.repositoryName("page-a")).repository()
                .imageTagMutabilityAsString());
        ecr.createRepository(r -> r.repositoryName("page-b"));

        // Pages of two, in name order, until no nextToken: every repository once.
        List<String> paged = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String from = token;
            var page = ecr.describeRepositories(r -> r.maxResults(2).nextToken(from));
            assertTrue(page.repositories().size() <= 2);
            page.repositories().forEach(repository -> paged.add(repository.repositoryName()));
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertTrue(pages >= 2, "paged");
        assertEquals(paged.stream().sorted().toList(), paged);
        assertEquals(names(), paged);
        assertTrue(paged.containsAll(List.of("page-a", "page-b", "team/web-app")), paged.toString());
        assertError(400, "InvalidParameterException", null, () -> ecr.describeRepositories(r -> r.nextToken("bad")));

        List<String> before = names();
        assertError(400, "RepositoryAlreadyExistsException", "The repository with name 'page-a' already exists in"
                + " the registry with id '" + SOURCE + "'",
                () -> ecr.createRepository(r -> r.repositoryName("page-a")));
        assertError(400, "InvalidParameterException", "Invalid parameter at 'repositoryName' failed to satisfy"
                + " constraint: 'must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+"
                + "((\\.|_|__|-+)[a-z0-9]+)*)*''", () -> ecr.createRepository(r -> r.repositoryName("Bad_Name!")));
        assertError(400, "InvalidParameterException", "Invalid parameter at 'repositoryName' failed to satisfy"
                + " constraint: 'must have length greater than or equal to 2'",
                () -> ecr.createRepository(r -> r.repositoryName("a")));
        assertError(400, "InvalidParameterException", null, () -> ecr.createRepository(r -> r.repositoryName("kms-repo")
                .encryptionConfiguration(e -> e.encryptionType("KMS"))));
        assertError(400, "InvalidTagParameterException", null, () -> ecr.createRepository(r -> r
                .repositoryName("reserved-tag").tags(t -> t.key("aws:owner").value("x"))));
        assertEquals(before, names(), "no refused request made a repository");

        assertError(400, "RepositoryNotFoundException", "The repository with name 'nothing-here' does not exist in"
                + " the registry with id '" + SOURCE + "'",
                () -> ecr.describeRepositories(r -> r.repositoryNames("page-a", "nothing-here")));

        ecr.putImageTagMutability(r -> r.repositoryName("page-a").imageTagMutability("IMMUTABLE"));
        ecr.putImageScanningConfiguration(r -> r.repositoryName("page-a").imageScanningConfiguration(s -> s
                .scanOnPush(true)));
        Repository changed = ecr.describeRepositories(r -> r.repositoryNames("page-a")).repositories().get(0);
        assertEquals("IMMUTABLE", changed.imageTagMutabilityAsString());
        assertTrue(changed.imageScanningConfiguration().scanOnPush());

        String arn = created.repositoryArn();
        ecr.tagResource(r -> r.resourceArn(arn).tags(t -> t.key("env").value("dev")));
        ecr.untagResource(r -> r.resourceArn(arn).tagKeys("team"));
        assertEquals(Map.of("env", "dev"), ecr.listTagsForResource(r -> r.resourceArn(arn)).tags().stream()
                .collect(Collectors.toMap(t -> t.key(), t -> t.value())));
        assertError(400, "RepositoryNotFoundException", null, () -> ecr.listTagsForResource(r -> r.resourceArn(
                "arn:aws:ecr:us-east-1:" + SOURCE + ":repository/nothing-here")));
        assertError(400, "InvalidParameterException", null, () -> ecr.tagResource(r -> r.resourceArn("not-an-arn")
                .tags(t -> t.key("a").value("b"))));

        assertEquals("page-b", ecr.deleteRepository(r -> r.repositoryName("page-b")).repository().repositoryName());
        assertFalse(names().contains("page-b"));
        assertError(400, "RepositoryNotFoundException", null,
                () -> ecr.deleteRepository(r -> r.repositoryName("page-b")));
    }

    @Test
    void layersAreUploadedInPartsAndImagesPushedReadListedAndDeleted() throws Exception {
        ecr.createRepository(r -> r.repositoryName("images"));
        byte[] layer = new byte[3000];
        for (int i = 0; i < layer.length; i++) {
            layer[i] = (byte) (i * 31);
        }
        String layerDigest = pushLayer(ecr, null, "images", layer, 1024);
        var available = ecr.batchCheckLayerAvailability(r -> r.repositoryName("images").layerDigests(layerDigest,
                "sha256:" + "0".repeat(64)));
        assertEquals(3000L, available.layers().get(0).layerSize());
        assertEquals("AVAILABLE", available.layers().get(0).layerAvailabilityAsString());
        assertEquals("MissingLayerDigest", available.failures().get(0).failureCodeAsString());
        assertError(400, "LayerAlreadyExistsException", null, () -> pushLayer(ecr, null, "images", layer, 4096));

        // A part must continue the upload; a wrong digest leaves no layer.
        String uploadId = ecr.initiateLayerUpload(r -> r.repositoryName("images")).uploadId();
        ecr.uploadLayerPart(r -> r.repositoryName("images").uploadId(uploadId).partFirstByte(0L).partLastByte(2L)
                .layerPartBlob(SdkBytes.fromUtf8String("abc")));
        assertError(400, "InvalidLayerPartException", null, () -> ecr.uploadLayerPart(r -> r.repositoryName("images")
                .uploadId(uploadId).partFirstByte(5L).partLastByte(7L).layerPartBlob(SdkBytes.fromUtf8String("def"))));
        assertError(400, "InvalidLayerPartException", null, () -> ecr.uploadLayerPart(r -> r.repositoryName("images")
                .uploadId(uploadId).partFirstByte(3L).partLastByte(9L).layerPartBlob(SdkBytes.fromUtf8String("def"))));
        String wrong = sha256("abcdef".getBytes(StandardCharsets.UTF_8));
        assertError(400, "InvalidLayerException", null, () -> ecr.completeLayerUpload(r -> r.repositoryName("images")
                .uploadId(uploadId).layerDigests(wrong)));
        assertTrue(ecr.batchCheckLayerAvailability(r -> r.repositoryName("images").layerDigests(wrong)).layers()
                .isEmpty());
        assertError(400, "UploadNotFoundException", null, () -> ecr.completeLayerUpload(r -> r.repositoryName("images")
                .uploadId("00000000-0000-4000-8000-000000000000").layerDigests(wrong)));
        String empty = ecr.initiateLayerUpload(r -> r.repositoryName("images")).uploadId();
        assertError(400, "EmptyUploadException", null, () -> ecr.completeLayerUpload(r -> r.repositoryName("images")
                .uploadId(empty).layerDigests(wrong)));

        // PutImage: every blob the manifest names must have been uploaded to the repository.
        String missingConfig = "sha256:" + "1".repeat(64);
        assertError(400, "LayersNotFoundException", "Layers with digests '[" + missingConfig + "]' required for"
                + " pushing image into repository with name 'images' in the registry with id '" + SOURCE
                + "' do not exist", () -> ecr.putImage(r -> r.repositoryName("images")
                .imageManifest(manifest(missingConfig, 10, layerDigest, 3000))));
        assertError(400, "InvalidParameterException", "Invalid parameter at 'ImageManifest' failed to satisfy"
                + " constraint: 'Invalid JSON syntax'", () -> ecr.putImage(r -> r.repositoryName("images")
                .imageManifest("not json")));
        byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String configDigest = pushLayer(ecr, null, "images", config, 1024);
        String manifest = manifest(configDigest, config.length, layerDigest, 3000);
        var pushed = ecr.putImage(r -> r.repositoryName("images").imageManifest(manifest).imageTag("v1")).image();
        String digest = sha256(manifest.getBytes(StandardCharsets.UTF_8));
        assertEquals(digest, pushed.imageId().imageDigest());
        assertEquals("application/vnd.docker.distribution.manifest.v2+json", pushed.imageManifestMediaType());
        assertError(400, "ImageAlreadyExistsException", "Image with digest '" + digest + "' and tag 'v1' already"
                + " exists in the repository with name 'images' in registry with id '" + SOURCE + "'",
                () -> ecr.putImage(r -> r.repositoryName("images").imageManifest(manifest).imageTag("v1")));
        ecr.putImage(r -> r.repositoryName("images").imageManifest(manifest).imageTag("latest"));

        // An OCI manifest; then v1 moves to it (the repository is mutable), and the first keeps "latest".
        String oci = manifest.replace("application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.oci.image.manifest.v1+json");
        String ociDigest = ecr.putImage(r -> r.repositoryName("images").imageManifest(oci).imageTag("v1")).image()
                .imageId().imageDigest();
        var described = ecr.describeImages(r -> r.repositoryName("images")).imageDetails();
        assertEquals(2, described.size());
        var firstImage = described.stream().filter(d -> d.imageDigest().equals(digest)).findFirst().orElseThrow();
        assertEquals(List.of("latest"), firstImage.imageTags());
        assertEquals(3000L, firstImage.imageSizeInBytes());
        assertTrue(Duration.between(firstImage.imagePushedAt(), Instant.now()).abs().toMinutes() < 5);
        assertEquals("application/vnd.docker.container.image.v1+json", firstImage.artifactMediaType());
        assertEquals(oci, ecr.batchGetImage(r -> r.repositoryName("images").imageIds(i -> i.imageTag("v1"))).images()
                .get(0).imageManifest());

        var got = ecr.batchGetImage(r -> r.repositoryName("images").imageIds(i -> i.imageTag("latest"),
                i -> i.imageTag("nope"), i -> i.imageDigest(ociDigest).imageTag("latest")));
        assertEquals(manifest, got.images().get(0).imageManifest());
        assertEquals(List.of("ImageNotFound", "ImageTagDoesNotMatchDigest"), got.failures().stream()
                .map(f -> f.failureCodeAsString()).toList());
        assertEquals("Requested image not found", got.failures().get(0).failureReason());
        assertError(400, "ImageNotFoundException", "The image with imageId {imageDigest:'null', imageTag:'nope'} does"
                + " not exist within the repository with name 'images' in the registry with id '" + SOURCE + "'",
                () -> ecr.describeImages(r -> r.repositoryName("images").imageIds(i -> i.imageTag("nope"))));

        // An untagged image, then the listings and their filters.
        ecr.putImage(r -> r.repositoryName("images").imageManifest(manifest(configDigest, config.length)));
        assertEquals(3, ecr.listImages(r -> r.repositoryName("images")).imageIds().size(), "latest, v1, untagged");
        assertEquals(1, ecr.listImages(r -> r.repositoryName("images").filter(f -> f.tagStatus(TagStatus.UNTAGGED)))
                .imageIds().size());
        var page = ecr.listImages(r -> r.repositoryName("images").filter(f -> f.tagStatus(TagStatus.TAGGED))
                .maxResults(1));
        assertEquals(1, page.imageIds().size());
        List<ImageIdentifier> all = new ArrayList<>(page.imageIds());
        all.addAll(ecr.listImages(r -> r.repositoryName("images").filter(f -> f.tagStatus(TagStatus.TAGGED))
                .nextToken(page.nextToken())).imageIds());
        assertEquals(List.of("latest", "v1"), all.stream().map(ImageIdentifier::imageTag).sorted().toList());

        assertError(400, "RepositoryNotEmptyException", "The repository with name 'images' in registry with id '"
                + SOURCE + "' cannot be deleted because it still contains images",
                () -> ecr.deleteRepository(r -> r.repositoryName("images")));
        var deleted = ecr.batchDeleteImage(r -> r.repositoryName("images").imageIds(i -> i.imageTag("latest"),
                i -> i.imageTag("gone")));
        assertEquals(List.of(ImageIdentifier.builder().imageDigest(digest).imageTag("latest").build()),
                deleted.imageIds());
        assertEquals("ImageNotFound", deleted.failures().get(0).failureCodeAsString());
        assertEquals(2, ecr.describeImages(r -> r.repositoryName("images")).imageDetails().size(),
                "the last tag of an image went with it");
        ecr.deleteRepository(r -> r.repositoryName("images").force(true));
        assertError(400, "RepositoryNotFoundException", null, () -> ecr.listImages(r -> r.repositoryName("images")));
    }

    @Test
    void anImmutableTagIsNeverMoved() throws Exception {
        ecr.createRepository(r -> r.repositoryName("immutable").imageTagMutability("IMMUTABLE"));
        pushImage(ecr, null, "immutable", "one", "release");
        assertError(400, "ImageTagAlreadyExistsException", "The image tag 'release' already exists in the"
                + " 'immutable' repository and cannot be overwritten because the tag is immutable.",
                () -> pushImage(ecr, null, "immutable", "two", "release"));
        assertEquals(1, ecr.describeImages(r -> r.repositoryName("immutable")).imageDetails().size(),
                "the refused push made no image");
        // An exclusion keeps matching tags mutable.
        ecr.putImageTagMutability(r -> r.repositoryName("immutable").imageTagMutability("IMMUTABLE_WITH_EXCLUSION")
                .imageTagMutabilityExclusionFilters(f -> f.filterType("WILDCARD").filter("latest*")));
        pushImage(ecr, null, "immutable", "three", "latest");
        pushImage(ecr, null, "immutable", "four", "latest");
        assertError(400, "ImageTagAlreadyExistsException", null, () -> pushImage(ecr, null, "immutable", "five",
                "release"));
    }

    @Test
    void repositoryAndLifecyclePoliciesAreValidatedStoredAndDeleted() {
        ecr.createRepository(r -> r.repositoryName("policies"));
        assertError(400, "RepositoryPolicyNotFoundException", "Repository policy does not exist for the repository"
                + " with name 'policies' in the registry with id '" + SOURCE + "'",
                () -> ecr.getRepositoryPolicy(r -> r.repositoryName("policies")));
        assertError(400, "InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy"
                + " constraint: 'Invalid repository policy provided'", () -> ecr.setRepositoryPolicy(r -> r
                .repositoryName("policies").policyText("{\"Statement\":")));
        assertError(400, "InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy"
                + " constraint: 'Invalid repository policy provided'", () -> ecr.setRepositoryPolicy(r -> r
                .repositoryName("policies").policyText(pullPolicy("arn:aws:iam::" + DESTINATION + ":role/no-such"))));
        String lockOut = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\","
                + "\"Action\":\"ecr:*\"}]}";
        assertError(400, "InvalidParameterException", null, () -> ecr.setRepositoryPolicy(r -> r
                .repositoryName("policies").policyText(lockOut)));
        assertError(400, "RepositoryPolicyNotFoundException", null,
                () -> ecr.getRepositoryPolicy(r -> r.repositoryName("policies")));
        assertError(400, "LifecyclePolicyNotFoundException", "Lifecycle policy does not exist for the repository with"
                + " name 'policies' in the registry with id '" + SOURCE + "'",
                () -> ecr.getLifecyclePolicy(r -> r.repositoryName("policies")));
        String noRules = "{\"rules\":[]," + " ".repeat(100) + "}";
        assertError(400, "InvalidParameterException", null, () -> ecr.putLifecyclePolicy(r -> r
                .repositoryName("policies").lifecyclePolicyText(noRules)));
        String lifecycle = "{\"rules\":[{\"rulePriority\":1,\"description\":\"keep ten\",\"selection\":{\"tagStatus\":"
                + "\"any\",\"countType\":\"imageCountMoreThan\",\"countNumber\":10},"
                + "\"action\":{\"type\":\"expire\"}}]}";
        String policy = pullPolicy("arn:aws:iam::" + DESTINATION + ":root");
        assertEquals(policy, ecr.setRepositoryPolicy(r -> r.repositoryName("policies").policyText(policy))
                .policyText());
        assertEquals(policy, ecr.getRepositoryPolicy(r -> r.repositoryName("policies")).policyText());
        assertEquals(policy, ecr.deleteRepositoryPolicy(r -> r.repositoryName("policies")).policyText());
        assertError(400, "RepositoryPolicyNotFoundException", null,
                () -> ecr.deleteRepositoryPolicy(r -> r.repositoryName("policies")));
        ecr.putLifecyclePolicy(r -> r.repositoryName("policies").lifecyclePolicyText(lifecycle));
        assertEquals(lifecycle, ecr.getLifecyclePolicy(r -> r.repositoryName("policies")).lifecyclePolicyText());
        ecr.deleteLifecyclePolicy(r -> r.repositoryName("policies"));
        assertError(400, "LifecyclePolicyNotFoundException", null,
                () -> ecr.deleteLifecyclePolicy(r -> r.repositoryName("policies")));

        // Forced, the lock-out binds the repository's own account too: an explicit Deny wins.
        ecr.setRepositoryPolicy(r -> r.repositoryName("policies").policyText(lockOut).force(true));
        assertError(400, "AccessDeniedException", null,
                () -> ecr.getRepositoryPolicy(r -> r.repositoryName("policies")));

    }

    static String pullPolicy(String principal) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"pull\",\"Effect\":\"Allow\",\"Principal\":"
                + "{\"AWS\":\"" + principal + "\"},\"Action\":[\"ecr:ListImages\",\"ecr:BatchGetImage\","
                + "\"ecr:BatchCheckLayerAvailability\"]}]}";
    }

    @Test
    void authorizationTokensAreBase64OfAwsAndASealedPassword() {
        Instant before = Instant.now();
        var data = ecr.getAuthorizationToken().authorizationData();
        assertEquals(1, data.size());
        String decoded = new String(Base64.getDecoder().decode(data.get(0).authorizationToken()),
                StandardCharsets.UTF_8);
        assertTrue(decoded.startsWith("AWS:ecr1."), decoded);
        // Where docker login must go: crossrole's registry port (AWS's endpoint is not this machine).
        assertEquals(crossrole.server.registryEndpoint().orElseThrow(), data.get(0).proxyEndpoint());
        Duration left = Duration.between(before, data.get(0).expiresAt());
        assertTrue(left.compareTo(Duration.ofHours(11)) > 0 && left.compareTo(Duration.ofHours(13)) < 0,
                left.toString());
        assertTrue(crossrole.server.ecrTokens().openAuthorization(data.get(0).authorizationToken(), Instant.now())
                .map(grant -> grant.principalArn().equals("arn:aws:iam::" + SOURCE + ":user/admin")).orElse(false),
                "crossrole takes the token back for the caller who obtained it");
    }

    @Test
    void anotherAccountReadsARepositoryOnlyWhenItsPolicyAndTheReadersIdentityPolicyAllow() throws Exception {
        other.createRepository(r -> r.repositoryName("shared/app"));
        String manifest = pushImage(other, null, "shared/app", "shared", "v1");
        String reader = "arn:aws:iam::" + SOURCE + ":role/ecr-reader";
        String bystander = "arn:aws:iam::" + SOURCE + ":role/ecr-bystander";
        String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::" + SOURCE + ":root\"},\"Action\":\"sts:AssumeRole\"}]}";
        try (IamClient iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE))) {
            iam.createRole(r -> r.roleName("ecr-reader").assumeRolePolicyDocument(trust));
            iam.putRolePolicy(r -> r.roleName("ecr-reader").policyName("pull").policyDocument("{\"Version\":"
                    + "\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"ecr:ListImages\","
                    + "\"ecr:BatchGetImage\"],\"Resource\":\"*\"}]}"));
            iam.createRole(r -> r.roleName("ecr-bystander").assumeRolePolicyDocument(trust));
        }
        try (EcrClient asReader = client(crossrole.endpoint(), assume(reader));
             EcrClient asBystander = client(crossrole.endpoint(), assume(bystander))) {
            AwsServiceException denied = assertError(400, "AccessDeniedException", null,
                    () -> asReader.listImages(r -> r.registryId(DESTINATION).repositoryName("shared/app")));
            assertTrue(denied.awsErrorDetails().errorMessage().endsWith("because no resource-based policy allows the"
                    + " ecr:ListImages action"), denied.awsErrorDetails().errorMessage());
            other.setRepositoryPolicy(r -> r.repositoryName("shared/app").policyText(pullPolicy(reader) .replace(
                    "\"Statement\":[", "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + bystander
                            + "\"},\"Action\":\"ecr:ListImages\"},")));
            assertEquals("v1", asReader.listImages(r -> r.registryId(DESTINATION).repositoryName("shared/app"))
                    .imageIds().get(0).imageTag());
            assertEquals(manifest, asReader.batchGetImage(r -> r.registryId(DESTINATION).repositoryName("shared/app")
                    .imageIds(i -> i.imageTag("v1"))).images().get(0).imageManifest());
            // The repository policy alone is not enough: the reader's own account must allow it too.
            AwsServiceException noIdentity = assertError(400, "AccessDeniedException", null, () -> asBystander
                    .listImages(r -> r.registryId(DESTINATION).repositoryName("shared/app")));
            assertTrue(noIdentity.awsErrorDetails().errorMessage().contains("no identity-based policy allows the"
                    + " ecr:ListImages action"), noIdentity.awsErrorDetails().errorMessage());
            // Neither does the policy grant what it does not name.
            AwsServiceException notGranted = assertError(400, "AccessDeniedException", null, () -> asReader
                    .describeImages(r -> r.registryId(DESTINATION).repositoryName("shared/app")));
            assertTrue(notGranted.awsErrorDetails().errorMessage().startsWith("User: arn:aws:sts::" + SOURCE
                    + ":assumed-role/ecr-reader/"), notGranted.awsErrorDetails().errorMessage());
            // A bare name is the caller's own registry.
            assertError(400, "AccessDeniedException", null, () -> asReader.createRepository(r -> r
                    .repositoryName("shared/app")));
        }
        assertNull(other.describeRepositories(r -> r.repositoryNames("shared/app")).nextToken());
    }

    private static AwsCredentialsProvider assume(String roleArn) {
        try (var sts = crossrole.sts(crossrole.adminCredentials(SOURCE))) {
            return TestCrossrole.session(sts.assumeRole(r -> r.roleArn(roleArn).roleSessionName("ecr")).credentials());
        }
    }

    @Test
    void repositoriesImagesLayersAndUploadsSurviveARestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var options = dev.crossrole.server.CrossroleServer.Options.defaults(dir).withPort(0);
        String manifest;
        String uploadId;
        String password;
        try (var server = dev.crossrole.server.CrossroleServer.start(options);
             EcrClient first = client(server.endpoint(), admin(server))) {
            first.createRepository(r -> r.repositoryName("kept").imageTagMutability("IMMUTABLE")
                    .tags(t -> t.key("team").value("a")));
            first.setRepositoryPolicy(r -> r.repositoryName("kept").policyText(pullPolicy("arn:aws:iam::" + DESTINATION
                    + ":root")));
            first.putLifecyclePolicy(r -> r.repositoryName("kept").lifecyclePolicyText("{\"rules\":[{\"rulePriority\":"
                    + "1,\"selection\":{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countUnit\":"
                    + "\"days\",\"countNumber\":14},\"action\":{\"type\":\"expire\"}}]}"));
            manifest = pushImage(first, null, "kept", "durable", "v1");
            uploadId = first.initiateLayerUpload(r -> r.repositoryName("kept")).uploadId();
            first.uploadLayerPart(r -> r.repositoryName("kept").uploadId(uploadId).partFirstByte(0L).partLastByte(3L)
                    .layerPartBlob(SdkBytes.fromUtf8String("half")));
            password = first.getAuthorizationToken().authorizationData().get(0).authorizationToken();
        }
        try (var again = dev.crossrole.server.CrossroleServer.start(options);
             EcrClient second = client(again.endpoint(), admin(again))) {
            Repository kept = second.describeRepositories(r -> r.repositoryNames("kept")).repositories().get(0);
            assertEquals("IMMUTABLE", kept.imageTagMutabilityAsString());
            assertEquals("a", second.listTagsForResource(r -> r.resourceArn(kept.repositoryArn())).tags().get(0)
                    .value());
            assertTrue(second.getRepositoryPolicy(r -> r.repositoryName("kept")).policyText().contains(DESTINATION));
            assertTrue(second.getLifecyclePolicy(r -> r.repositoryName("kept")).lifecyclePolicyText()
                    .contains("sinceImagePushed"));
            assertEquals(manifest, second.batchGetImage(r -> r.repositoryName("kept").imageIds(i -> i.imageTag("v1")))
                    .images().get(0).imageManifest());
            // The upload goes on where it was: its first part's bytes were kept.
            second.uploadLayerPart(r -> r.repositoryName("kept").uploadId(uploadId).partFirstByte(4L).partLastByte(8L)
                    .layerPartBlob(SdkBytes.fromUtf8String(" more")));
            String digest = sha256("half more".getBytes(StandardCharsets.UTF_8));
            second.completeLayerUpload(r -> r.repositoryName("kept").uploadId(uploadId).layerDigests(digest));
            assertEquals(9L, second.batchCheckLayerAvailability(r -> r.repositoryName("kept").layerDigests(digest))
                    .layers().get(0).layerSize());
            assertTrue(again.ecrTokens().openAuthorization(password, Instant.now()).isPresent(),
                    "a token outlives a restart");
        }
    }

    private static AwsCredentialsProvider admin(dev.crossrole.server.CrossroleServer server) {
        var admin = server.profiles().stream().filter(p -> p.account().id().equals(SOURCE)).findFirst().orElseThrow();
        return software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(admin.accessKeyId(),
                        admin.secretAccessKey()));
    }
}
