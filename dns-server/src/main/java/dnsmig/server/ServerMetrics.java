package dnsmig.server;

import dnsmig.server.query.Query;
import dnsmig.server.query.QueryHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Query metrics (Micrometer): queries by type, RCODE and transport, and a latency histogram.
 * Types outside the common set are counted as "other", so a scan of odd types cannot blow up
 * the number of time series. Every query passes here: the counter for its (type, RCODE,
 * transport) is found by index in a table, registered the first time it is needed.
 */
final class ServerMetrics implements QueryHandler.Observer {

    private static final int[] NAMED_TYPES = {Type.A, Type.AAAA, Type.NS, Type.CNAME, Type.SOA, Type.MX, Type.TXT, Type.SRV, Type.PTR, Type.CAA,
            Type.DS, Type.DNSKEY, Type.HTTPS, Type.SVCB, Type.ANY, Type.AXFR, Type.IXFR, Type.NAPTR, Type.TLSA};
    /** Type index for types not named, and for queries refused before they were parsed. */
    private static final int OTHER = NAMED_TYPES.length;
    private static final int MALFORMED = OTHER + 1;
    private static final int TYPES = MALFORMED + 1;
    /** RCODEs 0..30 have their own counters; anything above shares the last. */
    private static final int RCODES = 32;
    /** Index of each type below 256 and of the named ones above (CAA, AXFR, IXFR ...): a small table instead of a search. */
    private static final byte[] TYPE_INDEX = new byte[65536];

    static {
        java.util.Arrays.fill(TYPE_INDEX, (byte) OTHER);
        for (int i = 0; i < NAMED_TYPES.length; i++) {
            TYPE_INDEX[NAMED_TYPES[i]] = (byte) i;
        }
    }

    private final MeterRegistry registry;
    private final String nameserver;
    private final AtomicReferenceArray<Counter> counters = new AtomicReferenceArray<>(TYPES * RCODES * 2);
    private final Timer latency;

    ServerMetrics(MeterRegistry registry, String nameserver) {
        this.registry = registry;
        this.nameserver = nameserver;
        this.latency = Timer.builder("dns.query.duration").description("time from a query read to its response ready")
                .tag("nameserver", nameserver).publishPercentileHistogram().register(registry);
    }

    @Override
    public void answered(byte[] query, int queryLength, byte[] response, Query q, int rcode, boolean tcp, java.net.InetSocketAddress client,
            java.net.InetSocketAddress server, long nanos) {
        int t = q == null ? MALFORMED : TYPE_INDEX[q.qtype() & 0xFFFF];
        int r = rcode >= 0 && rcode < RCODES - 1 ? rcode : RCODES - 1;
        int i = (t * RCODES + r) << 1 | (tcp ? 1 : 0);
        Counter c = counters.getPlain(i);
        if (c == null) {
            c = register(t, r, tcp);
            counters.set(i, c);
        }
        c.increment();
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The registry hands back the same counter for the same tags, so two threads racing here share one. */
    private Counter register(int t, int r, boolean tcp) {
        String type = t == MALFORMED ? "malformed" : t == OTHER ? "other" : Type.string(NAMED_TYPES[t]);
        String rcode = r == RCODES - 1 ? "other" : Rcode.string(r);
        return Counter.builder("dns.queries").description("queries answered").tag("nameserver", nameserver).tag("qtype", type).tag("rcode", rcode)
                .tag("transport", tcp ? "tcp" : "udp").register(registry);
    }
}
