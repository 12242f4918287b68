package dnsmig.legacy;

import java.time.Instant;

/**
 * One entry of the write journal: a change dnsmig itself made (or tried to make) to the legacy
 * side. Reconcile uses the applied ones to tell its own writes from edits made out of band: a
 * zone whose legacy serial moved in a way this journal does not account for was changed by
 * someone else.
 *
 * @param serialBefore SOA serial before the change (-1 when unknown)
 * @param serialAfter  SOA serial after it (-1 unless applied)
 * @param outcome      the outcome's kind: applied, conflict, rejected, auth-failed, unavailable
 * @param change       the change set in text (RRset, before, after); never a secret
 */
public record LegacyWrite(String zone, long serialBefore, long serialAfter, String outcome, String change, String origin, Instant at) {

    static LegacyWrite of(ChangeSet cs, WriteOutcome o, java.time.Clock clock) {
        long before = o instanceof WriteOutcome.Applied a ? a.serialBefore() : -1;
        long after = o instanceof WriteOutcome.Applied a ? a.serialAfter() : -1;
        return new LegacyWrite(cs.zone(), before, after, Outcomes.kind(o), cs.changes().toString(), cs.origin(), clock.instant());
    }
}
