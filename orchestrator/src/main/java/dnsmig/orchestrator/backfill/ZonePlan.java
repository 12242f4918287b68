package dnsmig.orchestrator.backfill;

import dnsmig.store.ZoneImport;

/** A converted zone, ready to write, with its finding counts. */
record ZonePlan(ZoneSpec spec, ZoneImport zoneImport, int errors, int warnings) implements ZoneWork {}
