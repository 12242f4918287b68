package dnsmig.verify.replay;

import dnsmig.verify.compare.Observation;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks one DNS server, asynchronously: one UDP socket connected to the server, a random free
 * message ID per query, one thread receiving (responses are matched by ID and question), one
 * thread expiring queries that got no answer within the timeout. A truncated response (TC) is
 * asked again over TCP on the given pool. The sockets' local ports are known, so a tap of the
 * server can leave the verifier's own queries out ({@link #isOwn}).
 */
public final class Asker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Asker.class);

    private final String label;
    private final InetSocketAddress target;
    private final long timeoutNanos;
    private final ExecutorService tcpPool;
    private final DatagramChannel channel;
    private final int localPort;
    private final AtomicReferenceArray<Pending> pending = new AtomicReferenceArray<>(65536);
    private final ConcurrentLinkedQueue<Pending> order = new ConcurrentLinkedQueue<>();
    private final Map<Integer, Long> tcpPorts = new ConcurrentHashMap<>();
    private final Thread receiver;
    private final Thread expirer;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong strays = new AtomicLong();
    private volatile boolean closed;

    private record Pending(int id, byte[] query, int questionEnd, long deadline, long start, CompletableFuture<Observation> result) {}

    public Asker(String label, InetSocketAddress target, Duration timeout, ExecutorService tcpPool) throws IOException {
        this.label = label;
        this.target = target;
        this.timeoutNanos = timeout.toNanos();
        this.tcpPool = tcpPool;
        this.channel = DatagramChannel.open(target.getAddress() instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 1 << 20);
        channel.connect(target);
        this.localPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        this.receiver = Thread.ofPlatform().daemon().name("ask-" + label + "-rx").start(this::receive);
        this.expirer = Thread.ofPlatform().daemon().name("ask-" + label + "-timeouts").start(this::expire);
    }

    public InetSocketAddress target() {
        return target;
    }

    /** True when a query from this source port is one of ours (UDP, or a TCP retry of the last minute). */
    public boolean isOwn(int sourcePort) {
        if (sourcePort == localPort) {
            return true;
        }
        Long until = tcpPorts.get(sourcePort);
        return until != null && until > System.nanoTime();
    }

    public long sent() {
        return sent.get();
    }

    public long timeouts() {
        return timeouts.get();
    }

    /** Sends {@code query} (a DNS message; its ID is replaced) and completes with the answer or the failure. */
    public CompletableFuture<Observation> ask(byte[] query) {
        CompletableFuture<Observation> f = new CompletableFuture<>();
        if (closed) {
            f.complete(new Observation.Failed(label + ": the verifier is stopping", false, 0));
            return f;
        }
        byte[] q = query.clone();
        int qend = questionEnd(q);
        long now = System.nanoTime();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Pending p = null;
        for (int tries = 0; tries < 64; tries++) {
            int id = rnd.nextInt(65536);
            Pending candidate = new Pending(id, q, qend, now + timeoutNanos, now, f);
            if (pending.compareAndSet(id, null, candidate)) {
                p = candidate;
                break;
            }
        }
        if (p == null) {
            f.complete(new Observation.Failed(label + ": no free message ID (too many queries in flight)", false, 0));
            return f;
        }
        q[0] = (byte) (p.id >> 8);
        q[1] = (byte) p.id;
        order.add(p);
        try {
            channel.write(ByteBuffer.wrap(q));
            sent.incrementAndGet();
        } catch (IOException e) {
            if (pending.compareAndSet(p.id, p, null)) {
                f.complete(new Observation.Failed(label + ": cannot send to " + target + ": " + e.getMessage(), false, System.nanoTime() - now));
            }
        }
        return f;
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65535);
        while (!closed) {
            try {
                buf.clear();
                channel.read(buf);
                buf.flip();
                if (buf.remaining() < 12) {
                    strays.incrementAndGet();
                    continue;
                }
                byte[] r = new byte[buf.remaining()];
                buf.get(r);
                int id = ((r[0] & 0xff) << 8) | (r[1] & 0xff);
                Pending p = pending.get(id);
                if (p == null || !sameQuestion(p, r) || !pending.compareAndSet(id, p, null)) {
                    strays.incrementAndGet();
                    continue;
                }
                if ((r[2] & 0x02) != 0) { // TC: ask again over TCP (RFC 7766)
                    tcpPool.execute(() -> overTcp(p));
                } else {
                    p.result.complete(new Observation.Answered(r, System.nanoTime() - p.start));
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // ICMP port unreachable and the like: the query times out
                if (!closed) {
                    log.debug("{}: receive error: {}", label, e.toString());
                }
            }
        }
    }

    private void overTcp(Pending p) {
        long left = Math.max(1_000_000, p.deadline + timeoutNanos - System.nanoTime());
        try (Socket s = new Socket()) {
            s.connect(target, (int) Math.max(1, left / 1_000_000));
            tcpPorts.put(s.getLocalPort(), System.nanoTime() + 60_000_000_000L);
            s.setSoTimeout((int) Math.max(1, left / 1_000_000));
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(p.query.length);
            out.write(p.query);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int len = in.readUnsignedShort();
            byte[] r = in.readNBytes(len);
            if (r.length != len) {
                throw new IOException("connection closed mid-response");
            }
            p.result.complete(new Observation.Answered(r, System.nanoTime() - p.start));
        } catch (java.net.SocketTimeoutException e) {
            timeouts.incrementAndGet();
            p.result.complete(new Observation.Failed(label + ": timeout over TCP after TC", true, System.nanoTime() - p.start));
        } catch (IOException e) {
            p.result.complete(new Observation.Failed(label + ": TCP retry failed: " + e.getMessage(), false, System.nanoTime() - p.start));
        }
        if (tcpPorts.size() > 10_000) {
            long now = System.nanoTime();
            tcpPorts.values().removeIf(until -> until < now);
        }
    }

    private void expire() {
        while (!closed) {
            long now = System.nanoTime();
            Pending p;
            while ((p = order.peek()) != null && (p.result.isDone() || p.deadline <= now)) {
                order.poll();
                if (!p.result.isDone() && pending.compareAndSet(p.id, p, null)) {
                    timeouts.incrementAndGet();
                    p.result.complete(new Observation.Failed(label + ": no answer within " + timeoutNanos / 1_000_000 + " ms", true, now - p.start));
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The response's question (bytes 12..end of question) equals the query's, ignoring ASCII case. */
    private static boolean sameQuestion(Pending p, byte[] r) {
        int end = p.questionEnd;
        if (r.length < end || r[4] != p.query[4] || r[5] != p.query[5]) {
            return false;
        }
        for (int i = 12; i < end; i++) {
            if (r[i] != p.query[i] && Character.toLowerCase(r[i]) != Character.toLowerCase(p.query[i])) {
                return false;
            }
        }
        return true;
    }

    /** Offset just past the first question (name, type, class) of a query we built. */
    private static int questionEnd(byte[] q) {
        int i = 12;
        while (i < q.length && q[i] != 0) {
            i += (q[i] & 0xff) + 1;
        }
        return Math.min(q.length, i + 5);
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
        expirer.interrupt();
        try {
            receiver.join(2000);
            expirer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (int i = 0; i < 65536; i++) {
            Pending p = pending.getAndSet(i, null);
            if (p != null) {
                p.result.complete(new Observation.Failed(label + ": the verifier stopped", false, 0));
            }
        }
    }

    @Override
    public String toString() {
        return label + "@" + target + " (" + Arrays.toString(new long[] {sent.get(), timeouts.get(), strays.get()}) + ")";
    }
}
