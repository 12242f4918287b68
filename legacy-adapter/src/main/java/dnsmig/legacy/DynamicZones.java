package dnsmig.legacy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;
import org.xbill.DNS.ZoneTransferException;
import org.xbill.DNS.ZoneTransferIn;

/**
 * The legacy side as dynamic zones on a running named: reads by AXFR, writes by RFC 2136 UPDATE,
 * both signed with TSIG, over TCP.
 *
 * <p>Every UPDATE carries prerequisites: each RRset it touches must hold exactly the records
 * the change expects ({@code before}, or must not exist), and the zone's SOA must be the one read
 * just before. The second pins the serial, so the journal's "serial before → after" is exact:
 * no other edit can slip in between. When only the SOA moved (an unrelated edit elsewhere in the
 * zone), the SOA is read again and the UPDATE re-sent, at most three times; when an RRset of the
 * change moved, the outcome is a {@link WriteOutcome.Conflict} naming it. Because of these
 * prerequisites a repeated UPDATE can never apply twice, but writes are still not retried
 * automatically: a lost answer would make the retry look like a conflict.
 */
final class DynamicZones implements LegacyDns {

    private static final Logger log = LoggerFactory.getLogger(DynamicZones.class);
    private static final int SOA_RACES = 3;
    private static final Set<Integer> PREREQ_FAILED = Set.of(Rcode.NXRRSET, Rcode.YXRRSET, Rcode.NXDOMAIN, Rcode.YXDOMAIN);

    private final LegacyServer server;
    private final TSIG tsig;
    private final List<String> zones;
    private final LegacyResilience settings;
    private final Dns dns;
    private final Guard guard;
    private final Consumer<LegacyWrite> journal;

    DynamicZones(LegacyServer server, List<String> zones, LegacyResilience settings, io.micrometer.core.instrument.MeterRegistry meters,
            Consumer<LegacyWrite> journal) {
        this.server = server;
        this.tsig = Tsig.of(server.key());
        this.zones = zones.stream().map(LegacyDns::canonical).toList();
        this.settings = settings;
        this.dns = new Dns(server.address(), settings.queryTimeout());
        this.guard = new Guard("legacy-named-" + server.address().getAddress().getHostAddress() + "-" + server.address().getPort(), settings, meters);
        this.journal = journal;
    }

    @Override
    public List<String> zones() {
        return zones;
    }

    @Override
    public ReadOutcome read(String zone) {
        String z = LegacyDns.canonical(zone);
        return guard.idempotent("read", z, () -> transfer(z), m -> Guard.open(z, m));
    }

    @Override
    public ReadOutcome rrset(String zone, Name name, int type) {
        String z = LegacyDns.canonical(zone);
        return guard.idempotent("read", z, () -> {
            try {
                SOARecord soa = dns.soa(name(z));
                return new ReadOutcome.Zone(z, soa.getSerial(), dns.rrset(name, type));
            } catch (IOException e) {
                return Dns.unavailable(z, server.address(), e);
            } catch (Dns.DnsError e) {
                return Dns.failure(z, "query", e.rcode, null);
            }
        }, m -> Guard.open(z, m));
    }

    @Override
    public WriteOutcome apply(ChangeSet changes) {
        WriteOutcome o = guard.once("write", changes.zone(), () -> update(changes), m -> Guard.open(changes.zone(), m));
        journal.accept(LegacyWrite.of(changes, o, settings.clock()));
        if (!(o instanceof WriteOutcome.Applied)) {
            log.info("legacy write to {} not applied: {}", changes.zone(), o);
        }
        return o;
    }

    @Override
    public Health health() {
        String z = zones.isEmpty() ? "." : zones.get(0);
        return guard.idempotent("health", z, () -> {
            try {
                SOARecord soa = dns.soa(name(z));
                return new Health(true, guard.circuitState(), server + " answers for " + z + " (serial " + soa.getSerial() + ")");
            } catch (IOException e) {
                return new Health(false, guard.circuitState(), Dns.unavailable(z, server.address(), e).message());
            } catch (Dns.DnsError e) {
                return new Health(true, guard.circuitState(), server + " answers, but: " + e.getMessage());
            }
        }, m -> new Health(false, "OPEN", m));
    }

    @Override
    public String toString() {
        return "DynamicZones[" + server + ", " + zones.size() + " zones]";
    }

    private ReadOutcome transfer(String zone) {
        try {
            ZoneTransferIn xfr = ZoneTransferIn.newAXFR(name(zone), server.address(), tsig);
            xfr.setTimeout(settings.transferTimeout());
            xfr.run();
            List<Record> records = new ArrayList<>(xfr.getAXFR());
            if (records.size() > 1 && records.get(records.size() - 1).getType() == Type.SOA) {
                records.remove(records.size() - 1); // AXFR ends with the SOA again
            }
            long serial = records.isEmpty() || !(records.get(0) instanceof SOARecord soa) ? 0 : soa.getSerial();
            return new ReadOutcome.Zone(zone, serial, records);
        } catch (IOException e) {
            return Dns.unavailable(zone, server.address(), e);
        } catch (ZoneTransferException e) {
            String m = e.getMessage() == null ? "" : e.getMessage().toUpperCase(Locale.ROOT);
            String tsigError = m.contains("BADKEY") ? "BADKEY" : m.contains("BADSIG") ? "BADSIG" : m.contains("BADTIME") ? "BADTIME"
                    : m.contains("TSIG") ? "TSIG verification failed" : null;
            String rcode = m.contains("REFUSED") ? "REFUSED" : m.contains("NOTAUTH") ? "NOTAUTH" : m.contains("SERVFAIL") ? "SERVFAIL" : e.getMessage();
            return Dns.failure(zone, "zone transfer", rcode, tsigError);
        }
    }

    private WriteOutcome update(ChangeSet cs) {
        Name apex = cs.apex();
        for (int race = 0; race < SOA_RACES; race++) {
            try {
                SOARecord soa = dns.soa(apex);
                Update u = new Update(apex);
                if (cs.changes().stream().noneMatch(c -> c.type() == Type.SOA && c.name().equals(apex))) {
                    u.present(prerequisite(soa)); // a change of the SOA itself pins it by its own "before"
                }
                for (RRsetChange c : cs.changes()) {
                    if (c.before().isEmpty()) {
                        u.absent(c.name(), c.type());
                    } else {
                        c.before().forEach(r -> u.present(prerequisite(r)));
                    }
                }
                for (RRsetChange c : cs.changes()) {
                    // Adds first (an add with a new TTL sets the whole RRset's TTL, as BIND does), then the removals:
                    // so an apex NS set being replaced never passes through "no NS", which BIND would ignore.
                    c.after().forEach(u::add);
                    Set<String> keep = RRsetChange.rdata(c.after());
                    for (Record r : c.before()) {
                        if (!keep.contains(java.util.HexFormat.of().formatHex(r.rdataToWireCanonical()))) {
                            u.delete(Record.newRecord(r.getName(), r.getType(), DClass.NONE, 0, r.rdataToWireCanonical()));
                        }
                    }
                }
                Message response;
                try {
                    response = dns.send(u, tsig);
                } catch (java.net.ConnectException notSent) {
                    throw notSent;
                } catch (IOException lost) {
                    // Sent, but no answer: it may have applied. Re-sending is safe (its prerequisites make a repeat fail, never apply twice).
                    return new Failure.Unavailable(cs.zone(), false, Dns.unavailable(cs.zone(), server.address(), lost).message()
                            + "; the update was sent and may or may not have been applied: read the zone to find out (sending it again is safe:"
                            + " its prerequisites make a repeat fail rather than apply twice)");
                }
                int rcode = response.getRcode();
                String tsigError = Dns.tsigError(response);
                if (rcode == Rcode.NOERROR && tsigError == null) {
                    long after = dns.soa(apex).getSerial();
                    return new WriteOutcome.Applied(cs.zone(), soa.getSerial(), after);
                }
                if (tsigError == null && PREREQ_FAILED.contains(rcode)) {
                    List<String> moved = moved(cs);
                    if (!moved.isEmpty()) {
                        return new WriteOutcome.Conflict(cs.zone(), "not applied: " + moved.size() + " RRset(s) of " + cs.zone()
                                + " changed since they were read (" + Rcode.string(rcode) + "); read the zone again and decide", moved);
                    }
                    continue; // only the SOA moved: someone changed another part of the zone; read it again and re-send
                }
                return Dns.failure(cs.zone(), "update", Rcode.string(rcode), tsigError);
            } catch (IOException e) {
                return Dns.unavailable(cs.zone(), server.address(), e);
            } catch (Dns.DnsError e) {
                return Dns.failure(cs.zone(), "update", e.rcode, null);
            }
        }
        return new WriteOutcome.Conflict(cs.zone(), "not applied: " + cs.zone() + " kept changing (its SOA serial moved " + SOA_RACES
                + " times while the update was being sent); try again later", List.of());
    }

    /** The RRsets of the change that no longer hold what it expects, with what they hold. */
    private List<String> moved(ChangeSet cs) throws IOException, Dns.DnsError {
        List<String> out = new ArrayList<>();
        for (RRsetChange c : cs.changes()) {
            List<Record> now = dns.rrset(c.name(), c.type());
            if (!RRsetChange.rdata(now).equals(RRsetChange.rdata(c.before()))) {
                out.add(c.rrset() + ": expected " + c.before().stream().map(Record::rdataToString).toList() + ", found "
                        + now.stream().map(Record::rdataToString).toList());
            }
        }
        return out;
    }

    /** A value-dependent prerequisite (RFC 2136 section 2.4.2): class IN, TTL 0, the rdata. */
    private static Record prerequisite(Record r) {
        return Record.newRecord(r.getName(), r.getType(), DClass.IN, 0, r.rdataToWireCanonical());
    }

    static Name name(String zone) {
        try {
            return Name.fromString(zone);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a zone name: " + zone, e);
        }
    }
}
