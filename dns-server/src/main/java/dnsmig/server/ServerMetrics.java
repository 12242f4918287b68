package dnsmig.server;

import dnsmig.server.query.Query;
import dnsmig.server.query.QueryHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Query metrics (Micrometer): queries by type, RCODE and transport, and a latency histogram.
 * Types outside the common set are counted as "other", so a scan of odd types cannot blow up
 * the number of time series.
 */
final class ServerMetrics implements QueryHandler.Observer {

    private static final java.util.Set<Integer> NAMED_TYPES = java.util.Set.of(Type.A, Type.AAAA, Type.NS, Type.CNAME, Type.SOA, Type.MX, Type.TXT,
            Type.SRV, Type.PTR, Type.CAA, Type.DS, Type.DNSKEY, Type.HTTPS, Type.SVCB, Type.ANY, Type.AXFR, Type.IXFR, Type.NAPTR, Type.TLSA);

    private final MeterRegistry registry;
    private final String nameserver;
    private final ConcurrentHashMap<Integer, Counter> counters = new ConcurrentHashMap<>();
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
        int type = q == null ? -1 : q.qtype();
        int key = (type & 0xFFFF) << 8 | (rcode & 0x7F) << 1 | (tcp ? 1 : 0);
        counters.computeIfAbsent(key, k -> Counter.builder("dns.queries").description("queries answered")
                .tag("nameserver", nameserver)
                .tag("qtype", type < 0 ? "malformed" : NAMED_TYPES.contains(type) ? Type.string(type) : "other")
                .tag("rcode", Rcode.string(rcode)).tag("transport", tcp ? "tcp" : "udp").register(registry)).increment();
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }
}
