package dnsmig.orchestrator.reconcile;

import dnsmig.legacy.LegacyDns;
import dnsmig.store.RecordStore;
import dnsmig.store.ReconcileStore;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A reconcile run over many zones: at most {@code parallel} zones at a time (so at most that
 * many zone transfers against the legacy server, and that many zones in memory), each stored as
 * soon as it is done. Zones the store has but the legacy side does not list are recorded too.
 */
final class Reconciler {

    private final LegacyDns legacy;
    private final RecordStore records;
    private final ReconcileStore ledger;
    private final Repair repair;
    private final int parallel;

    Reconciler(LegacyDns legacy, RecordStore records, ReconcileStore ledger, Repair repair, int parallel) {
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel must be at least 1 (got " + parallel + ")");
        }
        this.legacy = legacy;
        this.records = records;
        this.ledger = ledger;
        this.repair = repair;
        this.parallel = parallel;
    }

    /** Totals of a finished run, and its id. */
    record Result(long runId, ReconcileStore.RunTotals totals, int failedRepairs, java.time.Duration took) {}

    /**
     * @param zones         the legacy zones to reconcile (lower-case absolute)
     * @param includeStoreOnly also report the store's zones missing from {@code zones} (for --all)
     * @param progress      told the number of zones done, now and then
     */
    Result run(String scope, List<String> zones, boolean includeStoreOnly, Consumer<Integer> progress) throws InterruptedException {
        long started = System.nanoTime();
        long runId = ledger.startRun(scope, repair == null ? null : repair.dbValue());
        AtomicInteger done = new AtomicInteger();
        AtomicInteger clean = new AtomicInteger();
        AtomicInteger drift = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger differences = new AtomicInteger();
        AtomicInteger repaired = new AtomicInteger();
        AtomicInteger failedRepairs = new AtomicInteger();
        ZoneReconciler one = new ZoneReconciler(legacy, records, ledger, repair);
        Batch batch = new Batch(ledger, runId);
        Semaphore slots = new Semaphore(parallel * 2); // bounded queue: never more than this many zones submitted ahead
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "reconcile-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            for (String zone : new LinkedHashSet<>(zones)) {
                slots.acquire();
                pool.submit(() -> {
                    try {
                        ZoneReconciler.Outcome o;
                        try {
                            o = one.reconcile(zone, batch::add);
                        } catch (RuntimeException e) {
                            batch.add(new ReconcileStore.ZoneSave(new ReconcileStore.ZoneResult(zone, null, "failed", null, null, null, 0, 0, 0, 0,
                                    "could not be reconciled: " + e.getMessage()), List.of(), null));
                            o = new ZoneReconciler.Outcome("failed", null, 0, 0, false);
                        }
                        count(o, clean, drift, failed, differences, repaired, failedRepairs);
                        int n = done.incrementAndGet();
                        if (n % 1000 == 0) {
                            progress.accept(n);
                        }
                    } finally {
                        slots.release();
                    }
                });
            }
            pool.shutdown();
            while (!pool.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS)) {
                progress.accept(done.get());
            }
        } finally {
            pool.shutdownNow();
        }
        batch.flush();
        int total = done.get();
        if (includeStoreOnly) {
            Set<String> listed = new java.util.HashSet<>(zones);
            for (RecordStore.ZoneInfo z : records.zones()) {
                if (!listed.contains(z.name())) {
                    ledger.saveZone(runId, new ReconcileStore.ZoneResult(z.name(), z.owner(), "not-in-legacy", null, null, z.serial(), 0, z.recordCount(),
                            0, 0, "in the store but not among the legacy zones"), List.of());
                    total++;
                    failed.incrementAndGet();
                }
            }
        }
        ReconcileStore.RunTotals totals = new ReconcileStore.RunTotals(total, clean.get(), drift.get(), failed.get(), differences.get(), repaired.get());
        ledger.finishRun(runId, totals, "done");
        return new Result(runId, totals, failedRepairs.get(), java.time.Duration.ofNanos(System.nanoTime() - started));
    }

    /** Zone results stored in batches of {@value #SIZE} zones, one transaction each; memory stays bounded by the batch. */
    private static final class Batch {
        static final int SIZE = 64;
        private final ReconcileStore ledger;
        private final long runId;
        private final List<ReconcileStore.ZoneSave> pending = new java.util.ArrayList<>();

        Batch(ReconcileStore ledger, long runId) {
            this.ledger = ledger;
            this.runId = runId;
        }

        synchronized void add(ReconcileStore.ZoneSave save) {
            pending.add(save);
            if (pending.size() >= SIZE) {
                flush();
            }
        }

        synchronized void flush() {
            ledger.saveZones(runId, pending);
            pending.clear();
        }
    }

    private static void count(ZoneReconciler.Outcome o, AtomicInteger clean, AtomicInteger drift, AtomicInteger failed, AtomicInteger differences,
            AtomicInteger repaired, AtomicInteger failedRepairs) {
        switch (o.status()) {
            case "clean" -> clean.incrementAndGet();
            case "failed" -> failed.incrementAndGet();
            default -> { }
        }
        if ("drift".equals(o.cause())) {
            drift.incrementAndGet();
        }
        differences.addAndGet(o.differences());
        repaired.addAndGet(o.repaired());
        if (o.failedRepair()) {
            failedRepairs.incrementAndGet();
        }
    }
}
