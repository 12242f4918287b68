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
 * settings; this test gives each variable a value pointing into {@code samples/}) and {@code
 * dnsmig ...} commands, optionally ending in {@code # exit N} (default 0). Any other command in a
 * code block fails the test, so nothing a runbook says goes unchecked.
 */
class RunbookTest {

    private static final Pattern BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern EXIT = Pattern.compile("#\\s*exit\\s+(\\d+)\\s*$");
    private static final Pattern EXPORT = Pattern.compile("export\\s+([A-Z_]+)=(\\S+)");

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

    /** What each runbook variable is in the test. */
    private static String testValue(String variable) {
        Path samples = Repo.samples();
        return switch (variable) {
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
    private static Map<String, String> testPaths() {
        return Map.of("/etc/bind/zones", Repo.samples().resolve("zones").toString());
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
        TestPostgres.Database db = TestPostgres.newDatabase();
        Map<String, String> vars = new HashMap<>();
        int commands = 0;
        Matcher blocks = BLOCK.matcher(Files.readString(runbook));
        while (blocks.find()) {
            for (String raw : blocks.group(1).lines().toList()) {
                String line = raw.strip();
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
                Matcher exit = EXIT.matcher(line);
                int expected = exit.find() ? Integer.parseInt(exit.group(1)) : 0;
                String command = EXIT.matcher(line).replaceFirst("").strip();
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
                commands++;
            }
        }
        assertThat(commands).as("commands run from %s", runbook.getFileName()).isPositive();
    }

    private static String expand(String line, Map<String, String> vars) {
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
