package dnsmig.orchestrator.dualwrite;

import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.ReadOutcome;
import dnsmig.store.DualWriteStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The background half of CONCURRENT mode: applies the durable queue to the record store, zone by
 * zone in queue order (the order legacy applied the changes), each change in a transaction under
 * the zone's lock. A change the store's rules refuse goes to the divergence list at once (reason:
 * the bind-converter code); one the database keeps failing goes there after
 * {@link DualWriteSettings#applierAttempts()} tries. An {@code intent} (legacy outcome unknown:
 * dnsmig crashed or legacy's answer was lost) is settled by reading the legacy RRset: applied when
 * legacy holds the change, dropped otherwise.
 */
public final class QueueApplier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueueApplier.class);
    static final String SOURCE = "dual-write";

    private final DualWriteStore store;
    private final LegacyDns legacy;
    private final DualWriteSettings settings;
    private final DualWriteMetrics metrics;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong lastDrained = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    public QueueApplier(DualWriteStore store, LegacyDns legacy, DualWriteSettings settings, MeterRegistry registry) {
        this.store = store;
        this.legacy = legacy;
        this.settings = settings;
        this.metrics = new DualWriteMetrics(registry);
        Gauge.builder("dnsmig.dualwrite.queue.pending", pending, AtomicInteger::get)
                .description("concurrent-mode changes not applied to the store yet (at the applier's last look)").register(registry);
    }

    /** Starts the background thread. */
    public synchronized QueueApplier start() {
        if (thread == null) {
            running = true;
            thread = Thread.ofPlatform().name("dnsmig-queue-applier").daemon().start(this::loop);
        }
        return this;
    }

    /** Something was queued: look now rather than at the next interval. */
    void wake() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    private void loop() {
        while (running) {
            int done = 0;
            try {
                done = drainOnce();
            } catch (RuntimeException | AssertionError e) { // a driver's assertion must not end the worker
                log.warn("queue applier: {} (retrying in {} ms)", DualWriter.brief(e), settings.applierInterval().toMillis());
            }
            if (done == 0) {
                try {
                    wake.tryAcquire(settings.applierInterval().toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /**
     * One pass over every zone with due changes.
     *
     * @return changes settled (applied, diverged or dropped)
     */
    public int drainOnce() {
        int settled = 0;
        List<String> zones = store.zonesWithQueuedChanges(1000);
        for (String zone : zones) {
            settled += drainZone(zone);
        }
        try {
            pending.set(store.queueCounts().getOrDefault("pending", 0) + store.queueCounts().getOrDefault("intent", 0));
        } catch (DataAccessException e) {
            // the gauge keeps its last value
        }
        lastDrained.set(System.currentTimeMillis());
        return settled;
    }

    private int drainZone(String zone) {
        AtomicLong current = new AtomicLong(-1);
        try {
            var r = store.inZone(zone, settings.lockTimeout(), tx -> drain(tx, current, true));
            if (r.isEmpty()) {
                return notInStore(zone);
            }
            return r.get();
        } catch (RuntimeException e) {
            // Anything else (a record that no longer parses, a driver's surprise) is that change's failure too: thrown on, it would end
            // every pass at this zone and leave the zones after it undrained for good.
            if (!(e instanceof DataAccessException)) {
                log.warn("queue applier: zone {}: {}", zone, DualWriter.brief(e), e);
            }
            long id = current.get();
            if (id > 0) {
                failed(id, DualWriter.brief(e));
            }
            return 0;
        }
    }

    /** Applies the zone's queued changes inside a caller's transaction that holds the zone's lock (synchronous mode does this first). */
    void drainInLock(DualWriteStore.ZoneTx tx) {
        drain(tx, new AtomicLong(-1), false);
    }

    private int drain(DualWriteStore.ZoneTx tx, AtomicLong current, boolean respectStaleness) {
        int settled = 0;
        for (DualWriteStore.QueuedChange q : tx.queued(200)) {
            current.set(q.id());
            List<Record> after = Records.parse(q.name(), q.type(), q.afterText());
            if (q.state().equals("intent")) {
                if (respectStaleness && q.createdAt().isAfter(OffsetDateTime.now().minus(settings.intentStaleAfter()))) {
                    break; // its writer may still be talking to legacy; keep the zone's order and look again later
                }
                ReadOutcome now = legacy.rrset(q.zone(), name(q.name()), Type.value(q.type()));
                if (!(now instanceof ReadOutcome.Zone z)) {
                    break; // legacy unavailable: cannot settle it now, and later changes of the zone must wait behind it
                }
                if (!DualWriter.same(z.records(), after)) {
                    tx.markQueued(q.id(), "dropped", "legacy does not hold the change (its outcome had been unknown): not applied to the store");
                    settled++;
                    continue;
                }
            }
            RRsetWrite w = new RRsetWrite(q.zone(), name(q.name()), Type.value(q.type()), after);
            List<ChangeValidator.FieldError> errors = ChangeValidator.zoneRules(w, Records.records(tx.records()));
            if (!errors.isEmpty()) {
                ChangeValidator.FieldError e = errors.get(0);
                tx.divergence(SOURCE, e.rule(), "the new side refused " + w + ": " + e.message(), q.name(), q.type(), q.id());
                tx.markQueued(q.id(), "diverged", e.rule() + ": " + e.message());
                metrics.divergence(e.rule());
                log.info("divergence: {} {}: the new side refused change {} ({}: {})", q.zone(), w, q.id(), e.rule(), e.message());
            } else {
                tx.replace(q.name(), q.type(), Records.rows(after), "api-concurrent");
                tx.markQueued(q.id(), "applied", null);
                metrics.applied();
            }
            settled++;
        }
        return settled;
    }

    /** The store failed to apply change {@code id}: try again later, or give up into the divergence list. */
    private void failed(long id, String error) {
        try {
            var q = store.queuedChange(id).orElse(null);
            if (q == null) {
                return;
            }
            if (q.attempts() + 1 >= settings.applierAttempts()) {
                store.addDivergence(q.ownerId(), q.zone(), SOURCE, "store-failed", "the record store failed " + (q.attempts() + 1) + " times to apply "
                        + q.name() + " " + q.type() + " (last: " + error + ")", q.name(), q.type(), q.id());
                store.markQueued(id, "diverged", "store-failed: " + error, Duration.ZERO);
                metrics.divergence("store-failed");
                log.warn("divergence: change {} ({} {} {}) could not be applied to the store after {} attempts: {}; see dnsmig divergence list", id, q.zone(),
                        q.name(), q.type(), q.attempts() + 1, error);
            } else {
                store.markQueued(id, q.state(), error, settings.backoff(q.attempts()));
            }
        } catch (DataAccessException e) {
            // the database is still away; the change stays queued and is tried again
        }
    }

    private int notInStore(String zone) {
        int n = 0;
        for (DualWriteStore.QueuedChange q : store.queued(zone, 1000)) {
            store.addDivergence(q.ownerId(), zone, SOURCE, "zone-not-in-store", "zone " + zone + " is not in the record store (not backfilled?): "
                    + q.name() + " " + q.type() + " was applied to legacy only", q.name(), q.type(), q.id());
            store.markQueued(q.id(), "diverged", "zone-not-in-store", Duration.ZERO);
            metrics.divergence("zone-not-in-store");
            n++;
        }
        return n;
    }

    static Name name(String text) {
        try {
            return Name.fromString(text);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a name: " + text, e);
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }
}
