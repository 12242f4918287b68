package dnsmig.server.tap;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A bidirectional Frame Streams connection to a collector's unix socket (fstrm_capture,
 * dnstap's golang tools, a log shipper): READY with our content type, the collector's ACCEPT,
 * START, data frames; at the end STOP and the collector's FINISH. Every wait is bounded by
 * {@code timeout}: a collector that takes nothing for that long counts as gone (the tap then
 * reconnects), so the writer thread never hangs on it.
 */
final class SocketOutput implements Output {

    private final Path path;
    private final long timeoutNanos;
    private SocketChannel channel;
    private Selector selector;
    private SelectionKey key;

    SocketOutput(Path path, Duration timeout) {
        this.path = path;
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void open() throws IOException {
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.configureBlocking(false);
            selector = Selector.open();
            key = channel.register(selector, 0);
            if (!channel.connect(UnixDomainSocketAddress.of(path))) {
                while (!channel.finishConnect()) {
                    await(SelectionKey.OP_CONNECT, System.nanoTime() + timeoutNanos);
                }
            }
            write(FrameStreams.control(FrameStreams.READY, DnstapTap.CONTENT_TYPE));
            FrameStreams.Control accept = readControl();
            if (accept.type() != FrameStreams.ACCEPT) {
                throw new ProtocolException("the collector answered READY with " + FrameStreams.name(accept.type()) + ", not ACCEPT");
            }
            // A collector that names content types must name ours (one that names none takes anything).
            if (!accept.contentTypes().isEmpty() && !accept.contentTypes().contains(DnstapTap.CONTENT_TYPE)) {
                throw new ProtocolException("the collector accepts " + accept.contentTypes() + ", not " + DnstapTap.CONTENT_TYPE);
            }
            write(FrameStreams.control(FrameStreams.START, DnstapTap.CONTENT_TYPE));
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    /** Writes all of {@code frames}; fails when the collector takes nothing for the timeout. */
    @Override
    public void write(ByteBuffer frames) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (frames.hasRemaining()) {
            if (channel.write(frames) > 0) {
                deadline = System.nanoTime() + timeoutNanos;
            } else {
                await(SelectionKey.OP_WRITE, deadline);
            }
        }
    }

    @Override
    public void finish() throws IOException {
        try {
            write(FrameStreams.control(FrameStreams.STOP));
            FrameStreams.Control finish = readControl();
            if (finish.type() != FrameStreams.FINISH) {
                throw new ProtocolException("the collector answered STOP with " + FrameStreams.name(finish.type()) + ", not FINISH");
            }
        } finally {
            abort();
        }
    }

    @Override
    public void abort() {
        try {
            if (selector != null) {
                selector.close();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // closing after a failure or at the end: nothing more to do
        }
        selector = null;
        channel = null;
        key = null;
    }

    @Override
    public boolean reconnects() {
        return true;
    }

    @Override
    public String describe() {
        return "socket " + path;
    }

    /** One control frame from the collector: the escape, the length (at most 512), the body. */
    private FrameStreams.Control readControl() throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        ByteBuffer head = ByteBuffer.allocate(8);
        readFully(head, deadline);
        int escape = head.getInt(0);
        int length = head.getInt(4);
        if (escape != 0) {
            throw new ProtocolException("the collector sent a data frame where a control frame was due");
        }
        if (length < 4 || length > FrameStreams.MAX_CONTROL_LENGTH) {
            throw new ProtocolException("the collector sent a control frame of " + length + " bytes");
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(body, deadline);
        return FrameStreams.parseControl(body.flip());
    }

    private void readFully(ByteBuffer into, long deadline) throws IOException {
        while (into.hasRemaining()) {
            int n = channel.read(into);
            if (n < 0) {
                throw new EOFException("the collector closed the connection");
            }
            if (n == 0) {
                await(SelectionKey.OP_READ, deadline);
            }
        }
    }

    private void await(int op, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("the collector at " + path + " did not " + (op == SelectionKey.OP_READ ? "answer" : "read") + " within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        }
        key.interestOps(op);
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        selector.selectedKeys().clear();
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("dnstap writer interrupted");
        }
    }
}
