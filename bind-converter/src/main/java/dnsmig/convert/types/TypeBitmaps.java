package dnsmig.convert.types;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import org.xbill.DNS.WireParseException;

/** The RFC 4034 §4.1.2 window/bitmap encoding of a type set (dnsjava keeps its own private). */
final class TypeBitmaps {
  private TypeBitmaps() {}

  static byte[] toWire(SortedSet<Integer> types) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int window = -1;
    byte[] bits = new byte[32];
    int used = 0;
    for (int t : types) {
      int w = t >>> 8;
      if (w != window) {
        if (window >= 0) {
          flush(out, window, bits, used);
        }
        window = w;
        bits = new byte[32];
        used = 0;
      }
      int low = t & 0xFF;
      bits[low >>> 3] |= (byte) (0x80 >>> (low & 7));
      used = Math.max(used, (low >>> 3) + 1);
    }
    if (window >= 0) {
      flush(out, window, bits, used);
    }
    return out.toByteArray();
  }

  private static void flush(ByteArrayOutputStream out, int window, byte[] bits, int used) {
    out.write(window);
    out.write(used);
    out.write(bits, 0, used);
  }

  static List<Integer> fromWire(byte[] wire) throws WireParseException {
    List<Integer> types = new ArrayList<>();
    int p = 0;
    int lastWindow = -1;
    while (p < wire.length) {
      if (p + 2 > wire.length) {
        throw new WireParseException("truncated type bitmap");
      }
      int window = wire[p] & 0xFF;
      int len = wire[p + 1] & 0xFF;
      if (window <= lastWindow || len < 1 || len > 32 || p + 2 + len > wire.length) {
        throw new WireParseException("bad type bitmap");
      }
      for (int i = 0; i < len; i++) {
        int b = wire[p + 2 + i] & 0xFF;
        for (int j = 0; j < 8; j++) {
          if ((b & (0x80 >>> j)) != 0) {
            types.add(window * 256 + i * 8 + j);
          }
        }
      }
      lastWindow = window;
      p += 2 + len;
    }
    return types;
  }
}
