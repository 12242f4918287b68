package dnsmig.orchestrator.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

/**
 * The demo's clients: one thread per nameserver address asking the given queries round and
 * round (every fifth over TCP), one at a time with a pause between, until stopped or a bound is
 * reached. A query with no answer (matching id) within the timeout is lost; nothing is retried,
 * so a lost query is one a resolver would have had to retry.
 */
final class QueryStream implements AutoCloseable {

    record Query(Name name, int type) {}

    /** What one nameserver's clients saw. */
    record Counts(AtomicLong sent, AtomicLong answered, AtomicLong lost, AtomicLong servfail) {
        Counts() {
            this(new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong());
        }

        @Override
        public String toString() {
            return sent.get() + " sent, " + answered.get() + " answered, " + lost.get() + " lost, " + servfail.get() + " SERVFAIL";
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final Map<String, Counts> counts = new LinkedHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);

    /**
     * @param targets nameserver name → its address
     * @param pause   between two queries of one thread
     * @param max     queries per nameserver at most (the bound of the stream)
     */
    QueryStream(Map<String, InetSocketAddress> targets, List<Query> queries, Duration pause, long max) {
        if (queries.isEmpty()) {
            throw new IllegalArgumentException("no queries to stream");
        }
        targets.forEach((ns, address) -> {
            Counts c = new Counts();
            counts.put(ns, c);
            threads.add(Thread.ofPlatform().daemon().name("demo-stream-" + ns).start(() -> stream(address, queries, pause, max, c)));
        });
    }

    Map<String, Counts> counts() {
        return counts;
    }

    private void stream(InetSocketAddress to, List<Query> queries, Duration pause, long max, Counts c) {
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(to.getAddress(), 0))) {
            udp.setSoTimeout((int) TIMEOUT.toMillis());
            for (long i = 0; running.get() && i < max; i++) {
                Query q = queries.get((int) (i % queries.size()));
                c.sent().incrementAndGet();
                Message answer = i % 5 == 4 ? tcp(to, q) : udp(udp, to, q);
                if (answer == null) {
                    c.lost().incrementAndGet();
                } else {
                    c.answered().incrementAndGet();
                    if (answer.getRcode() == Rcode.SERVFAIL) {
                        c.servfail().incrementAndGet();
                    }
                }
                Thread.sleep(pause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Message query(Query q) {
        Message m = Message.newQuery(Record.newRecord(q.name(), q.type(), DClass.IN));
        m.getHeader().unsetFlag(Flags.RD);
        return m;
    }

    private static Message udp(DatagramSocket s, InetSocketAddress to, Query q) {
        Message m = query(q);
        byte[] wire = m.toWire();
        try {
            s.send(new DatagramPacket(wire, wire.length, to));
            byte[] buf = new byte[65535];
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                Message r = parse(buf, p.getLength());
                // A late answer to an earlier query (counted lost then) is skipped.
                if (r != null && r.getHeader().getID() == m.getHeader().getID()) {
                    return r;
                }
            }
            return null;
        } catch (IOException e) { // a timeout (SocketTimeoutException) among them: lost
            return null;
        }
    }

    private static Message tcp(InetSocketAddress to, Query q) {
        Message m = query(q);
        byte[] wire = m.toWire();
        try (Socket s = new Socket()) {
            s.connect(to, (int) TIMEOUT.toMillis());
            s.setSoTimeout((int) TIMEOUT.toMillis());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(wire.length);
            out.write(wire);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] buf = new byte[in.readUnsignedShort()];
            in.readFully(buf);
            Message r = parse(buf, buf.length);
            return r != null && r.getHeader().getID() == m.getHeader().getID() ? r : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Message parse(byte[] buf, int length) {
        try {
            return new Message(java.util.Arrays.copyOf(buf, length));
        } catch (IOException e) {
            return null;
        }
    }

    /** Stops every thread after its current query (bounded by the query timeout). */
    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(TIMEOUT.toMillis() * 3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
