package dnsmig.orchestrator.backfill;

/** The backfill's inputs (named.conf, zone list, owners file) are unusable; the message says where and why. */
public class BackfillInputException extends RuntimeException {

    public BackfillInputException(String message) {
        super(message);
    }

    public BackfillInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
