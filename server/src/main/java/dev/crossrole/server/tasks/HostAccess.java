package dev.crossrole.server.tasks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * What the task user may do with a path of this machine, and who could change it. A bind mount is made by
 * crossrole's sandbox, not by the task user: whatever the task user could not reach on the host must be refused
 * before the bind, or the bind would hand it over.
 *
 * @param user the user tasks run as
 * @param privileged whether crossrole runs as root (then the task user is another user, and its access is worked
 *     out from the owner, group and mode of each folder: {@code setpriv --clear-groups} leaves it no other group)
 * @param crossroleUid the uid crossrole runs as
 */
record HostAccess(TaskUser user, boolean privileged, int crossroleUid) {
    private static final int STICKY = 01000;

    /** Whether the task user may pass through the folder (its execute bit for that user). */
    boolean canEnter(Path folder) {
        return allowed(folder, 01);
    }

    /** Whether the task user may write the file, or create and remove entries in the folder. */
    boolean canWrite(Path path) {
        return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? allowed(path, 03) : allowed(path, 02);
    }

    /**
     * Why someone other than root or crossrole's user could rename or replace {@code child} inside {@code folder}
     * (and so re-point a path through it after crossrole checked it), or {@code null} when nobody could. A
     * folder writable by others is safe only when it is sticky (like {@code /tmp}) and the entry is root's or
     * crossrole's user's: in a sticky folder only an entry's owner may rename it.
     */
    String whoCouldReplace(Path folder, Path child) throws IOException {
        int owner = (Integer) Files.getAttribute(folder, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(folder, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (!trusted(owner)) {
            return folder + " belongs to uid " + owner;
        }
        if ((mode & 022) == 0) {
            return null;
        }
        if ((mode & STICKY) == 0) {
            return folder + " may be written by " + ((mode & 002) != 0 ? "every user" : "its group");
        }
        int childOwner = (Integer) Files.getAttribute(child, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        return trusted(childOwner) ? null : child + " belongs to uid " + childOwner + " in the shared folder " + folder;
    }

    private boolean trusted(int uid) {
        return uid == 0 || uid == crossroleUid;
    }

    /** {@code bits}: 01 execute, 02 write, 04 read, combined; checked for the owner, the group, or others. */
    private boolean allowed(Path path, int bits) {
        if (!privileged) {
            // The task runs as crossrole's own user: what crossrole may do, it may do.
            return ((bits & 01) == 0 || Files.isExecutable(path)) && ((bits & 02) == 0 || Files.isWritable(path))
                    && ((bits & 04) == 0 || Files.isReadable(path));
        }
        if (user.root()) {
            return true;
        }
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int group = (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            int shift = owner == user.uid() ? 6 : group == user.gid() ? 3 : 0;
            return ((mode >> shift) & bits) == bits;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
