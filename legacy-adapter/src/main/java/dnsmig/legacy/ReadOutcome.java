package dnsmig.legacy;

import java.util.List;
import org.xbill.DNS.Record;

/** What reading a zone from the legacy side gave: its content, or a {@link Failure}. */
public sealed interface ReadOutcome permits ReadOutcome.Zone, Failure {

    /**
     * A zone as the legacy server holds it.
     *
     * @param zone    lower-case absolute name
     * @param serial  the SOA serial
     * @param records every record, the SOA once, in the order the server sent them
     */
    record Zone(String zone, long serial, List<Record> records) implements ReadOutcome {
        public Zone {
            records = List.copyOf(records);
        }

        @Override
        public String toString() {
            return "Zone[" + zone + ", serial " + serial + ", " + records.size() + " records]";
        }
    }
}
