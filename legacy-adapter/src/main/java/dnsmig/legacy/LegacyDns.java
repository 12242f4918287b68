package dnsmig.legacy;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The legacy DNS system, the migration's source of truth until cutover: list its zones, read a
 * zone, apply a change set to one zone as a unit, check it is there. Everything the orchestrator
 * and the verifier do to the legacy side goes through here.
 *
 * <p>Two implementations: {@link #dynamic} (a running named whose zones take RFC 2136 UPDATEs
 * signed with TSIG; reads by AXFR) and {@link #zoneFiles} (a named without dynamic updates:
 * zone files rewritten atomically, then {@code rndc reload}). Both return closed sets of
 * outcomes ({@link ReadOutcome}, {@link WriteOutcome}, {@link Failure}) and never throw for
 * anything the server or the network does; both record every write in the journal they are
 * given ({@link LegacyWrite}), which reconcile uses to tell dnsmig's own writes from edits made
 * out of band. No outcome, message or {@code toString()} contains a TSIG secret.
 *
 * <p>Resilience: one circuit breaker per backend (a stopped named fails fast: circuit open),
 * dnsjava's timeouts on every exchange, retries for reads and health checks only; metrics in
 * Micrometer ({@code dnsmig.legacy.*}, {@code resilience4j.circuitbreaker.*}).
 */
public sealed interface LegacyDns permits DynamicZones, ZoneFiles {

    /** The zones this legacy system holds (lower-case, absolute), as configured. */
    List<String> zones();

    /** The zone as the legacy side serves it (AXFR, or the zone file as BIND reads it). Retried while unavailable. */
    ReadOutcome read(String zone);

    /**
     * One RRset as the legacy side holds it now: a {@link ReadOutcome.Zone} with the zone's serial
     * and only that RRset's records (none when it does not exist). What a change whose caller does
     * not know the RRset's current content (an API "replace") uses as its {@code before}. Retried
     * while unavailable.
     */
    ReadOutcome rrset(String zone, org.xbill.DNS.Name name, int type);

    /** Applies every change of the set, or none. Never retried blindly; see the implementations. */
    WriteOutcome apply(ChangeSet changes);

    /** Whether the legacy side answers now. */
    Health health();

    /**
     * A running named with dynamic zones.
     *
     * @param zones   the zones to work on (e.g. {@code NamedConf.read(conf).primaryZones()}' names)
     * @param journal receives every write's {@link LegacyWrite}, applied or not
     */
    static LegacyDns dynamic(LegacyServer server, List<String> zones, LegacyResilience resilience, MeterRegistry meters,
            Consumer<LegacyWrite> journal) {
        return new DynamicZones(server, zones, resilience, meters, journal);
    }

    /**
     * Zone files of a named reloaded through {@code rndc}.
     *
     * @param files   zone name → its file
     * @param baseDir where relative {@code $INCLUDE}s resolve (named's {@code options { directory }})
     */
    static LegacyDns zoneFiles(Map<String, Path> files, Path baseDir, Rndc rndc, LegacyResilience resilience, MeterRegistry meters,
            Consumer<LegacyWrite> journal) {
        return new ZoneFiles(files, baseDir, rndc, resilience, meters, journal);
    }

    /** "Example.COM" → "example.com."; "." stays the root. */
    static String canonical(String zone) {
        String z = zone.strip().toLowerCase(Locale.ROOT);
        return z.endsWith(".") ? z : z + ".";
    }
}
