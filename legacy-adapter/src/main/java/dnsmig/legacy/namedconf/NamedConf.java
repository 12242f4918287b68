package dnsmig.legacy.namedconf;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The zones and TSIG keys a BIND 9 {@code named.conf} declares, read the way {@code named} reads
 * it: includes followed (globs too), {@code options { directory }} applied, views, comments of all
 * three styles, and every statement this class does not need skipped by its structure.
 *
 * <p>Paths, as named resolves them (checked against {@code named-checkconf} 9.18):
 * <ul>
 *   <li>named {@code chdir()}s to {@code options { directory }} the moment it parses that option.
 *       A relative {@code include} is therefore relative to the <em>working directory</em> when it
 *       comes before the {@code options} statement, and relative to {@code directory} after it.</li>
 *   <li>A relative {@code directory} is relative to the working directory.</li>
 *   <li>Zones are loaded after the whole file is parsed, so a relative zone {@code file} is
 *       relative to {@code directory} wherever the zone statement stands (to the working directory
 *       when there is no {@code directory}).</li>
 *   <li>The working directory is the one named was started in. Since dnsmig usually reads a copy
 *       of the configuration, {@link #read(Path)} takes the directory holding the top-level file;
 *       {@link #read(Path, Path)} lets the caller say where named would have been started
 *       ({@code /} for a daemon started by systemd without {@code WorkingDirectory}).</li>
 * </ul>
 * Paths are made absolute with {@code .} elements removed; {@code ..} is kept, because the kernel
 * resolves it after symbolic links and only through existing directories. Files other than
 * included configuration files need not exist.
 *
 * <p>Instances are immutable. {@code toString()} shows no secret.
 */
public final class NamedConf {

    private final Path directory;
    private final List<ZoneDecl> zones;
    private final List<TsigKey> keys;

    private NamedConf(Path directory, List<ZoneDecl> zones, List<TsigKey> keys) {
        this.directory = directory;
        this.zones = zones;
        this.keys = keys;
    }

    /**
     * Reads {@code namedConf} (relative to the JVM's current directory when relative) as if named
     * had been started in the directory that holds it.
     */
    public static NamedConf read(Path namedConf) throws NamedConfException {
        Path conf = Objects.requireNonNull(namedConf, "namedConf").toAbsolutePath();
        conf = PathNames.withoutDots(conf);
        Path parent = conf.getParent();
        return read(conf, parent == null ? conf.getRoot() : parent);
    }

    /**
     * Reads {@code namedConf} as if named had been started in {@code workingDirectory} with
     * {@code -c namedConf}: a relative {@code namedConf} is taken relative to
     * {@code workingDirectory}, like named's {@code -c}; a relative {@code workingDirectory} is
     * taken relative to the JVM's current directory.
     */
    public static NamedConf read(Path namedConf, Path workingDirectory) throws NamedConfException {
        Objects.requireNonNull(namedConf, "namedConf");
        Path cwd = PathNames.withoutDots(
                Objects.requireNonNull(workingDirectory, "workingDirectory").toAbsolutePath());
        Path conf = PathNames.withoutDots(cwd.resolve(namedConf));
        Parser.Result result = Parser.parse(conf, cwd);
        return new NamedConf(result.directory(), result.zones(), result.keys());
    }

    /** {@code options { directory }} resolved to an absolute path, or the working directory when unset. */
    public Path directory() {
        return directory;
    }

    /** Every zone, in the order BIND reads them, views included. */
    public List<ZoneDecl> zones() {
        return zones;
    }

    /** The zones of type primary (written {@code primary} or {@code master}): what the backfill imports. */
    public List<ZoneDecl> primaryZones() {
        return zones.stream().filter(ZoneDecl::isPrimary).toList();
    }

    /** Every {@code key} statement, top level and inside views, in the order BIND reads them. */
    public List<TsigKey> keys() {
        return keys;
    }

    @Override
    public String toString() {
        return "NamedConf[directory=" + directory + ", zones=" + zones.size() + ", keys=" + keys.size() + "]";
    }
}
