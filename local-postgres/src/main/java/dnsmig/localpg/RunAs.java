package dnsmig.localpg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Who runs the PostgreSQL binaries. PostgreSQL refuses to run as root, so when dnsmig is root
 * the binaries run as an unprivileged user through {@code setpriv}; otherwise as the current
 * user, unchanged.
 */
record RunAs(String user, int uid, int gid) {

    static final RunAs CURRENT = new RunAs(null, -1, -1);

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static RunAs forCurrentUser() {
        if (!isRoot()) {
            return CURRENT;
        }
        String configured = System.getenv("DNSMIG_PG_USER");
        List<String> candidates = configured != null && !configured.isBlank() ? List.of(configured) : List.of("dnsmig", "nobody");
        for (String candidate : candidates) {
            var uid = Processes.tryRun(List.of("id", "-u", candidate));
            var gid = Processes.tryRun(List.of("id", "-g", candidate));
            if (uid != null && gid != null) {
                return new RunAs(candidate, Integer.parseInt(uid.strip()), Integer.parseInt(gid.strip()));
            }
        }
        throw new IllegalStateException("dnsmig runs as root and PostgreSQL may not: no unprivileged user " + candidates
                + " exists to run it as; create one (useradd --system dnsmig) or set DNSMIG_PG_USER");
    }

    boolean switches() {
        return user != null;
    }

    List<String> wrap(List<String> command) {
        if (!switches()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    void chown(Path path) throws IOException {
        if (!switches()) {
            return;
        }
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(path, lookup.lookupPrincipalByName(user));
        Files.setAttribute(path, "unix:gid", gid);
    }

    /** Directories the unprivileged user must enter (the binaries' cache) get o+rx. */
    void makeTraversable(Path dir) throws IOException {
        if (!switches()) {
            return;
        }
        Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(dir));
        perms.add(PosixFilePermission.OTHERS_READ);
        perms.add(PosixFilePermission.OTHERS_EXECUTE);
        Files.setPosixFilePermissions(dir, perms);
    }

    /** Fails with an operator-readable message when the database user cannot write {@code dir}. */
    void checkCanWrite(Path dir) {
        if (!switches()) {
            return;
        }
        var result = Processes.tryRun(wrap(List.of("test", "-w", dir.toString())));
        if (result == null) {
            throw new IllegalStateException("PostgreSQL runs as the unprivileged user '" + user + "' and cannot reach " + dir
                    + ": one of its parent directories is closed to other users (e.g. /root). Choose a --data-dir elsewhere"
                    + " (the default as root is /var/lib/dnsmig) or open its parents with chmod o+x");
        }
    }
}
