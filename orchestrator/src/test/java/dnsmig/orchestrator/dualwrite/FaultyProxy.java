package dnsmig.orchestrator.dualwrite;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DNS-over-TCP proxy on loopback in front of the legacy named that injects faults: it can
 * forward UPDATEs but swallow their answers (the client times out not knowing whether the update
 * applied), stall every exchange (timeouts), or refuse connections. Queries and transfers pass
 * unless the whole proxy stalls. Every connection is closed by {@link #close()}.
 */
class FaultyProxy extends TcpProxy {

    enum Mode {
        PASS,
        /** UPDATEs reach named, their answers never come back (the client times out). */
        LOSE_UPDATE_ANSWERS,
        /** The next UPDATE reaches named and its answer is lost; from then on connections are refused (named "died" right after). */
        LOSE_ONE_UPDATE_ANSWER_THEN_REFUSE,
        /** Nothing is forwarded either way: every exchange times out. */
        STALL,
        /** Connections are refused. */
        REFUSE
    }

    private volatile Mode mode = Mode.PASS;

    FaultyProxy(InetSocketAddress target) throws IOException {
        super(target, "faulty-proxy");
    }

    void mode(Mode m) {
        this.mode = m;
        if (m == Mode.REFUSE) {
            cut();
        } else {
            restore();
        }
    }

    /** Closes every connection (dnsjava keeps TCP channels open and reuses them). */
    void dropAll() {
        resetAll();
    }

    /**
     * Full duplex: dnsjava multiplexes concurrent queries over one TCP connection (pipelining), so
     * each direction is pumped by its own thread, message by message (2-byte length framing).
     */
    @Override
    void relay(Socket client, Socket upstream) {
        Set<Integer> updates = ConcurrentHashMap.newKeySet();
        execute(() -> pump(upstream, client, updates, false));
        pump(client, upstream, updates, true);
    }

    private void pump(Socket from, Socket to, Set<Integer> updates, boolean requests) {
        try {
            DataInputStream in = new DataInputStream(from.getInputStream());
            OutputStream out = to.getOutputStream();
            while (true) {
                int len = in.readUnsignedShort();
                byte[] msg = in.readNBytes(len);
                if (msg.length < len) {
                    break;
                }
                Mode m = mode;
                if (m == Mode.REFUSE) {
                    break;
                }
                if (m == Mode.STALL) {
                    continue; // swallowed: the client times out
                }
                int id = msg.length >= 2 ? (msg[0] & 0xff) << 8 | (msg[1] & 0xff) : -1;
                if (requests) {
                    if (msg.length > 2 && ((msg[2] >> 3) & 0xF) == 5) {
                        updates.add(id);
                    }
                } else if (updates.remove(id)) {
                    if (m == Mode.LOSE_ONE_UPDATE_ANSWER_THEN_REFUSE) {
                        mode(Mode.REFUSE);
                        break;
                    }
                    if (m == Mode.LOSE_UPDATE_ANSWERS) {
                        continue; // the update applied; its answer never arrives
                    }
                }
                synchronized (out) {
                    out.write(new byte[] {(byte) (len >> 8), (byte) len});
                    out.write(msg);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // one side went away
        } finally {
            close(from);
            close(to);
        }
    }
}
