package dnsmig.verify.compare;

/** One difference between two answers: its category and what each side had ("old: ... | new: ..."). */
public record Difference(Category category, String detail) {}
