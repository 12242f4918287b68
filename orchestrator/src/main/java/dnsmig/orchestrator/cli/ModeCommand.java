package dnsmig.orchestrator.cli;

import dnsmig.orchestrator.dualwrite.WriteMode;
import dnsmig.store.DualWriteStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "mode", mixinStandardHelpOptions = true,
        description = {"The write mode of dual writes: where users' changes (REST API) go. LEGACY_ONLY -> CONCURRENT (legacy answers, the new side learns in"
                + " the background, refusals go to the divergence list) -> SYNCHRONOUS (both or neither) -> NEW_PRIMARY (the new store is the truth,"
                + " legacy still written) -> NEW_ONLY. Switched at runtime, forwards or back; every running 'dnsmig api' follows at its next write."
                + " Every change is kept with who, when and why."},
        subcommands = {ModeCommand.Show.class, ModeCommand.Set.class},
        footer = {"", "Examples:", "  dnsmig mode show", "  dnsmig mode set CONCURRENT --reason 'backfill verified, reconcile clean'",
                "  dnsmig mode set SYNCHRONOUS --reason 'no divergence for 7 days' --by alice",
                "", "Exit codes: 0 done, 1 the database failed, 2 bad usage (unknown mode, no reason), 3 NEW_ONLY refused: a nameserver still"
                        + " serves from legacy (see 'mode set --help')."})
final class ModeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "The current write mode and the last changes (who, when, why).")
    static final class Show implements Callable<Integer> {
        @Option(names = "--history", paramLabel = "N", defaultValue = "10", description = "How many past changes to show (default: ${DEFAULT-VALUE}).")
        int history;

        @Mixin
        DatabaseOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return DualWriteAccess.read(db.checkedEndpoint(), store -> {
                if (store == null) {
                    out.println("mode: LEGACY_ONLY (no dual-write schema yet: nothing was ever switched)");
                    return ExitCode.OK;
                }
                DualWriteStore.ModeEntry now = store.currentMode();
                out.println("mode: " + now.mode() + " (since " + now.changedAt() + ", by " + now.changedBy() + ": " + now.reason() + ")");
                out.println("history (newest first):");
                for (DualWriteStore.ModeEntry e : store.modeHistory(history)) {
                    out.println("  " + e.changedAt() + "  " + e.mode() + "  by " + e.changedBy() + ": " + e.reason());
                }
                return ExitCode.OK;
            });
        }
    }
    @Command(name = "set", mixinStandardHelpOptions = true, description = "Switch the write mode (forwards or back). Needs a reason; it is audited.")
    static final class Set implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODE", description = "LEGACY_ONLY, CONCURRENT, SYNCHRONOUS, NEW_PRIMARY or NEW_ONLY.")
        String mode;

        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why (kept in the audit trail).")
        String reason;

        @Option(names = "--by", paramLabel = "NAME", description = "Who (default: the system user running the command).")
        String by;

        @Option(names = "--force", description = "NEW_ONLY even while a nameserver registered with 'dnsmig cutover' still serves from legacy"
                + " (legacy, canary): that nameserver then answers stale data for every change made from now on.")
        boolean force;

        @Mixin
        DatabaseOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            WriteMode m = WriteMode.parse(mode); // an unknown mode is a usage error naming the choices
            if (reason.isBlank()) {
                throw new IllegalArgumentException("--reason must say why");
            }
            String who = by != null && !by.isBlank() ? by.strip() : System.getProperty("user.name", "unknown") + " (dnsmig mode set)";
            return DualWriteAccess.write(db.checkedEndpoint(), (store, cutover) -> {
                var refusal = m.refusal(cutover.modes());
                if (refusal.isPresent() && !force) {
                    spec.commandLine().getErr().println("refused: " + refusal.get() + ", or, if they no longer serve, --force.");
                    return ExitCode.HELD;
                }
                refusal.ifPresent(r -> spec.commandLine().getErr().println("forced (--force): " + r));
                String before = store.currentMode().mode();
                DualWriteStore.ModeEntry now = store.setMode(m.name(), who, reason.strip());
                spec.commandLine().getOut().println("mode: " + before + " -> " + now.mode() + " (by " + now.changedBy() + " at " + now.changedAt() + ")");
                spec.commandLine().getErr().println(next(m));
                return ExitCode.OK;
            });
        }

        /** What the operator should watch next. */
        static String next(WriteMode m) {
            return switch (m) {
                case LEGACY_ONLY -> "Writes now go to the legacy system only; the store no longer follows them (run reconcile --repair new before switching again).";
                case CONCURRENT -> "Watch 'dnsmig divergence list' and the metric dnsmig.dualwrite.queue.pending; when divergences stay at 0, switch to SYNCHRONOUS.";
                case SYNCHRONOUS -> "Writes now land on both sides or neither. Watch dnsmig.dualwrite.requests{outcome=failed} and dnsmig.dualwrite.outbox.open.";
                case NEW_PRIMARY -> "The store is the truth; legacy follows through the repair outbox when it fails (dnsmig.dualwrite.outbox.open).";
                case NEW_ONLY -> "Legacy is no longer written: a rollback to legacy needs 'dnsmig reconcile --all --repair legacy' first.";
            };
        }
    }
}
