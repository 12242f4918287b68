package dnsmig.server.query;

import dnsmig.server.zone.ZoneIndex;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * One packet in, one response out (or none): the guards, the cache, the lookup. Thread-safe;
 * every event loop calls it. Metrics and the dnstap tap observe through {@link Observer}.
 *
 * <p>A query whose answering throws (a bug, or data the renderer cannot hold) is answered
 * SERVFAIL, as RFC 1035 §4.1.1 has it for "a problem with the name server": the asker then tries
 * another server at once instead of timing out, and a TCP connection stays open for its other
 * queries. Each such failure is logged at WARN naming the query, at most one line every
 * {@value #WARN_EVERY_SECONDS} s (the next line says how many were not logged).
 */
public final class QueryHandler {

    private static final Logger log = LoggerFactory.getLogger(QueryHandler.class);
    static final int WARN_EVERY_SECONDS = 10;

    /** Watches every query answered (metrics, dnstap). Must not block. */
    public interface Observer {
        /**
         * Called on the event loop for every query that gets a response: keep it short and never
         * block. {@code q} is null for a query refused before it was parsed (FORMERR, NOTIMP).
         */
        void answered(byte[] query, int queryLength, byte[] response, Query q, int rcode, boolean tcp, InetSocketAddress client,
                InetSocketAddress server, long nanos);

        Observer NONE = (query, len, response, q, rcode, tcp, client, server, nanos) -> {};

        /** {@code observer}, except that what it throws is counted and logged instead of reaching the socket. */
        static GuardedObserver guarded(Observer observer) {
            return observer instanceof GuardedObserver g ? g : new GuardedObserver(observer, System::nanoTime);
        }
    }

    private final ZoneIndex index;
    private final Responder responder;
    private final ResponseCache cache;
    private final Observer observer;
    private final AtomicLong failures = new AtomicLong();
    private final LogThrottle warnings;

    public QueryHandler(ZoneIndex index, int cacheEntries, Observer observer) {
        this(index, cacheEntries, observer, System::nanoTime);
    }

    /** @param nanoTime the clock that spaces the WARN lines (tests step it) */
    QueryHandler(ZoneIndex index, int cacheEntries, Observer observer, LongSupplier nanoTime) {
        this.index = index;
        this.responder = new Responder(index);
        this.cache = cacheEntries > 0 ? new ResponseCache(index, cacheEntries) : null;
        this.observer = observer;
        this.warnings = new LogThrottle(Duration.ofSeconds(WARN_EVERY_SECONDS), nanoTime);
    }

    /** The response to {@code packet}, or null when it gets none. */
    public byte[] handle(byte[] packet, int length, boolean tcp, InetSocketAddress client, InetSocketAddress server) {
        long start = System.nanoTime();
        QueryParser.Acceptance a = QueryParser.parse(packet, length, tcp);
        return switch (a) {
            case QueryParser.Drop d -> null;
            case QueryParser.Reject r -> {
                observer.answered(packet, length, r.response(), null, r.rcode(), tcp, client, server, System.nanoTime() - start);
                yield r.response();
            }
            case QueryParser.Accept ok -> {
                Query q = ok.query();
                byte[] out;
                int rcode;
                try {
                    out = cache != null ? cache.get(q) : null;
                    if (out != null) {
                        rcode = rcodeOf(out);
                    } else {
                        long version = index.version();
                        Responder.Rendered rendered = responder.respond(q);
                        out = rendered.wire();
                        rcode = rendered.rcode();
                        if (cache != null) {
                            cache.put(q, rendered, version);
                        }
                    }
                } catch (RuntimeException | StackOverflowError e) {
                    failed(q, tcp, client, e);
                    out = servfail(q);
                    rcode = Rcode.SERVFAIL;
                }
                observer.answered(packet, length, out, q, rcode, tcp, client, server, System.nanoTime() - start);
                yield out;
            }
        };
    }

    /** The question echoed (with OPT when asked with EDNS); a bare header if even that cannot be rendered. */
    private static byte[] servfail(Query q) {
        try {
            return Responder.errorResponse(q, Rcode.SERVFAIL);
        } catch (RuntimeException e) {
            return QueryParser.header(q.id(), q.flags(), Rcode.SERVFAIL);
        }
    }

    private void failed(Query q, boolean tcp, InetSocketAddress client, Throwable e) {
        failures.incrementAndGet();
        long held = warnings.admit();
        if (held < 0) {
            return;
        }
        log.warn("answering {} {} from {} over {} failed, answered SERVFAIL{}", describe(q), Type.string(q.qtype()), client, tcp ? "TCP" : "UDP",
                held > 0 ? " (and " + held + " more since the last such line, not logged)" : "", e);
    }

    /** The question name as text, or its wire form in hex when it does not read (that may be the failure). */
    static String describe(Query q) {
        try {
            return q.qname().toString();
        } catch (RuntimeException e) {
            return "(name " + HexFormat.of().formatHex(q.qnameWire()) + ")";
        }
    }

    /** Queries answered SERVFAIL because answering them threw, since start. */
    public long failures() {
        return failures.get();
    }

    private static int rcodeOf(byte[] wire) {
        return wire[3] & 0x0F;
    }

    public ResponseCache cache() {
        return cache;
    }
}
