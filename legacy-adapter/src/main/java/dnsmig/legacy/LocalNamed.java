package dnsmig.legacy;

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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A throw-away legacy server: BIND's {@code named} on 127.0.0.1 and a free high port, serving
 * the zones given as dynamic zones (RFC 2136 UPDATE and AXFR with a TSIG key generated per
 * instance, {@link #keyFile()}), with dnstap ({@code auth}) to a file and a query log. For the
 * demo ({@code dnsmig demo}), which needs a real legacy server to migrate from; the tests'
 * {@code NamedFixture} does the same with more knobs.
 *
 * <p>It is a child process killed on {@link #close()} (and by a shutdown hook); {@link #start}
 * returns once every zone answers its SOA, or throws with the end of named's log.
 */
public final class LocalNamed implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern LOAD_FAILED = Pattern.compile("failed: (.+)$");

    private final Path dir;
    private final List<String> zones;
    private final InetAddress address = InetAddress.getLoopbackAddress();
    private final Thread hook;
    private int port;
    private Process process;

    private LocalNamed(Path dir, List<String> zones) {
        this.dir = dir;
        this.zones = List.copyOf(zones);
        this.hook = new Thread(this::kill, "local-named-kill");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts named serving {@code zones} (zone name → its master file, read with the file's
     * directory as {@code directory}, as named would read it there).
     */
    public static LocalNamed start(Map<String, Path> zones) throws IOException {
        if (zones.isEmpty()) {
            throw new IllegalArgumentException("the legacy named needs at least one zone");
        }
        Path dir = Files.createTempDirectory("dnsmig-legacy-named");
        Map<String, Path> canonical = new LinkedHashMap<>();
        zones.forEach((z, f) -> canonical.put(LegacyDns.canonical(z), f));
        LocalNamed n = new LocalNamed(dir, List.copyOf(canonical.keySet()));
        try {
            n.firstStart(canonical);
            return n;
        } catch (IOException | RuntimeException e) {
            n.close();
            throw e;
        }
    }

    /**
     * Why named would refuse to load a zone file ({@code named-checkzone}, run in the file's
     * directory so relative {@code $INCLUDE}s resolve as named resolves them), or empty when it
     * loads.
     */
    public static Optional<String> refusal(String zone, Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("named-checkzone", LegacyDns.canonical(zone), file.toAbsolutePath().toString())
                .directory(file.toAbsolutePath().getParent().toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("named-checkzone did not finish within 30 s for " + zone);
        }
        if (p.exitValue() == 0) {
            return Optional.empty();
        }
        List<String> lines = out.lines().filter(l -> !l.isBlank() && !l.contains("not loaded due to errors")).toList();
        for (String l : lines) {
            Matcher m = LOAD_FAILED.matcher(l);
            if (m.find()) {
                return Optional.of(m.group(1).strip());
            }
        }
        String last = lines.isEmpty() ? "named-checkzone exited with " + p.exitValue() : lines.get(lines.size() - 1);
        return Optional.of(last.replaceFirst("^zone [^ ]+: ", "").strip());
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(address, port);
    }

    public int port() {
        return port;
    }

    /** The zones served, lower-case and absolute. */
    public List<String> zones() {
        return zones;
    }

    /** The TSIG key for UPDATE and AXFR, in BIND's key-file format ({@link LegacyServer#keyFromFile}). */
    public Path keyFile() {
        return dir.resolve("tsig.key");
    }

    /** The generated configuration (the legacy zone list for reconcile's {@code --named-conf}). */
    public Path namedConf() {
        return dir.resolve("named.conf");
    }

    /** Where named writes dnstap (AUTH_QUERY and AUTH_RESPONSE). */
    public Path dnstapFile() {
        return dir.resolve("dnstap.fstrm");
    }

    public Path directory() {
        return dir;
    }

    @Override
    public synchronized void close() {
        Process p = process;
        if (p != null) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            process = null;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; the hook does the kill
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory: best effort
        }
    }

    private void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private void firstStart(Map<String, Path> files) throws IOException {
        SecureRandom random = new SecureRandom();
        Files.writeString(keyFile(), keyStatement("dnsmig-demo-key.", random));
        Files.writeString(dir.resolve("rndc.key"), keyStatement("rndc-key", random));
        // Copies, because named writes journals beside dynamic zones' files. The source directories' files go into named's
        // directory, where named resolves relative $INCLUDEs, as named-checkzone did in the source directory.
        Map<String, Path> copies = new LinkedHashMap<>();
        java.util.Set<Path> copied = new java.util.HashSet<>();
        for (var e : files.entrySet()) {
            Path source = e.getValue().toAbsolutePath().getParent();
            if (copied.add(source)) {
                try (var list = Files.list(source)) {
                    for (Path f : list.filter(Files::isRegularFile).toList()) {
                        Files.copy(f, dir.resolve(f.getFileName())); // a name in two source directories fails here, rather than mixing them up
                    }
                }
            }
            copies.put(e.getKey(), dir.resolve(e.getValue().getFileName()));
        }
        // A port free now can be taken before named binds it: a few tries.
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            // Two draws can return the same port (about once in 7,000): named would then bind its
            // control channel there too, with SO_REUSEPORT, and half the TCP queries would go to it.
            int rndcPort = freePort();
            while (rndcPort == port) {
                rndcPort = freePort();
            }
            writeConfig(copies, rndcPort);
            launch();
            try {
                awaitReady();
                return;
            } catch (IllegalStateException e) {
                close(process);
                if (attempt >= 3 || !log().contains("address in use")) {
                    throw e;
                }
            }
        }
    }

    private void writeConfig(Map<String, Path> copies, int rndcPort) throws IOException {
        StringBuilder c = new StringBuilder("// generated by dnsmig demo: the legacy server\n");
        c.append("include \"").append(keyFile()).append("\";\ninclude \"").append(dir.resolve("rndc.key")).append("\";\n");
        c.append("options {\n    directory \"").append(dir).append("\";\n");
        c.append("    listen-on port ").append(port).append(" { 127.0.0.1; };\n    listen-on-v6 { none; };\n");
        c.append("    pid-file \"named.pid\";\n    session-keyfile \"session.key\";\n    managed-keys-directory \"").append(dir).append("\";\n");
        c.append("    recursion no;\n    dnssec-validation no;\n    notify no;\n    querylog yes;\n");
        c.append("    allow-transfer { key \"dnsmig-demo-key.\"; 127.0.0.0/8; };\n");
        c.append("    dnstap { auth; };\n    dnstap-output file \"").append(dnstapFile()).append("\";\n};\n");
        c.append("controls { inet 127.0.0.1 port ").append(rndcPort).append(" allow { 127.0.0.1; } keys { \"rndc-key\"; }; };\n");
        c.append("logging {\n    channel main { file \"").append(dir.resolve("named.log")).append("\"; print-time yes; severity info; };\n");
        c.append("    channel queries { file \"").append(dir.resolve("query.log")).append("\"; print-time yes; };\n");
        c.append("    category default { main; };\n    category queries { queries; };\n};\n");
        for (var e : copies.entrySet()) {
            c.append("zone \"").append(e.getKey()).append("\" {\n    type primary;\n    file \"").append(e.getValue()).append("\";\n");
            c.append("    update-policy { grant \"dnsmig-demo-key.\" zonesub ANY; };\n};\n");
        }
        Files.writeString(namedConf(), c);
    }

    private void launch() throws IOException {
        Files.deleteIfExists(dir.resolve("named.pid"));
        try {
            process = new ProcessBuilder("named", "-f", "-n", "1", "-c", namedConf().toString()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("named.stderr").toFile())).start();
        } catch (IOException e) {
            throw new IOException("cannot start named (" + e.getMessage() + "): install BIND 9 (apt-get install bind9 bind9-utils)", e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        List<String> pending = new ArrayList<>(zones);
        while (!pending.isEmpty()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("named exited with " + process.exitValue() + " before answering; its log:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("named did not answer for " + pending + " within " + READY_TIMEOUT.toSeconds() + " s; its log:\n" + log());
            }
            pending.removeIf(this::answersSoa);
            if (!pending.isEmpty()) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for named", e);
                }
            }
        }
    }

    private boolean answersSoa(String zone) {
        try {
            SimpleResolver r = new SimpleResolver(address());
            r.setTimeout(Duration.ofMillis(300));
            Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(zone), Type.SOA, DClass.IN)));
            return m.getRcode() == Rcode.NOERROR && m.getHeader().getFlag(Flags.AA) && m.getSection(Section.ANSWER).size() == 1;
        } catch (IOException e) {
            return false;
        }
    }

    private String log() {
        StringBuilder sb = new StringBuilder();
        for (Path p : List.of(dir.resolve("named.stderr"), dir.resolve("named.log"))) {
            try {
                if (Files.exists(p)) {
                    List<String> lines = Files.readAllLines(p, StandardCharsets.ISO_8859_1);
                    lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> sb.append(l).append('\n'));
                }
            } catch (IOException e) {
                sb.append("(cannot read ").append(p).append(")\n");
            }
        }
        return sb.toString();
    }

    private static void close(Process p) {
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, address)) {
                int p = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, p))) {
                    return p;
                } catch (IOException taken) {
                    // its UDP side is in use: the next one
                }
            }
        }
        throw new IOException("no loopback port free for both TCP and UDP after 50 tries");
    }

    private static String keyStatement(String name, SecureRandom random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return "key \"" + name + "\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + Base64.getEncoder().encodeToString(b) + "\";\n};\n";
    }

    @Override
    public String toString() {
        return "LocalNamed[127.0.0.1:" + port + ", zones=" + zones.size() + "]";
    }
}
