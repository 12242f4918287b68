package dnsmig.orchestrator.backfill;

/**
 * The session lock that marks "a backfill is running" was lost (its connection was closed or
 * killed): the job stops rather than run beside a backfill that may have started since.
 */
class BackfillLockLostException extends RuntimeException {

    BackfillLockLostException(String message) {
        super(message);
    }
}
