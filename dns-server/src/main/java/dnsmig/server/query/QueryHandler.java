package dnsmig.server.query;

import java.net.InetSocketAddress;

import dnsmig.server.zone.ZoneIndex;

/**
 * One packet in, one response out (or none): the guards, the cache, the lookup. Thread-safe;
 * every event loop calls it. Metrics and the dnstap tap observe through {@link Observer}.
 */
public final class QueryHandler {

    /** Watches every query answered (metrics, dnstap). Must not block. */
    public interface Observer {
        /**
         * Called on the event loop for every query that gets a response: keep it short and never
         * block. {@code q} is null for a query refused before it was parsed (FORMERR, NOTIMP).
         */
        void answered(byte[] query, int queryLength, byte[] response, Query q, int rcode, boolean tcp, InetSocketAddress client,
                InetSocketAddress server, long nanos);

        Observer NONE = (query, len, response, q, rcode, tcp, client, server, nanos) -> {};
    }

    private final ZoneIndex index;
    private final Responder responder;
    private final ResponseCache cache;
    private final Observer observer;

    public QueryHandler(ZoneIndex index, int cacheEntries, Observer observer) {
        this.index = index;
        this.responder = new Responder(index);
        this.cache = cacheEntries > 0 ? new ResponseCache(index, cacheEntries) : null;
        this.observer = observer;
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
                byte[] out = cache != null ? cache.get(q) : null;
                int rcode;
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
                observer.answered(packet, length, out, q, rcode, tcp, client, server, System.nanoTime() - start);
                yield out;
            }
        };
    }

    private static int rcodeOf(byte[] wire) {
        return wire[3] & 0x0F;
    }

    public ResponseCache cache() {
        return cache;
    }
}
