package dnsmig.convert;

import java.util.TreeSet;

/** Developer aid, not a test: runs the oracle comparison on corpus files named on the command line. */
final class Probe {
  private Probe() {}

  public static void main(String[] args) throws Exception {
    for (Corpus.Entry e : Corpus.entries()) {
      boolean wanted = false;
      for (String a : args) {
        wanted |= e.path().contains(a);
      }
      if (!wanted) {
        continue;
      }
      System.out.println("=== " + e.path() + " origin=" + e.origin() + " bind=" + e.bindOk() + " " + e.bindMessage());
      try {
        Conversion c = BindOracleTest.convert(e);
        c.findings().stream().limit(15).forEach(f -> System.out.println("  " + f + "   | " + f.text().replace('\n', ' ')));
        Bind.Output b = Bind.compile(e.runFrom(), e.origin(), e.file());
        if (b.exit() == 0) {
          TreeSet<String> exp = RecordSets.keys(b.records());
          TreeSet<String> act = RecordSets.keys(c.records());
          System.out.println("  bind " + exp.size() + " ours " + act.size() + RecordSets.diff(exp, act, 10));
        } else {
          System.out.println("  bind: " + b.messages().lines().limit(3).toList());
        }
      } catch (Throwable t) {
        t.printStackTrace(System.out);
      }
    }
  }
}
