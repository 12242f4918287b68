package dnsmig.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jooq.DSLContext;

/**
 * Serialises all changes to one zone, whoever makes them (backfill, API writes, repairs), so
 * both sides of the migration apply them in the same order: a PostgreSQL transaction-level
 * advisory lock keyed by the zone's name, released at commit or rollback.
 */
public final class ZoneLock {

    /** Advisory-lock class id for zone locks ("dns"), so other lock users cannot collide. */
    public static final int LOCK_CLASS = 0x646e73;

    private ZoneLock() {}

    /** Blocks until this transaction holds the lock of {@code zone}. Must be inside a transaction. */
    public static void lock(DSLContext tx, String zone) {
        tx.fetch("select pg_advisory_xact_lock(?, ?)", LOCK_CLASS, key(zone));
    }

    /**
     * Takes the locks of several zones in one statement, in key order, so that two callers
     * locking overlapping sets cannot deadlock.
     */
    public static void lockAll(DSLContext tx, java.util.Collection<String> zones) {
        Integer[] keys = zones.stream().map(ZoneLock::key).distinct().sorted().toArray(Integer[]::new);
        if (keys.length == 1) {
            lock(tx, zones.iterator().next());
        } else if (keys.length > 1) {
            tx.fetch("select pg_advisory_xact_lock(?, k) from unnest(?::int[]) with ordinality as t(k, n) order by n", LOCK_CLASS, keys);
        }
    }

    /** The lock key of a zone (the advisory lock is (LOCK_CLASS, key)). */
    public static int key(String zone) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(zone.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return (d[0] & 0xff) << 24 | (d[1] & 0xff) << 16 | (d[2] & 0xff) << 8 | (d[3] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
