package dnsmig.verify.replay;

import dnsmig.verify.compare.AnswerShape;
import dnsmig.verify.compare.Category;
import dnsmig.verify.compare.Comparison;
import dnsmig.verify.compare.Difference;
import dnsmig.verify.compare.Observation;
import dnsmig.verify.confirm.Confirmation;
import dnsmig.verify.confirm.Outcome;
import dnsmig.verify.source.Query;
import dnsmig.store.VerifyStore;
import dnsmig.verify.store.ZoneDirectory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Replays queries against the legacy ("old") and the new server at once and decides what each
 * difference is. Each query passes the ignore rules, sampling and dedupe, waits for the rate
 * limit and a free slot under the in-flight cap (so the legacy server is never asked more than
 * {@code rate} queries a second by the verifier, plus the re-asks of mismatches), is asked of
 * both, and is compared. A mismatch is asked again after {@code confirmDelay}
 * ({@link Confirmation}); only a confirmed one becomes a finding in the store. Counters per
 * nameserver, zone and window, and coverage, go to the store every {@code flushEvery}.
 *
 * @param rate queries per second replayed at most (0: no limit)
 * @param maxInFlight queries asked and not yet answered by both, at most
 * @param dedupe a query equal to one replayed less than this ago is skipped (zero: none skipped)
 * @param sample the fraction of queries replayed (1: all)
 */
public final class Replayer implements AutoCloseable {

    public record Settings(InetSocketAddress oldServer, InetSocketAddress newServer, Duration timeout, double rate, int maxInFlight, Duration dedupe,
            double sample, Duration confirmDelay, Comparison comparison, Duration window, Duration flushEvery) {

        public Settings {
            if (rate < 0) {
                throw new IllegalArgumentException("--rate cannot be negative (got " + rate + ")");
            }
            if (maxInFlight < 1 || maxInFlight > 20_000) {
                throw new IllegalArgumentException("--max-in-flight must be between 1 and 20000 (got " + maxInFlight + ")");
            }
            if (!(sample > 0 && sample <= 1)) {
                throw new IllegalArgumentException("--sample is a fraction above 0 and at most 1 (got " + sample + ")");
            }
            if (timeout.isNegative() || timeout.isZero() || window.isNegative() || window.isZero() || confirmDelay.isNegative()) {
                throw new IllegalArgumentException("timeouts and windows must be positive, the confirmation delay not negative");
            }
        }
    }

    /** What a run did, in total. */
    public record Totals(long submitted, long ignored, long sampledOut, long deduped, long compared, long matched, long confirmed, long transientCount,
            long versionSkew, long noise, long timeouts, long findings) {

        public String text() {
            return String.format("%,d queries read, %,d compared: %,d matched, %,d confirmed inconsistencies (%,d findings), %,d transient, %,d version skew,"
                    + " %,d legacy noise, %,d timeouts; skipped %,d by dedupe, %,d by sampling, %,d by ignore rules", submitted, compared, matched, confirmed,
                    findings, transientCount, versionSkew, noise, timeouts, deduped, sampledOut, ignored);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Replayer.class);

    private final Settings settings;
    private final VerifyStore store;
    private volatile ZoneDirectory zones;
    private final Clock clock;
    private final ExecutorService tcpPool = Executors.newFixedThreadPool(4, Thread.ofPlatform().daemon().name("verify-tcp-", 0).factory());
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("verify-confirm").factory());
    private final ExecutorService db = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("verify-store").factory());
    /** Comparisons run here, not on the askers' receiving threads (which must keep draining their sockets). */
    private final ExecutorService comparing = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
            Thread.ofPlatform().daemon().name("verify-compare-", 0).factory());
    private final Asker old;
    private final Asker neu;
    /** Re-asks go through sockets of their own with three times the timeout: a server slow for a moment is not confirmed as a timeout. */
    private final Asker oldAgain;
    private final Asker neuAgain;
    private final Semaphore inFlight;
    private final AtomicInteger confirming = new AtomicInteger();
    private final Counters counters;
    private final Set<String> openFindings;
    private final Map<String, Long> recent;
    private long nextSendNanos;

    private final LongAdder submitted = new LongAdder();
    private final LongAdder ignored = new LongAdder();
    private final LongAdder sampledOut = new LongAdder();
    private final LongAdder deduped = new LongAdder();
    private final LongAdder compared = new LongAdder();
    private final LongAdder matched = new LongAdder();
    private final LongAdder confirmed = new LongAdder();
    private final LongAdder transients = new LongAdder();
    private final LongAdder skew = new LongAdder();
    private final LongAdder noise = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder findings = new LongAdder();

    /** @param store where windows, findings and coverage go; null keeps them in memory only (benchmarks) */
    public Replayer(Settings settings, VerifyStore store, ZoneDirectory zones, MeterRegistry registry, Clock clock) throws IOException {
        this.settings = settings;
        this.store = store;
        this.zones = zones;
        this.clock = clock;
        this.old = new Asker("old", settings.oldServer(), settings.timeout(), tcpPool);
        this.neu = new Asker("new", settings.newServer(), settings.timeout(), tcpPool);
        this.oldAgain = new Asker("old-reask", settings.oldServer(), settings.timeout().multipliedBy(3), tcpPool);
        this.neuAgain = new Asker("new-reask", settings.newServer(), settings.timeout().multipliedBy(3), tcpPool);
        this.inFlight = new Semaphore(settings.maxInFlight());
        this.counters = new Counters(settings.window());
        this.openFindings = store == null ? ConcurrentHashMap.newKeySet() : ConcurrentHashMap.newKeySet();
        if (store != null) {
            openFindings.addAll(store.openFindingKeys());
        }
        this.recent = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> e) {
                return size() > 100_000;
            }
        };
        long flush = settings.flushEvery().toMillis();
        scheduler.scheduleWithFixedDelay(() -> db.execute(this::flush), flush, flush, TimeUnit.MILLISECONDS);
        if (registry != null) {
            Map<String, LongAdder> outcomes = Map.of("matched", matched, "confirmed", confirmed, "transient", transients, "version-skew", skew, "noise", noise,
                    "timeout", timeouts, "deduped", deduped, "sampled-out", sampledOut, "ignored", ignored);
            outcomes.forEach((k, v) -> FunctionCounter.builder("dnsmig.verify.queries", v, LongAdder::sum).tag("outcome", k)
                    .description("Queries the verifier read, by what became of them").register(registry));
            FunctionCounter.builder("dnsmig.verify.compared", compared, LongAdder::sum).description("Queries asked of both servers and compared").register(registry);
        }
    }

    /** True when a query from this source port is the verifier's own (a tap of the legacy server sees those too). */
    public boolean isOwn(int sourcePort) {
        return old.isOwn(sourcePort) || neu.isOwn(sourcePort) || oldAgain.isOwn(sourcePort) || neuAgain.isOwn(sourcePort);
    }

    /** Replaces the zone directory (zones added or removed since the start). */
    public void zones(ZoneDirectory directory) {
        this.zones = directory;
    }

    /** Replays one query; blocks for the rate limit and the in-flight cap. */
    public void submit(Query q) throws InterruptedException {
        submitted.increment();
        if (settings.comparison().rules().ignoresName(q.name())) {
            ignored.increment();
            return;
        }
        if (settings.sample() < 1 && ThreadLocalRandom.current().nextDouble() >= settings.sample()) {
            sampledOut.increment();
            return;
        }
        if (!settings.dedupe().isZero() && duplicate(q)) {
            deduped.increment();
            return;
        }
        pace();
        inFlight.acquire();
        ask(q, false);
    }

    /** Replays a probe (a query made from the zone data): counted in coverage as a probe. */
    public void probe(Query q) throws InterruptedException {
        submitted.increment();
        pace();
        inFlight.acquire();
        ask(q, true);
    }

    private boolean duplicate(Query q) {
        String key = q.name().toString().toLowerCase(java.util.Locale.ROOT) + "|" + q.type() + "|" + q.dclass() + "|" + q.rd() + q.cd() + q.dnssecOk()
                + (q.ednsPayload() >= 0);
        long now = System.nanoTime();
        synchronized (recent) {
            Long last = recent.get(key);
            if (last != null && now - last < settings.dedupe().toNanos()) {
                return true;
            }
            recent.put(key, now);
            return false;
        }
    }

    private synchronized void pace() {
        if (settings.rate() <= 0) {
            return;
        }
        long interval = (long) (1e9 / settings.rate());
        long now = System.nanoTime();
        if (nextSendNanos > now) {
            LockSupport.parkNanos(nextSendNanos - now);
        } else if (now - nextSendNanos > 100_000_000L) {
            nextSendNanos = now; // idle for a while: no burst to catch up
        }
        nextSendNanos += interval;
    }

    private void ask(Query q, boolean probe) {
        byte[] wire = q.toWire();
        Instant at = clock.instant();
        long window = counters.windowStart(at);
        VerifyStore.ZoneRef zone = zones.find(q.name());
        String zoneName = zone == null ? null : zone.name();
        String ns = q.nameserver();
        CompletableFuture<Observation> a = old.ask(wire);
        CompletableFuture<Observation> b = neu.ask(wire);
        // Answers that agree are decided on the thread that received the second one (a cheap byte or
        // wire comparison, no parsing); anything else is compared on the comparing pool, so the
        // receiving threads keep draining their sockets.
        a.thenAcceptBoth(b, (o1, n1) -> {
            if (settings.comparison().agreeOnTheWire(o1, n1)) {
                inFlight.release();
                try {
                    count(q, ns, zoneName, window, probe, true);
                } catch (RuntimeException e) {
                    log.warn("counting the answers to {} failed: {}", q.describe(), e.toString(), e);
                }
                return;
            }
            try {
                comparing.execute(() -> compare(q, probe, wire, zone, zoneName, ns, window, at, o1, n1));
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                inFlight.release();
            }
        }).exceptionally(e -> {
            log.warn("replaying {} failed: {}", q.describe(), e.toString());
            return null;
        });
    }

    /** Counts a compared query (and, when its answers agree, marks an open finding for it fixed). */
    private void count(Query q, String ns, String zoneName, long window, boolean probe, boolean agree) {
        compared.increment();
        if (agree) {
            matched.increment();
        }
        counters.add(ns, zoneName, window, Counters.COMPARED, agree ? Counters.MATCHED : -1);
        if (zoneName != null) {
            counters.covered(zoneName, q.name(), q.type(), probe);
        }
        if (agree && store != null && !openFindings.isEmpty()) {
            String qname = q.name().toString().toLowerCase(java.util.Locale.ROOT);
            String qtype = Type.string(q.type());
            if (openFindings.remove(VerifyStore.key(ns, qname, qtype))) {
                db.execute(() -> store.markFixed(ns, qname, qtype));
            }
        }
    }

    private void compare(Query q, boolean probe, byte[] wire, VerifyStore.ZoneRef zone, String zoneName, String ns, long window, Instant at,
            Observation o1, Observation n1) {
        try {
            if (o1 instanceof Observation.Failed f1 && f1.timeout() || n1 instanceof Observation.Failed f2 && f2.timeout()) {
                timeouts.increment();
                counters.add(ns, zoneName, window, Counters.TIMEOUTS);
            }
            List<Difference> d = settings.comparison().compare(q.type(), o1, n1);
            count(q, ns, zoneName, window, probe, d.isEmpty());
            if (d.isEmpty()) {
                return;
            }
            confirming.incrementAndGet();
            scheduler.schedule(() -> confirm(q, wire, zone, window, at), settings.confirmDelay().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            log.warn("comparing the answers to {} failed: {}", q.describe(), e.toString(), e);
        } finally {
            inFlight.release(); // after a mismatch is counted as confirming: drain() never sees neither
        }
    }

    private void confirm(Query q, byte[] wire, VerifyStore.ZoneRef zone, long window, Instant firstAt) {
        CompletableFuture<Observation> o2 = oldAgain.ask(wire);
        CompletableFuture<Observation> n2 = neuAgain.ask(wire);
        o2.thenCombine(n2, (a, b) -> new Observation[] {a, b}).thenCompose(pair -> oldAgain.ask(wire).thenCompose(o3 -> {
            List<Difference> reasked = settings.comparison().compare(q.type(), pair[0], pair[1]);
            List<Difference> legacyTwice = settings.comparison().compare(q.type(), pair[0], o3);
            if (reasked.isEmpty() || !legacyTwice.isEmpty()) {
                return CompletableFuture.completedFuture(new Decision(Confirmation.decide(reasked, legacyTwice, -1, -1), reasked, pair));
            }
            Name apex = zone != null ? name(zone.name()) : apexOf(pair[0]);
            if (apex == null) {
                return CompletableFuture.completedFuture(new Decision(Confirmation.decide(reasked, legacyTwice, -1, -1), reasked, pair));
            }
            byte[] soaQuery = Query.of(apex, Type.SOA, q.nameserver(), firstAt).toWire();
            return oldAgain.ask(soaQuery).thenCombine(neuAgain.ask(soaQuery),
                    (so, sn) -> new Decision(Confirmation.decide(reasked, legacyTwice, serial(so), serial(sn)), reasked, pair));
        })).whenComplete((decision, error) -> {
            try {
                if (error != null) {
                    log.warn("confirming {} failed: {}", q.describe(), error.toString());
                    return;
                }
                record(q, zone, window, decision);
            } catch (RuntimeException e) {
                log.warn("recording the confirmation of {} failed: {}", q.describe(), e.toString(), e);
            } finally {
                confirming.decrementAndGet();
            }
        });
    }

    private record Decision(Outcome outcome, List<Difference> differences, Observation[] answers) {}

    private void record(Query q, VerifyStore.ZoneRef zone, long window, Decision d) {
        String ns = q.nameserver();
        String zoneName = zone == null ? null : zone.name();
        counters.add(ns, zoneName, window, Counters.counterOf(d.outcome()));
        switch (d.outcome()) {
            case TRANSIENT -> transients.increment();
            case NOISE -> noise.increment();
            case VERSION_SKEW -> skew.increment();
            case MATCHED -> matched.increment();
            case CONFIRMED -> {
                confirmed.increment();
                String qname = q.name().toString().toLowerCase(java.util.Locale.ROOT);
                String qtype = Type.string(q.type());
                String oldText = text(d.answers()[0]);
                String newText = text(d.answers()[1]);
                Instant now = clock.instant();
                log.debug("confirmed inconsistency on {} for {}: {}", ns, q.describe(), d.differences());
                // One finding per category. Its identity for mailing (the hash) is the header and answer
                // differences: the authority and additional sections vary with the query's flags.
                Map<Category, List<Difference>> byCategory = new java.util.EnumMap<>(Category.class);
                d.differences().forEach(x -> byCategory.computeIfAbsent(x.category(), c -> new java.util.ArrayList<>()).add(x));
                byCategory.forEach((category, diffs) -> {
                    findings.increment();
                    String detail = String.join(" ; ", diffs.stream().map(Difference::detail).toList());
                    List<String> core = diffs.stream().filter(x -> x.section() == -1 || x.section() == Section.ANSWER).map(Difference::detail).toList();
                    String basis = core.isEmpty() ? detail : String.join(" ; ", core);
                    if (store != null) {
                        openFindings.add(VerifyStore.key(ns, qname, qtype));
                        VerifyStore.FindingRow row = new VerifyStore.FindingRow(ns, zoneName, zone == null ? null : zone.ownerId(), category.label(), qname,
                                qtype, detail, basis, oldText, newText, now);
                        db.execute(() -> store.recordFinding(row));
                    }
                });
            }
        }
    }

    private String text(Observation o) {
        if (o instanceof Observation.Answered a) {
            try {
                return AnswerShape.of(a.message(), settings.comparison().rules()).text();
            } catch (IOException e) {
                return "malformed response: " + e.getMessage();
            }
        }
        return ((Observation.Failed) o).reason();
    }

    private static long serial(Observation o) {
        if (o instanceof Observation.Answered a) {
            try {
                Message m = a.message();
                for (var r : m.getSection(Section.ANSWER)) {
                    if (r instanceof SOARecord soa) {
                        return soa.getSerial();
                    }
                }
            } catch (IOException e) {
                return -1;
            }
        }
        return -1;
    }

    /** The zone apex from a negative answer's SOA (authority), for names in no known zone. */
    private static Name apexOf(Observation o) {
        if (o instanceof Observation.Answered a) {
            try {
                for (var r : a.message().getSection(Section.AUTHORITY)) {
                    if (r.getType() == Type.SOA && r.getDClass() == DClass.IN) {
                        return r.getName();
                    }
                }
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    private static Name name(String s) {
        try {
            return Name.fromString(s);
        } catch (org.xbill.DNS.TextParseException e) {
            return null;
        }
    }

    /** Waits until every query asked has been compared and every mismatch confirmed (at most {@code max}), then writes the counters. */
    public Totals drain(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while ((inFlight.availablePermits() < settings.maxInFlight() || confirming.get() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (inFlight.availablePermits() < settings.maxInFlight() || confirming.get() > 0) {
            log.warn("stopped waiting after {} s: {} queries still in flight, {} confirmations pending", max.toSeconds(),
                    settings.maxInFlight() - inFlight.availablePermits(), confirming.get());
        }
        try {
            db.submit(this::flush).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("writing the verifier's counters failed: " + e.getMessage(), e);
        }
        return totals();
    }

    public Totals totals() {
        return new Totals(submitted.sum(), ignored.sum(), sampledOut.sum(), deduped.sum(), compared.sum(), matched.sum(), confirmed.sum(), transients.sum(),
                skew.sum(), noise.sum(), timeouts.sum(), findings.sum());
    }

    private void flush() {
        if (store == null) {
            counters.drainWindows(clock.millis());
            counters.drainCoverage();
            return;
        }
        try {
            store.addWindows(counters.drainWindows(clock.millis()));
            store.addCoverage(counters.drainCoverage());
        } catch (RuntimeException e) {
            log.warn("writing the verifier's counters to the store failed; the counts of this interval are lost, the findings are not (check the database): {}",
                    e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        old.close();
        neu.close();
        oldAgain.close();
        neuAgain.close();
        tcpPool.shutdownNow();
        comparing.shutdownNow();
        db.shutdown();
        try {
            db.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
