package dnsmig.verify;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Client traffic for the legacy server: a seeded mix of queries sent over UDP at a steady rate; answers are read and dropped. */
final class Load {

    /** The mix: every host's A, AAAA, TXT, MX; names that do not exist; NODATA; apex SOA/NS/MX; CNAME; random letter case, RD, EDNS and DO. */
    static List<byte[]> mix(List<String> zones, int hosts, long seed) throws IOException {
        Random rnd = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (String z : zones) {
            for (int i = 1; i <= hosts; i++) {
                for (int t : new int[] {Type.A, Type.AAAA, Type.TXT, Type.MX}) {
                    out.add(query("h" + i + "." + z, t, rnd));
                }
                out.add(query("nx" + i + "." + z, Type.A, rnd));
            }
            for (int t : new int[] {Type.SOA, Type.NS, Type.MX, Type.TXT, Type.A}) {
                out.add(query(z, t, rnd));
            }
            out.add(query("www." + z, Type.A, rnd));
            out.add(query("mail." + z, Type.A, rnd));
        }
        return out;
    }

    static byte[] query(String name, int type, Random rnd) throws IOException {
        StringBuilder n = new StringBuilder();
        for (char c : name.toCharArray()) {
            n.append(rnd.nextBoolean() ? Character.toUpperCase(c) : c); // 0x20 mixed case, as resolvers send
        }
        Message m = Message.newQuery(Record.newRecord(Name.fromString(n.toString()), type, org.xbill.DNS.DClass.IN));
        if (!rnd.nextBoolean()) {
            m.getHeader().unsetFlag(Flags.RD);
        }
        if (rnd.nextInt(4) != 0) {
            m.addRecord(new OPTRecord(1232, 0, 0, rnd.nextInt(3) == 0 ? org.xbill.DNS.ExtendedFlags.DO : 0), Section.ADDITIONAL);
        }
        return m.toWire();
    }

    /**
     * Sends queries from {@code mix} (round robin, interleaving {@code extra()} when it gives one) at
     * {@code rate} per second until {@code done} says so or {@code maxSeconds} pass; returns how many were sent.
     */
    static long run(InetSocketAddress target, List<byte[]> mix, java.util.function.Supplier<byte[]> extra, int rate, BooleanSupplier done, int maxSeconds)
            throws IOException, InterruptedException {
        long sent = 0;
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(target);
            ch.configureBlocking(false);
            ByteBuffer sink = ByteBuffer.allocate(65535);
            long start = System.nanoTime();
            long deadline = start + maxSeconds * 1_000_000_000L;
            long interval = 1_000_000_000L / rate;
            int i = 0;
            while (!done.getAsBoolean() && System.nanoTime() < deadline) {
                long due = start + sent * interval;
                long now = System.nanoTime();
                if (due - now > 1_000_000) {
                    Thread.sleep((due - now) / 1_000_000);
                }
                byte[] q = extra.get();
                if (q == null) {
                    q = mix.get(i++ % mix.size());
                }
                q[0] = (byte) sent;
                q[1] = (byte) (sent >> 8);
                ch.write(ByteBuffer.wrap(q));
                sent++;
                while (ch.receive(sink.clear()) != null) {
                    // answers are not looked at
                }
            }
        }
        return sent;
    }
}
