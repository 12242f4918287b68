package dnsmig.convert.types;

import java.util.Map;
import org.xbill.DNS.Type;

/**
 * Registers with dnsjava the RR types that BIND 9.18 reads from master files and dnsjava 3.7.1
 * has no class for (EUI48, EUI64, NID, L32, L64, LP, HHIT, BRID, EID, NIMLOC, CSYNC, NINFO, AVC,
 * RESINFO, WALLET, TA, TALINK, DSYNC, AMTRELAY, DOA, ATMA, SINK, RKEY), and GPOS, whose dnsjava
 * class cannot hold the empty strings BIND accepts.
 */
public final class ExtraTypes {
  private ExtraTypes() {}

  private record Spec(int type, String mnemonic, RdataCodec codec) {}

  private static final Map<Integer, Spec> SPECS =
      Map.ofEntries(
          entry(27, "GPOS", Codecs.GPOS),
          entry(31, "EID", Codecs.HEX_DATA),
          entry(32, "NIMLOC", Codecs.HEX_DATA),
          entry(34, "ATMA", Codecs.ATMA),
          entry(40, "SINK", Codecs.SINK),
          entry(56, "NINFO", Codecs.TXT_LIKE),
          entry(57, "RKEY", Codecs.RKEY),
          entry(58, "TALINK", Codecs.TWO_NAMES),
          entry(62, "CSYNC", Codecs.CSYNC),
          entry(66, "DSYNC", Codecs.DSYNC),
          entry(67, "HHIT", Codecs.BASE64_DATA),
          entry(68, "BRID", Codecs.BASE64_DATA),
          entry(104, "NID", Codecs.PREF_64),
          entry(105, "L32", Codecs.L32),
          entry(106, "L64", Codecs.PREF_64),
          entry(107, "LP", Codecs.PREF_NAME),
          entry(108, "EUI48", Codecs.eui(6)),
          entry(109, "EUI64", Codecs.eui(8)),
          entry(258, "AVC", Codecs.TXT_LIKE),
          entry(259, "DOA", Codecs.DOA),
          entry(260, "AMTRELAY", Codecs.AMTRELAY),
          entry(261, "RESINFO", Codecs.TXT_LIKE),
          entry(262, "WALLET", Codecs.TXT_LIKE),
          entry(32768, "TA", Codecs.DS_LIKE));

  private static Map.Entry<Integer, Spec> entry(int type, String mnemonic, RdataCodec codec) {
    return Map.entry(type, new Spec(type, mnemonic, codec));
  }

  static {
    for (Spec s : SPECS.values()) {
      Type.register(s.type(), s.mnemonic(), ExtraRecord::new);
    }
  }

  /** Makes sure the types are registered; cheap after the first call. */
  public static void registerAll() {
    // the static initialiser does the work exactly once
  }

  static RdataCodec codec(int type) {
    Spec s = SPECS.get(type);
    return s == null ? null : s.codec();
  }
}
