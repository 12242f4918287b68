package dnsmig.orchestrator.cutover;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.localpg.LocalPostgres;
import dnsmig.orchestrator.reconcile.StoreOptions;
import dnsmig.store.CutoverStore;
import dnsmig.store.StoreSchema;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dnsmig cutover}: each nameserver's serving mode, the gates before it serves more from the new system, and the audit log. */
@Command(name = "cutover", mixinStandardHelpOptions = true,
        description = {"Moves one nameserver at a time from the legacy system to the new one: legacy (every query forwarded to the legacy server)"
                + " -> canary:P (P %% of query names, by a stable hash of the name, answered by the new server) -> new. A running"
                + " `dnsmig serve --nameserver NS --legacy IP:PORT` applies a change within a second. Before each step forward the gates must"
                + " pass: the backfill finished, dual writes at least SYNCHRONOUS, the last reconcile clean, and the verifier's last window for"
                + " that nameserver consistent enough over enough queries. --force --reason overrides them and records who and why. Every"
                + " change is in the audit log (cutover status). To go back: dnsmig rollback NS."},
        subcommands = {CutoverCommand.Status.class, CutoverCommand.Plan.class, CutoverCommand.Advance.class, CutoverCommand.Register.class,
                HelpCommand.class},
        footer = {"", "Examples:", "  dnsmig cutover status", "  dnsmig cutover plan ns1", "  dnsmig cutover advance ns1 --to canary:10",
                "  dnsmig cutover advance ns1 --to new", "  dnsmig rollback ns1", "", CutoverCommand.EXIT_CODES})
public final class CutoverCommand implements Runnable {

    // The numbers of cli/ExitCode (features may not depend on the command line package, so they are repeated here).
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int REFUSED = 3;

    static final String EXIT_CODES = """
            Exit codes:
              0  done (or nothing to do)
              1  failed: the database could not be reached, or the mode changed meanwhile; run the command again
              2  bad usage: unknown nameserver, bad mode, --force without --reason; nothing was changed
              3  the gates refused the advance (or, for plan, would refuse it); fix what they name, or advance with --force --reason""";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'");

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    // ------------------------------------------------------------------ shared pieces

    /** The database, for one command. */
    static HikariDataSource open(StoreOptions db) {
        LocalPostgres.Endpoint e = db.endpoint();
        return StoreSchema.dataSource(e.jdbcUrl(), e.user(), e.password(), 2, "cutover");
    }

    /** Whether the database has the cutover's tables (read-only commands never migrate). */
    static boolean migrated(HikariDataSource ds) {
        return Boolean.TRUE.equals(DSL.using(ds, SQLDialect.POSTGRES).fetchValue(DSL.field("to_regclass('nameserver_mode') is not null", Boolean.class)));
    }

    /**
     * The cutover's tables, for commands that change a registered nameserver: they never migrate
     * (a nameserver is registered by a process that did), so a rollback costs no schema check.
     */
    static CutoverStore existing(HikariDataSource ds) {
        if (!migrated(ds)) {
            throw new IllegalArgumentException("no nameserver is registered in this database (it has no cutover tables yet): start `dnsmig serve"
                    + " --nameserver NS --legacy IP:PORT`, or run `dnsmig cutover register NS`");
        }
        return new CutoverStore(DSL.using(ds, SQLDialect.POSTGRES));
    }

    static String time(OffsetDateTime t) {
        return t == null ? "-" : TIME.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    static String defaultActor() {
        String u = System.getenv("USER");
        return u != null && !u.isBlank() ? u : System.getProperty("user.name", "unknown");
    }

    private static final Pattern TARGET = Pattern.compile("(legacy|new|canary:(\\d{1,3}))", Pattern.CASE_INSENSITIVE);

    /** "legacy", "new" or "canary:P" with P from 1 to 99. */
    static CutoverStore.Target target(String s) {
        Matcher m = TARGET.matcher(s == null ? "" : s.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("--to " + s + ": give legacy, new or canary:P (P the percentage of query names answered by the new"
                    + " server, 1 to 99)");
        }
        if (m.group(2) != null) {
            int p = Integer.parseInt(m.group(2));
            if (p < 1 || p > 99) {
                throw new IllegalArgumentException("--to " + s + ": the canary percentage is 1 to 99 (0 is legacy, 100 is new)");
            }
            return new CutoverStore.Target("canary", p);
        }
        return new CutoverStore.Target(m.group(1).toLowerCase(Locale.ROOT), 0);
    }

    /** The share of query names the new server answers in a mode (legacy 0, canary P, new 100). */
    static int share(String mode, int percent) {
        return switch (mode) {
            case "legacy" -> 0;
            case "new" -> 100;
            default -> percent;
        };
    }

    /** The usual next step: legacy -> canary:10 -> canary:50 -> new. */
    static Optional<CutoverStore.Target> nextStep(CutoverStore.Mode m) {
        int s = share(m.mode(), m.percent());
        if (s >= 100) {
            return Optional.empty();
        }
        return Optional.of(s < 10 ? new CutoverStore.Target("canary", 10) : s < 50 ? new CutoverStore.Target("canary", 50)
                : new CutoverStore.Target("new", 0));
    }

    static CutoverStore.Mode known(CutoverStore store, String nameserver) {
        return store.mode(nameserver).orElseThrow(() -> {
            List<String> names = store.modes().stream().map(CutoverStore.Mode::nameserver).toList();
            return new IllegalArgumentException("unknown nameserver '" + nameserver + "' (registered: " + (names.isEmpty() ? "none" : String.join(", ", names))
                    + "). A nameserver registers itself when `dnsmig serve --nameserver " + nameserver + " --legacy IP:PORT` starts, or: dnsmig"
                    + " cutover register " + nameserver);
        });
    }

    static String armed(CutoverStore.Rollback r) {
        if (r == null) {
            return "off";
        }
        return String.format(Locale.ROOT, "failures > %.1f%% over %d s (>= %d answers)%s", r.failureRate() * 100, r.windowSeconds(), r.minQueries(),
                r.confirmed() > 0 ? ", or >= " + r.confirmed() + " confirmed inconsistencies" : "");
    }

    /** The gate options plan and advance share. */
    static final class GateOptions {
        @Option(names = "--min-consistency", paramLabel = "SHARE", defaultValue = "0.999",
                description = "Verifier gate: the last window's consistency (1 - confirmed/compared) must be at least this (default: ${DEFAULT-VALUE}).")
        double consistency;

        @Option(names = "--min-compared", paramLabel = "N", defaultValue = "1000",
                description = "Verifier gate: the last window must have compared at least N queries (default: ${DEFAULT-VALUE}).")
        long minCompared;

        @Option(names = "--max-window-age", paramLabel = "MINUTES", defaultValue = "15",
                description = "Verifier gate: the last window must have ended at most this long ago (default: ${DEFAULT-VALUE}).")
        long maxWindowAge;

        Gates.Settings settings() {
            if (maxWindowAge < 1) {
                throw new IllegalArgumentException("--max-window-age is at least 1 minute, got " + maxWindowAge);
            }
            return new Gates.Settings(consistency, minCompared, Duration.ofMinutes(maxWindowAge));
        }
    }

    static void printGates(PrintWriter out, List<Gates.Result> results) {
        for (Gates.Result r : results) {
            out.printf("  %-6s %-11s %s%n", r.passed() ? "ok" : "FAILED", r.gate(), r.detail());
        }
    }

    // ------------------------------------------------------------------ status

    @Command(name = "status", mixinStandardHelpOptions = true, description = {"Each nameserver's serving mode, the mode a rollback returns to, who"
            + " changed it when and why, whether automatic rollback is armed; then the audit log, newest first."},
            footer = {"", EXIT_CODES})
    static final class Status implements Callable<Integer> {
        @Option(names = "--audit", paramLabel = "N", defaultValue = "20", description = "Audit entries shown (default: ${DEFAULT-VALUE}).")
        int audit;

        @Parameters(arity = "0..1", paramLabel = "NS", description = "Only this nameserver.")
        String nameserver;

        @Mixin
        StoreOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (HikariDataSource ds = open(db)) {
                if (!migrated(ds)) {
                    out.println("No nameserver is registered: this database has no cutover tables yet. Start `dnsmig serve --nameserver ns1"
                            + " --legacy IP:PORT` or run `dnsmig cutover register ns1`.");
                    return OK;
                }
                CutoverStore store = new CutoverStore(DSL.using(ds, SQLDialect.POSTGRES));
                List<CutoverStore.Mode> modes = nameserver == null ? store.modes() : List.of(known(store, nameserver));
                if (modes.isEmpty()) {
                    out.println("No nameserver is registered yet. Start `dnsmig serve --nameserver ns1 --legacy IP:PORT` or run `dnsmig cutover"
                            + " register ns1`.");
                    return OK;
                }
                out.printf("%-10s %-10s %-10s %-20s %-14s %-22s %s%n", "NAMESERVER", "MODE", "ROLLBACK", "SINCE", "BY", "LEGACY", "AUTO-ROLLBACK");
                for (CutoverStore.Mode m : modes) {
                    out.printf("%-10s %-10s %-10s %-20s %-14s %-22s %s%n", m.nameserver(), m.label(), m.previousLabel() == null ? "-" : m.previousLabel(),
                            time(m.changedAt()), m.changedBy(), m.legacyAddress() == null ? "-" : m.legacyAddress(), armed(m.rollback()));
                    if (m.reason() != null) {
                        out.printf("%10s reason: %s%n", "", m.reason());
                    }
                }
                out.println();
                out.println("Audit log (newest first):");
                for (CutoverStore.Audit a : store.audit(nameserver, Math.max(1, audit))) {
                    out.printf("  %s  %-5s %-14s %-22s by %s%s%n", time(a.at()), a.nameserver(), a.action(),
                            (a.from() == null ? "" : a.from() + " -> ") + (a.to() == null ? "" : a.to()), a.actor(),
                            a.reason() == null ? "" : ": " + a.reason());
                    if (a.gates() != null) {
                        out.printf("  %20s gates: %s%n", "", a.gates());
                    }
                }
                return OK;
            }
        }
    }

    // ------------------------------------------------------------------ plan

    @Command(name = "plan", mixinStandardHelpOptions = true, description = {"What an advance would do, and what the gates say, without changing"
            + " anything: for one nameserver (its next step, or --to), or for every one."}, footer = {"", EXIT_CODES})
    static final class Plan implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "NS", description = "The nameserver (default: every registered one).")
        String nameserver;

        @Option(names = "--to", paramLabel = "MODE", description = "legacy, canary:P or new (default: the next step: legacy -> canary:10 ->"
                + " canary:50 -> new).")
        String to;

        @Mixin
        GateOptions gates;

        @Mixin
        StoreOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Gates.Settings settings = gates.settings();
            CutoverStore.Target wanted = to == null ? null : target(to);
            try (HikariDataSource ds = open(db)) {
                if (!migrated(ds)) {
                    out.println("No nameserver is registered yet: nothing to plan. Start `dnsmig serve --nameserver ns1 --legacy IP:PORT` or run"
                            + " `dnsmig cutover register ns1`.");
                    return OK;
                }
                CutoverStore store = new CutoverStore(DSL.using(ds, SQLDialect.POSTGRES));
                List<CutoverStore.Mode> modes = nameserver == null ? store.modes() : List.of(known(store, nameserver));
                boolean refused = false;
                for (CutoverStore.Mode m : modes) {
                    Optional<CutoverStore.Target> t = wanted != null ? Optional.of(wanted) : nextStep(m);
                    if (t.isEmpty()) {
                        out.println(m.nameserver() + ": " + m.label() + ", nothing further to advance.");
                        continue;
                    }
                    int from = share(m.mode(), m.percent());
                    int toShare = share(t.get().mode(), t.get().percent());
                    if (toShare == from) {
                        out.println(m.nameserver() + ": already " + m.label() + ".");
                        continue;
                    }
                    if (toShare < from) {
                        out.println(m.nameserver() + ": " + m.label() + " -> " + t.get().label() + " serves less from the new system: no gates apply.");
                        continue;
                    }
                    List<Gates.Result> results = Gates.evaluate(Gates.read(store, m.nameserver()), m.nameserver(), settings, OffsetDateTime.now());
                    boolean pass = Gates.allPassed(results);
                    refused |= !pass;
                    out.println(m.nameserver() + ": " + m.label() + " -> " + t.get().label() + ": " + (pass ? "the gates pass" : "the gates refuse"));
                    printGates(out, results);
                    out.println(pass ? "  next: dnsmig cutover advance " + m.nameserver() + " --to " + t.get().label()
                            : "  next: fix what failed, or dnsmig cutover advance " + m.nameserver() + " --to " + t.get().label()
                                    + " --force --reason 'why'");
                }
                return refused ? REFUSED : OK;
            }
        }
    }

    // ------------------------------------------------------------------ advance

    @Command(name = "advance", mixinStandardHelpOptions = true, description = {"Changes a nameserver's serving mode. A step forward (more of the"
            + " new system) must pass the gates, or be forced with --force --reason; a step back passes always (dnsmig rollback NS is the"
            + " usual way back). A step forward arms automatic rollback: the serve process of that nameserver returns to the previous mode"
            + " when its failures or the verifier's confirmed inconsistencies pass the thresholds below."}, footer = {"", EXIT_CODES})
    static final class Advance implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NS", description = "The nameserver (ns1, ns2, ...).")
        String nameserver;

        @Option(names = "--to", paramLabel = "MODE", required = true, description = "legacy, canary:P (P from 1 to 99) or new.")
        String to;

        @Option(names = "--force", description = "Advance even if gates fail (needs --reason; recorded with who and the gates' verdicts).")
        boolean force;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why (recorded in the audit log; required with --force).")
        String reason;

        @Option(names = "--by", paramLabel = "NAME", description = "Who (default: $USER).")
        String by;

        @Option(names = "--rollback-failure-rate", paramLabel = "SHARE", defaultValue = "0.05",
                description = "Automatic rollback when more than this share of answers fail (SERVFAIL from the new index, legacy timeouts)"
                        + " (default: ${DEFAULT-VALUE}).")
        double failureRate;

        @Option(names = "--rollback-window", paramLabel = "SECONDS", defaultValue = "60",
                description = "... over this many seconds (default: ${DEFAULT-VALUE}).")
        int window;

        @Option(names = "--rollback-min-queries", paramLabel = "N", defaultValue = "100",
                description = "... with at least N answers in the window (default: ${DEFAULT-VALUE}).")
        int minQueries;

        @Option(names = "--rollback-confirmed", paramLabel = "N", defaultValue = "1",
                description = "Automatic rollback when the verifier confirms N inconsistencies for this nameserver after the advance (0: never;"
                        + " default: ${DEFAULT-VALUE}).")
        int confirmed;

        @Option(names = "--no-auto-rollback", description = "Do not arm automatic rollback.")
        boolean noAutoRollback;

        @Mixin
        GateOptions gates;

        @Mixin
        StoreOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            CutoverStore.Target t = target(to);
            if (force && (reason == null || reason.isBlank())) {
                throw new IllegalArgumentException("--force needs --reason TEXT: the audit log records who forced an advance past the gates, and why");
            }
            if (!(failureRate > 0 && failureRate <= 1) || window < 1 || minQueries < 1 || confirmed < 0) {
                throw new IllegalArgumentException("automatic rollback: --rollback-failure-rate is a share above 0 up to 1, --rollback-window and"
                        + " --rollback-min-queries at least 1, --rollback-confirmed at least 0");
            }
            Gates.Settings settings = gates.settings();
            String actor = by != null && !by.isBlank() ? by : defaultActor();
            try (HikariDataSource ds = open(db)) {
                CutoverStore store = existing(ds);
                CutoverStore.Mode m = known(store, nameserver);
                CutoverStore.Target from = new CutoverStore.Target(m.mode(), m.percent());
                int fromShare = share(m.mode(), m.percent());
                int toShare = share(t.mode(), t.percent());
                if (fromShare == toShare) {
                    out.println(nameserver + " is already " + m.label() + "; nothing changed.");
                    return OK;
                }
                String action = "advance";
                String gateText;
                CutoverStore.Rollback armed = null;
                if (toShare < fromShare) {
                    gateText = "none: serves less from the new system";
                } else {
                    List<Gates.Result> results = Gates.evaluate(Gates.read(store, nameserver), nameserver, settings, OffsetDateTime.now());
                    gateText = Gates.summary(results);
                    out.println("Gates for " + nameserver + " " + m.label() + " -> " + t.label() + ":");
                    printGates(out, results);
                    if (!Gates.allPassed(results)) {
                        if (!force) {
                            store.refused(nameserver, from, t, actor, reason, gateText);
                            err.println("dnsmig cutover: the gates refuse to advance " + nameserver + " to " + t.label() + "; " + nameserver
                                    + " stays " + m.label() + ". Fix what failed (dnsmig cutover plan " + nameserver + "), or advance with --force"
                                    + " --reason 'why'.");
                            return REFUSED;
                        }
                        action = "forced-advance";
                        err.println("dnsmig cutover: advancing past failed gates (--force, by " + actor + ": " + reason + ")");
                    }
                    if (!noAutoRollback) {
                        armed = new CutoverStore.Rollback(failureRate, window, minQueries, confirmed);
                    }
                }
                Optional<CutoverStore.Mode> done = store.change(nameserver, m.version(), t, action, actor, reason, gateText, armed);
                if (done.isEmpty()) {
                    err.println("dnsmig cutover: " + nameserver + "'s mode changed while this command was deciding (see dnsmig cutover status);"
                            + " nothing was changed: run it again");
                    return FAILED;
                }
                out.println(nameserver + ": " + m.label() + " -> " + t.label() + " (" + action + " by " + actor + (reason == null ? "" : ": " + reason)
                        + "). Its dnsmig serve applies it within a second; a rollback returns to " + m.label() + ".");
                out.println("Automatic rollback: " + armed(armed) + ".");
                return OK;
            }
        }
    }

    // ------------------------------------------------------------------ register

    @Command(name = "register", mixinStandardHelpOptions = true, description = {"Adds a nameserver in legacy mode (a dnsmig serve with --legacy"
            + " does this itself when it starts). Nothing changes for one that is registered already, except its legacy address if given."},
            footer = {"", EXIT_CODES})
    static final class Register implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NS", description = "The nameserver's name (ns1, ns2, ...).")
        String nameserver;

        @Option(names = "--legacy", paramLabel = "IP:PORT", description = "The legacy server it forwards to (shown by status).")
        String legacy;

        @Option(names = "--by", paramLabel = "NAME", description = "Who (default: $USER).")
        String by;

        @Mixin
        StoreOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!nameserver.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
                throw new IllegalArgumentException("nameserver name '" + nameserver + "': letters, digits, '.', '_' and '-', at most 63");
            }
            try (HikariDataSource ds = open(db)) {
                StoreSchema.migrate(ds);
                CutoverStore store = new CutoverStore(DSL.using(ds, SQLDialect.POSTGRES));
                CutoverStore.Mode m = store.register(nameserver, legacy, by != null && !by.isBlank() ? by : defaultActor());
                spec.commandLine().getOut().println(nameserver + ": registered, serving mode " + m.label() + ".");
                return OK;
            }
        }
    }
}
