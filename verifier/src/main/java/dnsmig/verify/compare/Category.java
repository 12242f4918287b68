package dnsmig.verify.compare;

import java.util.Locale;

/** What kind of difference: the vocabulary of findings (column verify_finding.category). */
public enum Category {
    /** An RRset the legacy server answered and the new one did not. */
    MISSING,
    /** An RRset the new server answered and the legacy one did not. */
    EXTRA,
    /** The same RRset (name, type, section) with other data. */
    RDATA,
    /** The same RRset and data with TTLs further apart than the tolerance. */
    TTL,
    /** Another response code. */
    RCODE,
    /** Other header flags (AA, TC). */
    FLAGS,
    /** The legacy server did not answer. */
    TIMEOUT_OLD,
    /** The new server did not answer. */
    TIMEOUT_NEW;

    /** The stored name: missing, extra, rdata, ttl, rcode, flags, timeout-old, timeout-new. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Category ofLabel(String label) {
        for (Category c : values()) {
            if (c.label().equals(label)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown finding category '" + label + "'");
    }
}
