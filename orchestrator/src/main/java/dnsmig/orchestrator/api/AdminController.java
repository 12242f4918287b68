package dnsmig.orchestrator.api;

import dnsmig.orchestrator.dualwrite.Divergences;
import dnsmig.orchestrator.dualwrite.WriteMode;
import dnsmig.store.CutoverStore;
import dnsmig.store.DualWriteStore;
import dnsmig.store.RecordStore;
import dnsmig.store.Rows;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Operators' endpoints (an operator token; owners get 403): owners and their tokens, the write
 * mode (audited: who, when, why), the divergence ledger. An owner may read its own divergences
 * at {@code /v1/divergences}.
 */
@org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "dnsmig.api", havingValue = "true")
@RestController
class AdminController {

    private final DualWriteStore store;
    private final RecordStore records;
    private final Divergences divergences;
    private final CutoverStore cutover;

    AdminController(DualWriteStore store, RecordStore records, Divergences divergences, CutoverStore cutover) {
        this.store = store;
        this.records = records;
        this.divergences = divergences;
        this.cutover = cutover;
    }

    record OwnerBody(String handle, String email) {}

    record TokenBody(String name) {}

    record ModeBody(String mode, String reason, Boolean force) {}

    record ResolveBody(String state, String note) {}

    @GetMapping("/v1/admin/owners")
    List<DualWriteStore.OwnerRow> owners() {
        return store.owners();
    }

    @PostMapping("/v1/admin/owners")
    ResponseEntity<?> createOwner(@RequestBody OwnerBody body) {
        if (body.handle() == null || !body.handle().matches("[a-z0-9][a-z0-9._@+-]{0,127}")) {
            return Problems.field(422, "handle", "syntax", "a handle is 1 to 128 of a-z 0-9 . _ @ + - starting with a letter or digit");
        }
        if (body.email() == null || !body.email().matches("[^@\\s]+@[^@\\s]+")) {
            return Problems.field(422, "email", "syntax", "give the owner's email address (reports go there)");
        }
        records.upsertOwners(List.of(new Rows.Owner(body.handle(), body.email())));
        return ResponseEntity.status(201).body(store.owner(body.handle()).orElseThrow());
    }

    /** A new token for an owner; the token is in this answer only (only its digest is kept). */
    @PostMapping("/v1/admin/owners/{handle}/tokens")
    ResponseEntity<?> createToken(@PathVariable String handle, @RequestBody(required = false) TokenBody body) {
        var owner = store.owner(handle);
        if (owner.isEmpty()) {
            return Problems.of(404, "no owner '" + handle + "'");
        }
        String token = Tokens.newToken();
        String name = body == null || body.name() == null || body.name().isBlank() ? "api" : body.name().strip();
        long id = store.createToken(owner.get().id(), name, Tokens.digest(token));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("owner", handle);
        out.put("name", name);
        out.put("token", token);
        out.put("note", "shown once: only a digest is stored");
        return ResponseEntity.status(201).body(out);
    }

    @GetMapping("/v1/admin/write-mode")
    Map<String, Object> mode() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("current", store.currentMode());
        out.put("history", store.modeHistory(20));
        return out;
    }

    @PutMapping("/v1/admin/write-mode")
    ResponseEntity<?> setMode(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal p, @RequestBody ModeBody body) {
        WriteMode mode;
        try {
            mode = WriteMode.parse(body.mode());
        } catch (IllegalArgumentException e) {
            return Problems.field(422, "mode", "unknown-mode", e.getMessage());
        }
        if (body.reason() == null || body.reason().isBlank()) {
            return Problems.field(422, "reason", "required", "say why (it is kept in the audit trail)");
        }
        var refusal = mode.refusal(cutover.modes());
        if (refusal.isPresent() && !Boolean.TRUE.equals(body.force())) {
            return Problems.field(409, "mode", "nameservers-on-legacy", refusal.get() + ", or, if they no longer serve, set \"force\": true");
        }
        return ResponseEntity.ok(store.setMode(mode.name(), p.who(), body.reason().strip()));
    }

    @GetMapping("/v1/admin/divergences")
    List<DualWriteStore.DivergenceRow> divergences(@RequestParam(required = false) String zone, @RequestParam(required = false) String owner,
            @RequestParam(required = false) String source, @RequestParam(required = false) String state, @RequestParam(defaultValue = "false") boolean all,
            @RequestParam(defaultValue = "1000") int limit) {
        return divergences.list(new DualWriteStore.DivergenceFilter(zone, owner, source, state, all, Math.min(Math.max(limit, 1), 10_000)));
    }

    /** The caller's own divergences (an owner token; an operator sees all). */
    @GetMapping("/v1/divergences")
    List<DualWriteStore.DivergenceRow> ownDivergences(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal p,
            @RequestParam(defaultValue = "false") boolean all) {
        return divergences.list(new DualWriteStore.DivergenceFilter(null, p.operator() ? null : p.principal().owner(), null, null, all, 1000));
    }

    @PostMapping("/v1/admin/divergences/{id}/retry")
    ResponseEntity<?> retry(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal p, @PathVariable long id) {
        return switch (divergences.retry(id, p.who())) {
            case Divergences.RetryOutcome.Fixed f -> ResponseEntity.ok(Map.of("id", id, "state", "fixed", "detail", f.message()));
            case Divergences.RetryOutcome.StillDiverged s -> Problems.of(409, s.message());
            case Divergences.RetryOutcome.NotRetryable n -> Problems.of(store.divergence(id).isEmpty() ? 404 : 422, n.message());
        };
    }

    @PostMapping("/v1/admin/divergences/{id}/resolve")
    ResponseEntity<?> resolve(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal p, @PathVariable long id, @RequestBody ResolveBody body) {
        if (body.state() == null || !DualWriteStore.DIVERGENCE_STATES.contains(body.state())) {
            return Problems.field(422, "state", "unknown-state", "one of open, triaged, fixed, accepted, notified");
        }
        if (!divergences.resolve(id, body.state(), p.who(), body.note())) {
            return Problems.of(404, "no divergence " + id);
        }
        return ResponseEntity.ok(store.divergence(id).orElseThrow());
    }
}
