package dnsmig.convert.types;

import java.io.IOException;
import org.xbill.DNS.Compression;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Tokenizer;

/**
 * A record of one of the types BIND 9.18 knows and dnsjava 3.7.1 has no class for. The rdata is
 * held in wire form; the type's {@link RdataCodec} turns presentation text into wire and back.
 */
final class ExtraRecord extends Record {
  private static final long serialVersionUID = 1L;

  private byte[] data = new byte[0];

  ExtraRecord() {}

  private RdataCodec codec() {
    RdataCodec codec = ExtraTypes.codec(getType());
    if (codec == null) {
      throw new IllegalStateException("no codec for type " + getType());
    }
    return codec;
  }

  @Override
  protected void rrFromWire(DNSInput in) throws IOException {
    data = in.readByteArray();
    codec().validateWire(data);
  }

  @Override
  protected String rrToString() {
    try {
      return codec().toText(data);
    } catch (IOException | RuntimeException e) {
      return unknownToString(data);
    }
  }

  @Override
  protected void rdataFromString(Tokenizer st, Name origin) throws IOException {
    data = codec().fromText(st, origin);
  }

  @Override
  protected void rrToWire(DNSOutput out, Compression c, boolean canonical) {
    out.writeByteArray(data);
  }

  // Bridges to Record's protected helpers for the codecs in this package.
  static byte[] bytesFromString(String s) throws IOException {
    return byteArrayFromString(s);
  }

  static String bytesToString(byte[] b, boolean quote) {
    return byteArrayToString(b, quote);
  }
}
