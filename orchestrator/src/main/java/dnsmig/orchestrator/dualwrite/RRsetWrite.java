package dnsmig.orchestrator.dualwrite;

import java.util.List;
import java.util.Locale;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * One validated API change: RRset {@code name}/{@code type} of {@code zone} becomes {@code after}
 * (empty: it is deleted). Made only by {@link ChangeValidator}.
 *
 * @param zone lower-case absolute zone name
 */
public record RRsetWrite(String zone, Name name, int type, List<Record> after, boolean create) {

    public RRsetWrite {
        after = List.copyOf(after);
    }

    RRsetWrite(String zone, Name name, int type, List<Record> after) {
        this(zone, name, type, after, false);
    }

    /** The same write, refused with a conflict if the RRset already exists (an API "create"). */
    public RRsetWrite asCreate() {
        return new RRsetWrite(zone, name, type, after, true);
    }

    /** Why the write cannot go ahead on an RRset that holds {@code before}, or null. */
    String conflictWith(List<Record> before) {
        return create && !before.isEmpty() ? nameText() + " " + typeText() + " already exists (" + before.size()
                + " records); replace it with PUT instead" : null;
    }

    /** Lower-case absolute owner name, as the store keeps it. */
    public String nameText() {
        return name.toString().toLowerCase(Locale.ROOT);
    }

    public String typeText() {
        return Type.string(type);
    }

    public boolean delete() {
        return after.isEmpty();
    }

    @Override
    public String toString() {
        return nameText() + " " + typeText() + " -> " + Records.text(after).replace('\n', '|');
    }
}
