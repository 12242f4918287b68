package dnsmig.legacy;

import dnsmig.legacy.namedconf.TsigKey;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;

/** A {@link TsigKey} from named.conf as dnsjava's {@link TSIG}. */
final class Tsig {

    private static final Map<String, Name> ALGORITHMS = Map.of("hmac-md5", TSIG.HMAC_MD5, "hmac-sha1", TSIG.HMAC_SHA1, "hmac-sha224", TSIG.HMAC_SHA224,
            "hmac-sha256", TSIG.HMAC_SHA256, "hmac-sha384", TSIG.HMAC_SHA384, "hmac-sha512", TSIG.HMAC_SHA512);

    private Tsig() {}

    static TSIG of(TsigKey key) {
        Name algorithm = ALGORITHMS.get(key.algorithm().toLowerCase(Locale.ROOT));
        if (algorithm == null) {
            throw new IllegalArgumentException("TSIG key " + key.name() + ": algorithm " + key.algorithm()
                    + " is not supported (truncated HMACs are not); use one of " + new java.util.TreeSet<>(ALGORITHMS.keySet()));
        }
        try {
            return new TSIG(algorithm, Name.fromString(key.name().endsWith(".") ? key.name() : key.name() + "."), key.secret());
        } catch (TextParseException e) {
            throw new IllegalArgumentException("TSIG key name is not a domain name: " + key.name(), e);
        }
    }
}
