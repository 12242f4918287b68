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

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "--max-change|1.5|--max-change must be a share between 0 and 1",
            "--max-change|-0.1|--max-change must be a share between 0 and 1",
            "--max-change|NaN|--max-change must be a share between 0 and 1",
            "--threads|0|--threads must be between 1 and 256",
            "--threads|100000|--threads must be between 1 and 256",
            "--gate-min-records|-1|--gate-min-records must be 0 or more",
            "--progress|sometimes|--progress must be auto, always or never"})
    void numbersThatMakeNoSenseAreUsageErrorsBeforeAnythingStarts(String option, String value, String message) {
        // An unreachable database: the check must come before anything touches it.
        Cli.Run run = Cli.plain("backfill", "--named-conf", Repo.samples().resolve("named.conf").toString(), "--owners",
                Repo.samples().resolve("owners.csv").toString(), option, value, "--db-url", "jdbc:postgresql://127.0.0.1:1/nothing");
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains(message);
    }

    @Test
    void aPasswordNeverAppearsInAnErrorAboutTheUrl() {
        Cli.Run run = Cli.plain("rejects", "--db-url", "postgres://app:pa%ss word@db/dns");
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--db-url is not a valid URL").contains("postgres://app:***@db/dns").doesNotContain("pa%ss")
                .doesNotContain("ss word");
        assertThat(DatabaseOptions.redact("postgres://app:p@ss/w0rd@db.internal/dns")).isEqualTo("postgres://app:***@db.internal/dns");
        assertThat(DatabaseOptions.redact("postgres://me@corp:secret@db/dns")).doesNotContain("secret");
    }

    @Test
    void aWrongPasswordIsOneClearLineNotAStackTrace() throws Exception {
        // A real process: Spring's own start-up report goes to the process's standard error.
        var db = dnsmig.testkit.TestPostgres.newDatabase();
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                "dnsmig.orchestrator.cli.Main", "backfill", "--named-conf", Repo.samples().resolve("named.conf").toString(), "--owners",
                Repo.samples().resolve("owners.csv").toString(), "--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password", "not-the-password");
        Process p = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile()).start();
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(tmp.resolve("err"));
        assertThat(p.exitValue()).as(err).isEqualTo(2);
        assertThat(err.lines().filter(l -> !l.isBlank())).as(err).hasSize(1);
        assertThat(err).contains("dnsmig: cannot log in to " + db.jdbcUrl() + " as " + db.user()).contains("password authentication failed")
                .contains("--db-password").doesNotContain("not-the-password");
    }

    @Test
    void rejectsReadsWithoutMigratingAndWorksForAReadOnlyRole() throws Exception {
        var db = dnsmig.testkit.TestPostgres.newDatabase();
        Cli cli = new Cli(db);
        Cli.Run empty = cli.run("rejects");
        assertThat(empty.exit()).as(empty.toString()).isZero();
        assertThat(empty.out()).contains("no dnsmig data yet");
        try (var c = db.dataSource().getConnection(); var rs = c.createStatement().executeQuery("select count(*) from pg_namespace where nspname = 'dnsmig'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("a read-only command created no schema").isZero();
        }
        assertThat(cli.run("rejects", "--format", "json").out().strip()).isEqualTo("[ ]");

        assertThat(cli.run("backfill", "--named-conf", Repo.samples().resolve("named.conf").toString(), "--owners",
                Repo.samples().resolve("owners.csv").toString(), "--progress", "never").exit()).isZero();
        String reader = "reader_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100000;
        try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("create role " + reader + " login password 'read-only'");
            s.execute("grant usage on schema dnsmig to " + reader);
            s.execute("grant select on all tables in schema dnsmig to " + reader);
        }
        try {
            Cli.Run read = Cli.plain("rejects", "--severity", "error", "--db-url", db.jdbcUrl(), "--db-user", reader, "--db-password", "read-only");
            assertThat(read.exit()).as(read.toString()).isZero();
            assertThat(read.out()).contains("cname-and-other-data").contains("5 findings: 5 errors");
        } finally {
            try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
                s.execute("drop owned by " + reader);
                s.execute("drop role " + reader);
            }
        }
    }
}
