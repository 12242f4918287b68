package dnsmig.server.query;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Type;

/**
 * An observer whose failures stay its own: what the metrics or the dnstap tap throw is counted
 * and logged at WARN (at most one line every {@value QueryHandler#WARN_EVERY_SECONDS} s), and the
 * answer is sent all the same — a UDP query is not dropped, a TCP connection not closed. Made by
 * {@link QueryHandler.Observer#guarded}. Linkage errors (a class of the tap that cannot load) and
 * stack overflows are caught too: they would recur on every query.
 */
public final class GuardedObserver implements QueryHandler.Observer {

    private static final Logger log = LoggerFactory.getLogger(GuardedObserver.class);

    private final QueryHandler.Observer observer;
    private final AtomicLong failures = new AtomicLong();
    private final LogThrottle throttle;

    GuardedObserver(QueryHandler.Observer observer, LongSupplier nanoTime) {
        this.observer = observer;
        this.throttle = new LogThrottle(Duration.ofSeconds(QueryHandler.WARN_EVERY_SECONDS), nanoTime);
    }

    @Override
    public void answered(byte[] query, int queryLength, byte[] response, Query q, int rcode, boolean tcp, InetSocketAddress client,
            InetSocketAddress server, long nanos) {
        try {
            observer.answered(query, queryLength, response, q, rcode, tcp, client, server, nanos);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            failures.incrementAndGet();
            long held = throttle.admit();
            if (held >= 0) {
                log.warn("observing the answer to {} from {} over {} failed (metrics or dnstap); the answer was sent{}",
                        q == null ? "a query refused unparsed (FORMERR, NOTIMP)" : QueryHandler.describe(q) + " " + Type.string(q.qtype()), client,
                        tcp ? "TCP" : "UDP",
                        held > 0 ? " (and " + held + " more since the last such line, not logged)" : "", e);
            }
        }
    }

    /** Answers whose observing threw, since start. */
    public long failures() {
        return failures.get();
    }
}
