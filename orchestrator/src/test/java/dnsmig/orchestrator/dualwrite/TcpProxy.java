package dnsmig.orchestrator.dualwrite;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A byte-for-byte TCP proxy on loopback that can cut its target off: while cut, every open
 * connection is reset and new ones are reset as soon as they are accepted, as when PostgreSQL's
 * host drops off the network (a client gets an I/O error at once, no hang). Every connection is
 * closed by {@link #close()}.
 *
 * <p>The accepting, the connection to the target and the bookkeeping of open sockets are shared
 * with {@link FaultyProxy}, which relays DNS messages instead of bytes ({@link #relay}).
 */
class TcpProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final ExecutorService pool;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    TcpProxy(InetSocketAddress target) throws IOException {
        this(target, "tcp-proxy");
    }

    TcpProxy(InetSocketAddress target, String threadName) throws IOException {
        this.target = target;
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        pool.execute(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    /** Resets every connection and every new one until {@link #restore()}. */
    void cut() {
        cut = true;
        resetAll();
    }

    void restore() {
        cut = false;
    }

    /** Resets every open connection; new ones are still accepted unless {@link #cut()}. */
    final void resetAll() {
        open.forEach(this::reset);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (cut) {
                    reset(client);
                    continue;
                }
                open.add(client);
                pool.execute(() -> connect(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        open.add(upstream);
        try {
            upstream.connect(target, 2000);
        } catch (IOException e) {
            reset(client);
            reset(upstream);
            return;
        }
        relay(client, upstream);
    }

    /** Carries both directions, each on its own thread: bytes as they come. */
    void relay(Socket client, Socket upstream) {
        execute(() -> pump(upstream, client));
        pump(client, upstream);
    }

    final void execute(Runnable task) {
        pool.execute(task);
    }

    private void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
        } catch (IOException e) {
            // one side went away
        } finally {
            reset(from);
            reset(to);
        }
    }

    /** Closes at once with a reset (linger 0), as a peer that vanished. */
    final void reset(Socket s) {
        open.remove(s);
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
    }

    /** Closes in order (FIN) and forgets the socket. */
    final void close(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(this::reset);
        pool.shutdownNow();
    }
}
