package dnsmig.orchestrator.dualwrite;

import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.ReadOutcome;
import dnsmig.store.DualWriteStore;
import java.util.List;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The divergence ledger for operators: list it, retry an entry (make the store's RRset equal to
 * the legacy one again, by the same rules), resolve one (triaged, fixed, accepted, notified, or
 * open again).
 */
public final class Divergences {

    private final DualWriteStore store;
    private final LegacyDns legacy;
    private final DualWriteSettings settings;

    /** @param legacy null when only listing and resolving (retry needs it) */
    public Divergences(DualWriteStore store, LegacyDns legacy, DualWriteSettings settings) {
        this.store = store;
        this.legacy = legacy;
        this.settings = settings;
    }

    public List<DualWriteStore.DivergenceRow> list(DualWriteStore.DivergenceFilter filter) {
        return store.divergences(filter);
    }

    /** What a retry did. */
    public sealed interface RetryOutcome {
        record Fixed(String message) implements RetryOutcome {}

        record StillDiverged(String message) implements RetryOutcome {}

        record NotRetryable(String message) implements RetryOutcome {}
    }

    /** Copies the entry's RRset from legacy (the truth while it diverged) into the store; the entry is then fixed. */
    public RetryOutcome retry(long id, String by) {
        DualWriteStore.DivergenceRow d = store.divergence(id).orElse(null);
        if (d == null) {
            return new RetryOutcome.NotRetryable("no divergence " + id);
        }
        if (d.name() == null || d.type() == null || legacy == null) {
            return new RetryOutcome.NotRetryable("divergence " + id + " (" + d.source() + ") is not about one RRset the legacy side holds: fix its cause"
                    + (d.source().equals("backfill-reject") ? " in the zone file and run the backfill again" : "") + ", then resolve it");
        }
        ReadOutcome read = legacy.rrset(d.zone(), QueueApplier.name(d.name()), Type.value(d.type()));
        if (!(read instanceof ReadOutcome.Zone z)) {
            return new RetryOutcome.StillDiverged("legacy server: " + read + "; try again later");
        }
        List<Record> want = z.records();
        RRsetWrite w = new RRsetWrite(d.zone(), QueueApplier.name(d.name()), Type.value(d.type()), want);
        var r = store.inZone(d.zone(), settings.lockTimeout(), tx -> {
            List<ChangeValidator.FieldError> errors = ChangeValidator.zoneRules(w, Records.records(tx.records()));
            if (!errors.isEmpty()) {
                return (RetryOutcome) new RetryOutcome.StillDiverged("the new side still refuses " + w + ": " + errors.get(0).rule() + ": "
                        + errors.get(0).message());
            }
            tx.replace(w.nameText(), w.typeText(), Records.rows(want), "divergence-retry");
            return new RetryOutcome.Fixed("the store's " + w.nameText() + " " + w.typeText() + " now equals legacy's (" + want.size() + " records)");
        });
        if (r.isEmpty()) {
            return new RetryOutcome.StillDiverged("zone " + d.zone() + " is not in the record store: backfill it first");
        }
        if (r.get() instanceof RetryOutcome.Fixed f) {
            store.setDivergenceState(id, "fixed", by, "retry: " + f.message());
        }
        return r.get();
    }

    /** @return false when there is no such entry */
    public boolean resolve(long id, String state, String by, String note) {
        return store.setDivergenceState(id, state, by, note);
    }
}
