package dnsmig.orchestrator.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.orchestrator.cli.Cli;
import dnsmig.testkit.BindTools;
import dnsmig.testkit.DnsClient;
import dnsmig.testkit.TestPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * {@code dnsmig serve --dnstap-file}: the tap wired into the running command (a process of its
 * own, stopped by SIGTERM), its file read back by BIND's {@code dnstap-read}; and the options'
 * usage errors.
 */
class ServeDnstapTest {

    @TempDir
    Path tmp;

    @Test
    void optionsThatDoNotFitAreUsageErrors() {
        Cli.Run both = Cli.plain("serve", "--nameserver", "ns1", "--listen", "127.0.0.1:0", "--dnstap-file", "a.dnstap", "--dnstap-socket", "b.sock");
        assertThat(both.exit()).as(both.toString()).isEqualTo(2);
        assertThat(both.err()).contains("--dnstap-file and --dnstap-socket exclude each other");
        Cli.Run rate = Cli.plain("serve", "--nameserver", "ns1", "--listen", "127.0.0.1:0", "--dnstap-file", "a.dnstap", "--dnstap-sample", "2");
        assertThat(rate.exit()).as(rate.toString()).isEqualTo(2);
        assertThat(rate.err()).contains("--dnstap-sample is a probability from 0 to 1");
        Cli.Run nowhere = Cli.plain("serve", "--nameserver", "ns1", "--listen", "127.0.0.1:0", "--dnstap-sample", "0.5");
        assertThat(nowhere.exit()).as(nowhere.toString()).isEqualTo(2);
        assertThat(nowhere.err()).contains("--dnstap-sample needs --dnstap-file or --dnstap-socket");
    }

    @Test
    void serveTapsIntoAFileThatDnstapReadDecodes() throws Exception {
        TestPostgres.Database db = TestPostgres.newDatabase(); // an empty record store: every query is REFUSED
        int port = freePort();
        Path file = tmp.resolve("ns1.dnstap");
        Process p = process(db, "--nameserver", "ns1", "--listen", "127.0.0.1:" + port, "--dnstap-file", file.toString());
        try {
            awaitReady(p);
            InetSocketAddress dns = new InetSocketAddress("127.0.0.1", port);
            byte[] query = Message.newQuery(Record.newRecord(Name.fromString("www.example.org."), Type.AAAA, DClass.IN)).toWire();
            assertThat(DnsClient.udp(dns, query, Duration.ofSeconds(3))).isNotNull();
            assertThat(DnsClient.tcp(dns, query, Duration.ofSeconds(3))).isNotNull();
            p.destroy(); // SIGTERM: the server stops, then the tap writes what is queued and ends the file
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s of SIGTERM").isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
        BindTools.Result read = BindTools.run(tmp, List.of("dnstap-read", file.toString()));
        assertThat(read.exit()).as(read.err()).isZero();
        assertThat(read.out().lines().map(l -> l.replaceFirst("^\\S+ \\S+ ", "").replaceAll(":\\d+ (->|<-) ", " $1 ").replaceAll(" \\d+b ", " ")
                .replace(":" + port, "")).toList()).containsExactly(
                "AQ 127.0.0.1 -> 127.0.0.1 UDP www.example.org/IN/AAAA", "AR 127.0.0.1 <- 127.0.0.1 UDP www.example.org/IN/AAAA",
                "AQ 127.0.0.1 -> 127.0.0.1 TCP www.example.org/IN/AAAA", "AR 127.0.0.1 <- 127.0.0.1 TCP www.example.org/IN/AAAA");
        BindTools.Result yaml = BindTools.run(tmp, List.of("dnstap-read", "-y", file.toString()));
        assertThat(yaml.out()).contains("identity: ns1", "version: dnsmig", "status: REFUSED");
    }

    /** {@code dnsmig serve} in a JVM of its own, on this test's class path. */
    private Process process(TestPostgres.Database db, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dnsmig.orchestrator.cli.Main", "serve"));
        command.addAll(List.of(args));
        command.addAll(List.of("--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password", db.password()));
        return new ProcessBuilder(command).redirectErrorStream(true).directory(tmp.toFile()).start();
    }

    /** Waits (2 minutes at most) for the line saying the nameserver answers. */
    private static void awaitReady(Process p) throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // process gone
            }
        });
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String l = lines.poll(1, TimeUnit.SECONDS);
            if (l != null) {
                seen.append(l).append('\n');
                if (l.contains("ns1 ready")) {
                    return;
                }
            } else if (!p.isAlive()) {
                break;
            }
        }
        throw new AssertionError("dnsmig serve did not say it was ready; its output:\n" + seen);
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
}
