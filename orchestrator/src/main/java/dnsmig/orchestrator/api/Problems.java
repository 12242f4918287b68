package dnsmig.orchestrator.api;

import dnsmig.orchestrator.dualwrite.ChangeValidator;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** RFC 9457 (7807) problem details: one place that turns an error into an answer. Validation errors name the field and the rule. */
final class Problems {

    private Problems() {}

    static ResponseEntity<ProblemDetail> of(int status, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(status), detail);
        p.setType(URI.create("https://dnsmig.invalid/problems/" + HttpStatus.valueOf(status).name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(p);
    }

    static ResponseEntity<ProblemDetail> invalid(List<ChangeValidator.FieldError> errors) {
        ChangeValidator.FieldError first = errors.get(0);
        ResponseEntity<ProblemDetail> r = of(422, first.field() + ": " + first.message() + " [" + first.rule() + "]"
                + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
        r.getBody().setProperty("errors", errors.stream().map(e -> Map.of("field", e.field(), "rule", e.rule(), "message", e.message())).toList());
        return r;
    }

    static ResponseEntity<ProblemDetail> field(int status, String field, String rule, String message) {
        return status == 422 ? invalid(List.of(new ChangeValidator.FieldError(field, rule, message))) : withField(status, field, rule, message);
    }

    private static ResponseEntity<ProblemDetail> withField(int status, String field, String rule, String message) {
        ResponseEntity<ProblemDetail> r = of(status, field + ": " + message + " [" + rule + "]");
        r.getBody().setProperty("errors", List.of(Map.of("field", field, "rule", rule, "message", message)));
        return r;
    }
}
