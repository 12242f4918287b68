package dnsmig.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Bad input never crashes the converter, and a bad line never costs the good lines around it.
 * Bases are real corpus files; mutations are random but seeded by jqwik, so failures replay.
 */
class BadInputPropertiesTest {

  private static final Name EXAMPLE = Name.fromConstantString("example.com.");

  /** Corpus files used as raw material (BIND accepts all of them). */
  private static final List<String> BASES =
      List.of(
          "coredns/plugin/sign/testdata/db.miek.nl",
          "bind9/bin/tests/system/checkzone/zones/good-svcb.db",
          "bind9/bin/tests/system/checkzone/zones/good-generate-modifier.db",
          "dnscontrol/commands/test_data/example.org.zone",
          "octodns-bind/tests/zones/2.0.192.in-addr.arpa.",
          "nsd/tpkg/bug144_loc_defaults.tdir/bug144_loc_defaults.zone",
          "bind9/bin/tests/system/unknown/ns1/example-in.db",
          "knot/tests/knot/semantic_check_data/cdnskey.invalid");

  private static final List<Corpus.Entry> BASE_ENTRIES =
      Corpus.entries().stream().filter(e -> BASES.contains(e.path())).toList();

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Conversion convert(String label, byte[] data, Name origin, Path baseDir) {
    ZoneFileConverter c = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(baseDir));
    return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> c.convert(label, data, origin));
  }

  /** What every conversion must satisfy, whatever the input. */
  private static void wellFormed(Conversion c, byte[] data) {
    long lines = 1;
    for (byte b : data) {
      if (b == '\n') {
        lines++;
      }
    }
    for (Record r : c.records()) {
      assertThat(r.getDClass()).isEqualTo(DClass.IN);
      assertThat(r.getName().isAbsolute()).isTrue();
      assertThat(r.getName().subdomain(c.origin())).as("%s in %s", r, c.origin()).isTrue();
    }
    for (Finding f : c.findings()) {
      assertThat(f.line()).isBetween(0, (int) lines);
      assertThat(f.message()).isNotBlank();
      assertThat(f.severity()).isEqualTo(f.code().severity());
    }
  }

  // ------------------------------------------------------------------ never crash

  @Property(tries = 400, shrinking = ShrinkingMode.OFF)
  void mutatedCorpusFilesNeverCrash(@ForAll("mutatedFiles") Mutated m) {
    Conversion c = convert(m.label(), m.data(), m.origin(), m.baseDir());
    wellFormed(c, m.data());
  }

  @Property(tries = 100, shrinking = ShrinkingMode.OFF)
  void randomBytesNeverCrash(@ForAll("randomBytes") byte[] data) {
    Conversion c = convert("random", data, EXAMPLE, null);
    wellFormed(c, data);
  }

  @Provide
  Arbitrary<byte[]> randomBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
  }

  record Mutated(String label, byte[] data, Name origin, Path baseDir) {
    @Override
    public String toString() {
      return label + " (" + data.length + " bytes)";
    }
  }

  @Provide
  Arbitrary<Mutated> mutatedFiles() {
    Arbitrary<Corpus.Entry> base = Arbitraries.of(BASE_ENTRIES);
    Arbitrary<Long> seed = Arbitraries.longs();
    Arbitrary<Integer> rounds = Arbitraries.integers().between(1, 8);
    return Combinators.combine(base, seed, rounds)
        .as(
            (e, s, n) -> {
              Random rnd = new Random(s);
              byte[] data = read(e.file());
              StringBuilder what = new StringBuilder(e.path());
              for (int i = 0; i < n; i++) {
                Mutation mu = Mutation.values()[rnd.nextInt(Mutation.values().length)];
                data = mu.apply(data, rnd);
                what.append(' ').append(mu);
              }
              try {
                return new Mutated(what.toString(), data, Name.fromString(e.origin(), Name.root), e.runFrom());
              } catch (IOException ex) {
                throw new UncheckedIOException(ex);
              }
            });
  }

  /** Ways to damage a file. */
  enum Mutation {
    FLIP_BYTE {
      @Override
      byte[] apply(byte[] d, Random r) {
        if (d.length == 0) {
          return d;
        }
        byte[] c = d.clone();
        c[r.nextInt(c.length)] ^= (byte) (1 << r.nextInt(8));
        return c;
      }
    },
    INSERT_BYTE {
      @Override
      byte[] apply(byte[] d, Random r) {
        byte[] pick = {'(', ')', '"', '\\', ';', '$', '@', '\n', ' ', '\t', 0, (byte) 0xFF, '.', '*'};
        return insert(d, r.nextInt(d.length + 1), new byte[] {pick[r.nextInt(pick.length)]});
      }
    },
    DELETE_RANGE {
      @Override
      byte[] apply(byte[] d, Random r) {
        if (d.length == 0) {
          return d;
        }
        int a = r.nextInt(d.length);
        int b = Math.min(d.length, a + 1 + r.nextInt(40));
        byte[] c = new byte[d.length - (b - a)];
        System.arraycopy(d, 0, c, 0, a);
        System.arraycopy(d, b, c, a, d.length - b);
        return c;
      }
    },
    SWAP_TOKENS {
      @Override
      byte[] apply(byte[] d, Random r) {
        List<String> lines = lines(d);
        if (lines.isEmpty()) {
          return d;
        }
        int i = r.nextInt(lines.size());
        String[] t = lines.get(i).split("[ \t]+");
        if (t.length >= 2) {
          int a = r.nextInt(t.length);
          int b = r.nextInt(t.length);
          String x = t[a];
          t[a] = t[b];
          t[b] = x;
          lines.set(i, String.join(" ", t));
        }
        return join(lines);
      }
    },
    TRUNCATE_LINE {
      @Override
      byte[] apply(byte[] d, Random r) {
        List<String> lines = lines(d);
        if (lines.isEmpty()) {
          return d;
        }
        int i = r.nextInt(lines.size());
        String l = lines.get(i);
        lines.set(i, l.substring(0, r.nextInt(l.length() + 1)));
        return join(lines);
      }
    },
    UNBALANCE {
      @Override
      byte[] apply(byte[] d, Random r) {
        byte[] pick = {'(', ')', '"'};
        return insert(d, r.nextInt(d.length + 1), new byte[] {pick[r.nextInt(3)]});
      }
    },
    HUGE_LINE {
      @Override
      byte[] apply(byte[] d, Random r) {
        byte[] huge = new byte[50_000 + r.nextInt(100_000)];
        for (int i = 0; i < huge.length; i++) {
          huge[i] = (byte) "abcdefgh.\\\"( 0123".charAt(r.nextInt(17));
        }
        huge[huge.length - 1] = '\n';
        return insert(d, lineStart(d, r), huge);
      }
    },
    RANDOM_BINARY {
      @Override
      byte[] apply(byte[] d, Random r) {
        byte[] junk = new byte[1 + r.nextInt(200)];
        r.nextBytes(junk);
        return insert(d, r.nextInt(d.length + 1), junk);
      }
    };

    abstract byte[] apply(byte[] d, Random r);

    static byte[] insert(byte[] d, int at, byte[] what) {
      byte[] c = new byte[d.length + what.length];
      System.arraycopy(d, 0, c, 0, at);
      System.arraycopy(what, 0, c, at, what.length);
      System.arraycopy(d, at, c, at + what.length, d.length - at);
      return c;
    }

    static int lineStart(byte[] d, Random r) {
      int at = r.nextInt(d.length + 1);
      while (at > 0 && d[at - 1] != '\n') {
        at--;
      }
      return at;
    }

    static List<String> lines(byte[] d) {
      return new ArrayList<>(Arrays.asList(new String(d, StandardCharsets.ISO_8859_1).split("\n", -1)));
    }

    static byte[] join(List<String> lines) {
      return String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  // ------------------------------------------------------------------ a bad line costs nothing else

  /** Zones in one-record-per-line form (the writer's output for corpus zones). */
  private static final List<Clean> CLEAN = BASE_ENTRIES.stream().map(BadInputPropertiesTest::clean).toList();

  record Clean(String path, Name origin, List<String> lines) {}

  private static Clean clean(Corpus.Entry e) {
    try {
      Conversion c = BindOracleTest.convert(e);
      StringBuilder sb = new StringBuilder();
      MasterFileWriter.write(c.records(), sb);
      return new Clean(e.path(), c.origin(), List.of(sb.toString().split("\n")));
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** Self-contained bad entries: each must be reported and must not change anything else. */
  static final List<String> BAD_LINES =
      List.of(
          "bad-a 300 IN A 300.1.2.3",
          "bad-type 300 IN FOO bar",
          "bad-class 300 CH A 192.0.2.1",
          "$FOO bar",
          "$TTL bogus",
          "bad-quote 300 IN TXT \"never closed",
          "bad-paren 300 IN TXT ( \"opened but never closed\"",
          "stray 300 IN A 192.0.2.1 )",
          "bad-mx 300 IN MX hello world",
          "outside.invalid. 300 IN A 192.0.2.1",
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 300 IN A 192.0.2.1",
          "bad-ttl 99999999999999 IN A 192.0.2.1",
          "bad-aaaa 300 IN AAAA 2001:db8::g",
          "bad-txt 300 IN TXT \"" + "x".repeat(300) + "\"",
          "bad-meta 300 IN ANY \\# 0",
          "bad-md 300 IN MD host.example.",
          "$INCLUDE /nonexistent/dnsmig/zone.db",
          "$GENERATE 1-3/0 host$ A 192.0.2.$",
          "\u00ff\u00fe\u0001 garbage \u0000 line",
          "bad-svcb 300 IN SVCB 1 . bogus=1",
          "bad-ds 300 IN DS 1 8 2 zz");

  record Insertion(Clean zone, int at, String bad) {
    @Override
    public String toString() {
      return zone.path() + " line " + (at + 1) + ": " + bad;
    }
  }

  @Provide
  Arbitrary<Insertion> insertions() {
    return Arbitraries.of(CLEAN)
        .flatMap(
            z ->
                Combinators.combine(Arbitraries.integers().between(0, z.lines().size()), Arbitraries.of(BAD_LINES))
                    .as((at, bad) -> new Insertion(z, at, bad)));
  }

  @Property(tries = 300)
  void aBadLineIsReportedOnItsLineAndTheGoodLinesAroundItAreKept(@ForAll("insertions") Insertion ins) {
    List<String> lines = new ArrayList<>(ins.zone().lines());
    byte[] good = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    lines.add(ins.at(), ins.bad());
    byte[] bad = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.ISO_8859_1);

    Conversion without = convert("good", good, ins.zone().origin(), null);
    Conversion with = convert("bad", bad, ins.zone().origin(), null);

    int line = ins.at() + 1;
    assertThat(with.findings())
        .as("findings for %s", ins)
        .anyMatch(f -> f.line() == line && f.severity() == Severity.ERROR);
    assertThat(RecordSets.keys(with.records()))
        .as("records kept around %s", ins)
        .isEqualTo(RecordSets.keys(without.records()));
  }

  // ------------------------------------------------------------------ NSD's fuzzer crash reproducers

  static Stream<Path> crashReproducers() throws IOException {
    Path dir = Corpus.dir().resolve("nsd/tpkg/parsezone.tdir");
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().equals("parsezone.zone")).sorted().toList().stream();
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("crashReproducers")
  void nsdCrashReproducersAreRejectedCleanly(Path file) {
    byte[] data = read(file);
    Conversion c = convert(file.getFileName().toString(), data, EXAMPLE, file.getParent());
    wellFormed(c, data);
    assertThat(c.hasErrors()).as("%s: %s", file, c.findings()).isTrue();
  }
}
