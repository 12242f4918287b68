package dnsmig.verify.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The replayed query's bytes, written directly, are what dnsjava writes for the same query, and read back to the same query. */
class QueryWireTest {

    @Test
    void sameBytesAsDnsjavaForEveryFlagAndEdnsCombination() throws Exception {
        Instant at = Instant.EPOCH;
        for (String name : new String[] {"www.Example.COM.", ".", "a\\.b.example.", "xn--bcher-kva.example."}) {
            for (int type : new int[] {Type.A, Type.AAAA, Type.TXT, Type.ANY, Type.CAA}) {
                for (int flags = 0; flags < 4; flags++) {
                    for (int payload : new int[] {-1, 512, 1232, 4096}) {
                        for (boolean dnssecOk : payload < 0 ? new boolean[] {false} : new boolean[] {false, true}) {
                            Query q = new Query(Name.fromString(name), type, DClass.IN, (flags & 1) != 0, (flags & 2) != 0, payload, dnssecOk, "ns1", at);
                            byte[] wire = q.toWire();
                            assertThat(wire).as("%s", q).isEqualTo(dnsjava(q));
                            Query back = Query.fromWire(wire, "ns1", at);
                            assertThat(back).isEqualTo(q);
                            assertThat(back.name().toString()).isEqualTo(q.name().toString()); // letter case kept
                        }
                    }
                }
            }
        }
    }

    private static byte[] dnsjava(Query q) {
        Message m = new Message(0);
        m.getHeader().setOpcode(Opcode.QUERY);
        if (q.rd()) {
            m.getHeader().setFlag(Flags.RD);
        }
        if (q.cd()) {
            m.getHeader().setFlag(Flags.CD);
        }
        m.addRecord(Record.newRecord(q.name(), q.type(), q.dclass()), Section.QUESTION);
        if (q.ednsPayload() >= 0) {
            m.addRecord(new OPTRecord(q.ednsPayload(), 0, 0, q.dnssecOk() ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
        }
        return m.toWire();
    }
}
