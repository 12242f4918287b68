package dnsmig.server.control;

import dnsmig.server.mode.ModeSwitch;
import dnsmig.server.mode.ServingMode;
import dnsmig.store.CutoverStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this nameserver's serving mode as the database has it: registers the nameserver (in
 * legacy mode the first time), reads its mode before the server opens its port, then wakes on
 * {@code NOTIFY dnsmig_mode} and also reads the row every {@code pollEvery}, so a lost
 * notification or a database restart only delays a change by one poll. A row is applied when its
 * version moved; the mode lives in {@link ModeSwitch}, so queries never wait for the database,
 * and while the database is unreachable the nameserver keeps the mode it has.
 */
public final class ModeFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModeFollower.class);
    static final String CHANNEL = "dnsmig_mode";

    private final DataSource dataSource;
    private final CutoverStore store;
    private final String nameserver;
    private final ModeSwitch modes;
    private final Duration pollEvery;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean reachable = true;
    private volatile CutoverStore.Mode current;
    private volatile long appliedAtNanos = System.nanoTime();
    private Connection listener;

    /** Registers the nameserver and applies its stored mode now; {@link #start()} follows changes. */
    public ModeFollower(DataSource dataSource, String nameserver, String legacyAddress, ModeSwitch modes, Duration pollEvery) {
        this.dataSource = dataSource;
        this.store = new CutoverStore(DSL.using(dataSource, SQLDialect.POSTGRES));
        this.nameserver = nameserver;
        this.modes = modes;
        this.pollEvery = pollEvery;
        apply(store.register(nameserver, legacyAddress, "dnsmig serve"), "at start");
        this.thread = Thread.ofPlatform().daemon().name("mode-follower-" + nameserver).unstarted(this::loop);
    }

    public ModeFollower start() {
        thread.start();
        return this;
    }

    public CutoverStore store() {
        return store;
    }

    /** The row last applied. */
    public CutoverStore.Mode current() {
        return current;
    }

    /** When (System.nanoTime) the current mode took effect here. */
    public long appliedAtNanos() {
        return appliedAtNanos;
    }

    public boolean databaseReachable() {
        return reachable;
    }

    /** Applies a row (read from the database, or just written by this process's watcher) if its version is new. */
    synchronized void apply(CutoverStore.Mode row, String how) {
        CutoverStore.Mode before = current;
        if (before != null && before.version() >= row.version()) {
            return;
        }
        ServingMode m = ServingMode.of(row.mode(), row.percent());
        ServingMode was = modes.mode();
        modes.set(m);
        appliedAtNanos = System.nanoTime();
        current = row;
        if (before == null) {
            log.info("{}: serving mode {} ({}; set by {}{})", nameserver, m, how, row.changedBy(), row.reason() == null ? "" : ": " + row.reason());
        } else if (Objects.equals(was, m)) {
            log.info("{}: serving mode {} recorded (version {}, by {}{})", nameserver, m, row.version(), row.changedBy(),
                    row.reason() == null ? "" : ": " + row.reason());
        } else {
            log.info("{}: serving mode {} -> {} (changed by {}{}){}", nameserver, was, m, row.changedBy(), row.reason() == null ? "" : ": " + row.reason(),
                    row.rollback() == null ? "" : "; automatic rollback armed");
        }
    }

    private void loop() {
        Duration backoff = Duration.ofSeconds(1);
        while (running) {
            try {
                if (listener == null) {
                    listener = dataSource.getConnection();
                    try (Statement s = listener.createStatement()) {
                        s.execute("listen " + CHANNEL);
                    }
                }
                PGNotification[] notes = listener.unwrap(PGConnection.class).getNotifications((int) Math.max(1, pollEvery.toMillis()));
                boolean ours = notes == null || notes.length == 0;
                if (notes != null) {
                    for (PGNotification n : notes) {
                        ours |= nameserver.equals(n.getParameter());
                    }
                }
                if (ours) {
                    store.mode(nameserver).ifPresentOrElse(row -> apply(row, "from the database"),
                            () -> log.warn("{}: no row in nameserver_mode any more; keeping mode {}", nameserver, modes.mode()));
                }
                if (!reachable) {
                    log.info("{}: database reachable again; serving mode {}", nameserver, modes.mode());
                    reachable = true;
                }
                backoff = Duration.ofSeconds(1);
            } catch (SQLException | RuntimeException e) {
                closeListener();
                if (!running) {
                    return;
                }
                if (reachable) {
                    reachable = false;
                    log.warn("{}: database unreachable ({}); keeping serving mode {} until it is back", nameserver, e.getMessage(), modes.mode());
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
            }
        }
    }

    private void closeListener() {
        if (listener != null) {
            try (Statement s = listener.createStatement()) {
                s.execute("unlisten *");
            } catch (SQLException ignored) {
                // broken: the pool drops it
            }
            try {
                listener.close();
            } catch (SQLException ignored) {
                // already broken
            }
            listener = null;
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
