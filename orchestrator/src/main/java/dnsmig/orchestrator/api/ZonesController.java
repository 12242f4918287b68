package dnsmig.orchestrator.api;

import dnsmig.legacy.Failure;
import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.ReadOutcome;
import dnsmig.orchestrator.dualwrite.ChangeValidator;
import dnsmig.orchestrator.dualwrite.DualWriteResult;
import dnsmig.orchestrator.dualwrite.DualWriter;
import dnsmig.orchestrator.dualwrite.RRsetWrite;
import dnsmig.orchestrator.dualwrite.WriteMode;
import dnsmig.store.DualWriteStore;
import dnsmig.store.RecordStore;
import dnsmig.store.Rows;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;
import tools.jackson.databind.json.JsonMapper;

/**
 * Zones and records of the caller (an owner sees only its own zones; an operator every zone).
 * Writes go through {@link DualWriter} in the current write mode and take an
 * {@code Idempotency-Key} header: a repeat with the same key gets the first answer again.
 */
@org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "dnsmig.api", havingValue = "true")
@RestController
class ZonesController {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DualWriteStore store;
    private final RecordStore records;
    private final DualWriter writer;
    private final LegacyDns legacy;

    ZonesController(DualWriteStore store, RecordStore records, DualWriter writer, LegacyDns legacy) {
        this.store = store;
        this.records = records;
        this.writer = writer;
        this.legacy = legacy;
    }

    /** The body of a PUT (replace) or POST (create) of an RRset. */
    record RRsetBody(String name, String type, Long ttl, List<String> records) {}

    @GetMapping("/v1/zones")
    List<Map<String, Object>> zones(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal p) {
        return writer.lookup(() -> store.zones(p.operator() ? null : p.principal().ownerId())).stream().map(ZonesController::zoneJson).toList();
    }

    @GetMapping("/v1/zones/{zone}")
    ResponseEntity<?> zone(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal p, @PathVariable String zone) {
        Optional<DualWriteStore.ZoneRef> z = visible(p, zone);
        return z.<ResponseEntity<?>>map(ref -> ResponseEntity.ok(zoneJson(ref))).orElseGet(() -> notFound(zone));
    }

    /** The zone's records from the side that is the truth in the current mode (legacy until SYNCHRONOUS, the store from then on). */
    @GetMapping("/v1/zones/{zone}/records")
    ResponseEntity<?> records(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal p, @PathVariable String zone) {
        Optional<DualWriteStore.ZoneRef> z = visible(p, zone);
        if (z.isEmpty()) {
            return notFound(zone);
        }
        WriteMode mode = writer.mode();
        List<Map<String, Object>> out = new ArrayList<>();
        if (mode.atLeast(WriteMode.SYNCHRONOUS)) {
            for (Rows.Rr r : records.records(z.get().name())) {
                out.add(recordJson(r.name(), r.type(), r.ttl(), r.rdata()));
            }
        } else {
            ReadOutcome read = legacy.read(z.get().name());
            if (read instanceof Failure f) {
                return Problems.of(f instanceof Failure.Unavailable ? 503 : 502, "legacy server: " + f.message());
            }
            for (Record r : ((ReadOutcome.Zone) read).records()) {
                out.add(recordJson(r.getName().toString().toLowerCase(Locale.ROOT), Type.string(r.getType()), r.getTTL(),
                        dnsmig.convert.MasterFileWriter.rdataText(r)));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("zone", z.get().name());
        body.put("source", mode.atLeast(WriteMode.SYNCHRONOUS) ? "record-store" : "legacy");
        body.put("records", out);
        return ResponseEntity.ok(body);
    }

    /** Replaces the RRset (creates it when absent). */
    @PutMapping("/v1/zones/{zone}/rrsets/{name}/{type}")
    ResponseEntity<?> replace(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal p, @PathVariable String zone, @PathVariable String name,
            @PathVariable String type, @RequestBody RRsetBody body, @RequestHeader(name = "Idempotency-Key", required = false) String key) {
        if (body.records() == null || body.records().isEmpty()) {
            return Problems.field(422, "records", "required", "give at least one record (DELETE removes an RRset)");
        }
        return write(p, zone, key, "PUT " + zone + " " + name + " " + type + " " + body,
                z -> ChangeValidator.parse(z, name, type, body.ttl(), body.records()), false);
    }

    /** Creates an RRset that must not exist yet (409 when it does). */
    @PostMapping("/v1/zones/{zone}/rrsets")
    ResponseEntity<?> create(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal p, @PathVariable String zone, @RequestBody RRsetBody body,
            @RequestHeader(name = "Idempotency-Key", required = false) String key) {
        if (body.records() == null || body.records().isEmpty()) {
            return Problems.field(422, "records", "required", "give at least one record");
        }
        return write(p, zone, key, "POST " + zone + " " + body, z -> ChangeValidator.parse(z, body.name(), body.type(), body.ttl(), body.records()), true);
    }

    @DeleteMapping("/v1/zones/{zone}/rrsets/{name}/{type}")
    ResponseEntity<?> delete(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal p, @PathVariable String zone, @PathVariable String name,
            @PathVariable String type, @RequestHeader(name = "Idempotency-Key", required = false) String key) {
        return write(p, zone, key, "DELETE " + zone + " " + name + " " + type, z -> ChangeValidator.parse(z, name, type, null, List.of()), false);
    }

    private ResponseEntity<?> write(ApiPrincipal p, String zone, String key, String request, java.util.function.Function<String, ChangeValidator.Parsed> parse,
            boolean create) {
        Optional<DualWriteStore.ZoneRef> z = visible(p, zone);
        if (z.isEmpty()) {
            return notFound(zone);
        }
        if (key != null && (key.isBlank() || key.length() > 200 || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
            return Problems.field(422, "Idempotency-Key", "syntax", "an idempotency key is 1 to 200 printable ASCII characters without blanks");
        }
        if (key == null) {
            return answer(() -> doWrite(z.get().name(), parse, create));
        }
        String hash = sha256(request);
        DualWriteStore.Reservation r = store.reserve(p.scope(), key, hash);
        switch (r) {
            case DualWriteStore.Reservation.Replay replay -> {
                return ResponseEntity.status(replay.status()).header("Idempotency-Replayed", "true")
                        .contentType(replay.status() >= 400 ? MediaType.APPLICATION_PROBLEM_JSON : MediaType.APPLICATION_JSON).body(replay.body());
            }
            case DualWriteStore.Reservation.InProgress ip -> {
                return Problems.field(409, "Idempotency-Key", "in-progress", "a request with this key is still running; repeat it once it has answered");
            }
            case DualWriteStore.Reservation.Mismatch m -> {
                return Problems.field(422, "Idempotency-Key", "key-reused", "this key was used for a different request; use a new key for a new request");
            }
            case DualWriteStore.Reservation.Reserved ok -> {
            }
        }
        ResponseEntity<?> answer;
        try {
            answer = answer(() -> doWrite(z.get().name(), parse, create));
        } catch (RuntimeException e) {
            store.release(p.scope(), key);
            throw e;
        }
        if (answer.getStatusCode().value() >= 500) {
            store.release(p.scope(), key); // not done: the client may repeat it with the same key
        } else {
            try {
                store.complete(p.scope(), key, answer.getStatusCode().value(), JSON.writeValueAsString(answer.getBody()));
            } catch (org.jooq.exception.DataAccessException e) {
                // The write is done; the key is left reserved (a repeat gets 409 in-progress, never a second write).
            }
        }
        return answer;
    }

    private DualWriteResult doWrite(String zone, java.util.function.Function<String, ChangeValidator.Parsed> parse, boolean create) {
        return switch (parse.apply(zone)) {
            case ChangeValidator.Parsed.Bad bad -> new DualWriteResult.Invalid(bad.errors());
            case ChangeValidator.Parsed.Ok ok -> writer.write(create ? ok.write().asCreate() : ok.write());
        };
    }

    private static ResponseEntity<?> answer(Supplier<DualWriteResult> call) {
        return switch (call.get()) {
            case DualWriteResult.Written w -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("zone", w.zone());
                body.put("name", w.name());
                body.put("type", w.type());
                body.put("records", w.records());
                body.put("mode", w.mode().name());
                body.put("detail", w.detail());
                yield ResponseEntity.ok(body);
            }
            case DualWriteResult.Invalid i -> Problems.invalid(i.errors());
            case DualWriteResult.Conflict c -> Problems.of(409, c.message());
            case DualWriteResult.Failed f -> Problems.of(f.status(), f.message());
        };
    }

    /** The zone when it exists and the caller may see it; an owner asking for another's zone is told it does not exist. */
    private Optional<DualWriteStore.ZoneRef> visible(ApiPrincipal p, String zone) {
        return writer.lookup(() -> store.zone(zone)).filter(p::mayAccess);
    }

    private static ResponseEntity<?> notFound(String zone) {
        return Problems.of(404, "no zone '" + zone + "' among the zones this token may see");
    }

    private static Map<String, Object> zoneJson(DualWriteStore.ZoneRef z) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", z.name());
        m.put("owner", z.owner());
        m.put("serial", z.serial());
        m.put("records", z.recordCount());
        return m;
    }

    private static Map<String, Object> recordJson(String name, String type, long ttl, String data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("type", type);
        m.put("ttl", ttl);
        m.put("data", data);
        return m;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
