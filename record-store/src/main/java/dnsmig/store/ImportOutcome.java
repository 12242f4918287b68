package dnsmig.store;

/**
 * What importing one zone did (or, in a dry run, would do). A closed set: callers switch on it.
 */
public sealed interface ImportOutcome {

    String zone();

    /** The zone was new: all its records were written. */
    record Created(String zone, int records, int findings, boolean applied) implements ImportOutcome {}

    /** The zone existed and its content changed: {@code added}/{@code removed} records. */
    record Updated(String zone, int added, int removed, int findings, boolean applied) implements ImportOutcome {}

    /** Same content as the last import: nothing written. */
    record Unchanged(String zone) implements ImportOutcome {}

    /** The safety gate refused the change; nothing written. Re-run with force to apply it. */
    record Blocked(String zone, int existing, int added, int removed) implements ImportOutcome {
        public String reason() {
            return String.format(java.util.Locale.ROOT, "would delete or change %d of its %d records (%.0f%%); re-run with --force if this is intended",
                    removed, existing, 100.0 * removed / Math.max(1, existing));
        }
    }
}
