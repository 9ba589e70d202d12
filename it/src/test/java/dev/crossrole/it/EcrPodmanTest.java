package dev.crossrole.it;

import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageDetail;

/**
 * Podman against crossrole's registry, as the ECR user guide has Docker do it: {@code podman login} with the password
 * of GetAuthorizationToken, {@code podman push} and {@code podman pull} of a repository's image, and another
 * account's pull refused with ECR's words. Podman's own CLI and storage (no service is needed); plain HTTP, as with
 * any registry on loopback ({@code --tls-verify=false}).
 */
class EcrPodmanTest {
    static TestCrossrole crossrole;
    static EcrClient ecr;
    static EcrClient other;
    static Path folder;
    static String registry;
    /** Names this test gave images in Podman's storage, removed at the end (the storage is shared). */
    static final List<String> tagged = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && onPath("podman"),
                "podman runs here as root only");
        PodmanService.buildImages("busybox");
        crossrole = new TestCrossrole();
        ecr = EcrSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(SOURCE));
        other = EcrSdkTest.client(crossrole.endpoint(), crossrole.adminCredentials(DESTINATION));
        folder = Files.createTempDirectory("crossrole-podman-auth");
        String endpoint = crossrole.server.registryEndpoint().orElseThrow();
        registry = endpoint.substring("http://".length());
        assertEquals(endpoint, ecr.getAuthorizationToken().authorizationData().get(0).proxyEndpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        for (String name : tagged) {
            podman("rmi", "--ignore", name);
        }
        if (ecr != null) {
            ecr.close();
            other.close();
            crossrole.close();
        }
        if (folder != null) {
            try (var files = Files.walk(folder)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** {@code podman ARGS…}, again while another user of the shared storage holds its lock. */
    static String podman(String... args) throws IOException, InterruptedException {
        String output = "";
        for (int attempt = 0; attempt < 10; attempt++) {
            output = PodmanService.podman(args);
            if (!output.toLowerCase(java.util.Locale.ROOT).contains("lock")) {
                return output;
            }
            Thread.sleep(2000);
        }
        return output;
    }

    /** Logs in as GetAuthorizationToken's caller, into an auth file of its own; returns podman's answer. */
    private static String login(EcrClient client, Path authFile) throws Exception {
        String token = client.getAuthorizationToken().authorizationData().get(0).authorizationToken();
        String password = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8).substring(4);
        return podman("login", "--authfile", authFile.toString(), "--tls-verify=false", "--username", "AWS",
                "--password", password, registry);
    }

    @Test
    void podmanLogsInPushesAndPullsAnImageTheEcrApiSees() throws Exception {
        ecr.createRepository(r -> r.repositoryName("podman/busybox"));
        Path auth = folder.resolve("source.json");
        assertTrue(login(ecr, auth).contains("Login Succeeded"), "podman login");

        String image = registry + "/" + SOURCE + "/podman/busybox:1";
        tagged.add(image);
        podman("tag", DockerRuntimeTest.IMAGE, image);
        String pushed = podman("push", "--authfile", auth.toString(), "--tls-verify=false", image);
        assertTrue(pushed.contains("Writing manifest to image destination"), pushed);
        ImageDetail detail = ecr.describeImages(r -> r.repositoryName("podman/busybox")).imageDetails().get(0);
        assertEquals(List.of("1"), detail.imageTags());
        assertTrue(detail.imageSizeInBytes() > 0, detail.toString());

        podman("rmi", image);
        String pulled = podman("pull", "--authfile", auth.toString(), "--tls-verify=false", image);
        assertTrue(pulled.contains("Writing manifest to image destination"), pulled);
        assertTrue(podman("images", "--format", "{{.Repository}}:{{.Tag}}").contains(image), "the pulled image is in"
                + " Podman's storage");
        // Limits this machine grants (Podman's default open-files limit is above what the tests may set).
        String run = podman("run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit",
                "nproc=1024:1024", image, "echo", "pulled from crossrole");
        assertTrue(run.contains("pulled from crossrole"), run);

        // Another account: its password logs in, but ECR's decision stands between it and the repository.
        Path otherAuth = folder.resolve("destination.json");
        assertTrue(login(other, otherAuth).contains("Login Succeeded"));
        String refused = podman("pull", "--authfile", otherAuth.toString(), "--tls-verify=false", image);
        assertTrue(refused.contains("denied: User: arn:aws:iam::" + DESTINATION + ":user/admin is not authorized to"
                + " perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:" + SOURCE
                + ":repository/podman/busybox because no resource-based policy allows the ecr:BatchGetImage action"),
                refused);
        assertTrue(refused.contains("crossrole why "), refused);
    }

    @Test
    void aWrongPasswordDoesNotLogIn() throws Exception {
        String answer = podman("login", "--authfile", folder.resolve("wrong.json").toString(), "--tls-verify=false",
                "--username", "AWS", "--password", "ecr1.not-a-password", registry);
        assertFalse(answer.contains("Login Succeeded"), answer);
        assertTrue(answer.contains("invalid username/password"), answer);
    }
}
