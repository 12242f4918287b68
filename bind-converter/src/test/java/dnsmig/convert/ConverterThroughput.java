package dnsmig.convert;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Name;

/**
 * Throughput of parsing plus checks, single-threaded, on a data set from
 * {@code python3 shared/bench/gen_zones.py --size medium --out DIR}. Not a test (surefire does not
 * run it); a main:
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) dnsmig.convert.ConverterThroughput DIR [rounds]
 * </pre>
 *
 * Files are read into memory first, so the figure is for the converter, not the disk.
 */
public final class ConverterThroughput {
  private ConverterThroughput() {}

  record Zone(Name origin, String label, byte[] data) {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/gen-medium");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<Zone> zones = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("zones.list"), StandardCharsets.UTF_8)) {
      String[] f = line.split("\t");
      if (f.length < 2) {
        continue;
      }
      zones.add(new Zone(Name.fromString(f[0], Name.root), f[1], Files.readAllBytes(dir.resolve(f[1]))));
    }
    ZoneFileConverter converter = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(dir));
    for (int round = 1; round <= rounds; round++) {
      long records = 0;
      long findings = 0;
      long start = System.nanoTime();
      for (Zone z : zones) {
        Conversion c = converter.convert(z.label(), z.data(), z.origin());
        records += c.records().size();
        findings += c.findings().size();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "round %d: %d zones, %d records, %d findings in %.2f s = %,.0f records/s%n",
          round, zones.size(), records, findings, seconds, records / seconds);
    }
  }
}
