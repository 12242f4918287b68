package dnsmig.legacy;

/**
 * A read or a write that did not happen. Each says what went wrong and what to do; none ever
 * contains a TSIG secret.
 */
public sealed interface Failure extends WriteOutcome, ReadOutcome permits Failure.Rejected, Failure.AuthFailed, Failure.Unavailable {

    String zone();

    String message();

    /** The server answered with an error RCODE that is not about authentication (FORMERR, SERVFAIL, NOTIMP, NOTZONE, ...). */
    record Rejected(String zone, String rcode, String message) implements Failure {}

    /**
     * The server did not accept who we are: a TSIG error (BADSIG, BADKEY, BADTIME) or REFUSED /
     * NOTAUTH. Check the key (name, algorithm, secret) and the zone's {@code update-policy} /
     * {@code allow-update} / {@code allow-transfer}; retrying does not help.
     */
    record AuthFailed(String zone, String reason, String message) implements Failure {}

    /**
     * The server could not be reached or did not answer in time, or the circuit breaker is open
     * after repeated such failures ({@code circuitOpen}: nothing was sent). A write that failed
     * this way was not applied, unless the message says it was sent and may have been (an UPDATE
     * whose answer was lost): read the zone to find out; re-sending it is safe, its prerequisites
     * make a repeat fail rather than apply twice.
     */
    record Unavailable(String zone, boolean circuitOpen, String message) implements Failure {}
}
