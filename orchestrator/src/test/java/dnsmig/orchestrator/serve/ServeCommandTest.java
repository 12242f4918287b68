package dnsmig.orchestrator.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.orchestrator.cli.Cli;
import dnsmig.testkit.DnsClient;
import dnsmig.testkit.Repo;
import dnsmig.testkit.TestPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * {@code dnsmig serve} as operators run it: a process of its own on a backfilled record store,
 * answering DNS on loopback, with health and Prometheus metrics over HTTP, and stopped by
 * SIGTERM with exit code 0.
 */
class ServeCommandTest {

    private static final Pattern READY = Pattern.compile("ready; health and metrics on (http://[0-9.]+:\\d+)/actuator/health");
    private static final Pattern LOADING = Pattern.compile("loading its zones; health on (http://[0-9.]+:\\d+)/actuator/health");

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void servesTheBackfilledZonesWithHealthAndMetricsAndStopsOnSigterm() throws Exception {
        TestPostgres.Database db = backfilledSamples();
        int port = freePort();
        Served served = start(db, "--nameserver", "ns1", "--listen", "127.0.0.1:" + port);

        InetSocketAddress dns = new InetSocketAddress("127.0.0.1", port);
        byte[] query = Message.newQuery(Record.newRecord(Name.fromString("www.acme.example."), Type.A, DClass.IN)).toWire();
        for (boolean tcp : new boolean[] {false, true}) {
            byte[] wire = tcp ? DnsClient.tcp(dns, query, Duration.ofSeconds(3)) : DnsClient.udp(dns, query, Duration.ofSeconds(3));
            assertThat(wire).as("an answer over %s", tcp ? "TCP" : "UDP").isNotNull();
            Message m = new Message(wire);
            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(m.getSection(Section.ANSWER)).isNotEmpty();
        }

        String health = get(served.http() + "/actuator/health");
        assertThat(health).contains("\"status\":\"UP\"").contains("\"database\":\"reachable\"").containsPattern("\"zones\":[1-9]");
        String metrics = get(served.http() + "/actuator/prometheus");
        assertThat(metrics).containsPattern("dns_queries_total\\{[^}]*nameserver=\"ns1\"[^}]*qtype=\"A\"[^}]*\\} [1-9]")
                .contains("dns_query_duration_seconds_bucket").containsPattern("dns_zones_loaded\\{nameserver=\"ns1\"\\} [1-9]")
                .contains("dns_records_loaded").contains("dns_changelog_lag_seconds").containsPattern("dns_ready\\{nameserver=\"ns1\"\\} 1");

        served.process().destroy(); // SIGTERM
        assertThat(served.process().waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s of SIGTERM").isTrue();
        assertThat(served.process().exitValue()).as("exit code after SIGTERM").isZero();
        assertThat(DnsClient.udp(dns, query, Duration.ofMillis(500))).as("no longer answering").isNull();
    }

    /**
     * Health is served from the start: while the zones load (held here by a lock on the zone
     * table the loader reads), health and readiness say 503 OUT_OF_SERVICE and liveness UP, so
     * an orchestrator neither kills a loading nameserver nor sends it queries; once loaded, UP.
     */
    @Test
    void healthAnswersWhileTheZonesLoadAndSaysReadyOnlyOnceTheyAre() throws Exception {
        TestPostgres.Database db = backfilledSamples();
        try (Connection lock = zoneTableLocked(db)) {
            Process p = process(db, "--nameserver", "ns1", "--listen", "127.0.0.1:" + freePort());
            Output out = new Output(p);
            String http = out.await(LOADING).group(1);

            HttpResponse<String> health = fetch(http + "/actuator/health");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(503);
            assertThat(health.body()).contains("\"status\":\"OUT_OF_SERVICE\"", "\"loading\"");
            HttpResponse<String> readiness = fetch(http + "/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(503);
            assertThat(readiness.body()).isEqualTo("{\"status\":\"OUT_OF_SERVICE\"}");
            HttpResponse<String> liveness = fetch(http + "/actuator/health/liveness");
            assertThat(liveness.statusCode()).isEqualTo(200);
            assertThat(liveness.body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(fetch(http + "/actuator/prometheus").body()).as("metrics while loading").contains("jvm_memory_used_bytes");

            lock.rollback(); // the loader goes on
            assertThat(out.await(READY).group(1)).isEqualTo(http);
            health = fetch(http + "/actuator/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"").containsPattern("\"zones\":[1-9]").doesNotContain("loading");
            readiness = fetch(http + "/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(200);
            assertThat(readiness.body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(fetch(http + "/actuator/health/nonsense").statusCode()).as("a path below a context is not it").isEqualTo(404);
        }
    }

    /** SIGTERM while the zones load (held by a lock, as above) stops it at once with exit code 0. */
    @Test
    void sigtermWhileLoadingStopsItWithExitCodeZero() throws Exception {
        TestPostgres.Database db = backfilledSamples();
        try (Connection lock = zoneTableLocked(db)) {
            Process p = process(db, "--nameserver", "ns1", "--listen", "127.0.0.1:" + freePort());
            String http = new Output(p).await(LOADING).group(1);
            assertThat(fetch(http + "/actuator/prometheus").body()).containsPattern("dns_ready\\{nameserver=\"ns1\"\\} 0");
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s of SIGTERM").isTrue();
            assertThat(p.exitValue()).as("0, not the JVM's 143 for a SIGTERM").isZero();
        }
    }

    /** {@code --legacy}: the nameserver registers in legacy mode, forwards, and follows a mode change made by the command line. */
    @Test
    void withLegacyItForwardsUntilTheCutoverMovesIt() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        try (dnsmig.testkit.NamedFixture named = dnsmig.testkit.NamedFixture.builder().dynamicZone("a.test", """
                $TTL 300
                @    SOA ns1.a.test. hostmaster.a.test. 1 3600 600 86400 300
                @    NS  ns1
                ns1  A   192.0.2.1
                www  A   192.0.2.80
                """).start();
                var pool = dnsmig.store.StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "test")) {
            Path owners = java.nio.file.Files.writeString(tmp.resolve("owners.csv"), "zone,owner,email\na.test,alice,a@example.net\n");
            Cli cli = new Cli(db);
            Cli.Run backfill = cli.run("backfill", "--named-conf", named.namedConf().toString(), "--owners", owners.toString(), "--progress", "never");
            assertThat(backfill.exit()).as(backfill.toString()).isZero();
            // a name only the new side has: NXDOMAIN while forwarded, an answer once served here
            new dnsmig.store.ReconcileStore(org.jooq.impl.DSL.using(pool, org.jooq.SQLDialect.POSTGRES)).replaceRRsets("a.test", List.of(
                    new dnsmig.store.ReconcileStore.RRset("new.a.test.", "A", List.of(new dnsmig.store.Rows.Rr("new.a.test.", "A", 60, "192.0.2.9")))),
                    "test");
            int port = freePort();
            Served served = start(db, "--nameserver", "ns1", "--listen", "127.0.0.1:" + port, "--legacy", "127.0.0.1:" + named.port());
            InetSocketAddress dns = new InetSocketAddress("127.0.0.1", port);
            byte[] www = Message.newQuery(Record.newRecord(Name.fromString("www.a.test."), Type.A, DClass.IN)).toWire();
            byte[] onlyNew = Message.newQuery(Record.newRecord(Name.fromString("new.a.test."), Type.A, DClass.IN)).toWire();
            assertThat(new Message(DnsClient.udp(dns, www, Duration.ofSeconds(3))).getSection(Section.ANSWER)).hasSize(1);
            assertThat(new Message(DnsClient.tcp(dns, onlyNew, Duration.ofSeconds(3))).getRcode()).as("forwarded over TCP").isEqualTo(Rcode.NXDOMAIN);
            assertThat(get(served.http() + "/actuator/health")).contains("\"servingMode\":\"legacy\"");
            assertThat(get(served.http() + "/actuator/prometheus")).containsPattern("dns_answers_total\\{[^}]*source=\"legacy\"[^}]*\\} [1-9]")
                    .containsPattern("dns_serving_mode\\{nameserver=\"ns1\"\\} 0").contains("dns_forward_timeouts_total");
            Cli.Run status = cli.run("cutover", "status");
            assertThat(status.out()).as(status.toString()).contains("127.0.0.1:" + named.port()).contains("register");

            Cli.Run advance = cli.run("cutover", "advance", "ns1", "--to", "new", "--force", "--reason", "serve test");
            assertThat(advance.exit()).as(advance.toString()).isZero();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            Message m = null;
            while (System.nanoTime() < deadline) {
                m = new Message(DnsClient.udp(dns, onlyNew, Duration.ofSeconds(3)));
                if (m.getRcode() == Rcode.NOERROR) {
                    break;
                }
                Thread.sleep(10);
            }
            assertThat(m.getSection(Section.ANSWER)).as("answered from the own index after the advance").hasSize(1);
            assertThat(get(served.http() + "/actuator/health")).contains("\"servingMode\":\"new\"");

            served.process().destroy();
            assertThat(served.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(served.process().exitValue()).isZero();
        }
    }

    @Test
    void aTakenPortOrABadAddressFailsWithAMessageThatSaysSo() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase();
        Cli.Run bad = new Cli(db).run("serve", "--nameserver", "ns1", "--listen", "localhost:53");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).contains("localhost:53");
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int port = taken.getLocalPort();
            Process p = process(db, "--nameserver", "ns1", "--listen", "127.0.0.1:" + port);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String err = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(err).isEqualTo(1);
            assertThat(err).contains("cannot listen on 127.0.0.1:" + port + " (UDP)");
        }
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Process p = process(db, "--nameserver", "ns1", "--listen", "127.0.0.1:" + freePort(), "--http", "127.0.0.1:" + port);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String err = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(err).isEqualTo(1);
            assertThat(err).contains("cannot listen on 127.0.0.1:" + port + " (--http");
        }
    }

    /** A fresh database with the samples backfilled. */
    private static TestPostgres.Database backfilledSamples() {
        TestPostgres.Database db = TestPostgres.newDatabase();
        Cli.Run backfill = new Cli(db).run("backfill", "--named-conf", Repo.samples().resolve("named.conf").toString(), "--owners",
                Repo.samples().resolve("owners.csv").toString(), "--progress", "never");
        assertThat(backfill.exit()).as(backfill.toString()).isIn(0, 3); // the samples hold broken zones on purpose
        return db;
    }

    /** A transaction holding the zone table that serve's loader reads: the load waits until it is rolled back or closed. */
    private static Connection zoneTableLocked(TestPostgres.Database db) throws SQLException {
        Connection lock = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        lock.setAutoCommit(false);
        try (Statement st = lock.createStatement()) {
            st.execute("lock table dnsmig.zone in access exclusive mode");
        }
        return lock;
    }

    record Served(Process process, String http) {}

    private Served start(TestPostgres.Database db, String... args) throws Exception {
        Process p = process(db, args);
        return new Served(p, new Output(p).await(READY).group(1));
    }

    /** What a serve process prints, read as it comes. */
    private static final class Output {
        private final Process p;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder seen = new StringBuilder();

        Output(Process p) {
            this.p = p;
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // process gone
                }
            });
        }

        /** The first line from now on that {@code pattern} finds something in (within 120 s). */
        Matcher await(Pattern pattern) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(1, TimeUnit.SECONDS);
                if (l == null) {
                    if (!p.isAlive()) {
                        break;
                    }
                    continue;
                }
                seen.append(l).append('\n');
                Matcher m = pattern.matcher(l);
                if (m.find()) {
                    return m;
                }
            }
            throw new AssertionError("dnsmig serve did not print /" + pattern + "/; its output:\n" + seen);
        }
    }

    /** {@code dnsmig serve} in a JVM of its own, on this test's class path. */
    private Process process(TestPostgres.Database db, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dnsmig.orchestrator.cli.Main", "serve"));
        command.addAll(List.of(args));
        command.addAll(List.of("--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password", db.password()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).directory(tmp.toFile()).start();
        processes.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket()) {
                    tcp.bind(new InetSocketAddress("127.0.0.1", port));
                    return port;
                } catch (IOException taken) {
                    // TCP side busy: try another
                }
            }
        }
        throw new IOException("no free port for UDP and TCP");
    }

    private static String get(String url) throws Exception {
        return fetch(url).body();
    }

    private static HttpResponse<String> fetch(String url) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
