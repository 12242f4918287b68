package dnsmig.orchestrator.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Who may do what, through the real API (real named, real PostgreSQL): owner A cannot list, read
 * or change owner B's zones; a missing or bad token gets 401; an owner's token gets 403 on the
 * admin endpoints; the TSIG secret and the API tokens never appear in logs (captured at DEBUG for
 * dnsmig, Spring MVC and dnsjava) or in answers (every answer of the test is kept and searched),
 * including failures of the legacy side.
 */
@ExtendWith(OutputCaptureExtension.class)
class ApiSecurityTest {

    @TempDir
    Path tmp;

    final List<String> answers = new ArrayList<>();

    DualWriteHarness.Response keep(DualWriteHarness.Response r) {
        answers.add(r.status() + " " + r.headers().map() + " " + r.body());
        return r;
    }

    @Test
    void ownersSeeOnlyTheirZonesTokensAreCheckedAndSecretsNeverShow(CapturedOutput output) throws Exception {
        LoggerContext logs = (LoggerContext) LoggerFactory.getILoggerFactory();
        for (String l : List.of("dnsmig", "org.springframework.web", "org.xbill.DNS", "org.apache.coyote")) {
            logs.getLogger(l).setLevel(Level.DEBUG);
        }
        try (DualWriteHarness h = new DualWriteHarness(tmp, List.of("alice", "bob"), 2, DualWriteSettings.defaults().withLockTimeout(Duration.ofSeconds(3)),
                Duration.ofMillis(700), false)) {
            String a = h.ownerTokens.get("alice");
            String b = h.ownerTokens.get("bob");
            h.mode(WriteMode.SYNCHRONOUS);

            // Listing: each owner sees only its own zones; the operator sees all.
            var listA = keep(h.call(a, "GET", "/v1/zones", null));
            assertThat(listA.status()).isEqualTo(200);
            assertThat(listA.body()).contains("alice-0.test.", "alice-1.test.").doesNotContain("bob-");
            var listOp = keep(h.call(h.operatorToken, "GET", "/v1/zones", null));
            assertThat(listOp.body()).contains("alice-0.test.", "bob-1.test.");

            // Reading and changing B's zone as A: it does not exist for A (404, the same as a zone nobody has); nothing changes.
            for (String path : List.of("/v1/zones/bob-0.test", "/v1/zones/bob-0.test/records", "/v1/zones/bob-0.test.")) {
                var r = keep(h.call(a, "GET", path, null));
                assertThat(r.status()).as(path).isEqualTo(404);
                assertThat(r.body()).doesNotContain("192.0.2.80");
            }
            assertThat(keep(h.call(a, "GET", "/v1/zones/nobody.test", null)).status()).isEqualTo(404);
            var put = keep(h.put("alice", "bob-0.test", "www", "A", 60, "203.0.113.1"));
            assertThat(put.status()).isEqualTo(404);
            var create = keep(h.call(a, "POST", "/v1/zones/bob-0.test/rrsets", "{\"name\":\"x\",\"type\":\"A\",\"ttl\":60,\"records\":[\"203.0.113.2\"]}"));
            assertThat(create.status()).isEqualTo(404);
            var delete = keep(h.delete("alice", "bob-0.test", "www", "A"));
            assertThat(delete.status()).isEqualTo(404);
            assertThat(h.legacy("bob-0.test", "www.bob-0.test.", "A")).isEqualTo("300 192.0.2.80");
            assertThat(h.stored("bob-0.test", "www.bob-0.test.", "A")).isEqualTo("300 192.0.2.80");
            assertThat(h.legacy("bob-0.test", "x.bob-0.test.", "A")).isEmpty();
            // B can, with its own token.
            assertThat(keep(h.put("bob", "bob-0.test", "www", "A", 60, "203.0.113.3")).status()).isEqualTo(200);
            // Owners cannot reach the admin endpoints; B's own divergences do not include A's.
            assertThat(keep(h.call(b, "GET", "/v1/admin/owners", null)).status()).isEqualTo(403);
            assertThat(keep(h.call(b, "PUT", "/v1/admin/write-mode", "{\"mode\":\"NEW_ONLY\",\"reason\":\"mine now\"}")).status()).isEqualTo(403);
            assertThat(keep(h.call(a, "POST", "/v1/admin/owners/alice/tokens", "{}")).status()).isEqualTo(403);
            assertThat(h.store.currentMode().mode()).isEqualTo("SYNCHRONOUS");

            // Missing, empty, malformed, unknown tokens: 401 everywhere, with a WWW-Authenticate challenge.
            for (String token : new String[] {null, "", "dnsmig_not-a-real-token", a + "x", "' or 1=1 --"}) {
                for (String path : List.of("/v1/zones", "/v1/zones/alice-0.test/records", "/v1/admin/owners")) {
                    var r = keep(h.call(token, "GET", path, null));
                    assertThat(r.status()).as("%s %s", token, path).isEqualTo(401);
                    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"dnsmig\"");
                }
            }
            var noAuth = keep(h.call(null, "PUT", "/v1/zones/alice-0.test/rrsets/www/A", DualWriteHarness.json(60, "203.0.113.9")));
            assertThat(noAuth.status()).isEqualTo(401);
            assertThat(h.legacy("alice-0.test", "www.alice-0.test.", "A")).isEqualTo("300 192.0.2.80");
            // Basic auth with a token is not accepted either.
            assertThat(keep(h.call(null, "GET", "/v1/zones", null, "Authorization", "Basic " + a)).status()).isEqualTo(401);

            // A new token through the admin API is shown once; afterwards it works and appears nowhere else.
            var made = keep(h.call(h.operatorToken, "POST", "/v1/admin/owners/bob/tokens", "{\"name\":\"ci\"}"));
            assertThat(made.status()).isEqualTo(201);
            String fresh = made.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
            assertThat(fresh).startsWith("dnsmig_");
            answers.remove(answers.size() - 1); // the one answer that carries it
            assertThat(keep(h.call(fresh, "GET", "/v1/zones", null)).body()).contains("bob-0.test.").doesNotContain("alice-");
            var audit = keep(h.call(h.operatorToken, "PUT", "/v1/admin/write-mode", "{\"mode\":\"SYNCHRONOUS\",\"reason\":\"audit check\"}"));
            assertThat(audit.body()).contains("test-operator");

            // Failures of the legacy side (unreachable, then refusing) and health and metrics: nothing secret in them either.
            h.proxy.mode(FaultyProxy.Mode.REFUSE);
            keep(h.put("alice", "alice-0.test", "www", "A", 60, "203.0.113.4"));
            keep(h.call(null, "GET", "/actuator/health", null));
            h.proxy.mode(FaultyProxy.Mode.PASS);
            Thread.sleep(600); // the legacy circuit breaker lets calls through again
            var health = keep(h.call(null, "GET", "/actuator/health", null));
            assertThat(health.body()).contains("\"legacy\"").contains("\"db\"").contains("answers for");
            keep(h.call(null, "GET", "/actuator/prometheus", null));
            keep(h.call(null, "GET", "/openapi.yaml", null));

            String secret = h.named.keySecret();
            List<String> tokens = new ArrayList<>(h.ownerTokens.values());
            tokens.add(h.operatorToken);
            tokens.add(fresh);
            String everything = String.join("\n", answers);
            assertThat(answers).hasSizeGreaterThan(30);
            assertThat(everything).doesNotContain(secret);
            assertThat(output.getAll()).contains("DynamicZones", "DispatcherServlet"); // the logs were captured, at DEBUG
            assertThat(output.getAll()).doesNotContain(secret);
            for (String t : tokens) {
                assertThat(everything).doesNotContain(t);
                assertThat(output.getAll()).doesNotContain(t);
            }
        } finally {
            for (String l : List.of("dnsmig", "org.springframework.web", "org.xbill.DNS", "org.apache.coyote")) {
                logs.getLogger(l).setLevel(null);
            }
        }
    }
}
