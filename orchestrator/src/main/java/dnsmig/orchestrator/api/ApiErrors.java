package dnsmig.orchestrator.api;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/** Malformed requests: 400 naming what could not be read; the database away: 503. Never a stack trace. */
@org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "dnsmig.api", havingValue = "true")
@RestControllerAdvice(basePackageClasses = ApiErrors.class)
class ApiErrors {

    static final String BREAKER_OPEN = "the database failed repeatedly and dnsmig stopped asking it for a moment (circuit breaker 'store' open);"
            + " nothing was changed: try again shortly";

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        String m = e.getMostSpecificCause().getMessage();
        m = m == null ? "" : m.lines().findFirst().orElse("");
        return Problems.field(400, "body", "json", "the request body is not the JSON this endpoint takes: " + (m.length() > 200 ? m.substring(0, 200) : m));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> mismatch(MethodArgumentTypeMismatchException e) {
        return Problems.field(400, e.getName(), "type", "'" + e.getValue() + "' is not a valid " + e.getName());
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<ProblemDetail> header(MissingRequestHeaderException e) {
        return Problems.field(400, e.getHeaderName(), "required", "missing header");
    }

    @ExceptionHandler({org.jooq.exception.DataAccessException.class, org.springframework.dao.DataAccessException.class})
    ResponseEntity<ProblemDetail> database(RuntimeException e) {
        return Problems.of(503, "the database is unavailable; nothing was changed: try again shortly");
    }

    @ExceptionHandler(CallNotPermittedException.class)
    ResponseEntity<ProblemDetail> breakerOpen(CallNotPermittedException e) {
        return Problems.of(503, BREAKER_OPEN);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<ProblemDetail> bad(IllegalArgumentException e) {
        return Problems.of(400, e.getMessage());
    }
}
