package dnsmig.convert;

import dnsmig.convert.types.ExtraTypes;
import java.util.Locale;
import java.util.Set;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Type;

/** Which type and class names BIND 9.18 accepts in a master file, and which types it refuses. */
final class TypeRules {
  private TypeRules() {}

  static {
    ExtraTypes.registerAll();
  }

  /** Mnemonics dnsjava knows and BIND 9.18 does not: BIND reads them as unknown types. */
  private static final Set<String> NOT_IN_BIND = Set.of("UINFO", "UID", "GID");

  /** The type number of a type token, or -1 if BIND would not know it. */
  static int value(String text) {
    int t = Type.value(text);
    if (t < 0) {
      return -1;
    }
    if (!text.regionMatches(true, 0, "TYPE", 0, 4)
        && NOT_IN_BIND.contains(text.toUpperCase(Locale.ROOT))) {
      return -1;
    }
    return t;
  }

  /** Meta and query types (BIND's "invalid use of a meta type"): 0, OPT, 128-255. */
  static boolean isMeta(int type) {
    return type == 0 || type == Type.OPT || (type >= 128 && type <= 255);
  }

  /** MD and MF, refused in master files (RFC 1123 §2.2). */
  static boolean isObsolete(int type) {
    return type == Type.MD || type == Type.MF;
  }

  /** The class number of a class token, or -1 if it is not a class. */
  static int classValue(String text) {
    return DClass.value(text);
  }

  /** BIND's check_ns: an NS target that is an IPv4 or IPv6 literal, with or without a final dot. */
  static boolean looksLikeAddress(String s) {
    String t = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    if (t.isEmpty()) {
      return false;
    }
    if (t.indexOf(':') >= 0) {
      return org.xbill.DNS.Address.toByteArray(t, org.xbill.DNS.Address.IPv6) != null;
    }
    return org.xbill.DNS.Address.toByteArray(t, org.xbill.DNS.Address.IPv4) != null;
  }
}
