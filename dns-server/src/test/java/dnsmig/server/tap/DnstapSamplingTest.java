package dnsmig.server.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dnsmig.server.tap.pb.Dnstap;
import dnsmig.server.tap.pb.Message;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sampling: each query is tapped with the given probability, together with its response. The
 * draws come from a seeded generator, so the counts are the same on every run.
 */
class DnstapSamplingTest {

    static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 53);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "rate {0}: {2} to {3} of {1} queries")
    @CsvSource({
            "0,    1000, 0,    0",     // nothing
            "1,    1000, 1000, 1000",  // everything
            "0.5,  2000, 900,  1100",  // about half (binomial: sd 22)
            "0.01, 5000, 25,   75"})   // about 50
    void tapsEachQueryWithTheRateAsProbability(double rate, int queries, int atLeast, int atMost) throws Exception {
        Path file = dir.resolve("sampled.dnstap");
        SplittableRandom random = new SplittableRandom(20240611);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DnstapTap tap = DnstapTap.toFile(file, new DnstapTap.Settings("ns1", rate, queries, Duration.ofMillis(50),
                Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(500)), registry, random::nextDouble,
                InstantSource.fixed(Instant.parse("2026-01-02T03:04:05.123456789Z")));
        for (int id = 0; id < queries; id++) {
            byte[] query = query(id);
            tap.answered(query, query.length, response(query), null, 0, id % 2 == 0, CLIENT, SERVER, 25_000);
        }
        tap.close();

        List<Dnstap> messages = FrameReader.messages(FrameReader.readAll(file));
        assertThat(messages).hasSizeBetween(2 * atLeast, 2 * atMost).hasSize(messages.size() / 2 * 2);
        for (int i = 0; i < messages.size(); i += 2) { // each sampled query is followed by its own response
            Message q = messages.get(i).getMessage();
            Message r = messages.get(i + 1).getMessage();
            assertThat(q.getType()).isEqualTo(Message.Type.AUTH_QUERY);
            assertThat(r.getType()).isEqualTo(Message.Type.AUTH_RESPONSE);
            assertThat(r.getResponseMessage().substring(0, 2)).isEqualTo(q.getQueryMessage().substring(0, 2));
            assertThat(r.getResponseTimeSec()).isEqualTo(1767323045L);
            assertThat(r.getResponseTimeNsec()).isEqualTo(123_456_789);
            assertThat(q.getQueryTimeNsec()).as("received 25 µs before the response").isEqualTo(123_431_789);
        }
        assertThat(registry.get("dns.dnstap.written").counter().count()).isEqualTo(messages.size() / 2);
        assertThat(registry.get("dns.dnstap.dropped").counter().count()).isZero();
    }

    @Test
    void theRateIsAProbability() {
        assertThatThrownBy(() -> DnstapTap.Settings.of("ns1", 1.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 to 1");
        assertThatThrownBy(() -> DnstapTap.Settings.of("ns1", -0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DnstapTap.Settings.of("ns1", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A query header with this ID and one question (www.example.com. A IN). */
    static byte[] query(int id) {
        byte[] name = {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
        byte[] q = new byte[12 + name.length + 4];
        q[0] = (byte) (id >> 8);
        q[1] = (byte) id;
        q[5] = 1;
        System.arraycopy(name, 0, q, 12, name.length);
        q[q.length - 3] = 1;
        q[q.length - 1] = 1;
        return q;
    }

    /** The query turned into a response header (QR, AA), no records. */
    static byte[] response(byte[] query) {
        byte[] r = query.clone();
        r[2] = (byte) 0x84;
        return r;
    }
}
