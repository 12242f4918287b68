package dnsmig.verify.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dnsmig.verify.confirm.Confirmation;
import dnsmig.verify.confirm.Outcome;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The comparison vocabulary as a table: two answers, and the categories their differences fall in. */
class ComparisonTest {

    /** A response to www.example. A: header "NOERROR aa", then records "section|owner TTL TYPE RDATA". */
    static Message answer(String rcodeFlags, String... records) throws Exception {
        Message m = new Message(7);
        m.getHeader().setFlag(Flags.QR);
        String[] h = rcodeFlags.split(" ");
        m.getHeader().setRcode(Rcode.value(h[0]));
        for (int i = 1; i < h.length; i++) {
            m.getHeader().setFlag(Flags.value(h[i]));
        }
        m.addRecord(Record.newRecord(Name.fromString("www.example."), Type.A, DClass.IN), Section.QUESTION);
        for (String r : records) {
            String[] p = r.split("\\|", 2);
            String[] f = p[1].split(" ", 4);
            m.addRecord(Record.fromString(Name.fromString(f[0]), Type.value(f[2]), DClass.IN, Long.parseLong(f[1]), f[3], Name.root), Section.value(p[0]));
        }
        return m;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // identical
                Arguments.of("NOERROR aa", List.of("an|www.example. 300 A 192.0.2.1"), "NOERROR aa", List.of("an|www.example. 300 A 192.0.2.1"), List.of(), 0L),
                // order of records and letter case of names do not matter
                Arguments.of("NOERROR aa", List.of("an|www.example. 300 A 192.0.2.1", "an|www.example. 300 A 192.0.2.2"), "NOERROR aa",
                        List.of("an|WWW.Example. 300 A 192.0.2.2", "an|www.example. 300 A 192.0.2.1"), List.of(), 0L),
                // names inside rdata compare case-insensitively too (RFC 4034 canonical form)
                Arguments.of("NOERROR aa", List.of("an|www.example. 300 CNAME Host.Example."), "NOERROR aa", List.of("an|www.example. 300 CNAME host.example."),
                        List.of(), 0L),
                // other address
                Arguments.of("NOERROR aa", List.of("an|www.example. 300 A 192.0.2.1"), "NOERROR aa", List.of("an|www.example. 300 A 192.0.2.9"),
                        List.of(Category.RDATA), 0L),
                // TTL beyond, and within, the tolerance
                Arguments.of("NOERROR aa", List.of("an|www.example. 300 A 192.0.2.1"), "NOERROR aa", List.of("an|www.example. 600 A 192.0.2.1"),
                        List.of(Category.TTL), 0L),
                Arguments.of("NOERROR aa", List.of("an|www.example. 300 A 192.0.2.1"), "NOERROR aa", List.of("an|www.example. 310 A 192.0.2.1"), List.of(), 10L),
                // missing and extra RRsets
                Arguments.of("NOERROR aa", List.of("an|www.example. 300 A 192.0.2.1"), "NOERROR aa", List.of(), List.of(Category.MISSING), 0L),
                Arguments.of("NOERROR aa", List.of(), "NOERROR aa", List.of("ad|ns1.example. 300 A 192.0.2.53"), List.of(Category.EXTRA), 0L),
                // rcode and flags
                Arguments.of("NXDOMAIN aa", List.of(), "NOERROR aa", List.of(), List.of(Category.RCODE), 0L),
                Arguments.of("NOERROR aa", List.of(), "NOERROR", List.of(), List.of(Category.FLAGS), 0L),
                // the SOA serial is ignored by default
                Arguments.of("NOERROR aa", List.of("au|example. 300 SOA ns1.example. h.example. 5 3600 600 86400 300"), "NOERROR aa",
                        List.of("au|example. 300 SOA ns1.example. h.example. 6 3600 600 86400 300"), List.of(), 0L));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void categories(String oldHeader, List<String> oldRecords, String newHeader, List<String> newRecords, List<Category> expected, long tolerance)
            throws Exception {
        Comparison c = new Comparison(IgnoreRules.defaults(), tolerance);
        Message a = answer(oldHeader, oldRecords.toArray(String[]::new));
        Message b = answer(newHeader, newRecords.toArray(String[]::new));
        assertThat(c.compare(Type.A, a, b)).extracting(Difference::category).containsExactlyElementsOf(expected);
        // the same through the wire (the fast path for identical bytes included)
        assertThat(c.compare(Type.A, new Observation.Answered(a.toWire(), 0), new Observation.Answered(b.toWire(), 0))).extracting(Difference::category)
                .containsExactlyElementsOf(expected);
    }

    @Test
    void timeoutsAreTheirOwnCategories() throws Exception {
        Comparison c = new Comparison(IgnoreRules.defaults(), 0);
        Observation ok = new Observation.Answered(answer("NOERROR aa").toWire(), 0);
        Observation lost = new Observation.Failed("no answer", true, 0);
        assertThat(c.compare(Type.A, lost, ok)).extracting(Difference::category).containsExactly(Category.TIMEOUT_OLD);
        assertThat(c.compare(Type.A, ok, lost)).extracting(Difference::category).containsExactly(Category.TIMEOUT_NEW);
        assertThat(c.compare(Type.A, lost, lost)).isEmpty();
    }

    @Test
    void ignoreRules() throws Exception {
        Message a = answer("NOERROR aa", "an|www.example. 300 A 192.0.2.1", "ad|x.example. 300 A 192.0.2.3");
        Message b = answer("NOERROR aa", "an|www.example. 300 A 192.0.2.2");
        assertThat(new Comparison(IgnoreRules.parse(List.of("section:additional")), 0).compare(Type.A, a, b)).extracting(Difference::category)
                .containsExactly(Category.RDATA);
        assertThat(new Comparison(IgnoreRules.parse(List.of("qtype:A")), 0).compare(Type.A, a, b)).isEmpty();
        assertThat(IgnoreRules.parse(List.of("name:example.")).ignoresName(Name.fromString("www.example."))).isTrue();
        assertThatThrownBy(() -> IgnoreRules.parse(List.of("soa-serial", "qtype:NOPE"))).hasMessageContaining("ignore rule 2").hasMessageContaining("NOPE");
        assertThatThrownBy(() -> IgnoreRules.parse(List.of("everything"))).hasMessageContaining("'everything' is not one of");
    }

    @Test
    void confirmation() {
        List<Difference> none = List.of();
        List<Difference> some = List.of(new Difference(Category.RDATA, "x"));
        assertThat(Confirmation.decide(none, none, 5, 6)).isEqualTo(Outcome.TRANSIENT);
        assertThat(Confirmation.decide(some, some, 5, 5)).isEqualTo(Outcome.NOISE);
        assertThat(Confirmation.decide(some, none, 5, 6)).isEqualTo(Outcome.VERSION_SKEW);
        assertThat(Confirmation.decide(some, none, 5, 5)).isEqualTo(Outcome.CONFIRMED);
        assertThat(Confirmation.decide(some, none, -1, 5)).isEqualTo(Outcome.CONFIRMED);
    }
}
