package dnsmig.convert;

import java.util.Locale;

/**
 * {@code $GENERATE} as BIND 9.18 reads it: the range {@code start-stop[/step]} and the templates
 * with {@code $}, {@code $$}, {@code \$} and {@code ${offset[,width[,base]]}} where base is one of
 * d, o, x, X, n, N (n/N: reversed nibbles for ip6.arpa).
 */
final class Generate {
  private Generate() {}

  /** A parsed range; the iteration stops at {@code stop} inclusive. */
  record Range(long start, long stop, long step) {
    long count() {
      return (stop - start) / step + 1;
    }
  }

  /** Why a template could not be expanded. */
  static final class TemplateException extends Exception {
    private static final long serialVersionUID = 1L;

    TemplateException(String message) {
      super(message, null, false, false);
    }
  }

  static final int MAX_LHS = 2048;
  static final int MAX_RHS = 65_535;

  /** The range, or null when BIND would call it invalid. */
  static Range parseRange(String s) {
    int[] pos = {0};
    Long start = signedInt(s, pos);
    if (start == null || pos[0] >= s.length() || s.charAt(pos[0]) != '-') {
      return null;
    }
    pos[0]++;
    Long stop = signedInt(s, pos);
    if (stop == null) {
      return null;
    }
    long step = 1;
    if (pos[0] < s.length() && s.charAt(pos[0]) == '/') {
      pos[0]++;
      Long st = signedInt(s, pos);
      if (st == null || st < 1) {
        return null;
      }
      step = st;
    }
    // like sscanf, anything after a complete range is ignored
    if (start < 0 || stop < 0 || stop < start) {
      return null;
    }
    return new Range(start, stop, step);
  }

  /** Like sscanf's %d: optional blanks and sign, digits, within int range. */
  private static Long signedInt(String s, int[] pos) {
    int i = pos[0];
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    boolean negative = false;
    if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    int digitsStart = i;
    long v = 0;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      v = v * 10 + (s.charAt(i) - '0');
      if (v > Integer.MAX_VALUE + 1L) {
        return null;
      }
      i++;
    }
    if (i == digitsStart) {
      return null;
    }
    v = negative ? -v : v;
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      return null;
    }
    pos[0] = i;
    return v;
  }

  /** Expands a template for iteration value {@code it}. */
  static String expand(String template, long it, int max) throws TemplateException {
    StringBuilder out = new StringBuilder(template.length() + 8);
    int n = template.length();
    int i = 0;
    while (i < n) {
      char c = template.charAt(i);
      if (c == '$') {
        i++;
        if (i < n && template.charAt(i) == '$') {
          out.append('$');
          i++;
          continue;
        }
        long delta = 0;
        long width = 0;
        char mode = 'd';
        if (i < n && template.charAt(i) == '{') {
          int close = template.indexOf('}', i);
          Modifier m = modifier(template, i + 1);
          delta = m.delta;
          width = m.width;
          mode = m.mode;
          i = close < 0 ? n : close + 1;
        }
        if (it > 0 && delta > Integer.MAX_VALUE - it) {
          throw new TemplateException("the offset makes a number out of range");
        }
        String number = format((int) (it + delta), width, mode);
        if (number.length() >= 128) {
          throw new TemplateException("a generated number is too wide");
        }
        out.append(number);
      } else if (c == '\\') {
        out.append(c);
        i++;
        if (i < n) {
          out.append(template.charAt(i));
          i++;
        }
      } else {
        out.append(c);
        i++;
      }
      if (out.length() >= max) {
        throw new TemplateException("the generated text is too long");
      }
    }
    return out.toString();
  }

  private record Modifier(long delta, long width, char mode) {}

  /** Parses "delta}" , "delta,width}" or "delta,width,mode}" starting after the '{'. */
  private static Modifier modifier(String s, int from) throws TemplateException {
    int[] pos = {from};
    Long delta = signedInt(s, pos);
    if (delta == null || pos[0] >= s.length()) {
      throw new TemplateException("a ${...} modifier is malformed or not closed");
    }
    char c1 = s.charAt(pos[0]++);
    if (c1 == '}') {
      return new Modifier(delta, 0, 'd');
    }
    if (c1 != ',') {
      throw new TemplateException("a ${...} modifier is malformed");
    }
    Long width = signedInt(s, pos);
    if (width == null || pos[0] >= s.length()) {
      throw new TemplateException("a ${...} modifier is malformed or not closed");
    }
    long w = width & 0xFFFFFFFFL; // %u
    char c2 = s.charAt(pos[0]++);
    if (c2 == '}') {
      return new Modifier(delta, w, 'd');
    }
    if (c2 != ',') {
      throw new TemplateException("a ${...} modifier is malformed or not closed");
    }
    if (pos[0] >= s.length() || "doxXnN".indexOf(s.charAt(pos[0])) < 0) {
      throw new TemplateException("a ${...} modifier has an unknown base");
    }
    char mode = s.charAt(pos[0]++);
    if (pos[0] >= s.length() || s.charAt(pos[0]) != '}') {
      throw new TemplateException("a ${...} modifier is malformed or not closed");
    }
    return new Modifier(delta, w, mode);
  }

  private static String format(int value, long width, char mode) throws TemplateException {
    if (width > 1000) {
      throw new TemplateException("a generated number is too wide");
    }
    if (mode == 'n' || mode == 'N') {
      return nibbles(value & 0xFFFFFFFFL, width, mode == 'N');
    }
    String digits =
        switch (mode) {
          case 'o' -> Integer.toOctalString(value);
          case 'x' -> Integer.toHexString(value);
          case 'X' -> Integer.toHexString(value).toUpperCase(Locale.ROOT);
          default -> Integer.toString(value);
        };
    if (digits.length() >= width) {
      return digits;
    }
    StringBuilder sb = new StringBuilder((int) width);
    boolean negative = digits.startsWith("-");
    if (negative) {
      sb.append('-');
      digits = digits.substring(1);
    }
    for (long k = sb.length() + digits.length(); k < width; k++) {
      sb.append('0');
    }
    return sb.append(digits).toString();
  }

  /** Nibbles from least to most significant, dot-separated, padded to {@code width} chars. */
  private static String nibbles(long value, long width, boolean upper) {
    String hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    StringBuilder sb = new StringBuilder();
    long w = width;
    do {
      sb.append(hex.charAt((int) (value & 0xF)));
      value >>>= 4;
      if (w > 0) {
        w--;
      }
      if (w > 0 || value != 0) {
        sb.append('.');
        if (w > 0) {
          w--;
        }
      }
      if (sb.length() >= 128) {
        break;
      }
    } while (value != 0 || w > 0);
    return sb.toString();
  }
}
