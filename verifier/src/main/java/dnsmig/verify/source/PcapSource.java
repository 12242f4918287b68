package dnsmig.verify.source;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * DNS queries from a packet capture (tcpdump, tshark, dumpcap): classic pcap (micro- or
 * nanosecond, either byte order) and pcapng (section, interface and enhanced/simple packet
 * blocks). Link types: Ethernet (with VLAN tags), Linux cooked v1 and v2, BSD loopback, raw
 * IPv4/IPv6. Queries are the packets to {@code port} (53 by default): UDP datagrams, and DNS
 * messages over TCP (each connection's client-to-server bytes in sequence order, split by their
 * two-byte lengths). Fragments, responses and packets that are not DNS are counted as skipped.
 * The nameserver of a query is {@code --nameserver}, else its destination address and port.
 */
public final class PcapSource implements QuerySource {

    private final Path file;
    private final int port;
    private final String nameserver;
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong packets = new AtomicLong();
    private final Map<String, Flow> flows = new HashMap<>();
    private volatile boolean stopped;

    private static final class Flow {
        long nextSeq = -1;
        final java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
    }

    public PcapSource(Path file, int port, String nameserver) {
        this.file = file;
        this.port = port;
        this.nameserver = nameserver;
    }

    @Override
    public void run(Sink sink) throws IOException, InterruptedException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream in = new DataInputStream(raw);
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4) {
                throw new IOException(file + ": too short to be a capture (" + magic.length + " bytes)");
            }
            int m = ByteBuffer.wrap(magic).order(ByteOrder.BIG_ENDIAN).getInt();
            switch (m) {
                case 0xa1b2c3d4, 0xa1b23c4d -> classic(in, ByteOrder.BIG_ENDIAN, m == 0xa1b23c4d, sink);
                case 0xd4c3b2a1, 0x4d3cb2a1 -> classic(in, ByteOrder.LITTLE_ENDIAN, m == 0x4d3cb2a1, sink);
                case 0x0a0d0d0a -> pcapng(in, sink);
                default -> throw new IOException(file + ": not a pcap or pcapng capture (magic number 0x" + Integer.toHexString(m) + ")");
            }
        }
    }

    private void classic(DataInputStream in, ByteOrder order, boolean nanos, Sink sink) throws IOException, InterruptedException {
        ByteBuffer h = ByteBuffer.wrap(readFully(in, 20, "the file header")).order(order);
        h.position(16);
        int linkType = h.getInt() & 0x0fffffff;
        long offset = 24;
        while (!stopped) {
            byte[] rh = in.readNBytes(16);
            if (rh.length == 0) {
                return;
            }
            if (rh.length < 16) {
                throw new IOException(file + " at byte " + offset + ": cut short inside a packet header");
            }
            ByteBuffer r = ByteBuffer.wrap(rh).order(order);
            long sec = r.getInt() & 0xffffffffL;
            long frac = r.getInt() & 0xffffffffL;
            int incl = r.getInt();
            if (incl < 0 || incl > 262_144) {
                throw new IOException(file + " at byte " + offset + ": a packet of " + Integer.toUnsignedString(incl) + " bytes; the capture is damaged");
            }
            byte[] data = readFully(in, incl, "a packet at byte " + offset);
            offset += 16 + incl;
            packet(linkType, data, Instant.ofEpochSecond(sec, nanos ? frac : frac * 1000), sink);
        }
    }

    private void pcapng(DataInputStream in, Sink sink) throws IOException, InterruptedException {
        // The section header's magic was read; its length and byte-order magic follow.
        byte[] lenAndBom = readFully(in, 8, "the section header");
        ByteOrder order = ByteBuffer.wrap(lenAndBom, 4, 4).order(ByteOrder.BIG_ENDIAN).getInt() == 0x1a2b3c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int shbLen = ByteBuffer.wrap(lenAndBom, 0, 4).order(order).getInt();
        readFully(in, shbLen - 12, "the section header");
        java.util.List<int[]> interfaces = new java.util.ArrayList<>(); // {linkType, tsresolPow10}
        long offset = shbLen;
        while (!stopped) {
            byte[] bh = in.readNBytes(8);
            if (bh.length == 0) {
                return;
            }
            if (bh.length < 8) {
                throw new IOException(file + " at byte " + offset + ": cut short inside a block header");
            }
            ByteBuffer b = ByteBuffer.wrap(bh).order(order);
            int type = b.getInt();
            int len = b.getInt();
            if (len < 12 || len > 1 << 20 || len % 4 != 0) {
                throw new IOException(file + " at byte " + offset + ": a pcapng block of " + len + " bytes; the capture is damaged");
            }
            ByteBuffer body = ByteBuffer.wrap(readFully(in, len - 8, "a block at byte " + offset)).order(order);
            offset += len;
            switch (type) {
                case 0x0a0d0d0a -> interfaces.clear(); // a new section (same byte order assumed)
                case 1 -> { // interface description
                    int linkType = body.getShort(0) & 0xffff;
                    int resol = 6;
                    int p = 8;
                    while (p + 4 <= body.limit() - 4) {
                        int code = body.getShort(p) & 0xffff;
                        int olen = body.getShort(p + 2) & 0xffff;
                        if (code == 0) {
                            break;
                        }
                        if (code == 9 && olen >= 1) {
                            int v = body.get(p + 4) & 0xff;
                            resol = (v & 0x80) == 0 ? v : -1; // powers of two: not supported, treated as microseconds
                            if (resol < 0) {
                                resol = 6;
                            }
                        }
                        p += 4 + ((olen + 3) & ~3);
                    }
                    interfaces.add(new int[] {linkType, resol});
                }
                case 6 -> { // enhanced packet
                    int iface = body.getInt(0);
                    long ts = ((body.getInt(4) & 0xffffffffL) << 32) | (body.getInt(8) & 0xffffffffL);
                    int caplen = body.getInt(12);
                    if (iface < 0 || iface >= interfaces.size() || caplen < 0 || caplen > body.limit() - 20) {
                        skipped.incrementAndGet();
                        continue;
                    }
                    byte[] data = new byte[caplen];
                    body.get(20, data);
                    int[] ifc = interfaces.get(iface);
                    long div = (long) Math.pow(10, ifc[1]);
                    packet(ifc[0], data, Instant.ofEpochSecond(ts / div, (ts % div) * (1_000_000_000L / div)), sink);
                }
                case 3 -> { // simple packet
                    if (interfaces.isEmpty()) {
                        skipped.incrementAndGet();
                        continue;
                    }
                    int orig = body.getInt(0);
                    byte[] data = new byte[Math.min(orig, body.limit() - 8)];
                    body.get(4, data);
                    packet(interfaces.get(0)[0], data, Instant.now(), sink);
                }
                default -> {
                    // statistics, name resolution, custom blocks: nothing for us
                }
            }
        }
    }

    private void packet(int linkType, byte[] d, Instant at, Sink sink) throws InterruptedException {
        packets.incrementAndGet();
        int ip;
        int etherType;
        switch (linkType) {
            case 1 -> { // Ethernet
                int p = 12;
                etherType = u16(d, p);
                while ((etherType == 0x8100 || etherType == 0x88a8) && d.length >= p + 6) {
                    p += 4;
                    etherType = u16(d, p);
                }
                ip = p + 2;
            }
            case 113 -> { // Linux cooked v1
                etherType = u16(d, 14);
                ip = 16;
            }
            case 276 -> { // Linux cooked v2
                etherType = u16(d, 0);
                ip = 20;
            }
            case 0, 108 -> { // BSD loopback: 4-byte address family, host order
                ip = 4;
                etherType = d.length > 4 && (d[4] >> 4) == 6 ? 0x86dd : 0x0800;
            }
            case 101, 12, 14, 228, 229 -> { // raw IP
                ip = 0;
                etherType = d.length > 0 && (d[0] >> 4 & 0xf) == 6 ? 0x86dd : 0x0800;
            }
            default -> {
                skipped.incrementAndGet();
                return;
            }
        }
        if (d.length < ip + 20) {
            skipped.incrementAndGet();
            return;
        }
        int proto;
        int l4;
        int end;
        byte[] src;
        byte[] dst;
        if (etherType == 0x0800 && (d[ip] >> 4 & 0xf) == 4) {
            int ihl = (d[ip] & 0xf) * 4;
            int flagsFrag = u16(d, ip + 6);
            if ((flagsFrag & 0x3fff) != 0) { // a fragment
                skipped.incrementAndGet();
                return;
            }
            proto = d[ip + 9] & 0xff;
            src = java.util.Arrays.copyOfRange(d, ip + 12, ip + 16);
            dst = java.util.Arrays.copyOfRange(d, ip + 16, ip + 20);
            l4 = ip + ihl;
            end = Math.min(d.length, ip + u16(d, ip + 2));
        } else if (etherType == 0x86dd && (d[ip] >> 4 & 0xf) == 6 && d.length >= ip + 40) {
            proto = d[ip + 6] & 0xff; // extension headers are not followed
            src = java.util.Arrays.copyOfRange(d, ip + 8, ip + 24);
            dst = java.util.Arrays.copyOfRange(d, ip + 24, ip + 40);
            l4 = ip + 40;
            end = Math.min(d.length, l4 + u16(d, ip + 4));
        } else {
            skipped.incrementAndGet();
            return;
        }
        if (proto == 17 && end >= l4 + 8) {
            int sport = u16(d, l4);
            int dport = u16(d, l4 + 2);
            if (dport != port) {
                skipped.incrementAndGet();
                return;
            }
            query(java.util.Arrays.copyOfRange(d, l4 + 8, end), sport, dst, dport, at, sink);
        } else if (proto == 6 && end >= l4 + 20) {
            int sport = u16(d, l4);
            int dport = u16(d, l4 + 2);
            if (dport != port) {
                skipped.incrementAndGet(); // server to client (responses), or not DNS
                return;
            }
            long seq = u32(d, l4 + 4);
            int flags = d[l4 + 13] & 0xff;
            int off = ((d[l4 + 12] >> 4) & 0xf) * 4;
            String key = addr(src) + "#" + sport + ">" + addr(dst) + "#" + dport;
            Flow f = flows.get(key);
            if ((flags & 0x02) != 0) { // SYN: a new connection
                f = new Flow();
                f.nextSeq = (seq + 1) & 0xffffffffL;
                flows.put(key, f);
                return;
            }
            int payload = end - (l4 + off);
            if (f == null || payload <= 0) {
                if ((flags & 0x05) != 0) { // FIN or RST
                    flows.remove(key);
                }
                return;
            }
            if (seq != f.nextSeq) { // retransmission or out of order: not reassembled
                skipped.incrementAndGet();
                return;
            }
            f.data.write(d, l4 + off, payload);
            f.nextSeq = (seq + payload) & 0xffffffffL;
            byte[] buf = f.data.toByteArray();
            int p = 0;
            while (buf.length - p >= 2 && buf.length - p >= 2 + u16(buf, p)) {
                int len = u16(buf, p);
                query(java.util.Arrays.copyOfRange(buf, p + 2, p + 2 + len), sport, dst, dport, at, sink);
                p += 2 + len;
            }
            f.data.reset();
            f.data.write(buf, p, buf.length - p);
            if ((flags & 0x05) != 0) {
                flows.remove(key);
            }
        } else {
            skipped.incrementAndGet();
        }
    }

    private void query(byte[] msg, int sport, byte[] dst, int dport, Instant at, Sink sink) throws InterruptedException {
        Query q;
        try {
            q = Query.fromWire(msg, nameserver != null ? nameserver : addr(dst) + "#" + dport, at);
        } catch (IOException e) {
            skipped.incrementAndGet();
            return;
        }
        if (q == null) {
            skipped.incrementAndGet();
            return;
        }
        sink.accept(q, sport);
    }

    private static String addr(byte[] a) {
        try {
            return InetAddress.getByAddress(a).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return "?";
        }
    }

    private static int u16(byte[] b, int i) {
        return i + 1 < b.length ? ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff) : -1;
    }

    private static long u32(byte[] b, int i) {
        return ((long) u16(b, i) << 16) | u16(b, i + 2);
    }

    private byte[] readFully(DataInputStream in, int n, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException(file + ": cut short inside " + what);
        }
        return b;
    }

    public long packets() {
        return packets.get();
    }

    @Override
    public long skipped() {
        return skipped.get();
    }

    @Override
    public void stop() {
        stopped = true;
    }

    @Override
    public String describe() {
        return "capture " + file;
    }
}
