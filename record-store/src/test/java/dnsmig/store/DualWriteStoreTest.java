package dnsmig.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** V4 on a real PostgreSQL: the write mode view, the divergence ledger and its mirror of backfill rejects, idempotency keys, RRset writes. */
class DualWriteStoreTest {

    private StoreFixture f;
    private DualWriteStore dw;
    private long acme;

    @BeforeEach
    void setUp() {
        f = new StoreFixture();
        dw = new DualWriteStore(f.dsl);
        acme = f.owner("acme");
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private void importZone(List<Rows.Finding> findings) {
        var rows = List.of(new Rows.Rr("example.com.", "SOA", 3600, "ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300"),
                new Rows.Rr("example.com.", "NS", 3600, "ns1.example.com."), new Rows.Rr("ns1.example.com.", "A", 3600, "192.0.2.1"));
        f.store.importZone(new ZoneImport("example.com.", acme, 1, true, "/zones/example.com", rows, findings), ImportPolicy.DEFAULT, "backfill");
    }

    @Test
    void theWriteModeViewHasExactlyOneRowTheLatestChange() {
        assertThat(f.dsl.fetchCount(f.dsl.selectFrom("dnsmig.write_mode_current"))).isEqualTo(1);
        assertThat(dw.currentMode().mode()).isEqualTo("LEGACY_ONLY");
        dw.setMode("CONCURRENT", "alice", "backfill done");
        dw.setMode("SYNCHRONOUS", "bob", "a week without divergences");
        assertThat(f.dsl.fetchCount(f.dsl.selectFrom("dnsmig.write_mode_current"))).isEqualTo(1);
        var now = dw.currentMode();
        assertThat(now.mode()).isEqualTo("SYNCHRONOUS");
        assertThat(now.changedBy()).isEqualTo("bob");
        assertThat(now.reason()).isEqualTo("a week without divergences");
        assertThat(dw.modeHistory(10)).extracting(DualWriteStore.ModeEntry::mode).containsExactly("SYNCHRONOUS", "CONCURRENT", "LEGACY_ONLY");
        assertThatThrownBy(() -> dw.setMode("BOTH", "x", "y")).hasMessageContaining("unknown write mode 'BOTH'");
    }

    @Test
    void backfillRejectsAreMirroredIntoTheDivergenceLedgerAndResolvedThroughIt() {
        importZone(List.of(new Rows.Finding("/zones/example.com", 7, "www CNAME a\nwww A 192.0.2.9", "cname-and-other-data", Rows.Severity.ERROR,
                "www.example.com. already has CNAME data")));
        var rows = dw.divergences(new DualWriteStore.DivergenceFilter(null, "acme", "backfill-reject", null, false, 100));
        assertThat(rows).hasSize(1);
        var d = rows.get(0);
        assertThat(d.zone()).isEqualTo("example.com.");
        assertThat(d.reason()).isEqualTo("cname-and-other-data");
        assertThat(d.detail()).startsWith("/zones/example.com:7: error www.example.com. already has CNAME data");
        assertThat(d.state()).isEqualTo("open");

        assertThat(dw.setDivergenceState(d.id(), "accepted", "alice", "the owner wants it so")).isTrue();
        assertThat(f.store.rejects(new RecordStore.RejectFilter("example.com.", null, null, true)).get(0).state()).isEqualTo("accepted");
        assertThat(dw.divergence(d.id()).orElseThrow().state()).isEqualTo("accepted");
        assertThat(dw.divergence(d.id()).orElseThrow().note()).isEqualTo("the owner wants it so");
        assertThat(dw.setDivergenceState(999_999, "fixed", "alice", null)).isFalse();

        // The backfill fixes it when the finding disappears: the mirror follows.
        importZone(List.of());
        assertThat(dw.divergence(d.id()).orElseThrow().state()).isEqualTo("fixed");
    }

    @Test
    void idempotencyKeysReplayTheFirstAnswerAndRefuseAnotherRequest() {
        assertThat(dw.reserve("token:1", "k1", "h1")).isInstanceOf(DualWriteStore.Reservation.Reserved.class);
        assertThat(dw.reserve("token:1", "k1", "h1")).isInstanceOf(DualWriteStore.Reservation.InProgress.class);
        dw.complete("token:1", "k1", 200, "{\"ok\":true}");
        assertThat(dw.reserve("token:1", "k1", "h1")).isEqualTo(new DualWriteStore.Reservation.Replay(200, "{\"ok\":true}"));
        assertThat(dw.reserve("token:1", "k1", "h2")).isInstanceOf(DualWriteStore.Reservation.Mismatch.class);
        assertThat(dw.reserve("token:2", "k1", "h2")).isInstanceOf(DualWriteStore.Reservation.Reserved.class);
        dw.release("token:2", "k1");
        assertThat(dw.reserve("token:2", "k1", "h3")).isInstanceOf(DualWriteStore.Reservation.Reserved.class);
    }

    @Test
    void replacesAnRRsetUnderTheZoneLockWithAChangeLogRow() {
        importZone(List.of());
        long changes = f.store.lastChangeId();
        var out = dw.inZone("Example.COM", Duration.ofSeconds(5), z -> {
            z.replace("www.example.com.", "A", List.of(new Rows.Rr("www.example.com.", "A", 60, "192.0.2.7")), "api");
            return z.rrset("www.example.com.", "A");
        });
        assertThat(out.orElseThrow()).containsExactly(new Rows.Rr("www.example.com.", "A", 60, "192.0.2.7"));
        assertThat(f.store.lastChangeId()).isGreaterThan(changes);
        assertThat(dw.zone("example.com").orElseThrow().recordCount()).isEqualTo(4);
        assertThat(dw.inZone("nowhere.test", Duration.ofSeconds(5), z -> 1)).isEmpty();
        assertThatThrownBy(() -> dw.inZone("example.com", Duration.ofSeconds(5), z -> {
            z.replace("www.example.com.", "A", List.of(), "api");
            throw new IllegalStateException("legacy refused");
        })).hasMessageContaining("legacy refused");
        assertThat(dw.rrset("example.com.", "www.example.com.", "A")).hasSize(1); // rolled back
    }
}
