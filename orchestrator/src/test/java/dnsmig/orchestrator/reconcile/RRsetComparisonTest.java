package dnsmig.orchestrator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.store.Rows;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** One legacy record against one stored row: what reconcile calls equal, and what kind of difference it sees otherwise. */
class RRsetComparisonTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // case                          | legacy (name ttl type rdata)                               | store row (name|type|ttl|rdata as stored)                      | expected
        "same                            | www.ex. 300 A 192.0.2.1                                    | www.ex.;A;300;192.0.2.1                                        | equal",
        "owner case ignored              | WWW.Ex. 300 A 192.0.2.1                                    | www.ex.;A;300;192.0.2.1                                        | equal",
        "names in rdata compared as DNS  | ex. 300 MX 10 Mail.EX.                                     | ex.;MX;300;10 mail.ex.                                         | equal",
        "IPv6 text forms                 | v6.ex. 300 AAAA 2001:db8::1                                | v6.ex.;AAAA;300;2001:0db8:0:0:0:0:0:1                          | equal",
        "SOA serial is not compared      | ex. 300 SOA ns1.ex. h.ex. 41 3600 600 86400 300            | ex.;SOA;300;ns1.ex. h.ex. 40 3600 600 86400 300                 | equal",
        "other SOA fields are            | ex. 300 SOA ns1.ex. h.ex. 41 3600 600 86400 300            | ex.;SOA;300;ns1.ex. h.ex. 41 7200 600 86400 300                 | rdata",
        "TTL                             | www.ex. 300 A 192.0.2.1                                    | www.ex.;A;60;192.0.2.1                                         | ttl",
        "rdata                           | www.ex. 300 A 192.0.2.1                                    | www.ex.;A;300;192.0.2.2                                        | rdata",
        "rdata and TTL: rdata wins       | www.ex. 300 A 192.0.2.1                                    | www.ex.;A;60;192.0.2.2                                         | rdata",
        "TXT strings split differently   | t.ex. 300 TXT \"ab\" \"c\"                                 | t.ex.;TXT;300;\"abc\"                                          | rdata",
        "other type: missing and extra   | www.ex. 300 A 192.0.2.1                                    | www.ex.;AAAA;300;2001:db8::1                                   | extra+missing",
    })
    void comparesCanonically(String what, String legacy, String store, String expected) throws Exception {
        String[] p = legacy.split("\\s+", 4);
        Record l = Record.fromString(Name.fromString(p[0]), Type.value(p[2]), DClass.IN, Long.parseLong(p[1]), p[3], Name.root);
        String[] s = store.split(";");
        Rows.Rr row = new Rows.Rr(s[0], s[1], Integer.parseInt(s[2]), s[3]);

        List<RRsetComparison.Difference> diffs = RRsetComparison.compare(List.of(l), List.of(row));

        String got = diffs.isEmpty() ? "equal" : String.join("+", diffs.stream().map(d -> d.kind().name()).sorted().toList());
        assertThat(got).as(what).isEqualTo(expected);
    }
}
