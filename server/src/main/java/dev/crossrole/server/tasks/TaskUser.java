package dev.crossrole.server.tasks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The user sandboxed tasks run as. A crossrole running as root runs them as an unprivileged user
 * ({@code nobody} unless told otherwise), so a task cannot read what only root may; a crossrole running as
 * another user cannot switch users, so its tasks run as that user.
 *
 * @param name the user's name when known, else the uid as text (for messages)
 */
public record TaskUser(int uid, int gid, String name) {
    private static final Pattern NUMERIC = Pattern.compile("(\\d{1,9})(?::(\\d{1,9}))?");
    private static final Pattern USER_NAME = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}\\$?", Pattern.CASE_INSENSITIVE);
    /** The traditional uid and gid of {@code nobody}, when this machine's user database has no such user. */
    static final int NOBODY = 65534;

    /** Looks a user up by name or uid: its uid and primary gid, or empty when the user database has none. */
    @FunctionalInterface
    public interface Directory {
        Optional<TaskUser> lookUp(String nameOrUid);
    }

    /** The identity crossrole itself runs as. */
    public record Self(int uid, int gid) {
        public static Self ofThisProcess() {
            com.sun.security.auth.module.UnixSystem system = new com.sun.security.auth.module.UnixSystem();
            return new Self((int) system.getUid(), (int) system.getGid());
        }

        boolean root() {
            return uid == 0;
        }
    }

    public boolean root() {
        return uid == 0;
    }

    /**
     * The task user for {@code serve --task-user SPEC} ({@code null} when not given): {@code USER}, {@code UID}
     * or {@code UID:GID}.
     *
     * @throws IllegalArgumentException with the message to show when the spec is malformed, names no user, or
     *     asks a crossrole that is not root to switch users
     */
    public static TaskUser choose(String spec, Self self, Directory directory) {
        if (spec == null) {
            if (self.root()) {
                return directory.lookUp("nobody").orElse(new TaskUser(NOBODY, NOBODY, "nobody"));
            }
            return new TaskUser(self.uid(), self.gid(), String.valueOf(self.uid()));
        }
        TaskUser wanted = parse(spec, directory);
        if (!self.root() && (wanted.uid() != self.uid() || wanted.gid() != self.gid())) {
            throw new IllegalArgumentException("--task-user " + spec + ": crossrole runs as uid " + self.uid()
                    + " (gid " + self.gid() + "), not as root, so it cannot run tasks as another user; leave out"
                    + " --task-user (tasks then run as uid " + self.uid() + ") or start crossrole as root");
        }
        return wanted;
    }

    private static TaskUser parse(String spec, Directory directory) {
        Matcher numeric = NUMERIC.matcher(spec);
        if (numeric.matches()) {
            int uid = Integer.parseInt(numeric.group(1));
            if (numeric.group(2) != null) {
                return new TaskUser(uid, Integer.parseInt(numeric.group(2)), numeric.group(1));
            }
            // A uid alone takes its primary group from the user database, or the same number.
            return directory.lookUp(numeric.group(1)).map(u -> new TaskUser(uid, u.gid(), u.name()))
                    .orElse(new TaskUser(uid, uid, numeric.group(1)));
        }
        if (!USER_NAME.matcher(spec).matches()) {
            throw new IllegalArgumentException("--task-user " + spec + ": expected a user name, a uid, or uid:gid");
        }
        return directory.lookUp(spec).orElseThrow(() -> new IllegalArgumentException(
                "--task-user " + spec + ": no such user on this machine (give a uid or uid:gid instead)"));
    }

    /** This machine's user database, through {@code getent passwd} (which also sees network directories). */
    public static Directory system() {
        return nameOrUid -> {
            try {
                Process process = new ProcessBuilder("getent", "passwd", nameOrUid)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String line = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0 || line.isEmpty()) {
                    return Optional.empty();
                }
                return passwdLine(line);
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        };
    }

    /** {@code name:password:uid:gid:...} as in /etc/passwd. */
    static Optional<TaskUser> passwdLine(String line) {
        String[] fields = line.split(":", -1);
        if (fields.length < 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TaskUser(Integer.parseInt(fields[2]), Integer.parseInt(fields[3]), fields[0]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
