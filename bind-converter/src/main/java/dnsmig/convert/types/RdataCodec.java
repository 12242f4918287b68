package dnsmig.convert.types;

import java.io.IOException;
import org.xbill.DNS.Name;
import org.xbill.DNS.Tokenizer;

/** Presentation text ⇄ wire form of one extra RR type, following BIND 9.18's reader. */
interface RdataCodec {
  byte[] fromText(Tokenizer st, Name origin) throws IOException;

  String toText(byte[] wire) throws IOException;

  /** Throws when {@code wire} is not a valid rdata of the type (used for RFC 3597 input). */
  default void validateWire(byte[] wire) throws IOException {
    toText(wire);
  }
}
