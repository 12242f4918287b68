package dnsmig.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.server.NameServer;
import dnsmig.server.tap.DnstapTap;
import dnsmig.server.xfr.TransferPolicy;
import dnsmig.testkit.DnsClient;
import dnsmig.verify.source.DnstapSource;
import dnsmig.verify.source.Query;
import dnsmig.verify.source.QueryLogSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

/**
 * The verifier's dnstap socket takes dns-server's tap as well as BIND's (once a nameserver is cut
 * over, its own traffic is what is replayed), with the nameserver from the tap's identity; and a
 * followed query log survives rotation.
 */
class DnsServerTapTest {

    @Test
    void dnsServerStreamsItsQueriesToTheVerifiersSocket(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("tap.sock");
        try (TwoSides sides = new TwoSides(z -> z, null); DnstapSource source = DnstapSource.socket(socket, null)) {
            List<Query> got = new CopyOnWriteArrayList<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    source.run((q, port) -> got.add(q));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            DnstapTap tap = DnstapTap.toSocket(socket, DnstapTap.Settings.of("ns2", 1.0), new SimpleMeterRegistry());
            try (NameServer ns2 = NameServer.start(new NameServer.Settings("ns2", List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 1000, 16,
                    Duration.ofSeconds(10), TransferPolicy.NOBODY, Duration.ofMillis(500)), sides.dataSource, new SimpleMeterRegistry(), tap)) {
                Random rnd = new Random(1);
                for (int i = 1; i <= 20; i++) {
                    assertThat(DnsClient.udp(ns2.udpAddresses().get(0), Load.query("h" + i + ".b.example.", Type.A, rnd), Duration.ofSeconds(2))).isNotNull();
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (got.size() < 20 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
            } finally {
                tap.close();
            }
            source.stop();
            reader.join(5000);
            assertThat(got).hasSize(20);
            assertThat(got).allSatisfy(q -> assertThat(q.nameserver()).isEqualTo("ns2"));
            assertThat(got.get(0).name().toString().toLowerCase()).isEqualTo("h1.b.example.");
            assertThat(source.connections()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aFollowedQueryLogIsReadAcrossRotation(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("query.log");
        String line = "22-Nov-2026 06:01:02.123 client @0x7f 192.0.2.9#5341%d (x): query: h%d.example.com IN A -E(0) (192.0.2.53)\n";
        Files.writeString(log, String.format(line, 1, 1));
        QueryLogSource src = new QueryLogSource(log, true, "ns1");
        List<Query> got = new CopyOnWriteArrayList<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                src.run((q, p) -> got.add(q));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await(got, 1);
        Files.writeString(log, String.format(line, 2, 2), java.nio.file.StandardOpenOption.APPEND); // grows
        await(got, 2);
        Files.move(log, tmp.resolve("query.log.0")); // rotated: a new file takes the name
        Files.writeString(log, String.format(line, 3, 3) + String.format(line, 4, 4));
        await(got, 4);
        src.stop();
        t.join(5000);
        assertThat(got).extracting(q -> q.name().toString()).containsExactly("h1.example.com.", "h2.example.com.", "h3.example.com.", "h4.example.com.");
    }

    static void await(List<Query> got, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(got).hasSize(n);
    }
}
