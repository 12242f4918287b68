package dnsmig.convert;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a master file into logical entries the way BIND's lexer does: a line, or several lines
 * joined by parentheses; {@code ;} comments; quoted strings (which may not span lines); {@code \}
 * escapes kept verbatim for the name and rdata parsers. Works on bytes (ISO-8859-1 view), so any
 * octet survives to the parsers unchanged.
 *
 * <p>A lexical problem never swallows the rest of the file: an entry whose parenthesis is still
 * open at the end of the file is reported on its first line alone, and lexing resumes on the line
 * after it.
 */
final class Lexer {

  /** A token: a span of the file, quoted or not. */
  record Token(int start, int end, boolean quoted) {}

  /** One logical entry. */
  static final class Entry {
    int line;
    int endLine;
    boolean initialWs;
    final List<Token> tokens = new ArrayList<>(8);
    String error;
    int rawStart;
    int rawEnd;
  }

  private final byte[] data;
  private final int length;
  private int pos;
  private int line = 1;

  Lexer(byte[] data) {
    this.data = data;
    this.length = data.length;
  }

  byte[] data() {
    return data;
  }

  /**
   * The token's text for the name and rdata parsers. Octets above 0x7F are written as {@code \DDD}
   * escapes, so dnsjava stores them as they are (it would re-encode such characters as UTF-8).
   */
  String text(Token t) {
    int end = t.end;
    for (int i = t.start; i < end; i++) {
      if (data[i] < 0) {
        return escaped(t);
      }
    }
    return new String(data, t.start, end - t.start, StandardCharsets.ISO_8859_1);
  }

  /** The token's octets unchanged (for file names). */
  String rawText(Token t) {
    return new String(data, t.start, t.end - t.start, StandardCharsets.ISO_8859_1);
  }

  private String escaped(Token t) {
    StringBuilder sb = new StringBuilder((t.end - t.start) * 2);
    for (int i = t.start; i < t.end; i++) {
      int b = data[i] & 0xFF;
      if (b == '\\' && i + 1 < t.end) {
        int next = data[i + 1] & 0xFF;
        if (next >= 0x80) {
          appendDecimal(sb, next);
        } else {
          sb.append('\\').append((char) next);
        }
        i++;
      } else if (b >= 0x80) {
        appendDecimal(sb, b);
      } else {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }

  private static void appendDecimal(StringBuilder sb, int b) {
    sb.append('\\').append((char) ('0' + b / 100)).append((char) ('0' + b / 10 % 10)).append((char) ('0' + b % 10));
  }

  boolean textEquals(Token t, String s) {
    int n = t.end - t.start;
    if (n != s.length()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (data[t.start + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  boolean textEqualsIgnoreCase(Token t, String s) {
    int n = t.end - t.start;
    if (n != s.length()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      int a = data[t.start + i] & 0xFF;
      int b = s.charAt(i);
      if (a != b && Character.toUpperCase(a) != Character.toUpperCase(b)) {
        return false;
      }
    }
    return true;
  }

  /** The raw text of an entry, decoded leniently for people to read. */
  String raw(int start, int end) {
    int e = Math.min(end, start + Finding.MAX_TEXT * 4);
    return new String(data, start, e - start, StandardCharsets.UTF_8);
  }

  /** The next entry, or null at the end of the data. Blank and comment-only lines are skipped. */
  Entry next() {
    while (pos < length) {
      Entry e = scan();
      if (e != null) {
        return e;
      }
    }
    return null;
  }

  private Entry scan() {
    final int lineStart = pos;
    final int startLine = line;
    Entry e = new Entry();
    e.line = startLine;
    e.rawStart = lineStart;
    byte first = data[pos];
    e.initialWs = first == ' ' || first == '\t';
    int depth = 0;
    while (pos < length) {
      byte c = data[pos];
      if (c == '\n') {
        if (depth > 0) {
          pos++;
          line++;
          continue;
        }
        break;
      }
      switch (c) {
        case ' ', '\t', '\r' -> pos++;
        case ';' -> {
          while (pos < length && data[pos] != '\n') {
            pos++;
          }
        }
        case '(' -> {
          depth++;
          pos++;
        }
        case ')' -> {
          if (depth == 0) {
            fail(e, "a ')' without a matching '('");
          } else {
            depth--;
          }
          pos++;
        }
        case '"' -> {
          pos++;
          int s = pos;
          boolean closed = false;
          while (pos < length) {
            byte b = data[pos];
            if (b == '\\' && pos + 1 < length && data[pos + 1] != '\n') {
              pos += 2;
              continue;
            }
            if (b == '"') {
              closed = true;
              break;
            }
            if (b == '\n') {
              break;
            }
            pos++;
          }
          if (closed) {
            e.tokens.add(new Token(s, pos, true));
            pos++;
          } else {
            fail(e, "a quoted string is not closed on its line");
          }
        }
        case 0 -> {
          fail(e, "a NUL byte in the text");
          pos++;
        }
        default -> {
          int s = pos;
          while (pos < length) {
            byte b = data[pos];
            if (b == ' '
                || b == '\t'
                || b == '\r'
                || b == '\n'
                || b == ';'
                || b == '('
                || b == ')'
                || b == '"'
                || b == 0) {
              break;
            }
            if (b == '\\' && pos + 1 < length && data[pos + 1] != '\n') {
              pos += 2;
              continue;
            }
            pos++;
          }
          e.tokens.add(new Token(s, pos, false));
        }
      }
    }
    if (depth > 0) {
      // The '(' is never closed: report the first line alone and resume after it.
      int eol = lineStart;
      while (eol < length && data[eol] != '\n') {
        eol++;
      }
      final int cut = eol;
      e.tokens.removeIf(t -> t.start >= cut);
      fail(e, "a '(' is never closed");
      pos = eol;
      line = startLine;
    }
    e.rawEnd = pos;
    e.endLine = line;
    if (pos < length && data[pos] == '\n') {
      pos++;
      line++;
    }
    if (e.tokens.isEmpty() && e.error == null) {
      return null;
    }
    return e;
  }

  private static void fail(Entry e, String message) {
    if (e.error == null) {
      e.error = message;
    }
  }
}
