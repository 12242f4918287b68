package dnsmig.verify.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * What the comparison leaves out, from configuration: one rule per entry.
 *
 * <ul>
 *   <li>{@code soa-serial}: SOA records compare without their serial (a serial that differs is
 *       version skew, found separately);
 *   <li>{@code section:additional} / {@code section:authority}: that section is not compared;
 *   <li>{@code qtype:TYPE}: queries of that type compare by response code only (e.g.
 *       {@code qtype:ANY}: which RRsets an ANY answer carries is the responder's choice, RFC 8482);
 *   <li>{@code name:SUFFIX}: queries at or below that name are not compared at all;
 *   <li>{@code ttl}: TTL differences are not reported.
 * </ul>
 */
public record IgnoreRules(boolean soaSerial, boolean additional, boolean authority, Set<Integer> rcodeOnlyTypes, List<Name> names, boolean ttl) {

    /** The defaults: {@code soa-serial}, {@code qtype:ANY}. */
    public static IgnoreRules defaults() {
        return parse(List.of("soa-serial", "qtype:ANY"));
    }

    public static IgnoreRules none() {
        return new IgnoreRules(false, false, false, Set.of(), List.of(), false);
    }

    /** Parses rules; a bad one fails naming it and its position (1-based). */
    public static IgnoreRules parse(List<String> rules) {
        boolean soa = false;
        boolean additional = false;
        boolean authority = false;
        boolean ttl = false;
        Set<Integer> types = new TreeSet<>();
        List<Name> names = new ArrayList<>();
        int i = 0;
        for (String raw : rules) {
            i++;
            String rule = raw.strip();
            String lower = rule.toLowerCase(Locale.ROOT);
            if (lower.equals("soa-serial")) {
                soa = true;
            } else if (lower.equals("ttl")) {
                ttl = true;
            } else if (lower.equals("section:additional")) {
                additional = true;
            } else if (lower.equals("section:authority")) {
                authority = true;
            } else if (lower.startsWith("qtype:")) {
                int t = Type.value(rule.substring(6).strip());
                if (t < 0) {
                    throw new IllegalArgumentException("ignore rule " + i + " '" + rule + "': unknown query type '" + rule.substring(6).strip() + "'");
                }
                types.add(t);
            } else if (lower.startsWith("name:")) {
                try {
                    names.add(Name.fromString(rule.substring(5).strip(), Name.root));
                } catch (TextParseException e) {
                    throw new IllegalArgumentException("ignore rule " + i + " '" + rule + "': not a domain name (" + e.getMessage() + ")");
                }
            } else {
                throw new IllegalArgumentException("ignore rule " + i + " '" + rule + "' is not one of soa-serial, ttl, section:additional,"
                        + " section:authority, qtype:TYPE, name:SUFFIX");
            }
        }
        return new IgnoreRules(soa, additional, authority, Set.copyOf(types), List.copyOf(names), ttl);
    }

    /** True when queries for this name are not compared. */
    public boolean ignoresName(Name qname) {
        for (Name n : names) {
            if (qname.subdomain(n)) {
                return true;
            }
        }
        return false;
    }
}
