package dnsmig.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Master-file features, one row each: the zone text (after {@link Zones#HEAD} unless {@code raw}),
 * the records it must produce (besides the head's) and the findings ("line:code"). Every
 * expectation here was checked against named-compilezone 9.18.
 */
class MasterFileSyntaxTest {

  record Case(String name, boolean raw, String body, List<String> records, List<String> findings) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case c(String name, String body, List<String> records, String... findings) {
    return new Case(name, false, body, records, List.of(findings));
  }

  static Case raw(String name, String body, List<String> records, String... findings) {
    return new Case(name, true, body, records, List.of(findings));
  }

  static Stream<Case> cases() {
    return Stream.of(
        // owner omitted: a line starting with a blank repeats the previous owner
        c("inherited owner", "www A 192.0.2.1\n  A 192.0.2.2\n", List.of(
            "www.example.com. 300 A 192.0.2.1", "www.example.com. 300 A 192.0.2.2")),
        // @ is the current origin, relative names are completed with it
        c("at sign and relative names", "@ MX 10 mail\nmail A 192.0.2.25\n", List.of(
            "example.com. 300 MX 10 mail.example.com.", "mail.example.com. 300 A 192.0.2.25")),
        // names are case-insensitive: both lines are one RRset, the duplicate is dropped
        c("case-insensitive names", "WWW A 192.0.2.1\nwww A 192.0.2.1\n", List.of(
            "WWW.example.com. 300 A 192.0.2.1"), "6:duplicate-record"),
        // class and TTL may come in either order, and may be omitted
        c("class and TTL order", "a IN 60 A 192.0.2.1\nb 60 IN A 192.0.2.2\nc A 192.0.2.3\n", List.of(
            "a.example.com. 60 A 192.0.2.1", "b.example.com. 60 A 192.0.2.2", "c.example.com. 300 A 192.0.2.3")),
        // TTL units, as BIND reads them
        c("TTL units", "a 1h30m A 192.0.2.1\nb 1W A 192.0.2.2\nc 2d3s A 192.0.2.3\n", List.of(
            "a.example.com. 5400 A 192.0.2.1", "b.example.com. 604800 A 192.0.2.2", "c.example.com. 172803 A 192.0.2.3")),
        // parentheses join lines; comments anywhere, also inside them
        c("parentheses and comments", "txt TXT ( \"one\" ; first\n  \"two\" ) ; second\n", List.of(
            "txt.example.com. 300 TXT one two")),
        // quoted strings keep blanks and semicolons; escapes \" \\ \DDD
        c("quoted strings and escapes", "t TXT \"a; b\" \"say \\\"hi\\\"\" \"\\065\\066\"\n", List.of(
            "t.example.com. 300 TXT \"a; b\" \"say \\\"hi\\\"\" AB")),
        // a special character ends an unquoted token, as in BIND's lexer
        c("token ends at a quote", "t TXT abc\"def\"\n", List.of("t.example.com. 300 TXT abc def")),
        // $ORIGIN is relative to the current origin; @ follows it
        c("$ORIGIN relative", "$ORIGIN sub\n@ A 192.0.2.1\nwww A 192.0.2.2\n", List.of(
            "sub.example.com. 300 A 192.0.2.1", "www.sub.example.com. 300 A 192.0.2.2")),
        // a blank owner right after $ORIGIN keeps the old owner, with a warning
        c("owner after $ORIGIN", "x A 192.0.2.1\n$ORIGIN sub.example.com.\n  A 192.0.2.2\n", List.of(
            "x.example.com. 300 A 192.0.2.1", "x.example.com. 300 A 192.0.2.2"), "7:inherited-owner-after-origin"),
        // unknown types in RFC 3597 form, and generic rdata for a known type
        c("RFC 3597", "u TYPE65280 \\# 3 abcdef\na TYPE1 \\# 4 C0000201\nb CLASS1 A 192.0.2.9\n", List.of(
            "a.example.com. 300 A 192.0.2.1", "b.example.com. 300 A 192.0.2.9", "u.example.com. 300 TYPE65280 \\# 3 ABCDEF")),
        // BIND reads TXT "\#" not followed by a length as the text "#"
        c("TXT backslash-hash", "t TXT \\# text\n", List.of("t.example.com. 300 TXT # text")),
        // $TTL changes the default for later records only
        c("$TTL changes", "a A 192.0.2.1\n$TTL 60\nb A 192.0.2.2\n", List.of(
            "a.example.com. 300 A 192.0.2.1", "b.example.com. 60 A 192.0.2.2")),
        // no $TTL: the SOA minimum becomes the default (warning)
        raw("default TTL from SOA", "@ SOA ns hostmaster 1 2 3 4 3600\n@ NS ns\nns A 192.0.2.53\n", List.of(
            "example.com. 3600 A 192.0.2.53".replace("example.com. 3600 A", "ns.example.com. 3600 A"),
            "example.com. 3600 NS ns.example.com.",
            "example.com. 3600 SOA ns.example.com. hostmaster.example.com. 1 2 3 4 3600"), "1:default-ttl-from-soa"),
        // no $TTL, SOA with a TTL: later records take the previous TTL (RFC 1035), one warning
        raw("RFC 1035 TTL inheritance", "@ 100 SOA ns hostmaster 1 2 3 4 3600\n@ NS ns\nns 200 A 192.0.2.53\nx A 192.0.2.1\n", List.of(
            "example.com. 100 NS ns.example.com.",
            "example.com. 100 SOA ns.example.com. hostmaster.example.com. 1 2 3 4 3600",
            "ns.example.com. 200 A 192.0.2.53", "x.example.com. 200 A 192.0.2.1"), "2:ttl-from-previous-record"),
        // consecutive records of one set: later TTLs follow the first (BIND's "TTL set to prior TTL")
        c("TTL within a set", "a 100 A 192.0.2.1\na 200 A 192.0.2.2\n", List.of(
            "a.example.com. 100 A 192.0.2.1", "a.example.com. 100 A 192.0.2.2"), "6:rrset-ttl-mismatch"),
        // the same set split over the file: the last part's TTL wins, as BIND merges
        c("TTL across the file", "a 100 A 192.0.2.1\nb A 192.0.2.9\na 200 A 192.0.2.2\n", List.of(
            "a.example.com. 200 A 192.0.2.1", "a.example.com. 200 A 192.0.2.2", "b.example.com. 300 A 192.0.2.9"), "7:rrset-ttl-mismatch"),
        // TTLs above 2^31-1 load as 0
        c("TTL too large", "a 2147483648 A 192.0.2.1\n", List.of("a.example.com. 0 A 192.0.2.1"), "5:ttl-too-large"),
        // $GENERATE: range, $ and $$
        c("$GENERATE basic", "$GENERATE 1-3 host$ A 192.0.2.$\n$GENERATE 7-7 cost$$ TXT \"$$$\"\n", List.of(
            "cost\\$.example.com. 300 TXT $7",
            "host1.example.com. 300 A 192.0.2.1", "host2.example.com. 300 A 192.0.2.2", "host3.example.com. 300 A 192.0.2.3")),
        // $GENERATE with step, TTL and class, and ${offset,width,base} modifiers
        c("$GENERATE modifiers", "$GENERATE 0-4/2 h${10,3,d} 60 IN PTR x${0,2,X}.example.com.\n", List.of(
            "h010.example.com. 60 PTR x00.example.com.",
            "h012.example.com. 60 PTR x02.example.com.",
            "h014.example.com. 60 PTR x04.example.com.")),
        // $GENERATE nibble mode for ip6.arpa
        c("$GENERATE nibbles", "$GENERATE 26-26 ${0,3,n} CNAME x\n", List.of(
            "a.1.example.com. 300 CNAME x.example.com.")),
        // $GENERATE: a huge step ends the loop (BIND's generate-overflow test)
        c("$GENERATE overflow", "$GENERATE 19-28/2147483645 $ CNAME x\n", List.of("19.example.com. 300 CNAME x.example.com.")),
        // no trailing newline at the end of the file
        c("no final newline", "a A 192.0.2.1", List.of("a.example.com. 300 A 192.0.2.1")),
        // CRLF line ends
        c("CRLF", "a A 192.0.2.1\r\nb A 192.0.2.2\r\n", List.of("a.example.com. 300 A 192.0.2.1", "b.example.com. 300 A 192.0.2.2")),
        // an in-zone name server whose address comes from a wildcard is fine for BIND
        c("NS address from a wildcard", "@ NS ns2\n* A 192.0.2.7\n", List.of(
            "*.example.com. 300 A 192.0.2.7", "example.com. 300 NS ns2.example.com.")),
        // a name server below a delegation is not checked for an address (BIND's zone cut rule)
        c("NS below a delegation", "@ NS ns.sub\nsub NS ns.sub\n", List.of(
            "example.com. 300 NS ns.sub.example.com.", "sub.example.com. 300 NS ns.sub.example.com."), "6:missing-glue"),
        // a bad line in the middle costs only itself
        c("bad line in the middle", "a A 192.0.2.1\nb A 192.0.2.300\nc A 192.0.2.3\n", List.of(
            "a.example.com. 300 A 192.0.2.1", "c.example.com. 300 A 192.0.2.3"), "6:bad-rdata"),
        // an unclosed parenthesis is reported on its line; lexing resumes after it
        c("unclosed parenthesis", "a TXT ( \"x\"\nb A 192.0.2.2\n", List.of("b.example.com. 300 A 192.0.2.2"), "5:syntax"),
        // a parenthesised entry's finding carries its first line and all its text
        c("bad parenthesised entry", "a MX (\n 10\n )\nb A 192.0.2.2\n", List.of("b.example.com. 300 A 192.0.2.2"), "5:bad-rdata"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readsAsBindDoes(Case k) {
    Conversion c = Zones.convert(k.raw() ? k.body() : Zones.HEAD + k.body());
    assertThat(Zones.ownRecords(c)).as("records").isEqualTo(k.records().stream().sorted().toList());
    assertThat(Zones.findings(c)).as("findings").isEqualTo(k.findings());
  }

  @Test
  void parenthesisedFindingCarriesAllItsLines() {
    Conversion c = Zones.convert(Zones.HEAD + "a MX (\n 10\n )\n");
    assertThat(c.findings()).singleElement().satisfies(f -> {
      assertThat(f.line()).isEqualTo(5);
      assertThat(f.text()).isEqualTo("a MX (\n 10\n )");
      assertThat(f.file()).isEqualTo("zone.db");
    });
  }

  // ------------------------------------------------------------------ $INCLUDE

  @TempDir Path dir;

  private void write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  @Test
  void includeResolvesAgainstBaseDirAndRestoresOriginAndOwner() throws IOException {
    write("sub/part.db", "www A 192.0.2.10\n  A 192.0.2.11\n");
    // the include's origin is sub.example.com.; afterwards the origin and the owner are restored
    Conversion c = Zones.convert(dir, Zones.HEAD + "x A 192.0.2.1\n$INCLUDE sub/part.db sub\n  A 192.0.2.2\ny A 192.0.2.3\n");
    assertThat(Zones.ownRecords(c)).containsExactly(
        "www.sub.example.com. 300 A 192.0.2.10",
        "www.sub.example.com. 300 A 192.0.2.11",
        "x.example.com. 300 A 192.0.2.1",
        "x.example.com. 300 A 192.0.2.2",
        "y.example.com. 300 A 192.0.2.3");
    assertThat(c.findings()).isEmpty();
  }

  @Test
  void includeInheritsTheOwnerAndTtlStateFlowsBack() throws IOException {
    write("part.db", "  A 192.0.2.20\n$TTL 60\n");
    Conversion c = Zones.convert(dir, Zones.HEAD + "x A 192.0.2.1\n$INCLUDE part.db\nz A 192.0.2.3\n");
    assertThat(Zones.ownRecords(c)).containsExactly(
        "x.example.com. 300 A 192.0.2.1", "x.example.com. 300 A 192.0.2.20", "z.example.com. 60 A 192.0.2.3");
  }

  @Test
  void includeFindingsNameTheIncludedFile() throws IOException {
    write("part.db", "ok A 192.0.2.1\nbad A nope\n");
    Conversion c = Zones.convert(dir, Zones.HEAD + "$INCLUDE part.db\n");
    assertThat(c.findings()).singleElement().satisfies(f -> {
      assertThat(f.file()).isEqualTo("part.db");
      assertThat(f.line()).isEqualTo(2);
      assertThat(f.code()).isEqualTo(FindingCode.BAD_RDATA);
    });
  }

  @Test
  void includeLoopIsStoppedAndReported() throws IOException {
    write("a.db", "a A 192.0.2.1\n$INCLUDE b.db\n");
    write("b.db", "b A 192.0.2.2\n$INCLUDE a.db\n");
    Conversion c = Zones.convert(dir, Zones.HEAD + "$INCLUDE a.db\n");
    assertThat(Zones.ownRecords(c)).containsExactly("a.example.com. 300 A 192.0.2.1", "b.example.com. 300 A 192.0.2.2");
    assertThat(c.findings()).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo(FindingCode.INCLUDE_LOOP);
      assertThat(f.file()).isEqualTo("b.db");
      assertThat(f.line()).isEqualTo(2);
    });
  }

  @Test
  void includeDepthIsLimited() throws IOException {
    write("d1.db", "d1 A 192.0.2.1\n$INCLUDE d2.db\n");
    write("d2.db", "d2 A 192.0.2.2\n$INCLUDE d3.db\n");
    write("d3.db", "d3 A 192.0.2.3\n");
    Conversion c = Zones.convert(Zones.HEAD + "$INCLUDE d1.db\n", ConverterOptions.defaults().withBaseDir(dir).withMaxIncludeDepth(2));
    assertThat(Zones.ownRecords(c)).containsExactly("d1.example.com. 300 A 192.0.2.1", "d2.example.com. 300 A 192.0.2.2");
    assertThat(Zones.findings(c)).containsExactly("2:include-too-deep");
  }

  @Test
  void includeOfADirectoryOrMissingFileFails() throws IOException {
    Files.createDirectories(dir.resolve("adir"));
    Conversion c = Zones.convert(dir, Zones.HEAD + "$INCLUDE adir\n$INCLUDE missing.db\nok A 192.0.2.1\n");
    assertThat(Zones.findings(c)).containsExactly("5:include-failed", "6:include-failed");
    assertThat(Zones.ownRecords(c)).containsExactly("ok.example.com. 300 A 192.0.2.1");
  }

  @Test
  void generateLimitIsAnOption() {
    Conversion c = Zones.convert(Zones.HEAD + "$GENERATE 1-11 h$ A 192.0.2.$\n", ConverterOptions.defaults().withMaxGenerateRecords(10));
    assertThat(Zones.findings(c)).containsExactly("5:generate-too-large");
    assertThat(Zones.ownRecords(c)).isEmpty();
  }
}
