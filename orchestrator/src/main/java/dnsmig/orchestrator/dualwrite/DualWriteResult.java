package dnsmig.orchestrator.dualwrite;

import java.util.List;

/** What became of one API write. A closed set: the API turns each into one HTTP answer. */
public sealed interface DualWriteResult {

    /**
     * The write landed where the mode says it must (and {@code detail} says where).
     *
     * @param records the RRset as written, "TTL rdata" each
     */
    record Written(WriteMode mode, String zone, String name, String type, List<String> records, String detail) implements DualWriteResult {}

    /** The request breaks a rule (bind-converter's codes); nothing was written anywhere. 422. */
    record Invalid(List<ChangeValidator.FieldError> errors) implements DualWriteResult {}

    /** The RRset is not what the write expected on one side (someone else changed it); nothing was written. 409. */
    record Conflict(WriteMode mode, String message) implements DualWriteResult {}

    /**
     * A side could not be written or did not answer in time, and the write was not completed: 503
     * (legacy or database unavailable, zone busy) or 502 (the legacy server refused dnsmig). The
     * message says on which side the change is now (neither, or "may have been applied and will
     * be reconciled").
     */
    record Failed(WriteMode mode, int status, String message) implements DualWriteResult {}
}
