package dnsmig.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/**
 * Knot's zscanner inputs mix valid and invalid records on purpose, so BIND's verdict on the whole
 * file says little (SOURCES.md: "use them per record"). Here every entry is judged alone: a
 * minimal root zone, the directives read so far, and the entry. BIND and the converter must agree
 * on whether the entry loads, and when it does, on the records it makes.
 */
class ZscannerEntryOracleTest {

  /** file:line → why BIND and we may disagree on that entry. Keep it empty if at all possible. */
  static final Map<String, String> ALLOWLIST =
      Map.of(
          "knot-zscanner/tests/libzscanner/data/57_SVCB.in:88",
              "an SVCB ech with no value: BIND keeps it, dnsjava 3.7.1 cannot hold it, so we report bad-rdata",
          "knot-zscanner/tests/libzscanner/data/57_SVCB.in:89",
              "the same with 'ech=': BIND keeps it, dnsjava 3.7.1 cannot hold it, so we report bad-rdata");

  static final String HEAD = "$TTL 3600\n. SOA a. b. 1 2 3 4 5\n. NS a.\na. A 192.0.2.1\n";

  @TempDir Path tmp;

  @TestFactory
  Stream<DynamicTest> everyZscannerEntryAsBindReadsIt() {
    Bind.tool();
    return Corpus.entries().stream()
        .filter(e -> e.path().startsWith("knot-zscanner/"))
        .map(e -> DynamicTest.dynamicTest(e.path(), () -> check(e)));
  }

  private void check(Corpus.Entry e) throws Exception {
    byte[] data = Files.readAllBytes(e.file());
    Lexer lexer = new Lexer(data);
    StringBuilder directives = new StringBuilder();
    List<String> disagreements = new ArrayList<>();
    int compared = 0;
    for (Lexer.Entry entry = lexer.next(); entry != null; entry = lexer.next()) {
      String raw = new String(data, entry.rawStart, entry.rawEnd - entry.rawStart, StandardCharsets.ISO_8859_1);
      if (!entry.tokens.isEmpty() && !entry.initialWs && data[entry.tokens.get(0).start()] == '$') {
        directives.append(raw).append('\n');
        continue;
      }
      if (ALLOWLIST.containsKey(e.path() + ":" + entry.line)) {
        continue;
      }
      String zone = HEAD + directives + raw + "\n";
      Path file = Files.createTempFile(tmp, "entry-", ".db");
      Files.writeString(file, zone, StandardCharsets.ISO_8859_1);
      Bind.Output bind = Bind.compile(tmp, ".", file);
      Conversion ours = new ZoneFileConverter(ConverterOptions.defaults()).convert("entry", zone.getBytes(StandardCharsets.ISO_8859_1), Name.root);
      boolean bindOk = bind.exit() == 0;
      boolean oursOk = !ours.hasErrors();
      compared++;
      String where = e.path() + ":" + entry.line + " " + raw.strip().replace('\n', ' ');
      if (bindOk != oursOk) {
        disagreements.add(where + "\n      BIND " + (bindOk ? "accepts" : "refuses: " + bind.messages().lines().findFirst().orElse("")) + "\n      we " + (oursOk ? "accept" : "refuse: " + ours.findings()));
      } else if (bindOk) {
        TreeSet<String> expected = RecordSets.keys(bind.records());
        TreeSet<String> actual = RecordSets.keys(ours.records());
        if (!expected.equals(actual)) {
          disagreements.add(where + RecordSets.diff(expected, actual, 4));
        }
      }
    }
    assertThat(compared).isPositive();
    assertThat(disagreements).as("%d of %d entries of %s disagree with BIND", disagreements.size(), compared, e.path()).isEmpty();
  }
}
