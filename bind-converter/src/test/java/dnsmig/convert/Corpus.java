package dnsmig.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shared corpus of real zone files (never copied into the project; several are GPL). Found
 * through the system property {@code dnsmig.corpus}, else {@code ../shared/corpus/zones} from the
 * repository root.
 */
final class Corpus {
  private Corpus() {}

  /** One row of manifest.tsv. */
  record Entry(String path, String origin, boolean bindOk, String bindMessage, long recordCount) {
    Path file() {
      return dir().resolve(path);
    }

    /** The directory BIND must run from, so that relative $INCLUDE paths resolve (SOURCES.md). */
    Path runFrom() {
      String from = RUN_FROM.get(path);
      return from != null ? dir().resolve(from) : file().getParent();
    }

    @Override
    public String toString() {
      return path;
    }
  }

  /** SOURCES.md, "Files that use $INCLUDE": file → directory to run from. */
  private static final Map<String, String> RUN_FROM =
      Map.ofEntries(
          Map.entry("bind9/bin/tests/system/checkzone/zones/bad-include-directory.db", "bind9/bin/tests/system/checkzone/zones"),
          Map.entry("bind9/bin/tests/system/checkzone/zones/nowarn.inherited.owner.db", "bind9/bin/tests/system/checkzone"),
          Map.entry("bind9/bin/tests/system/checkzone/zones/warn.inherit.origin.db", "bind9/bin/tests/system/checkzone"),
          Map.entry("bind9/bin/tests/system/checkzone/zones/warn.inherited.owner.db", "bind9/bin/tests/system/checkzone"),
          Map.entry("bind9/tests/dns/testdata/master/master8.data", "bind9/tests/dns"),
          Map.entry("bind9/tests/dns/testdata/master/master9.data", "bind9/tests/dns"),
          Map.entry("bind9/bin/tests/system/unknown/ns1/example-in.db", "bind9/bin/tests/system/unknown/ns1"),
          Map.entry("bind9/bin/tests/system/masterfile/ns1/include.db", "bind9/bin/tests/system/masterfile/ns1"),
          Map.entry("bind9/bin/tests/system/masterfile/zone/inheritownerafterinclude.db", "bind9/bin/tests/system/masterfile"),
          Map.entry("bind9/bin/tests/system/rndc/ns2/incl.db", "bind9/bin/tests/system/rndc/ns2"),
          Map.entry("nsd/tpkg/zonec_tests.tdir/zonec_tests.include_zone", "nsd/tpkg/zonec_tests.tdir"),
          Map.entry("nsd/tpkg/include_rel.tdir/m/com/example.com.zone", "nsd/tpkg/include_rel.tdir"),
          Map.entry("dnsjava/src/test/resources/zonefileIncludeDirective", "dnsjava/src/test/resources"),
          Map.entry("dnsjava/src/test/resources/zonefileIncludeDirectiveComment", "dnsjava/src/test/resources"));

  private static Path dir;
  private static List<Entry> entries;

  static synchronized Path dir() {
    if (dir == null) {
      String prop = System.getProperty("dnsmig.corpus");
      List<Path> candidates = new ArrayList<>();
      if (prop != null && !prop.isBlank()) {
        candidates.add(Path.of(prop));
      }
      candidates.add(Path.of("../shared/corpus/zones"));
      candidates.add(Path.of("../../shared/corpus/zones"));
      for (Path c : candidates) {
        if (Files.isRegularFile(c.resolve("manifest.tsv"))) {
          dir = c.toAbsolutePath().normalize();
          return dir;
        }
      }
      throw new IllegalStateException(
          "The zone corpus was not found (tried " + candidates + "); set -Ddnsmig.corpus=DIR or check out shared/ next to the repository.");
    }
    return dir;
  }

  static synchronized List<Entry> entries() {
    if (entries == null) {
      try {
        List<String> lines = Files.readAllLines(dir().resolve("manifest.tsv"), StandardCharsets.UTF_8);
        List<Entry> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
          if (line.isBlank()) {
            continue;
          }
          String[] f = line.split("\t", -1);
          long count = f.length > 4 && !f[4].isBlank() ? Long.parseLong(f[4].strip()) : -1;
          out.add(new Entry(f[0], f[1], f[2].equals("ok"), f[3], count));
        }
        entries = List.copyOf(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return entries;
  }
}
