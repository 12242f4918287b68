package dnsmig.convert;

/** How bad a finding is. */
public enum Severity {
  /** On a record: the record was not imported. On the zone: the zone cannot be served. */
  ERROR,
  /** The record was imported as BIND would load it, and flagged for its owner. */
  WARNING
}
