package dnsmig.orchestrator.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dnsmig.orchestrator.cli.Cli;
import dnsmig.store.RecordStore;
import dnsmig.store.Rows;
import dnsmig.store.StoreSchema;
import dnsmig.testkit.BindTools;
import dnsmig.testkit.Repo;
import dnsmig.testkit.TestPostgres;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Master;
import org.xbill.DNS.Record;

/**
 * The backfill job end to end, through the {@code dnsmig} command line, on the bundled sample
 * provider (samples/: named.conf with includes, seven zones of five owners, several broken on
 * purpose) and a real PostgreSQL. Zones BIND accepts are compared with what BIND itself makes of
 * them (named-compilezone at test time).
 */
class BackfillFunctionalTest {

    @TempDir
    Path tmp;

    private Path samples;
    private TestPostgres.Database db;
    private HikariDataSource ds;
    private RecordStore store;
    private Cli cli;

    @BeforeEach
    void setUp() throws IOException {
        samples = tmp.resolve("samples");
        copy(Repo.samples(), samples);
        db = TestPostgres.newDatabase();
        ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "test");
        store = new RecordStore(DSL.using(ds, SQLDialect.POSTGRES));
        cli = new Cli(db);
    }

    @AfterEach
    void tearDown() {
        ds.close();
    }

    private Cli.Run backfill(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("backfill", "--named-conf", samples.resolve("named.conf").toString(), "--owners",
                samples.resolve("owners.csv").toString(), "--progress", "never"));
        args.addAll(List.of(extra));
        return cli.run(args.toArray(String[]::new));
    }

    @Test
    void importsEveryPrimaryZoneAsBindReadsIt() throws Exception {
        Cli.Run run = backfill();
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("7 of 7: 7 created").contains("1 zone(s) not servable").contains("umbrella.example.")
                .contains("not primary");

        assertThat(store.zones()).extracting(RecordStore.ZoneInfo::name, RecordStore.ZoneInfo::owner, RecordStore.ZoneInfo::servable)
                .containsExactly(tuple("2.0.192.in-addr.arpa.", "provider", true), tuple("acme-shop.example.", "acme", true),
                        tuple("acme.example.", "acme", true), tuple("globex.example.", "globex", true), tuple("hooli.example.", "hooli", false),
                        tuple("initech.example.", "initech", true), tuple("umbrella.example.", "unassigned", true));

        // Oracle: for every zone BIND loads, the stored records are exactly BIND's records.
        Path zones = samples.resolve("zones");
        for (String[] z : List.of(new String[] {"acme.example", "db.acme.example"}, new String[] {"initech.example", "db.initech.example"},
                new String[] {"umbrella.example", "db.umbrella.example"}, new String[] {"2.0.192.in-addr.arpa", "db.192.0.2"})) {
            assertThat(Set.copyOf(store.records(z[0]))).as(z[0]).isEqualTo(bindRecords(zones, z[0], z[1]));
        }
        assertThat(store.zone("acme.example").orElseThrow().serial()).isEqualTo(2026112201L);

        // Zones BIND refuses whole still bring in their good records.
        assertThat(store.records("globex.example")).extracting(Rows.Rr::name).contains("host1.globex.example.", "host20.globex.example.",
                "api.globex.example.").doesNotContain("printer.globex.example.", "legacy.globex.example.");
        assertThat(store.records("globex.example").stream().filter(r -> r.type().equals("NS")).count()).isEqualTo(2);
        assertThat(store.records("acme-shop.example")).contains(new Rows.Rr("www.acme-shop.example.", "CNAME", 3600, "shops.provider.example."))
                .noneMatch(r -> r.name().equals("www.acme-shop.example.") && r.type().equals("A"));
        assertThat(store.records("hooli.example")).hasSize(4);

        assertThat(store.rejects(RecordStore.RejectFilter.ALL_OPEN))
                .extracting(RecordStore.RejectView::zone, RecordStore.RejectView::owner, RecordStore.RejectView::line, RecordStore.RejectView::code,
                        RecordStore.RejectView::severity)
                .containsExactlyInAnyOrder(
                        tuple("acme-shop.example.", "acme", 9, "cname-and-other-data", Rows.Severity.ERROR),
                        tuple("acme-shop.example.", "acme", 11, "probable-missing-trailing-dot", Rows.Severity.WARNING),
                        tuple("globex.example.", "globex", 9, "bad-rdata", Rows.Severity.ERROR),
                        tuple("globex.example.", "globex", 11, "unknown-type", Rows.Severity.ERROR),
                        tuple("hooli.example.", "hooli", 3, "no-soa", Rows.Severity.ERROR),
                        tuple("initech.example.", "initech", 2, "default-ttl-from-soa", Rows.Severity.WARNING),
                        tuple("initech.example.", "initech", 6, "rrset-ttl-mismatch", Rows.Severity.WARNING),
                        tuple("initech.example.", "initech", 7, "duplicate-record", Rows.Severity.WARNING),
                        tuple("initech.example.", "initech", 9, "out-of-zone", Rows.Severity.ERROR));
        assertThat(store.rejects(RecordStore.RejectFilter.ALL_OPEN)).filteredOn(r -> r.code().equals("bad-rdata")).singleElement()
                .satisfies(r -> {
                    assertThat(r.rawText()).contains("192.0.2.300");
                    assertThat(r.file()).endsWith("zones/db.globex.example");
                    assertThat(r.message()).contains("printer.globex.example.");
                });
    }

    @Test
    void aSecondRunChangesNothing() throws Exception {
        assertThat(backfill().exit()).isZero();
        List<String> before = StoreDump.of(ds);
        long changes = StoreDump.changeLogSize(ds);
        Cli.Run again = backfill();
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.out()).contains("0 created, 0 updated, 7 unchanged").contains("0 rows written");
        assertThat(StoreDump.of(ds)).isEqualTo(before);
        assertThat(StoreDump.changeLogSize(ds)).isEqualTo(changes);
    }

    @Test
    void anEditedZoneIsUpdatedAndAFixedLineClosesItsReject() throws Exception {
        assertThat(backfill().exit()).isZero();
        long changes = StoreDump.changeLogSize(ds);
        Path globex = samples.resolve("zones/db.globex.example");
        Files.writeString(globex, Files.readString(globex).replace("192.0.2.300", "192.0.2.33").replace("2026010101", "2026010102"));

        Cli.Run run = backfill();
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("0 created, 1 updated, 6 unchanged");
        assertThat(store.records("globex.example")).contains(new Rows.Rr("printer.globex.example.", "A", 300, "192.0.2.33"));
        assertThat(store.zone("globex.example").orElseThrow().serial()).isEqualTo(2026010102L);
        assertThat(StoreDump.changeLogSize(ds)).isEqualTo(changes + 1);
        assertThat(store.rejects(new RecordStore.RejectFilter("globex.example", null, null, true)))
                .extracting(RecordStore.RejectView::code, RecordStore.RejectView::state)
                .containsExactlyInAnyOrder(tuple("bad-rdata", "fixed"), tuple("unknown-type", "open"));
    }

    @Test
    void theSafetyGateHoldsBackAZoneThatWouldLoseTooMuchUntilForced() throws Exception {
        assertThat(backfill().exit()).isZero();
        List<String> acme = store.records("acme.example").stream().map(Rows.Rr::toMasterLine).toList();
        Path file = samples.resolve("zones/db.acme.example");
        // An export gone wrong: everything below the name servers is missing.
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, lines.indexOf("        IN NS   ns3.provider.example.") + 1));

        Cli.Run held = backfill();
        assertThat(held.exit()).as(held.toString()).isEqualTo(3);
        assertThat(held.out()).contains("held back by the safety gate").contains("acme.example.").contains("--force");
        assertThat(store.records("acme.example").stream().map(Rows.Rr::toMasterLine).toList()).isEqualTo(acme);

        Cli.Run dry = backfill("--dry-run", "--force");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("would change (nothing was written)").contains("acme.example.  would update: +0 -");
        assertThat(store.records("acme.example").stream().map(Rows.Rr::toMasterLine).toList()).isEqualTo(acme);

        Cli.Run forced = backfill("--force");
        assertThat(forced.exit()).as(forced.toString()).isZero();
        assertThat(store.records("acme.example")).hasSize(4);
    }

    @Test
    void aDryRunWritesNothing() throws Exception {
        Cli.Run dry = backfill("--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("7 to create").contains("acme.example.  would create:")
                .contains("would create 6 owner(s): acme, globex, hooli, initech, provider, unassigned");
        assertThat(store.zones()).isEmpty();
        assertThat(StoreDump.changeLogSize(ds)).isZero();
        assertThat(count("dnsmig.owner")).as("owners").isZero();
        assertThat(count("dnsmig.reject")).as("rejects").isZero();

        // Against a store that holds data: an owner's new e-mail is shown, not written.
        assertThat(backfill().exit()).isZero();
        List<String> before = StoreDump.of(ds);
        String owners = dumpOwners();
        Path csv = samples.resolve("owners.csv");
        Files.writeString(csv, Files.readString(csv).replace("it@initech.example", "dns@initech.example") + "newzone.example,newcomer,n@new.example\n");
        Cli.Run again = backfill("--dry-run");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.out()).contains("would change the e-mail of 1 owner(s): initech it@initech.example -> dns@initech.example")
                .contains("0 to create, 0 updated".replace("updated", "to update"));
        assertThat(dumpOwners()).isEqualTo(owners);
        assertThat(StoreDump.of(ds)).isEqualTo(before);
    }

    private long count(String table) throws Exception {
        try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String dumpOwners() throws Exception {
        StringBuilder sb = new StringBuilder();
        try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery("select id, handle, email from dnsmig.owner order by id")) {
            while (rs.next()) {
                sb.append(rs.getLong(1)).append(' ').append(rs.getString(2)).append(' ').append(rs.getString(3)).append('\n');
            }
        }
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing-header", "bad-email", "two-owners"})
    void aBrokenOwnersFileStopsEverythingWithItsLineNumber(String problem) throws Exception {
        Path owners = samples.resolve("owners.csv");
        String text = Files.readString(owners);
        String broken = switch (problem) {
            case "missing-header" -> text.substring(text.indexOf('\n') + 1);
            case "bad-email" -> text.replace("it@initech.example", "it-at-initech");
            case "two-owners" -> text + "acme.example,globex,hostmaster@globex.example\n";
            default -> throw new IllegalArgumentException(problem);
        };
        Files.writeString(owners, broken);
        Cli.Run run = backfill();
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("owners.csv:").contains("Nothing was changed");
        String expected = switch (problem) {
            case "missing-header" -> "owners.csv:1: the first line must be a header";
            case "bad-email" -> "owners.csv:5: 'it-at-initech' is not an e-mail address";
            default -> "owners.csv:8: zone acme.example. is given to 'globex' but an earlier line gives it to 'acme'";
        };
        assertThat(run.err()).contains(expected);
        try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery("select count(*) from dnsmig.zone")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @Test
    void aZonesDirectoryWithAZoneListWorksLikeNamedConf() throws Exception {
        Path list = samples.resolve("zones.list");
        Files.writeString(list, "# zone file\nacme.example db.acme.example\nglobex.example   db.globex.example\n");
        Cli.Run run = cli.run("backfill", "--zones-dir", samples.resolve("zones").toString(), "--zone-list", list.toString(), "--owners",
                samples.resolve("owners.csv").toString(), "--progress", "never");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(store.zones()).extracting(RecordStore.ZoneInfo::name).containsExactly("acme.example.", "globex.example.");
        // $INCLUDE common-ns.inc resolved against the zones directory.
        assertThat(store.records("globex.example").stream().filter(r -> r.type().equals("NS")).count()).isEqualTo(2);
        assertThat(run.out()).contains("not in the input and were not touched");
    }

    @Test
    void aNulByteInAZoneFileRejectsItsLineAndImportsTheRest() throws Exception {
        Path zones = samples.resolve("zones");
        Files.write(zones.resolve("db.nul.example"), ("$TTL 300\n@ IN SOA ns1.provider.example. h.nul.example. 1 7200 900 1209600 300\n"
                + "@ IN NS ns1.provider.example.\n@ IN NS ns2.provider.example.\nbad\0host IN A 192.0.2.2\ntxt IN TXT \"a\0b\"\nwww IN A 192.0.2.3\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Files.writeString(samples.resolve("zones.list"), "nul.example db.nul.example\n");
        Cli.Run run = cli.run("backfill", "--zones-dir", zones.toString(), "--zone-list", samples.resolve("zones.list").toString(), "--owners",
                samples.resolve("owners.csv").toString(), "--progress", "never");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("1 of 1: 1 created").contains("0 failed");
        assertThat(store.records("nul.example")).extracting(Rows.Rr::name).contains("www.nul.example.", "txt.nul.example.")
                .doesNotContain("bad\0host.nul.example.");
        assertThat(store.records("nul.example")).contains(new Rows.Rr("txt.nul.example.", "TXT", 300, "a\\000b"));

        Cli.Run rejects = cli.run("rejects", "--zone", "nul.example");
        assertThat(rejects.exit()).as(rejects.toString()).isZero();
        assertThat(rejects.out()).contains("db.nul.example:5").contains("| bad\\000host IN A 192.0.2.2").doesNotContain("\0");
    }

    @Test
    void zonesTheStoreHoldsButTheInputLacksAreNamedNotDeleted() throws Exception {
        assertThat(backfill().exit()).isZero();
        Path list = samples.resolve("zones.list");
        Files.writeString(list, "acme.example db.acme.example\nglobex.example db.globex.example\n");
        Cli.Run run = cli.run("backfill", "--zones-dir", samples.resolve("zones").toString(), "--zone-list", list.toString(), "--owners",
                samples.resolve("owners.csv").toString(), "--progress", "never");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("5 zone(s) in the store are not in this input and were left as they are (the backfill never deletes zones):"
                + " 2.0.192.in-addr.arpa., acme-shop.example., hooli.example., initech.example., umbrella.example.");
        assertThat(store.zones()).hasSize(7);
    }

    /** BIND's records for a zone, as the store keeps them. */
    static Set<Rows.Rr> bindRecords(Path dir, String origin, String file) throws IOException {
        String text = BindTools.compileZone(dir, origin, file);
        Set<Rows.Rr> out = new HashSet<>();
        try (Master m = new Master(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
            Record r;
            while ((r = m.nextRecord()) != null) {
                out.add(ZoneConversion.row(r));
            }
        }
        return out;
    }

    static void copy(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.collect(Collectors.toList())) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
