package dnsmig.orchestrator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.legacy.ChangeSet;
import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.LegacyResilience;
import dnsmig.legacy.LegacyServer;
import dnsmig.legacy.RRsetChange;
import dnsmig.legacy.ReadOutcome;
import dnsmig.legacy.WriteOutcome;
import dnsmig.orchestrator.cli.Cli;
import dnsmig.store.RecordStore;
import dnsmig.store.ReconcileStore;
import dnsmig.store.Rows;
import dnsmig.store.StoreSchema;
import dnsmig.testkit.BindTools;
import dnsmig.testkit.NamedFixture;
import dnsmig.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Reconcile end to end, through the command line: a set of zones backfilled from the legacy
 * named's own named.conf, differences planted on both sides (a write dnsmig made to legacy only,
 * records only in the store, a TTL and an rdata change in the store, an edit made to legacy out of
 * band), found exactly, told apart (drift vs divergence), repaired in both directions, and a
 * second reconcile is clean.
 */
class ReconcileTest {

    static String zone(String origin, int serial) {
        return """
                $TTL 300
                @       SOA ns1.%1$s hostmaster.%1$s %2$d 3600 600 86400 300
                @       NS  ns1
                ns1     A   192.0.2.1
                www     A   192.0.2.80
                www     A   192.0.2.81
                mail    A   192.0.2.25
                @       MX  10 Mail.%1$s
                @       TXT "v=spf1 mx -all"
                v6      AAAA 2001:db8:0:0::1
                """.formatted(origin + ".", serial);
    }

    @TempDir
    Path tmp;

    NamedFixture named;
    TestPostgres.Database db;
    HikariDataSource ds;
    RecordStore records;
    ReconcileStore ledger;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        named = NamedFixture.builder().dynamicZone("a.test", zone("a.test", 10)).dynamicZone("b.test", zone("b.test", 20))
                .dynamicZone("c.test", zone("c.test", 30)).dynamicZone("d.test", zone("d.test", 40)).start();
        db = TestPostgres.newDatabase();
        ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "test");
        records = new RecordStore(DSL.using(ds, SQLDialect.POSTGRES));
        ledger = new ReconcileStore(DSL.using(ds, SQLDialect.POSTGRES));
        cli = new Cli(db);
        Path owners = Files.writeString(tmp.resolve("owners.csv"), "zone,owner,email\na.test,alice,a@example.net\nb.test,bob,b@example.net\n"
                + "c.test,carol,c@example.net\nd.test,dave,d@example.net\n");
        Cli.Run backfill = cli.run("backfill", "--named-conf", named.namedConf().toString(), "--owners", owners.toString(), "--progress", "never");
        assertThat(backfill.exit()).as(backfill.toString()).isZero();
        assertThat(records.zones()).hasSize(4);
    }

    @AfterEach
    void tearDown() {
        ds.close();
        named.close();
    }

    Cli.Run reconcile(String... extra) {
        List<String> args = new ArrayList<>(List.of("reconcile", "--server", "127.0.0.1", "--port", Integer.toString(named.port()), "--tsig-key",
                named.keyFile().toString()));
        args.addAll(List.of(extra));
        return cli.run(args.toArray(String[]::new));
    }

    /** The stored differences of the last run: zone, cause, kind, name, type. */
    List<String> lastRunDifferences() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); var s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select zone_name, owner, cause, kind, name, type, coalesce(legacy_text, '-'), coalesce(new_text, '-') from dnsmig.reconcile_difference"
                        + " where run_id = (select max(id) from dnsmig.reconcile_run) order by zone_name, name, type")) {
            while (rs.next()) {
                out.add(String.join(" ", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), "|",
                        rs.getString(7), "|", rs.getString(8)));
            }
        }
        return out;
    }

    static Record rec(String text) throws Exception {
        String[] p = text.split("\\s+", 4);
        return Record.fromString(Name.fromString(p[0]), Type.value(p[2]), DClass.IN, Long.parseLong(p[1]), p[3], Name.root);
    }

    @Test
    void findsExactlyThePlantedDifferencesTellsDriftFromDivergenceRepairsAndIsThenClean() throws Exception {
        // Nothing planted yet: legacy and store agree (rdata compared canonically: "Mail.a.test." vs the store's text, "2001:db8:0:0::1")
        Cli.Run first = reconcile("--all", "--named-conf", named.namedConf().toString());
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.out()).contains("4 zone(s), 4 clean");

        // b.test: a write dnsmig made to legacy that never reached the store (a dual-write failure), journaled by LegacyDns
        LegacyDns legacy = LegacyDns.dynamic(new LegacyServer(named.socketAddress(), LegacyServer.keyFromFile(named.keyFile(), null)), named.zones(),
                LegacyResilience.defaults(), new SimpleMeterRegistry(),
                w -> ledger.recordLegacyWrite(w.zone(), w.serialBefore(), w.serialAfter(), w.outcome(), w.change(), w.origin(), w.at()));
        assertThat(legacy.apply(new ChangeSet("b.test", List.of(RRsetChange.create(List.of(rec("api.b.test. 60 A 192.0.2.90")))), "api")))
                .isInstanceOf(WriteOutcome.Applied.class);
        // c.test: the store alone has a record, a different TTL and different rdata
        ledger.replaceRRsets("c.test", List.of(
                new ReconcileStore.RRset("only-new.c.test.", "A", List.of(new Rows.Rr("only-new.c.test.", "A", 300, "192.0.2.7"))),
                new ReconcileStore.RRset("www.c.test.", "A", List.of(new Rows.Rr("www.c.test.", "A", 900, "192.0.2.80"), new Rows.Rr("www.c.test.", "A", 900, "192.0.2.81"))),
                new ReconcileStore.RRset("mail.c.test.", "A", List.of(new Rows.Rr("mail.c.test.", "A", 300, "192.0.2.26")))), "test");
        // d.test: someone edits legacy out of band (nsupdate, not dnsmig)
        Path script = Files.writeString(tmp.resolve("oob.txt"), "server 127.0.0.1 " + named.port() + "\nzone d.test\n"
                + "update add hand-made.d.test. 120 TXT \"added by hand\"\nupdate delete v6.d.test. AAAA\nsend\n");
        BindTools.Result nsupdate = BindTools.run(tmp, List.of("nsupdate", "-t", "5", "-k", named.keyFile().toString(), script.toString()));
        assertThat(nsupdate.exit()).as(nsupdate.err()).isZero();

        Cli.Run found = reconcile("--all", "--named-conf", named.namedConf().toString());
        assertThat(found.exit()).as(found.toString()).isEqualTo(3);
        assertThat(lastRunDifferences()).containsExactly(
                "b.test. bob divergence missing api.b.test. A | 60 192.0.2.90 | -",
                "c.test. carol divergence rdata mail.c.test. A | 300 192.0.2.25 | 300 192.0.2.26",
                "c.test. carol divergence extra only-new.c.test. A | - | 300 192.0.2.7",
                "c.test. carol divergence ttl www.c.test. A | 300 192.0.2.80 | 300 192.0.2.81 | 900 192.0.2.80 | 900 192.0.2.81",
                "d.test. dave drift missing hand-made.d.test. TXT | 120 \"added by hand\" | -",
                "d.test. dave drift extra v6.d.test. AAAA | - | 300 2001:db8:0:0:0:0:0:1");
        assertThat(found.out()).contains("4 zone(s), 1 clean, 3 differ (1 with drift: edited out of band), 0 not compared; 6 RRset difference(s)")
                .contains("the legacy serial moved from 40 to 41 without dnsmig");

        Cli.Run csv = reconcile("--zone", "c.test", "--format", "csv");
        assertThat(csv.exit()).isEqualTo(3);
        assertThat(csv.out().lines()).first().isEqualTo("run,zone,owner,status,cause,kind,name,type,legacy,new,repaired,note");
        assertThat(csv.out().lines()).hasSize(4).anyMatch(l -> l.contains("\"c.test.\",\"carol\",differs,divergence,ttl,\"www.c.test.\",A"));
        Cli.Run json = reconcile("--zone", "d.test", "--format", "json");
        assertThat(json.exit()).isEqualTo(3);
        assertThat(json.out()).contains("\"zone\":\"d.test.\"").contains("\"cause\":\"drift\"").contains("\"kind\":\"missing\"");

        // repair: the legacy side takes the store's version of c.test; the store takes legacy's version of b.test and d.test
        Cli.Run toLegacy = reconcile("--zone", "c.test", "--repair", "legacy");
        assertThat(toLegacy.exit()).as(toLegacy.toString()).isZero();
        assertThat(toLegacy.out()).contains("3 repaired");
        Cli.Run toNew = reconcile("--all", "--named-conf", named.namedConf().toString(), "--repair", "new");
        assertThat(toNew.exit()).as(toNew.toString()).isZero();
        assertThat(toNew.out()).contains("3 RRset difference(s), 3 repaired");

        Cli.Run clean = reconcile("--all", "--named-conf", named.namedConf().toString());
        assertThat(clean.exit()).as(clean.toString()).isZero();
        assertThat(clean.out()).contains("4 zone(s), 4 clean").contains("0 RRset difference(s)");
        assertThat(lastRunDifferences()).isEmpty();

        ReadOutcome.Zone c = (ReadOutcome.Zone) legacy.read("c.test");
        assertThat(c.records()).extracting(r -> r.getName() + " " + r.getTTL() + " " + r.rdataToString())
                .contains("only-new.c.test. 300 192.0.2.7", "www.c.test. 900 192.0.2.80", "mail.c.test. 300 192.0.2.26");
        assertThat(records.records("d.test")).contains(new Rows.Rr("hand-made.d.test.", "TXT", 120, "\"added by hand\"")).noneMatch(r -> r.type().equals("AAAA"));
        assertThat(records.records("b.test")).contains(new Rows.Rr("api.b.test.", "A", 60, "192.0.2.90"));
    }

    @Test
    void aStoppedLegacyServerMakesZonesNotComparedAndUsageErrorsExitTwo() {
        named.stop();
        Cli.Run down = reconcile("--zone", "a.test");
        assertThat(down.exit()).as(down.toString()).isEqualTo(1);
        assertThat(down.out()).contains("failed").contains("connection refused by 127.0.0.1 port " + named.port());

        Cli.Run noList = reconcile("--all");
        assertThat(noList.exit()).isEqualTo(2);
        assertThat(noList.err()).contains("--all needs the legacy zone list");
        Cli.Run badSide = reconcile("--zone", "a.test", "--repair", "both");
        assertThat(badSide.exit()).isEqualTo(2);
        assertThat(badSide.err()).contains("--repair must be legacy or new");
        Cli.Run name = cli.run("reconcile", "--zone", "a.test", "--server", "ns1.example.net", "--tsig-key", named.keyFile().toString());
        assertThat(name.exit()).isEqualTo(2);
        assertThat(name.err()).contains("--server must be an IP address");
    }
}
