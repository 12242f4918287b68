package dnsmig.server.xfr;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;

/**
 * Who may transfer zones (AXFR, over TCP only): a client whose address is in one of the
 * networks, or whose request is signed with one of the TSIG keys (RFC 8945). With neither,
 * nobody may. Transfers are the whole zone, so the default is nobody.
 */
public record TransferPolicy(List<Network> networks, Map<Name, TSIG> keys) {

    public static final TransferPolicy NOBODY = new TransferPolicy(List.of(), Map.of());

    public TransferPolicy {
        networks = List.copyOf(networks);
        keys = Map.copyOf(keys);
    }

    public boolean allows(InetAddress client) {
        return networks.stream().anyMatch(n -> n.contains(client));
    }

    /** An address block, "192.0.2.0/24", "::1/128" or a plain address. */
    public record Network(byte[] address, int prefix) {

        public static Network parse(String cidr) {
            String[] parts = cidr.strip().split("/", 2);
            try {
                byte[] a = InetAddress.getByName(literal(parts[0])).getAddress();
                int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : a.length * 8;
                if (prefix < 0 || prefix > a.length * 8) {
                    throw new IllegalArgumentException("prefix length out of range in " + cidr);
                }
                return new Network(a, prefix);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("not an address or network: " + cidr);
            }
        }

        private static String literal(String s) {
            // Only IP literals: never a name lookup through the resolver.
            if (!s.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("not an IP address: " + s);
            }
            return s;
        }

        public boolean contains(InetAddress client) {
            byte[] c = client.getAddress();
            if (c.length != address.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (c[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (c[full] & mask) == (address[full] & mask);
        }
    }
}
