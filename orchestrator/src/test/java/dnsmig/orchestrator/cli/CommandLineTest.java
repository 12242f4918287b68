package dnsmig.orchestrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.testkit.BindTools;
import dnsmig.testkit.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The command line's contract with operators and their scripts: help everywhere, exit codes, output formats. */
class CommandLineTest {

    @TempDir
    Path tmp;

    /** Every command and subcommand, found from the command tree itself so a new one cannot be forgotten. */
    static Stream<List<String>> commands() {
        List<List<String>> out = new ArrayList<>();
        walk(new CommandLine(new DnsmigCommand()), new ArrayList<>(), out);
        return out.stream();
    }

    private static void walk(CommandLine cmd, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        cmd.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help") && sub.getCommandName().equals(name)) {
                List<String> next = new ArrayList<>(path);
                next.add(name);
                walk(sub, next, out);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandHasHelp(List<String> command) {
        List<String> args = new ArrayList<>(command);
        args.add("--help");
        Cli.Run run = Cli.plain(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("Usage: dnsmig").contains("-h, --help");
        String description = run.out().lines().skip(1).filter(l -> !l.isBlank()).findFirst().orElse("");
        assertThat(description).as("a description line for %s", command).isNotBlank();
    }

    @Test
    void theCommandTreeHoldsWhatTheReadmeDocuments() {
        assertThat(commands().map(c -> String.join(" ", c)))
                .contains("backfill", "rejects", "convert", "db", "db status", "db start", "db stop");
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhatIsWrong() {
        Cli.Run unknown = Cli.plain("backfill", "--named-conf", "x", "--owners", "y", "--no-such-option");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--no-such-option'");

        Cli.Run both = Cli.plain("backfill", "--named-conf", "a", "--zones-dir", "b", "--zone-list", "c", "--owners", "o");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");

        Cli.Run missing = Cli.plain("backfill", "--named-conf", tmp.resolve("nope.conf").toString(), "--owners", "o.csv");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.conf does not exist");

        Cli.Run badUrl = Cli.plain("rejects", "--db-url", "mysql://u:secret@h/db");
        assertThat(badUrl.exit()).isEqualTo(2);
        assertThat(badUrl.err()).contains("--db-url must start with").doesNotContain("secret");
    }

    @Test
    void convertPrintsAMasterFileBindReadsTheSameWay() throws Exception {
        Path zone = Repo.samples().resolve("zones/db.acme.example");
        Cli.Run run = Cli.plain("convert", zone.toString(), "--origin", "acme.example");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).contains("0 errors, 0 warnings");
        Files.writeString(tmp.resolve("flat.zone"), run.out());
        List<String> lines = run.out().lines().toList();
        assertThat(lines).allMatch(l -> l.split("\\s+")[0].endsWith("."), "absolute owner names");
        // BIND reads our output and gets what it gets from the original file.
        String fromOriginal = BindTools.compileZone(zone.getParent(), "acme.example", zone.getFileName().toString());
        String fromOurs = BindTools.compileZone(tmp, "acme.example", "flat.zone");
        assertThat(fromOurs.lines().sorted().toList()).isEqualTo(fromOriginal.lines().sorted().toList());
    }

    @Test
    void convertReportsFindingsOnStandardErrorAndFailsOnErrors() {
        Path zone = Repo.samples().resolve("zones/db.globex.example");
        Cli.Run run = Cli.plain("convert", zone.toString(), "--origin", "globex.example", "--base-dir", zone.getParent().toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("db.globex.example:9: error: bad-rdata:").contains("db.globex.example:11: error: unknown-type:")
                .contains("| printer IN A    192.0.2.300");
        assertThat(run.out()).contains("host20.globex.example. 300 IN A 198.51.100.20").doesNotContain("printer");

        Cli.Run json = Cli.plain("convert", zone.toString(), "--origin", "globex.example", "--base-dir", zone.getParent().toString(), "--format",
                "json");
        assertThat(json.exit()).isEqualTo(1);
        assertThat(json.out()).contains("\"name\" : \"api.globex.example.\"");
        assertThat(json.err().lines().filter(l -> l.startsWith("{"))).hasSize(2).allMatch(l -> l.contains("\"line\":"));
    }

    @Test
    void postgresUrisBecomeJdbcUrls() {
        var e = DatabaseOptions.parse("postgres://app:s%40cret@db.internal:6432/dns?sslmode=require", null, null);
        assertThat(e.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/dns?sslmode=require");
        assertThat(e.user()).isEqualTo("app");
        assertThat(e.password()).isEqualTo("s@cret");
        assertThat(DatabaseOptions.redact("postgres://app:s3cret@h/db")).doesNotContain("s3cret");
    }
}
