package dnsmig.convert;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xbill.DNS.Name;

/** Developer aid, not a test: judges each explicit-owner entry of small corpus files alone, ours vs BIND. */
final class EntrySweep {
  private EntrySweep() {}

  public static void main(String[] args) throws Exception {
    Path tmp = Files.createTempDirectory("sweep");
    int compared = 0;
    int differ = 0;
    for (Corpus.Entry e : Corpus.entries()) {
      byte[] data = Files.readAllBytes(e.file());
      boolean named = args.length > 0 && e.path().contains(args[0]);
      if (args.length > 0 ? !named : data.length > 40_000 || e.path().startsWith("knot-zscanner")) {
        continue;
      }
      Name origin = Name.fromString(e.origin(), Name.root);
      String o = origin.toString();
      String head = "$TTL 3600\n" + o + " SOA ns." + o + " h. 1 2 3 4 5\n" + o + " NS ns." + o + "\nns." + o + " A 192.0.2.1\n$ORIGIN " + o + "\n";
      Lexer lexer = new Lexer(data);
      StringBuilder directives = new StringBuilder();
      String owner = null;
      for (Lexer.Entry entry = lexer.next(); entry != null; entry = lexer.next()) {
        String raw = new String(data, entry.rawStart, entry.rawEnd - entry.rawStart, StandardCharsets.ISO_8859_1);
        if (entry.tokens.isEmpty()) {
          continue;
        }
        if (entry.initialWs) {
          if (owner == null) {
            continue;
          }
          raw = owner + raw;
        } else if (data[entry.tokens.get(0).start()] != '$') {
          owner = lexer.rawText(entry.tokens.get(0));
        }
        if (data[entry.tokens.get(0).start()] == '$') {
          if (raw.regionMatches(true, 0, "$ORIGIN", 0, 7) || raw.regionMatches(true, 0, "$TTL", 0, 4)) {
            directives.append(raw).append('\n');
          }
          continue;
        }
        String zone = head + directives + raw + "\n";
        if (zone.contains("SOA") && raw.contains("SOA")) {
          continue;
        }
        Path file = tmp.resolve("z.db");
        Files.writeString(file, zone, StandardCharsets.ISO_8859_1);
        Bind.Output b = Bind.compile(tmp, e.origin(), file);
        Conversion c = new ZoneFileConverter(ConverterOptions.defaults()).convert("z", zone.getBytes(StandardCharsets.ISO_8859_1), origin);
        compared++;
        boolean bindOk = b.exit() == 0;
        boolean oursOk = !c.hasErrors();
        if (bindOk != oursOk || (bindOk && !RecordSets.keys(b.records()).equals(RecordSets.keys(c.records())))) {
          differ++;
          System.out.println(e.path() + ":" + entry.line + " " + raw.strip().replace('\n', ' ').substring(0, Math.min(120, raw.strip().length()))
              + "\n   BIND " + (bindOk ? "ok" : b.messages().lines().findFirst().orElse("")) + "\n   ours " + (oursOk ? "ok" : c.findings()));
        }
      }
    }
    System.out.println("compared " + compared + ", differ " + differ);
  }
}
