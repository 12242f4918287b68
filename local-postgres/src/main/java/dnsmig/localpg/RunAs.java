package dnsmig.localpg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who runs the PostgreSQL binaries. PostgreSQL refuses to run as root, so when dnsmig is root
 * the binaries run as an unprivileged user through {@code setpriv}; otherwise as the current
 * user, unchanged.
 *
 * <p>As root the user is, in this order: the owner of an existing cluster (only its owner can
 * run it), {@code $DNSMIG_PG_USER}, or the system user {@code dnsmig} ({@code ./dnsmig} and
 * {@code scripts/test} create it). There is no silent fallback to {@code nobody}: files owned by
 * {@code nobody} are open to every other service that runs as {@code nobody}, so that user is
 * used only when named explicitly.
 */
record RunAs(String user, int uid, int gid) {

    private static final Logger log = LoggerFactory.getLogger(RunAs.class);

    static final RunAs CURRENT = new RunAs(null, -1, -1);
    static final String DEFAULT_USER = "dnsmig";

    /** A user's uid and gid, if the user exists. */
    record Ids(int uid, int gid) {}

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Who runs the binaries of the cluster in {@code clusterDir} (which may not exist yet). */
    static RunAs forCluster(Path clusterDir) {
        if (!isRoot()) {
            return CURRENT;
        }
        return resolve(System.getenv("DNSMIG_PG_USER"), owner(clusterDir), RunAs::lookup);
    }

    /**
     * @param configured {@code $DNSMIG_PG_USER} (null or blank: not set)
     * @param clusterOwner the user owning the existing cluster directory, if there is one
     */
    static RunAs resolve(String configured, Optional<String> clusterOwner, Function<String, Optional<Ids>> lookup) {
        boolean explicit = configured != null && !configured.isBlank();
        if (clusterOwner.isPresent() && !clusterOwner.get().equals("root")) {
            String owner = clusterOwner.get();
            if (explicit && !configured.equals(owner)) {
                log.warn("DNSMIG_PG_USER is '{}' but the existing local PostgreSQL cluster belongs to '{}'; running it as '{}'", configured, owner, owner);
            }
            if (owner.equals("nobody")) {
                log.warn("the local PostgreSQL runs as 'nobody' (made by an older dnsmig): every service running as 'nobody' can read its files."
                        + " Move it to the user '{}': dnsmig db stop; chown -R {}: <data dir>/pg", DEFAULT_USER, DEFAULT_USER);
            }
            return lookup.apply(owner).map(ids -> of(owner, ids))
                    .orElseThrow(() -> new IllegalStateException("the local PostgreSQL cluster belongs to '" + owner + "', which does not exist"));
        }
        String user = explicit ? configured.strip() : DEFAULT_USER;
        Optional<Ids> ids = lookup.apply(user);
        if (ids.isEmpty()) {
            throw new IllegalStateException("dnsmig runs as root and PostgreSQL may not: the unprivileged user '" + user
                    + "' to run the local PostgreSQL as does not exist. Create it (useradd --system --no-create-home --shell /usr/sbin/nologin "
                    + user + "; ./dnsmig and scripts/test do this) or name another unprivileged user in DNSMIG_PG_USER");
        }
        if (ids.get().uid() == 0) {
            throw new IllegalStateException("DNSMIG_PG_USER '" + user + "' is root; PostgreSQL must run as an unprivileged user");
        }
        return of(user, ids.get());
    }

    private static RunAs of(String user, Ids ids) {
        return new RunAs(user, ids.uid(), ids.gid());
    }

    private static Optional<Ids> lookup(String user) {
        var uid = Processes.tryRun(List.of("id", "-u", user));
        var gid = Processes.tryRun(List.of("id", "-g", user));
        if (uid == null || gid == null) {
            return Optional.empty();
        }
        return Optional.of(new Ids(Integer.parseInt(uid.strip()), Integer.parseInt(gid.strip())));
    }

    private static Optional<String> owner(Path dir) {
        try {
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) ? Optional.of(Files.getOwner(dir).getName()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
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
