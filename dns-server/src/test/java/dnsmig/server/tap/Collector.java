package dnsmig.server.tap;

import dnsmig.server.tap.pb.Dnstap;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Frame Streams collector on a unix socket, as fstrm_capture is: it answers READY with ACCEPT,
 * takes START and the data frames, and answers STOP with FINISH. A stalled one completes the
 * handshake and then never reads again. Closing it drops every connection and removes the socket.
 */
final class Collector implements AutoCloseable {

    final Path path;
    final BlockingQueue<Dnstap> messages = new LinkedBlockingQueue<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    final List<String> errors = new CopyOnWriteArrayList<>();
    private final boolean stalled;
    private final ServerSocketChannel listener;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    Collector(Path path, boolean stalled) throws IOException {
        this.path = path;
        this.stalled = stalled;
        this.listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(path));
        Thread.ofPlatform().daemon().name("collector-accept").start(this::accept);
    }

    private void accept() {
        try {
            while (true) {
                SocketChannel c = listener.accept();
                connections.incrementAndGet();
                open.add(c);
                Thread.ofPlatform().daemon().name("collector-" + connections.get()).start(() -> serve(c));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            DataInputStream in = new DataInputStream(Channels.newInputStream(c));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(c));
            FrameReader.Frame ready = FrameReader.read(in);
            if (!(ready instanceof FrameReader.Control r && r.type() == FrameReader.READY && r.contentTypes().contains(DnstapTap.CONTENT_TYPE))) {
                errors.add("expected READY with the dnstap content type, got " + ready);
                return;
            }
            FrameReader.writeControl(out, FrameReader.ACCEPT, DnstapTap.CONTENT_TYPE);
            FrameReader.Frame start = FrameReader.read(in);
            if (!(start instanceof FrameReader.Control s && s.type() == FrameReader.START && s.contentTypes().equals(List.of(DnstapTap.CONTENT_TYPE)))) {
                errors.add("expected START with the dnstap content type, got " + start);
                return;
            }
            if (stalled) {
                closed.await();
                return;
            }
            while (true) {
                switch (FrameReader.read(in)) {
                    case FrameReader.Data d -> messages.add(d.dnstap());
                    case FrameReader.Control stop when stop.type() == FrameReader.STOP -> {
                        finished.incrementAndGet();
                        FrameReader.writeControl(out, FrameReader.FINISH);
                        return;
                    }
                    case FrameReader.Control other -> {
                        errors.add("unexpected control frame " + other);
                        return;
                    }
                }
            }
        } catch (EOFException | java.nio.channels.ClosedChannelException e) {
            // the tap went away, or we were closed
        } catch (IOException e) {
            if (closed.getCount() > 0) {
                errors.add(e.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        listener.close();
        for (SocketChannel c : open) {
            c.close();
        }
        Files.deleteIfExists(path);
    }
}
