package dev.crossrole.server.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who tasks run as: serve --task-user, and what a crossrole that is not root may ask. */
class TaskUserTest {
    private static final TaskUser.Self ROOT = new TaskUser.Self(0, 0);
    private static final TaskUser.Self ALICE = new TaskUser.Self(1000, 1000);
    private static final Map<String, TaskUser> USERS = Map.of(
            "nobody", new TaskUser(65534, 65534, "nobody"), "65534", new TaskUser(65534, 65534, "nobody"),
            "runner", new TaskUser(2001, 2002, "runner"), "2001", new TaskUser(2001, 2002, "runner"),
            "alice", new TaskUser(1000, 1000, "alice"), "1000", new TaskUser(1000, 1000, "alice"));
    private static final TaskUser.Directory DIRECTORY = name -> Optional.ofNullable(USERS.get(name));

    @Test
    void rootRunsTasksAsNobodyByDefault() {
        assertEquals(new TaskUser(65534, 65534, "nobody"), TaskUser.choose(null, ROOT, DIRECTORY));
        assertEquals(new TaskUser(65534, 65534, "nobody"), TaskUser.choose(null, ROOT, name -> Optional.empty()),
                "the traditional ids when the user database has no nobody");
    }

    @Test
    void anotherUserRunsTasksAsItself() {
        assertEquals(1000, TaskUser.choose(null, ALICE, DIRECTORY).uid());
        assertEquals(new TaskUser(1000, 1000, "alice"), TaskUser.choose("alice", ALICE, DIRECTORY));
        assertEquals(1000, TaskUser.choose("1000:1000", ALICE, DIRECTORY).uid());
    }

    @Test
    void namesUidsAndUidGidPairs() {
        assertEquals(new TaskUser(2001, 2002, "runner"), TaskUser.choose("runner", ROOT, DIRECTORY));
        assertEquals(new TaskUser(2001, 2002, "runner"), TaskUser.choose("2001", ROOT, DIRECTORY), "gid from the database");
        assertEquals(new TaskUser(3000, 3000, "3000"), TaskUser.choose("3000", ROOT, DIRECTORY), "gid = uid otherwise");
        assertEquals(new TaskUser(3000, 44, "3000"), TaskUser.choose("3000:44", ROOT, DIRECTORY));
    }

    @Test
    void malformedOrUnknownUsersAreRefusedWithTheReason() {
        assertMessage("no such user", "ghost", ROOT);
        for (String bad : new String[] {"", "-rf", "a b", "1:2:3", "12a", ":5", "1234567890"}) {
            assertMessage("expected a user name, a uid, or uid:gid", bad, ROOT);
        }
    }

    @Test
    void aCrossroleThatIsNotRootCannotSwitchUsers() {
        assertMessage("cannot run tasks as another user", "nobody", ALICE);
        assertMessage("runs as uid 1000", "1000:5", ALICE);
    }

    @Test
    void passwdLinesGiveUidAndPrimaryGid() {
        assertEquals(Optional.of(new TaskUser(65534, 65534, "nobody")),
                TaskUser.passwdLine("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"));
        assertEquals(Optional.empty(), TaskUser.passwdLine("broken:x:abc:1"));
        assertEquals(Optional.empty(), TaskUser.passwdLine("short:x"));
    }

    private static void assertMessage(String fragment, String spec, TaskUser.Self self) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskUser.choose(spec, self, DIRECTORY));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().startsWith("--task-user " + spec + ":"), e.getMessage());
    }
}
