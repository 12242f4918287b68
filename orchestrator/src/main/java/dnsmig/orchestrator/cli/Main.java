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
        CommandLine cli = new CommandLine(new DnsmigCommand());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            return switch (e) {
                case BackfillInputException bad -> {
                    err.println("dnsmig: " + bad.getMessage());
                    err.println("Nothing was changed. Fix the input and run the command again.");
                    yield ExitCode.USAGE;
                }
                case BackfillBusyException busy -> {
                    err.println("dnsmig: " + busy.getMessage());
                    yield ExitCode.BUSY;
                }
                case IllegalArgumentException bad -> {
                    err.println("dnsmig: " + bad.getMessage());
                    yield ExitCode.USAGE;
                }
                default -> {
                    err.println("dnsmig " + cmd.getCommandName() + " failed: " + rootMessage(e));
                    if (Boolean.getBoolean("dnsmig.debug") || System.getenv("DNSMIG_DEBUG") != null) {
                        e.printStackTrace(err);
                    } else {
                        err.println("(set DNSMIG_DEBUG=1 for the stack trace)");
                    }
                    yield ExitCode.FAILED;
                }
            };
        });
        return cli.execute(args);
    }

    static String rootMessage(Throwable e) {
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
