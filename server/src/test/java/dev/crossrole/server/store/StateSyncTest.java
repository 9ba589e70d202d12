package dev.crossrole.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IdGenerator;
import dev.crossrole.server.iam.Role;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes (each its own IAM caches and {@link StateSync}) sharing one store: what one commits, the other
 * sees before its next request; concurrent writes through both lose nothing; a failed operation leaves no
 * trace in the caches or the store.
 */
class StateSyncTest {
    private static final String ACCOUNT = "111122223333";
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}}";
    private static final String POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
            + "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}";

    @TempDir
    Path dir;

    private Store store;
    private Node a;
    private Node b;

    private record Node(IamDirectory iam, StateSync sync) {}

    private Node node() {
        IamDirectory iam = new IamDirectory(Clock.systemUTC(), new IdGenerator(new SecureRandom()));
        StateSync sync = new StateSync(store);
        sync.register(new IamRecords(iam));
        sync.load();
        return new Node(iam, sync);
    }

    @BeforeEach
    void open() {
        store = Stores.embedded(dir);
        a = node();
        b = node();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void whatOneNodeCommitsTheOtherSeesOnRefresh() throws Exception {
        Role created = a.sync().write(tx -> a.iam().createRole(ACCOUNT, "shared", "/", TRUST, 3600, Map.of()));
        assertTrue(b.iam().role(ACCOUNT, "shared").isEmpty(), "not before b catches up");
        b.sync().refresh();
        assertEquals(created.roleId(), b.iam().role(ACCOUNT, "shared").orElseThrow().roleId());

        b.sync().write(tx -> b.iam().putRolePolicy(ACCOUNT, "shared", "read", POLICY));
        a.sync().refresh();
        assertEquals(POLICY, a.iam().role(ACCOUNT, "shared").orElseThrow().inlinePolicies().get("read").text());

        a.sync().write(tx -> a.iam().deleteRole(ACCOUNT, "shared"));
        b.sync().refresh();
        assertTrue(b.iam().role(ACCOUNT, "shared").isEmpty());
        assertTrue(b.iam().roleById(created.roleId()).isEmpty());
        assertEquals(store.revision(), a.sync().appliedRevision());
        assertEquals(store.revision(), b.sync().appliedRevision());
    }

    @Test
    void aWriteFirstCatchesUpSoConcurrentWritesThroughBothNodesLoseNothing() throws Exception {
        a.sync().write(tx -> a.iam().createRole(ACCOUNT, "shared", "/", TRUST, 3600, Map.of()));
        int perThread = 20;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Node node = t % 2 == 0 ? a : b;
            int thread = t;
            futures.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    String name = "p-" + thread + "-" + i;
                    // Each adds its policy to the role as the node sees it: a stale cache would drop the others'.
                    node.sync().write(tx -> node.iam().putRolePolicy(ACCOUNT, "shared", name, POLICY));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        a.sync().refresh();
        b.sync().refresh();
        assertEquals(4 * perThread, a.iam().role(ACCOUNT, "shared").orElseThrow().inlinePolicies().size());
        assertEquals(4 * perThread, b.iam().role(ACCOUNT, "shared").orElseThrow().inlinePolicies().size());
        Node fresh = node();
        assertEquals(4 * perThread, fresh.iam().role(ACCOUNT, "shared").orElseThrow().inlinePolicies().size());
    }

    @Test
    void aWriteInsideAWriteJoinsItAndCommitsOrFailsWithIt() throws Exception {
        long before = store.revision();
        a.sync().write(tx -> {
            a.iam().createRole(ACCOUNT, "outer", "/", TRUST, 3600, Map.of());
            // As SNS delivers to an SQS queue while it publishes: the inner write is part of the outer one.
            return a.sync().write(inner -> a.iam().createRole(ACCOUNT, "inner", "/", TRUST, 3600, Map.of()));
        });
        assertEquals(before + 1, store.revision(), "one commit for both");
        b.sync().refresh();
        assertTrue(b.iam().role(ACCOUNT, "outer").isPresent());
        assertTrue(b.iam().role(ACCOUNT, "inner").isPresent());

        assertThrows(IllegalStateException.class, () -> a.sync().write(tx -> {
            a.sync().write(inner -> a.iam().createRole(ACCOUNT, "inner-lost", "/", TRUST, 3600, Map.of()));
            throw new IllegalStateException("the outer write fails after the inner one");
        }));
        assertTrue(a.iam().role(ACCOUNT, "inner-lost").isEmpty(), "discarded with the outer write");
        assertEquals(before + 1, store.revision());
    }

    @Test
    void aFailedOperationLeavesNothingInTheCachesOrTheStore() throws Exception {
        a.sync().write(tx -> a.iam().createRole(ACCOUNT, "kept", "/", TRUST, 3600, Map.of()));
        long revision = store.revision();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.sync().write(tx -> {
            a.iam().createRole(ACCOUNT, "half-made", "/", TRUST, 3600, Map.of());
            a.iam().putRolePolicy(ACCOUNT, "kept", "half-added", POLICY);
            a.iam().deleteRole(ACCOUNT, "kept");
            throw new IllegalStateException("failed after three changes");
        }));
        assertEquals("failed after three changes", e.getMessage());
        assertEquals(revision, store.revision());
        assertTrue(a.iam().role(ACCOUNT, "half-made").isEmpty());
        Role kept = a.iam().role(ACCOUNT, "kept").orElseThrow();
        assertTrue(kept.inlinePolicies().isEmpty(), "the policy added before the failure is gone");
        assertTrue(a.iam().takeTouched().isEmpty());
    }

    @Test
    void changesMadeOutsideAWriteAreCommittedAndSurviveTheNextWriteFailing() throws Exception {
        a.iam().createRole(ACCOUNT, "made-directly", "/", TRUST, 3600, Map.of());
        assertThrows(IllegalStateException.class, () -> a.sync().write(tx -> {
            throw new IllegalStateException("refused");
        }));
        assertTrue(a.iam().role(ACCOUNT, "made-directly").isPresent());
        b.sync().refresh();
        assertTrue(b.iam().role(ACCOUNT, "made-directly").isPresent());
    }

    @Test
    void aRenameReachesTheOtherNodeAsOneEntity() throws Exception {
        var user = a.sync().write(tx -> a.iam().createUser(ACCOUNT, "before", Map.of()));
        b.sync().refresh();
        a.sync().write(tx -> a.iam().putUser(user.withNameAndPath("after", "/")));
        b.sync().refresh();
        assertTrue(b.iam().user(ACCOUNT, "before").isEmpty());
        assertEquals(user.userId(), b.iam().user(ACCOUNT, "after").orElseThrow().userId());
    }
}
