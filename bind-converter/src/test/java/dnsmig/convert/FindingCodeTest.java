package dnsmig.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Each finding code, provoked once: the zone (after {@link Zones#HEAD} unless {@code raw}), the
 * line it must be reported on, words its message must contain, and whether the offending record
 * is kept (warnings) or not (errors).
 */
class FindingCodeTest {

  record Case(FindingCode code, boolean raw, String body, int line, String mustMention, String keptOrNull) {
    @Override
    public String toString() {
      return code.id();
    }
  }

  /** A case on top of the valid head; {@code line} counts from the top of the whole file. */
  static Case c(FindingCode code, String body, int line, String mention, String kept) {
    return new Case(code, false, body, line, mention, kept);
  }

  static Case raw(FindingCode code, String body, int line, String mention, String kept) {
    return new Case(code, true, body, line, mention, kept);
  }

  static final String LONG_LABEL = "a".repeat(64);
  static final String LONG_NAME = String.join(".", "b".repeat(63), "c".repeat(63), "d".repeat(63), "e".repeat(63));

  static Stream<Case> cases() {
    return Stream.of(
        // a quoted string left open at the end of its line
        c(FindingCode.SYNTAX, "t TXT \"open\n", 5, "not closed", null),
        // an IPv4 address with a 300
        c(FindingCode.BAD_RDATA, "a A 192.0.2.300\n", 5, "a.example.com.", null),
        // a type BIND does not know
        c(FindingCode.UNKNOWN_TYPE, "a FOO bar\n", 5, "FOO", null),
        // a query type as a record
        c(FindingCode.META_TYPE, "a IN ANY \\# 0\n", 5, "ANY", null),
        // MD is forbidden in zone files
        c(FindingCode.OBSOLETE_TYPE, "a MD host\n", 5, "MD", null),
        // CHAOS class in an IN zone
        c(FindingCode.BAD_CLASS, "a CH A 192.0.2.1\n", 5, "CH", null),
        // a blank-started first line has no owner to repeat
        raw(FindingCode.NO_OWNER, "  A 192.0.2.1\n@ 300 SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.53\n", 1, "no previous record", null),
        // no $TTL, and the first record is not the SOA
        raw(FindingCode.NO_TTL, "a A 192.0.2.1\n@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.53\n", 1, "$TTL", null),
        // a directive BIND does not know
        c(FindingCode.BAD_DIRECTIVE, "$FOO bar\n", 5, "$FOO", null),
        // a missing include file
        c(FindingCode.INCLUDE_FAILED, "$INCLUDE no-such-file.db\n", 5, "no-such-file.db", null),
        // an include that includes itself
        c(FindingCode.INCLUDE_LOOP, "$INCLUDE self.db\n", 1, "loop", null),
        // nesting deeper than allowed (depth 0 in this case's options)
        c(FindingCode.INCLUDE_TOO_DEEP, "$INCLUDE leaf.db\n", 5, "deeper", null),
        // a range backwards
        c(FindingCode.BAD_GENERATE, "$GENERATE 3-1 h$ A 192.0.2.$\n", 5, "3-1", null),
        // more than 65,536 records
        c(FindingCode.GENERATE_TOO_LARGE, "$GENERATE 0-65536 h$ A 192.0.2.1\n", 5, "65537", null),
        // a name in another zone
        c(FindingCode.OUT_OF_ZONE, "www.example.org. A 192.0.2.1\n", 5, "www.example.org.", null),
        // a name over 255 octets
        c(FindingCode.NAME_TOO_LONG, LONG_NAME + " A 192.0.2.1\n", 5, "bbbb", null),
        // a label over 63 octets
        c(FindingCode.LABEL_TOO_LONG, LONG_LABEL + " A 192.0.2.1\n", 5, "aaaa", null),
        // a TXT string of 256 octets
        c(FindingCode.TXT_STRING_TOO_LONG, "t TXT \"" + "x".repeat(256) + "\"\n", 5, "t.example.com.", null),
        // CNAME after other data at the same name
        c(FindingCode.CNAME_AND_OTHER_DATA, "www A 192.0.2.1\nwww CNAME host\n", 6, "www.example.com.", null),
        // CNAME at the apex
        c(FindingCode.CNAME_AT_APEX, "@ CNAME host.example.net.\n", 5, "apex", null),
        // two CNAMEs at one name
        c(FindingCode.MULTIPLE_CNAME, "c CNAME a\nc CNAME b\n", 6, "c.example.com.", null),
        // two DNAMEs at one name
        c(FindingCode.MULTIPLE_DNAME, "d DNAME a.example.net.\nd DNAME b.example.net.\n", 6, "d.example.com.", null),
        // a second, different SOA
        c(FindingCode.MULTIPLE_SOA, "@ SOA ns hostmaster 2 7200 3600 1209600 300\n", 5, "second SOA", null),
        // an SOA below the apex
        c(FindingCode.SOA_NOT_AT_APEX, "sub SOA ns hostmaster 1 2 3 4 5\n", 5, "sub.example.com.", null),
        // a DS at the apex
        c(FindingCode.DS_AT_APEX, "@ DS 12345 8 2 " + "ab".repeat(32) + "\n", 5, "parent", null),
        // an NS record at a wildcard
        c(FindingCode.WILDCARD_NS, "* NS ns\n", 5, "*.example.com.", null),
        // a CDS whose algorithm no DNSKEY has
        c(FindingCode.CDS_WITHOUT_DNSKEY, "@ CDS 12345 8 2 " + "ab".repeat(32) + "\n", 5, "DNSKEY", null),
        // an NSEC3PARAM whose hash algorithm does not exist
        c(FindingCode.UNSUPPORTED_NSEC3_HASH, "@ NSEC3PARAM 0 0 0 -\n", 5, "SHA-1", null),
        // no SOA at all: reported on the first record
        raw(FindingCode.NO_SOA, "$TTL 300\n@ NS ns\nns A 192.0.2.53\n", 2, "no SOA", null),
        // no NS at the apex: reported on the SOA
        raw(FindingCode.NO_NS, "$TTL 300\n@ SOA ns hostmaster 1 2 3 4 5\n", 2, "no NS", null),
        // an in-zone name server without an address
        c(FindingCode.NS_WITHOUT_ADDRESS, "@ NS ns2\n", 5, "ns2.example.com.", null),
        // an in-zone name server below a DNAME
        c(FindingCode.NS_BELOW_DNAME, "@ NS ns.d\nd DNAME example.net.\n", 5, "DNAME", null),
        // the same record twice: kept once
        c(FindingCode.DUPLICATE_RECORD, "a A 192.0.2.1\na A 192.0.2.1\n", 6, "a.example.com.", "a.example.com. 300 A 192.0.2.1"),
        // one set, two TTLs
        c(FindingCode.RRSET_TTL_MISMATCH, "a 100 A 192.0.2.1\na 200 A 192.0.2.2\n", 6, "100", "a.example.com. 100 A 192.0.2.2"),
        // an MX pointing at a CNAME
        c(FindingCode.MX_OR_NS_TARGET_IS_CNAME, "@ MX 10 mail\nmail CNAME host\nhost A 192.0.2.25\n", 5, "mail.example.com.", "example.com. 300 MX 10 mail.example.com."),
        // a delegation to a server inside it, without glue
        c(FindingCode.MISSING_GLUE, "sub NS ns.sub\n", 5, "ns.sub.example.com.", "sub.example.com. 300 NS ns.sub.example.com."),
        // a target written without its final dot
        c(FindingCode.PROBABLE_MISSING_TRAILING_DOT, "www CNAME host.example.com\n", 5, "host.example.com.example.com.", "www.example.com. 300 CNAME host.example.com.example.com."),
        // no $TTL and no TTL on the SOA
        raw(FindingCode.DEFAULT_TTL_FROM_SOA, "@ SOA ns hostmaster 1 2 3 4 3600\n@ NS ns\nns A 192.0.2.53\n", 1, "3600", "ns.example.com. 3600 A 192.0.2.53"),
        // no $TTL: the previous record's TTL is used
        raw(FindingCode.TTL_FROM_PREVIOUS_RECORD, "@ 100 SOA ns hostmaster 1 2 3 4 3600\n@ NS ns\nns A 192.0.2.53\n", 2, "100", "ns.example.com. 100 A 192.0.2.53"),
        // a TTL above 2^31-1, loaded as 0
        c(FindingCode.TTL_TOO_LARGE, "a 4294967295 A 192.0.2.1\n", 5, "4294967295", "a.example.com. 0 A 192.0.2.1"),
        // an NS target that is an address
        c(FindingCode.NS_TARGET_IS_ADDRESS, "sub NS 192.0.2.1\n", 5, "192.0.2.1", "sub.example.com. 300 NS 192.0.2.1.example.com."),
        // a blank owner right after $ORIGIN
        c(FindingCode.INHERITED_OWNER_AFTER_ORIGIN, "x A 192.0.2.1\n$ORIGIN sub.example.com.\n  A 192.0.2.2\n", 7, "x.example.com.", "x.example.com. 300 A 192.0.2.2"));
  }

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachCodeIsReportedWhereItHappens(Case k) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("self.db"), "$INCLUDE self.db\n");
    java.nio.file.Files.writeString(dir.resolve("leaf.db"), "leaf A 192.0.2.1\n");
    ConverterOptions options = ConverterOptions.defaults().withBaseDir(dir);
    if (k.code() == FindingCode.INCLUDE_TOO_DEEP) {
      options = options.withMaxIncludeDepth(0);
    }
    Conversion c = Zones.convert(k.raw() ? k.body() : Zones.HEAD + k.body(), options);
    assertThat(c.findings())
        .as("findings %s", c.findings())
        .anySatisfy(
            f -> {
              assertThat(f.code()).isEqualTo(k.code());
              assertThat(f.severity()).isEqualTo(k.code().severity());
              assertThat(f.line()).isEqualTo(k.line());
              assertThat(f.message()).contains(k.mustMention());
              assertThat(f.text()).isNotBlank();
            });
    if (k.keptOrNull() != null) {
      assertThat(k.code().severity()).isEqualTo(Severity.WARNING);
      assertThat(c.records().stream().map(Zones::show)).contains(k.keptOrNull());
    } else {
      assertThat(k.code().severity()).isEqualTo(Severity.ERROR);
    }
    assertThat(c.servable()).as("servable").isEqualTo(!k.code().zoneLevel());
  }

  @Test
  void everyCodeHasACase() {
    Set<FindingCode> covered = cases().map(Case::code).collect(Collectors.toCollection(() -> EnumSet.noneOf(FindingCode.class)));
    covered.add(FindingCode.UNREADABLE_FILE); // below: it needs a path, not text
    assertThat(covered).containsExactlyInAnyOrderElementsOf(Arrays.asList(FindingCode.values()));
  }

  @Test
  void unreadableFileIsAZoneLevelError() {
    Conversion c = new ZoneFileConverter(ConverterOptions.defaults()).convert(dir.resolve("missing.db"), Zones.ORIGIN);
    assertThat(c.findings()).singleElement().satisfies(f -> assertThat(f.code()).isEqualTo(FindingCode.UNREADABLE_FILE));
    assertThat(c.servable()).isFalse();
    assertThat(c.records()).isEmpty();
  }

  @Test
  void zoneLevelErrorsKeepTheGoodRecords() {
    Conversion c = Zones.convert("$TTL 300\nwww A 192.0.2.1\n");
    assertThat(c.servable()).isFalse();
    assertThat(Zones.findings(c)).containsExactly("2:no-soa", "2:no-ns");
    assertThat(c.records().stream().map(Zones::show)).containsExactly("www.example.com. 300 A 192.0.2.1");
  }

  @Test
  void idsAreKebabCaseAndRoundTrip() {
    for (FindingCode code : FindingCode.values()) {
      assertThat(code.id()).matches("[a-z0-9]+(-[a-z0-9]+)*");
      assertThat(FindingCode.fromId(code.id())).isEqualTo(code);
    }
    assertThat(FindingCode.CNAME_AND_OTHER_DATA.id()).isEqualTo("cname-and-other-data");
  }

  @Test
  void validatorAppliesTheSameRulesToApiWrites() throws Exception {
    Name origin = Zones.ORIGIN;
    List<Record> records =
        List.of(
            Record.fromString(origin, org.xbill.DNS.Type.SOA, 1, 300, "ns hostmaster 1 2 3 4 5", origin),
            Record.fromString(origin, org.xbill.DNS.Type.NS, 1, 300, "ns", origin),
            Record.fromString(Name.fromString("ns", origin), org.xbill.DNS.Type.A, 1, 300, "192.0.2.53", origin),
            Record.fromString(Name.fromString("www", origin), org.xbill.DNS.Type.A, 1, 300, "192.0.2.1", origin),
            Record.fromString(Name.fromString("www", origin), org.xbill.DNS.Type.CNAME, 1, 300, "host", origin));
    Conversion v = ZoneValidator.validate(origin, records, "api");
    assertThat(v.findings()).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo(FindingCode.CNAME_AND_OTHER_DATA);
      assertThat(f.file()).isEqualTo("api");
      assertThat(f.line()).isEqualTo(5);
    });
    assertThat(v.records()).hasSize(4);
    assertThat(v.servable()).isTrue();
  }
}
