package dev.crossrole.cli;

import dev.crossrole.policy.PolicyEngine;
import dev.crossrole.policy.Simulation;
import dev.crossrole.server.CrossroleServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * Exercises the start-up path once (start a server in a temporary directory, answer a health check,
 * simulate a decision, stop) so that {@code ./crossrole} can record a class-data-sharing archive
 * with {@code -XX:ArchiveClassesAtExit}; later starts map those classes instead of loading them.
 */
@Command(name = "warm-up", hidden = true, description = "Run the start-up path once (used to build the CDS archive).")
final class WarmUpCommand implements Callable<Integer> {
    private static final String SIMULATION = "{\"request\":{\"principal\":\"arn:aws:sts::111122223333:assumed-role/r/s\","
            + "\"action\":\"sts:AssumeRole\",\"resource\":\"arn:aws:iam::555566667777:role/d\"},"
            + "\"identityPolicies\":[{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
            + "\"sts:AssumeRole\",\"Resource\":\"*\"}}],\"resourcePolicy\":{\"Version\":\"2012-10-17\",\"Statement\":"
            + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"sts:AssumeRole\"}}}";

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("crossrole-warm-up");
        try (CrossroleServer server = CrossroleServer.start(CrossroleServer.Options.defaults(dir).withPort(0))) {
            HttpURLConnection connection = (HttpURLConnection) URI.create(server.endpoint() + "/_crossrole/health")
                    .toURL().openConnection();
            try (InputStream in = connection.getInputStream()) {
                in.readAllBytes();
            }
            Simulation.toJson(Simulation.parse(SIMULATION).decide(new PolicyEngine())).toString();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory is harmless
            }
        }
        return ExitCodes.OK;
    }
}
