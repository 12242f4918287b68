package dnsmig.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Follows the change log without ever missing a row, although change ids are not assigned in
 * commit order: a transaction that took id 7 may commit after one that took id 8.
 *
 * <p>Each poll reads, in one snapshot, the rows whose writing transaction is not older than the
 * horizon, returns those not returned before, and moves the horizon to the snapshot's xmin —
 * every transaction older than that has committed or aborted, so no row can still appear below
 * it. Returned ids are remembered only while they are above the horizon, so memory stays small.
 * Use {@code LISTEN dnsmig_change} to poll promptly; polling on a timer as well covers missed
 * notifications, database restarts and read replicas.
 */
public final class ChangeFeed {

    /** One change to one zone: reload the zone ({@code kind} "zone"), an RRset ("rrset") or drop it ("zone-deleted"). */
    public record Change(long id, long zoneId, String zone, long serial, String kind, String name, String type, String origin,
            java.time.OffsetDateTime at) {}

    private final DataSource dataSource;
    private long horizon;
    private final Map<Long, Long> returned = new HashMap<>();

    private ChangeFeed(DataSource dataSource, long horizon) {
        this.dataSource = dataSource;
        this.horizon = horizon;
    }

    /** A feed that returns every change ever logged, then what follows. */
    public static ChangeFeed fromBeginning(DataSource dataSource) {
        return new ChangeFeed(dataSource, 0);
    }

    /**
     * A feed that returns what commits after now. Changes in flight right now are returned
     * by the first polls, so a reader that loads the store after calling this misses nothing.
     */
    public static ChangeFeed fromNow(DataSource dataSource) throws SQLException {
        ChangeFeed feed = new ChangeFeed(dataSource, 0);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select pg_snapshot_xmin(pg_current_snapshot())::text::bigint")) {
            rs.next();
            feed.horizon = rs.getLong(1);
        }
        feed.poll(); // marks the committed rows above the horizon as seen
        return feed;
    }

    /** Changes committed since the last poll that this feed has not returned, in id order. */
    public List<Change> poll() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return poll(c);
        }
    }

    /**
     * As {@link #poll()}, on a connection the caller holds (a follower's own: no pool checkout,
     * one round trip). The connection may be listening for notifications; it is left as it was.
     */
    public synchronized List<Change> poll(Connection c) throws SQLException {
        List<Change> out = new ArrayList<>();
        long next = -1;
        // One statement, so one snapshot: pg_current_snapshot() is the statement's own, the one
        // the scan of change_log sees; its xmin is the next horizon.
        try (PreparedStatement ps = c.prepareStatement("select h.xmin, c.id, c.xid::text::bigint, c.zone_id, c.zone_name, c.serial, c.kind, c.name,"
                + " c.type, c.origin, c.at from (select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as xmin) h"
                + " left join change_log c on c.xid >= ?::text::xid8 order by c.id")) {
            ps.setString(1, Long.toString(horizon));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    next = rs.getLong(1);
                    long id = rs.getLong(2);
                    if (rs.wasNull()) {
                        continue; // no change above the horizon: the one row says only the horizon
                    }
                    if (returned.putIfAbsent(id, rs.getLong(3)) == null) {
                        out.add(new Change(id, rs.getLong(4), rs.getString(5), rs.getLong(6), rs.getString(7), rs.getString(8), rs.getString(9),
                                rs.getString(10), rs.getObject(11, java.time.OffsetDateTime.class)));
                    }
                }
            }
        }
        horizon = Math.max(horizon, next);
        long h = horizon;
        returned.values().removeIf(xid -> xid < h);
        return out;
    }
}
