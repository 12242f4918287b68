package dnsmig.convert;

import java.nio.file.Path;
import java.util.TreeSet;
import org.xbill.DNS.Name;

/** Developer aid, not a test: compares the converter with named-compilezone on one file. */
final class Differ {
  private Differ() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]).toAbsolutePath();
    String origin = args[1];
    Conversion c = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(file.getParent())).convert(file, Name.fromString(origin, Name.root));
    c.findings().forEach(f -> System.out.println("  " + f));
    Bind.Output b = Bind.compile(file.getParent(), origin, file);
    if (b.exit() != 0) {
      System.out.println("BIND refuses: " + b.messages());
      return;
    }
    TreeSet<String> exp = RecordSets.keys(b.records());
    TreeSet<String> act = RecordSets.keys(c.records());
    System.out.println((exp.equals(act) ? "SAME" : "DIFFERENT") + " bind=" + exp.size() + " ours=" + act.size() + RecordSets.diff(exp, act, 10));
  }
}
