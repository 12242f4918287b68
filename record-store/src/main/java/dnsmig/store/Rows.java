package dnsmig.store;

import java.util.Comparator;

/** The rows the record store takes and gives: plain values, names already canonical. */
public final class Rows {

    private Rows() {}

    /**
     * One resource record: owner name lower-case and absolute, type mnemonic, TTL, rdata in
     * presentation form. Records of one (name, type) form an RRset.
     */
    public record Rr(String name, String type, int ttl, String rdata) {
        public Rr {
            if (!name.endsWith(".")) {
                throw new IllegalArgumentException("record name must be absolute (end with a dot): " + name);
            }
            if (ttl < 0) {
                throw new IllegalArgumentException("negative TTL " + ttl + " for " + name + " " + type);
            }
        }

        /** Stable order for listings and digests (not DNSSEC canonical order): name, type, rdata, TTL. */
        public static final Comparator<Rr> ORDER = (a, b) -> {
            int c = a.name.compareTo(b.name);
            if (c == 0) {
                c = a.type.compareTo(b.type);
            }
            if (c == 0) {
                c = a.rdata.compareTo(b.rdata);
            }
            return c != 0 ? c : Integer.compare(a.ttl, b.ttl);
        };

        /** The row as one master-file line. */
        public String toMasterLine() {
            return name + "\t" + ttl + "\tIN\t" + type + "\t" + rdata;
        }
    }

    /**
     * A finding about one entry of a zone file: errors were not imported, warnings were
     * imported and flagged. {@code code} is the converter's finding id ("cname-and-other-data").
     *
     * <p>Control characters in the file name, raw text and message are escaped the way BIND
     * prints them ({@code \000} for NUL, {@code \027} for ESC; tabs and line breaks between
     * lines are kept): PostgreSQL refuses NUL in text, and a listing printed on a terminal must
     * not carry escape sequences from a customer's file. A backslash is left as it is, so
     * {@code \000} in a listing may also be those four characters in the file.
     */
    public record Finding(String file, int line, String rawText, String code, Severity severity, String message) {
        public Finding {
            file = printable(file);
            rawText = printable(rawText);
            message = printable(message);
        }
    }

    /** {@code text} with C0 and C1 control characters other than tab and line feed as {@code \DDD}. */
    public static String printable(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !control(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text; // the usual case
        }
        StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (control(c)) {
                sb.append('\\').append(String.format(java.util.Locale.ROOT, "%03d", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean control(char c) {
        return (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c <= 0x9f);
    }

    public enum Severity {
        ERROR, WARNING;

        public String dbValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Severity fromDb(String value) {
            return valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** A customer account: a handle unique in the store and where its reports go. */
    public record Owner(String handle, String email) {}
}
