package dnsmig.verify.probe;

import dnsmig.verify.source.Query;
import dnsmig.verify.source.QuerySource;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@code dnsmig verify --probe}: queries made from the zone data, so zones live traffic never
 * exercised are still checked before cutover. For every RRset in the store (name, type; not
 * RRSIG, NSEC3 or their parameters, which no client asks for by name) one query, plus per zone
 * an NXDOMAIN probe (a label that does not exist under the apex) and a NODATA probe (the apex
 * with a type it does not have). By default only what the coverage table shows as never asked;
 * {@code all} asks everything.
 */
public final class Probes implements QuerySource {

    private final DSLContext dsl;
    private final String zone;
    private final boolean all;
    private final String nameserver;
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean stopped;

    /** @param zone only this zone (null: every servable zone) */
    public Probes(DSLContext dsl, String zone, boolean all, String nameserver) {
        this.dsl = dsl;
        this.zone = zone;
        this.all = all;
        this.nameserver = nameserver;
    }

    @Override
    public void run(Sink sink) throws IOException, InterruptedException {
        List<String> zones = zone == null ? dsl.fetch("select name from zone where servable order by name").map(r -> r.get(0, String.class))
                : dsl.fetch("select name from zone where name = ?", zone).map(r -> r.get(0, String.class));
        if (zone != null && zones.isEmpty()) {
            throw new IOException("zone '" + zone + "' is not in the record store");
        }
        Instant now = Instant.now();
        for (String z : zones) {
            if (stopped) {
                return;
            }
            var rows = dsl.fetch("""
                    select distinct r.name, r.type from rr r join zone z on z.id = r.zone_id
                     where z.name = ? and r.type not in ('RRSIG', 'NSEC3', 'NSEC3PARAM')
                       and (? or not exists (select 1 from verify_coverage c where c.zone_name = z.name and c.qname = r.name and c.qtype = r.type))
                     order by r.name, r.type""", z, all);
            for (Record r : rows) {
                int type = Type.value(r.get(1, String.class));
                Name n = name(r.get(0, String.class));
                if (type < 0 || n == null) {
                    skipped.incrementAndGet();
                    continue;
                }
                sink.accept(Query.of(n, type, nameserver, now), -1);
            }
            Name apex = name(z);
            if (apex != null) {
                sink.accept(Query.of(name("dnsmig-probe-nxdomain." + z), Type.A, nameserver, now), -1);
                sink.accept(Query.of(apex, Type.NAPTR, nameserver, now), -1);
            }
        }
    }

    private static Name name(String s) {
        try {
            return Name.fromString(s);
        } catch (TextParseException e) {
            return null;
        }
    }

    /** Zones and RRsets never exercised, per zone: (zone, RRsets in the store, RRsets never asked). */
    public static List<Coverage> coverage(DSLContext dsl) {
        return dsl.fetch("""
                select z.name,
                       count(distinct (r.name, r.type)),
                       count(distinct (r.name, r.type)) filter (where c.qname is null)
                  from zone z join rr r on r.zone_id = z.id
                  left join verify_coverage c on c.zone_name = z.name and c.qname = r.name and c.qtype = r.type
                 where r.type not in ('RRSIG', 'NSEC3', 'NSEC3PARAM')
                 group by z.name order by z.name""")
                .map(r -> new Coverage(r.get(0, String.class), r.get(1, Long.class), r.get(2, Long.class)));
    }

    public record Coverage(String zone, long rrsets, long neverAsked) {}

    @Override
    public long skipped() {
        return skipped.get();
    }

    @Override
    public void stop() {
        stopped = true;
    }

    @Override
    public String describe() {
        return "probes from the record store" + (zone == null ? "" : " (zone " + zone + ")") + (all ? " (every RRset)" : " (RRsets never asked)");
    }
}
