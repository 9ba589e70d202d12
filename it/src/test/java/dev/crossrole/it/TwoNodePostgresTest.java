package dev.crossrole.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossrole.server.Bootstrap;
import dev.crossrole.server.CrossroleServer;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Two crossrole nodes, each with its own data directory, on one PostgreSQL: they behave as one crossrole.
 * Every call goes through the AWS SDK to a node's HTTP endpoint; nothing waits between a write at one node
 * and a read at the other.
 */
class TwoNodePostgresTest {
    private static final String SOURCE = "111122223333";
    private static final String TRUST_SOURCE_ACCOUNT = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + SOURCE + ":root\"},\"Action\":\"sts:AssumeRole\"}]}";
    private static final String GET_ROLE_ONLY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"iam:GetRole\",\"Resource\":\"*\"}]}";
    private SharedPostgres.Database database;

    @TempDir
    Path dir;
    private String store;
    private final List<CrossroleServer> nodes = new ArrayList<>();

    @BeforeEach
    void newDatabase() throws Exception {
        database = SharedPostgres.newDatabase("crossrole_nodes");
        store = database.store();
    }

    @AfterEach
    void stopNodes() throws Exception {
        nodes.forEach(CrossroleServer::close);
        database.close();
    }

    private CrossroleServer node(String name) throws Exception {
        CrossroleServer node = CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve(name)).withPort(0)
                .withStore(store));
        nodes.add(node);
        return node;
    }

    private static AwsCredentialsProvider admin(CrossroleServer node) {
        Bootstrap.Profile p = node.profiles().stream().filter(q -> q.account().id().equals(SOURCE)).findFirst().orElseThrow();
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(p.accessKeyId(), p.secretAccessKey()));
    }

    private static AwsCredentialsProvider session(Credentials c) {
        return StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(),
                c.sessionToken()));
    }

    private static IamClient iam(CrossroleServer node, AwsCredentialsProvider credentials) {
        return IamClient.builder().endpointOverride(URI.create(node.endpoint())).region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                // A retried write could hide a lost one.
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private static StsClient sts(CrossroleServer node, AwsCredentialsProvider credentials) {
        return StsClient.builder().endpointOverride(URI.create(node.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private static String roleArn(String name) {
        return "arn:aws:iam::" + SOURCE + ":role/" + name;
    }

    @Test
    void bothNodesShareTheAdministratorsKeysWithoutDuplicatingThem() throws Exception {
        CrossroleServer a = node("a");
        CrossroleServer b = node("b");
        assertEquals(a.profiles(), b.profiles(), "the second node found the first one's identities");
        for (CrossroleServer node : List.of(a, b)) {
            assertEquals(1, iam(node, admin(node)).listAccessKeys(r -> r.userName("admin")).accessKeyMetadata().size());
        }
    }

    @Test
    void twoNodesStartingTogetherOnAnEmptyDatabaseCreateOneSetOfKeys() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<CrossroleServer>> starting = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            starting.add(pool.submit(() -> {
                start.await();
                return CrossroleServer.start(CrossroleServer.Options.defaults(dir.resolve(name)).withPort(0).withStore(store));
            }));
        }
        start.countDown();
        for (Future<CrossroleServer> f : starting) {
            nodes.add(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        CrossroleServer a = nodes.get(0);
        CrossroleServer b = nodes.get(1);
        assertEquals(a.profiles(), b.profiles());
        for (CrossroleServer node : nodes) {
            assertEquals(1, iam(node, admin(node)).listAccessKeys(r -> r.userName("admin")).accessKeyMetadata().size());
        }
        Credentials fromA = sts(a, admin(a)).getSessionToken().credentials();
        assertEquals("arn:aws:iam::" + SOURCE + ":user/admin", sts(b, session(fromA)).getCallerIdentity().arn(),
                "one session-token key: B opens what A sealed");
    }

    @Test
    void aRoleCreatedThroughOneNodeAuthorizesAtTheOtherOnTheNextRequest() throws Exception {
        CrossroleServer a = node("a");
        CrossroleServer b = node("b");
        iam(a, admin(a)).createRole(r -> r.roleName("shared").assumeRolePolicyDocument(TRUST_SOURCE_ACCOUNT));
        iam(a, admin(a)).putRolePolicy(r -> r.roleName("shared").policyName("read").policyDocument(GET_ROLE_ONLY));

        assertEquals(roleArn("shared"), iam(b, admin(b)).getRole(r -> r.roleName("shared")).role().arn());
        Credentials fromB = sts(b, admin(b)).assumeRole(r -> r.roleArn(roleArn("shared")).roleSessionName("at-b")).credentials();
        assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/shared/at-b",
                sts(a, session(fromB)).getCallerIdentity().arn(), "credentials issued by B are accepted by A");

        Credentials fromA = sts(a, admin(a)).assumeRole(r -> r.roleArn(roleArn("shared")).roleSessionName("at-a")).credentials();
        assertEquals("arn:aws:sts::" + SOURCE + ":assumed-role/shared/at-a",
                sts(b, session(fromA)).getCallerIdentity().arn(), "credentials issued by A are accepted by B");
        assertEquals("shared", iam(b, session(fromA)).getRole(r -> r.roleName("shared")).role().roleName(),
                "the role's policy, written through A, authorizes at B");
        IamException denied = assertThrows(IamException.class, () -> iam(b, session(fromA)).listRoles());
        assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());

        // A policy change through B takes effect at A on the next request, for a session issued by A.
        iam(b, admin(b)).deleteRolePolicy(r -> r.roleName("shared").policyName("read"));
        IamException revoked = assertThrows(IamException.class, () -> iam(a, session(fromA)).getRole(r -> r.roleName("shared")));
        assertEquals("AccessDenied", revoked.awsErrorDetails().errorCode());

        // A role deleted through B can no longer be assumed at A.
        iam(b, admin(b)).deleteRole(r -> r.roleName("shared"));
        StsException gone = assertThrows(StsException.class,
                () -> sts(a, admin(a)).assumeRole(r -> r.roleArn(roleArn("shared")).roleSessionName("late")));
        assertEquals("AccessDenied", gone.awsErrorDetails().errorCode());
        assertEquals(403, gone.statusCode());
    }

    @Test
    void whileTheDatabaseIsUnreachableRequestsFailWithInternalFailureAndChangeNothing() throws Exception {
        CrossroleServer a = node("a");
        String name = database.name();
        iam(a, admin(a)).createRole(r -> r.roleName("before").assumeRolePolicyDocument(TRUST_SOURCE_ACCOUNT));
        superuser("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
        superuser("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
        try {
            IamException read = assertThrows(IamException.class, () -> iam(a, admin(a)).getRole(r -> r.roleName("before")));
            assertEquals("InternalFailure", read.awsErrorDetails().errorCode());
            assertEquals(500, read.statusCode());
            IamException write = assertThrows(IamException.class,
                    () -> iam(a, admin(a)).createRole(r -> r.roleName("during").assumeRolePolicyDocument(TRUST_SOURCE_ACCOUNT)));
            assertEquals(500, write.statusCode());
        } finally {
            superuser("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
        }
        IamClient iam = iam(a, admin(a));
        assertEquals("before", iam.getRole(r -> r.roleName("before")).role().roleName(), "service resumes by itself");
        assertEquals(List.of("before"), iam.listRoles().roles().stream().map(Role::roleName).toList(),
                "the failed CreateRole left nothing, in the store or in the node's caches");
        CrossroleServer b = node("b");
        assertEquals(List.of("before"), iam(b, admin(b)).listRoles().roles().stream().map(Role::roleName).toList());
    }

    private static void superuser(String sql) throws Exception {
        SharedPostgres.superuser(sql);
    }

    @Test
    void concurrentWritesThroughBothNodesLoseNothingAndARestartedNodeSeesEverything() throws Exception {
        CrossroleServer a = node("a");
        CrossroleServer b = node("b");
        iam(a, admin(a)).createRole(r -> r.roleName("hub").assumeRolePolicyDocument(TRUST_SOURCE_ACCOUNT));
        int threadsPerNode = 3;
        int rolesPerThread = 8;
        int policiesPerThread = 6;
        int tagsPerThread = 8; // 6 threads x 8 = 48 tags: under IAM's 50 per role
        ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerNode);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 2 * threadsPerNode; t++) {
            CrossroleServer node = t % 2 == 0 ? a : b;
            String thread = "t" + t;
            work.add(pool.submit(() -> {
                IamClient iam = iam(node, admin(node));
                start.await();
                for (int i = 0; i < Math.max(rolesPerThread, Math.max(policiesPerThread, tagsPerThread)); i++) {
                    String n = thread + "-" + i;
                    if (i < rolesPerThread) {
                        iam.createRole(r -> r.roleName("role-" + n).assumeRolePolicyDocument(TRUST_SOURCE_ACCOUNT));
                    }
                    if (i < policiesPerThread) {
                        iam.putRolePolicy(r -> r.roleName("hub").policyName("policy-" + n).policyDocument(GET_ROLE_ONLY));
                    }
                    if (i < tagsPerThread) {
                        iam.tagRole(r -> r.roleName("hub").tags(Tag.builder().key("tag-" + n).value(n).build()));
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : work) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();

        Set<String> roles = new TreeSet<>();
        Set<String> policies = new TreeSet<>();
        Set<String> tags = new TreeSet<>();
        for (int t = 0; t < 2 * threadsPerNode; t++) {
            for (int i = 0; i < rolesPerThread; i++) {
                roles.add("role-t" + t + "-" + i);
            }
            for (int i = 0; i < policiesPerThread; i++) {
                policies.add("policy-t" + t + "-" + i);
            }
            for (int i = 0; i < tagsPerThread; i++) {
                tags.add("tag-t" + t + "-" + i);
            }
        }
        roles.add("hub");
        for (CrossroleServer node : List.of(a, b)) {
            assertEverythingIsThere(node, roles, policies, tags);
        }

        a.close();
        nodes.remove(a);
        CrossroleServer restarted = node("a-again");
        assertEverythingIsThere(restarted, roles, policies, tags);
        assertEquals(b.profiles(), restarted.profiles());
    }

    private static void assertEverythingIsThere(CrossroleServer node, Set<String> roles, Set<String> policies, Set<String> tags) {
        IamClient iam = iam(node, admin(node));
        assertEquals(roles, iam.listRolesPaginator().roles().stream().map(Role::roleName).collect(Collectors.toCollection(TreeSet::new)),
                "roles at " + node.endpoint());
        assertEquals(policies, new TreeSet<>(iam.listRolePoliciesPaginator(r -> r.roleName("hub")).policyNames().stream().toList()),
                "inline policies at " + node.endpoint());
        assertEquals(tags, iam.listRoleTags(r -> r.roleName("hub")).tags().stream().map(Tag::key)
                .collect(Collectors.toCollection(TreeSet::new)), "tags at " + node.endpoint());
    }
}
