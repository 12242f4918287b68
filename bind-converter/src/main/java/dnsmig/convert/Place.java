package dnsmig.convert;

import java.util.function.Supplier;

/**
 * Where an entry came from: file, first line, raw text, and its position in reading order (which
 * orders findings across included files). The text is decoded only when a finding needs it.
 */
final class Place {
  static final Place NOWHERE = new Place("", 0, () -> "", Long.MAX_VALUE);

  private final String file;
  private final int line;
  private final long seq;
  private Supplier<String> rawText;
  private String text;

  Place(String file, int line, Supplier<String> rawText, long seq) {
    this.file = file;
    this.line = line;
    this.rawText = rawText;
    this.seq = seq;
  }

  static Place of(String file, int line, String text, long seq) {
    return new Place(file, line, () -> text, seq);
  }

  String file() {
    return file;
  }

  int line() {
    return line;
  }

  long seq() {
    return seq;
  }

  String text() {
    if (text == null) {
      text = Finding.clip(rawText.get());
      rawText = null;
    }
    return text;
  }
}
