package dnsmig.orchestrator.dualwrite;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Micrometer meters of dual writes:
 *
 * <ul>
 *   <li>{@code dnsmig.dualwrite.requests} (timer; tags mode, outcome = written|invalid|conflict|failed): latency and count per mode and outcome
 *   <li>{@code dnsmig.dualwrite.compensations} (counter; tag outcome = reverted|not-applied|failed): legacy changes undone after the store could not commit
 *   <li>{@code dnsmig.dualwrite.queue.applied} / {@code dnsmig.dualwrite.divergences} (counters; tag source/reason): the concurrent-mode applier
 *   <li>{@code dnsmig.dualwrite.outbox.open} (gauge): repair-outbox entries not drained yet (alert when above 0 for long)
 *   <li>{@code dnsmig.dualwrite.queue.pending} (gauge): concurrent-mode changes not applied to the store yet
 * </ul>
 */
final class DualWriteMetrics {

    private final MeterRegistry registry;

    DualWriteMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    MeterRegistry registry() {
        return registry;
    }

    void request(WriteMode mode, DualWriteResult result, Duration took) {
        String outcome = switch (result) {
            case DualWriteResult.Written w -> "written";
            case DualWriteResult.Invalid i -> "invalid";
            case DualWriteResult.Conflict c -> "conflict";
            case DualWriteResult.Failed f -> "failed";
        };
        Timer.builder("dnsmig.dualwrite.requests").tag("mode", mode.name()).tag("outcome", outcome)
                .description("API writes by write mode and outcome, with their latency").publishPercentileHistogram().register(registry).record(took);
    }

    void compensation(String outcome) {
        Counter.builder("dnsmig.dualwrite.compensations").tag("outcome", outcome).description("legacy changes undone because the store did not commit")
                .register(registry).increment();
    }

    void applied() {
        Counter.builder("dnsmig.dualwrite.queue.applied").description("concurrent-mode changes applied to the store").register(registry).increment();
    }

    void divergence(String reason) {
        Counter.builder("dnsmig.dualwrite.divergences").tag("reason", reason).description("changes the new side refused or failed (divergence list)")
                .register(registry).increment();
    }

    void outboxAdded() {
        Counter.builder("dnsmig.dualwrite.outbox.added").description("changes put in the repair outbox").register(registry).increment();
    }
}
