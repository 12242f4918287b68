package dnsmig.verify.compare;

/**
 * One difference between two answers: its category, the section it is in ({@code -1} for the
 * header: rcode, flags, timeouts) and what each side had ("old: ... | new: ...").
 */
public record Difference(Category category, int section, String detail) {

    public Difference(Category category, String detail) {
        this(category, -1, detail);
    }
}
