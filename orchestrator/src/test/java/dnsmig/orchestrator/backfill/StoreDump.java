package dnsmig.orchestrator.backfill;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The record store's content as sorted text, without ids and timestamps: two stores that hold
 * the same zones, records and findings dump equal.
 */
final class StoreDump {

    private StoreDump() {}

    static List<String> of(DataSource ds) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            query(c, lines, "select 'owner', handle, email from dnsmig.owner order by handle");
            query(c, lines, "select 'zone', z.name, o.handle, z.serial, z.servable, z.record_count, z.content_hash, z.source"
                    + " from dnsmig.zone z join dnsmig.owner o on o.id = z.owner_id order by z.name");
            query(c, lines, "select 'rr', z.name, r.name, r.type, r.ttl, r.rdata from dnsmig.rr r join dnsmig.zone z on z.id = r.zone_id"
                    + " order by 1, 2, 3, 4, 5, 6");
            query(c, lines, "select 'reject', z.name, j.file, j.line, j.code, j.severity, j.message, j.raw_text, j.state"
                    + " from dnsmig.reject j join dnsmig.zone z on z.id = j.zone_id order by 1, 2, 3, 4, 5, 8");
        }
        return lines;
    }

    static long changeLogSize(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); var s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from dnsmig.change_log")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void query(Connection c, List<String> lines, String sql) throws SQLException {
        try (var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? "\t" : "").append(rs.getString(i));
                }
                lines.add(sb.toString());
            }
        }
    }
}
