package dnsmig.verify;

import static dnsmig.store.jooq.Tables.VERIFY_FINDING;
import static dnsmig.store.jooq.Tables.VERIFY_WINDOW;
import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.verify.compare.Comparison;
import dnsmig.verify.compare.IgnoreRules;
import dnsmig.verify.replay.Replayer;
import dnsmig.verify.source.DnstapSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * The acceptance test: named (legacy) streams dnstap of client traffic into the verifier over
 * its unix socket; dns-server (new) serves the same backfilled zones with differences planted
 * here. Every planted difference is confirmed, nothing else is (at least 50,000 queries
 * compared), and a write that lands on the legacy side a moment before the new one is counted
 * transient, not confirmed.
 */
class EndToEndTest {

    /** The planted differences: (qname, qtype) → the category that must be among its findings. */
    static final Map<String, String> PLANTED = Map.of(
            "h5.a.example.|A", "rdata",     // other address
            "h6.a.example.|A", "ttl",       // other TTL
            "h9.b.example.|AAAA", "missing", // AAAA not backfilled
            "extra.b.example.|A", "rcode");  // only on the new side: NOERROR against NXDOMAIN

    static Map<String, String> plant(Map<String, String> zones) {
        zones.compute("a.example.", (z, t) -> t.replace("h5 A 192.0.2.8\n", "h5 A 198.51.100.5\n").replace("h6 A 192.0.2.9\n", "h6 600 A 192.0.2.9\n"));
        zones.compute("b.example.", (z, t) -> t.replace("h9 AAAA 2001:db8::9\n", "") + "extra A 203.0.113.7\n");
        return zones;
    }

    @Test
    void plantedDifferencesConfirmedNoFalsePositivesAndALiveWriteIsTransient(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("tap.sock");
        try (DnstapSource source = DnstapSource.socket(socket, null); TwoSides sides = new TwoSides(EndToEndTest::plant, socket)) {
            assertThat(sides.legacyText.get("a.example.")).contains("h5 A 192.0.2.8\n", "h6 A 192.0.2.9\n");
            assertThat(sides.legacyText.get("b.example.")).contains("h9 AAAA 2001:db8::9\n");
            Replayer.Settings settings = new Replayer.Settings(sides.legacy(), sides.neu(), Duration.ofSeconds(2), 0, 200, Duration.ZERO, 1.0,
                    Duration.ofMillis(1500), new Comparison(IgnoreRules.defaults(), 0), Duration.ofMinutes(1), Duration.ofSeconds(2));
            try (Replayer replayer = new Replayer(settings, sides.verifyStore, dnsmig.verify.store.ZoneDirectory.of(sides.verifyStore), new SimpleMeterRegistry(), Clock.systemUTC())) {
                VerifyRun run = new VerifyRun(source, replayer, 0);
                AtomicReference<Object> result = new AtomicReference<>();
                Thread runner = Thread.ofPlatform().name("verify-run").start(() -> {
                    try {
                        result.set(run.run(Duration.ofSeconds(30)));
                    } catch (Exception e) {
                        result.set(e);
                    }
                });

                List<byte[]> mix = new ArrayList<>(Load.mix(List.of("a.example.", "b.example.", "c.example."), TwoSides.HOSTS, 42));
                Random rnd = new Random(7);
                for (String planted : PLANTED.keySet()) {
                    String[] p = planted.split("\\|");
                    for (int i = 0; i < 5; i++) {
                        mix.add(Load.query(p[0], Type.value(p[1]), rnd));
                    }
                }
                // The live write: once 40% of the queries were compared, live.c.example. A is added to
                // the legacy zone (RFC 2136, as dual writes send it) and 400 ms later to the store;
                // live.c.example. is asked in every 20th query from then on.
                AtomicLong sentCount = new AtomicLong();
                AtomicReference<Thread> writer = new AtomicReference<>();
                byte[] liveQuery = Load.query("live.c.example.", Type.A, rnd);
                long target = 50_000;
                long sent = Load.run(sides.legacy(), mix, () -> {
                    long n = sentCount.incrementAndGet();
                    if (writer.get() == null && replayer.totals().compared() > target * 4 / 10) {
                        writer.set(Thread.ofPlatform().start(() -> liveWrite(sides)));
                    }
                    return writer.get() != null && n % 20 == 0 ? liveQuery.clone() : null;
                }, 3_000, () -> replayer.totals().compared() >= target + 500, 90);
                Thread.sleep(300); // the last frames reach the verifier
                source.stop();
                runner.join(60_000);
                writer.get().join(10_000);
                assertThat(result.get()).isInstanceOf(Replayer.Totals.class);
                Replayer.Totals t = (Replayer.Totals) result.get();
                System.out.println("sent " + sent + " client queries; " + t.text() + "; own queries left out: " + run.ownQueries());

                assertThat(t.compared()).isGreaterThanOrEqualTo(target);
                // named taps the verifier's own queries too; replayed again, they would never end.
                assertThat(run.ownQueries()).as("the verifier's own queries seen by the tap").isPositive();
                assertThat(t.compared()).as("only client queries are replayed").isLessThanOrEqualTo(sent);
                assertThat(t.transientCount()).as("the live write, seen on one side for a moment").isGreaterThanOrEqualTo(1);

                // The findings are exactly the planted differences.
                var rows = sides.dsl.selectFrom(VERIFY_FINDING).fetch();
                Set<String> found = new TreeSet<>();
                Set<String> categories = new TreeSet<>();
                for (var r : rows) {
                    found.add(r.getQname() + "|" + r.getQtype());
                    categories.add(r.getQname() + "|" + r.getQtype() + "|" + r.getCategory());
                    assertThat(r.getState()).isEqualTo("open");
                    assertThat(r.getOwnerId()).isEqualTo(sides.owners.get(TwoSides.OWNERS.get(r.getZoneName())));
                    assertThat(r.getNameserver()).isEqualTo("ns1");
                }
                assertThat(found).as("confirmed (qname, qtype): the planted ones and nothing else; categories " + categories)
                        .isEqualTo(new TreeSet<>(PLANTED.keySet()));
                PLANTED.forEach((k, category) -> assertThat(categories).contains(k + "|" + category));
                assertThat(found).doesNotContain("live.c.example.|A");

                // The windows: every compared query counted for ns1, the confirmed ones among them.
                var all = sides.dsl.selectFrom(VERIFY_WINDOW).where(VERIFY_WINDOW.NAMESERVER.eq("ns1"), VERIFY_WINDOW.ZONE_NAME.isNull()).fetch();
                assertThat(all.stream().mapToLong(r -> r.getCompared()).sum()).isEqualTo(t.compared());
                assertThat(all.stream().mapToLong(r -> r.getMatched()).sum()).isEqualTo(t.matched());
                assertThat(all.stream().mapToLong(r -> r.getConfirmed()).sum()).isEqualTo(t.confirmed()).isGreaterThanOrEqualTo(PLANTED.size());
                assertThat(all.stream().mapToLong(r -> r.getTransient()).sum()).isEqualTo(t.transientCount());
                var c = sides.dsl.selectFrom(VERIFY_WINDOW).where(VERIFY_WINDOW.NAMESERVER.eq("ns1"), VERIFY_WINDOW.ZONE_NAME.eq("c.example.")).fetch();
                assertThat(c.stream().mapToLong(r -> r.getConfirmed()).sum()).isZero();
                assertThat(c.stream().mapToLong(r -> r.getTransient()).sum()).isGreaterThanOrEqualTo(1);
            }
        }
    }

    /** live.c.example. A: to named by a TSIG-signed UPDATE, then 400 ms later to the store (serial + 1 on both). */
    static void liveWrite(TwoSides sides) {
        try {
            Update u = new Update(Name.fromString("c.example."));
            u.add(Record.fromString(Name.fromString("live.c.example."), Type.A, org.xbill.DNS.DClass.IN, 300, "192.0.2.200", Name.root));
            SimpleResolver r = new SimpleResolver(sides.legacy());
            r.setTSIGKey(new TSIG(TSIG.HMAC_SHA256, sides.named.keyName(), sides.named.keySecret()));
            r.setTimeout(Duration.ofSeconds(5));
            var resp = r.send(u);
            if (resp.getRcode() != 0) {
                throw new IllegalStateException("UPDATE refused: " + resp);
            }
            Thread.sleep(400);
            sides.importZone("c.example.", TwoSides.zoneText("c.example.", 1001) + "live A 192.0.2.200\n");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
