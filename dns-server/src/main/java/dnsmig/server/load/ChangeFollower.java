package dnsmig.server.load;

import dnsmig.store.ChangeFeed;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the index fresh: wakes on {@code NOTIFY dnsmig_change} within milliseconds, and also
 * polls the change log by its xid horizon every second, so a missed notification, a database
 * restart or a read replica (where NOTIFY never arrives) only delays a change. While the
 * database cannot be reached the server keeps answering from what it has, says so in the log
 * and in {@link #databaseReachable()}, and catches up when it is back.
 */
public final class ChangeFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeFollower.class);
    static final String CHANNEL = "dnsmig_change";

    private final DataSource dataSource;
    private final ZoneLoader loader;
    private final ChangeFeed feed;
    private final Duration pollEvery;
    private final Clock clock;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean reachable = true;
    private final AtomicReference<Instant> unreachableSince = new AtomicReference<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong lastLagMillis = new AtomicLong();
    private Connection listener;

    /**
     * Starts following from now. Call before the initial load: changes that commit during the
     * load are applied again after it (applying is a reload, so that is harmless).
     */
    public ChangeFollower(DataSource dataSource, ZoneLoader loader, Duration pollEvery, Clock clock) throws SQLException {
        this.dataSource = dataSource;
        this.loader = loader;
        this.feed = ChangeFeed.fromNow(dataSource);
        this.pollEvery = pollEvery;
        this.clock = clock;
        this.thread = Thread.ofPlatform().daemon().name("change-follower").unstarted(this::loop);
    }

    public ChangeFollower start() {
        thread.start();
        return this;
    }

    public boolean databaseReachable() {
        return reachable;
    }

    /** Changes applied since start. */
    public long applied() {
        return applied.get();
    }

    /** Milliseconds between the last applied change's commit and its application. */
    public long lastLagMillis() {
        return lastLagMillis.get();
    }

    private void loop() {
        Duration backoff = Duration.ofSeconds(1);
        while (running) {
            try {
                ensureListening();
                waitForNotification();
                catchUp();
                if (!reachable) {
                    log.info("database reachable again after {}; caught up with the change log",
                            Duration.between(unreachableSince.get(), clock.instant()).toSeconds() + " s");
                    reachable = true;
                    unreachableSince.set(null);
                }
                backoff = Duration.ofSeconds(1);
            } catch (SQLException | RuntimeException e) {
                closeListener();
                if (!running) {
                    return;
                }
                if (reachable) {
                    reachable = false;
                    unreachableSince.set(clock.instant());
                    log.warn("database unreachable ({}); still answering from the zones loaded so far, retrying", e.getMessage());
                }
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
            }
        }
    }

    private void ensureListening() throws SQLException {
        if (listener == null) {
            listener = dataSource.getConnection();
            try (Statement s = listener.createStatement()) {
                s.execute("listen " + CHANNEL);
            }
        }
    }

    /** Returns on a notification or after {@code pollEvery}; the catch-up after it runs either way, so nothing depends on NOTIFY arriving. */
    private void waitForNotification() throws SQLException {
        listener.unwrap(PGConnection.class).getNotifications((int) pollEvery.toMillis());
    }

    /**
     * Applies every change not applied yet, one reload per zone however many changes it had.
     * Reads on the listening connection: a change costs two round trips (the change log, the
     * zone), no pool checkout and no transaction to open and close. Each round trip is a wake-up
     * of a database backend and of this thread, and under query load every wake-up waits for a
     * core: the fewer, the sooner a change is answered.
     */
    void catchUp() throws SQLException {
        List<ChangeFeed.Change> changes = feed.poll(listener);
        if (changes.isEmpty()) {
            return;
        }
        Map<Long, ChangeFeed.Change> latest = new LinkedHashMap<>();
        for (ChangeFeed.Change c : changes) {
            latest.put(c.zoneId(), c);
        }
        for (ChangeFeed.Change c : latest.values()) {
            loader.reload(listener, c.zoneId(), c.zone());
            if (c.at() != null) {
                lastLagMillis.set(Math.max(0, Duration.between(c.at().toInstant(), clock.instant()).toMillis()));
            }
        }
        applied.addAndGet(changes.size());
    }

    private void closeListener() {
        if (listener != null) {
            // A pooled connection goes back to the pool: it must not go on collecting notifications.
            try (Statement s = listener.createStatement()) {
                s.execute("unlisten *");
            } catch (SQLException ignored) {
                // broken: the pool drops it
            }
            try {
                listener.close();
            } catch (SQLException ignored) {
                // the connection is already broken
            }
            listener = null;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeListener();
    }
}
