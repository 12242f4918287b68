package dnsmig.server.control;

import dnsmig.server.mode.ModeSwitch;
import dnsmig.server.mode.ServingMode;
import dnsmig.server.mode.ServingStats;
import dnsmig.store.CutoverStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Automatic rollback, in the serve process of the nameserver it watches: after an advance armed
 * it ({@code dnsmig cutover advance} stores the thresholds with the mode), the nameserver goes
 * back to its previous mode when, over the armed window, the share of answers that failed (own
 * SERVFAILs, forwarding timeouts and overflow) passes the armed rate with at least the armed
 * number of answers, or when the verifier has confirmed at least the armed number of
 * inconsistencies for this nameserver since the advance. The rollback is written like an
 * operator's (conditional on the row's version, with an audit entry saying why), but applied here
 * first, so a slow or unreachable database never delays it; if it cannot be written, the watcher
 * retries every tick until it is (or until the row moved on, whose change is then followed).
 *
 * <p>Why here and not in a separate process: the failure counts are this process's own (no
 * scraping, no extra moving part that could be down when it is needed), and each nameserver
 * watches itself, so a rollback never waits for anything but this nameserver's next tick.
 */
public final class RollbackWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RollbackWatcher.class);

    private record Sample(long nanos, ServingStats.Snapshot stats) {}

    private final String nameserver;
    private final ModeFollower follower;
    private final ModeSwitch modes;
    private final ServingStats stats;
    private final Duration tick;
    private final String actor;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long watchedVersion = -1;
    private long rolledBackVersion = -1;
    private boolean verifierMissingLogged;

    public RollbackWatcher(String nameserver, ModeFollower follower, ModeSwitch modes, ServingStats stats, Duration tick, String actor) {
        this.nameserver = nameserver;
        this.follower = follower;
        this.modes = modes;
        this.stats = stats;
        this.tick = tick;
        this.actor = actor;
        this.thread = Thread.ofPlatform().daemon().name("rollback-watcher-" + nameserver).unstarted(this::loop);
    }

    public RollbackWatcher start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(tick);
                check();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("{}: rollback watcher: {}", nameserver, e.toString());
            }
        }
    }

    /** One look: records a rollback not written yet, takes a sample, and rolls back if a threshold is passed. */
    void check() {
        if (unrecorded != null && record()) {
            log.info("{}: the automatic rollback is recorded in the database now", nameserver);
        }
        CutoverStore.Mode m = follower.current();
        if (m == null) {
            return;
        }
        if (m.version() != watchedVersion) {
            watchedVersion = m.version();
            samples.clear(); // rates count from the moment the mode took effect here
        }
        long now = System.nanoTime();
        samples.addLast(new Sample(now, stats.snapshot()));
        CutoverStore.Rollback armed = m.rollback();
        if (armed == null || "legacy".equals(m.mode()) || rolledBackVersion == m.version()) {
            trim(now, 60);
            return;
        }
        trim(now, armed.windowSeconds());
        Optional<String> why = failureRate(armed).or(() -> confirmed(m, armed));
        why.ifPresent(reason -> rollback(m, reason));
    }

    private void trim(long now, int windowSeconds) {
        long oldest = now - Duration.ofSeconds(windowSeconds).toNanos();
        // keep the last sample at or before the window's start as the base, and every later one
        while (samples.size() > 2) {
            var it = samples.iterator();
            it.next();
            if (it.next().nanos() > oldest) {
                break;
            }
            samples.removeFirst();
        }
    }

    private Optional<String> failureRate(CutoverStore.Rollback armed) {
        if (samples.size() < 2) {
            return Optional.empty();
        }
        ServingStats.Snapshot d = samples.peekLast().stats().minus(samples.peekFirst().stats());
        long answers = d.answers();
        if (answers < Math.max(1, armed.minQueries())) {
            return Optional.empty();
        }
        double rate = (double) d.failures() / answers;
        if (rate <= armed.failureRate()) {
            return Optional.empty();
        }
        double seconds = (samples.peekLast().nanos() - samples.peekFirst().nanos()) / 1e9;
        return Optional.of(String.format(Locale.ROOT,
                "automatic rollback: %.1f%% of %d answers in the last %.1f s failed (%d SERVFAIL from the new index, %d legacy timeouts, %d over"
                        + " the in-flight limit); threshold %.1f%%",
                rate * 100, answers, seconds, d.ownServfail(), d.timeouts(), d.overflow(), armed.failureRate() * 100));
    }

    private Optional<String> confirmed(CutoverStore.Mode m, CutoverStore.Rollback armed) {
        if (armed.confirmed() <= 0) {
            return Optional.empty();
        }
        return switch (follower.store().confirmedSince(nameserver, m.changedAt())) {
            case CutoverStore.Probe.Present<Long> p when p.value() >= armed.confirmed() -> Optional.of(
                    "automatic rollback: the verifier confirmed " + p.value() + " inconsistencies for " + nameserver + " since the change at "
                            + m.changedAt() + " (threshold " + armed.confirmed() + ")");
            case CutoverStore.Probe.Present<Long> p -> Optional.empty();
            case CutoverStore.Probe.Missing<Long> missing -> {
                if (!verifierMissingLogged) {
                    verifierMissingLogged = true;
                    log.warn("{}: rollback on confirmed inconsistencies is inactive: {}; the failure-rate rollback still watches", nameserver,
                            missing.what());
                }
                yield Optional.empty();
            }
        };
    }

    /** A rollback applied here and not yet written to the database. */
    private record Unrecorded(CutoverStore.Mode from, CutoverStore.Target to, String reason) {}

    private Unrecorded unrecorded;

    private void rollback(CutoverStore.Mode m, String reason) {
        rolledBackVersion = m.version();
        CutoverStore.Target to = m.previousMode() == null ? new CutoverStore.Target("legacy", 0)
                : new CutoverStore.Target(m.previousMode(), m.previousPercent() == null ? 0 : m.previousPercent());
        log.warn("{}: {} -> {}: {}", nameserver, m.label(), to.label(), reason);
        // Here first: the database may be slow or down (a pool waits for a connection), the answers must not wait.
        modes.set(ServingMode.of(to.mode(), to.percent()));
        unrecorded = new Unrecorded(m, to, reason);
        if (!record()) {
            log.error("{}: rolled back to {} here, but could not record it in the database: it still says {}. Retrying every {} ms until it is"
                    + " written (or the mode is changed meanwhile, which is then followed)", nameserver, to.label(), m.label(), tick.toMillis());
        }
    }

    /** Writes the rollback applied here; true when written, or when the row moved on meanwhile (then the follower applies that). */
    private boolean record() {
        Unrecorded u = unrecorded;
        if (u == null) {
            return true;
        }
        try {
            Optional<CutoverStore.Mode> row = follower.store().change(nameserver, u.from().version(), u.to(), "auto-rollback", actor, u.reason(), null,
                    null);
            unrecorded = null;
            if (row.isPresent()) {
                follower.apply(row.get(), "automatic rollback");
            } else {
                log.warn("{}: the mode was changed meanwhile (version > {}); that change is followed instead of recording the rollback", nameserver,
                        u.from().version());
            }
            return true;
        } catch (RuntimeException e) {
            log.debug("{}: recording the rollback: {}", nameserver, e.toString());
            return false;
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
    }
}
