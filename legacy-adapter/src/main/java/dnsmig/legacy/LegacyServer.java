package dnsmig.legacy;

import dnsmig.legacy.namedconf.NamedConf;
import dnsmig.legacy.namedconf.NamedConfException;
import dnsmig.legacy.namedconf.TsigKey;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A running legacy {@code named}: where it listens (an IP literal: names are never resolved) and
 * the TSIG key dnsmig signs UPDATEs and zone transfers with. {@link #toString()} never shows the
 * secret.
 */
public record LegacyServer(InetSocketAddress address, TsigKey key) {

    public LegacyServer {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(key, "key");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("the legacy server must be given as an IP address, not a name: " + address.getHostString());
        }
    }

    /**
     * The key of a BIND key file (as {@code tsig-keygen} writes it) or of a named.conf holding
     * exactly one key, or the key named {@code keyName} when given.
     */
    public static TsigKey keyFromFile(Path file, String keyName) {
        List<TsigKey> keys;
        try {
            keys = NamedConf.read(file).keys();
        } catch (NamedConfException e) {
            throw new IllegalArgumentException("cannot read the TSIG key file: " + e.getMessage(), e);
        }
        if (keyName != null) {
            String want = keyName.endsWith(".") ? keyName : keyName + ".";
            return keys.stream().filter(k -> (k.name().endsWith(".") ? k.name() : k.name() + ".").equalsIgnoreCase(want)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no key '" + keyName + "' in " + file + " (it has "
                            + keys.stream().map(TsigKey::name).toList() + ")"));
        }
        if (keys.size() != 1) {
            throw new IllegalArgumentException(file + " holds " + keys.size() + " keys " + keys.stream().map(TsigKey::name).toList()
                    + "; say which one to use");
        }
        return keys.get(0);
    }

    @Override
    public String toString() {
        return "LegacyServer[" + address.getAddress().getHostAddress() + ":" + address.getPort() + ", key " + key.name() + " (" + key.algorithm() + ")]";
    }
}
