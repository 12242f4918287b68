package dnsmig.orchestrator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.store.ReconcileStore.LegacyWriteEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Whether dnsmig's own journaled writes account for the legacy serial reconcile finds. */
class DriftCheckTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // case                                        | seen | strict | journal (before>after:outcome ...) | legacy now | ours
        "nothing happened                              | 40   | true   |                                    | 40         | true",
        "one write of ours                             | 40   | true   | 40>41:applied                      | 41         | true",
        "a chain of ours                               | 40   | true   | 40>41:applied 41>42:applied        | 42         | true",
        "edited out of band, no writes of ours         | 40   | true   |                                    | 41         | false",
        "edited out of band after our write            | 40   | true   | 40>41:applied                      | 42         | false",
        "edited out of band before our write           | 40   | true   | 41>42:applied                      | 42         | false",
        "writes that did not apply do not count        | 40   | true   | 40>-1:conflict                     | 40         | true",
        "serial wraps (RFC 1982)                       | 4294967295 | true | 4294967295>0:applied         | 0          | true",
        "after a backfill: older journal rows skipped  | 40   | false  | 10>11:applied 40>41:applied        | 41         | true",
        "after a backfill: out of band still seen      | 40   | false  | 10>11:applied                      | 41         | false",
    })
    void tellsOurWritesFromOutOfBandEdits(String what, long seen, boolean strict, String journal, long now, boolean ours) {
        List<LegacyWriteEntry> writes = new ArrayList<>();
        long id = 1;
        if (journal != null) {
            for (String w : journal.trim().split("\\s+")) {
                String[] p = w.split("[>:]");
                writes.add(new LegacyWriteEntry(id++, Long.parseLong(p[0]), Long.parseLong(p[1]), p[2]));
            }
        }
        assertThat(DriftCheck.accountedFor(seen, strict, writes, now)).as(what).isEqualTo(ours);
    }
}
