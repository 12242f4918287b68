package dnsmig.orchestrator.cutover;

import dnsmig.store.CutoverStore;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The gates before a nameserver serves more from the new system (DESIGN.md, step 5): the
 * backfill finished, dual writes at least synchronous, the last reconcile clean, and the
 * verifier's last window for that nameserver consistent enough on enough queries. A pure
 * function of what the store holds: {@link #evaluate} decides, {@link CutoverStore} reads.
 *
 * <p>"Backfill finished for every zone": the last backfill that wrote completed and none is
 * running; a zone it could not import or held back is not in the store as legacy has it, which
 * the reconcile gate (every legacy zone compared with the store, {@code reconcile --all}) catches.
 */
final class Gates {

    /** Write modes at least as strong as SYNCHRONOUS (issue 5: LEGACY_ONLY, CONCURRENT, SYNCHRONOUS, NEW_PRIMARY, NEW_ONLY). */
    static final Set<String> SYNCHRONOUS_OR_LATER = Set.of("SYNCHRONOUS", "NEW_PRIMARY", "NEW_ONLY");

    /**
     * @param consistency the verifier's consistency the last window must reach (0..1): 1 − confirmed / compared
     * @param minCompared queries the window must have compared
     * @param maxWindowAge how old the window's end may be (an old window says nothing about now)
     */
    record Settings(double consistency, long minCompared, Duration maxWindowAge) {
        Settings {
            if (!(consistency >= 0 && consistency <= 1)) {
                throw new IllegalArgumentException("--min-consistency is a share from 0 to 1 (0.999: 99.9 %), got " + consistency);
            }
            if (minCompared < 0) {
                throw new IllegalArgumentException("--min-compared cannot be negative, got " + minCompared);
            }
        }
    }

    /** One gate's verdict, with what it saw. */
    record Result(String gate, boolean passed, String detail) {
        @Override
        public String toString() {
            return gate + ": " + (passed ? "ok" : "FAILED") + " - " + detail;
        }
    }

    /** What the gates read. */
    record Inputs(CutoverStore.BackfillState backfill, CutoverStore.Probe<CutoverStore.WriteMode> writeMode,
            Optional<CutoverStore.ReconcileState> reconcile, CutoverStore.Probe<Optional<CutoverStore.VerifyState>> verify) {}

    static Inputs read(CutoverStore store, String nameserver) {
        return new Inputs(store.backfill(), store.writeMode(), store.lastReconcile(), store.lastWindow(nameserver));
    }

    static List<Result> evaluate(Inputs in, String nameserver, Settings s, OffsetDateTime now) {
        List<Result> out = new ArrayList<>();
        out.add(backfill(in.backfill()));
        out.add(writeMode(in.writeMode()));
        out.add(reconcile(in.reconcile()));
        out.add(verifier(in.verify(), nameserver, s, now));
        return out;
    }

    static boolean allPassed(List<Result> results) {
        return results.stream().allMatch(Result::passed);
    }

    /** One line for the audit log. */
    static String summary(List<Result> results) {
        return results.stream().map(Result::toString).collect(Collectors.joining("; "));
    }

    private static Result backfill(CutoverStore.BackfillState b) {
        String g = "backfill";
        if (b.running()) {
            return new Result(g, false, "a backfill is running; wait for it to finish");
        }
        if (b.lastStatus() == null) {
            return new Result(g, false, "no backfill has run against this database (dry runs do not count): run dnsmig backfill");
        }
        if (!"COMPLETED".equals(b.lastStatus())) {
            return new Result(g, false, "the last backfill ended " + b.lastStatus() + "; run the same dnsmig backfill command again to resume it");
        }
        if (b.servableZones() == 0) {
            return new Result(g, false, "the store holds no servable zone");
        }
        return new Result(g, true, "last backfill completed " + b.lastEnd() + "; " + b.zones() + " zones in the store, " + b.servableZones()
                + " servable");
    }

    private static Result writeMode(CutoverStore.Probe<CutoverStore.WriteMode> p) {
        String g = "write mode";
        return switch (p) {
            case CutoverStore.Probe.Missing<CutoverStore.WriteMode> m -> new Result(g, false, m.what());
            case CutoverStore.Probe.Present<CutoverStore.WriteMode> w -> {
                String mode = w.value().mode() == null ? "" : w.value().mode().toUpperCase(Locale.ROOT);
                yield SYNCHRONOUS_OR_LATER.contains(mode)
                        ? new Result(g, true, mode + " since " + w.value().changedAt())
                        : new Result(g, false, mode + ": must be SYNCHRONOUS or later, so both systems hold every change (dnsmig mode set SYNCHRONOUS)");
            }
        };
    }

    private static Result reconcile(Optional<CutoverStore.ReconcileState> r) {
        String g = "reconcile";
        if (r.isEmpty()) {
            return new Result(g, false, "no finished reconcile of every zone: run dnsmig reconcile --all");
        }
        CutoverStore.ReconcileState s = r.get();
        if (!s.clean()) {
            return new Result(g, false, String.format(Locale.ROOT,
                    "run %d (%s) was not clean: %d differences, %d repaired, %d zones failed, %d zones on one side only; repair, then reconcile again",
                    s.run(), s.finishedAt(), s.differences(), s.repaired(), s.failedZones(), s.zonesOnOneSide()));
        }
        return new Result(g, true, "run " + s.run() + " at " + s.finishedAt() + " clean over " + s.zones() + " zones");
    }

    private static Result verifier(CutoverStore.Probe<Optional<CutoverStore.VerifyState>> p, String nameserver, Settings s, OffsetDateTime now) {
        String g = "verifier";
        return switch (p) {
            case CutoverStore.Probe.Missing<Optional<CutoverStore.VerifyState>> m -> new Result(g, false, m.what());
            case CutoverStore.Probe.Present<Optional<CutoverStore.VerifyState>> present -> {
                if (present.value().isEmpty()) {
                    yield new Result(g, false, "no verifier window for " + nameserver + " yet: run the verifier on this nameserver's traffic");
                }
                CutoverStore.VerifyState w = present.value().get();
                if (w.windowEnd().isBefore(now.minus(s.maxWindowAge()))) {
                    yield new Result(g, false, "the last window for " + nameserver + " ended " + w.windowEnd() + ", more than "
                            + s.maxWindowAge().toMinutes() + " min ago: is the verifier running?");
                }
                if (w.compared() < s.minCompared()) {
                    yield new Result(g, false, "the last window compared " + w.compared() + " queries, fewer than the " + s.minCompared()
                            + " required");
                }
                double consistency = w.compared() == 0 ? 0 : 1.0 - (double) w.confirmed() / w.compared();
                String figures = String.format(Locale.ROOT, "%.3f%% consistent over %d compared queries (%d confirmed inconsistencies, %d transient,"
                        + " %d version skew; %d confirmed findings open) in %s .. %s", consistency * 100, w.compared(), w.confirmed(),
                        w.transientCount(), w.versionSkew(), w.confirmedFindings(), w.windowStart(), w.windowEnd());
                if (consistency < s.consistency()) {
                    yield new Result(g, false, figures + "; required " + String.format(Locale.ROOT, "%.3f%%", s.consistency() * 100)
                            + ": read dnsmig report, fix, wait for a clean window");
                }
                if (w.confirmedFindings() > 0 && s.consistency() >= 1) {
                    yield new Result(g, false, figures + "; confirmed findings are open");
                }
                yield new Result(g, true, figures);
            }
        };
    }
}
