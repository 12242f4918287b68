package dnsmig.convert.types;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.xbill.DNS.Address;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Tokenizer;

/**
 * SVCB and HTTPS (RFC 9460) presentation text to wire, as BIND 9.18 reads it: its key names, the
 * two-level escaping of value lists (Appendix A), and its checks (duplicate keys, mandatory keys
 * present, no-default-alpn only with alpn, dohpath with "{?dns}").
 */
final class Svcb {
  private Svcb() {}

  private static final Map<String, Integer> KEYS =
      Map.of("mandatory", 0, "alpn", 1, "no-default-alpn", 2, "port", 3, "ipv4hint", 4, "ech", 5, "ipv6hint", 6, "dohpath", 7);

  static byte[] fromText(Tokenizer st, Name origin) throws IOException {
    DNSOutput out = new DNSOutput();
    out.writeU16(Codecs.uint(st, 0xFFFF));
    st.getName(origin).toWire(out, null, false);
    TreeMap<Integer, byte[]> params = new TreeMap<>();
    List<Integer> mandatory = List.of();
    while (true) {
      Tokenizer.Token t = st.get();
      if (!t.isString()) {
        st.unget();
        break;
      }
      if (t.type() == Tokenizer.QUOTED_STRING) {
        throw st.exception("a quoted string where an SVCB parameter name is expected");
      }
      String token = t.value();
      int eq = token.indexOf('=');
      String name = eq < 0 ? token : token.substring(0, eq);
      String value = eq < 0 ? null : token.substring(eq + 1);
      if (value != null && value.isEmpty()) {
        Tokenizer.Token next = st.get();
        if (next.type() == Tokenizer.QUOTED_STRING) {
          value = next.value();
        } else {
          st.unget();
        }
      }
      int key = keyNumber(name, st);
      byte[] wire = KEYS.containsKey(name) ? known(key, value, st) : generic(value, st);
      if (params.put(key, wire) != null) {
        throw st.exception("the SVCB parameter " + name + " appears twice");
      }
      if (key == 0 && KEYS.containsKey(name)) {
        mandatory = mandatoryKeys(value, st);
      }
    }
    for (int m : mandatory) {
      if (!params.containsKey(m)) {
        throw st.exception("the mandatory key" + m + " is not present");
      }
    }
    if (params.containsKey(2) && !params.containsKey(1)) {
      throw st.exception("no-default-alpn needs alpn");
    }
    for (Map.Entry<Integer, byte[]> p : params.entrySet()) {
      String problem = wireProblem(p.getKey(), p.getValue());
      if (problem != null) {
        throw st.exception(problem);
      }
    }
    for (Map.Entry<Integer, byte[]> p : params.entrySet()) {
      out.writeU16(p.getKey());
      out.writeU16(p.getValue().length);
      out.writeByteArray(p.getValue());
    }
    return out.toByteArray();
  }

  private static int keyNumber(String name, Tokenizer st) throws TextParseException {
    Integer k = KEYS.get(name);
    if (k != null) {
      return k;
    }
    if (name.startsWith("key") && name.length() > 3 && name.length() <= 8) {
      String digits = name.substring(3);
      if (digits.chars().allMatch(c -> c >= '0' && c <= '9') && (digits.length() == 1 || digits.charAt(0) != '0')) {
        long v = Long.parseLong(digits);
        if (v <= 65535) {
          return (int) v;
        }
      }
    }
    throw st.exception("'" + name + "' is not an SVCB parameter BIND 9.18 knows");
  }

  private static byte[] known(int key, String value, Tokenizer st) throws IOException {
    switch (key) {
      case 0 -> {
        List<Integer> keys = mandatoryKeys(value, st);
        DNSOutput o = new DNSOutput();
        for (int k : new TreeSet<>(keys)) {
          o.writeU16(k);
        }
        return o.toByteArray();
      }
      case 1 -> {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] id : valueList(required(value, "alpn", st), st)) {
          if (id.length == 0 || id.length > 255) {
            throw st.exception("an alpn identifier is empty or too long");
          }
          o.write(id.length);
          o.writeBytes(id);
        }
        return o.toByteArray();
      }
      case 2 -> {
        if (value != null) {
          throw st.exception("no-default-alpn takes no value");
        }
        return new byte[0];
      }
      case 3 -> {
        String v = required(value, "port", st);
        DNSOutput o = new DNSOutput();
        o.writeU16((int) Codecs.uintOf(v, 0xFFFF, st));
        return o.toByteArray();
      }
      case 4, 6 -> {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int family = key == 4 ? Address.IPv4 : Address.IPv6;
        for (String a : required(value, key == 4 ? "ipv4hint" : "ipv6hint", st).split(",", -1)) {
          byte[] b = Address.toByteArray(a, family);
          if (b == null) {
            throw st.exception("bad address in hint: " + a);
          }
          o.writeBytes(b);
        }
        return o.toByteArray();
      }
      case 5 -> {
        String v = value == null ? "" : value;
        if (v.length() % 4 != 0) {
          throw st.exception("bad base64 in ech");
        }
        try {
          return Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
          throw st.exception("bad base64 in ech");
        }
      }
      case 7 -> {
        byte[] path = charString(required(value, "dohpath", st), st);
        String p = new String(path, StandardCharsets.UTF_8);
        if (!p.contains("{?dns}")) {
          throw st.exception("dohpath must contain {?dns}");
        }
        return path;
      }
      default -> throw st.exception("unexpected key " + key);
    }
  }

  private static byte[] generic(String value, Tokenizer st) throws TextParseException {
    return value == null ? new byte[0] : charString(value, st);
  }

  private static String required(String value, String name, Tokenizer st) throws TextParseException {
    if (value == null || value.isEmpty()) {
      throw st.exception(name + " needs a value");
    }
    return value;
  }

  private static List<Integer> mandatoryKeys(String value, Tokenizer st) throws TextParseException {
    List<Integer> keys = new ArrayList<>();
    for (byte[] item : valueList(required(value, "mandatory", st), st)) {
      int k = keyNumber(new String(item, StandardCharsets.ISO_8859_1), st);
      if (k == 0 || keys.contains(k)) {
        throw st.exception("mandatory lists itself or a key twice");
      }
      keys.add(k);
    }
    return keys;
  }

  /** Level 1: master-file character-string escapes (\DDD, \X) to octets. */
  static byte[] charString(String s, Tokenizer st) throws TextParseException {
    ByteArrayOutputStream o = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        o.write(c);
        continue;
      }
      if (i + 1 >= s.length()) {
        throw st.exception("a backslash at the end of a value");
      }
      if (isDigit(s, i + 1) && isDigit(s, i + 2) && isDigit(s, i + 3)) {
        int v = Integer.parseInt(s.substring(i + 1, i + 4));
        if (v > 255) {
          throw st.exception("bad escape");
        }
        o.write(v);
        i += 3;
      } else {
        o.write(s.charAt(++i));
      }
    }
    return o.toByteArray();
  }

  private static boolean isDigit(String s, int i) {
    return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
  }

  /** Level 2: split decoded octets at unescaped commas; "\X" and "\DDD" are escapes here too. */
  static List<byte[]> valueList(String value, Tokenizer st) throws TextParseException {
    byte[] b = charString(value, st);
    List<byte[]> items = new ArrayList<>();
    ByteArrayOutputStream cur = new ByteArrayOutputStream();
    for (int i = 0; i < b.length; i++) {
      int c = b[i] & 0xFF;
      if (c == ',') {
        if (cur.size() == 0) {
          throw st.exception("an empty item in a value list");
        }
        items.add(cur.toByteArray());
        cur.reset();
      } else if (c == '\\') {
        // second level: only "\X" (BIND reads "\092" here as the text "092")
        if (i + 1 >= b.length) {
          throw st.exception("a backslash at the end of a value list");
        }
        cur.write(b[++i]);
      } else {
        cur.write(c);
      }
    }
    if (cur.size() == 0) {
      throw st.exception("an empty item in a value list");
    }
    items.add(cur.toByteArray());
    return items;
  }

  /** The value checks BIND applies to a known key however it was written (name or keyNNN). */
  private static String wireProblem(int key, byte[] v) {
    return switch (key) {
      case 0 -> v.length == 0 || v.length % 2 != 0 ? "a bad mandatory list" : null;
      case 1 -> alpnProblem(v);
      case 2 -> v.length != 0 ? "no-default-alpn takes no value" : null;
      case 3 -> v.length != 2 ? "port must be two octets" : null;
      case 4 -> v.length == 0 || v.length % 4 != 0 ? "a bad ipv4hint" : null;
      case 6 -> v.length == 0 || v.length % 16 != 0 ? "a bad ipv6hint" : null;
      case 7 -> !new String(v, StandardCharsets.UTF_8).contains("{?dns}") ? "dohpath must contain {?dns}" : null;
      default -> null;
    };
  }

  private static String alpnProblem(byte[] v) {
    if (v.length == 0) {
      return "alpn needs a value";
    }
    int i = 0;
    while (i < v.length) {
      int n = v[i] & 0xFF;
      if (n == 0 || i + 1 + n > v.length) {
        return "a bad alpn value";
      }
      i += 1 + n;
    }
    return null;
  }

}
