package dnsmig.orchestrator.api;

import dnsmig.store.DualWriteStore;

/** Who is calling, as the token filter found it (a request attribute). */
record ApiPrincipal(DualWriteStore.Principal principal) {

    static final String ATTRIBUTE = "dnsmig.api.principal";

    boolean operator() {
        return principal.operator();
    }

    /** Idempotency keys are scoped to this. */
    String scope() {
        return operator() ? "operator" : "owner:" + principal.ownerId();
    }

    /** For audit rows (mode changes, divergence resolutions): never the token itself. */
    String who() {
        return (operator() ? "operator" : "owner " + principal.owner()) + " (token '" + principal.tokenName() + "' #" + principal.tokenId() + ")";
    }

    boolean mayAccess(DualWriteStore.ZoneRef zone) {
        return operator() || zone.ownerId() == principal.ownerId();
    }
}
