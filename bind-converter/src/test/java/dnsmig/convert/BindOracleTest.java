package dnsmig.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.xbill.DNS.Name;

/**
 * The converter against BIND itself, one dynamic test per corpus file: for every file BIND loads,
 * the set of records we import equals the set named-compilezone writes; for every file BIND
 * refuses, we report at least one ERROR finding.
 */
class BindOracleTest {

  /** Known, accepted differences: file → one-line reason. Keep it empty if at all possible. */
  static final Map<String, String> ALLOWLIST = Map.of();

  @TestFactory
  Stream<DynamicTest> everyCorpusFileAsBindReadsIt() {
    Bind.tool(); // fails with a setup hint when BIND's tools are missing
    return Corpus.entries().stream()
        .filter(e -> !ALLOWLIST.containsKey(e.path()))
        .map(e -> DynamicTest.dynamicTest(e.path(), () -> check(e)));
  }

  static Conversion convert(Corpus.Entry e) throws Exception {
    ZoneFileConverter c = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(e.runFrom()));
    return c.convert(e.file(), Name.fromString(e.origin(), Name.root));
  }

  private static void check(Corpus.Entry e) throws Exception {
    Conversion ours = convert(e);
    Bind.Output bind = Bind.compile(e.runFrom(), e.origin(), e.file());
    if (bind.exit() == 0) {
      TreeSet<String> expected = RecordSets.keys(bind.records());
      TreeSet<String> actual = RecordSets.keys(ours.records());
      assertThat(actual)
          .as("records of %s differ from BIND's (%d vs %d):%s%nour findings: %s", e.path(), actual.size(), expected.size(),
              RecordSets.diff(expected, actual, 8), ours.findings().stream().limit(8).toList())
          .isEqualTo(expected);
      assertThat(ours.servable()).as("BIND serves %s; findings: %s", e.path(), ours.findings()).isTrue();
    } else {
      assertThat(ours.errorCount())
          .as("BIND refuses %s (%s) but we found no error; findings: %s", e.path(), bind.messages().lines().filter(l -> !l.isBlank()).limit(3).toList(), ours.findings())
          .isPositive();
    }
  }
}
