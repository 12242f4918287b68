package dnsmig.orchestrator.reconcile;

/** Which side a reconcile makes equal to the other. */
enum Repair {
    /** Make the legacy side equal to the record store (RFC 2136 change sets through LegacyDns). */
    legacy,
    /** Make the record store equal to the legacy side (under the zone's lock, with change-log rows). */
    @SuppressWarnings("java:S115")
    new_;

    static Repair parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "legacy" -> legacy;
            case "new" -> new_;
            default -> throw new IllegalArgumentException("--repair must be legacy or new (got '" + s + "')");
        };
    }

    String dbValue() {
        return this == legacy ? "legacy" : "new";
    }
}
