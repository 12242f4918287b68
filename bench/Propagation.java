import dnsmig.store.ReconcileStore;
import dnsmig.store.Rows;
import dnsmig.store.StoreSchema;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * bench/serve.sh's propagation step: how long a change committed through the record store takes
 * to be answered by a running {@code dnsmig serve}.
 *
 * <p>For each of CHANGES zones (spread over the zone list), one change goes through the record
 * store's write path ({@link ReconcileStore#replaceRRsets}: the zone's advisory lock, the rows,
 * a change-log row, one transaction; its commit sends the NOTIFY): the A record of
 * {@code propagation-probe.<zone>} gets an address it never had. Right after the commit returns,
 * the server is asked for that name over UDP every 0.2 ms until it answers with the new address
 * (at most 5 s: then the change counts as not answered). Between changes a random pause of
 * 0-50 ms, so changes do not line up with anything periodic in the server.
 *
 * <p>Run with the application's libraries on the class path (Java's source launcher):
 * {@code java -cp "orchestrator/target/app/lib/*" bench/Propagation.java JDBC_URL USER PORT ZONE_LIST CHANGES LABEL OUT.csv}.
 * Prints one JSON object: percentiles of commit-returned to answered, and of the write itself.
 */
public class Propagation {

    public static void main(String[] a) throws Exception {
        if (a.length != 7) {
            System.err.println("usage: Propagation JDBC_URL USER PORT ZONE_LIST CHANGES LABEL OUT.csv");
            System.exit(2);
        }
        String url = a[0];
        String user = a[1];
        int port = Integer.parseInt(a[2]);
        List<String> zones = Files.readAllLines(Path.of(a[3])).stream().filter(l -> !l.isBlank()).map(l -> l.split("\\s+")[0]).toList();
        int changes = Integer.parseInt(a[4]);
        String label = a[5];
        Path out = Path.of(a[6]);
        Random random = new Random(label.hashCode());
        int run = (int) (System.currentTimeMillis() / 1000 % 200); // a second octet this run's addresses have
        long[] writeNanos = new long[changes];
        long[] answeredNanos = new long[changes];
        int failed = 0;
        try (var ds = StoreSchema.dataSource(url, user, null, 2, "propagation");
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out))) {
            ReconcileStore store = new ReconcileStore(DSL.using(ds, SQLDialect.POSTGRES));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            socket.setSoTimeout(20);
            csv.println("zone,name,address,write_ms,answered_ms");
            for (int i = -1; i < changes; i++) { // change -1 warms up (class loading, connections), not counted
                String zone = zones.get(Math.floorMod((i + 1) * (zones.size() / Math.max(1, changes + 1)) + 7, zones.size()));
                zone = zone.endsWith(".") ? zone.toLowerCase() : zone.toLowerCase() + ".";
                String name = "propagation-probe." + zone;
                int n = i + 1;
                byte[] address = {10, (byte) (run + 1), (byte) (n >>> 8), (byte) n};
                String text = (address[0] & 0xFF) + "." + (address[1] & 0xFF) + "." + (address[2] & 0xFF) + "." + (address[3] & 0xFF);
                long t0 = System.nanoTime();
                boolean known = store.replaceRRsets(zone, List.of(new ReconcileStore.RRset(name, "A", List.of(new Rows.Rr(name, "A", 60, text)))),
                        "bench-propagation");
                long t1 = System.nanoTime();
                if (!known) {
                    throw new IllegalStateException("zone " + zone + " is not in the record store");
                }
                long answered = waitForAnswer(socket, Name.fromString(name), address, t1 + TimeUnit.SECONDS.toNanos(5), i & 0xFFFF);
                if (i >= 0) {
                    writeNanos[i] = t1 - t0;
                    answeredNanos[i] = answered < 0 ? Long.MAX_VALUE : answered - t1;
                    failed += answered < 0 ? 1 : 0;
                    csv.printf("%s,%s,%s,%.3f,%s%n", zone, name, text, (t1 - t0) / 1e6, answered < 0 ? "" : String.format("%.3f", (answered - t1) / 1e6));
                }
                Thread.sleep(random.nextInt(51));
            }
        }
        long[] ok = Arrays.stream(answeredNanos).filter(x -> x != Long.MAX_VALUE).sorted().toArray();
        long[] w = Arrays.stream(writeNanos).sorted().toArray();
        System.out.printf("{\"label\": \"%s\", \"changes\": %d, \"failed\": %d, \"answered_p50_ms\": %s, \"answered_p90_ms\": %s, \"answered_p99_ms\": %s, "
                + "\"answered_max_ms\": %s, \"write_p50_ms\": %s, \"write_p99_ms\": %s}%n", label, changes, failed, ms(ok, 0.5), ms(ok, 0.9), ms(ok, 0.99),
                ms(ok, 1.0), ms(w, 0.5), ms(w, 0.99));
    }

    /** Asks for {@code name} A until the answer holds {@code address}; the time it did, or -1 at the deadline. */
    private static long waitForAnswer(DatagramSocket socket, Name name, byte[] address, long deadline, int id) throws Exception {
        Message q = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
        q.getHeader().setID(id);
        byte[] query = q.toWire();
        byte[] buf = new byte[1500];
        while (System.nanoTime() < deadline) {
            socket.send(new DatagramPacket(query, query.length));
            try {
                while (true) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    long at = System.nanoTime();
                    Message m = new Message(Arrays.copyOf(buf, p.getLength()));
                    if (m.getHeader().getID() != id) {
                        continue; // a late answer to an earlier change's question
                    }
                    for (Record r : m.getSection(Section.ANSWER)) {
                        if (r instanceof ARecord ar && Arrays.equals(ar.getAddress().getAddress(), address)) {
                            return at;
                        }
                    }
                    break;
                }
            } catch (SocketTimeoutException e) {
                // asked again below
            }
            LockSupport.parkNanos(200_000);
        }
        return -1;
    }

    private static String ms(long[] sorted, double q) {
        if (sorted.length == 0) {
            return "null";
        }
        int i = (int) Math.min(sorted.length - 1, Math.floor(q * sorted.length));
        return String.format("%.2f", sorted[i] / 1e6);
    }
}
