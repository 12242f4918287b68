package dnsmig.orchestrator.serve;

import dnsmig.legacy.namedconf.NamedConf;
import dnsmig.legacy.namedconf.NamedConfException;
import dnsmig.legacy.namedconf.TsigKey;
import dnsmig.server.NameServer;
import dnsmig.server.tap.DnstapTap;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
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
        List<String> allowTransfer, List<Path> transferKeys, Dnstap dnstap, Legacy legacy) {

    /**
     * The legacy server a nameserver forwards to in legacy and canary mode ({@code --legacy}); with
     * it, the nameserver follows its serving mode in the database. Null: the nameserver answers
     * everything from its own index (no serving modes).
     */
    public record Legacy(String address, Duration timeout, int maxInFlight) {

        public Legacy {
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofSeconds(30)) > 0) {
                throw new IllegalArgumentException("--legacy-timeout is 1 to 30000 ms, got " + timeout.toMillis());
            }
            if (maxInFlight < 1 || maxInFlight > 60_000) {
                throw new IllegalArgumentException("--legacy-max-in-flight is 1 to 60000, got " + maxInFlight);
            }
            ServeSettings.address("--legacy", address);
        }

        public NameServer.Cutover toCutover() {
            NameServer.Cutover d = NameServer.Cutover.to(ServeSettings.address("--legacy", address));
            return new NameServer.Cutover(d.legacy(), timeout, maxInFlight, d.pollEvery(), d.watchEvery());
        }
    }

    /**
     * The dnstap tap asked for: into a file or a collector's unix socket (one of them, or
     * neither), each query tapped with probability {@code sample} together with its response.
     */
    public record Dnstap(Path file, Path socket, double sample) {

        public static final Dnstap NONE = new Dnstap(null, null, 1);

        public Dnstap {
            if (file != null && socket != null) {
                throw new IllegalArgumentException("--dnstap-file and --dnstap-socket exclude each other: give one");
            }
            if (!(sample >= 0 && sample <= 1)) {
                throw new IllegalArgumentException("--dnstap-sample is a probability from 0 to 1 (0.1: about one query in ten), got " + sample);
            }
        }

        /** From the command line's options; a sample rate without somewhere to tap to is a usage error. */
        public static Dnstap of(Path file, Path socket, Double sample) {
            if (sample != null && file == null && socket == null) {
                throw new IllegalArgumentException("--dnstap-sample needs --dnstap-file or --dnstap-socket");
            }
            return new Dnstap(file, socket, sample == null ? 1 : sample);
        }

        public boolean enabled() {
            return file != null || socket != null;
        }

        /** The tap for this nameserver (a file is created now, so a bad path fails at start). */
        public DnstapTap open(String nameserver, MeterRegistry registry) throws IOException {
            DnstapTap.Settings settings = DnstapTap.Settings.of(nameserver, sample);
            return file != null ? DnstapTap.toFile(file, settings, registry) : DnstapTap.toSocket(socket, settings, registry);
        }
    }

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
        return address("--listen", hostPort);
    }

    /** An address option's value ({@code option} names it in errors). */
    static InetSocketAddress address(String option, String hostPort) {
        String s = hostPort.strip();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(option + " wants ADDRESS:PORT, got " + hostPort);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + hostPort + ": the port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(option + " " + hostPort + ": port out of range");
        }
        if (host.isEmpty()) {
            if (!option.equals("--listen")) {
                throw new IllegalArgumentException(option + " " + hostPort + ": give the IP address");
            }
            return new InetSocketAddress(port);
        }
        if (!host.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException(option + " " + hostPort + ": give an IP address, not a name");
        }
        return new InetSocketAddress(host, port);
    }
}
