package dnsmig.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real BIND 9 {@code named} for tests: the legacy server of the migration, on a loopback high
 * port (UDP and TCP), from a configuration generated into a temporary directory.
 *
 * <pre>{@code
 * try (NamedFixture named = NamedFixture.builder()
 *         .dynamicZone("example.com", "$TTL 300\n@ SOA ns1 host 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\n")
 *         .start()) {
 *     named.port();      // 127.0.0.1:port answers for example.com, UPDATE and AXFR with named.keyFile()'s key
 *     named.rndc("reload", "example.com");
 *     named.stop();      // an outage; named.start() brings it back on the same port with the same data
 * }
 * }</pre>
 *
 * <p>What the generated server has: every zone given (dynamic zones accept RFC 2136 UPDATE signed
 * with the fixture's TSIG key, {@code update-policy { grant KEY zonesub ANY; }}; static ones do
 * not); a TSIG key generated per fixture ({@code hmac-sha256}) in BIND's key-file format in
 * {@link #keyFile()}; {@code allow-transfer} for that key and loopback; the query log in {@link
 * #queryLog()}; dnstap ({@code dnstap { auth; }}) to {@link #dnstapFile()} or to a unix socket the
 * test names; an {@code rndc} control channel on its own loopback port with its own key; no IPv6
 * unless asked. {@link #start()} waits (at most 20 s) until every zone answers its SOA.
 *
 * <p>named runs as {@code named -f} (foreground, the configuration's logging): {@code -g} would
 * force every log line, queries included, to standard error, and the query log must be a file of
 * its own. The server's own log is {@link #log()}. The process is killed by its PID on {@link
 * #close()}, and by a shutdown hook if the test forgets. A missing {@code named} fails with what
 * to install.
 */
public final class NamedFixture implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Map<String, Zone> zones;
    private final String keyName;
    private final String keySecret;
    private final Path dnstapSocket;
    private final boolean ipv6;
    private final String extraOptions;
    private final InetAddress address;
    private int port;
    private int rndcPort;
    private Process process;
    private final Thread shutdownHook;

    private record Zone(String name, String text, boolean dynamic) {}

    private NamedFixture(Builder b) throws IOException {
        this.zones = new LinkedHashMap<>(b.zones);
        this.keyName = b.keyName;
        this.keySecret = randomSecret();
        this.dnstapSocket = b.dnstapSocket;
        this.ipv6 = b.ipv6;
        this.extraOptions = b.extraOptions;
        this.address = InetAddress.getByName("127.0.0.1");
        this.dir = Files.createTempDirectory("dnsmig-named");
        this.shutdownHook = new Thread(this::kill, "named-fixture-kill");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A fixture to configure; nothing runs until {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** What the generated named serves and how. */
    public static final class Builder {
        private final Map<String, Zone> zones = new LinkedHashMap<>();
        private String keyName = "dnsmig-test-key.";
        private Path dnstapSocket;
        private boolean ipv6;
        private String extraOptions = "";

        private Builder() {}

        /** A zone that takes RFC 2136 UPDATEs signed with the fixture's key. {@code text} is a master file with {@code $ORIGIN} = the zone. */
        public Builder dynamicZone(String name, String text) {
            zones.put(canonical(name), new Zone(canonical(name), text, true));
            return this;
        }

        /** A zone served from its file only (no dynamic updates; change the file and {@code rndc reload}). */
        public Builder staticZone(String name, String text) {
            zones.put(canonical(name), new Zone(canonical(name), text, false));
            return this;
        }

        /** The TSIG key's name (default {@code dnsmig-test-key.}). */
        public Builder keyName(String name) {
            this.keyName = name.endsWith(".") ? name : name + ".";
            return this;
        }

        /** Send dnstap to this unix socket (a Frame Streams reader must listen there) instead of the file {@link #dnstapFile()}. */
        public Builder dnstapSocket(Path socket) {
            this.dnstapSocket = socket;
            return this;
        }

        /**
         * Extra statements for the {@code options} block, e.g. {@code "check-names primary ignore;"}
         * to serve zones that named's default load checks would refuse.
         */
        public Builder options(String statements) {
            this.extraOptions = this.extraOptions + statements + "\n";
            return this;
        }

        /** Also listen on {@code ::1} (same port). */
        public Builder ipv6(boolean on) {
            this.ipv6 = on;
            return this;
        }

        /** Writes the configuration, starts named and waits until every zone answers. */
        public NamedFixture start() {
            if (zones.isEmpty()) {
                throw new IllegalStateException("a NamedFixture needs at least one zone");
            }
            NamedFixture f;
            try {
                f = new NamedFixture(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                f.firstStart();
                return f;
            } catch (RuntimeException | Error e) {
                f.close();
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ where things are

    /** 127.0.0.1. */
    public InetAddress address() {
        return address;
    }

    /** The DNS port (UDP and TCP). */
    public int port() {
        return port;
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    /** The TSIG key's name, absolute ({@code dnsmig-test-key.}). */
    public String keyName() {
        return keyName;
    }

    /** Always {@code hmac-sha256}. */
    public String keyAlgorithm() {
        return "hmac-sha256";
    }

    /** The TSIG secret, base64 as in the key file. */
    public String keySecret() {
        return keySecret;
    }

    /** The TSIG key in BIND's key-file format ({@code key "NAME" { algorithm ...; secret "..."; };}), as tsig-keygen writes it. */
    public Path keyFile() {
        return dir.resolve("tsig.key");
    }

    /** The temporary directory holding configuration, zone files, journals and logs. */
    public Path directory() {
        return dir;
    }

    /** The generated named.conf (readable by {@code NamedConf}: zones, keys). */
    public Path namedConf() {
        return dir.resolve("named.conf");
    }

    /** A zone's master file (named's copy: for static zones, edit it and {@code rndc reload}). */
    public Path zoneFile(String zone) {
        return dir.resolve("db." + canonical(zone).replaceAll("\\.$", ""));
    }

    /** The zone names, lower-case and absolute, in the order given. */
    public List<String> zones() {
        return List.copyOf(zones.keySet());
    }

    /** Every query named answered, one line each ({@code querylog yes}). */
    public Path queryLog() {
        return dir.resolve("query.log");
    }

    /** named's own log. */
    public Path log() {
        return dir.resolve("named.log");
    }

    /** Where dnstap frames go when no socket was given ({@code dnstap-read} reads it). */
    public Path dnstapFile() {
        return dir.resolve("dnstap.fstrm");
    }

    public int rndcPort() {
        return rndcPort;
    }

    /** The rndc key (its own, not the TSIG key above). */
    public Path rndcKeyFile() {
        return dir.resolve("rndc.key");
    }

    /** The process id of the running named, or -1. */
    public long pid() {
        Process p = process;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    public boolean running() {
        return pid() > 0;
    }

    // ------------------------------------------------------------------ life cycle

    /** Runs {@code rndc -s 127.0.0.1 -p PORT -k rndc.key ARGS...} (e.g. {@code reload example.com}) and returns what it printed. */
    public BindTools.Result rndc(String... args) {
        List<String> cmd = new ArrayList<>(List.of("rndc", "-s", "127.0.0.1", "-p", Integer.toString(rndcPort), "-k", rndcKeyFile().toString()));
        cmd.addAll(List.of(args));
        return BindTools.run(dir, cmd);
    }

    /** Stops named (SIGTERM, then SIGKILL after 10 s); zone files and journals stay for {@link #start()}. */
    public synchronized void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts named again after {@link #stop()}: same port, same data (journals included). */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        launch();
        awaitReady();
    }

    /** Stops named and deletes the directory. */
    @Override
    public synchronized void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "NamedFixture[127.0.0.1:" + port + ", zones=" + zones.keySet() + ", dir=" + dir + "]";
    }

    private void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private void firstStart() {
        requireNamed();
        String rndcSecret = randomSecret();
        try {
            Files.writeString(keyFile(), keyStatement(keyName, keySecret));
            Files.writeString(rndcKeyFile(), keyStatement("rndc-key", rndcSecret));
            for (Zone z : zones.values()) {
                Files.writeString(zoneFile(z.name()), "$ORIGIN " + z.name() + "\n" + z.text() + (z.text().endsWith("\n") ? "" : "\n"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // A port free now can be taken before named binds it: try a few.
        AssertionError last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            port = freePort();
            // Two draws can give the same port: bind(0) with SO_REUSEADDR draws from ~7,000 (the odd
            // ports of the lower half of the ephemeral range), so about one start in 7,000. named
            // then binds its control channel beside its DNS listener on that port (both
            // SO_REUSEPORT), and the kernel hands about half of the TCP connections to the control
            // channel, which closes them unanswered ("invalid command ... out of range" in its log)
            // while UDP answers as usual.
            do {
                rndcPort = freePort();
            } while (rndcPort == port);
            writeConfig();
            launch();
            try {
                awaitReady();
                return;
            } catch (AssertionError e) {
                stop();
                last = e;
                if (!readLog().contains("address in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private void writeConfig() {
        StringBuilder c = new StringBuilder();
        c.append("// generated by dnsmig's NamedFixture\n");
        c.append("include \"").append(keyFile()).append("\";\n");
        c.append("include \"").append(rndcKeyFile()).append("\";\n");
        c.append("options {\n");
        c.append("    directory \"").append(dir).append("\";\n");
        c.append("    listen-on port ").append(port).append(" { 127.0.0.1; };\n");
        c.append(ipv6 ? "    listen-on-v6 port " + port + " { ::1; };\n" : "    listen-on-v6 { none; };\n");
        c.append("    pid-file \"named.pid\";\n    session-keyfile \"session.key\";\n    managed-keys-directory \"").append(dir).append("\";\n");
        c.append("    recursion no;\n    dnssec-validation no;\n    notify no;\n    querylog yes;\n");
        c.append("    allow-transfer { key \"").append(keyName).append("\"; 127.0.0.0/8; ::1; };\n");
        c.append("    dnstap { auth; };\n");
        c.append(dnstapSocket != null ? "    dnstap-output unix \"" + dnstapSocket + "\";\n" : "    dnstap-output file \"" + dnstapFile() + "\";\n");
        c.append(extraOptions);
        c.append("};\n");
        c.append("controls { inet 127.0.0.1 port ").append(rndcPort).append(" allow { 127.0.0.1; } keys { \"rndc-key\"; }; };\n");
        c.append("logging {\n");
        c.append("    channel main { file \"").append(log()).append("\"; print-time yes; print-category yes; print-severity yes; severity info; };\n");
        c.append("    channel queries { file \"").append(queryLog()).append("\"; print-time yes; };\n");
        c.append("    category default { main; };\n    category queries { queries; };\n");
        c.append("};\n");
        for (Zone z : zones.values()) {
            c.append("zone \"").append(z.name()).append("\" {\n    type primary;\n    file \"").append(zoneFile(z.name())).append("\";\n");
            if (z.dynamic()) {
                c.append("    update-policy { grant \"").append(keyName).append("\" zonesub ANY; };\n");
            }
            c.append("};\n");
        }
        try {
            Files.writeString(namedConf(), c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        try {
            Files.deleteIfExists(dir.resolve("named.pid"));
            // -f: foreground with the configuration's logging; -n 1: one worker thread is plenty for tests.
            process = new ProcessBuilder("named", "-f", "-n", "1", "-c", namedConf().toString())
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("named.stderr").toFile()))
                    .start();
        } catch (IOException e) {
            throw new AssertionError("cannot start named: " + e.getMessage() + " (install BIND 9: apt-get install bind9)", e);
        }
    }

    /** Bounded: every zone must answer its SOA within 20 s, or the test fails with named's log. */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        List<String> pending = new ArrayList<>(zones.keySet());
        while (!pending.isEmpty()) {
            if (!process.isAlive()) {
                throw new AssertionError("named exited with " + process.exitValue() + " before answering; its log:\n" + readLog());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("named did not answer SOA queries for " + pending + " within " + READY_TIMEOUT.toSeconds() + " s; its log:\n"
                        + readLog());
            }
            pending.removeIf(this::answersSoa);
            if (!pending.isEmpty()) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for named", e);
                }
            }
        }
    }

    private boolean answersSoa(String zone) {
        try {
            SimpleResolver r = new SimpleResolver(new InetSocketAddress(address, port));
            r.setTimeout(Duration.ofMillis(300));
            Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(zone), Type.SOA, DClass.IN)));
            return m.getRcode() == Rcode.NOERROR && m.getHeader().getFlag(org.xbill.DNS.Flags.AA) && m.getSection(org.xbill.DNS.Section.ANSWER).size() == 1;
        } catch (IOException e) {
            return false;
        }
    }

    private String readLog() {
        StringBuilder sb = new StringBuilder();
        for (Path p : List.of(dir.resolve("named.stderr"), log())) {
            try {
                if (Files.exists(p)) {
                    List<String> lines = Files.readAllLines(p, StandardCharsets.ISO_8859_1);
                    lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> sb.append(l).append('\n'));
                }
            } catch (IOException e) {
                sb.append("(cannot read ").append(p).append(": ").append(e.getMessage()).append(")\n");
            }
        }
        return sb.toString();
    }

    private static void requireNamed() {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(d, "named"))) {
                return;
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty() && Files.isExecutable(Path.of(d, "named"))) {
                    return;
                }
            }
        }
        throw new AssertionError("BIND's named is not installed: apt-get install bind9 bind9-utils (scripts/test does it)");
    }

    /** A loopback port free for both TCP and UDP right now. */
    private int freePort() {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, address)) {
                int p = tcp.getLocalPort();
                if (p < 1024) {
                    continue;
                }
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, p))) {
                    return p;
                } catch (IOException taken) {
                    // UDP side in use: next
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new AssertionError("no free loopback port for both TCP and UDP after 50 tries");
    }

    private static String keyStatement(String name, String secret) {
        return "key \"" + name + "\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + secret + "\";\n};\n";
    }

    private static String randomSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    private static String canonical(String zone) {
        String z = zone.strip().toLowerCase(Locale.ROOT);
        return z.endsWith(".") ? z : z + ".";
    }
}
