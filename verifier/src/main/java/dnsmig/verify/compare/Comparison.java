package dnsmig.verify.compare;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * Compares the legacy ("old") and the new server's answers to one query. Identical bytes
 * (the message ID aside) match without parsing, and so do answers whose records read straight
 * from the wire are alike in another order, compression or letter case ({@link WireForm});
 * otherwise both are normalised ({@link AnswerShape}) and compared RRset by RRset. A failing comparison (a malformed
 * response) is a difference of its own, never an exception.
 *
 * @param ttlTolerance seconds two TTLs may differ by before it is a {@link Category#TTL} difference
 */
public record Comparison(IgnoreRules rules, long ttlTolerance) {

    public Comparison {
        Objects.requireNonNull(rules);
        if (ttlTolerance < 0) {
            throw new IllegalArgumentException("the TTL tolerance cannot be negative (got " + ttlTolerance + ")");
        }
    }

    /**
     * True when both servers answered and the answers are known alike without parsing them (identical
     * bytes, the message ID aside, or alike record by record on the wire); false means "compare them".
     */
    public boolean agreeOnTheWire(Observation old, Observation neu) {
        if (old instanceof Observation.Answered oa && neu instanceof Observation.Answered na) {
            byte[] a = oa.wire();
            byte[] b = na.wire();
            return a.length == b.length && a.length > 2 && Arrays.equals(a, 2, a.length, b, 2, b.length) || WireForm.equivalent(a, b);
        }
        return false;
    }

    /** The differences between the two answers; empty when they agree. */
    public List<Difference> compare(int qtype, Observation old, Observation neu) {
        if (old instanceof Observation.Failed f) {
            return neu instanceof Observation.Failed ? List.of() // neither answered: nothing to compare
                    : List.of(new Difference(Category.TIMEOUT_OLD, "old: " + f.reason()));
        }
        if (neu instanceof Observation.Failed f) {
            return List.of(new Difference(Category.TIMEOUT_NEW, "new: " + f.reason()));
        }
        if (agreeOnTheWire(old, neu)) {
            return List.of();
        }
        byte[] a = ((Observation.Answered) old).wire();
        byte[] b = ((Observation.Answered) neu).wire();
        Message ma;
        Message mb;
        try {
            ma = new Message(a);
        } catch (IOException e) {
            return List.of(new Difference(Category.TIMEOUT_OLD, "old: malformed response (" + e.getMessage() + ")"));
        }
        try {
            mb = new Message(b);
        } catch (IOException e) {
            return List.of(new Difference(Category.TIMEOUT_NEW, "new: malformed response (" + e.getMessage() + ")"));
        }
        return compare(qtype, ma, mb);
    }

    /** The differences between two parsed answers. */
    public List<Difference> compare(int qtype, Message old, Message neu) {
        AnswerShape so = AnswerShape.of(old, rules);
        AnswerShape sn = AnswerShape.of(neu, rules);
        List<Difference> out = new ArrayList<>();
        if (so.rcode() != sn.rcode()) {
            out.add(new Difference(Category.RCODE, "old: " + Rcode.string(so.rcode()) + " | new: " + Rcode.string(sn.rcode())));
        }
        if (so.aa() != sn.aa() || so.tc() != sn.tc()) {
            out.add(new Difference(Category.FLAGS, "old: " + flags(so) + " | new: " + flags(sn)));
        }
        if (rules.rcodeOnlyTypes().contains(qtype)) {
            return out;
        }
        for (Map.Entry<AnswerShape.Key, AnswerShape.RRset> e : so.rrsets().entrySet()) {
            AnswerShape.RRset other = sn.rrsets().get(e.getKey());
            if (other == null) {
                out.add(new Difference(Category.MISSING, e.getKey().section(), e.getKey() + ": old: " + e.getValue().text() + " | new: none"));
            } else if (!other.data().keySet().equals(e.getValue().data().keySet())) {
                out.add(new Difference(Category.RDATA, e.getKey().section(), e.getKey() + ": old: " + e.getValue().text() + " | new: " + other.text()));
            } else if (!rules.ttl() && Math.abs(other.ttl() - e.getValue().ttl()) > ttlTolerance) {
                out.add(new Difference(Category.TTL, e.getKey().section(), e.getKey() + ": old: " + e.getValue().ttl() + " | new: " + other.ttl()));
            }
        }
        for (Map.Entry<AnswerShape.Key, AnswerShape.RRset> e : sn.rrsets().entrySet()) {
            if (!so.rrsets().containsKey(e.getKey())) {
                out.add(new Difference(Category.EXTRA, e.getKey().section(), e.getKey() + ": old: none | new: " + e.getValue().text()));
            }
        }
        return out;
    }

    private static String flags(AnswerShape s) {
        return (s.aa() ? "aa" : "-aa") + (s.tc() ? " tc" : "");
    }
}
