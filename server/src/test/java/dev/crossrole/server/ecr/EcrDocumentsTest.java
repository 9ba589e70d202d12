package dev.crossrole.server.ecr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.protocol.AwsException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What ECR reads from documents: manifests, repository policies without a Resource, lifecycle policies. */
class EcrDocumentsTest {
    private static final String CONFIG = "sha256:" + "a".repeat(64);
    private static final String LAYER = "sha256:" + "b".repeat(64);

    @Test
    void anImageManifestNamesItsConfigAndLayersAndAListItsImages() {
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifests.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + CONFIG
                + "\",\"size\":7},"
                + "\"layers\":[{\"digest\":\"" + LAYER + "\",\"size\":100},{\"digest\":\"sha256:" + "c".repeat(64)
                + "\",\"size\":5,\"urls\":[\"https://example.com/foreign\"]}]}";
        Manifests.Manifest read = Manifests.read(manifest, null);
        assertEquals(List.of(CONFIG, LAYER), read.blobs(), "a foreign layer is never uploaded");
        assertEquals(105, read.layersSize());
        assertEquals("application/vnd.oci.image.config.v1+json", read.configMediaType());
        String list = "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" + CONFIG + "\"}]}";
        assertEquals(List.of(CONFIG), Manifests.read(list, Manifests.OCI_INDEX).images());
        assertEquals("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                Manifests.digest("hello"), "sha256 of the bytes as sent");
    }

    @Test
    void aManifestWithoutAMediaTypeOrNotJsonIsRefused() {
        AwsException noType = assertThrows(AwsException.class, () -> Manifests.read("{\"schemaVersion\":2}", null));
        assertEquals("InvalidParameterException", noType.code());
        AwsException notJson = assertThrows(AwsException.class, () -> Manifests.read("[1]", Manifests.DOCKER_V2));
        assertEquals("Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
                notJson.getMessage());
        AwsException differs = assertThrows(AwsException.class, () -> Manifests.read("{\"schemaVersion\":2,"
                + "\"mediaType\":\"" + Manifests.OCI_MANIFEST + "\"}", Manifests.DOCKER_V2));
        assertEquals("InvalidParameterException", differs.code());
    }

    @Test
    void aRepositoryPolicyStatementWithoutResourceIsOnTheRepository() {
        String arn = "arn:aws:ecr:us-east-1:111122223333:repository/app";
        assertEquals("{\"Statement\":[{\"Effect\":\"Allow\",\"Resource\":\"" + arn + "\"},{\"Effect\":\"Allow\","
                + "\"Resource\":\"*\"}]}", EcrService.withImpliedResource("{\"Statement\":[{\"Effect\":\"Allow\"},"
                + "{\"Effect\":\"Allow\",\"Resource\":\"*\"}]}", arn));
        assertEquals("not json", EcrService.withImpliedResource("not json", arn));
    }

    @Test
    void aLifecyclePolicyHasRulesWithASelectionAndAnExpireAction() {
        EcrService.validateLifecyclePolicy("{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"tagged\","
                + "\"tagPrefixList\":[\"v\"],\"countType\":\"imageCountMoreThan\",\"countNumber\":3},"
                + "\"action\":{\"type\":\"expire\"}}]}");
        for (String bad : List.of("{", "{\"rules\":[]}", "{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":"
                + "\"tagged\",\"countType\":\"imageCountMoreThan\",\"countNumber\":3},"
                + "\"action\":{\"type\":\"expire\"}}]}",
                "{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"any\","
                        + "\"countType\":\"sinceImagePushed\","
                        + "\"countNumber\":3},\"action\":{\"type\":\"expire\"}}]}")) {
            AwsException e = assertThrows(AwsException.class, () -> EcrService.validateLifecyclePolicy(bad), bad);
            assertEquals("InvalidParameterException", e.code());
        }
    }
}
