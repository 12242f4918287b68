package dnsmig.server.xfr;

import dnsmig.server.zone.RRset;
import dnsmig.server.zone.Zone;
import dnsmig.server.zone.ZoneIndex;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/**
 * AXFR out (RFC 5936): the whole zone, SOA first and last, in as many messages as it takes
 * (each under 64 KiB), to clients the {@link TransferPolicy} allows. A signed request gets
 * signed responses (RFC 8945 §5.3.1, every message). IXFR is answered with the full zone
 * (RFC 1995 §4 allows it), as this server keeps no history of differences.
 */
public final class ZoneTransfer {

    private static final Logger log = LoggerFactory.getLogger(ZoneTransfer.class);
    /** Room left for the TSIG record and headers in each message. */
    private static final int MESSAGE_BUDGET = 60_000;

    private final ZoneIndex index;
    private final TransferPolicy policy;

    public ZoneTransfer(ZoneIndex index, TransferPolicy policy) {
        this.index = index;
        this.policy = policy;
    }

    /**
     * Answers a transfer request parsed as {@code query} (with its raw bytes for TSIG) from
     * {@code client}, handing each response message to {@code out}.
     */
    public void answer(Message query, byte[] raw, InetAddress client, Consumer<byte[]> out) {
        Record question = query.getQuestion();
        TSIG key = null;
        TSIGRecord queryTsig = query.getTSIG();
        if (queryTsig != null) {
            key = policy.keys().get(queryTsig.getName());
            if (key == null) {
                out.accept(error(query, Rcode.NOTAUTH, null, null)); // RFC 8945 §5.2.1: BADKEY
                log.info("zone transfer of {} from {} refused: unknown TSIG key {}", question.getName(), client.getHostAddress(), queryTsig.getName());
                return;
            }
            int verified = key.verify(query, raw, null);
            if (verified != Rcode.NOERROR) {
                out.accept(error(query, Rcode.NOTAUTH, null, null));
                log.info("zone transfer of {} from {} refused: TSIG {}", question.getName(), client.getHostAddress(), Rcode.TSIGstring(verified));
                return;
            }
        } else if (!policy.allows(client)) {
            out.accept(error(query, Rcode.REFUSED, null, null));
            log.info("zone transfer of {} from {} refused: not in the transfer ACL and not signed", question.getName(), client.getHostAddress());
            return;
        }
        Zone zone = index.get(question.getName());
        if (zone == null) {
            out.accept(error(query, Rcode.NOTAUTH, key, queryTsig)); // RFC 5936 §2.2.1: not authoritative for it
            return;
        }
        TSIG.StreamGenerator signer = key == null ? null : new TSIG.StreamGenerator(key, queryTsig);
        List<Record> records = new ArrayList<>(zone.recordCount() + 1);
        RRset soa = zone.soa();
        records.addAll(soa.records());
        for (RRset r : zone.allRRsets()) {
            if (r.type() != Type.SOA || !r.name().equals(zone.origin())) {
                records.addAll(r.records());
            }
        }
        records.add(soa.first());
        Message m = response(query);
        int size = 12 + question.getName().length() + 4;
        int sent = 0;
        for (Record r : records) {
            int rsize = r.getName().length() + 10 + r.rdataToWireCanonical().length;
            if (size + rsize > MESSAGE_BUDGET && !m.getSection(Section.ANSWER).isEmpty()) {
                send(m, signer, out);
                sent++;
                m = continuation(query);
                size = 12;
            }
            m.addRecord(r, Section.ANSWER);
            size += rsize;
        }
        send(m, signer, out);
        log.info("zone {} (serial {}, {} records) transferred to {} in {} messages", zone.origin(), zone.serial(), records.size() - 1,
                client.getHostAddress(), sent + 1);
    }

    private static void send(Message m, TSIG.StreamGenerator signer, Consumer<byte[]> out) {
        if (signer != null) {
            signer.generate(m);
        }
        out.accept(m.toWire());
    }

    private static Message response(Message query) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        return m;
    }

    /** Later messages of a transfer carry no question (RFC 5936 §2.2). */
    private static Message continuation(Message query) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        return m;
    }

    private static byte[] error(Message query, int rcode, TSIG key, TSIGRecord queryTsig) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setRcode(rcode);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        if (key != null) {
            key.apply(m, queryTsig);
        }
        return m.toWire();
    }
}
