package dnsmig.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

class RecordStoreTest {

    private StoreFixture f;
    private long acme;

    @BeforeEach
    void setUp() {
        f = new StoreFixture();
        acme = f.owner("acme");
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private static List<Rows.Rr> hosts(String zone, int n) {
        List<Rows.Rr> rows = new ArrayList<>();
        rows.add(new Rows.Rr(zone, "SOA", 3600, "ns1." + zone + " hostmaster." + zone + " 1 7200 900 1209600 300"));
        rows.add(new Rows.Rr(zone, "NS", 3600, "ns1." + zone));
        rows.add(new Rows.Rr("ns1." + zone, "A", 3600, "192.0.2.1"));
        IntStream.range(0, n).forEach(i -> rows.add(new Rows.Rr("h" + i + "." + zone, "A", 300, "198.51.100." + (i % 250))));
        return rows;
    }

    private ZoneImport zone(String name, List<Rows.Rr> rows, List<Rows.Finding> findings) {
        return new ZoneImport(name, acme, 1, true, "/zones/" + name + "zone", rows, findings);
    }

    private long changes() {
        return f.dsl.fetchCount(dnsmig.store.jooq.Tables.CHANGE_LOG);
    }

    @Test
    void importsANewZoneAndLeavesAnIdenticalReimportAlone() {
        var rows = hosts("example.com.", 20);
        var first = f.store.importZone(zone("example.com.", rows, List.of()), ImportPolicy.DEFAULT, "backfill");
        assertThat(first).isEqualTo(new ImportOutcome.Created("example.com.", 23, 0, true));
        assertThat(f.store.records("example.com.")).containsExactlyElementsOf(rows.stream().sorted(Rows.Rr.ORDER).toList());
        assertThat(changes()).isEqualTo(1);

        // Same content in another order: same digest, nothing written.
        var shuffled = new ArrayList<>(rows);
        java.util.Collections.reverse(shuffled);
        var second = f.store.importZone(zone("example.com.", shuffled, List.of()), ImportPolicy.DEFAULT, "backfill");
        assertThat(second).isEqualTo(new ImportOutcome.Unchanged("example.com."));
        assertThat(changes()).isEqualTo(1);
        assertThat(f.store.zone("EXAMPLE.com").orElseThrow().recordCount()).isEqualTo(23);
    }

    @Test
    void appliesOnlyTheDifferenceAndLogsOneChange() {
        var rows = hosts("example.com.", 20);
        f.store.importZone(zone("example.com.", rows, List.of()), ImportPolicy.DEFAULT, "backfill");
        var changed = new ArrayList<>(rows);
        changed.remove(5);
        changed.add(new Rows.Rr("new.example.com.", "TXT", 60, "\"tab\\009 and back\\\\slash\" \"ünïcode\""));
        var outcome = f.store.importZone(zone("example.com.", changed, List.of()), ImportPolicy.DEFAULT, "backfill");
        assertThat(outcome).isEqualTo(new ImportOutcome.Updated("example.com.", 1, 1, 0, true));
        assertThat(f.store.records("example.com.")).containsExactlyInAnyOrderElementsOf(changed);
        assertThat(changes()).isEqualTo(2);
    }

    @Test
    void safetyGateBlocksLargeDeletionsUnlessForced() {
        var rows = hosts("example.com.", 20);
        f.store.importZone(zone("example.com.", rows, List.of()), ImportPolicy.DEFAULT, "backfill");
        var gutted = rows.subList(0, 5);
        var blocked = f.store.importZone(zone("example.com.", gutted, List.of()), ImportPolicy.DEFAULT, "backfill");
        assertThat(blocked).isInstanceOf(ImportOutcome.Blocked.class);
        assertThat(((ImportOutcome.Blocked) blocked).reason()).contains("18 of its 23 records").contains("--force");
        assertThat(f.store.records("example.com.")).hasSize(23);

        var forced = f.store.importZone(zone("example.com.", gutted, List.of()), ImportPolicy.DEFAULT.withForce(true), "backfill");
        assertThat(forced).isEqualTo(new ImportOutcome.Updated("example.com.", 0, 18, 0, true));
        assertThat(f.store.records("example.com.")).hasSize(5);
    }

    @Test
    void smallZonesAndAdditionsPassTheGate() {
        f.store.importZone(zone("tiny.example.", hosts("tiny.example.", 2), List.of()), ImportPolicy.DEFAULT, "backfill");
        var replaced = f.store.importZone(zone("tiny.example.", hosts("tiny.example.", 0), List.of()), ImportPolicy.DEFAULT, "backfill");
        assertThat(replaced).isEqualTo(new ImportOutcome.Updated("tiny.example.", 0, 2, 0, true));

        f.store.importZone(zone("big.example.", hosts("big.example.", 20), List.of()), ImportPolicy.DEFAULT, "backfill");
        var grown = f.store.importZone(zone("big.example.", hosts("big.example.", 200), List.of()), ImportPolicy.DEFAULT, "backfill");
        assertThat(grown).isEqualTo(new ImportOutcome.Updated("big.example.", 180, 0, 0, true));
    }

    @Test
    void dryRunWritesNothing() {
        var dry = ImportPolicy.DEFAULT.withDryRun(true);
        assertThat(f.store.importZone(zone("example.com.", hosts("example.com.", 3), List.of()), dry, "backfill"))
                .isEqualTo(new ImportOutcome.Created("example.com.", 6, 0, false));
        assertThat(f.store.zone("example.com.")).isEmpty();
        f.store.importZone(zone("example.com.", hosts("example.com.", 3), List.of()), ImportPolicy.DEFAULT, "backfill");
        assertThat(f.store.importZone(zone("example.com.", hosts("example.com.", 4), List.of()), dry, "backfill"))
                .isEqualTo(new ImportOutcome.Updated("example.com.", 1, 0, 0, false));
        assertThat(f.store.records("example.com.")).hasSize(6);
        assertThat(changes()).isEqualTo(1);
    }

    @Test
    void findingsKeepTheirTriageStateAcrossRerunsAndCloseWhenFixed() {
        var bad = new Rows.Finding("/zones/example.com.zone", 12, "www IN CNAME a.example.com.\nwww IN A 192.0.2.1", "cname-and-other-data",
                Rows.Severity.ERROR, "www.example.com. has a CNAME and other data; the A record was not imported");
        var warn = new Rows.Finding("/zones/example.com.zone", 20, "mail MX 10 mx.example.com.example.com.", "probable-missing-trailing-dot",
                Rows.Severity.WARNING, "MX target mx.example.com.example.com. probably lacks a trailing dot");
        f.store.importZone(zone("example.com.", hosts("example.com.", 1), List.of(bad, warn)), ImportPolicy.DEFAULT, "backfill");
        assertThat(f.store.rejects(RecordStore.RejectFilter.ALL_OPEN)).extracting(RecordStore.RejectView::code)
                .containsExactly("cname-and-other-data", "probable-missing-trailing-dot");
        f.dsl.execute("update reject set state = 'triaged' where code = 'cname-and-other-data'");

        // The file gained a line above: same findings, new line numbers, state kept.
        var moved = new Rows.Finding(bad.file(), 13, bad.rawText(), bad.code(), bad.severity(), bad.message());
        f.store.importZone(zone("example.com.", hosts("example.com.", 2), List.of(moved)), ImportPolicy.DEFAULT, "backfill");
        var open = f.store.rejects(RecordStore.RejectFilter.ALL_OPEN);
        assertThat(open).singleElement().satisfies(r -> {
            assertThat(r.state()).isEqualTo("triaged");
            assertThat(r.line()).isEqualTo(13);
            assertThat(r.owner()).isEqualTo("acme");
        });
        var all = f.store.rejects(new RecordStore.RejectFilter("example.com", null, null, true));
        assertThat(all).extracting(RecordStore.RejectView::code, RecordStore.RejectView::state)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("cname-and-other-data", "triaged"),
                        org.assertj.core.groups.Tuple.tuple("probable-missing-trailing-dot", "fixed"));

        // The warning comes back: reopened.
        f.store.importZone(zone("example.com.", hosts("example.com.", 3), List.of(moved, warn)), ImportPolicy.DEFAULT, "backfill");
        assertThat(f.store.rejects(RecordStore.RejectFilter.ALL_OPEN)).extracting(RecordStore.RejectView::state)
                .containsExactlyInAnyOrder("triaged", "open");
    }

    @Test
    void concurrentImportsOfOneZoneAreSerialised() throws Exception {
        var pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<ImportOutcome>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int n = 10 + i;
                results.add(pool.submit(() -> f.store.importZone(zone("race.example.", hosts("race.example.", n), List.of()),
                        ImportPolicy.DEFAULT, "backfill")));
            }
            long created = 0;
            for (var r : results) {
                if (r.get() instanceof ImportOutcome.Created) {
                    created++;
                }
            }
            assertThat(created).isEqualTo(1);
            // Whatever order they ran in, the zone holds exactly one of the versions, whole.
            int count = f.store.records("race.example.").size();
            assertThat(count).isBetween(13, 18);
            assertThat(f.store.records("race.example.")).containsExactlyInAnyOrderElementsOf(hosts("race.example.", count - 3));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCommittedChangeNotifiesListeners() throws Exception {
        try (Connection listener = f.dataSource.getConnection()) {
            listener.createStatement().execute("listen dnsmig_change");
            f.store.importZone(zone("notify.example.", hosts("notify.example.", 1), List.of()), ImportPolicy.DEFAULT, "backfill");
            var notes = listener.unwrap(PGConnection.class).getNotifications(5_000);
            assertThat(notes).isNotNull().hasSize(1);
            assertThat(notes[0].getParameter()).isEqualTo(Long.toString(f.store.lastChangeId()));
        }
    }

    @Test
    void migrationsAreIdempotentAndCreateTheBatchRepository() {
        assertThat(StoreSchema.migrate(f.dataSource).migrationsExecuted).isZero();
        assertThat(f.dsl.fetchCount(org.jooq.impl.DSL.table("batch_job_instance"))).isZero();
    }

    @Test
    void aBatchOfZonesGetsEachItsOwnOutcomeInOneTransaction() {
        f.store.importZone(zone("same.example.", hosts("same.example.", 20), List.of()), ImportPolicy.DEFAULT, "backfill");
        f.store.importZone(zone("edit.example.", hosts("edit.example.", 20), List.of()), ImportPolicy.DEFAULT, "backfill");
        f.store.importZone(zone("gut.example.", hosts("gut.example.", 20), List.of()), ImportPolicy.DEFAULT, "backfill");
        var warn = new Rows.Finding("f", 3, "x", "duplicate-record", Rows.Severity.WARNING, "m");
        var outcomes = f.store.importZones(List.of(
                zone("new.example.", hosts("new.example.", 5), List.of(warn)),
                zone("same.example.", hosts("same.example.", 20), List.of()),
                zone("edit.example.", hosts("edit.example.", 21), List.of()),
                zone("gut.example.", hosts("gut.example.", 1), List.of())), ImportPolicy.DEFAULT, "backfill");
        assertThat(outcomes).containsExactly(
                new ImportOutcome.Created("new.example.", 8, 1, true),
                new ImportOutcome.Unchanged("same.example."),
                new ImportOutcome.Updated("edit.example.", 1, 0, 0, true),
                new ImportOutcome.Blocked("gut.example.", 23, 0, 19));
        assertThat(f.store.records("new.example.")).hasSize(8);
        assertThat(f.store.records("edit.example.")).hasSize(24);
        assertThat(f.store.records("gut.example.")).hasSize(23);
        assertThat(f.store.rejects(new RecordStore.RejectFilter("new.example.", null, null, false))).hasSize(1);
        assertThat(changes()).isEqualTo(3 + 2);
    }

    @Test
    void lockingManyZonesAtOnceAndOneAtATimeDoNotDeadlock() throws Exception {
        List<String> names = IntStream.range(0, 30).mapToObj(i -> "z" + i + ".example.").toList();
        var pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<String> order = new ArrayList<>(names);
                java.util.Collections.shuffle(order, new java.util.Random(t));
                boolean batched = t % 2 == 0;
                all.add(pool.submit(() -> {
                    for (int round = 0; round < 5; round++) {
                        int n = round;
                        if (batched) {
                            // Every zone's lock at once, in one statement (the backfill's chunks).
                            f.store.importZones(order.stream().map(z -> zone(z, hosts(z, 1 + n), List.of())).toList(), ImportPolicy.DEFAULT, "backfill");
                        } else {
                            // One zone at a time, each in its own transaction (an API write, a repair).
                            for (String z : order) {
                                f.store.importZone(zone(z, hosts(z, 1 + n), List.of()), ImportPolicy.DEFAULT, "api");
                            }
                        }
                    }
                    return null;
                }));
            }
            for (var r : all) {
                r.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertThat(f.store.zones()).hasSize(30);
            // Every zone whole: one of the versions written, never a mix.
            for (String z : names) {
                int count = f.store.records(z).size();
                assertThat(f.store.records(z)).as(z).containsExactlyInAnyOrderElementsOf(hosts(z, count - 3));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void controlCharactersInAFindingAreStoredEscapedAndTheZoneImports() {
        // A NUL byte in a zone file: PostgreSQL refuses NUL in text, which used to fail the whole zone.
        var nul = new Rows.Finding("/zones/example.com.zone", 5, "bad\u0000host IN A 192.0.2.2\u001b[2J", "syntax", Rows.Severity.ERROR,
                "This entry was not imported: a NUL byte in the text.");
        var outcome = f.store.importZone(zone("example.com.", hosts("example.com.", 2), List.of(nul)), ImportPolicy.DEFAULT, "backfill");
        assertThat(outcome).isEqualTo(new ImportOutcome.Created("example.com.", 5, 1, true));
        assertThat(f.store.rejects(RecordStore.RejectFilter.ALL_OPEN)).singleElement()
                .satisfies(r -> assertThat(r.rawText()).isEqualTo("bad\\000host IN A 192.0.2.2\\027[2J"));
        // Tabs and the line breaks of a multi-line entry stay as they are.
        assertThat(Rows.printable("a\tb\nc\rd\u007f\u009b")).isEqualTo("a\tb\nc\\013d\\127\\155");
        // Importing the same file again changes nothing: the digest sees what was stored.
        assertThat(f.store.importZone(zone("example.com.", hosts("example.com.", 2), List.of(nul)), ImportPolicy.DEFAULT, "backfill"))
                .isEqualTo(new ImportOutcome.Unchanged("example.com."));
    }

    @Test
    void aVanishedFindingIsMarkedFixedEvenWhenBothImportsShareATransaction() {
        var warn = new Rows.Finding("/zones/example.com.zone", 20, "mail MX 10 mx.example.com.example.com.", "probable-missing-trailing-dot",
                Rows.Severity.WARNING, "MX target mx.example.com.example.com. probably lacks a trailing dot");
        // Both imports see one now(): "older than now" cannot tell the vanished finding apart.
        f.dsl.transaction(cfg -> {
            RecordStore inTx = new RecordStore(cfg.dsl());
            inTx.importZone(zone("example.com.", hosts("example.com.", 1), List.of(warn)), ImportPolicy.DEFAULT, "backfill");
            inTx.importZone(zone("example.com.", hosts("example.com.", 2), List.of()), ImportPolicy.DEFAULT, "backfill");
        });
        assertThat(f.store.rejects(new RecordStore.RejectFilter("example.com", null, null, true)))
                .extracting(RecordStore.RejectView::code, RecordStore.RejectView::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("probable-missing-trailing-dot", "fixed"));
    }

    @Test
    void recordsCanBeDeletedWhileRrIsPublishedForLogicalReplication() {
        var rows = hosts("example.com.", 20);
        f.store.importZone(zone("example.com.", rows, List.of()), ImportPolicy.DEFAULT, "backfill");
        f.dsl.execute("create publication rr_pub for table rr");
        try {
            var fewer = new ArrayList<>(rows);
            fewer.remove(7);
            assertThat(f.store.importZone(zone("example.com.", fewer, List.of()), ImportPolicy.DEFAULT, "backfill"))
                    .isEqualTo(new ImportOutcome.Updated("example.com.", 0, 1, 0, true));
            assertThat(f.store.records("example.com.")).hasSize(22);
        } finally {
            f.dsl.execute("drop publication rr_pub");
        }
    }

    @Test
    void zonesOutsideASetAreCountedWithAFewNames() {
        for (String z : List.of("a.example.", "b.example.", "c.example.", "d.example.")) {
            f.store.importZone(zone(z, hosts(z, 1), List.of()), ImportPolicy.DEFAULT, "backfill");
        }
        assertThat(f.store.zonesNotIn(java.util.Set.of("b.example."), 2)).isEqualTo(new RecordStore.ZonesOutside(3, List.of("a.example.", "c.example.")));
        assertThat(f.store.zonesNotIn(java.util.Set.of("a.example.", "b.example.", "c.example.", "d.example."), 2).count()).isZero();
    }

    @Test
    void copyEscapesEverythingThatIsSpecialInItsTextFormat() {
        assertThat(Copy.escape("a\\b\tc\nd\re")).isEqualTo("a\\\\b\\tc\\nd\\re");
    }
}
