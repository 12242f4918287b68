package dnsmig.server.tap;

import com.google.protobuf.ByteString;
import dnsmig.server.query.Query;
import dnsmig.server.query.QueryHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dnstap tap (https://dnstap.info/): every sampled query and its response become an
 * AUTH_QUERY and an AUTH_RESPONSE message, written as Frame Streams to a file or to a
 * collector's unix socket; BIND's {@code dnstap-read} decodes either.
 *
 * <p>The event loop never waits for the tap: {@link #answered} copies the two messages into a
 * bounded queue, or counts them in {@code dns.dnstap.dropped} when the queue is full, and one
 * writer thread encodes and writes. A query is sampled with probability {@code sampleRate},
 * and its response with it (both messages or neither). A socket collector that is absent,
 * goes away or stops reading is retried with a doubling backoff; meanwhile the queue fills
 * and further queries are dropped (counted). Close it after the server stops answering:
 * what is queued is written, then the stream is ended (STOP).
 */
public final class DnstapTap implements QueryHandler.Observer, AutoCloseable {

    /** The Frame Streams content type of dnstap, as BIND and every collector expect it. */
    public static final String CONTENT_TYPE = "protobuf:dnstap.Dnstap";

    /** The version string written in every message. */
    public static final String VERSION = "dnsmig";

    private static final Logger log = LoggerFactory.getLogger(DnstapTap.class);
    private static final int BATCH_BYTES = 64 * 1024;
    /** Wakes the writer at close; never written. */
    private static final Exchange END = new Exchange(new byte[0], new byte[0], false, null, null, Instant.EPOCH, Instant.EPOCH);

    /**
     * @param identity the nameserver's name (ns1, ...): the dnstap identity and the metrics' tag
     * @param sampleRate the probability that a query (with its response) is tapped, 0 to 1
     * @param queueCapacity queries waiting for the writer; beyond that they are dropped
     * @param flushEvery how long written frames may wait in the writer's buffer
     * @param ioTimeout how long a socket collector may take to answer or to read before it counts as gone
     * @param reconnectMin the first wait before reconnecting to a socket collector, doubled up to {@code reconnectMax}
     */
    public record Settings(String identity, double sampleRate, int queueCapacity, Duration flushEvery, Duration ioTimeout, Duration reconnectMin,
            Duration reconnectMax) {

        public Settings {
            if (identity == null || identity.isBlank()) {
                throw new IllegalArgumentException("dnstap: the identity (nameserver name) is missing");
            }
            if (!(sampleRate >= 0 && sampleRate <= 1)) {
                throw new IllegalArgumentException("dnstap: the sample rate is a probability from 0 to 1, got " + sampleRate);
            }
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("dnstap: the queue holds at least one query");
            }
            for (Duration d : new Duration[] {flushEvery, ioTimeout, reconnectMin, reconnectMax}) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("dnstap: durations must be positive");
                }
            }
        }

        /** A queue of 10,000 queries, flushed every second; a socket collector gets 5 s to read, reconnects from 0.1 s to 10 s apart. */
        public static Settings of(String identity, double sampleRate) {
            return new Settings(identity, sampleRate, 10_000, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(10));
        }
    }

    private final Output output;
    private final Settings settings;
    private final DoubleSupplier random;
    private final InstantSource clock;
    private final BlockingQueue<Exchange> queue;
    private final Counter dropped;
    private final Counter written;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread writer;
    private volatile boolean closed;

    /** Taps into a file (replaced if it exists), opened now so that a bad path fails at start. */
    public static DnstapTap toFile(Path file, Settings settings, MeterRegistry registry) throws IOException {
        return toFile(file, settings, registry, () -> ThreadLocalRandom.current().nextDouble(), InstantSource.system());
    }

    /** As {@link #toFile(Path, Settings, MeterRegistry)}, with the sampling draws and the clock given (tests). */
    static DnstapTap toFile(Path file, Settings settings, MeterRegistry registry, DoubleSupplier random, InstantSource clock) throws IOException {
        FileOutput out = new FileOutput(file);
        out.open();
        return new DnstapTap(out, true, settings, registry, random, clock);
    }

    /** Taps into a collector's unix socket; connects in the background, so the collector may start later. */
    public static DnstapTap toSocket(Path socket, Settings settings, MeterRegistry registry) {
        return new DnstapTap(new SocketOutput(socket, settings.ioTimeout()), false, settings, registry, () -> ThreadLocalRandom.current().nextDouble(),
                InstantSource.system());
    }

    /**
     * @param opened whether {@code output} is open already (else the writer opens it)
     * @param random the sampling draws, uniform in [0, 1); called on the event loops
     */
    DnstapTap(Output output, boolean opened, Settings settings, MeterRegistry registry, DoubleSupplier random, InstantSource clock) {
        this.output = output;
        this.settings = settings;
        this.random = random;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.dropped = Counter.builder("dns.dnstap.dropped").description("sampled queries whose dnstap messages were not written (queue full, collector gone)")
                .tag("nameserver", settings.identity()).register(registry);
        this.written = Counter.builder("dns.dnstap.written").description("queries written to dnstap (an AUTH_QUERY and an AUTH_RESPONSE each)")
                .tag("nameserver", settings.identity()).register(registry);
        Gauge.builder("dns.dnstap.queue", queue, BlockingQueue::size).description("queries waiting for the dnstap writer")
                .tag("nameserver", settings.identity()).register(registry);
        this.writer = Thread.ofPlatform().daemon().name("dnstap-" + settings.identity()).unstarted(new Writer(opened));
        writer.start();
    }

    @Override
    public void answered(byte[] query, int queryLength, byte[] response, Query q, int rcode, boolean tcp, InetSocketAddress client,
            InetSocketAddress server, long nanos) {
        if (closed || response == null) {
            return;
        }
        double rate = settings.sampleRate();
        if (rate < 1 && !(random.getAsDouble() < rate)) {
            return;
        }
        Instant sent = clock.instant();
        Exchange x = new Exchange(Arrays.copyOf(query, queryLength), response.clone(), tcp, client, server, sent.minusNanos(nanos), sent);
        if (!queue.offer(x)) {
            dropped.increment();
        }
    }

    /**
     * Stops taking queries, writes what is queued and ends the stream. Bounded: a writer still
     * busy after the collector's timeout (twice) is interrupted.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.offer(END); // wakes the writer if it waits for work; a full queue keeps it busy anyway
        closing.countDown(); // wakes it if it waits to reconnect
        try {
            writer.join(settings.ioTimeout().multipliedBy(2).plus(settings.flushEvery()).plusSeconds(1).toMillis());
            if (writer.isAlive()) {
                log.warn("dnstap: the writer to {} did not finish in time; stopping it", output.describe());
                writer.interrupt();
                writer.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The writer thread's loop and state: open or not, frames waiting in the batch. */
    private final class Writer implements Runnable {

        private final ByteString identity = ByteString.copyFromUtf8(settings.identity());
        private final ByteString version = ByteString.copyFromUtf8(VERSION);
        private final ByteBuffer batch = ByteBuffer.allocate(BATCH_BYTES);
        private final long flushNanos = settings.flushEvery().toNanos();
        private int pending;
        private boolean open;
        private boolean failed;
        private boolean everOpen;
        private boolean outageLogged;
        private Duration backoff = settings.reconnectMin();

        Writer(boolean opened) {
            this.open = opened;
            this.everOpen = opened;
        }

        @Override
        public void run() {
            long nextFlush = System.nanoTime() + flushNanos;
            try {
                while (true) {
                    if (!open && !failed) {
                        if (closed) {
                            break;
                        }
                        if (!connect()) {
                            continue;
                        }
                    }
                    Exchange x = queue.poll(flushNanos, TimeUnit.NANOSECONDS);
                    if (x == END || (x == null && closed)) {
                        break;
                    }
                    if (x != null) {
                        add(x);
                    }
                    long now = System.nanoTime();
                    if (now - nextFlush >= 0) {
                        flush();
                        nextFlush = now + flushNanos;
                    }
                }
                end();
            } catch (InterruptedException e) {
                output.abort();
                log.warn("dnstap: writer to {} interrupted; the stream was not ended", output.describe());
            } catch (RuntimeException e) {
                output.abort();
                log.error("dnstap: writer to {} failed; no more queries are tapped", output.describe(), e);
            }
        }

        /** One attempt to open; false after waiting out the backoff (or when the output cannot come back). */
        private boolean connect() throws InterruptedException {
            try {
                output.open();
                open = true;
                backoff = settings.reconnectMin();
                if (outageLogged || !everOpen) {
                    log.info("dnstap: writing to {}", output.describe());
                }
                everOpen = true;
                outageLogged = false;
                return true;
            } catch (IOException e) {
                if (!output.reconnects()) {
                    failed = true;
                    log.error("dnstap: cannot open {}: {}; no more queries are tapped", output.describe(), e.toString());
                    return false;
                }
                if (!outageLogged) {
                    log.warn("dnstap: cannot reach the collector at {} ({}); retrying, up to every {} ms; queries beyond the queue are dropped",
                            output.describe(), e.getMessage(), settings.reconnectMax().toMillis());
                    outageLogged = true;
                } else {
                    log.debug("dnstap: {} still unreachable: {}", output.describe(), e.toString());
                }
                closing.await(backoff.toNanos(), TimeUnit.NANOSECONDS);
                backoff = backoff.multipliedBy(2).compareTo(settings.reconnectMax()) > 0 ? settings.reconnectMax() : backoff.multipliedBy(2);
                return false;
            }
        }

        /** Encodes one exchange into the batch, writing the batch first when it is too full. */
        private void add(Exchange x) {
            if (failed || !open) {
                dropped.increment();
                return;
            }
            byte[] q = x.authQuery(identity, version).toByteArray();
            byte[] r = x.authResponse(identity, version).toByteArray();
            int need = FrameStreams.dataFrameLength(q.length) + FrameStreams.dataFrameLength(r.length);
            if (need > batch.remaining()) {
                flush();
                if (!open) {
                    dropped.increment();
                    return;
                }
            }
            if (need > batch.capacity()) { // a large TCP response: a buffer of its own
                ByteBuffer big = ByteBuffer.allocate(need);
                FrameStreams.putData(big, q);
                FrameStreams.putData(big, r);
                writeOrDrop(big.flip(), 1);
                return;
            }
            FrameStreams.putData(batch, q);
            FrameStreams.putData(batch, r);
            pending++;
        }

        private void flush() {
            if (pending == 0 || !open) {
                return;
            }
            batch.flip();
            int n = pending;
            pending = 0;
            writeOrDrop(batch, n);
            batch.clear();
        }

        private void writeOrDrop(ByteBuffer frames, int exchanges) {
            try {
                output.write(frames);
                written.increment(exchanges);
            } catch (IOException e) {
                dropped.increment(exchanges);
                output.abort();
                open = false;
                if (output.reconnects()) {
                    log.warn("dnstap: lost the collector at {} ({}); reconnecting", output.describe(), e.getMessage());
                    outageLogged = true;
                } else {
                    failed = true;
                    log.error("dnstap: writing {} failed: {}; no more queries are tapped", output.describe(), e.toString());
                }
            }
        }

        /** At close: what is queued is written (or counted as dropped), then STOP. */
        private void end() {
            for (Exchange x; (x = queue.poll()) != null;) {
                if (x != END) {
                    add(x);
                }
            }
            flush();
            if (!open) {
                return;
            }
            try {
                output.finish();
            } catch (IOException e) {
                log.warn("dnstap: ending the stream to {} failed: {}", output.describe(), e.toString());
            }
            open = false;
        }
    }
}
