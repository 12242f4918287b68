package dnsmig.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * What {@link MasterFileWriter} writes for a converted corpus zone, read back by BIND's
 * named-compilezone, is the same set of records; and the rdata text the record store keeps reads
 * back to the same record.
 */
class RoundTripTest {

  @TempDir Path tmp;

  @TestFactory
  Stream<DynamicTest> writtenZonesReadBackByBindUnchanged() {
    Bind.tool();
    return Corpus.entries().stream()
        .filter(Corpus.Entry::bindOk)
        .map(e -> DynamicTest.dynamicTest(e.path(), () -> roundTrip(e)));
  }

  @TestFactory
  Stream<DynamicTest> storedRdataReadsBackToTheSameRecord() {
    return Corpus.entries().stream()
        .filter(Corpus.Entry::bindOk)
        .map(e -> DynamicTest.dynamicTest(e.path(), () -> {
          for (Record r : BindOracleTest.convert(e).records()) {
            String text = MasterFileWriter.rdataText(r);
            Record back = MasterFileWriter.record(r.getName(), r.getType(), r.getTTL(), text);
            assertThat(back).as("%s %s %s", r.getName(), Type.string(r.getType()), text).isEqualTo(r);
            assertThat(back.getTTL()).isEqualTo(r.getTTL());
          }
        }));
  }

  private void roundTrip(Corpus.Entry e) throws Exception {
    Conversion c = BindOracleTest.convert(e);
    StringBuilder out = new StringBuilder();
    MasterFileWriter.write(c.records(), out);
    Path file = Files.createTempFile(tmp, "zone-", ".db");
    Files.writeString(file, out, StandardCharsets.ISO_8859_1);
    Bind.Output bind = Bind.compile(tmp, e.origin(), file);
    assertThat(bind.exit()).as("BIND refused our output for %s: %s", e.path(), bind.messages()).isZero();
    TreeSet<String> expected = RecordSets.keys(c.records());
    TreeSet<String> actual = RecordSets.keys(bind.records());
    assertThat(actual).as("round trip of %s:%s", e.path(), RecordSets.diff(expected, actual, 8)).isEqualTo(expected);
  }
}
