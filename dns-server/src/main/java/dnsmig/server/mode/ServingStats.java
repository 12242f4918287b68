package dnsmig.server.mode;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the serving modes did, for metrics and the rollback watcher: answers from the own index
 * and from the legacy server, own SERVFAILs, and forwarding failures. Adders: every event loop
 * counts without contention.
 */
public final class ServingStats {

    private final LongAdder own = new LongAdder();
    private final LongAdder ownServfail = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder legacyServfail = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder overflow = new LongAdder();
    private final LongAdder errors = new LongAdder();

    public void own(int rcode) {
        own.increment();
        if (rcode == 2) {
            ownServfail.increment();
        }
    }

    public void forwarded(int rcode) {
        forwarded.increment();
        if (rcode == 2) {
            legacyServfail.increment();
        }
    }

    /** The legacy server did not answer in time; the client got SERVFAIL. */
    public void timeout() {
        timeouts.increment();
    }

    /** Too many queries in flight to the legacy server; the client got SERVFAIL at once. */
    public void overflow() {
        overflow.increment();
    }

    /** A forwarding error: the connection failed, or an answer did not match its query. */
    public void error() {
        errors.increment();
    }

    /** A moment's totals, for rates over a window. */
    public record Snapshot(long own, long ownServfail, long forwarded, long timeouts, long overflow) {
        /** Answers given (own, forwarded, and SERVFAILs for timeouts and overflow). */
        public long answers() {
            return own + forwarded + timeouts + overflow;
        }

        /** Answers that were a failure the new side or the forwarding caused: own SERVFAILs, timeouts, overflow. */
        public long failures() {
            return ownServfail + timeouts + overflow;
        }

        public Snapshot minus(Snapshot o) {
            return new Snapshot(own - o.own, ownServfail - o.ownServfail, forwarded - o.forwarded, timeouts - o.timeouts, overflow - o.overflow);
        }
    }

    public Snapshot snapshot() {
        return new Snapshot(own.sum(), ownServfail.sum(), forwarded.sum(), timeouts.sum(), overflow.sum());
    }

    public void register(MeterRegistry registry, String nameserver) {
        counter(registry, nameserver, "dns.answers", own, "answers from this server's own index", "source", "own");
        counter(registry, nameserver, "dns.answers", forwarded, "answers forwarded from the legacy server", "source", "legacy");
        counter(registry, nameserver, "dns.servfail", ownServfail, "SERVFAIL answers from the own index", "source", "own");
        counter(registry, nameserver, "dns.servfail", legacyServfail, "SERVFAIL answers the legacy server gave", "source", "legacy");
        counter(registry, nameserver, "dns.forward.timeouts", timeouts, "queries the legacy server did not answer in time (answered SERVFAIL)");
        counter(registry, nameserver, "dns.forward.overflow", overflow, "queries not forwarded: too many in flight (answered SERVFAIL)");
        counter(registry, nameserver, "dns.forward.errors", errors, "forwarding errors (connection failed, answer not matching its query)");
    }

    private static void counter(MeterRegistry registry, String nameserver, String name, LongAdder a, String description, String... tags) {
        FunctionCounter.builder(name, a, LongAdder::sum).description(description).tag("nameserver", nameserver).tags(tags).register(registry);
    }
}
