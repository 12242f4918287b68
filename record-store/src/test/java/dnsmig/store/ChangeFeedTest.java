package dnsmig.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChangeFeedTest {

    private StoreFixture f;

    @BeforeEach
    void setUp() {
        f = new StoreFixture();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private static long insert(Connection c, String zone) throws Exception {
        try (var s = c.createStatement(); var rs = s.executeQuery("insert into change_log (zone_id, zone_name, serial, kind, origin) values (1, '" + zone
                + "', 1, 'zone', 'test') returning id")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aChangeThatCommitsLateWithASmallerIdIsNotMissed() throws Exception {
        ChangeFeed feed = ChangeFeed.fromNow(f.dataSource);
        try (Connection slow = f.dataSource.getConnection(); Connection fast = f.dataSource.getConnection()) {
            slow.setAutoCommit(false);
            long early = insert(slow, "slow.example."); // takes the smaller id, commits last
            long late = insert(fast, "fast.example."); // autocommit: committed now
            assertThat(early).isLessThan(late);

            List<ChangeFeed.Change> first = feed.poll();
            assertThat(first).extracting(ChangeFeed.Change::id).containsExactly(late);
            // A naive "id > last seen" follower would now stand at `late` and never see `early`.

            slow.commit();
            assertThat(feed.poll()).extracting(ChangeFeed.Change::zone).containsExactly("slow.example.");
            assertThat(feed.poll()).isEmpty();
        }
    }

    @Test
    void fromBeginningReturnsEverythingOnceAndImportsShowUp() throws Exception {
        long owner = f.owner("acme");
        var rows = List.of(new Rows.Rr("a.example.", "SOA", 60, "ns.a.example. h.a.example. 7 1 1 1 1"), new Rows.Rr("a.example.", "NS", 60, "ns.a.example."));
        f.store.importZone(new ZoneImport("a.example.", owner, 7, true, "f", rows, List.of()), ImportPolicy.DEFAULT, "backfill");
        ChangeFeed feed = ChangeFeed.fromBeginning(f.dataSource);
        assertThat(feed.poll()).singleElement().satisfies(c -> {
            assertThat(c.zone()).isEqualTo("a.example.");
            assertThat(c.serial()).isEqualTo(7);
            assertThat(c.kind()).isEqualTo("zone");
            assertThat(c.origin()).isEqualTo("backfill");
        });
        assertThat(feed.poll()).isEmpty();
        ChangeFeed late = ChangeFeed.fromNow(f.dataSource);
        assertThat(late.poll()).isEmpty();
    }

    @Test
    void aFailedPollReportsItsOwnErrorNotTheCleanUps() throws Exception {
        // A database without the record store: the poll's second statement fails inside its
        // transaction. The caller must learn that, not that the isolation level could not be
        // restored in the middle of a failed transaction.
        var empty = dnsmig.testkit.TestPostgres.newDatabase();
        ChangeFeed feed = ChangeFeed.fromBeginning(empty.dataSource());
        org.assertj.core.api.Assertions.assertThatThrownBy(feed::poll).isInstanceOf(java.sql.SQLException.class)
                .hasMessageContaining("change_log").hasMessageNotContaining("isolation");
    }
}
