package dnsmig.legacy;

import java.util.List;

/**
 * What became of a {@link ChangeSet}: applied as a unit, refused because the zone is not what the
 * change expected (a conflict: nothing applied), or a {@link Failure}. A closed set: switch on
 * it exhaustively.
 */
public sealed interface WriteOutcome permits WriteOutcome.Applied, WriteOutcome.Conflict, Failure {

    /**
     * Every change of the set was applied, together.
     *
     * @param serialBefore the zone's SOA serial right before the change
     * @param serialAfter  the SOA serial the change produced
     */
    record Applied(String zone, long serialBefore, long serialAfter) implements WriteOutcome {}

    /**
     * A prerequisite failed: the zone no longer holds what the change expected (someone else
     * changed it since it was read). Nothing was applied; read the zone again and decide.
     *
     * @param rrsets the RRsets that are not as expected, each as {@code "name TYPE: expected [...], found [...]"}
     */
    record Conflict(String zone, String message, List<String> rrsets) implements WriteOutcome {
        public Conflict {
            rrsets = List.copyOf(rrsets);
        }
    }
}
