package dnsmig.verify.compare;

import org.xbill.DNS.Message;

/** What one server did with one query: answered (the response, as bytes), or failed (timeout, error). */
public sealed interface Observation {

    long nanos();

    /** @param wire the response as received (over TCP when the UDP one was truncated) */
    record Answered(byte[] wire, long nanos) implements Observation {
        /** The parsed response; a malformed one becomes a failure's reason by the caller. */
        public Message message() throws java.io.IOException {
            return new Message(wire);
        }
    }

    record Failed(String reason, boolean timeout, long nanos) implements Observation {}
}
