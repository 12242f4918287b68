package dnsmig.runbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dnsmig.orchestrator.cli.Main;
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

    /** What each runbook variable is in the test. */
    private static Map<String, String> testValues() {
        Path samples = Repo.samples();
        return Map.of(
                "NAMED_CONF", samples.resolve("named.conf").toString(),
                "OWNERS", samples.resolve("owners.csv").toString(),
                "ZONE_FILE", samples.resolve("zones/db.acme.example").toString());
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
                    String value = testValues().get(export.group(1));
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
