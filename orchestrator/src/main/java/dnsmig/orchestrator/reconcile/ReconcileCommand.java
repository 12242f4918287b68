package dnsmig.orchestrator.reconcile;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.LegacyResilience;
import dnsmig.legacy.LegacyServer;
import dnsmig.legacy.LegacyWrite;
import dnsmig.legacy.Rndc;
import dnsmig.legacy.namedconf.NamedConf;
import dnsmig.legacy.namedconf.NamedConfException;
import dnsmig.legacy.namedconf.ZoneDecl;
import dnsmig.localpg.LocalPostgres;
import dnsmig.store.RecordStore;
import dnsmig.store.ReconcileStore;
import dnsmig.store.StoreSchema;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dnsmig reconcile}: every legacy zone against the record store. */
@Command(name = "reconcile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Transfers each legacy zone (AXFR, TSIG-signed) and compares it with the record store RRset by RRset, canonically (owner names"
                + " ignoring case, rdata in canonical wire form, TTL; the SOA serial aside). Reports what is missing from the store, extra in it,"
                + " or different (rdata or TTL), per zone and owner, and whether the legacy side was edited out of band (drift: its serial moved"
                + " in a way dnsmig's own write journal does not account for) or the two sides diverged. Every run is stored. --repair makes one"
                + " side equal to the other, so that a second run is clean."},
        footer = {"", "Examples:", "  dnsmig reconcile --all --named-conf /etc/bind/named.conf --tsig-key /etc/bind/dnsmig.key",
                "  dnsmig reconcile --zone acme.example --server 192.0.2.53 --tsig-key dnsmig.key --format json",
                "  dnsmig reconcile --all --named-conf /etc/bind/named.conf --tsig-key dnsmig.key --repair new",
                "", "Exit codes:",
                "  0  both sides agree (nothing differed, or everything that differed was repaired)",
                "  1  some zones could not be compared or repaired (legacy server unavailable, a conflict during repair, a zone on one side only);"
                        + " run again",
                "  2  bad usage or unusable input; nothing was changed",
                "  3  differences found and not repaired: review them, then run again with --repair legacy or --repair new"})
public final class ReconcileCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int DIFFERENCES = 3;

    /** Zones the legacy BIND serves for itself, not a customer's (as the backfill leaves them out). */
    private static final java.util.Set<String> LOCAL_ZONES = java.util.Set.of("localhost.", "127.in-addr.arpa.", "0.in-addr.arpa.", "255.in-addr.arpa.");

    static final class Scope {
        @Option(names = "--zone", paramLabel = "ZONE", required = true, description = "Only this zone.")
        String zone;

        @Option(names = "--all", required = true, description = "Every legacy zone (from --named-conf or --zone-list), and the store's zones the legacy"
                + " side does not list.")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    @Option(names = "--repair", paramLabel = "SIDE", description = "Make one side equal to the other: legacy (RFC 2136 updates to named, recorded in"
            + " the write journal) or new (the record store, under each zone's lock, with change-log rows).")
    String repair;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ReconcileReport.Format format;

    @Option(names = "--named-conf", paramLabel = "FILE", description = "The legacy named.conf: its primary zones of class IN are the legacy zone list"
            + " (and their files, with --zone-files).")
    Path namedConf;

    @Option(names = "--view", paramLabel = "NAME", description = "With --named-conf: only the zones of this view.")
    String view;

    @Option(names = "--zone-list", paramLabel = "FILE", description = "The legacy zone list instead of --named-conf: one zone per line (first word;"
            + " '#' comments).")
    Path zoneList;

    @Option(names = "--server", paramLabel = "IP", defaultValue = "127.0.0.1",
            description = "The legacy named's address, an IP literal (default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "53", description = "Its DNS port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--tsig-key", paramLabel = "FILE", description = "TSIG key file in BIND's format (tsig-keygen) for zone transfers and updates.")
    Path tsigKey;

    @Option(names = "--tsig-key-name", paramLabel = "NAME", description = "Which key of --tsig-key, when it holds several.")
    String tsigKeyName;

    @Option(names = "--zone-files", description = "The legacy zones are files without dynamic updates: read and repair the files named in"
            + " --named-conf, then rndc reload.")
    boolean zoneFiles;

    @Option(names = "--rndc-key", paramLabel = "FILE", defaultValue = "/etc/bind/rndc.key", description = "With --zone-files: the rndc key (default: ${DEFAULT-VALUE}).")
    Path rndcKey;

    @Option(names = "--rndc-port", paramLabel = "PORT", defaultValue = "953", description = "With --zone-files: named's control port (default: ${DEFAULT-VALUE}).")
    int rndcPort;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "4",
            description = "Zones reconciled at once, i.e. zone transfers in flight against the legacy server (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--transfer-timeout", paramLabel = "SECONDS", defaultValue = "60", description = "Limit for one zone transfer (default: ${DEFAULT-VALUE}).")
    int transferTimeout;

    @Mixin
    StoreOptions db;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Repair side = repair == null ? null : Repair.parse(repair);
        if (parallel < 1 || parallel > 64) {
            throw new IllegalArgumentException("--parallel must be between 1 and 64 (got " + parallel + ")");
        }
        Map<String, ZoneDecl> declared = declaredZones();
        List<String> zones;
        if (scope.all) {
            if (declared == null) {
                throw new IllegalArgumentException("--all needs the legacy zone list: --named-conf FILE or --zone-list FILE");
            }
            zones = List.copyOf(declared.keySet());
        } else {
            zones = List.of(LegacyDns.canonical(scope.zone));
        }
        LocalPostgres.Endpoint endpoint = db.endpoint();
        try (HikariDataSource ds = StoreSchema.dataSource(endpoint.jdbcUrl(), endpoint.user(), endpoint.password(), parallel + 2, "reconcile")) {
            StoreSchema.migrate(ds);
            RecordStore records = new RecordStore(DSL.using(ds, SQLDialect.POSTGRES));
            ReconcileStore ledger = new ReconcileStore(DSL.using(ds, SQLDialect.POSTGRES));
            if (scope.all) {
                List<String> kept = new ArrayList<>();
                for (String z : zones) {
                    if (!LOCAL_ZONES.contains(z) || records.zone(z).isPresent()) {
                        kept.add(z);
                    }
                }
                zones = kept;
            }
            Consumer<LegacyWrite> journal = w -> ledger.recordLegacyWrite(w.zone(), w.serialBefore(), w.serialAfter(), w.outcome(), w.change(), w.origin(),
                    w.at());
            LegacyDns legacy = legacy(zones, declared, journal);
            Reconciler.Result result = new Reconciler(legacy, records, ledger, side, parallel)
                    .run(scope.all ? "all" : zones.get(0), zones, scope.all, n -> err.println("reconcile: " + n + " zones done"));
            ReconcileReport.print(ledger, result, format, out);
            if (format != ReconcileReport.Format.table) {
                err.println(ReconcileReport.summary(result));
            }
            ReconcileStore.RunTotals t = result.totals();
            if (t.failedZones() > 0 || result.failedRepairs() > 0) {
                return FAILED;
            }
            return t.differences() > t.repaired() ? DIFFERENCES : OK;
        }
    }

    private LegacyDns legacy(List<String> zones, Map<String, ZoneDecl> declared, Consumer<LegacyWrite> journal) {
        LegacyResilience resilience = LegacyResilience.defaults();
        resilience = new LegacyResilience(resilience.queryTimeout(), Duration.ofSeconds(transferTimeout), resilience.readAttempts(), resilience.retryWait(),
                resilience.breakerWindow(), resilience.failureRate(), resilience.openFor(), resilience.clock());
        InetAddress address = ipLiteral(server);
        if (zoneFiles) {
            if (namedConf == null) {
                throw new IllegalArgumentException("--zone-files needs --named-conf (the zone files are found there)");
            }
            Map<String, Path> files = new LinkedHashMap<>();
            for (String z : zones) {
                ZoneDecl d = declared.get(z);
                if (d == null || d.file() == null) {
                    throw new IllegalArgumentException(z + " has no zone file in " + namedConf);
                }
                files.put(z, d.file());
            }
            Path base;
            try {
                base = NamedConf.read(namedConf).directory();
            } catch (NamedConfException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            return LegacyDns.zoneFiles(files, base, new Rndc(address.getHostAddress(), rndcPort, rndcKey), resilience, new SimpleMeterRegistry(), journal);
        }
        if (tsigKey == null) {
            throw new IllegalArgumentException("--tsig-key FILE is needed: the key the legacy named allows zone transfers and updates with");
        }
        if (!Files.isReadable(tsigKey)) {
            throw new IllegalArgumentException(tsigKey + " does not exist or cannot be read");
        }
        LegacyServer legacyServer = new LegacyServer(new InetSocketAddress(address, port), LegacyServer.keyFromFile(tsigKey, tsigKeyName));
        return LegacyDns.dynamic(legacyServer, zones, resilience, new SimpleMeterRegistry(), journal);
    }

    /** The legacy zone list by name (null when neither --named-conf nor --zone-list was given). */
    private Map<String, ZoneDecl> declaredZones() {
        if (namedConf != null && zoneList != null) {
            throw new IllegalArgumentException("give the legacy zone list once: --named-conf or --zone-list, not both");
        }
        Map<String, ZoneDecl> out = new LinkedHashMap<>();
        if (namedConf != null) {
            if (!Files.exists(namedConf)) {
                throw new IllegalArgumentException(namedConf + " does not exist");
            }
            try {
                for (ZoneDecl z : NamedConf.read(namedConf).zones()) {
                    if (z.isPrimary() && "IN".equals(z.dnsClass()) && (view == null || view.equals(z.view()))) {
                        out.putIfAbsent(LegacyDns.canonical(z.name()), z);
                    }
                }
            } catch (NamedConfException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            return out;
        }
        if (zoneList != null) {
            try {
                for (String line : Files.readAllLines(zoneList)) {
                    String l = line.strip();
                    if (!l.isEmpty() && !l.startsWith("#")) {
                        String zone = LegacyDns.canonical(l.split("\\s+")[0]);
                        out.putIfAbsent(zone, new ZoneDecl(zone.toLowerCase(Locale.ROOT), "IN", null, "primary", null, zoneList.toAbsolutePath(), 0));
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + zoneList + ": " + e.getMessage(), e);
            }
            return out;
        }
        return null;
    }

    private static InetAddress ipLiteral(String s) {
        if (!s.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new IllegalArgumentException("--server must be an IP address (names are not resolved): " + s);
        }
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("--server is not an IP address: " + s, e);
        }
    }
}
