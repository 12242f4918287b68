package dnsmig.orchestrator.backfill;

/** Another backfill holds the database; this one did nothing. */
public class BackfillBusyException extends RuntimeException {

    public BackfillBusyException(String message) {
        super(message);
    }
}
