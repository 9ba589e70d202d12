package dev.crossrole.it;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/** A crossrole on a free port with a fresh data directory, and SDK clients pointed at it. */
final class CrossroleFixture implements AutoCloseable {
    static final String SOURCE = "111122223333";
    static final String DESTINATION = "555566667777";

    final Path dataDir;
    final CrossroleServer server;

    CrossroleFixture() throws Exception {
        dataDir = Files.createTempDirectory("crossrole-it");
        server = CrossroleServer.start(CrossroleServer.Options.defaults(dataDir).withPort(0));
    }

    String endpoint() {
        return server.endpoint();
    }

    Bootstrap.Profile admin(String account) {
        return server.profiles().stream().filter(p -> p.account().id().equals(account)).findFirst().orElseThrow();
    }

    AwsCredentialsProvider adminCredentials(String account) {
        Bootstrap.Profile p = admin(account);
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(), p.secretAccessKey()));
    }

    static AwsCredentialsProvider session(Credentials c) {
        return StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(),
                c.sessionToken()));
    }

    StsClient sts(AwsCredentialsProvider credentials) {
        return StsClient.builder()
                .endpointOverride(java.net.URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @Override
    public void close() throws IOException {
        server.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
