package dnsmig.convert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SIGRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Reads a BIND master file entry by entry, the way BIND 9.18's loader does, and hands out records
 * and problems one at a time ({@link #next()}), like miekg/dns's ZoneParser. A bad entry yields a
 * {@link Problem} carrying file, line and raw text; reading goes on with the next entry.
 */
final class MasterFileReader {

  /** What the reader hands out. */
  sealed interface Item permits Rr, Problem {}

  /** A record as read, with where it came from. Its TTL is final for this file position. */
  record Rr(Record record, Place place) implements Item {}

  /** Something to report. */
  record Problem(Finding finding, long seq) implements Item {}

  /** One file being read: the main file or an $INCLUDE. */
  private static final class Source {
    final String label;
    final Path realPath;
    final Lexer lexer;
    Name origin;
    Name current;
    boolean originChanged;

    Source(String label, Path realPath, byte[] data, Name origin, Name current) {
      this.label = label;
      this.realPath = realPath;
      this.lexer = new Lexer(data);
      this.origin = origin;
      this.current = current;
    }
  }

  private final ConverterOptions options;
  private final Name zone;
  private final Deque<Source> stack = new ArrayDeque<>();
  private final ArrayDeque<Item> queue = new ArrayDeque<>();
  private long seq;

  // TTL state, shared across includes as in BIND
  private long ttl;
  private boolean ttlKnown;
  private long defaultTtl;
  private boolean defaultTtlKnown;
  private boolean warned1035;

  // BIND's "current list" and "glue list": consecutive records of one owner share TTLs per type
  private Name runOwner;
  private String runOwnerText;
  private Name runOwnerOrigin;
  private final Map<Integer, Long> runTtls = new HashMap<>();
  private boolean runHasDelegation;
  private final List<Name> runNsTargets = new ArrayList<>();
  private Name glueOwner;
  private final Map<Integer, Long> glueTtls = new HashMap<>();

  private MasterFileReader(ConverterOptions options, Name zone) {
    this.options = options;
    this.zone = zone;
  }

  /** A reader over in-memory file contents. */
  static MasterFileReader of(ConverterOptions options, Name zone, String label, Path realPath, byte[] data) {
    MasterFileReader r = new MasterFileReader(options, zone);
    r.stack.push(new Source(label, realPath, data, zone, null));
    return r;
  }

  /** The next item, or null when everything has been read. */
  Item next() {
    while (queue.isEmpty()) {
      Source src = stack.peek();
      if (src == null) {
        return null;
      }
      Lexer.Entry e = src.lexer.next();
      if (e == null) {
        stack.pop();
        endRun();
        continue;
      }
      seq++;
      process(src, e);
    }
    return queue.poll();
  }

  // ------------------------------------------------------------------ entries

  private Place place(Source src, Lexer.Entry e) {
    Lexer lx = src.lexer;
    int start = e.rawStart;
    int end = e.rawEnd;
    return new Place(src.label, e.line, () -> lx.raw(start, end), seq);
  }

  private void problem(Place p, FindingCode code, String message) {
    queue.add(new Problem(Finding.of(p, code, message), p.seq()));
  }

  private void process(Source src, Lexer.Entry e) {
    Lexer lx = src.lexer;
    if (e.error != null) {
      problem(place(src, e), FindingCode.SYNTAX, "This entry was not imported: " + e.error + ".");
      return;
    }
    List<Lexer.Token> toks = e.tokens;
    int i = 0;
    Name owner;
    Place place = null;
    if (e.initialWs) {
      owner = src.current;
      if (owner == null) {
        problem(
            place(src, e),
            FindingCode.NO_OWNER,
            "This line starts with a blank, which means \"same owner as the previous record\", but"
                + " there is no previous record; write the owner name first.");
        return;
      }
      if (src.originChanged) {
        src.originChanged = false;
        problem(
            place(src, e),
            FindingCode.INHERITED_OWNER_AFTER_ORIGIN,
            "This record inherits the owner "
                + owner
                + " from before the $ORIGIN change to "
                + src.origin
                + "; write the owner explicitly to avoid confusion.");
      }
    } else {
      Lexer.Token first = toks.get(0);
      if (!first.quoted() && lx.data()[first.start()] == '$') {
        directive(src, e);
        return;
      }
      String text = lx.text(first);
      try {
        owner = Name.fromString(text, src.origin);
      } catch (TextParseException ex) {
        RdataParser.Failed f = RdataParser.failure(ex);
        FindingCode code = f.code() == FindingCode.BAD_RDATA ? FindingCode.SYNTAX : f.code();
        problem(
            place(src, e),
            code,
            "The owner name '" + text + "' is not valid (" + f.reason() + "); the record was not imported.");
        return;
      }
      i = 1;
      newOwner(owner, text, src.origin);
      src.current = owner;
      src.originChanged = false;
    }
    record(src, e, owner, i);
  }

  private void record(Source src, Lexer.Entry e, Name owner, int i) {
    Lexer lx = src.lexer;
    List<Lexer.Token> toks = e.tokens;
    int n = toks.size();
    // [class] [ttl] [class] type rdata
    boolean classGiven = false;
    int dclass = 1;
    String classText = null;
    long explicitTtl = -1;
    if (i < n && !toks.get(i).quoted()) {
      int c = classValue(lx, toks.get(i));
      if (c >= 0) {
        classGiven = true;
        dclass = c;
        classText = lx.text(toks.get(i));
        i++;
      }
    }
    if (i < n && !toks.get(i).quoted()) {
      long t = ttlValue(lx, toks.get(i));
      if (t >= 0) {
        explicitTtl = t;
        i++;
      }
    }
    if (!classGiven && i < n && !toks.get(i).quoted()) {
      int c = classValue(lx, toks.get(i));
      if (c >= 0) {
        classGiven = true;
        dclass = c;
        classText = lx.text(toks.get(i));
        i++;
      }
    }
    if (explicitTtl >= 0) {
      if (explicitTtl > TtlText.MAX_TTL) {
        problem(
            place(src, e),
            FindingCode.TTL_TOO_LARGE,
            "The TTL "
                + explicitTtl
                + " of "
                + owner
                + " is above 2147483647 (RFC 2181 §8); it was loaded as 0, as BIND does. Use a"
                + " smaller TTL.");
        explicitTtl = 0;
      }
      ttl = explicitTtl;
      ttlKnown = true;
    }
    if (i >= n) {
      problem(
          place(src, e),
          FindingCode.SYNTAX,
          "The line for " + owner + " ends before its record type; the record was not imported.");
      return;
    }
    String typeText = lx.text(toks.get(i));
    int type = toks.get(i).quoted() ? -1 : TypeRules.value(typeText);
    if (type < 0) {
      problem(
          place(src, e),
          FindingCode.UNKNOWN_TYPE,
          "'"
              + typeText
              + "' is not a record type BIND knows (write unknown types as TYPEnnn \\# length hex);"
              + " the record for "
              + owner
              + " was not imported.");
      return;
    }
    i++;
    if (classGiven && dclass != 1) {
      problem(
          place(src, e),
          FindingCode.BAD_CLASS,
          "The class "
              + classText
              + " of "
              + owner
              + " "
              + Type.string(type)
              + " is not IN; only class IN records can be imported.");
      return;
    }
    if (TypeRules.isMeta(type)) {
      problem(
          place(src, e),
          FindingCode.META_TYPE,
          Type.string(type)
              + " is a query or meta type and cannot be a record in a zone; the record for "
              + owner
              + " was not imported.");
      return;
    }
    if (TypeRules.isObsolete(type)) {
      problem(
          place(src, e),
          FindingCode.OBSOLETE_TYPE,
          Type.string(type)
              + " is obsolete (RFC 1123 §2.2) and cannot be loaded from a zone file; use MX"
              + " instead. The record for "
              + owner
              + " was not imported.");
      return;
    }
    if (type == Type.NS && glueOwner == null) {
      runHasDelegation = true;
    }
    int m = n - i;
    String[] rd = new String[m];
    boolean[] quoted = new boolean[m];
    for (int k = 0; k < m; k++) {
      Lexer.Token t = toks.get(i + k);
      rd[k] = lx.text(t);
      quoted[k] = t.quoted();
    }
    if (type == Type.NS && m == 1 && !quoted[0] && TypeRules.looksLikeAddress(rd[0])) {
      problem(
          place(src, e),
          FindingCode.NS_TARGET_IS_ADDRESS,
          "The NS target '"
              + rd[0]
              + "' of "
              + owner
              + " looks like an IP address, but NS needs a host name; it was imported as the name "
              + rd[0]
              + (rd[0].endsWith(".") ? "" : "." + src.origin)
              + ".");
    }
    boolean dropped = !owner.subdomain(zone);
    Map<Integer, Long> list = glueOwner != null ? glueTtls : runTtls;
    // The TTL this record gets if it parses, as BIND decides it.
    boolean explicit = explicitTtl >= 0;
    boolean soaMinimum = false;
    long recordTtl;
    if (explicit) {
      recordTtl = ttl;
    } else if (defaultTtlKnown) {
      recordTtl = defaultTtl;
    } else if (ttlKnown) {
      recordTtl = ttl;
    } else {
      recordTtl = 0;
      soaMinimum = type == Type.SOA;
    }
    RdataParser.Result result = RdataParser.parse(owner, type, recordTtl, rd, quoted, src.origin);
    Record rec;
    switch (result) {
      case RdataParser.Failed f -> {
        problem(
            place(src, e),
            f.code(),
            "The " + Type.string(type) + " record for " + owner + " was not imported: " + f.reason() + ".");
        return;
      }
      case RdataParser.Parsed p -> rec = p.record();
    }
    if (dropped) {
      problem(
          place(src, e),
          FindingCode.OUT_OF_ZONE,
          "The name "
              + owner
              + " is outside the zone "
              + zone
              + " (a missing or extra trailing dot?); the record was not imported.");
      return;
    }
    if (type == Type.SOA && !owner.equals(zone)) {
      problem(
          place(src, e),
          FindingCode.SOA_NOT_AT_APEX,
          "An SOA record must be at the zone apex " + zone + ", not at " + owner + "; it was not imported.");
      return;
    }
    if (!explicit) {
      if (defaultTtlKnown) {
        ttl = defaultTtl;
      } else if (!ttlKnown) {
        if (soaMinimum) {
          long min = ((SOARecord) rec).getMinimum();
          if (min > TtlText.MAX_TTL) {
            min = 0;
          }
          ttl = min;
          defaultTtl = min;
          defaultTtlKnown = true;
          recordTtl = min;
          rec = withTtl(rec, min);
          problem(
              place(src, e),
              FindingCode.DEFAULT_TTL_FROM_SOA,
              "There is no $TTL and the SOA has no TTL, so the SOA minimum "
                  + min
                  + " became the default TTL, as BIND does; add a $TTL line at the top to make it"
                  + " explicit.");
        } else {
          problem(
              place(src, e),
              FindingCode.NO_TTL,
              "The "
                  + Type.string(type)
                  + " record for "
                  + owner
                  + " has no TTL and none is known yet (no $TTL, no earlier TTL); BIND rejects"
                  + " such a zone. Add a $TTL line at the top.");
          return;
        }
      } else if (!warned1035) {
        warned1035 = true;
        problem(
            place(src, e),
            FindingCode.TTL_FROM_PREVIOUS_RECORD,
            "There is no $TTL, so "
                + owner
                + " "
                + Type.string(type)
                + " and later records without a TTL take the TTL of the record before them ("
                + recordTtl
                + "), as RFC 1035 says; add a $TTL line to make the default explicit.");
      }
    }
    int key = rrsetKey(rec);
    Long prior = list.get(key);
    if (prior == null) {
      list.put(key, recordTtl);
    } else if (prior != recordTtl) {
      problem(
          place(src, e),
          FindingCode.RRSET_TTL_MISMATCH,
          "The TTL "
              + recordTtl
              + " of this "
              + Type.string(type)
              + " record for "
              + owner
              + " differs from the TTL "
              + prior
              + " of the record before it in the same set; all records of a set share one TTL"
              + " (RFC 2181 §5.2), so it was imported with "
              + prior
              + ".");
      recordTtl = prior;
      ttl = prior;
      rec = withTtl(rec, prior);
    }
    if (type == Type.NS && glueOwner == null) {
      runNsTargets.add(((NSRecord) rec).getTarget());
    }
    queue.add(new Rr(rec, place(src, e)));
  }

  static int rrsetKey(Record rec) {
    int type = rec.getType();
    if (rec instanceof RRSIGRecord s) {
      return (type << 16) | s.getTypeCovered();
    }
    if (rec instanceof SIGRecord s) {
      return (type << 16) | s.getTypeCovered();
    }
    return type;
  }

  static Record withTtl(Record rec, long newTtl) {
    if (rec.getTTL() == newTtl) {
      return rec;
    }
    return Record.newRecord(rec.getName(), rec.getType(), rec.getDClass(), newTtl, RdataParser.wireRdata(rec));
  }

  private void newOwner(Name n, String text, Name origin) {
    if (glueOwner != null && !caseEqual(glueOwner, n)) {
      glueOwner = null;
      glueTtls.clear();
    }
    boolean sameAsRun =
        runOwner != null
            && (text.equals(runOwnerText) && origin == runOwnerOrigin || caseEqual(runOwner, n));
    if (glueOwner == null && !sameAsRun) {
      if (runHasDelegation && runNsTargets.contains(n)) {
        glueOwner = n;
        glueTtls.clear();
      } else {
        runOwner = n;
        runOwnerText = text;
        runOwnerOrigin = origin;
        runTtls.clear();
        runHasDelegation = false;
        runNsTargets.clear();
      }
    }
  }

  private static boolean caseEqual(Name a, Name b) {
    return a.equals(b) && a.toString().equals(b.toString());
  }

  private void endRun() {
    runOwner = null;
    runOwnerText = null;
    runTtls.clear();
    runHasDelegation = false;
    runNsTargets.clear();
    glueOwner = null;
    glueTtls.clear();
  }

  private static int classValue(Lexer lx, Lexer.Token t) {
    int len = t.end() - t.start();
    if (len < 2) {
      return -1;
    }
    byte b0 = lx.data()[t.start()];
    if (len == 2 && (b0 == 'I' || b0 == 'i')) {
      byte b1 = lx.data()[t.start() + 1];
      if (b1 == 'N' || b1 == 'n') {
        return 1;
      }
      return -1;
    }
    return TypeRules.classValue(lx.text(t));
  }

  private static long ttlValue(Lexer lx, Lexer.Token t) {
    byte b0 = lx.data()[t.start()];
    if (b0 < '0' || b0 > '9') {
      return -1;
    }
    return TtlText.parse(lx.text(t));
  }

  // ------------------------------------------------------------------ directives

  private void directive(Source src, Lexer.Entry e) {
    Lexer lx = src.lexer;
    List<Lexer.Token> toks = e.tokens;
    Lexer.Token d = toks.get(0);
    if (lx.textEqualsIgnoreCase(d, "$ORIGIN")) {
      if (toks.size() < 2) {
        problem(place(src, e), FindingCode.BAD_DIRECTIVE, "$ORIGIN needs a domain name; the line was ignored.");
        return;
      }
      String text = lx.text(toks.get(1));
      try {
        src.origin = Name.fromString(text, src.origin);
        src.originChanged = true;
      } catch (TextParseException ex) {
        problem(
            place(src, e),
            nameCode(ex),
            "$ORIGIN " + text + " is not a valid name (" + RdataParser.reason(ex) + "); the line was ignored.");
        return;
      }
      extra(src, e, 2, "$ORIGIN");
    } else if (lx.textEqualsIgnoreCase(d, "$TTL")) {
      long v = toks.size() < 2 || toks.get(1).quoted() ? -1 : TtlText.parse(lx.text(toks.get(1)));
      if (v < 0) {
        problem(
            place(src, e),
            FindingCode.BAD_DIRECTIVE,
            (toks.size() < 2 ? "$TTL needs a value" : "'" + lx.text(toks.get(1)) + "' is not a TTL")
                + " (write seconds or units such as 1h30m); the line was ignored.");
        return;
      }
      if (v > TtlText.MAX_TTL) {
        problem(
            place(src, e),
            FindingCode.TTL_TOO_LARGE,
            "$TTL " + v + " is above 2147483647 (RFC 2181 §8); BIND uses 0 instead, and so did the import.");
        v = 0;
      }
      ttl = v;
      defaultTtl = v;
      defaultTtlKnown = true;
      extra(src, e, 2, "$TTL");
    } else if (lx.textEqualsIgnoreCase(d, "$INCLUDE")) {
      include(src, e);
    } else if (lx.textEqualsIgnoreCase(d, "$GENERATE")) {
      generate(src, e);
    } else {
      problem(
          place(src, e),
          FindingCode.BAD_DIRECTIVE,
          "'"
              + lx.text(d)
              + "' is not a directive BIND knows ($ORIGIN, $TTL, $INCLUDE, $GENERATE); the line was"
              + " ignored.");
    }
  }

  private static FindingCode nameCode(TextParseException ex) {
    FindingCode c = RdataParser.failure(ex).code();
    return c == FindingCode.BAD_RDATA ? FindingCode.BAD_DIRECTIVE : c;
  }

  private void extra(Source src, Lexer.Entry e, int used, String what) {
    if (e.tokens.size() > used) {
      problem(
          place(src, e),
          FindingCode.BAD_DIRECTIVE,
          what + " has extra text after its argument ('" + src.lexer.text(e.tokens.get(used)) + "'); remove it.");
    }
  }

  private void include(Source src, Lexer.Entry e) {
    Lexer lx = src.lexer;
    List<Lexer.Token> toks = e.tokens;
    if (toks.size() < 2) {
      problem(place(src, e), FindingCode.BAD_DIRECTIVE, "$INCLUDE needs a file name; the line was ignored.");
      return;
    }
    String file = lx.rawText(toks.get(1));
    Name origin = src.origin;
    boolean withOrigin = false;
    if (toks.size() >= 3) {
      String o = lx.text(toks.get(2));
      try {
        origin = Name.fromString(o, src.origin);
        withOrigin = true;
      } catch (TextParseException ex) {
        problem(
            place(src, e),
            nameCode(ex),
            "The origin '" + o + "' of $INCLUDE " + file + " is not a valid name; the file was not read.");
        return;
      }
      extra(src, e, 3, "$INCLUDE");
    }
    endRun();
    if (stack.size() > options.maxIncludeDepth()) {
      problem(
          place(src, e),
          FindingCode.INCLUDE_TOO_DEEP,
          "$INCLUDE " + file + " nests deeper than " + options.maxIncludeDepth() + " files; it was not read.");
      return;
    }
    Path path = options.resolve(file);
    byte[] data;
    Path real;
    try {
      if (Files.isDirectory(path)) {
        problem(
            place(src, e),
            FindingCode.INCLUDE_FAILED,
            "$INCLUDE " + file + " names a directory, not a file; nothing was read from it.");
        return;
      }
      real = path.toRealPath();
      if (!Files.isRegularFile(real)) {
        problem(
            place(src, e),
            FindingCode.INCLUDE_FAILED,
            "$INCLUDE " + file + " is not a regular file; nothing was read from it.");
        return;
      }
      for (Source s : stack) {
        if (real.equals(s.realPath)) {
          problem(
              place(src, e),
              FindingCode.INCLUDE_LOOP,
              "$INCLUDE " + file + " includes a file that is already being read (an include loop); it was not read again.");
          return;
        }
      }
      data = Files.readAllBytes(real);
    } catch (NoSuchFileException ex) {
      problem(
          place(src, e),
          FindingCode.INCLUDE_FAILED,
          "$INCLUDE " + file + ": the file was not found (relative paths resolve against " + baseDirText() + ").");
      return;
    } catch (IOException | RuntimeException ex) {
      problem(
          place(src, e),
          FindingCode.INCLUDE_FAILED,
          "$INCLUDE " + file + " could not be read: " + ex.getMessage() + ".");
      return;
    }
    Source child = new Source(file, real, data, origin, src.current);
    child.originChanged = withOrigin;
    stack.push(child);
  }

  private String baseDirText() {
    return options.baseDir() == null ? "the current directory" : options.baseDir().toString();
  }

  private void generate(Source src, Lexer.Entry e) {
    Lexer lx = src.lexer;
    List<Lexer.Token> toks = e.tokens;
    int n = toks.size();
    Place place = place(src, e);
    if (n < 5) {
      problem(
          place,
          FindingCode.BAD_GENERATE,
          "$GENERATE needs a range, an owner template, a type and an rdata template; nothing was generated.");
      return;
    }
    String range = lx.text(toks.get(1));
    String lhs = lx.text(toks.get(2));
    int i = 3;
    boolean classGiven = false;
    int dclass = 1;
    long explicitTtl = -1;
    if (!toks.get(i).quoted() && classValue(lx, toks.get(i)) >= 0) {
      classGiven = true;
      dclass = classValue(lx, toks.get(i));
      i++;
    }
    if (i < n && !toks.get(i).quoted() && ttlValue(lx, toks.get(i)) >= 0) {
      explicitTtl = ttlValue(lx, toks.get(i));
      i++;
    }
    if (!classGiven && i < n && !toks.get(i).quoted() && classValue(lx, toks.get(i)) >= 0) {
      classGiven = true;
      dclass = classValue(lx, toks.get(i));
      i++;
    }
    if (i + 2 > n) {
      problem(place, FindingCode.BAD_GENERATE, "$GENERATE is missing its type or rdata template; nothing was generated.");
      return;
    }
    String typeText = lx.text(toks.get(i));
    String rhs = lx.text(toks.get(i + 1));
    if (explicitTtl >= 0) {
      if (explicitTtl > TtlText.MAX_TTL) {
        problem(place, FindingCode.TTL_TOO_LARGE, "The TTL " + explicitTtl + " is above 2147483647; BIND uses 0 instead, and so did the import.");
        explicitTtl = 0;
      }
      ttl = explicitTtl;
      ttlKnown = true;
    }
    if (i + 2 < n) {
      problem(
          place,
          FindingCode.BAD_GENERATE,
          "$GENERATE has extra text after the rdata template ('"
              + lx.text(toks.get(i + 2))
              + "'); quote a template that contains blanks. Nothing was generated.");
      return;
    }
    if (!ttlKnown && !defaultTtlKnown) {
      problem(place, FindingCode.NO_TTL, "$GENERATE has no TTL and none is known yet; add a $TTL line at the top. Nothing was generated.");
      return;
    }
    if (explicitTtl < 0 && defaultTtlKnown) {
      ttl = defaultTtl;
    }
    if (classGiven && dclass != 1) {
      problem(place, FindingCode.BAD_CLASS, "$GENERATE uses a class other than IN; nothing was generated.");
      return;
    }
    Generate.Range r = Generate.parseRange(range);
    if (r == null) {
      problem(
          place,
          FindingCode.BAD_GENERATE,
          "The $GENERATE range '" + range + "' is invalid (write start-stop or start-stop/step, with 0 <= start <= stop and step >= 1); nothing was generated.");
      return;
    }
    int type = TypeRules.value(typeText);
    if (type < 0) {
      problem(place, FindingCode.UNKNOWN_TYPE, "$GENERATE uses the unknown type '" + typeText + "'; nothing was generated.");
      return;
    }
    if (TypeRules.isMeta(type)) {
      problem(place, FindingCode.META_TYPE, "$GENERATE uses the meta type " + typeText + ", which cannot be a record; nothing was generated.");
      return;
    }
    if (TypeRules.isObsolete(type)) {
      problem(place, FindingCode.OBSOLETE_TYPE, "$GENERATE uses the obsolete type " + typeText + "; nothing was generated.");
      return;
    }
    long count = r.count();
    if (count > options.maxGenerateRecords()) {
      problem(
          place,
          FindingCode.GENERATE_TOO_LARGE,
          "$GENERATE " + range + " would make " + count + " records, more than the allowed " + options.maxGenerateRecords() + "; nothing was generated. Split the range or raise the limit.");
      return;
    }
    List<Item> out = new ArrayList<>((int) Math.min(count, 4096));
    int outside = 0;
    Name firstOutside = null;
    for (long it = r.start(); it <= r.stop(); it += r.step()) {
      String owner;
      String rdata;
      try {
        owner = Generate.expand(lhs, it, Generate.MAX_LHS);
        rdata = Generate.expand(rhs, it, Generate.MAX_RHS);
      } catch (Generate.TemplateException ex) {
        problem(place, FindingCode.BAD_GENERATE, "$GENERATE failed at value " + it + ": " + ex.getMessage() + "; nothing was generated.");
        return;
      }
      Name name;
      try {
        name = Name.fromString(owner, src.origin);
      } catch (TextParseException ex) {
        problem(place, nameCode(ex) == FindingCode.BAD_DIRECTIVE ? FindingCode.BAD_GENERATE : nameCode(ex),
            "$GENERATE made the invalid owner name '" + owner + "' (" + RdataParser.reason(ex) + "); nothing was generated.");
        return;
      }
      if (!name.subdomain(zone)) {
        outside++;
        if (firstOutside == null) {
          firstOutside = name;
        }
        continue;
      }
      RdataParser.Result res = RdataParser.parseText(name, type, ttl, rdata, src.origin);
      switch (res) {
        case RdataParser.Failed f -> {
          problem(place, f.code() == FindingCode.BAD_RDATA ? FindingCode.BAD_GENERATE : f.code(),
              "$GENERATE made the invalid " + typeText + " rdata '" + rdata + "' for " + name + " (" + f.reason() + "); nothing was generated.");
          return;
        }
        case RdataParser.Parsed p -> out.add(new Rr(p.record(), place));
      }
    }
    if (outside > 0) {
      problem(
          place,
          FindingCode.OUT_OF_ZONE,
          "$GENERATE made " + outside + " names outside the zone " + zone + " (first: " + firstOutside + "); those records were not imported.");
    }
    queue.addAll(out);
  }
}
