package dnsmig.orchestrator.api;

import dnsmig.legacy.LegacyResilience;
import dnsmig.legacy.LegacyServer;
import dnsmig.orchestrator.dualwrite.DualWriteSettings;

/**
 * What {@code dnsmig api} was asked for: the legacy server (an IP literal and a TSIG key; the
 * secret never appears in logs or answers) and the dual-write limits.
 */
public record ApiSettings(LegacyServer legacy, LegacyResilience resilience, DualWriteSettings dualWrites, boolean background) {

    /** @param background false in tests that drive the queue applier and the outbox worker themselves */
    public ApiSettings {
        java.util.Objects.requireNonNull(legacy, "legacy");
    }
}
