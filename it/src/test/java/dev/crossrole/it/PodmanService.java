package dev.crossrole.it;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Podman's Docker-compatible service on a socket of its own, for tests that need a container engine (this machine
 * has no Docker daemon): started as root with runc and cgroupfs, with the test images built by
 * {@code it/images/build.sh} when missing. One per JVM; stopped when the JVM exits.
 */
public final class PodmanService {
    private static Optional<PodmanService> shared;
    private static String unavailable;

    private final Process process;
    private final Path socket;

    private PodmanService(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    /** {@code unix://…} of the service. */
    public String host() {
        return "unix://" + socket;
    }

    /**
     * The service, started on first use; empty where Podman cannot run here (then {@link #unavailable} says why, for
     * a test's skip message).
     */
    public static synchronized Optional<PodmanService> get() {
        if (shared == null) {
            try {
                shared = Optional.ofNullable(start());
            } catch (IOException e) {
                unavailable = e.getMessage();
                shared = Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unavailable = "interrupted";
                shared = Optional.empty();
            }
        }
        return shared;
    }

    public static synchronized String unavailable() {
        return unavailable;
    }

    private static PodmanService start() throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IOException("Podman's service runs here as root only; the tests run as " + System.getProperty("user.name"));
        }
        for (String tool : List.of("podman", "runc")) {
            if (find(tool) == null) {
                throw new IOException("no " + tool + " on PATH (apt-get install -y podman runc uidmap)");
            }
        }
        Path folder = Files.createTempDirectory("crossrole-podman");
        Path socket = folder.resolve("docker.sock");
        Process process = new ProcessBuilder("podman", "--runtime", "runc", "--cgroup-manager=cgroupfs", "system",
                "service", "--time=0", "unix://" + socket).redirectErrorStream(true)
                .redirectOutput(folder.resolve("service.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!pings(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException("Podman's service did not start: " + Files.readString(folder.resolve("service.log")));
            }
            Thread.sleep(50);
        }
        PodmanService service = new PodmanService(process, socket);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        buildImages("busybox");
        return service;
    }

    /** Builds a test image ({@code busybox}, {@code awscli}) unless present. */
    public static void buildImages(String which) throws IOException, InterruptedException {
        Path script = repositoryFile("it/images/build.sh");
        Process build = new ProcessBuilder("bash", script.toString(), which).redirectErrorStream(true).start();
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (build.waitFor() != 0) {
            throw new IOException("it/images/build.sh " + which + " failed: " + output);
        }
    }

    private static Path repositoryFile(String path) throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(path))) {
                return dir.resolve(path);
            }
        }
        throw new IOException("no " + path + " above " + Path.of("").toAbsolutePath());
    }

    private static boolean pings(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer answer = ByteBuffer.allocate(256);
            channel.read(answer);
            return new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII).contains(" 200 ");
        } catch (IOException e) {
            return false;
        }
    }

    private static Path find(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * A crossrole on the docker runtime, on this service; the calling test class is skipped, with the reason, where
     * Podman cannot run here.
     */
    static TestCrossrole crossroleOnEngine() throws Exception {
        PodmanService podman = get().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(podman != null, () -> "no container engine here: " + unavailable());
        return new TestCrossrole(options -> options.withTaskIsolation(dev.crossrole.server.tasks.TaskIsolation.DOCKER)
                .withDockerHost(podman.host()));
    }

    /** Runs {@code podman ARGS…} against the same storage, for what a test checks beside the API. */
    public static String podman(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return output;
    }
}
