package dnsmig.legacy.namedconf;

import static dnsmig.legacy.namedconf.ConfigFiles.write;
import static dnsmig.legacy.namedconf.ConfigFiles.zoneFile;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where relative paths lead, decided by BIND: every candidate location holds an include file
 * declaring a zone named after the location, and zone files whose SOA serial names the location.
 * {@code named-checkconf -l} then says which include files BIND read, {@code -z} which zone files
 * it loaded, and both must match what {@link NamedConf} resolved.
 */
class PathResolutionTest {

    @TempDir
    Path tmp;

    /** Candidate directories by label; the label is part of the zone names declared there. */
    private final Map<String, Path> locations = new LinkedHashMap<>();
    private Path conf;

    @BeforeEach
    void layout() {
        locations.put("conf", tmp.resolve("conf"));
        locations.put("conf-data", tmp.resolve("conf/data"));
        locations.put("wd", tmp.resolve("wd"));
        locations.put("wd-data", tmp.resolve("wd/data"));
        locations.put("abs-data", tmp.resolve("abs-data"));
        int i = 0;
        for (Map.Entry<String, Path> e : locations.entrySet()) {
            i++;
            Path dir = e.getValue();
            write(dir.resolve("early.conf"),
                    "zone \"early-at-" + e.getKey() + ".test\" { type primary; file \"early.db\"; };\n");
            write(dir.resolve("late.conf"),
                    "zone \"late-at-" + e.getKey() + ".test\" { type primary; file \"late.db\"; };\n");
            zoneFile(dir.resolve("early.db"), i * 100L + 1);
            zoneFile(dir.resolve("late.db"), i * 100L + 2);
            zoneFile(dir.resolve("main.db"), i * 100L + 3);
        }
        conf = tmp.resolve("conf/named.conf");
    }

    private void writeNamedConf(String directoryOption) {
        write(conf, """
                include "early.conf";        // before options: relative to the working directory
                %s
                include "late.conf";         // after options: relative to options { directory }
                zone "main.test" { type primary; file "main.db"; };
                """.formatted(directoryOption));
    }

    @ParameterizedTest(name = "directory {0}, started in {1}")
    @CsvSource({
            // directory, working dir, expected directory(), early.conf read from, late.conf read from
            "relative, conf, conf-data, conf, conf-data",
            "relative, wd,   wd-data,   wd,   wd-data",
            "absolute, conf, abs-data,  conf, abs-data",
            "absolute, wd,   abs-data,  wd,   abs-data",
            "unset,    conf, conf,      conf, conf",
            "unset,    wd,   wd,        wd,   wd",
    })
    void relativePathsResolveAsBindResolvesThem(String directory, String startedIn, String expectedDirectory,
            String earlyFrom, String lateFrom) throws NamedConfException {
        writeNamedConf(switch (directory) {
            case "relative" -> "options { directory \"data\"; };";
            case "absolute" -> "options { directory \"" + locations.get("abs-data") + "\"; };";
            default -> "options { version \"none\"; };";
        });
        Path workingDirectory = locations.get(startedIn);

        NamedConf named = startedIn.equals("conf") ? NamedConf.read(conf) : NamedConf.read(conf, workingDirectory);

        Path dir = locations.get(expectedDirectory);
        assertThat(named.directory()).isEqualTo(dir);
        assertThat(named.zones()).extracting(ZoneDecl::name)
                .containsExactly("early-at-" + earlyFrom + ".test", "late-at-" + lateFrom + ".test", "main.test");
        assertThat(named.zones()).extracting(ZoneDecl::file)
                .containsExactly(dir.resolve("early.db"), dir.resolve("late.db"), dir.resolve("main.db"));
        assertThat(named.zones()).extracting(ZoneDecl::declaredIn).containsExactly(
                locations.get(earlyFrom).resolve("early.conf"), locations.get(lateFrom).resolve("late.conf"), conf);

        // The oracle, started in the same working directory.
        assertThat(named.zones()).map(BindCheckconf::listed)
                .containsExactlyElementsOf(BindCheckconf.listZones(conf, workingDirectory));
        assertThat(named.primaryZones()).map(z -> BindCheckconf.serialOf(z.file()))
                .containsExactlyElementsOf(BindCheckconf.loadedSerials(conf, workingDirectory));
    }

    @Test
    void aRelativeConfigPathIsTakenFromTheWorkingDirectoryLikeNamedDashC() throws NamedConfException {
        writeNamedConf("");

        NamedConf named = NamedConf.read(Path.of("conf/named.conf"), tmp);

        assertThat(named.directory()).isEqualTo(tmp);
        assertThat(named.zones()).extracting(ZoneDecl::declaredIn)
                .containsExactly(tmp.resolve("early.conf"), tmp.resolve("late.conf"), conf);
        assertThat(named.zones()).extracting(ZoneDecl::name)
                .containsExactly("early-at-tmp.test", "late-at-tmp.test", "main.test");
    }

    @BeforeEach
    void filesInTheTempRootToo() {
        write(tmp.resolve("early.conf"), "zone \"early-at-tmp.test\" { type primary; file \"early.db\"; };\n");
        write(tmp.resolve("late.conf"), "zone \"late-at-tmp.test\" { type primary; file \"late.db\"; };\n");
    }

    @Test
    void theDefaultWorkingDirectoryIsTheDirectoryOfTheTopLevelFile() throws NamedConfException {
        writeNamedConf("");

        assertThat(NamedConf.read(conf).directory()).isEqualTo(locations.get("conf"));
        assertThat(NamedConf.read(conf).zones()).extracting(ZoneDecl::line).containsExactly(1, 1, 4);
    }

    @Test
    void zoneFilesAreRelativeToTheFinalDirectoryEvenWhenDeclaredBeforeOptions() throws NamedConfException {
        write(conf, """
                zone "before.test" { type primary; file "sub/../before.db"; };
                options { directory "data"; };
                zone "absolute.test" { type primary; file "%s"; };
                zone "secondary.test" { type secondary; primaries { 127.0.0.1; }; };
                """.formatted(tmp.resolve("abs.db")));
        ConfigFiles.dir(locations.get("conf-data").resolve("sub"));
        zoneFile(locations.get("conf-data").resolve("before.db"), 7);
        zoneFile(tmp.resolve("abs.db"), 8);

        NamedConf named = NamedConf.read(conf);

        assertThat(named.zones()).extracting(ZoneDecl::file).containsExactly(
                locations.get("conf-data").resolve("sub/../before.db"), tmp.resolve("abs.db"), null);
        assertThat(named.primaryZones()).map(z -> BindCheckconf.serialOf(z.file()))
                .containsExactlyElementsOf(BindCheckconf.loadedSerials(conf, locations.get("conf")))
                .containsExactly(7L, 8L);
        assertThat(List.copyOf(named.primaryZones())).extracting(ZoneDecl::name)
                .containsExactly("before.test", "absolute.test");
    }
}
