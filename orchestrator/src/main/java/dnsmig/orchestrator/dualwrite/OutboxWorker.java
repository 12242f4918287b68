package dnsmig.orchestrator.dualwrite;

import dnsmig.legacy.ChangeSet;
import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.RRsetChange;
import dnsmig.legacy.ReadOutcome;
import dnsmig.legacy.WriteOutcome;
import dnsmig.store.DualWriteStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Drains the repair outbox: for each entry, under the zone's lock, makes the legacy RRset equal
 * to the store's (RFC 2136 with the RRset legacy holds now as prerequisite). Retried with back-off
 * while legacy is unavailable; while entries are open, {@code dnsmig.dualwrite.outbox.open} is
 * above zero and every pass logs an ERROR line (the alert).
 */
public final class OutboxWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboxWorker.class);

    private final DualWriteStore store;
    private final LegacyDns legacy;
    private final DualWriteSettings settings;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean running;
    private Thread thread;

    public OutboxWorker(DualWriteStore store, LegacyDns legacy, DualWriteSettings settings, MeterRegistry registry) {
        this.store = store;
        this.legacy = legacy;
        this.settings = settings;
        Gauge.builder("dnsmig.dualwrite.outbox.open", open, AtomicInteger::get)
                .description("repair-outbox entries not drained yet: legacy and the store may differ for these RRsets (alert when above 0)")
                .register(registry);
    }

    public synchronized OutboxWorker start() {
        if (thread == null) {
            running = true;
            thread = Thread.ofPlatform().name("dnsmig-outbox").daemon().start(this::loop);
        }
        return this;
    }

    private void loop() {
        while (running) {
            try {
                drainOnce();
            } catch (RuntimeException | AssertionError e) { // a driver's assertion must not end the worker
                log.warn("repair outbox: {}", DualWriter.brief(e));
            }
            DualWriter.sleep(settings.applierInterval().toMillis());
        }
    }

    /**
     * One pass over the due entries.
     *
     * @return entries drained
     */
    public int drainOnce() {
        int drained = 0;
        for (DualWriteStore.OutboxEntry e : store.dueOutbox(100)) {
            String error = repair(e);
            if (error == null) {
                store.outboxDone(e.id());
                drained++;
            } else {
                store.outboxRetry(e.id(), error, settings.backoff(e.attempts()));
            }
        }
        int left = store.openOutboxCount();
        open.set(left);
        if (left > 0) {
            log.error("ALERT {} repair-outbox entries open: legacy and the store differ for those RRsets until they drain (dnsmig divergence list"
                    + " shows the ledger; dnsmig reconcile --zone Z checks a zone)", left);
        }
        return drained;
    }

    /** Null when legacy now equals the store for the entry's RRset (inside the transaction: ""); else why not. */
    private String repair(DualWriteStore.OutboxEntry e) {
        try {
            var r = store.inZone(e.zone(), settings.lockTimeout(), tx -> {
                List<Record> want = Records.records(tx.rrset(e.name(), e.type()));
                ReadOutcome now = legacy.rrset(e.zone(), QueueApplier.name(e.name()), Type.value(e.type()));
                if (!(now instanceof ReadOutcome.Zone z)) {
                    return "legacy: " + now;
                }
                if (DualWriter.same(z.records(), want)) {
                    return "";
                }
                WriteOutcome o = legacy.apply(new ChangeSet(e.zone(), List.of(new RRsetChange(QueueApplier.name(e.name()), Type.value(e.type()), z.records(),
                        want)), "repair-outbox"));
                return o instanceof WriteOutcome.Applied ? "" : "legacy: " + o;
            });
            if (r.isEmpty()) {
                log.warn("repair outbox entry {}: zone {} is no longer in the store; dropped", e.id(), e.zone());
                return null;
            }
            String error = r.get().isEmpty() ? null : r.get();
            if (error == null) {
                log.info("repair outbox entry {} drained: legacy {} {} {} equals the store again", e.id(), e.zone(), e.name(), e.type());
            }
            return error;
        } catch (DataAccessException ex) {
            return "database: " + DualWriter.brief(ex);
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }
}
