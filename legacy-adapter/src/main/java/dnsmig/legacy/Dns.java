package dnsmig.legacy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/** Plain DNS exchanges with one server over TCP (a dead server fails at once: connection refused). */
final class Dns {

    private final InetSocketAddress server;
    private final Duration timeout;

    Dns(InetSocketAddress server, Duration timeout) {
        this.server = server;
        this.timeout = timeout;
    }

    /** Sends {@code m} over TCP, signed with {@code tsig} when not null. */
    Message send(Message m, TSIG tsig) throws IOException {
        SimpleResolver r = new SimpleResolver(server);
        r.setTCP(true);
        r.setTimeout(timeout);
        if (tsig != null) {
            r.setTSIGKey(tsig);
        }
        return r.send(m);
    }

    /** The zone's SOA record, asked of the server (authoritative answers only). */
    SOARecord soa(Name zone) throws IOException, DnsError {
        Message m = send(Message.newQuery(Record.newRecord(zone, Type.SOA, DClass.IN)), null);
        if (m.getRcode() != Rcode.NOERROR) {
            throw new DnsError(Rcode.string(m.getRcode()), "SOA query for " + zone + " answered " + Rcode.string(m.getRcode()));
        }
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof SOARecord soa && r.getName().equals(zone)) {
                return soa;
            }
        }
        throw new DnsError("NOTAUTH", "the server has no SOA for " + zone + ": it is not authoritative for the zone");
    }

    /** The records of one RRset as the server answers them (delegations included: NS and glue come as a referral). */
    List<Record> rrset(Name name, int type) throws IOException, DnsError {
        Message m = send(Message.newQuery(Record.newRecord(name, type, DClass.IN)), null);
        if (m.getRcode() != Rcode.NOERROR && m.getRcode() != Rcode.NXDOMAIN) {
            throw new DnsError(Rcode.string(m.getRcode()), "query " + name + " " + Type.string(type) + " answered " + Rcode.string(m.getRcode()));
        }
        List<Record> out = new ArrayList<>();
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            for (Record r : m.getSection(section)) {
                if (r.getName().equals(name) && r.getType() == type) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** The TSIG error of a response, or null. */
    static String tsigError(Message response) {
        TSIGRecord t = response.getTSIG();
        if (t != null && t.getError() != Rcode.NOERROR) {
            return Rcode.TSIGstring(t.getError());
        }
        return null;
    }

    /** A failure for an I/O problem talking to the server: always "unavailable". */
    static Failure.Unavailable unavailable(String zone, InetSocketAddress server, IOException e) {
        String where = server.getAddress().getHostAddress() + " port " + server.getPort();
        String what = switch (e) {
            case ConnectException c -> "connection refused by " + where + ": is named running and listening there?";
            case SocketTimeoutException t -> "no answer from " + where + " in time: the server is down, overloaded or filtered";
            default -> where + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        };
        return new Failure.Unavailable(zone, false, what);
    }

    /** Failure for an error RCODE (with the TSIG error when there is one). */
    static Failure failure(String zone, String operation, String rcode, String tsigError) {
        String r = rcode.toUpperCase(Locale.ROOT);
        if (tsigError != null) {
            return new Failure.AuthFailed(zone, tsigError, operation + " for " + zone + " failed TSIG authentication (" + tsigError
                    + "): check the key's name, algorithm and secret against the server's key statement, and the clocks (BADTIME)");
        }
        return switch (r) {
            case "REFUSED" -> new Failure.AuthFailed(zone, r, operation + " for " + zone + " was REFUSED: the key may not " + operation
                    + " this zone (update-policy / allow-update / allow-transfer), or named's checks refused it (see its log)");
            case "NOTAUTH" -> new Failure.AuthFailed(zone, r, operation + " for " + zone + " answered NOTAUTH: the server is not authoritative"
                    + " for the zone or did not accept the key");
            default -> new Failure.Rejected(zone, r, operation + " for " + zone + " was rejected by the server with " + r);
        };
    }

    /** An error RCODE from the server. */
    static final class DnsError extends Exception {
        final String rcode;

        DnsError(String rcode, String message) {
            super(message);
            this.rcode = rcode;
        }
    }
}
