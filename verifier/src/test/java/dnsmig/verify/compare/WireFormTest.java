package dnsmig.verify.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The comparison's wire fast path ({@link WireForm}): it finds answers alike whose bytes differ
 * (order, compression, letter case), and it never calls two answers equal that the parsed
 * comparison ({@link AnswerShape}) tells apart — checked over thousands of mutated answers.
 */
class WireFormTest {

    private static final String[] RECORDS = {
        "an|Www.Example. 300 A 192.0.2.1", "an|www.example. 300 A 192.0.2.2", "an|www.example. 300 AAAA 2001:db8::1",
        "an|www.example. 300 TXT \"v=spf1 -all\" \"Two Strings\"", "an|www.example. 300 MX 10 Mail.Example.", "an|www.example. 300 MX 20 mx2.example.",
        "an|_sip._tcp.example. 300 SRV 0 5 5060 SipHost.Example.", "an|alias.example. 300 CNAME Www.Example.", "an|1.2.0.192.in-addr.arpa. 300 PTR Www.Example.",
        "an|d.example. 300 DNAME Other.Example.", "an|www.example. 300 CAA 0 issue \"ca.example\"",
        "au|example. 3600 NS Ns1.Example.", "au|example. 3600 NS ns2.example.", "au|example. 3600 SOA Ns1.Example. Hostmaster.Example. 2024 7200 1800 604800 300",
        "ad|ns1.example. 3600 A 192.0.2.53", "ad|ns2.example. 3600 AAAA 2001:db8::53"};

    /** A response to www.example. A with these records ("section|owner TTL TYPE RDATA"), in this order, with EDNS. */
    static Message answer(List<String> records) throws Exception {
        Message m = new Message(7);
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.getHeader().setRcode(Rcode.NOERROR);
        m.addRecord(Record.newRecord(Name.fromString("www.example."), Type.A, DClass.IN), Section.QUESTION);
        for (String r : records) {
            String[] p = r.split("\\|", 2);
            String[] f = p[1].split(" ", 4);
            m.addRecord(Record.fromString(Name.fromString(f[0]), Type.value(f[2]), DClass.IN, Long.parseLong(f[1]), f[3], Name.root), Section.value(p[0]));
        }
        m.addRecord(new OPTRecord(1232, 0, 0, 0), Section.ADDITIONAL);
        return m;
    }

    private static List<Difference> parsed(byte[] a, byte[] b) throws Exception {
        Comparison c = new Comparison(IgnoreRules.none(), 0);
        return c.compare(Type.A, new Message(a), new Message(b));
    }

    @Test
    void answersAlikeInAnotherOrderCompressionOrCaseAreEqualWithoutParsing() throws Exception {
        Random rnd = new Random(13);
        List<String> base = List.of(RECORDS);
        byte[] a = answer(base).toWire();
        for (int i = 0; i < 200; i++) {
            List<String> shuffled = new ArrayList<>(base);
            Collections.shuffle(shuffled, rnd); // sections are kept apart by the message; compression pointers move
            List<String> recased = new ArrayList<>();
            for (String r : shuffled) {
                recased.add(rnd.nextBoolean() ? upperNames(r) : r);
            }
            byte[] b = answer(recased).toWire();
            assertThat(parsed(a, b)).as("the parsed comparison agrees they are alike").isEmpty();
            assertThat(WireForm.equivalent(a, b)).as("the fast path sees it too: %s", recased).isTrue();
        }
    }

    @Test
    void neverEqualWhenTheParsedComparisonFindsADifference() throws Exception {
        Random rnd = new Random(42);
        byte[] a = answer(List.of(RECORDS)).toWire();
        int equal = 0;
        int differ = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] b = answer(shuffle(rnd)).toWire();
            int flips = 1 + rnd.nextInt(2);
            for (int k = 0; k < flips; k++) {
                int at = 2 + rnd.nextInt(b.length - 2);
                b[at] = switch (rnd.nextInt(3)) {
                    case 0 -> (byte) (b[at] ^ 0x20); // letter case, or a bit of data
                    case 1 -> (byte) (b[at] + 1);
                    default -> (byte) rnd.nextInt(256);
                };
            }
            List<Difference> d;
            try {
                d = parsed(a, b);
            } catch (java.io.IOException | RuntimeException malformed) {
                assertThat(WireForm.equivalent(a, b)).as("a message dnsjava cannot read is never equal").isFalse();
                continue;
            }
            boolean fast = WireForm.equivalent(a, b);
            if (fast) {
                equal++;
                assertThat(d).as("fast path said equal for mutation %d", i).isEmpty();
            } else if (!d.isEmpty()) {
                differ++;
            }
        }
        assertThat(equal).as("case flips in names still compare equal on the fast path").isPositive();
        assertThat(differ).isPositive();
    }

    @Test
    void malformedMessagesAreNotEqualAndDoNotThrow() throws Exception {
        byte[] a = answer(List.of("an|www.example. 300 A 192.0.2.1")).toWire();
        byte[] loop = a.clone();
        // the answer's owner is a pointer to the question name (offset 12): point it at itself
        int owner = 12 + Name.fromString("www.example.").length() + 4;
        loop[owner] = (byte) (0xc0 | (owner >> 8));
        loop[owner + 1] = (byte) owner;
        assertThat(WireForm.equivalent(a, loop)).isFalse();
        assertThat(WireForm.equivalent(a, java.util.Arrays.copyOf(a, a.length - 3))).isFalse();
        assertThat(WireForm.equivalent(new byte[5], new byte[5])).isFalse();
        // record types it does not read (here RRSIG-free NAPTR) leave the decision to the parsed comparison
        byte[] naptr = answer(List.of("an|www.example. 300 NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .")).toWire();
        assertThat(WireForm.equivalent(naptr, naptr.clone())).isFalse();
    }

    /** The owner name, and the rdata of types whose rdata is names and numbers, in upper case. */
    private static String upperNames(String r) {
        String[] p = r.split("\\|", 2);
        String[] f = p[1].split(" ", 4);
        boolean names = !f[2].equals("TXT") && !f[2].equals("CAA");
        return p[0] + "|" + f[0].toUpperCase(java.util.Locale.ROOT) + " " + f[1] + " " + f[2] + " " + (names ? f[3].toUpperCase(java.util.Locale.ROOT) : f[3]);
    }

    private static List<String> shuffle(Random rnd) {
        List<String> l = new ArrayList<>(List.of(RECORDS));
        Collections.shuffle(l, rnd);
        return l;
    }
}
