package dnsmig.orchestrator.verify;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.localpg.LocalPostgres;
import dnsmig.store.StoreSchema;
import dnsmig.verify.VerifyRun;
import dnsmig.verify.compare.Comparison;
import dnsmig.verify.compare.IgnoreRules;
import dnsmig.verify.probe.Probes;
import dnsmig.verify.replay.Replayer;
import dnsmig.verify.source.DnstapSource;
import dnsmig.verify.source.PcapSource;
import dnsmig.verify.source.QueryListSource;
import dnsmig.verify.source.QueryLogSource;
import dnsmig.verify.source.QuerySource;
import dnsmig.store.VerifyStore;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dnsmig verify}: live queries replayed against the legacy and the new server. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replays queries against the legacy (--old) and the new (--new) server at once and compares the answers (response code, AA/TC,"
                + " every section as RRsets: names ignoring case, TTLs within --ttl-tolerance). A mismatch is asked again after --confirm-delay:"
                + " only one that persists, while the legacy server answers the same twice and both serve the same SOA serial, is a confirmed"
                + " inconsistency, stored with its zone and owner (dnsmig report mails them). Transients (writes in flight), legacy noise and version"
                + " skew are counted, not reported. Counts per nameserver, zone and --window go to the verify_window table that cutover gates read.",
                "", "The nameserver of a query is --nameserver when given; else the dnstap identity (dnstap-identity in named.conf), the server"
                        + " address of a query-log line, or the destination address#port of a captured packet."},
        footer = {"", "Examples:", "  dnsmig verify --old 192.0.2.53 --new 192.0.2.54 --dnstap-socket /run/dnsmig/tap.sock --duration 3600",
                "  dnsmig verify --old 192.0.2.53 --new 192.0.2.54 --pcap ns1.pcap --nameserver ns1",
                "  dnsmig verify --old 192.0.2.53 --new 192.0.2.54 --query-log /var/log/named/query.log --follow --nameserver ns1",
                "  dnsmig verify --old 192.0.2.53 --new 192.0.2.54 --probe --nameserver ns1", "", "Exit codes:",
                "  0  no confirmed inconsistency in this run", "  1  the run failed (a source that cannot be read, the database unreachable)",
                "  2  bad usage; nothing was replayed", "  3  confirmed inconsistencies found: see dnsmig report"})
public final class VerifyCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--dnstap-socket", paramLabel = "PATH", required = true,
                description = "Listen on this unix socket for dnstap (Frame Streams) from BIND (dnstap-output unix \"PATH\";) and dns-server"
                        + " (dnsmig serve --dnstap-socket PATH); runs until --duration or Ctrl-C.")
        Path dnstapSocket;

        @Option(names = "--dnstap-file", paramLabel = "FILE", required = true, description = "A dnstap file (dnstap-output file ...; dnsmig serve --dnstap-file).")
        Path dnstapFile;

        @Option(names = "--pcap", paramLabel = "FILE", required = true, description = "A pcap or pcapng capture (tcpdump -w, tshark -w): queries over UDP and TCP to --port.")
        Path pcap;

        @Option(names = "--query-log", paramLabel = "FILE", required = true, description = "A BIND query log (querylog yes;); with --follow, read as it grows.")
        Path queryLog;

        @Option(names = "--query-list", paramLabel = "FILE", required = true, description = "A dnsperf query file: NAME TYPE per line.")
        Path queryList;

        @Option(names = "--probe", required = true, description = "Queries made from the record store for every RRset live traffic never asked"
                + " (with --probe-all: every RRset), plus an NXDOMAIN and a NODATA probe per zone.")
        boolean probe;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--old", paramLabel = "IP", required = true, description = "The legacy server's address (an IP literal).")
    String oldAddress;

    @Option(names = "--old-port", paramLabel = "PORT", defaultValue = "53", description = "Its port (default: ${DEFAULT-VALUE}).")
    int oldPort;

    @Option(names = "--new", paramLabel = "IP", required = true, description = "The new server's address (an IP literal).")
    String newAddress;

    @Option(names = "--new-port", paramLabel = "PORT", defaultValue = "53", description = "Its port (default: ${DEFAULT-VALUE}).")
    int newPort;

    @Option(names = "--nameserver", paramLabel = "NAME", description = "Count every query for this nameserver (ns1, ns2, ...), whatever the source says.")
    String nameserver;

    @Option(names = "--follow", description = "With --query-log: keep reading as the log grows (and after it is rotated), until --duration or Ctrl-C.")
    boolean follow;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "53", description = "With --pcap: the DNS server port of the captured queries (default: ${DEFAULT-VALUE}).")
    int pcapPort;

    @Option(names = "--zone", paramLabel = "ZONE", description = "With --probe: only this zone.")
    String zone;

    @Option(names = "--probe-all", description = "With --probe: every RRset, not only those never asked.")
    boolean probeAll;

    @Option(names = "--rate", paramLabel = "QPS", defaultValue = "2000",
            description = "Queries replayed per second at most, i.e. the extra load on the legacy server (plus re-asks of mismatches); 0: no limit (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "200", description = "Queries asked and not yet answered, at most (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--dedupe", paramLabel = "SECONDS", defaultValue = "0",
            description = "Skip a query equal to one replayed less than this ago (hot names); 0: replay every query (default: ${DEFAULT-VALUE}).")
    double dedupe;

    @Option(names = "--sample", paramLabel = "FRACTION", defaultValue = "1", description = "Replay this fraction of the queries, 0 to 1 (default: ${DEFAULT-VALUE}).")
    double sample;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "2000", description = "How long to wait for an answer (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--confirm-delay", paramLabel = "MS", defaultValue = "2000", description = "When to ask a mismatch again (default: ${DEFAULT-VALUE}).")
    long confirmDelayMs;

    @Option(names = "--ttl-tolerance", paramLabel = "SECONDS", defaultValue = "0", description = "TTLs this close are equal (default: ${DEFAULT-VALUE}).")
    long ttlTolerance;

    @Option(names = "--ignore", paramLabel = "RULE", description = "What not to compare (repeat; replaces the defaults soa-serial and qtype:ANY): soa-serial,"
            + " ttl, section:additional, section:authority, qtype:TYPE, name:SUFFIX.")
    List<String> ignore;

    @Option(names = "--window", paramLabel = "SECONDS", defaultValue = "60", description = "Length of a consistency window (default: ${DEFAULT-VALUE}).")
    long windowSeconds;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0", description = "Stop after this long (0: when the source ends).")
    long durationSeconds;

    @Option(names = "--max-queries", paramLabel = "N", defaultValue = "0", description = "Stop after this many queries (0: no limit).")
    long maxQueries;

    @Mixin
    DbOptions db;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        InetSocketAddress oldServer = new InetSocketAddress(ip(oldAddress, "--old"), port(oldPort, "--old-port"));
        InetSocketAddress newServer = new InetSocketAddress(ip(newAddress, "--new"), port(newPort, "--new-port"));
        if (source.probe && nameserver == null) {
            throw new IllegalArgumentException("--probe needs --nameserver (the nameserver the probes stand for, e.g. ns1)");
        }
        if (follow && source.queryLog == null) {
            throw new IllegalArgumentException("--follow goes with --query-log");
        }
        Comparison comparison = new Comparison(ignore == null ? IgnoreRules.defaults() : IgnoreRules.parse(ignore), ttlTolerance);
        Replayer.Settings settings = new Replayer.Settings(oldServer, newServer, Duration.ofMillis(timeoutMs), rate, maxInFlight,
                Duration.ofMillis((long) (dedupe * 1000)), sample, Duration.ofMillis(confirmDelayMs), comparison, Duration.ofSeconds(windowSeconds),
                Duration.ofSeconds(10));
        LocalPostgres.Endpoint endpoint = db.endpoint();
        try (HikariDataSource ds = StoreSchema.dataSource(endpoint.jdbcUrl(), endpoint.user(), endpoint.password(), 4, "verify")) {
            StoreSchema.migrate(ds);
            DSLContext dsl = DSL.using(ds, SQLDialect.POSTGRES);
            VerifyStore store = new VerifyStore(dsl);
            try (QuerySource src = source(dsl); Replayer replayer = new Replayer(settings, store, dnsmig.verify.store.ZoneDirectory.of(store), null, Clock.systemUTC())) {
                Thread stopper = null;
                if (durationSeconds > 0) {
                    stopper = Thread.ofPlatform().daemon().name("verify-duration").start(() -> {
                        try {
                            Thread.sleep(Duration.ofSeconds(durationSeconds));
                            src.stop();
                        } catch (InterruptedException e) {
                            // the source ended first
                        }
                    });
                }
                Thread hook = new Thread(src::stop, "verify-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                out.println("verifying " + src.describe() + ": old " + oldServer + ", new " + newServer + (rate > 0 ? ", at most " + (long) rate + " queries/s" : ""));
                out.flush();
                Replayer.Totals t = new VerifyRun(src, replayer, maxQueries, source.probe).run(Duration.ofSeconds(Math.max(30, 3 * timeoutMs / 1000 + confirmDelayMs / 1000 + 10)));
                if (stopper != null) {
                    stopper.interrupt();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down
                }
                out.println(t.text());
                if (t.confirmed() > 0) {
                    out.println(t.findings() + " confirmed inconsistencies stored; see them with: dnsmig report (mail owners with: dnsmig report --email ...)");
                    return 3;
                }
                if (t.compared() > 0 && t.timeouts() == t.compared()) {
                    spec.commandLine().getErr().println("no query was answered by both servers: check --old/--new and their ports");
                    return 1;
                }
                return 0;
            }
        }
    }

    private QuerySource source(DSLContext dsl) throws java.io.IOException {
        if (source.dnstapSocket != null) {
            return DnstapSource.socket(source.dnstapSocket, nameserver);
        }
        if (source.dnstapFile != null) {
            return DnstapSource.file(source.dnstapFile, nameserver);
        }
        if (source.pcap != null) {
            return new PcapSource(source.pcap, port(pcapPort, "--port"), nameserver);
        }
        if (source.queryLog != null) {
            return new QueryLogSource(source.queryLog, follow, nameserver);
        }
        if (source.queryList != null) {
            if (nameserver == null) {
                throw new IllegalArgumentException("--query-list needs --nameserver (a query list does not say which nameserver was asked)");
            }
            return new QueryListSource(source.queryList, nameserver);
        }
        return new Probes(dsl, zone == null ? null : (zone.endsWith(".") ? zone : zone + ".").toLowerCase(java.util.Locale.ROOT), probeAll, nameserver);
    }

    static InetAddress ip(String s, String option) {
        if (!s.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException(option + " '" + s + "' is not an IP address (names are not resolved)");
        }
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(option + " '" + s + "' is not an IP address");
        }
    }

    static int port(int p, String option) {
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(option + " must be 1 to 65535 (got " + p + ")");
        }
        return p;
    }
}
