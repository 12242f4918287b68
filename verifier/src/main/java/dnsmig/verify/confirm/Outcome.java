package dnsmig.verify.confirm;

/** What became of one compared query. */
public enum Outcome {
    /** Same answer at the first ask. */
    MATCHED,
    /** Still different when asked again after the delay, the legacy side stable and both on the same zone version: an inconsistency. */
    CONFIRMED,
    /** Different at first, the same when asked again (a write in flight, a server catching up): counted, not reported. */
    TRANSIENT,
    /** Still different, but the two sides serve different versions of the zone (SOA serials differ): not an inconsistency. */
    VERSION_SKEW,
    /** The legacy server answered two asks differently (rotated subsets, flapping data): not an inconsistency. */
    NOISE
}
