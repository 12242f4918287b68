package dnsmig.verify.confirm;

import dnsmig.verify.compare.Difference;
import java.util.List;

/**
 * The confirmation rule, as a pure function of what the re-asks found. After the delay the
 * legacy server is asked twice (o2, o3) and the new one once (n2); then, when they still
 * differ, both are asked the zone's SOA.
 *
 * <ol>
 *   <li>o2 and n2 agree: {@link Outcome#TRANSIENT};
 *   <li>o2 and o3 disagree: the legacy answer itself moves, {@link Outcome#NOISE};
 *   <li>the SOA serials differ: {@link Outcome#VERSION_SKEW};
 *   <li>otherwise {@link Outcome#CONFIRMED}, with the differences of o2 and n2.
 * </ol>
 */
public final class Confirmation {

    private Confirmation() {}

    /**
     * @param reasked differences between o2 and n2
     * @param legacyTwice differences between o2 and o3
     * @param oldSerial the legacy zone's SOA serial at the re-ask, or -1 when unknown
     * @param newSerial the new side's, or -1
     */
    public static Outcome decide(List<Difference> reasked, List<Difference> legacyTwice, long oldSerial, long newSerial) {
        if (reasked.isEmpty()) {
            return Outcome.TRANSIENT;
        }
        if (!legacyTwice.isEmpty()) {
            return Outcome.NOISE;
        }
        if (oldSerial >= 0 && newSerial >= 0 && oldSerial != newSerial) {
            return Outcome.VERSION_SKEW;
        }
        return Outcome.CONFIRMED;
    }
}
