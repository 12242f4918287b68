package dnsmig.runbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dnsmig.orchestrator.cli.Main;
import dnsmig.testkit.NamedFixture;
import dnsmig.testkit.Repo;
import dnsmig.testkit.TestPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every command of every runbook, top to bottom, against a fresh database and the sample
 * provider: a runbook whose commands stop working fails the build.
 *
 * <p>Runbooks hold {@code sh} code blocks with {@code export VAR=value} lines (the operator's
 * settings; this test gives each variable a value pointing into a copy of {@code samples/}) and
 * {@code dnsmig ...} commands. A command may end in a comment {@code # exit N} (default 0) and/or
 * {@code expect: TEXT} ({@code # exit 3, expect: held back}); a comment line {@code # expect:
 * TEXT} right after a command adds another expectation. TEXT must appear in what the command
 * printed. Any other command in a code block fails the test, so nothing a runbook says goes
 * unchecked.
 *
 * <p>What happens outside dnsmig between two commands (a customer's zone file changes) cannot be a
 * command of the runbook; a runbook says it in words and marks the spot with {@code <!--
 * runbook-test: situation NAME ... -->}, and this test makes that situation happen on its copy of
 * the samples ({@link #situation}).
 */
class RunbookTest {

    /** A code block, or a situation marker between blocks, in document order. */
    private static final Pattern BLOCK = Pattern.compile("```sh\\n(.*?)```|<!--\\s*runbook-test:\\s*situation\\s+([a-z0-9-]+)[^>]*-->", Pattern.DOTALL);
    /** The comment after a command: {@code # exit N}, {@code # expect: TEXT}, or {@code # exit N, expect: TEXT}. */
    private static final Pattern COMMENT = Pattern.compile("\\s#\\s*(?:exit\\s+(\\d+))?\\s*,?\\s*(?:expect:\\s*(.+?))?\\s*$");
    private static final Pattern EXPECT_LINE = Pattern.compile("#\\s*expect:\\s*(.+?)\\s*$");
    private static final Pattern EXPORT = Pattern.compile("export\\s+([A-Z_]+)=(\\S+)");

    /** This run's copy of the sample provider (situations change it; the repository's stays as it is). */
    private Path samples;

    /** The legacy named of the reconcile runbook: the sample zones BIND loads, served by a real named. Started on first use. */
    private static NamedFixture legacy;

    /** Sample zones named loads as they are (the others are broken on purpose, and named refuses them). */
    private static final List<String> SERVABLE_SAMPLES = List.of("acme.example", "initech.example", "umbrella.example");

    private static synchronized NamedFixture legacy() {
        if (legacy == null) {
            NamedFixture.Builder b = NamedFixture.builder();
            try {
                for (String zone : SERVABLE_SAMPLES) {
                    b.dynamicZone(zone, Files.readString(Repo.samples().resolve("zones/db." + zone)));
                }
                b.dynamicZone("2.0.192.in-addr.arpa", Files.readString(Repo.samples().resolve("zones/db.192.0.2")));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            legacy = b.start();
        }
        return legacy;
    }

    @AfterAll
    static void stopLegacy() {
        if (legacy != null) {
            legacy.close();
        }
    }

    /** The database of the runbook being run. */
    private TestPostgres.Database db;

    /** The new server of the verify runbook: dns-server serving this run's store. Started on first use, stopped after the runbook. */
    private dnsmig.server.NameServer newServer;
    private com.zaxxer.hikari.HikariDataSource newServerData;

    /** An SMTP server for the runbooks that mail (GreenMail). Started on first use. */
    private static com.icegreen.greenmail.util.GreenMail smtp;

    private dnsmig.server.NameServer newServer() {
        if (newServer == null) {
            newServerData = dnsmig.store.StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 2, "runbook-new-server");
            dnsmig.store.StoreSchema.migrate(newServerData);
            try {
                newServer = dnsmig.server.NameServer.start(new dnsmig.server.NameServer.Settings("ns1",
                        List.of(new java.net.InetSocketAddress("127.0.0.1", 0)), 1, 1000, 16, java.time.Duration.ofSeconds(10),
                        dnsmig.server.xfr.TransferPolicy.NOBODY, java.time.Duration.ofMillis(500)), newServerData,
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), null);
            } catch (Exception e) {
                throw new IllegalStateException("starting dns-server for the runbook: " + e.getMessage(), e);
            }
        }
        return newServer;
    }

    private static synchronized com.icegreen.greenmail.util.GreenMail smtp() {
        if (smtp == null) {
            smtp = new com.icegreen.greenmail.util.GreenMail(com.icegreen.greenmail.util.ServerSetupTest.SMTP.dynamicPort());
            smtp.start();
        }
        return smtp;
    }

    @AfterAll
    static void stopSmtp() {
        if (smtp != null) {
            smtp.stop();
        }
    }

    /** What each runbook variable is in the test. */
    private String testValue(String variable) {
        return switch (variable) {
            case "NEW_SERVER" -> newServer().udpAddresses().get(0).getAddress().getHostAddress();
            case "NEW_PORT" -> Integer.toString(newServer().udpAddresses().get(0).getPort());
            case "QUERY_LIST" -> samples.resolve("queries.txt").toString();
            case "SMTP_HOST" -> "127.0.0.1";
            case "SMTP_PORT" -> Integer.toString(smtp().getSmtp().getPort());
            case "NAMED_CONF" -> samples.resolve("named.conf").toString();
            case "OWNERS" -> samples.resolve("owners.csv").toString();
            case "ZONE_FILE" -> samples.resolve("zones/db.acme.example").toString();
            case "LEGACY_NAMED_CONF" -> legacy().namedConf().toString();
            case "LEGACY_SERVER" -> legacy().address().getHostAddress();
            case "LEGACY_PORT" -> Integer.toString(legacy().port());
            case "TSIG_KEY" -> legacy().keyFile().toString();
            default -> null;
        };
    }

    /** Paths the runbooks show that stand for sample directories in the test. */
    private Map<String, String> testPaths() {
        return Map.of("/etc/bind/zones", samples.resolve("zones").toString(), "/run/dnsmig/tap.sock", samples.resolve("tap.sock").toString());
    }

    /**
     * Makes a situation a runbook describes happen to this run's samples. Each is what the
     * runbook's words say; a runbook naming an unknown situation fails.
     */
    private void situation(String name, Path runbook, TestPostgres.Database db) throws IOException {
        switch (name) {
            // The cutover runbooks: what the verifier or the world do between two commands.
            case "verifier-window-clean" -> sql(db, "insert into dnsmig.verify_window (nameserver, zone_name, window_start, window_end, compared,"
                    + " matched) values ('ns1', null, now() - interval '5 minutes', now(), 5000, 5000)");
            case "legacy-down" -> legacy().stop();
            case "legacy-back" -> legacy().start();
            case "acme-export-truncated" -> {
                // The legacy export of acme.example lost every record below its name servers.
                Path file = samples.resolve("zones/db.acme.example");
                List<String> lines = Files.readAllLines(file);
                Files.write(file, lines.subList(0, lines.indexOf("        IN NS   ns3.provider.example.") + 1));
            }
            default -> fail("%s: unknown situation '%s'; RunbookTest.situation() must make it happen", runbook.getFileName(), name);
        }
    }

    private static void sql(TestPostgres.Database db, String statement) {
        try (var c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password()); var st = c.createStatement()) {
            st.execute(statement);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRunbookRunsAsWritten() throws IOException {
        List<Path> runbooks;
        try (var files = Files.list(Repo.root().resolve("runbooks"))) {
            runbooks = files.filter(p -> p.toString().endsWith(".md") && !p.getFileName().toString().equals("README.md")).sorted().toList();
        }
        assertThat(runbooks).isNotEmpty();
        return runbooks.stream().map(rb -> DynamicTest.dynamicTest(rb.getFileName().toString(), () -> run(rb)));
    }

    private void run(Path runbook) throws IOException {
        db = TestPostgres.newDatabase();
        samples = Files.createTempDirectory("runbook-samples");
        copy(Repo.samples(), samples);
        try {
            runCommands(runbook, db);
        } finally {
            if (newServer != null) {
                newServer.close();
                newServerData.close();
                newServer = null;
            }
            try (var walk = Files.walk(samples)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void runCommands(Path runbook, TestPostgres.Database db) throws IOException {
        Map<String, String> vars = new HashMap<>();
        int commands = 0;
        String lastCommand = null;
        String lastOutput = null;
        Matcher blocks = BLOCK.matcher(Files.readString(runbook));
        while (blocks.find()) {
            if (blocks.group(2) != null) {
                situation(blocks.group(2), runbook, db);
                continue;
            }
            for (String raw : blocks.group(1).lines().toList()) {
                String line = raw.strip();
                Matcher expectLine = EXPECT_LINE.matcher(line);
                if (expectLine.matches()) {
                    assertThat(lastCommand).as("%s: '%s' follows no command", runbook.getFileName(), line).isNotNull();
                    assertThat(lastOutput).as("%s: `%s` should print '%s'", runbook.getFileName(), lastCommand, expectLine.group(1))
                            .contains(expectLine.group(1));
                    continue;
                }
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                Matcher export = EXPORT.matcher(line);
                if (export.matches()) {
                    String value = testValue(export.group(1));
                    assertThat(value).as("%s: variable %s has no value in RunbookTest", runbook.getFileName(), export.group(1)).isNotNull();
                    vars.put(export.group(1), value);
                    continue;
                }
                if (!line.startsWith("dnsmig ")) {
                    fail("%s: '%s' is not a dnsmig command; runbooks hold only commands this test can run", runbook.getFileName(), line);
                }
                int expected = 0;
                String expectText = null;
                String command = line;
                Matcher comment = COMMENT.matcher(line);
                if (comment.find()) {
                    expected = comment.group(1) != null ? Integer.parseInt(comment.group(1)) : 0;
                    expectText = comment.group(2);
                    command = line.substring(0, comment.start()).strip();
                }
                List<String> args = new ArrayList<>(words(expand(command, vars)));
                args.remove(0);
                args.addAll(List.of("--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password", db.password()));
                if (args.get(0).equals("convert")) {
                    args = args.subList(0, args.size() - 6); // convert touches no database
                }
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
                assertThat(code).as("%s: `%s` exited %d, the runbook says %d%n%s%n%s", runbook.getFileName(), command, code, expected, out, err)
                        .isEqualTo(expected);
                lastCommand = command;
                lastOutput = out + "\n" + err;
                if (expectText != null) {
                    assertThat(lastOutput).as("%s: `%s` should print '%s'", runbook.getFileName(), command, expectText).contains(expectText);
                }
                commands++;
            }
        }
        assertThat(commands).as("commands run from %s", runbook.getFileName()).isPositive();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private String expand(String line, Map<String, String> vars) {
        String s = line;
        for (var e : vars.entrySet()) {
            s = s.replace("$" + e.getKey(), e.getValue());
        }
        for (var e : testPaths().entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        assertThat(s).as("unexpanded variable in: %s", line).doesNotContain("$");
        return s;
    }

    private static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(line);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return out;
    }
}
