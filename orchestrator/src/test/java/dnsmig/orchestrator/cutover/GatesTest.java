package dnsmig.orchestrator.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dnsmig.store.CutoverStore;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The gates as a pure function of what the store holds: each case changes one input from a passing set. */
class GatesTest {

    static final OffsetDateTime NOW = OffsetDateTime.of(2026, 11, 22, 6, 0, 0, 0, ZoneOffset.UTC);
    static final Gates.Settings SETTINGS = new Gates.Settings(0.999, 1000, Duration.ofMinutes(15));

    static final CutoverStore.BackfillState BACKFILL_OK = new CutoverStore.BackfillState("COMPLETED", "COMPLETED", NOW.minusHours(2), false, 7, 6);
    static final CutoverStore.Probe<CutoverStore.WriteMode> SYNC = new CutoverStore.Probe.Present<>(
            new CutoverStore.WriteMode("SYNCHRONOUS", NOW.minusHours(1), "ops", "confident"));
    static final Optional<CutoverStore.ReconcileState> CLEAN = Optional.of(new CutoverStore.ReconcileState(4, NOW.minusMinutes(30), 7, 7, 0, 0, 0, 0));

    static CutoverStore.Probe<Optional<CutoverStore.VerifyState>> window(long minutesAgo, long compared, long confirmed, long open) {
        return new CutoverStore.Probe.Present<>(Optional.of(new CutoverStore.VerifyState(NOW.minusMinutes(minutesAgo + 5), NOW.minusMinutes(minutesAgo),
                compared, compared - confirmed, confirmed, 3, 2, open)));
    }

    static final CutoverStore.Probe<Optional<CutoverStore.VerifyState>> VERIFY_OK = window(1, 20_000, 10, 0);

    /** (what changed, the inputs, the gate expected to fail and words its message must hold; null: all pass). */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("everything in order", new Gates.Inputs(BACKFILL_OK, SYNC, CLEAN, VERIFY_OK), null, null),
                Arguments.of("no backfill ever", new Gates.Inputs(new CutoverStore.BackfillState(null, null, null, false, 0, 0), SYNC, CLEAN, VERIFY_OK),
                        "backfill", "no backfill has run"),
                Arguments.of("last backfill failed", new Gates.Inputs(new CutoverStore.BackfillState("FAILED", "FAILED", NOW, false, 7, 6), SYNC, CLEAN,
                        VERIFY_OK), "backfill", "ended FAILED"),
                Arguments.of("a backfill is running", new Gates.Inputs(new CutoverStore.BackfillState("COMPLETED", "COMPLETED", NOW, true, 7, 6), SYNC,
                        CLEAN, VERIFY_OK), "backfill", "is running"),
                Arguments.of("write mode view missing", new Gates.Inputs(BACKFILL_OK, new CutoverStore.Probe.Missing<>("view write_mode_current (the"
                        + " dual-write modes, issue 5) is not in this database"), CLEAN, VERIFY_OK), "write mode", "write_mode_current"),
                Arguments.of("concurrent writes only", new Gates.Inputs(BACKFILL_OK, new CutoverStore.Probe.Present<>(new CutoverStore.WriteMode(
                        "CONCURRENT", NOW, "ops", "r")), CLEAN, VERIFY_OK), "write mode", "CONCURRENT: must be SYNCHRONOUS or later"),
                Arguments.of("new primary counts", new Gates.Inputs(BACKFILL_OK, new CutoverStore.Probe.Present<>(new CutoverStore.WriteMode(
                        "NEW_PRIMARY", NOW, "ops", "r")), CLEAN, VERIFY_OK), null, null),
                Arguments.of("never reconciled", new Gates.Inputs(BACKFILL_OK, SYNC, Optional.empty(), VERIFY_OK), "reconcile", "reconcile --all"),
                Arguments.of("reconcile found differences", new Gates.Inputs(BACKFILL_OK, SYNC, Optional.of(new CutoverStore.ReconcileState(5, NOW, 7, 6,
                        0, 3, 1, 0)), VERIFY_OK), "reconcile", "3 differences, 1 repaired"),
                Arguments.of("a zone missing from the store", new Gates.Inputs(BACKFILL_OK, SYNC, Optional.of(new CutoverStore.ReconcileState(5, NOW, 7,
                        6, 0, 0, 0, 1)), VERIFY_OK), "reconcile", "1 zones on one side only"),
                Arguments.of("verifier tables missing", new Gates.Inputs(BACKFILL_OK, SYNC, CLEAN, new CutoverStore.Probe.Missing<>("table verify_window"
                        + " (the verifier's consistency windows, issue 6) is not in this database")), "verifier", "verify_window"),
                Arguments.of("no window for ns1", new Gates.Inputs(BACKFILL_OK, SYNC, CLEAN, new CutoverStore.Probe.Present<>(Optional.empty())),
                        "verifier", "no verifier window for ns1"),
                Arguments.of("window too old", new Gates.Inputs(BACKFILL_OK, SYNC, CLEAN, window(20, 20_000, 0, 0)), "verifier", "is the verifier running"),
                Arguments.of("too few compared", new Gates.Inputs(BACKFILL_OK, SYNC, CLEAN, window(1, 999, 0, 0)), "verifier", "fewer than the 1000"),
                Arguments.of("inconsistent", new Gates.Inputs(BACKFILL_OK, SYNC, CLEAN, window(1, 1000, 2, 2)), "verifier",
                        "99.800% consistent over 1000 compared queries (2 confirmed"),
                Arguments.of("exactly at the threshold", new Gates.Inputs(BACKFILL_OK, SYNC, CLEAN, window(1, 1000, 1, 1)), null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gates(String what, Gates.Inputs in, String failing, String words) {
        List<Gates.Result> r = Gates.evaluate(in, "ns1", SETTINGS, NOW);
        assertThat(r).extracting(Gates.Result::gate).containsExactly("backfill", "write mode", "reconcile", "verifier");
        if (failing == null) {
            assertThat(Gates.allPassed(r)).as(Gates.summary(r)).isTrue();
            return;
        }
        assertThat(r).filteredOn(g -> !g.passed()).extracting(Gates.Result::gate).as(Gates.summary(r)).containsExactly(failing);
        assertThat(r.stream().filter(g -> !g.passed()).findFirst().orElseThrow().detail()).contains(words);
        assertThat(Gates.summary(r)).contains(failing + ": FAILED - ");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "legacy     | legacy",
            "NEW        | new",
            "canary:10  | canary:10",
            "Canary:99  | canary:99"})
    void targets(String given, String label) {
        assertThat(CutoverCommand.target(given).label()).isEqualTo(label);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "canary:0    | the canary percentage is 1 to 99",
            "canary:100  | the canary percentage is 1 to 99",
            "canary      | give legacy, new or canary:P",
            "canary:1000 | give legacy, new or canary:P",
            "primary     | give legacy, new or canary:P"})
    void badTargetsAreNamed(String given, String message) {
        assertThatThrownBy(() -> CutoverCommand.target(given)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--to " + given)
                .hasMessageContaining(message);
    }
}
