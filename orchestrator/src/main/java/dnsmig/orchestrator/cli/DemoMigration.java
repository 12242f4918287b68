package dnsmig.orchestrator.cli;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.zaxxer.hikari.HikariDataSource;
import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.LegacyResilience;
import dnsmig.legacy.LegacyServer;
import dnsmig.legacy.LocalNamed;
import dnsmig.legacy.ReadOutcome;
import dnsmig.legacy.namedconf.NamedConf;
import dnsmig.legacy.namedconf.ZoneDecl;
import dnsmig.localpg.LocalPostgres;
import dnsmig.orchestrator.dualwrite.ChangeValidator;
import dnsmig.orchestrator.dualwrite.DualWriteResult;
import dnsmig.orchestrator.dualwrite.DualWriteSettings;
import dnsmig.orchestrator.dualwrite.DualWriter;
import dnsmig.orchestrator.dualwrite.QueueApplier;
import dnsmig.server.NameServer;
import dnsmig.server.mode.ServingMode;
import dnsmig.server.tap.DnstapTap;
import dnsmig.server.xfr.TransferPolicy;
import dnsmig.store.DualWriteStore;
import dnsmig.store.ReconcileStore;
import dnsmig.store.RecordStore;
import dnsmig.store.Rows;
import dnsmig.store.StoreSchema;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The demo after the backfill: the migration itself, on parts started here and stopped at the
 * end — a real named as the legacy server, dual writes through {@link DualWriter} (what the REST
 * API calls), reconcile, three nameservers and the new system's own index as in-process
 * {@link NameServer}s, a client query stream, the verifier on the nameservers' dnstap, report
 * mails into a local SMTP sink, and the cutover through {@code dnsmig cutover advance} and
 * {@code dnsmig rollback}. Commands an operator would type are run as commands, in-process.
 *
 * <p>Each phase prints what it found and records what did not go as it should; {@link #run}
 * returns those failures (none: the demo succeeded).
 */
final class DemoMigration implements AutoCloseable {

    static final List<String> NAMESERVERS = List.of("ns1", "ns2", "ns3");
    /** The verifier's window: short, so that a clean one follows the repair within the demo's minutes. */
    static final int WINDOW_SECONDS = 15;
    private static final String ACTOR = "dnsmig-demo";
    private static final String MAIL_FROM = "dnsmig@provider.example";
    private static final String OPERATOR = "noc@provider.example";

    private final PrintWriter out;
    private final Path samples;
    private final LocalPostgres.Endpoint db;
    private final List<String> dbArgs;
    private final List<String> failures = new ArrayList<>();
    private final List<AutoCloseable> started = new ArrayList<>();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final Map<String, String> refused = new TreeMap<>();
    private final Map<String, NameServer> servers = new LinkedHashMap<>();
    private final Path work;
    private final Map<ch.qos.logback.classic.Logger, ch.qos.logback.classic.Level> quieted = new LinkedHashMap<>();

    private LocalNamed named;
    private DSLContext dsl;
    private LegacyDns legacy;
    private DualWriteStore writes;
    private QueueApplier applier;
    private DualWriter writer;
    private NameServer newIndex;
    private QueryStream stream;
    private GreenMail smtp;

    DemoMigration(PrintWriter out, Path samples, LocalPostgres.Endpoint db, List<String> dbArgs) throws IOException {
        this.out = out;
        this.samples = samples;
        this.db = db;
        this.dbArgs = List.copyOf(dbArgs);
        this.work = Files.createTempDirectory("dnsmig-demo");
    }

    private void quiet(String name, ch.qos.logback.classic.Level level) {
        if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) {
            quieted.put(l, l.getLevel());
            l.setLevel(level);
        }
    }

    /** Phase 1, before the backfill: the legacy server the migration starts from. */
    void legacy() throws Exception {
        NamedConf conf = NamedConf.read(samples.resolve("named.conf"));
        Map<String, Path> loads = new LinkedHashMap<>();
        for (ZoneDecl z : conf.primaryZones()) {
            Optional<String> why = LocalNamed.refusal(z.name(), z.file());
            if (why.isPresent()) {
                refused.put(canonical(z.name()), why.get());
            } else {
                loads.put(z.name(), z.file());
            }
        }
        named = LocalNamed.start(loads);
        started.add(named);
        DemoCommand.phase(out, "1. legacy", "BIND named on 127.0.0.1:" + named.port() + " serves the sample provider as named.conf says"
                + " (dynamic zones with a TSIG key, dnstap on)");
        line("named loads %d of %d zones: %s", loads.size(), loads.size() + refused.size(), String.join(", ", named.zones()));
        refused.forEach((z, why) -> line("named refuses %s: %s (the zone is not served today)", z, why));
    }

    /** Phases 5 to the end. */
    List<String> run() throws Exception {
        // After the backfill, whose Spring application resets the logging configuration when it starts.
        if (System.getenv("DNSMIG_LOG_LEVEL") == null) {
            // The demo prints what each part did; their own lines would bury it. The taps' collector (the verifier) comes and goes
            // between its runs by design, so their reconnect warnings say nothing here.
            quiet("dnsmig.server", ch.qos.logback.classic.Level.WARN);
            quiet("dnsmig.verify", ch.qos.logback.classic.Level.WARN);
            quiet("dnsmig.orchestrator.dualwrite", ch.qos.logback.classic.Level.WARN);
            quiet("dnsmig.server.tap", ch.qos.logback.classic.Level.ERROR);
        }
        var ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 6, "dnsmig-demo");
        started.add(ds);
        StoreSchema.migrate(ds);
        dsl = DSL.using(ds, SQLDialect.POSTGRES);
        dualWrites();
        reconcile();
        nameservers();
        shadowTraffic();
        reports();
        repairAndVerifyAgain();
        cutover();
        return failures;
    }

    // ------------------------------------------------------------------ dual writes

    private void dualWrites() {
        ReconcileStore journal = new ReconcileStore(dsl);
        LegacyServer server = new LegacyServer(named.address(), LegacyServer.keyFromFile(named.keyFile(), null));
        // As dnsmig api wires it: every legacy write journaled, so reconcile tells dnsmig's own writes from edits out of band.
        legacy = LegacyDns.dynamic(server, named.zones(), LegacyResilience.defaults(), registry,
                w -> journal.recordLegacyWrite(w.zone(), w.serialBefore(), w.serialAfter(), w.outcome(), w.change(), w.origin(), w.at()));
        DualWriteSettings settings = DualWriteSettings.defaults();
        writes = new DualWriteStore(dsl).withStatementTimeout(settings.statementTimeout());
        applier = new QueueApplier(writes, legacy, settings, registry);
        writer = new DualWriter(writes, legacy, settings, registry, applier);

        DemoCommand.phase(out, "5. concurrent writes", "dnsmig mode set CONCURRENT; users' changes through the dual writer (the REST API's service layer)");
        command("mode", "set", "CONCURRENT", "--reason", "demo: the store follows legacy", "--by", ACTOR);
        expect(write("umbrella.example", "www", "A", 300, "192.0.2.91") instanceof DualWriteResult.Written, "a concurrent write was not accepted");
        // www.acme.example is a CNAME: named answers NOERROR to an A beside it but applies nothing (RFC 2136 3.4.2.2); the user is told.
        expect(write("acme.example", "www", "A", 300, "192.0.2.12") instanceof DualWriteResult.Failed f && f.status() == 422,
                "the write legacy ignored was not refused");
        int settled = applier.drainOnce();
        var diverged = writes.divergences(new DualWriteStore.DivergenceFilter(null, null, "dual-write", null, false, 20));
        line("queue applier: %d changes settled; www.umbrella.example. A in the store: %s", settled, stored("umbrella.example.", "www.umbrella.example.", "A"));
        for (var d : diverged) {
            line("divergence #%d (%s, owner %s): %s [%s]", d.id(), d.zone(), d.owner(), d.detail(), d.reason());
        }
        String ignored = legacyText("acme.example.", "www.acme.example.", Type.A);
        line("www.acme.example. A: legacy %s, store %s", ignored.isEmpty() ? "none" : ignored,
                stored("acme.example.", "www.acme.example.", "A").isEmpty() ? "none" : stored("acme.example.", "www.acme.example.", "A"));
        expect(stored("umbrella.example.", "www.umbrella.example.", "A").equals("300 192.0.2.91"), "the concurrent write did not reach the store");
        expect(ignored.isEmpty() && stored("acme.example.", "www.acme.example.", "A").isEmpty(), "the write legacy ignored landed somewhere");

        DemoCommand.phase(out, "6. synchronous writes", "dnsmig mode set SYNCHRONOUS: both sides or neither");
        command("mode", "set", "SYNCHRONOUS", "--reason", "demo: divergences triaged", "--by", ACTOR);
        expect(write("umbrella.example", "mail", "A", 300, "192.0.2.92") instanceof DualWriteResult.Written, "a synchronous write failed");
        line("mail.umbrella.example. A: legacy %s, store %s", legacyText("umbrella.example.", "mail.umbrella.example.", Type.A),
                stored("umbrella.example.", "mail.umbrella.example.", "A"));
        expect(legacyText("umbrella.example.", "mail.umbrella.example.", Type.A).equals("300 192.0.2.92")
                && stored("umbrella.example.", "mail.umbrella.example.", "A").equals("300 192.0.2.92"), "the synchronous write is not on both sides");
        expect(write("acme.example", "www", "A", 300, "192.0.2.13") instanceof DualWriteResult.Invalid, "the new side's rules did not refuse the write");
        String l = legacyText("acme.example.", "www.acme.example.", Type.A);
        String s = stored("acme.example.", "www.acme.example.", "A");
        line("www.acme.example. A: legacy %s, store %s (on neither side)", l.isEmpty() ? "none" : l, s.isEmpty() ? "none" : s);
        expect(l.isEmpty() && s.isEmpty(), "the refused synchronous write landed somewhere");
    }

    private DualWriteResult write(String zone, String name, String type, long ttl, String... rdata) {
        String request = writes.currentMode().mode() + " PUT " + name + "." + zone + " " + type + " " + ttl + " " + String.join(" ", rdata);
        DualWriteResult r = switch (ChangeValidator.parse(zone, name, type, ttl, List.of(rdata))) {
            case ChangeValidator.Parsed.Bad bad -> new DualWriteResult.Invalid(bad.errors());
            case ChangeValidator.Parsed.Ok ok -> writer.write(ok.write());
        };
        String answer = switch (r) {
            case DualWriteResult.Written w -> "200 written: " + w.detail();
            case DualWriteResult.Invalid i -> "422 refused: " + i.errors().stream().map(e -> e.rule() + " (" + e.message() + ")").collect(Collectors.joining("; "));
            case DualWriteResult.Conflict c -> "409 conflict: " + c.message();
            case DualWriteResult.Failed f -> f.status() + " failed: " + f.message();
        };
        line("%s -> %s", request, answer);
        return r;
    }

    private String stored(String zone, String name, String type) {
        return writes.rrset(zone, name, type).stream().map(r -> r.ttl() + " " + r.rdata()).sorted().collect(Collectors.joining(", "));
    }

    private String legacyText(String zone, String name, int type) {
        try {
            ReadOutcome r = legacy.rrset(zone, Name.fromString(name), type);
            if (r instanceof ReadOutcome.Zone z) {
                return z.records().stream().map(rec -> rec.getTTL() + " " + rec.rdataToString()).sorted().collect(Collectors.joining(", "));
            }
            return "(legacy: " + r + ")";
        } catch (org.xbill.DNS.TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    // ------------------------------------------------------------------ reconcile

    private List<String> reconcileArgs(String... more) {
        List<String> a = new ArrayList<>(List.of("reconcile", "--all", "--named-conf", named.namedConf().toString(), "--server", "127.0.0.1",
                "--port", Integer.toString(named.port()), "--tsig-key", named.keyFile().toString()));
        a.addAll(List.of(more));
        return a;
    }

    private void reconcile() {
        DemoCommand.phase(out, "7. reconcile", "dnsmig reconcile --all: every legacy zone transferred (AXFR, TSIG) and compared with the store");
        command(reconcileArgs());
        explainReconcile();
    }

    /** The last reconcile: clean, or every zone that is not is one named refuses to load. */
    private void explainReconcile() {
        ReconcileStore ledger = new ReconcileStore(dsl);
        long run = ledger.lastRun().orElseThrow();
        var zones = ledger.zones(run);
        Map<String, Long> byStatus = zones.stream().collect(Collectors.groupingBy(ReconcileStore.ZoneResult::status, TreeMap::new, Collectors.counting()));
        line("run %d: %s", run, byStatus.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")));
        for (var z : zones) {
            if (z.status().equals("clean")) {
                continue;
            }
            boolean explained = z.status().equals("not-in-legacy") && refused.containsKey(z.zone());
            line("%s %s: %s", z.zone(), z.status(), explained ? "legacy named refuses to load it (" + refused.get(z.zone()) + "); its owner has the rejects"
                    : z.differences() + " RRset difference(s), " + z.repaired() + " repaired" + (z.message() == null ? "" : " (" + z.message() + ")"));
            expect(explained || (z.differences() > 0 && z.repaired() >= z.differences()), "reconcile: " + z.zone() + " " + z.status() + " is not explained");
        }
    }

    // ------------------------------------------------------------------ nameservers

    private HikariDataSource pool(String name) {
        HikariDataSource p = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 3, "dnsmig-demo-" + name);
        started.add(p);
        return p;
    }

    private static NameServer.Settings settings(String name) {
        return new NameServer.Settings(name, List.of(new InetSocketAddress("127.0.0.1", 0)), 1, 10_000, 64, Duration.ofSeconds(5), TransferPolicy.NOBODY,
                Duration.ofMillis(200));
    }

    private InetSocketAddress address(String ns) {
        return servers.get(ns).udpAddresses().get(0);
    }

    private void nameservers() throws Exception {
        DemoCommand.phase(out, "8. nameservers", "ns1, ns2, ns3 (dnsmig serve --legacy) and the new system's index, in-process on loopback ports");
        newIndex = NameServer.start(settings("new"), pool("new"), registry, null);
        started.add(newIndex);
        line("new index  %s: %d zones, %d records loaded from the store; answers from them alone (the verifier's new side)",
                text(newIndex.udpAddresses().get(0)), newIndex.loaded().zones(), newIndex.loaded().records());
        Path socket = work.resolve("tap.sock");
        for (String ns : NAMESERVERS) {
            // Reconnects fast: the verifier's collector comes and goes between its runs.
            DnstapTap tap = DnstapTap.toSocket(socket, new DnstapTap.Settings(ns, 1.0, 10_000, Duration.ofMillis(100), Duration.ofSeconds(5),
                    Duration.ofMillis(50), Duration.ofMillis(250)), registry);
            started.add(tap);
            NameServer s = NameServer.start(settings(ns), pool(ns), registry, tap, new NameServer.Cutover(named.address(), Duration.ofSeconds(2), 10_000,
                    Duration.ofMillis(250), Duration.ofMillis(250)));
            started.add(s);
            servers.put(ns, s);
            line("%-10s %s: serving mode %s (forwards to named %s), %d zones loaded, dnstap to the verifier's socket", ns, text(address(ns)),
                    s.servingMode(), text(named.address()), s.loaded().zones());
            expect(s.servingMode().equals(ServingMode.LEGACY), ns + " did not start in legacy mode");
        }
    }

    // ------------------------------------------------------------------ stream and verifier

    private List<QueryStream.Query> queries() throws IOException {
        List<QueryStream.Query> q = new ArrayList<>();
        for (String l : Files.readAllLines(samples.resolve("queries.txt"))) {
            String t = l.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] p = t.split("\\s+");
            q.add(new QueryStream.Query(Name.fromString(p[0], Name.root), Type.value(p[1])));
        }
        // The names the demo wrote and the one it plants.
        for (String n : List.of("www.umbrella.example.", "mail.umbrella.example.", "www.initech.example.", "ftp.initech.example.")) {
            q.add(new QueryStream.Query(Name.fromString(n), Type.A));
        }
        return q;
    }

    private void shadowTraffic() throws Exception {
        DemoCommand.phase(out, "9. query stream and verifier", "clients ask ns1-ns3; dnsmig verify replays their dnstap against legacy and new");
        // One side changed out of band (as a hand-made SQL fix would): the verifier must catch it.
        RecordStore records = new RecordStore(dsl);
        Rows.Rr ftp = records.records("initech.example.").stream().filter(r -> r.name().equals("ftp.initech.example.") && r.type().equals("A"))
                .findFirst().orElseThrow(() -> new IllegalStateException("the sample zone initech.example lost ftp A"));
        String planted = "ftp.initech.example. A " + ftp.rdata() + " -> 192.0.2.53";
        new ReconcileStore(dsl).replaceRRsets("initech.example.", List.of(new ReconcileStore.RRset(ftp.name(), "A",
                List.of(new Rows.Rr(ftp.name(), "A", ftp.ttl(), "192.0.2.53")))), "demo-out-of-band");
        line("planted out of band, in the store only: %s", planted);
        List<QueryStream.Query> queries = queries();
        Map<String, InetSocketAddress> targets = new LinkedHashMap<>();
        NAMESERVERS.forEach(ns -> targets.put(ns, address(ns)));
        stream = new QueryStream(targets, queries, Duration.ofMillis(4), 200_000);
        started.add(stream);
        line("query stream: %d queries (samples/queries.txt and the names written above) round and round to each of %s, every fifth over TCP",
                queries.size(), targets.values().stream().map(DemoMigration::text).toList());
        Thread.sleep(1000);
        java.time.OffsetDateTime since = java.time.OffsetDateTime.now();
        int exit = verify(8);
        expect(exit == 3, "the verifier did not confirm the planted inconsistency (exit " + exit + ")");
        for (String ns : NAMESERVERS) {
            var w = dsl.fetchOne("select coalesce(sum(compared), 0)::bigint, coalesce(sum(matched), 0)::bigint, coalesce(sum(confirmed), 0)::bigint"
                    + " from verify_window where nameserver = {0} and zone_name is null and window_end > {1}", DSL.val(ns), DSL.val(since));
            line("%s: %d compared, %d matched, %d confirmed inconsistencies", ns, w.get(0, Long.class), w.get(1, Long.class), w.get(2, Long.class));
        }
        for (var f : dsl.fetch("select nameserver, zone_name, qname, qtype, category, count from verify_finding where state = 'open' order by nameserver")) {
            line("finding: %s %s %s %s %s, seen %d times", f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), f.get(5));
        }
        expect(dsl.fetchCount(DSL.table("verify_finding"), DSL.field("qname").eq("ftp.initech.example.")) > 0, "no finding for the planted record");
    }

    /** dnsmig verify on the nameservers' dnstap for {@code seconds}; returns its exit code. */
    private int verify(int seconds) {
        return command("verify", "--old", "127.0.0.1", "--old-port", Integer.toString(named.port()), "--new", "127.0.0.1", "--new-port",
                Integer.toString(newIndex.udpAddresses().get(0).getPort()), "--dnstap-socket", work.resolve("tap.sock").toString(), "--duration",
                Integer.toString(seconds), "--window", Integer.toString(WINDOW_SECONDS), "--confirm-delay", "500", "--rate", "0");
    }

    /** Each nameserver's last verifier window, as the gates read it. */
    private void lastWindows() {
        for (String ns : NAMESERVERS) {
            var w = dsl.fetchOne("select window_start, window_end, compared, matched, confirmed from verify_window where nameserver = {0}"
                    + " and zone_name is null order by window_end desc limit 1", DSL.val(ns));
            if (w == null) {
                line("%s: no verifier window", ns);
                failures.add("no verifier window for " + ns);
                continue;
            }
            long compared = w.get(2, Long.class);
            long confirmed = w.get(4, Long.class);
            line("%s: last window %s .. %s: %d compared, %d matched, %d confirmed inconsistencies (%.2f%% consistent)", ns,
                    time(w.get(0, java.time.OffsetDateTime.class)), time(w.get(1, java.time.OffsetDateTime.class)), compared, w.get(3, Long.class), confirmed,
                    compared == 0 ? 0.0 : 100.0 * (compared - confirmed) / compared);
        }
    }

    private static final java.time.format.DateTimeFormatter HMS = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneOffset.UTC);

    private static String time(java.time.OffsetDateTime t) {
        return HMS.format(t);
    }

    private static String text(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    // ------------------------------------------------------------------ reports

    private void reports() throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        started.add(smtp::stop);
        int port = smtp.getSmtp().getPort();
        DemoCommand.phase(out, "10. report emails", "dnsmig report --email to a local SMTP sink (GreenMail on 127.0.0.1:" + port + "), read back");
        int exit = command("report", "--email", "--smtp-host", "127.0.0.1", "--smtp-port", Integer.toString(port), "--mail-from", MAIL_FROM,
                "--operator-email", OPERATOR);
        expect(exit == 0, "dnsmig report --email failed (exit " + exit + ")");
        smtp.waitForIncomingEmail(5000, 1);
        Map<String, List<String>> zonesByEmail = new TreeMap<>();
        for (var r : dsl.fetch("select o.email, z.name from zone z join owner o on o.id = z.owner_id where o.email is not null")) {
            zonesByEmail.computeIfAbsent(r.get(0, String.class).toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(r.get(1, String.class));
        }
        List<String> allZones = dsl.fetch("select name from zone").getValues(0, String.class);
        MimeMessage[] mails = smtp.getReceivedMessages();
        line("%d mails received", mails.length);
        for (MimeMessage m : mails) {
            String to = m.getAllRecipients()[0].toString().toLowerCase(Locale.ROOT);
            String text = text(m);
            line("To: %s | Subject: %s", to, m.getSubject());
            excerpt(text).forEach(l -> line("    %s", l));
            if (!to.equals(OPERATOR)) {
                List<String> mine = zonesByEmail.getOrDefault(to, List.of());
                List<String> others = zonesIn(text).stream().filter(z -> allZones.contains(z) && !mine.contains(z)).distinct().toList();
                expect(others.isEmpty(), "the mail to " + to + " lists zones of others: " + others);
            }
        }
        expect(mails.length > 0, "no report mail arrived");
    }

    private static final java.util.regex.Pattern ITEM_ZONE = java.util.regex.Pattern.compile("^  (?:\\[fixed\\] )?(\\S+\\.) |\\(zone (\\S+\\.),");

    /** The zones a report's items are about: a reject or divergence line starts with its zone, a finding names it. */
    private static List<String> zonesIn(String report) {
        List<String> zones = new ArrayList<>();
        report.lines().forEach(l -> {
            var m = ITEM_ZONE.matcher(l);
            while (m.find()) {
                String z = m.group(1) != null ? m.group(1) : m.group(2);
                zones.add(z.toLowerCase(Locale.ROOT));
            }
        });
        return zones;
    }

    /**
     * The lines of a report mail worth showing: each section heading with its count ("Records the new
     * system could not import (3):") and the first item of a non-empty one; the summary's nameserver rows.
     */
    private static List<String> excerpt(String mail) {
        List<String> shown = new ArrayList<>();
        List<String> lines = mail.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.endsWith("):")) {
                shown.add(l.strip());
                if (!l.endsWith("(0):") && i + 1 < lines.size() && !lines.get(i + 1).isBlank()) {
                    String item = lines.get(i + 1).strip();
                    shown.add("  " + (item.length() > 140 ? item.substring(0, 137) + "..." : item));
                }
            } else if (l.matches("(nameserver|ns\\d+) .*")) {
                shown.add(l.strip());
            }
        }
        return shown;
    }

    private static String text(Part p) throws Exception {
        if (p.isMimeType("text/plain")) {
            return (String) p.getContent();
        }
        if (p.getContent() instanceof Multipart mp) {
            for (int i = 0; i < mp.getCount(); i++) {
                String t = text(mp.getBodyPart(i));
                if (!t.isEmpty()) {
                    return t;
                }
            }
        }
        return "";
    }

    // ------------------------------------------------------------------ repair, a clean window

    private void repairAndVerifyAgain() throws Exception {
        DemoCommand.phase(out, "11. repair and verify again", "dnsmig reconcile --all --repair new (the store takes legacy's answer), then a clean"
                + " verifier window");
        command(reconcileArgs("--repair", "new"));
        explainReconcile();
        // Start the run just before a window begins and end it before that window ends: the gates read the last window, whole.
        long windowMillis = WINDOW_SECONDS * 1000L;
        long now = System.currentTimeMillis();
        long next = (now + 2500) - Math.floorMod(now + 2500, windowMillis) + windowMillis;
        Thread.sleep(Math.max(0, next - 1500 - now));
        line("verifier window %s .. %s (%d s)", HMS.format(Instant.ofEpochMilli(next)), HMS.format(Instant.ofEpochMilli(next + windowMillis)), WINDOW_SECONDS);
        int exit = verify(WINDOW_SECONDS - 1);
        expect(exit == 0, "the verifier still confirms inconsistencies after the repair (exit " + exit + ")");
        lastWindows();
    }

    // ------------------------------------------------------------------ cutover

    private void cutover() throws Exception {
        DemoCommand.phase(out, "12. cutover ns1", "dnsmig cutover advance ns1 --to canary:10, then --to new, through the gates");
        advance("ns1", "canary:10", ServingMode.canary(10));
        advance("ns1", "new", ServingMode.NEW);

        DemoCommand.phase(out, "13. rollback ns1", "dnsmig rollback ns1: back to the mode before the last advance");
        Instant started = Instant.now();
        var switched = watch("ns1", ServingMode.canary(10));
        int exit = command("rollback", "ns1", "--by", ACTOR, "--reason", "demo: rollback drill");
        long commandMs = Duration.between(started, Instant.now()).toMillis();
        Instant at = switched.get();
        Instant committed = dsl.fetchOne("select at from cutover_audit where nameserver = 'ns1' and action = 'rollback' order by id desc limit 1")
                .get(0, java.time.OffsetDateTime.class).toInstant();
        long effectMs = at == null ? -1 : Duration.between(committed, at).toMillis();
        line("ns1 serves %s %d ms after the rollback was committed (%d ms after the command started; the command took %d ms)",
                servers.get("ns1").servingMode(), effectMs, at == null ? -1 : Duration.between(started, at).toMillis(), commandMs);
        expect(exit == 0 && at != null && effectMs < 1000, "the rollback did not take effect within a second (" + effectMs + " ms)");

        DemoCommand.phase(out, "14. every nameserver to new", "dnsmig cutover advance ns1, ns2, ns3 --to new");
        for (String ns : NAMESERVERS) {
            advance(ns, "new", ServingMode.NEW);
        }
        Thread.sleep(2000); // the stream keeps asking the nameservers in their new mode
        List<String> servable = new RecordStore(dsl).zones().stream().filter(RecordStore.ZoneInfo::servable).map(RecordStore.ZoneInfo::name).toList();
        for (String ns : NAMESERVERS) {
            int answered = 0;
            for (String z : servable) {
                org.xbill.DNS.Message m = ask(address(ns), z);
                if (m != null && m.getRcode() == Rcode.NOERROR && m.getHeader().getFlag(org.xbill.DNS.Flags.AA)) {
                    answered++;
                }
            }
            line("%s: serving mode %s; answers SOA for %d of %d servable zones itself (legacy served %d)", ns, servers.get(ns).servingMode(), answered,
                    servable.size(), named.zones().size());
            expect(servers.get(ns).servingMode().equals(ServingMode.NEW) && answered == servable.size(), ns + " does not serve everything from the new index");
        }

        DemoCommand.phase(out, "15. the query stream", "what the clients saw through every phase since the nameservers started");
        stream.close();
        long lost = 0;
        for (var e : stream.counts().entrySet()) {
            line("%s: %s", e.getKey(), e.getValue());
            lost += e.getValue().lost().get();
        }
        expect(lost == 0, lost + " queries were lost");
        line("%d queries lost", lost);
    }

    /** Advances through the gates; only a refusal the operator can explain (zones legacy does not serve) is forced, with that reason. */
    private void advance(String ns, String to, ServingMode expected) throws Exception {
        Instant t0 = Instant.now();
        Run r = capture("cutover", "advance", ns, "--to", to, "--by", ACTOR, "--reason", "demo: gates pass");
        if (r.exit() == 3) {
            List<String> failed = r.out().lines().filter(l -> l.strip().startsWith("FAILED")).toList();
            boolean onlyReconcile = failed.size() == 1 && failed.get(0).strip().split("\\s+")[1].equals("reconcile")
                    && unexplainedReconcileZones() == 0;
            if (!onlyReconcile) {
                failures.add("the gates refuse " + ns + " -> " + to + ": " + failed);
                return;
            }
            line("the reconcile gate counts the %d zones legacy named refuses to load; every zone legacy serves is equal: forced, as an operator would",
                    refused.size());
            t0 = Instant.now();
            r = capture(l -> !l.startsWith("  ok ") && !l.startsWith("  FAILED ") && !l.startsWith("Gates for "), "cutover", "advance", ns, "--to", to,
                    "--by", ACTOR, "--force", "--reason", "only the zones legacy named refuses to load (" + String.join(", ", refused.keySet())
                            + ") differ; every zone legacy serves reconciles clean");
        }
        if (r.exit() != 0) {
            failures.add("cutover advance " + ns + " --to " + to + " exited " + r.exit());
            return;
        }
        Instant at = servesAt(ns, expected);
        long ms = at == null ? -1 : Duration.between(t0, at).toMillis();
        line("%s serves %s %d ms after the command started", ns, servers.get(ns).servingMode(), ms);
        expect(ms >= 0, ns + " did not switch to " + expected);
    }

    private long unexplainedReconcileZones() {
        ReconcileStore ledger = new ReconcileStore(dsl);
        return ledger.zones(ledger.lastRun().orElseThrow()).stream()
                .filter(z -> !z.status().equals("clean") && !(z.status().equals("not-in-legacy") && refused.containsKey(z.zone()))
                        && !(z.differences() > 0 && z.repaired() >= z.differences()))
                .count();
    }

    /**
     * Watches, from now, for the nameserver to serve {@code mode}: the future is the moment it did
     * (null if it did not within 5 s). Started before the command, so that the moment is not the
     * command's return.
     */
    private java.util.concurrent.CompletableFuture<Instant> watch(String ns, ServingMode mode) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return servesAt(ns, mode);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }, r -> Thread.ofPlatform().daemon().name("demo-watch-" + ns).start(r));
    }

    /** The moment the nameserver serves {@code mode}, looked at every millisecond for at most 5 s; null if it did not. */
    private Instant servesAt(String ns, ServingMode mode) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (servers.get(ns).servingMode().equals(mode)) {
                return Instant.now();
            }
            Thread.sleep(1);
        }
        return null;
    }

    private static org.xbill.DNS.Message ask(InetSocketAddress server, String zone) throws IOException {
        var r = new org.xbill.DNS.SimpleResolver(server);
        r.setTimeout(Duration.ofSeconds(2));
        org.xbill.DNS.Message q = org.xbill.DNS.Message.newQuery(Record.newRecord(Name.fromString(zone), Type.SOA, org.xbill.DNS.DClass.IN));
        q.getHeader().unsetFlag(org.xbill.DNS.Flags.RD);
        try {
            return r.send(q);
        } catch (IOException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ helpers

    record Run(int exit, String out, String err) {}

    /** A dnsmig command in-process on the demo's database; its output printed indented. */
    private int command(String... args) {
        return command(List.of(args));
    }

    private int command(List<String> args) {
        Run r = capture(args.toArray(String[]::new));
        return r.exit();
    }

    private Run capture(String... args) {
        return capture(l -> true, args);
    }

    /** As {@link #capture(String...)}, printing only the output lines {@code shown} accepts. */
    private Run capture(java.util.function.Predicate<String> shown, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(dbArgs);
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        out.println("  $ dnsmig " + String.join(" ", args));
        int exit = Main.commandLine(new PrintWriter(o, true), new PrintWriter(e, true)).execute(all.toArray(String[]::new));
        o.toString().lines().filter(shown).forEach(l -> out.println("    " + l));
        e.toString().lines().filter(l -> !l.isBlank()).filter(shown).forEach(l -> out.println("    " + l));
        out.println("    (exit " + exit + ")");
        out.flush();
        return new Run(exit, o.toString(), e.toString());
    }

    private void line(String format, Object... args) {
        out.println("  " + String.format(Locale.ROOT, format, args));
        out.flush();
    }

    private void expect(boolean ok, String failure) {
        if (!ok) {
            failures.add(failure);
            line("FAILED: %s", failure);
        }
    }

    private static String canonical(String zone) {
        String z = zone.strip().toLowerCase(Locale.ROOT);
        return z.endsWith(".") ? z : z + ".";
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                out.println("  (stopping " + started.get(i) + ": " + e.getMessage() + ")");
            }
        }
        quieted.forEach(ch.qos.logback.classic.Logger::setLevel);
        try (var walk = Files.walk(work)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory
        }
    }
}
