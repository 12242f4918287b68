package dnsmig.orchestrator.cli;

import dnsmig.orchestrator.backfill.BackfillBusyException;
import dnsmig.orchestrator.backfill.BackfillInputException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code dnsmig} command line. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command and returns its exit code (see {@link ExitCode}). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs one command writing to the given streams (tests read them). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    /** The command tree with dnsmig's settings: error handling, exit codes, case-insensitive values. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new DnsmigCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter w = cmd.getErr();
            return switch (e) {
                case BackfillInputException bad -> {
                    w.println("dnsmig: " + bad.getMessage());
                    w.println("Nothing was changed. Fix the input and run the command again.");
                    yield ExitCode.USAGE;
                }
                case BackfillBusyException busy -> {
                    w.println("dnsmig: " + busy.getMessage());
                    yield ExitCode.BUSY;
                }
                case DatabaseOptions.Unusable unusable -> {
                    w.println("dnsmig: " + unusable.getMessage());
                    yield unusable.exitCode;
                }
                case IllegalArgumentException bad -> {
                    w.println("dnsmig: " + bad.getMessage());
                    yield ExitCode.USAGE;
                }
                default -> {
                    w.println("dnsmig " + cmd.getCommandName() + " failed: " + rootMessage(e));
                    if (Boolean.getBoolean("dnsmig.debug") || System.getenv("DNSMIG_DEBUG") != null) {
                        e.printStackTrace(w);
                    } else {
                        w.println("(set DNSMIG_DEBUG=1 for the stack trace)");
                    }
                    yield ExitCode.FAILED;
                }
            };
        });
        return cli;
    }

    /**
     * The message to show for a failure: the deepest cause's, which names what went wrong, unless
     * one of dnsmig's own exceptions above it already says the same and adds the place (an
     * address, a file): then that one.
     */
    static String rootMessage(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            Throwable cause = t.getCause();
            if (t.getClass().getName().startsWith("dnsmig.") && t.getMessage() != null && cause != null && cause.getMessage() != null
                    && t.getMessage().contains(cause.getMessage())) {
                return t.getMessage();
            }
        }
        Throwable t = e;
        String message = e.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
