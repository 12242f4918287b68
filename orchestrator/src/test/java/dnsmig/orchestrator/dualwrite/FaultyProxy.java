package dnsmig.orchestrator.dualwrite;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A DNS-over-TCP proxy on loopback in front of the legacy named that injects faults: it can
 * forward UPDATEs but swallow their answers (the client times out not knowing whether the update
 * applied), stall every exchange (timeouts), or refuse connections. Queries and transfers pass
 * unless the whole proxy stalls. Every connection is closed by {@link #close()}.
 */
final class FaultyProxy implements AutoCloseable {

    enum Mode {
        PASS,
        /** UPDATEs reach named, their answers never come back. */
        LOSE_UPDATE_ANSWERS,
        /** The next UPDATE reaches named and its answer is lost; from then on connections are refused (named "died" right after). */
        LOSE_ONE_UPDATE_ANSWER_THEN_REFUSE,
        /** Nothing is answered. */
        STALL,
        /** Connections are refused. */
        REFUSE
    }

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "faulty-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;

    FaultyProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        pool.execute(this::accept);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    void mode(Mode m) {
        this.mode = m;
        if (m == Mode.REFUSE) {
            dropAll();
        }
    }

    /** Closes every connection (dnsjava keeps TCP channels open and reuses them). */
    void dropAll() {
        for (Socket s : open) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException | RuntimeException e) {
                // closing anyway
            }
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (mode == Mode.REFUSE) {
                    client.setSoLinger(true, 0);
                    client.close();
                    continue;
                }
                open.add(client);
                pool.execute(() -> relay(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        try (client; Socket upstream = new Socket()) {
            open.add(upstream);
            upstream.connect(target, 2000);
            DataInputStream cin = new DataInputStream(client.getInputStream());
            OutputStream cout = client.getOutputStream();
            InputStream uin = upstream.getInputStream();
            DataOutputStream uout = new DataOutputStream(upstream.getOutputStream());
            while (true) {
                int len = cin.readUnsignedShort();
                byte[] msg = cin.readNBytes(len);
                Mode m = mode;
                if (m == Mode.STALL) {
                    hold(client);
                    return;
                }
                if (m == Mode.REFUSE) {
                    return;
                }
                boolean update = msg.length > 2 && ((msg[2] >> 3) & 0xF) == 5;
                uout.writeShort(len);
                uout.write(msg);
                uout.flush();
                // Answers: one message for a query or update; several for a transfer, until the server is done with this exchange.
                DataInputStream din = new DataInputStream(uin);
                int rlen = din.readUnsignedShort();
                byte[] resp = din.readNBytes(rlen);
                if (update && m == Mode.LOSE_ONE_UPDATE_ANSWER_THEN_REFUSE) {
                    mode(Mode.REFUSE);
                    return;
                }
                if (update && m == Mode.LOSE_UPDATE_ANSWERS) {
                    return; // the connection closes: the client never learns whether the update applied
                }
                synchronized (cout) {
                    cout.write(new byte[] {(byte) (rlen >> 8), (byte) rlen});
                    cout.write(resp);
                    cout.flush();
                }
                // Zone transfers send more messages: pass whatever else arrives promptly.
                upstream.setSoTimeout(50);
                try {
                    while (true) {
                        int more = din.readUnsignedShort();
                        byte[] next = din.readNBytes(more);
                        cout.write(new byte[] {(byte) (more >> 8), (byte) more});
                        cout.write(next);
                        cout.flush();
                    }
                } catch (java.net.SocketTimeoutException done) {
                    upstream.setSoTimeout(0);
                }
            }
        } catch (IOException e) {
            // client or server went away
        } finally {
            open.remove(client);
        }
    }

    /** Keeps the connection open without answering until the client gives up (bounded: 30 s). */
    private static void hold(Socket client) {
        try {
            client.setSoTimeout(30_000);
            client.getInputStream().read(new byte[1]);
        } catch (IOException e) {
            // client timed out and closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException | RuntimeException e) {
                // closing anyway
            }
        }
        pool.shutdownNow();
    }
}
