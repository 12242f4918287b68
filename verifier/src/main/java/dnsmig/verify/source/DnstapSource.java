package dnsmig.verify.source;

import com.google.protobuf.InvalidProtocolBufferException;
import dnsmig.server.tap.pb.Dnstap;
import dnsmig.server.tap.pb.Message;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dnstap (https://dnstap.info/) as BIND 9 ({@code dnstap { auth; }; dnstap-output unix ...})
 * and dns-server write it: from a file, or as a Frame Streams collector on a unix socket that
 * any number of servers connect to. Every AUTH_QUERY message is a query to replay; other
 * messages (responses, resolver traffic) are skipped. The nameserver of a query is the
 * {@code --nameserver} given, else the message's identity (BIND: {@code dnstap-identity};
 * dns-server: its nameserver name), else the address and port that received it.
 */
public final class DnstapSource implements QuerySource {

    public static final String CONTENT_TYPE = "protobuf:dnstap.Dnstap";
    private static final Logger log = LoggerFactory.getLogger(DnstapSource.class);

    private final Path file;
    private final Path socket;
    private final String nameserver;
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocketChannel listener;
    private volatile boolean stopped;

    private DnstapSource(Path file, Path socket, String nameserver) {
        this.file = file;
        this.socket = socket;
        this.nameserver = nameserver;
    }

    public static DnstapSource file(Path file, String nameserver) {
        return new DnstapSource(file, null, nameserver);
    }

    /** A collector listening on {@code socket} (created now; an existing socket file is replaced) until {@link #stop()}. */
    public static DnstapSource socket(Path socket, String nameserver) throws IOException {
        DnstapSource s = new DnstapSource(null, socket, nameserver);
        Files.deleteIfExists(socket);
        s.listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.listener.bind(UnixDomainSocketAddress.of(socket));
        // named runs as its own user on most systems: it must be able to connect.
        socket.toFile().setWritable(true, false);
        return s;
    }

    @Override
    public void run(Sink sink) throws IOException, InterruptedException {
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such dnstap file");
            }
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                readFile(new DataInputStream(in), sink);
            }
            return;
        }
        List<Thread> readers = new CopyOnWriteArrayList<>();
        try {
            while (!stopped) {
                SocketChannel c;
                try {
                    c = listener.accept();
                } catch (java.nio.channels.ClosedChannelException e) {
                    break;
                }
                open.add(c);
                long n = connections.incrementAndGet();
                readers.add(Thread.ofPlatform().daemon().name("dnstap-conn-" + n).start(() -> serve(c, sink)));
            }
        } finally {
            for (Thread t : readers) {
                t.join(5000);
            }
        }
    }

    private void readFile(DataInputStream in, Sink sink) throws IOException, InterruptedException {
        FrameStreamReader r = new FrameStreamReader(in, file.toString());
        byte[] first = r.next();
        if (first != null || r.lastControl().type() != FrameStreamReader.START) {
            throw new ProtocolException(file + ": not a dnstap file (it does not begin with a Frame Streams START frame)");
        }
        if (!r.lastControl().contentTypes().isEmpty() && !r.lastControl().contentTypes().contains(CONTENT_TYPE)) {
            throw new ProtocolException(file + ": Frame Streams of content type " + r.lastControl().contentTypes() + ", not " + CONTENT_TYPE);
        }
        while (true) {
            byte[] data;
            try {
                data = r.next();
            } catch (EOFException e) {
                log.warn("{}: ends without a STOP frame (a writer still running, or cut short); read what was there", file);
                return;
            }
            if (data == null) {
                if (r.lastControl().type() == FrameStreamReader.STOP) {
                    return;
                }
                continue;
            }
            frame(data, sink);
        }
    }

    private void serve(SocketChannel c, Sink sink) {
        try (c) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(c), 1 << 16));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(c));
            FrameStreamReader r = new FrameStreamReader(in, "dnstap socket " + socket);
            if (r.next() != null || r.lastControl().type() != FrameStreamReader.READY) {
                throw new ProtocolException("a dnstap writer did not begin with READY");
            }
            FrameStreamReader.writeControl(out, FrameStreamReader.ACCEPT, CONTENT_TYPE);
            while (!stopped) {
                byte[] data = r.next();
                if (data == null) {
                    int t = r.lastControl().type();
                    if (t == FrameStreamReader.STOP) {
                        FrameStreamReader.writeControl(out, FrameStreamReader.FINISH);
                        return;
                    }
                    continue; // START
                }
                frame(data, sink);
            }
        } catch (EOFException | java.nio.channels.ClosedChannelException e) {
            // the writer went away, or we stopped
        } catch (IOException e) {
            if (!stopped) {
                log.warn("dnstap connection on {} ended: {}", socket, e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(c);
        }
    }

    private void frame(byte[] data, Sink sink) throws InterruptedException {
        Dnstap d;
        try {
            d = Dnstap.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            skipped.incrementAndGet(); // a message type outside our schema (resolver, client, ...) or garbage
            return;
        }
        if (!d.hasMessage() || d.getMessage().getType() != Message.Type.AUTH_QUERY || !d.getMessage().hasQueryMessage()) {
            skipped.incrementAndGet();
            return;
        }
        Message m = d.getMessage();
        String ns = nameserver;
        if (ns == null && d.hasIdentity() && !d.getIdentity().isEmpty()) {
            ns = d.getIdentity().toString(StandardCharsets.UTF_8);
        }
        if (ns == null) {
            ns = address(m.getResponseAddress().toByteArray()) + "#" + m.getResponsePort();
        }
        Instant at = m.hasQueryTimeSec() ? Instant.ofEpochSecond(m.getQueryTimeSec(), m.getQueryTimeNsec()) : Instant.now();
        Query q;
        try {
            q = Query.fromWire(m.getQueryMessage().toByteArray(), ns, at);
        } catch (IOException e) {
            skipped.incrementAndGet();
            return;
        }
        if (q == null) {
            skipped.incrementAndGet();
            return;
        }
        sink.accept(q, m.hasQueryPort() ? m.getQueryPort() : -1);
    }

    private static String address(byte[] a) {
        try {
            return a.length == 4 || a.length == 16 ? InetAddress.getByAddress(a).getHostAddress() : "unknown";
        } catch (java.net.UnknownHostException e) {
            return "unknown";
        }
    }

    public long connections() {
        return connections.get();
    }

    @Override
    public long skipped() {
        return skipped.get();
    }

    @Override
    public void stop() {
        stopped = true;
        try {
            if (listener != null) {
                listener.close();
                Files.deleteIfExists(socket);
            }
            for (SocketChannel c : open) {
                c.close();
            }
        } catch (IOException ignored) {
            // stopping
        }
    }

    @Override
    public String describe() {
        return file != null ? "dnstap file " + file : "dnstap socket " + socket;
    }
}
