package dnsmig.orchestrator.backfill;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * "A backfill is running against this database": a PostgreSQL session advisory lock, held on
 * one connection for the whole run, in its own lock class (zone locks use {@code
 * ZoneLock.LOCK_CLASS}, so the two can never be mistaken for each other).
 *
 * <p>A session lock lives as long as its connection, and an idle connection can be closed
 * under us (a DBA's {@code pg_terminate_backend}, an idle timeout, a network drop): then
 * another backfill could start. So while the run lasts, a watchdog checks every {@code
 * dnsmig.backfill.lock-check} (2 s) that the lock is still held on a live connection; once it is
 * not, {@link #check()} fails the run at its next chunk (resumable by running the command
 * again). A session lock needs a session: a PgBouncer in transaction mode between dnsmig and
 * PostgreSQL is not supported (use session mode, or connect directly).
 */
@Component
class BackfillLock {

    private static final Logger log = LoggerFactory.getLogger(BackfillLock.class);
    /** Advisory-lock class of the backfill's session lock ("dnsb"); zone locks are 0x646e73 ("dns"). */
    static final int LOCK_CLASS = 0x646e7362;
    /** The lock's object id within its class. */
    static final int LOCK_OBJECT = 1;

    private final DataSource dataSource;
    private final Duration every;
    private volatile String lost;

    BackfillLock(DataSource dataSource, @Value("${dnsmig.backfill.lock-check:2s}") Duration every) {
        this.dataSource = dataSource;
        this.every = every;
    }

    /**
     * Takes the lock and starts watching it.
     *
     * @throws BackfillBusyException when another backfill holds it
     */
    Held acquire() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            try (var s = c.prepareStatement("select pg_try_advisory_lock(?, ?)")) {
                s.setInt(1, LOCK_CLASS);
                s.setInt(2, LOCK_OBJECT);
                try (var rs = s.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        throw new BackfillBusyException("another backfill is running against this database; wait for it to finish"
                                + " (or stop it: running the same command again later resumes it)");
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        lost = null;
        return new Held(c);
    }

    /** Fails when the lock was lost since it was taken. Called before each chunk is written. */
    void check() {
        String why = lost;
        if (why != null) {
            throw new BackfillLockLostException(why);
        }
    }

    /** Why the lock was lost during this run, or null. */
    String lostReason() {
        return lost;
    }

    /** The held lock: closing it stops the watchdog, releases the lock and the connection. */
    final class Held implements AutoCloseable {
        private final Connection connection;
        private final Thread watchdog;
        private volatile boolean closing;

        private Held(Connection connection) {
            this.connection = connection;
            this.watchdog = Thread.ofPlatform().daemon().name("backfill-lock").start(this::watch);
        }

        private void watch() {
            while (!closing && lost == null) {
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
                if (closing) {
                    return;
                }
                String problem = stillHeld();
                if (problem != null && !closing) {
                    lost = "the backfill's session lock on the database was lost (" + problem + "), so another backfill could start beside"
                            + " this one; stopped. Run the same command again to resume (PgBouncer in transaction mode is not supported)";
                    log.error(lost);
                }
            }
        }

        /** Null when the lock is held, else what is wrong. */
        private synchronized String stillHeld() {
            try (var s = connection.prepareStatement("select exists (select 1 from pg_locks where locktype = 'advisory' and classid = ?"
                    + " and objid = ? and objsubid = 2 and pid = pg_backend_pid() and granted)")) {
                s.setInt(1, LOCK_CLASS);
                s.setInt(2, LOCK_OBJECT);
                s.setQueryTimeout(30);
                try (var rs = s.executeQuery()) {
                    return rs.next() && rs.getBoolean(1) ? null : "its session no longer holds it";
                }
            } catch (SQLException e) {
                return "its connection failed: " + e.getMessage();
            }
        }

        @Override
        public void close() {
            closing = true;
            watchdog.interrupt();
            try {
                watchdog.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                try (var s = connection.prepareStatement("select pg_advisory_unlock(?, ?)")) {
                    s.setInt(1, LOCK_CLASS);
                    s.setInt(2, LOCK_OBJECT);
                    s.execute();
                } catch (SQLException e) {
                    log.debug("releasing the backfill lock: {} (its session is gone, and the lock with it)", e.getMessage());
                }
                try {
                    connection.close();
                } catch (SQLException e) {
                    log.debug("closing the backfill lock's connection: {}", e.getMessage());
                }
            }
        }
    }
}
