package dnsmig.orchestrator.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.legacy.ReadOutcome;
import dnsmig.orchestrator.cli.Cli;
import dnsmig.store.DualWriteStore;
import dnsmig.store.Rows;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Record;

/**
 * Dual writes under faults, against a real named and a real PostgreSQL: {@code clients}
 * concurrent API clients issue {@code changes} random RRset writes (create, replace, delete)
 * across 52 zones while a fault thread kills named (SIGKILL) and restarts it, terminates the
 * API's database connections ({@code pg_terminate_backend}), stalls the legacy server (timeouts)
 * and loses UPDATE answers; once in CONCURRENT mode and once in SYNCHRONOUS mode. Seeded (the
 * clients' choices and the faults' kinds and pauses; timing is the machine's). Afterwards:
 * every acknowledged write is on the side(s) it must be on; in SYNCHRONOUS every failed request
 * is on neither side; in CONCURRENT every new-side failure is in the divergence list; once the
 * outbox and the queue are drained, reconcile reports no difference the divergence list does not
 * explain. Prints the counts.
 *
 * <p>Faults come in rounds, each a seeded shuffle of the four kinds, and the clients keep going
 * until at least one whole round has been injected: a short run meets every kind of fault too.
 * The normal suite runs a short version (16 clients, {@value #SUITE_CHANGES} changes per mode);
 * the Maven profile {@code chaos} runs the acceptance size (32 clients, 10,000 changes per mode):
 * {@code ./mvnw -B -Pchaos test -pl orchestrator -am -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosTest {

    static final long SEED = Long.getLong("dnsmig.chaos.seed", 20141104L);
    static final int CLIENTS = Integer.getInteger("dnsmig.chaos.clients", 16);
    static final int SUITE_CHANGES = 1200;
    static final int CHANGES = Integer.getInteger("dnsmig.chaos.changes", SUITE_CHANGES);
    static final List<String> OWNERS = List.of("ada", "bob", "cyd", "dee");
    static final int ZONES_PER_OWNER = 13; // 52 zones

    @TempDir
    static Path tmp;

    static DualWriteHarness h;
    static List<String> zones = new ArrayList<>();
    static Map<String, String> ownerOfZone = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        h = new DualWriteHarness(tmp, OWNERS, ZONES_PER_OWNER, DualWriteSettings.defaults().withLockTimeout(Duration.ofSeconds(4))
                .withIntentStaleAfter(Duration.ofSeconds(2)).withApplier(Duration.ofMillis(100), 8, Duration.ofMillis(100)), Duration.ofMillis(400), true);
        for (String o : OWNERS) {
            for (int k = 0; k < ZONES_PER_OWNER; k++) {
                String z = o + "-" + k + ".test.";
                zones.add(z);
                ownerOfZone.put(z, o);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    /** What one RRset (client-owned, so written by one client at a time) must be: the last acknowledged value, or one of several when unknown. */
    static final class Expect {
        String value = ""; // "" = absent; else the TXT/A rdata
        final Set<String> maybe = new HashSet<>(); // values that may also be there (outcome unknown)
        boolean trap; // the store refuses it on purpose (a CNAME planted in the store only)
    }

    /** A few failure answers per status, printed with the counts. */
    static final Map<Integer, Set<String>> samples = new ConcurrentHashMap<>();

    @Test
    @Order(1)
    void concurrentMode() throws Exception {
        run(WriteMode.CONCURRENT, SEED);
    }

    @Test
    @Order(2)
    void synchronousMode() throws Exception {
        run(WriteMode.SYNCHRONOUS, SEED + 1);
    }

    private void run(WriteMode mode, long seed) throws Exception {
        h.mode(mode);
        String tag = mode == WriteMode.CONCURRENT ? "c" : "s";
        Map<String, Expect> model = new ConcurrentHashMap<>(); // "zone|name|type" -> expectation
        Set<String> failedValues = ConcurrentHashMap.newKeySet();
        Map<String, AtomicInteger> outcomes = new TreeMap<>();
        samples.clear();
        for (String k : List.of("acked", "failed-409", "failed-422", "failed-502", "failed-503", "failed-404", "failed-other", "uncertain")) {
            outcomes.put(k, new AtomicInteger());
        }
        // Traps for CONCURRENT: a CNAME in the store only, at a name legacy does not have; writes there are taken by legacy and refused by the store.
        if (mode == WriteMode.CONCURRENT) {
            for (int c = 0; c < CLIENTS; c++) {
                String z = zones.get(c % zones.size());
                String name = tag + c + "trap." + z;
                h.store.inZone(z, Duration.ofSeconds(5), tx -> {
                    tx.replace(name, "CNAME", List.of(new Rows.Rr(name, "CNAME", 300, "www." + z)), "chaos-setup");
                    // A known difference (as a reconcile would have found it): in the ledger, so it is explained.
                    tx.divergence("reconcile", "planted", "a CNAME only the store has, planted by the chaos test", name, "CNAME", null);
                    return null;
                });
                Expect e = new Expect();
                e.trap = true;
                model.put(z + "|" + name + "|A", e);
            }
        }
        AtomicBoolean done = new AtomicBoolean();
        Map<String, AtomicInteger> faults = new TreeMap<>();
        for (String k : List.of("named-killed", "pg-connections-terminated", "legacy-stalled", "update-answers-lost")) {
            faults.put(k, new AtomicInteger());
        }
        AtomicBoolean everyFault = new AtomicBoolean(); // one whole round of faults injected
        AtomicInteger issued = new AtomicInteger();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
        Future<?> faultThread = pool.submit(() -> faults(new Random(seed * 31), done, everyFault, faults));
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(pool.submit(() -> client(mode, tag, client, new Random(seed * 1000 + client), issued, everyFault, model, failedValues, outcomes)));
        }
        for (Future<?> f : clients) {
            f.get(15, TimeUnit.MINUTES);
        }
        done.set(true);
        faultThread.get(1, TimeUnit.MINUTES);
        pool.shutdown();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        // Quiesce: legacy up and reachable, the queue and the outbox drained.
        h.proxy.mode(FaultyProxy.Mode.PASS);
        h.named.start();
        long queueLeft = -1;
        long outboxLeft = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            var q = h.store.queueCounts();
            queueLeft = q.getOrDefault("intent", 0) + q.getOrDefault("pending", 0);
            outboxLeft = h.store.openOutboxCount();
            if (queueLeft == 0 && outboxLeft == 0) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(queueLeft).as("concurrent-mode queue drained").isZero();
        assertThat(outboxLeft).as("repair outbox drained").isZero();

        // Both sides as they are now.
        Map<String, String> legacy = new HashMap<>();
        for (String z : zones) {
            ReadOutcome r = h.direct.read(z);
            assertThat(r).as("AXFR %s", z).isInstanceOf(ReadOutcome.Zone.class);
            Map<String, List<Record>> sets = new HashMap<>();
            for (Record rec : ((ReadOutcome.Zone) r).records()) {
                sets.computeIfAbsent(z + "|" + rec.getName().toString().toLowerCase() + "|" + org.xbill.DNS.Type.string(rec.getType()), k -> new ArrayList<>())
                        .add(rec);
            }
            sets.forEach((k, v) -> legacy.put(k, Records.text(v)));
        }
        Set<String> divergedRRsets = new HashSet<>();
        for (var d : h.store.divergences(new DualWriteStore.DivergenceFilter(null, null, null, null, true, 1_000_000))) {
            divergedRRsets.add(d.zone() + "|" + d.name() + "|" + d.type());
        }

        int wrongLegacy = 0;
        int wrongStore = 0;
        int explainedByDivergence = 0;
        List<String> examples = new ArrayList<>();
        for (var e : model.entrySet()) {
            String[] k = e.getKey().split("\\|");
            Expect x = e.getValue();
            String onLegacy = values(legacy.getOrDefault(e.getKey(), ""));
            String onStore = values(Records.rowsText(h.store.rrset(k[0], k[1], k[2])));
            boolean legacyOk = onLegacy.equals(x.value) || x.maybe.contains(onLegacy);
            if (!legacyOk) {
                wrongLegacy++;
                if (examples.size() < 10) {
                    examples.add("legacy " + e.getKey() + ": " + onLegacy + " expected " + x.value + " or " + x.maybe);
                }
            }
            if (!onStore.equals(onLegacy)) {
                if (mode == WriteMode.CONCURRENT && divergedRRsets.contains(e.getKey())) {
                    explainedByDivergence++;
                } else {
                    wrongStore++;
                    if (examples.size() < 10) {
                        examples.add("store " + e.getKey() + ": " + onStore + " legacy " + onLegacy + " expected " + x.value);
                    }
                }
            }
        }
        // In SYNCHRONOUS, a failed write's (unique) value is on neither side.
        int failedFound = 0;
        if (mode == WriteMode.SYNCHRONOUS) {
            Set<String> present = new HashSet<>();
            legacy.values().forEach(v -> present.addAll(List.of(v.split("\n"))));
            try (var c = h.ds.getConnection(); var s = c.createStatement(); ResultSet rs = s.executeQuery("select ttl || ' ' || rdata from dnsmig.rr")) {
                while (rs.next()) {
                    present.add(rs.getString(1));
                }
            }
            for (String v : failedValues) {
                if (present.stream().anyMatch(p -> p.replace("\"", "").endsWith(" " + v))) {
                    failedFound++;
                    if (examples.size() < 10) {
                        examples.add("failed write present: " + v);
                    }
                }
            }
        }
        // In CONCURRENT, every change the new side gave up on is in the divergence list.
        int divergedChanges = 0;
        int divergedWithoutEntry = 0;
        try (var c = h.ds.getConnection(); var s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select count(*), count(*) filter (where not exists (select 1 from dnsmig.divergence d where d.change_id = q.id))"
                        + " from dnsmig.dual_write_queue q where q.state = 'diverged'")) {
            rs.next();
            divergedChanges = rs.getInt(1);
            divergedWithoutEntry = rs.getInt(2);
        }

        // Reconcile: every legacy zone against the store; differences not explained by the divergence list.
        Cli.Run rec = new Cli(h.db).run("reconcile", "--all", "--named-conf", h.named.namedConf().toString(), "--server", "127.0.0.1", "--port",
                Integer.toString(h.named.port()), "--tsig-key", h.named.keyFile().toString());
        assertThat(rec.exit()).as(rec.toString()).isIn(0, 3);
        int differences = 0;
        int unexplained = 0;
        try (var c = h.ds.getConnection(); var s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select zone_name, name, type from dnsmig.reconcile_difference where run_id = (select max(id) from dnsmig.reconcile_run)")) {
            while (rs.next()) {
                differences++;
                String key = rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3);
                if (!divergedRRsets.contains(key)) {
                    unexplained++;
                    if (examples.size() < 10) {
                        examples.add("reconcile: " + key);
                    }
                }
            }
        }
        var queue = h.store.queueCounts();
        var meters = h.bean(io.micrometer.core.instrument.MeterRegistry.class);
        double compensations = meters.find("dnsmig.dualwrite.compensations").counters().stream().mapToDouble(x -> x.count()).sum();
        double outboxAdded = meters.find("dnsmig.dualwrite.outbox.added").counters().stream().mapToDouble(x -> x.count()).sum();
        System.out.printf("%nCHAOS %s seed=%d clients=%d changes=%d zones=%d took=%ds%n  outcomes: %s%n  faults: %s%n"
                        + "  queue: %s; diverged changes %d (without a ledger entry: %d); RRsets different but explained by divergences: %d%n"
                        + "  compensations: %.0f; repair-outbox entries: %.0f (open now: %d)%n"
                        + "  failure samples: %s%n"
                        + "  checks: acknowledged writes missing or wrong on legacy: %d; store differing from legacy unexplained: %d;"
                        + " failed writes found on a side: %d%n  reconcile: %d differences, %d unexplained%n  examples: %s%n",
                mode, seed, CLIENTS, issued.get(), zones.size(), took.toSeconds(), outcomes, faults, queue, divergedChanges, divergedWithoutEntry,
                explainedByDivergence, compensations, outboxAdded, h.store.openOutboxCount(), samples, wrongLegacy, wrongStore, failedFound, differences, unexplained,
                examples);

        assertThat(issued.get()).isGreaterThanOrEqualTo(CHANGES);
        assertThat(outcomes.get("acked").get()).as("writes keep succeeding between faults").isGreaterThan(CHANGES / 10);
        assertThat(faults.get("named-killed").get()).as("named was killed").isPositive();
        assertThat(faults.get("pg-connections-terminated").get()).as("connections terminated").isPositive();
        assertThat(faults.get("legacy-stalled").get() + faults.get("update-answers-lost").get()).as("timeouts injected").isPositive();
        assertThat(examples).as("examples of what went wrong").isEmpty();
        assertThat(wrongLegacy).isZero();
        assertThat(wrongStore).isZero();
        assertThat(failedFound).isZero();
        assertThat(divergedWithoutEntry).isZero();
        assertThat(unexplained).isZero();
        if (mode == WriteMode.CONCURRENT) {
            assertThat(divergedChanges).as("the store refused the trap writes").isPositive();
        }
    }

    /** The rdata of "TTL rdata" lines, joined: what the test compares (TTLs are fixed). */
    private static String values(String text) {
        if (text.isEmpty()) {
            return "";
        }
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            out.add(l.substring(l.indexOf(' ') + 1).replace("\"", "")); // TXT quoting is the writer's choice
        }
        out.sort(null);
        return String.join("\n", out);
    }

    private void client(WriteMode mode, String tag, int client, Random rnd, AtomicInteger issued, AtomicBoolean everyFault, Map<String, Expect> model,
            Set<String> failedValues, Map<String, AtomicInteger> outcomes) {
        List<String> mine = new ArrayList<>();
        int seq = 0;
        while (issued.getAndIncrement() < CHANGES || !everyFault.get()) {
            seq++;
            String value = "\"" + tag + "-" + client + "-" + seq + "\"";
            String key;
            String zone;
            String name;
            String type = "TXT";
            String op;
            double p = rnd.nextDouble();
            if (mode == WriteMode.CONCURRENT && p < 0.02) {
                zone = zones.get(client % zones.size());
                name = tag + client + "trap." + zone;
                type = "A";
                value = "198.51.100." + (seq % 250 + 1);
                op = "put";
            } else if (mine.isEmpty() || p < 0.35) {
                zone = zones.get(rnd.nextInt(zones.size()));
                name = tag + client + "n" + seq + "." + zone;
                op = "put";
            } else {
                String k0 = mine.get(rnd.nextInt(mine.size()));
                String[] k = k0.split("\\|");
                zone = k[0];
                name = k[1];
                op = p < 0.8 ? "put" : "delete";
            }
            key = zone + "|" + name + "|" + type;
            Expect x = model.computeIfAbsent(key, kk -> new Expect());
            if (x.trap && !type.equals("A")) {
                continue;
            }
            DualWriteHarness.Response r;
            String owner = ownerOfZone.get(zone);
            String wanted = op.equals("delete") ? "" : value.replace("\"", "");
            try {
                r = op.equals("delete") ? h.delete(owner, zone, name, type) : h.put(owner, zone, name, type, 300, value);
            } catch (Exception e) {
                outcomes.get("failed-other").incrementAndGet();
                x.maybe.add(wanted);
                continue;
            }
            if (r.status() != 200) {
                // As a well-behaved client does: a short pause before the next request after an error.
                try {
                    Thread.sleep(20 + rnd.nextInt(100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (r.status() == 200) {
                outcomes.get("acked").incrementAndGet();
                x.value = wanted;
                x.maybe.clear();
                if (!wanted.isEmpty() && !x.trap && !mine.contains(key)) {
                    mine.add(key);
                }
                if (wanted.isEmpty()) {
                    mine.remove(key);
                }
            } else if (r.body().contains("may or may not have been applied there") || r.body().contains("the outcome is unknown")) {
                // Concurrent: legacy's outcome is unknown; it is queued and the new side follows whatever legacy holds.
                // Synchronous: the store's commit outcome is unknown; the outbox makes legacy follow the store.
                outcomes.get("uncertain").incrementAndGet();
                x.maybe.add(wanted);
                mine.remove(key); // not written again, so the final check stays exact
            } else {
                String k = "failed-" + r.status();
                Set<String> sample = samples.computeIfAbsent(r.status(), st -> ConcurrentHashMap.newKeySet());
                if (sample.size() < 4) {
                    String detail = r.body().replaceAll(".*\"detail\":\"", "").replaceAll("[0-9]+", "N");
                    sample.add(detail.substring(0, Math.min(140, detail.length())));
                }
                outcomes.getOrDefault(k, outcomes.get("failed-other")).incrementAndGet();
                if (!wanted.isEmpty()) {
                    failedValues.add(wanted);
                }
                if (mode == WriteMode.CONCURRENT && r.status() == 503 && !r.body().contains("nothing was written")
                        && !r.body().contains("did not apply the change")) {
                    x.maybe.add(wanted); // a legacy failure the message does not rule out
                }
            }
        }
    }

    /**
     * Seeded faults until the clients are done: each pause and the order of the kinds within a
     * round (every kind once) come from {@code rnd}; {@code everyFault} is set after the first round.
     */
    private void faults(Random rnd, AtomicBoolean done, AtomicBoolean everyFault, Map<String, AtomicInteger> counts) {
        List<Integer> round = new ArrayList<>();
        try {
            while (!done.get()) {
                Thread.sleep(1500 + rnd.nextInt(1500));
                if (done.get()) {
                    return;
                }
                if (round.isEmpty()) {
                    round.addAll(List.of(0, 1, 2, 3));
                    Collections.shuffle(round, rnd);
                }
                switch (round.remove(0)) {
                    case 0 -> {
                        long pid = h.named.pid();
                        if (pid > 0) {
                            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                            counts.get("named-killed").incrementAndGet();
                            Thread.sleep(200 + rnd.nextInt(400));
                            h.named.stop();
                            h.named.start();
                        }
                    }
                    case 1 -> {
                        try (var c = h.ds.getConnection(); var s = c.createStatement(); ResultSet rs = s.executeQuery(
                                "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = 'dnsmig-api'"
                                        + " and datname = current_database()")) {
                            rs.next();
                            counts.get("pg-connections-terminated").addAndGet(rs.getInt(1));
                        }
                    }
                    case 2 -> {
                        h.proxy.mode(FaultyProxy.Mode.STALL);
                        counts.get("legacy-stalled").incrementAndGet();
                        Thread.sleep(300 + rnd.nextInt(500));
                        h.proxy.mode(FaultyProxy.Mode.PASS);
                        h.proxy.dropAll();
                    }
                    default -> {
                        h.proxy.mode(FaultyProxy.Mode.LOSE_UPDATE_ANSWERS);
                        counts.get("update-answers-lost").incrementAndGet();
                        Thread.sleep(300 + rnd.nextInt(700));
                        h.proxy.mode(FaultyProxy.Mode.PASS);
                    }
                }
                if (round.isEmpty()) {
                    everyFault.set(true);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("fault thread: " + e, e);
        } finally {
            everyFault.set(true); // never keeps the clients going once the fault thread has stopped
            h.proxy.mode(FaultyProxy.Mode.PASS);
        }
    }
}
