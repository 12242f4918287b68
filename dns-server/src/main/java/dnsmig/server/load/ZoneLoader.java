package dnsmig.server.load;

import dnsmig.convert.MasterFileWriter;
import dnsmig.convert.types.ExtraTypes;
import dnsmig.server.zone.Zone;
import dnsmig.server.zone.ZoneIndex;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Reads zones from the record store into the index: all of them at start (streamed with a
 * cursor, one zone in memory besides the index), one at a time when the change log says so.
 * Zones that are not servable (a zone-level error, as BIND would refuse them) are left out.
 */
public final class ZoneLoader {

    private static final Logger log = LoggerFactory.getLogger(ZoneLoader.class);

    static {
        ExtraTypes.registerAll(); // every type the backfill could have stored parses back
    }

    private final DataSource dataSource;
    private final ZoneIndex index;
    private final AtomicLong generation = new AtomicLong();

    public ZoneLoader(DataSource dataSource, ZoneIndex index) {
        this.dataSource = dataSource;
        this.index = index;
    }

    /** What a full load did. */
    public record Loaded(int zones, long records, int skipped, long millis) {}

    /** Loads every servable zone. */
    public Loaded loadAll() throws SQLException {
        long start = System.nanoTime();
        Map<Long, ZoneRow> zones = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false); // a cursor (fetch size) needs a transaction
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement("select id, name, serial from zone where servable");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    zones.put(rs.getLong(1), new ZoneRow(rs.getLong(1), name(rs.getString(2)), rs.getLong(3)));
                }
            }
            int loaded = 0;
            int skipped = 0;
            long records = 0;
            try (PreparedStatement ps = c.prepareStatement("select zone_id, name, type, ttl, rdata from rr order by zone_id")) {
                ps.setFetchSize(20_000);
                try (ResultSet rs = ps.executeQuery()) {
                    Zone.Builder builder = null;
                    long current = -1;
                    Parser parser = new Parser();
                    while (rs.next()) {
                        long zoneId = rs.getLong(1);
                        if (zoneId != current) {
                            if (builder != null) {
                                skipped += publish(builder) ? 0 : 1;
                                loaded++;
                            }
                            current = zoneId;
                            ZoneRow z = zones.get(zoneId);
                            builder = z == null ? null : Zone.builder(z.name(), z.serial(), generation.incrementAndGet());
                        }
                        if (builder != null) {
                            Record r = parser.record(rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5));
                            if (r != null) {
                                builder.add(r);
                                records++;
                            }
                        }
                    }
                    if (builder != null) {
                        skipped += publish(builder) ? 0 : 1;
                        loaded++;
                    }
                }
            }
            c.commit();
            long millis = (System.nanoTime() - start) / 1_000_000;
            // The load's garbage (rows, parsed records, builders) is several times the index it
            // leaves (1M records: ~400 MB of heap grown to hold ~100 MB). One full collection now,
            // before the server says it is ready, lets the heap shrink back (MaxHeapFreeRatio)
            // instead of the process keeping that memory for its whole life; no query waits on it.
            System.gc();
            return new Loaded(loaded - skipped, records, skipped, millis);
        }
    }

    /**
     * Reloads one zone (or drops it, when it is gone or no longer servable). One statement: one
     * snapshot of the zone row and its records, and one round trip, so a change is answered
     * within milliseconds of its commit even when the database is busy. On the caller's
     * connection (the change follower's own, autocommit).
     */
    public void reload(Connection c, long zoneId, String zoneName) throws SQLException {
        Name origin = name(zoneName);
        Zone.Builder builder = null;
        try (PreparedStatement ps = c.prepareStatement(
                "select z.serial, r.name, r.type, r.ttl, r.rdata from zone z left join rr r on r.zone_id = z.id where z.id = ? and z.servable")) {
            ps.setLong(1, zoneId);
            Parser parser = new Parser();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (builder == null) {
                        builder = Zone.builder(origin, rs.getLong(1), generation.incrementAndGet());
                    }
                    String owner = rs.getString(2);
                    if (owner != null) { // a zone without records (left join)
                        Record r = parser.record(owner, rs.getString(3), rs.getInt(4), rs.getString(5));
                        if (r != null) {
                            builder.add(r);
                        }
                    }
                }
            }
        }
        if (builder == null || !publish(builder)) {
            index.remove(origin); // gone, not servable, or without an SOA
        }
    }

    private boolean publish(Zone.Builder builder) {
        Zone z = builder.build();
        if (z == null) {
            return false;
        }
        index.put(z);
        return true;
    }

    private record ZoneRow(long id, Name name, long serial) {}

    /** Rows to records; owner names repeat row after row, so the last one is kept. */
    private static final class Parser {
        private String lastOwner;
        private Name lastName;

        Record record(String owner, String type, int ttl, String rdata) {
            try {
                if (!owner.equals(lastOwner)) {
                    lastName = Name.fromString(owner);
                    lastOwner = owner;
                }
                int t = Type.value(type);
                if (t < 0) {
                    log.warn("record store row {} {} has a type this server cannot read; skipped", owner, type);
                    return null;
                }
                return MasterFileWriter.record(lastName, t, ttl, rdata);
            } catch (IOException e) {
                log.warn("record store row {} {} {} does not parse ({}); skipped", owner, type, rdata, e.getMessage());
                return null;
            }
        }
    }

    private static Name name(String s) {
        try {
            return Name.fromString(s);
        } catch (TextParseException e) {
            throw new IllegalStateException("zone name in the store does not parse: " + s, e);
        }
    }
}
