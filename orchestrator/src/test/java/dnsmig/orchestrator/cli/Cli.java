package dnsmig.orchestrator.cli;

import dnsmig.testkit.TestPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code dnsmig} commands in-process against a test database, capturing their output. */
public final class Cli {

    private final TestPostgres.Database db;

    public Cli(TestPostgres.Database db) {
        this.db = db;
    }

    public record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    /** Runs a command; database options are added when the command takes them. */
    public Run run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (db != null) {
            all.addAll(List.of("--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password", db.password()));
        }
        return plain(all.toArray(String[]::new));
    }

    /** Runs a command exactly as given. */
    public static Run plain(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }
}
