package dnsmig.verify;

import dnsmig.verify.replay.Replayer;
import dnsmig.verify.source.QuerySource;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One verification run: every query a source yields is replayed (the verifier's own queries,
 * which a tap of the legacy server also sees, are left out by their source port), until the
 * source ends, is stopped, or {@code maxQueries} were read; then the run waits for pending
 * comparisons and confirmations.
 */
public final class VerifyRun {

    private static final Logger log = LoggerFactory.getLogger(VerifyRun.class);

    private final QuerySource source;
    private final Replayer replayer;
    private final long maxQueries;
    private final AtomicLong own = new AtomicLong();
    private final AtomicLong read = new AtomicLong();

    private final boolean probes;

    /** @param maxQueries stop the source after this many queries (0: no limit) */
    public VerifyRun(QuerySource source, Replayer replayer, long maxQueries) {
        this(source, replayer, maxQueries, false);
    }

    /** @param probes the source's queries are probes (counted as such in coverage; not sampled or deduped) */
    public VerifyRun(QuerySource source, Replayer replayer, long maxQueries, boolean probes) {
        this.source = source;
        this.replayer = replayer;
        this.maxQueries = maxQueries;
        this.probes = probes;
    }

    /** Reads the source to its end (or until stopped), then drains; returns the totals. */
    public Replayer.Totals run(Duration drainMax) throws IOException, InterruptedException {
        source.run((q, port) -> {
            if (port >= 0 && replayer.isOwn(port)) {
                own.incrementAndGet();
                return;
            }
            long n = read.incrementAndGet();
            if (maxQueries > 0 && n > maxQueries) {
                source.stop();
                return;
            }
            if (probes) {
                replayer.probe(q);
            } else {
                replayer.submit(q);
            }
        });
        Replayer.Totals t = replayer.drain(drainMax);
        log.info("{}: {} ({} of the verifier's own queries left out, {} records skipped as not queries)", source.describe(), t.text(), own.get(),
                source.skipped());
        return t;
    }

    /** The verifier's own re-asked queries seen in the source and left out. */
    public long ownQueries() {
        return own.get();
    }

    public long read() {
        return read.get();
    }
}
