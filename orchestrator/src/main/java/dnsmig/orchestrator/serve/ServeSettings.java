package dnsmig.orchestrator.serve;

import dnsmig.legacy.namedconf.NamedConf;
import dnsmig.legacy.namedconf.NamedConfException;
import dnsmig.legacy.namedconf.TsigKey;
import dnsmig.server.NameServer;
import dnsmig.server.xfr.TransferPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;

/**
 * What {@code dnsmig serve} was asked for, as the nameserver's settings. Addresses are IP
 * literals with a port ({@code 127.0.0.1:5300}, {@code [::1]:5300}); names are never looked
 * up.
 */
public record ServeSettings(String nameserver, List<String> listen, int threads, int cacheEntries, int maxTcpConnections, Duration tcpIdle,
        List<String> allowTransfer, List<Path> transferKeys) {

    public NameServer.Settings toSettings() {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String l : listen) {
            addresses.add(address(l));
        }
        List<TransferPolicy.Network> networks = allowTransfer.stream().map(TransferPolicy.Network::parse).toList();
        Map<Name, TSIG> keys = new HashMap<>();
        for (Path file : transferKeys) {
            try {
                for (TsigKey k : NamedConf.read(file).keys()) {
                    Name name = Name.fromString(k.name().endsWith(".") ? k.name() : k.name() + ".");
                    keys.put(name, new TSIG(TSIG.algorithmToName(k.algorithm()), name, k.secret()));
                }
            } catch (NamedConfException e) {
                throw new IllegalArgumentException("--transfer-key " + file + ": " + e.getMessage());
            } catch (org.xbill.DNS.TextParseException e) {
                throw new IllegalArgumentException("--transfer-key " + file + ": bad key name");
            }
        }
        return new NameServer.Settings(nameserver, addresses, threads, cacheEntries, maxTcpConnections, tcpIdle, new TransferPolicy(networks, keys),
                Duration.ofSeconds(1));
    }

    /** "127.0.0.1:5300", "[::1]:5300" or ":5300" (all IPv4 addresses). */
    public static InetSocketAddress address(String hostPort) {
        String s = hostPort.strip();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--listen wants ADDRESS:PORT, got " + hostPort);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen " + hostPort + ": the port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen " + hostPort + ": port out of range");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        if (!host.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("--listen " + hostPort + ": give an IP address, not a name");
        }
        return new InetSocketAddress(host, port);
    }
}
