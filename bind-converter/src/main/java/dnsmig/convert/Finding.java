package dnsmig.convert;

/**
 * One problem found in a master file: where it is, the raw text of the entry, what rule it breaks
 * and a sentence the zone's owner can act on.
 *
 * @param file the file as named to the converter (or as written in {@code $INCLUDE})
 * @param line the 1-based line where the entry starts (0 when the finding concerns the whole
 *     zone and no line is more useful)
 * @param text the raw text of the entry, all its lines for parenthesised ones, cut to a sane
 *     length
 * @param code the rule
 * @param severity the code's severity, repeated here for convenience
 * @param message one sentence naming the name/type/value concerned
 */
public record Finding(
    String file, int line, String text, FindingCode code, Severity severity, String message) {

  static final int MAX_TEXT = 512;

  public Finding {
    if (code == null || severity == null || message == null) {
      throw new IllegalArgumentException("finding needs code, severity and message");
    }
    file = file == null ? "" : file;
    text = clip(text == null ? "" : text);
  }

  static Finding of(Place place, FindingCode code, String message) {
    return new Finding(place.file(), place.line(), place.text(), code, code.severity(), message);
  }

  static String clip(String text) {
    String t = text.strip();
    return t.length() <= MAX_TEXT ? t : t.substring(0, MAX_TEXT - 1) + "…";
  }

  /** {@code file:line: [code] message}, the form used in logs and reports. */
  @Override
  public String toString() {
    return file + ":" + line + ": " + severity + " [" + code.id() + "] " + message;
  }
}
