package dnsmig.orchestrator.cutover;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.orchestrator.reconcile.StoreOptions;
import dnsmig.store.CutoverStore;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dnsmig rollback NS}: back to the mode before the last advance, at once, without gates. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Returns a nameserver to the mode it had before its last advance (after a rollback, a second one goes to legacy), or"
                + " straight to legacy with --to legacy. No gates: serving less from the new system is always allowed. Its running dnsmig serve"
                + " applies the change within a second (a notification, and a poll every half second as the fallback). Recorded in the audit"
                + " log; automatic rollback is disarmed until the next advance."},
        footer = {"", "Examples:", "  dnsmig rollback ns1 --reason 'answers for acme.example differ'", "  dnsmig rollback ns2 --to legacy",
                "", CutoverCommand.EXIT_CODES})
public final class RollbackCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NS", description = "The nameserver (ns1, ns2, ...).")
    String nameserver;

    @Option(names = "--to", paramLabel = "MODE", description = "legacy (default: the mode before the last advance).")
    String to;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (recorded in the audit log).")
    String reason;

    @Option(names = "--by", paramLabel = "NAME", description = "Who (default: $USER).")
    String by;

    @Mixin
    StoreOptions db;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CutoverStore.Target wanted = null;
        if (to != null) {
            wanted = CutoverCommand.target(to);
            if (!"legacy".equals(wanted.mode())) {
                throw new IllegalArgumentException("rollback --to takes legacy only; to change to " + to + " use dnsmig cutover advance "
                        + nameserver + " --to " + to);
            }
        }
        String actor = by != null && !by.isBlank() ? by : CutoverCommand.defaultActor();
        try (HikariDataSource ds = CutoverCommand.open(db)) {
            CutoverStore store = CutoverCommand.existing(ds);
            CutoverStore.Mode m = CutoverCommand.known(store, nameserver);
            if ("legacy".equals(m.mode())) {
                out.println(nameserver + " is in legacy mode already: every query goes to the legacy server; nothing to roll back.");
                return CutoverCommand.OK;
            }
            CutoverStore.Target t = wanted != null ? wanted
                    : m.previousMode() == null ? new CutoverStore.Target("legacy", 0)
                    : new CutoverStore.Target(m.previousMode(), m.previousPercent() == null ? 0 : m.previousPercent());
            if (CutoverCommand.share(t.mode(), t.percent()) >= CutoverCommand.share(m.mode(), m.percent())) {
                t = new CutoverStore.Target("legacy", 0); // the previous mode served as much of the new system: back to legacy
            }
            Optional<CutoverStore.Mode> done = store.change(nameserver, m.version(), t, "rollback", actor, reason, null, null);
            if (done.isEmpty()) {
                spec.commandLine().getErr().println("dnsmig rollback: " + nameserver + "'s mode changed while this command ran (an automatic rollback?);"
                        + " see dnsmig cutover status, and run it again if still needed");
                return CutoverCommand.FAILED;
            }
            out.println(nameserver + ": " + m.label() + " -> " + t.label() + " (rollback by " + actor + (reason == null ? "" : ": " + reason)
                    + "). Its dnsmig serve applies it within a second.");
            return CutoverCommand.OK;
        }
    }
}
