package dnsmig.orchestrator.dualwrite;

import dnsmig.convert.MasterFileWriter;
import dnsmig.store.Rows;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** Records between dnsjava, the store's rows and the queue's text ("TTL rdata" per line, sorted). */
final class Records {

    private Records() {}

    static Rows.Rr row(Record r) {
        return new Rows.Rr(r.getName().toString().toLowerCase(Locale.ROOT), Type.string(r.getType()), (int) Math.min(Integer.MAX_VALUE, r.getTTL()),
                MasterFileWriter.rdataText(r));
    }

    static List<Rows.Rr> rows(List<Record> records) {
        return records.stream().map(Records::row).toList();
    }

    static Record record(Rows.Rr r) {
        try {
            return MasterFileWriter.record(Name.fromString(r.name()), Type.value(r.type(), true), r.ttl(), r.rdata());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("the store holds a record dnsjava cannot read back: " + r.toMasterLine() + " (" + e.getMessage() + ")", e);
        }
    }

    static List<Record> records(List<Rows.Rr> rows) {
        List<Record> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(record(r)));
        return out;
    }

    /** "TTL rdata" lines, sorted: equal texts = equal RRsets (TTL included). */
    static String text(List<Record> records) {
        List<String> lines = new ArrayList<>();
        for (Record r : records) {
            lines.add(r.getTTL() + " " + MasterFileWriter.rdataText(r));
        }
        lines.sort(null);
        return String.join("\n", lines);
    }

    static String rowsText(List<Rows.Rr> rows) {
        List<String> lines = new ArrayList<>();
        rows.forEach(r -> lines.add(r.ttl() + " " + r.rdata()));
        lines.sort(null);
        return String.join("\n", lines);
    }

    /** The records of a queue text. */
    static List<Record> parse(String name, String type, String text) {
        List<Rows.Rr> rows = new ArrayList<>();
        if (!text.isEmpty()) {
            for (String line : text.split("\n")) {
                int sp = line.indexOf(' ');
                if (sp < 1) {
                    throw new IllegalArgumentException("not a 'TTL rdata' line in a queued change of " + name + " " + type + ": " + line);
                }
                rows.add(new Rows.Rr(name, type, Integer.parseInt(line.substring(0, sp)), line.substring(sp + 1)));
            }
        }
        return records(rows);
    }
}
