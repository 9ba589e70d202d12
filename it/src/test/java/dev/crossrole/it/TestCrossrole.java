package dev.crossrole.it;

import dev.crossrole.policy.InvalidPolicyException;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import dev.crossrole.server.iam.AccessKey;
import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IamUser;
import dev.crossrole.server.iam.ManagedPolicy;
import dev.crossrole.server.iam.Role;
import dev.crossrole.server.requestlog.RecordedRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * A crossrole on a free port with a fresh data directory (optionally on a test clock), SDK clients
 * pointed at it, and shortcuts for creating IAM entities through {@link IamDirectory} (the IAM API
 * does not exist yet).
 */
final class TestCrossrole implements AutoCloseable {
    static final String SOURCE = "111122223333";
    static final String DESTINATION = "555566667777";

    final Path dataDir;
    final CrossroleServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    TestCrossrole() throws Exception {
        this((Clock) null);
    }

    TestCrossrole(Clock clock) throws Exception {
        this(options -> clock == null ? options : options.withClock(clock));
    }

    /** A crossrole with options of the test's choosing (on a free port, in a fresh data directory). */
    TestCrossrole(java.util.function.UnaryOperator<CrossroleServer.Options> customize) throws Exception {
        dataDir = Files.createTempDirectory("crossrole-it");
        server = CrossroleServer.start(customize.apply(CrossroleServer.Options.defaults(dataDir).withPort(0)));
    }

    String endpoint() {
        return server.endpoint();
    }

    IamDirectory iam() {
        return server.iam();
    }

    Bootstrap.Profile admin(String account) {
        return server.profiles().stream().filter(p -> p.account().id().equals(account)).findFirst().orElseThrow();
    }

    AwsCredentialsProvider adminCredentials(String account) {
        Bootstrap.Profile p = admin(account);
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(), p.secretAccessKey()));
    }

    static AwsCredentialsProvider credentials(AccessKey key) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()));
    }

    static AwsCredentialsProvider session(Credentials c) {
        return StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(),
                c.sessionToken()));
    }

    StsClient sts(AwsCredentialsProvider credentials) {
        return StsClient.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    StsClient sts(AccessKey key) {
        return sts(credentials(key));
    }

    StsClient sts(Credentials sessionCredentials) {
        return sts(session(sessionCredentials));
    }

    // ---- IAM entities -----------------------------------------------------------------------

    static String roleArn(String account, String name) {
        return "arn:aws:iam::" + account + ":role/" + name;
    }

    static String userArn(String account, String name) {
        return "arn:aws:iam::" + account + ":user/" + name;
    }

    static String rootArn(String account) {
        return "arn:aws:iam::" + account + ":root";
    }

    static String sessionArn(String account, String role, String session) {
        return "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session;
    }

    /** Creates a user with inline policies and returns a fresh access key of it. */
    AccessKey user(String account, String name, Map<String, String> inlinePolicies) {
        try {
            iam().createUser(account, name, inlinePolicies);
        } catch (InvalidPolicyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return iam().createAccessKey(account, name);
    }

    /** Creates a user whose permissions boundary is the managed policy {@code boundaryArn}. */
    AccessKey boundedUser(String account, String name, Map<String, String> inlinePolicies, String boundaryArn) {
        AccessKey key = user(account, name, inlinePolicies);
        IamUser u = iam().user(account, name).orElseThrow();
        iam().putUser(new IamUser(u.account(), u.name(), u.path(), u.userId(), u.created(), u.tags(), u.inlinePolicies(),
                u.attachedPolicyArns(), boundaryArn));
        return key;
    }

    /** Puts a customer-managed policy {@code arn:aws:iam::<account>:policy/<name>} and returns its ARN. */
    String managedPolicy(String account, String name, String document) {
        String arn = "arn:aws:iam::" + account + ":policy/" + name;
        iam().putPolicy(ManagedPolicy.of(arn, name, "/", iam().ids().policyId(),
                Policies.parseValid(document, PolicyKind.IDENTITY, name), iam().clock().instant()));
        return arn;
    }

    Role role(String account, String name, String trust) {
        return role(account, name, "/", trust, 3600, Map.of());
    }

    Role role(String account, String name, String path, String trust, int maxSessionDuration, Map<String, String> tags) {
        try {
            return iam().createRole(account, name, path, trust, maxSessionDuration, tags);
        } catch (InvalidPolicyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Creates a role with one inline identity policy. */
    Role role(String account, String name, String trust, String identityPolicy) {
        role(account, name, trust);
        return rolePolicy(account, name, identityPolicy);
    }

    Role rolePolicy(String account, String roleName, String document) {
        try {
            return iam().putRolePolicy(account, roleName, "inline", document);
        } catch (InvalidPolicyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    // ---- what crossrole recorded --------------------------------------------------------------

    RecordedRequest recorded(String requestId) {
        return server.requestLog().find(requestId)
                .orElseThrow(() -> new AssertionError("crossrole recorded no request " + requestId));
    }

    /** GET on the admin API ({@code /_crossrole/...}) with the administrator's token. */
    HttpResponse<String> adminGet(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(endpoint() + pathAndQuery)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + adminToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The administrator's token, as crossrole wrote it to the data directory. */
    String adminToken() throws IOException {
        return Files.readString(server.adminTokenFile()).strip();
    }

    @Override
    public void close() throws IOException {
        server.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
