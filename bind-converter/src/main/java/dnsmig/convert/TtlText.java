package dnsmig.convert;

/** TTL text as BIND reads it: a plain number, or numbers with units w, d, h, m, s ("1h30m"). */
final class TtlText {
  private TtlText() {}

  static final long MAX_TTL = 0x7FFFFFFFL;

  /** The TTL, or -1 if the text is not a TTL. Values above 2^32-1 are not TTLs. */
  static long parse(CharSequence s) {
    int n = s.length();
    if (n == 0 || n > 63) {
      return -1;
    }
    long total = 0;
    int i = 0;
    while (i < n) {
      long value = 0;
      int digits = 0;
      while (i < n) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        value = value * 10 + (c - '0');
        if (value > 0xFFFFFFFFL) {
          return -1;
        }
        digits++;
        i++;
      }
      if (digits == 0) {
        return -1;
      }
      if (i == n) {
        if (total != 0) {
          return -1; // "1h30": a bare number after a unit
        }
        total = value;
        break;
      }
      long unit =
          switch (s.charAt(i)) {
            case 'w', 'W' -> 7 * 24 * 3600L;
            case 'd', 'D' -> 24 * 3600L;
            case 'h', 'H' -> 3600L;
            case 'm', 'M' -> 60L;
            case 's', 'S' -> 1L;
            default -> -1L;
          };
      if (unit < 0) {
        return -1;
      }
      total += value * unit;
      if (total > 0xFFFFFFFFL) {
        return -1;
      }
      i++;
    }
    return total;
  }
}
