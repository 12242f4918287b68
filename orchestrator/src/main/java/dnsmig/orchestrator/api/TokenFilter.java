package dnsmig.orchestrator.api;

import dnsmig.orchestrator.dualwrite.DualWriter;
import dnsmig.store.DualWriteStore;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.jooq.exception.DataAccessException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code Authorization: Bearer TOKEN} on every {@code /v1/} request: an unknown, revoked or
 * missing token gets 401 (the same answer for each, so tokens cannot be probed); an owner's token
 * on an admin endpoint gets 403. The token is compared by its digest and never logged.
 */
final class TokenFilter extends OncePerRequestFilter {

    private final DualWriteStore store;
    private final DualWriter writer;

    TokenFilter(DualWriteStore store, DualWriter writer) {
        this.store = store;
        this.writer = writer;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/v1/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws ServletException, IOException {
        String h = request.getHeader("Authorization");
        String token = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).strip() : null;
        Optional<DualWriteStore.Principal> p;
        try {
            p = token == null || token.isEmpty() || token.length() > 200 ? Optional.empty() : writer.lookup(() -> store.principal(Tokens.digest(token)));
        } catch (DataAccessException e) {
            problem(response, 503, "the database is unavailable, so the token cannot be checked: try again shortly");
            return;
        } catch (CallNotPermittedException e) {
            problem(response, 503, ApiErrors.BREAKER_OPEN);
            return;
        }
        if (p.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"dnsmig\"");
            problem(response, 401, token == null ? "missing API token: send 'Authorization: Bearer TOKEN' (dnsmig api token create makes one)"
                    : "unknown or revoked API token");
            return;
        }
        if (request.getRequestURI().startsWith("/v1/admin/") && !p.get().operator()) {
            problem(response, 403, "this endpoint needs an operator token");
            return;
        }
        request.setAttribute(ApiPrincipal.ATTRIBUTE, new ApiPrincipal(p.get()));
        chain.doFilter(request, response);
    }

    private static void problem(HttpServletResponse response, int status, String detail) throws IOException {
        response.setStatus(status);
        response.setContentType("application/problem+json");
        String title = status == 401 ? "Unauthorized" : status == 403 ? "Forbidden" : "Service Unavailable";
        response.getWriter().write("{\"type\":\"https://dnsmig.invalid/problems/" + title.toLowerCase(java.util.Locale.ROOT).replace(' ', '-')
                + "\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\"" + detail.replace("\"", "'") + "\"}");
    }
}
