package dnsmig.orchestrator.backfill;

/** What converting one zone gave the writer: a plan to write, or why the zone cannot be imported. */
sealed interface ZoneWork permits ZonePlan, ZoneWork.Failed {

    ZoneSpec spec();

    /** The zone could not be converted (the cause says why); it is reported as failed, never written. */
    record Failed(ZoneSpec spec, Exception cause) implements ZoneWork {}
}
