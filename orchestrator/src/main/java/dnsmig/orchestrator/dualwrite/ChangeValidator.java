package dnsmig.orchestrator.dualwrite;

import dnsmig.convert.Conversion;
import dnsmig.convert.Finding;
import dnsmig.convert.Severity;
import dnsmig.convert.ZoneFileConverter;
import dnsmig.convert.ZoneValidator;
import dnsmig.convert.ConverterOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * API changes checked by bind-converter's own rules and codes (shared code, not a copy): the
 * request's records are read as the lines of a master file by {@link ZoneFileConverter} (what
 * BIND would make of them: rdata, types, names, TTLs), and a change is checked against its zone
 * by {@link ZoneValidator} (CNAME and other data, apex NS, ...). Every error names the request
 * field it is about and the rule (the converter's finding code).
 */
public final class ChangeValidator {

    /** At most this many records in one RRset write. */
    static final int MAX_RECORDS = 1000;
    private static final ZoneFileConverter CONVERTER = new ZoneFileConverter(ConverterOptions.defaults());

    private ChangeValidator() {}

    /** One thing wrong with a request: which field ({@code name}, {@code type}, {@code ttl}, {@code records[2]}), which rule, and what to do. */
    public record FieldError(String field, String rule, String message) {}

    /** A request read: a write, or what is wrong with it. */
    public sealed interface Parsed {
        record Ok(RRsetWrite write) implements Parsed {}

        record Bad(List<FieldError> errors) implements Parsed {
            public Bad {
                errors = List.copyOf(errors);
            }
        }
    }

    /**
     * Reads an RRset write.
     *
     * @param zone  the zone (from the path), known to exist
     * @param name  the owner: relative to the zone ({@code www}, {@code @}) or absolute
     * @param type  the type mnemonic ({@code A}, {@code TXT}, {@code TYPE65534})
     * @param ttl   the TTL, required unless {@code rdata} is empty
     * @param rdata the records' data in presentation form; empty = delete the RRset
     */
    public static Parsed parse(String zone, String name, String type, Long ttl, List<String> rdata) {
        List<FieldError> errors = new ArrayList<>();
        Name origin;
        try {
            origin = Name.fromString(zone.endsWith(".") ? zone : zone + ".");
        } catch (TextParseException e) {
            return new Parsed.Bad(List.of(new FieldError("zone", "syntax", "not a zone name: " + e.getMessage())));
        }
        String n = name == null ? "" : name.strip();
        if (n.isEmpty()) {
            errors.add(new FieldError("name", "required", "give the owner name, relative to the zone (www, @) or absolute (www." + origin + ")"));
        } else if (!printable(n) || n.chars().anyMatch(Character::isWhitespace) || n.startsWith("$") || n.contains(";") || n.contains("(")
                || n.contains(")") || n.contains("\"")) {
            errors.add(new FieldError("name", "syntax", "an owner name is one token of printable characters without blanks, quotes, parentheses or ';'"));
        }
        String t = type == null ? "" : type.strip().toUpperCase(Locale.ROOT);
        int typeValue = t.matches("[A-Z0-9-]+") ? Type.value(t, true) : -1;
        if (t.isEmpty()) {
            errors.add(new FieldError("type", "required", "give the record type (A, AAAA, CNAME, MX, TXT, ...)"));
        } else if (typeValue < 0) {
            errors.add(new FieldError("type", "unknown-type", "'" + printableCopy(t) + "' is not a record type BIND knows"));
        } else if (typeValue == Type.SOA) {
            errors.add(new FieldError("type", "soa-managed", "the SOA is managed by the name servers (serial) and cannot be written through the API"));
        }
        List<String> data = rdata == null ? List.of() : rdata;
        if (!data.isEmpty() && ttl == null) {
            errors.add(new FieldError("ttl", "required", "give the TTL in seconds (0 to 2147483647)"));
        } else if (ttl != null && (ttl < 0 || ttl > 2147483647L)) {
            errors.add(new FieldError("ttl", "ttl-range", "a TTL is 0 to 2147483647 seconds (RFC 2181 section 8), got " + ttl));
        }
        if (data.size() > MAX_RECORDS) {
            errors.add(new FieldError("records", "too-many-records", "at most " + MAX_RECORDS + " records in one RRset, got " + data.size()));
        }
        for (int i = 0; i < data.size(); i++) {
            String d = data.get(i) == null ? "" : data.get(i).strip();
            if (d.isEmpty()) {
                errors.add(new FieldError("records[" + i + "]", "required", "empty record data"));
            } else if (!printable(d)) {
                errors.add(new FieldError("records[" + i + "]", "syntax", "control characters (line breaks, tabs, NUL...) are not allowed in record data;"
                        + " write them as \\DDD inside a quoted string"));
            }
        }
        if (!errors.isEmpty()) {
            return new Parsed.Bad(errors);
        }
        Name owner;
        try {
            owner = n.equals("@") ? origin : Name.fromString(n, origin);
        } catch (TextParseException e) {
            return new Parsed.Bad(List.of(new FieldError("name", n.length() > 255 ? "name-too-long" : "label-too-long", "not a valid name: " + e.getMessage())));
        }
        if (!owner.subdomain(origin)) {
            return new Parsed.Bad(List.of(new FieldError("name", "out-of-zone", owner + " is not inside zone " + origin
                    + " (a name written with a final dot is absolute; without, it is relative to the zone)")));
        }
        if (data.isEmpty()) {
            return new Parsed.Ok(new RRsetWrite(origin.toString().toLowerCase(Locale.ROOT), owner, typeValue, List.of()));
        }
        // The records as lines of a master file: line i+1 is records[i], read exactly as BIND (and the backfill) would read it.
        StringBuilder text = new StringBuilder("$ORIGIN ").append(origin).append('\n');
        for (String d : data) {
            text.append(owner).append(' ').append(ttl).append(" IN ").append(Type.string(typeValue)).append(' ').append(d.strip()).append('\n');
        }
        Conversion c = CONVERTER.convert("request", text.toString().getBytes(StandardCharsets.UTF_8), origin);
        for (Finding f : c.findings()) {
            if (f.severity() == Severity.ERROR && !f.code().zoneLevel()) {
                int i = Math.max(0, f.line() - 2); // line 1 is $ORIGIN
                errors.add(new FieldError(field(f, i), f.code().id(), f.message()));
            }
        }
        if (!errors.isEmpty()) {
            return new Parsed.Bad(errors);
        }
        List<Record> after = c.records().stream().filter(r -> r.getName().equals(owner) && r.getType() == typeValue).toList();
        if (after.size() != c.records().size() || after.isEmpty()) {
            return new Parsed.Bad(List.of(new FieldError("records", "syntax", "the record data does not read as " + data.size() + " " + Type.string(typeValue)
                    + " record(s) of " + owner)));
        }
        return new Parsed.Ok(new RRsetWrite(origin.toString().toLowerCase(Locale.ROOT), owner, typeValue, after));
    }

    private static String field(Finding f, int i) {
        return switch (f.code().id()) {
            case "out-of-zone", "name-too-long", "label-too-long", "no-owner" -> "name";
            case "unknown-type", "meta-type", "obsolete-type", "bad-class" -> "type";
            case "no-ttl", "ttl-too-large" -> "ttl";
            default -> "records[" + i + "]";
        };
    }

    /**
     * The zone rules' errors the write would add to the zone (errors the zone already had are not
     * the write's fault and do not block it).
     *
     * @param zoneRecords the zone as it is now
     */
    public static List<FieldError> zoneRules(RRsetWrite w, List<Record> zoneRecords) {
        Name origin;
        try {
            origin = Name.fromString(w.zone());
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
        List<Record> after = new ArrayList<>(zoneRecords.size() + w.after().size());
        for (Record r : zoneRecords) {
            if (!(r.getName().equals(w.name()) && r.getType() == w.type())) {
                after.add(r);
            }
        }
        after.addAll(w.after());
        Set<String> had = new HashSet<>();
        for (Finding f : ZoneValidator.validate(origin, zoneRecords, "zone").findings()) {
            if (f.severity() == Severity.ERROR) {
                had.add(f.code().id() + " " + f.message());
            }
        }
        List<FieldError> out = new ArrayList<>();
        for (Finding f : ZoneValidator.validate(origin, after, "zone").findings()) {
            if (f.severity() == Severity.ERROR && !had.contains(f.code().id() + " " + f.message())) {
                out.add(new FieldError(f.code().zoneLevel() ? "zone" : "records", f.code().id(), f.message()));
            }
        }
        return out;
    }

    private static boolean printable(String s) {
        return s.chars().noneMatch(ch -> ch < 0x20 || ch == 0x7f);
    }

    private static String printableCopy(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
