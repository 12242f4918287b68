package dnsmig.orchestrator.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.legacy.ReadOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.ZoneTransferIn;

/**
 * What guards dual writes, against a real named and a real PostgreSQL (the API reaching it
 * through a {@link TcpProxy} that can cut it off): two clients racing on one RRset end with both
 * sides equal, changed in the same order; a full bulkhead and an open store circuit breaker
 * answer at once with a 503 that names the cause; the dual-write meters count per mode and
 * outcome, in the registry and on {@code /actuator/prometheus}.
 */
class DualWriteResilienceTest {

    static final int MAX_IN_FLIGHT = 2;

    @TempDir
    static Path tmp;

    static DualWriteHarness h;
    static QueueApplier applier;
    static MeterRegistry meters;

    @BeforeAll
    static void start() throws Exception {
        DualWriteSettings settings = DualWriteSettings.defaults().withLockTimeout(Duration.ofSeconds(3)).withIntentStaleAfter(Duration.ofSeconds(2))
                .withApplier(Duration.ofMillis(100), 3, Duration.ofMillis(50)).withBulkhead(MAX_IN_FLIGHT, Duration.ofMillis(300));
        // A short pool timeout: while PostgreSQL is cut off, each request waits this long for a connection until the breaker opens.
        // IXFR shows named's own order of changes; without a limit named answers a long history with the whole zone instead.
        h = new DualWriteHarness(tmp, List.of("alice"), 6, settings, Duration.ofMillis(700), false, true,
                Map.of("spring.datasource.hikari.connection-timeout", 1000), "max-ixfr-ratio unlimited;");
        applier = h.bean(QueueApplier.class);
        meters = h.bean(MeterRegistry.class);
        // The store's order of changes: every row inserted into rr, numbered in insertion order. Writes to one zone hold its lock
        // until they commit, so for one zone this is the order in which the changes were committed.
        try (var c = h.ds.getConnection(); var s = c.createStatement()) {
            s.execute("create table public.rr_history (seq bigint generated always as identity primary key, zone_id bigint, name varchar, type varchar,"
                    + " rdata varchar)");
            s.execute("create function public.rr_history() returns trigger language plpgsql as $$ begin"
                    + " insert into public.rr_history (zone_id, name, type, rdata) values (new.zone_id, new.name, new.type, new.rdata); return new; end $$");
            s.execute("create trigger rr_history after insert on dnsmig.rr for each row execute function public.rr_history()");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = WriteMode.class, names = {"SYNCHRONOUS", "CONCURRENT"})
    void twoClientsRacingToReplaceOneRRsetLeaveBothSidesEqualChangedInTheSameOrder(WriteMode mode) throws Exception {
        h.mode(mode);
        String zone = mode == WriteMode.SYNCHRONOUS ? "alice-0.test." : "alice-1.test.";
        String name = "race." + zone;
        long serialBefore = ((ReadOutcome.Zone) h.direct.rrset(zone, Name.fromString(zone), Type.SOA)).serial();
        int perClient = 12;
        CyclicBarrier go = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<List<Integer>>> clients = new ArrayList<>();
        try {
            for (String client : List.of("a", "b")) {
                clients.add(pool.submit(() -> {
                    go.await(10, TimeUnit.SECONDS);
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = 0; i < perClient; i++) {
                        statuses.add(h.put("alice", zone, "race", "TXT", 300, "\"" + client + "-" + i + "\"").status());
                    }
                    return statuses;
                }));
            }
            for (Future<List<Integer>> c : clients) {
                assertThat(c.get(2, TimeUnit.MINUTES)).as("every write acknowledged").containsOnly(200);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 50 && !h.store.queued(zone, 1).isEmpty(); i++) {
            applier.drainOnce();
        }
        assertThat(h.store.queued(zone, 1)).as("the queue applied").isEmpty();

        String legacyNow = h.legacy(zone, name, "TXT");
        assertThat(legacyNow).matches("300 \"?[ab]-11\"?"); // the writer quotes TXT only when it must
        assertThat(h.stored(zone, name, "TXT")).isEqualTo(legacyNow);

        // Legacy's order, from named itself: the journal's changes since the race began (IXFR), the values each one added.
        ZoneTransferIn ixfr = ZoneTransferIn.newIXFR(Name.fromString(zone), serialBefore, false, h.named.socketAddress(), null);
        ixfr.setTimeout(Duration.ofSeconds(10));
        ixfr.run();
        assertThat(ixfr.isIXFR()).as("named answers with its journal").isTrue();
        List<String> legacyOrder = new ArrayList<>();
        for (ZoneTransferIn.Delta d : ixfr.getIXFR()) {
            for (Record r : d.adds) {
                if (r instanceof TXTRecord t && r.getName().toString().equalsIgnoreCase(name)) {
                    legacyOrder.add(t.getStrings().get(0));
                }
            }
        }
        List<String> storeOrder = new ArrayList<>();
        try (var c = h.ds.getConnection(); var s = c.prepareStatement("select rdata from public.rr_history where name = ? and type = 'TXT' order by seq")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    storeOrder.add(rs.getString(1).replace("\"", ""));
                }
            }
        }
        assertThat(legacyOrder).as("every change once on legacy").hasSize(2 * perClient);
        assertThat(storeOrder).as("the store applied the changes in legacy's order").isEqualTo(legacyOrder);
        for (String client : List.of("a", "b")) {
            assertThat(legacyOrder.stream().filter(v -> v.startsWith(client + "-")).toList()).as("client %s's writes in its own order", client)
                    .isEqualTo(IntStream.range(0, perClient).mapToObj(i -> client + "-" + i).toList());
        }
    }

    @Test
    void aFullBulkheadAnswers503AtOnceNamingTheCause() throws Exception {
        h.mode(WriteMode.LEGACY_ONLY);
        h.proxy.mode(FaultyProxy.Mode.STALL);
        ExecutorService pool = Executors.newFixedThreadPool(MAX_IN_FLIGHT);
        List<Future<DualWriteHarness.Response>> stalled = new ArrayList<>();
        try {
            // Two writes to a legacy server that does not answer hold every place in the bulkhead...
            for (int i = 0; i < MAX_IN_FLIGHT; i++) {
                String zone = "alice-" + (2 + i) + ".test";
                stalled.add(pool.submit(() -> h.put("alice", zone, "held", "A", 300, "192.0.2.7")));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (meters.get("resilience4j.bulkhead.available.concurrent.calls").tag("name", "dual-writes").gauge().value() > 0) {
                assertThat(System.nanoTime()).as("the writes are in flight").isLessThan(deadline);
                Thread.sleep(10);
            }
            // ... so a third is turned away after the bulkhead's short wait, not left hanging.
            long t0 = System.nanoTime();
            var third = h.put("alice", "alice-4.test", "turned-away", "A", 300, "192.0.2.8");
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(third.status()).as(third.toString()).isEqualTo(503);
            assertThat(third.body()).contains("too many writes in flight (" + MAX_IN_FLIGHT + ")").contains("nothing was written");
            assertThat(took).isLessThan(Duration.ofSeconds(2));
            for (Future<DualWriteHarness.Response> f : stalled) {
                var r = f.get(30, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.toString()).isEqualTo(503);
                assertThat(r.body()).contains("legacy server");
            }
        } finally {
            h.proxy.mode(FaultyProxy.Mode.PASS);
            h.proxy.dropAll();
            pool.shutdownNow();
        }
        Thread.sleep(600); // the legacy circuit breaker lets calls through again
        var after = h.put("alice", "alice-4.test", "turned-away", "A", 300, "192.0.2.8");
        assertThat(after.status()).as("places free again: " + after).isEqualTo(200);
        for (int i = 0; i < MAX_IN_FLIGHT; i++) {
            String zone = "alice-" + (2 + i) + ".test";
            assertThat(h.legacy(zone, "held." + zone + ".", "A")).as("a write that failed changed nothing").isEmpty();
        }
    }

    @Test
    void theStoreCircuitBreakerOpensWhenPostgresIsCutOffAnswersAtOnceAndRecovers() throws Exception {
        h.mode(WriteMode.SYNCHRONOUS);
        assertThat(h.put("alice", "alice-5.test", "cut", "A", 300, "192.0.2.50").status()).isEqualTo(200);
        h.dbProxy.cut();
        List<Duration> beforeOpen = new ArrayList<>();
        DualWriteHarness.Response r;
        try {
            // Until the breaker opens each request waits for a connection (the pool's 1 s) and is told the database is unavailable.
            for (int i = 0; ; i++) {
                assertThat(i).as("the breaker opens after a bounded number of failures").isLessThan(40);
                long t0 = System.nanoTime();
                r = h.put("alice", "alice-5.test", "cut", "A", 300, "192.0.2.51");
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(r.status()).as(r.toString()).isEqualTo(503);
                if (r.body().contains("circuit breaker 'store' open")) {
                    break;
                }
                assertThat(r.body()).contains("database is unavailable");
                beforeOpen.add(took);
            }
            assertThat(beforeOpen).as("failures before it opened").isNotEmpty().allSatisfy(d -> assertThat(d).isLessThan(Duration.ofSeconds(4)));
            // Open: refused at once, saying why; the breaker's state is on the metrics endpoint (which needs no database).
            long t0 = System.nanoTime();
            r = h.put("alice", "alice-5.test", "cut", "A", 300, "192.0.2.52");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body()).contains("circuit breaker 'store' open").contains("nothing was changed");
            assertThat(h.call(null, "GET", "/actuator/prometheus", null).body())
                    .containsPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"store\"[^}]*state=\"open\"[^}]*\\} 1\\.0");
        } finally {
            h.dbProxy.restore();
        }
        // Back: after the breaker's wait, trial calls get through and close it; the write lands on both sides.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            Thread.sleep(250);
            r = h.put("alice", "alice-5.test", "cut", "A", 300, "192.0.2.53");
        } while (r.status() != 200 && System.nanoTime() < deadline);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(h.legacy("alice-5.test", "cut.alice-5.test.", "A")).isEqualTo("300 192.0.2.53");
        assertThat(h.stored("alice-5.test", "cut.alice-5.test.", "A")).isEqualTo("300 192.0.2.53");
        assertThat(meters.get("resilience4j.circuitbreaker.state").tags("name", "store", "state", "closed").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void metersCountWritesPerModeAndOutcomeWithTheirLatency() throws Exception {
        Map<String, Double> before = new java.util.HashMap<>();
        for (String key : List.of("LEGACY_ONLY/written", "CONCURRENT/written", "SYNCHRONOUS/written", "SYNCHRONOUS/conflict", "SYNCHRONOUS/invalid")) {
            before.put(key, (double) requests(key).map(Timer::count).orElse(0L));
        }
        double appliedBefore = counter("dnsmig.dualwrite.queue.applied");
        int k = 0;
        for (WriteMode m : List.of(WriteMode.LEGACY_ONLY, WriteMode.CONCURRENT, WriteMode.SYNCHRONOUS)) {
            h.mode(m);
            for (int i = 0; i < 3; i++) {
                var r = h.put("alice", "alice-0.test", "metered" + k++, "A", 300, "192.0.2." + k);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
            }
        }
        // SYNCHRONOUS: the store's zone rules refuse a CNAME beside other data (422); creating what exists is a conflict (409).
        assertThat(h.put("alice", "alice-0.test", "www", "CNAME", 300, "mail").status()).isEqualTo(422);
        assertThat(h.call(h.ownerTokens.get("alice"), "POST", "/v1/zones/alice-0.test/rrsets", "{\"name\":\"www\",\"type\":\"A\",\"ttl\":300,"
                + "\"records\":[\"192.0.2.9\"]}").status()).isEqualTo(409);

        Map<String, Integer> expected = Map.of("LEGACY_ONLY/written", 3, "CONCURRENT/written", 3, "SYNCHRONOUS/written", 3, "SYNCHRONOUS/conflict", 1,
                "SYNCHRONOUS/invalid", 1);
        String prometheus = h.call(null, "GET", "/actuator/prometheus", null).body();
        for (var e : expected.entrySet()) {
            Timer t = requests(e.getKey()).orElseThrow(() -> new AssertionError("no timer for " + e.getKey()));
            assertThat(t.count() - before.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue().doubleValue());
            assertThat(t.max(TimeUnit.NANOSECONDS)).as("latency of " + e.getKey()).isPositive();
            assertThat(t.totalTime(TimeUnit.NANOSECONDS)).isPositive();
            String[] mo = e.getKey().split("/");
            Matcher count = Pattern.compile("dnsmig_dualwrite_requests_seconds_count\\{(?=[^}]*mode=\"" + mo[0] + "\")(?=[^}]*outcome=\"" + mo[1]
                    + "\")[^}]*\\} ([0-9.]+)").matcher(prometheus);
            assertThat(count.find()).as("%s on /actuator/prometheus", e.getKey()).isTrue();
            assertThat(Double.parseDouble(count.group(1))).isEqualTo((double) t.count());
        }
        assertThat(prometheus).as("latency histogram").containsPattern("dnsmig_dualwrite_requests_seconds_bucket\\{(?=[^}]*mode=\"SYNCHRONOUS\")"
                + "(?=[^}]*outcome=\"written\")[^}]*\\} [1-9]");
        // The concurrent-mode writes reach the store through the applier, which counts them.
        for (int i = 0; i < 20 && !h.store.queued("alice-0.test.", 1).isEmpty(); i++) {
            applier.drainOnce();
        }
        assertThat(counter("dnsmig.dualwrite.queue.applied") - appliedBefore).isEqualTo(3.0);
    }

    @Test
    void aQueuedChangeTheApplierCannotReadHoldsUpNoOtherZoneAndEndsInTheDivergenceList() throws Exception {
        long unreadable = h.store.enqueue("alice-2.test.", null, "bad.alice-2.test.", "A", "", "192.0.2.2");
        h.store.markQueued(unreadable, "pending", null, Duration.ZERO);
        long fine = h.store.enqueue("alice-3.test.", null, "fine.alice-3.test.", "A", "", "300 192.0.2.3");
        h.store.markQueued(fine, "pending", null, Duration.ZERO);
        for (int i = 0; i < 50 && h.store.queuedChange(unreadable).orElseThrow().state().equals("pending"); i++) {
            applier.drainOnce();
            Thread.sleep(100); // its retries back off
        }
        assertThat(h.store.queuedChange(fine).orElseThrow().state()).isEqualTo("applied");
        assertThat(h.stored("alice-3.test", "fine.alice-3.test.", "A")).isEqualTo("300 192.0.2.3");
        assertThat(h.store.queuedChange(unreadable).orElseThrow().state()).isEqualTo("diverged");
        var d = h.store.divergences(new dnsmig.store.DualWriteStore.DivergenceFilter("alice-2.test", null, "dual-write", null, false, 10));
        assertThat(d).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("store-failed");
            assertThat(e.changeId()).isEqualTo(unreadable);
            assertThat(e.detail()).contains("not a 'TTL rdata' line");
        });
    }

    private static java.util.Optional<Timer> requests(String modeOutcome) {
        String[] mo = modeOutcome.split("/");
        return java.util.Optional.ofNullable(meters.find("dnsmig.dualwrite.requests").tags("mode", mo[0], "outcome", mo[1]).timer());
    }

    private static double counter(String name) {
        var c = meters.find(name).counter();
        return c == null ? 0 : c.count();
    }
}
