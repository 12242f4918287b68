package dnsmig.orchestrator.api;

import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.LegacyWrite;
import dnsmig.orchestrator.dualwrite.Divergences;
import dnsmig.orchestrator.dualwrite.DualWriter;
import dnsmig.orchestrator.dualwrite.OutboxWorker;
import dnsmig.orchestrator.dualwrite.QueueApplier;
import dnsmig.store.CutoverStore;
import dnsmig.store.DualWriteStore;
import dnsmig.store.ReconcileStore;
import dnsmig.store.StoreSchema;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code dnsmig api}: the REST API and dual writes in the Spring application. The schema is
 * migrated at start; the legacy side is a running named written by RFC 2136 + TSIG (every write
 * journaled in {@code legacy_write} for reconcile); the queue applier and the outbox worker run in
 * the background; actuator health includes the legacy server ({@code legacy}) and the database
 * ({@code db}); {@code /openapi.yaml} describes the API.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "dnsmig.api", havingValue = "true")
class ApiConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ApiConfiguration.class);

    /** The store of dual writes; the schema is migrated first (V4 and later). */
    @Bean
    DualWriteStore dualWriteStore(DataSource dataSource, ApiSettings settings) {
        StoreSchema.migrate(dataSource);
        // Plain jOOQ (not the application's DSLContext, whose errors Spring translates): dual writes tell database failures apart by jOOQ's exceptions.
        return new DualWriteStore(DSL.using(dataSource, SQLDialect.POSTGRES)).withStatementTimeout(settings.dualWrites().statementTimeout());
    }

    /** The nameservers' serving modes (the cutover's tables, migrated with the store's): NEW_ONLY waits until none answers from legacy. */
    @Bean
    CutoverStore cutoverStore(DataSource dataSource, DualWriteStore migrated) {
        return new CutoverStore(DSL.using(dataSource, SQLDialect.POSTGRES));
    }

    @Bean
    LegacyDns legacyDns(ApiSettings settings, DualWriteStore store, DataSource dataSource, MeterRegistry registry) {
        ReconcileStore journal = new ReconcileStore(DSL.using(dataSource, SQLDialect.POSTGRES));
        java.util.List<String> zones = store.zones(null).stream().map(DualWriteStore.ZoneRef::name).toList();
        return LegacyDns.dynamic(settings.legacy(), zones, settings.resilience(), registry, (LegacyWrite w) -> {
            try {
                DualWriter.read(() -> journal.recordLegacyWrite(w.zone(), w.serialBefore(), w.serialAfter(), w.outcome(), w.change(), w.origin(), w.at()));
            } catch (RuntimeException e) {
                log.warn("legacy write journal: could not record a write to {} ({}); reconcile may call it drift", w.zone(), brief(e));
            }
        });
    }

    private static String brief(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().lines().findFirst().orElse("");
    }

    @Bean(destroyMethod = "close")
    QueueApplier queueApplier(DualWriteStore store, LegacyDns legacy, ApiSettings settings, MeterRegistry registry) {
        QueueApplier a = new QueueApplier(store, legacy, settings.dualWrites(), registry);
        return settings.background() ? a.start() : a;
    }

    @Bean(destroyMethod = "close")
    OutboxWorker outboxWorker(DualWriteStore store, LegacyDns legacy, ApiSettings settings, MeterRegistry registry) {
        OutboxWorker w = new OutboxWorker(store, legacy, settings.dualWrites(), registry);
        return settings.background() ? w.start() : w;
    }

    @Bean
    DualWriter dualWriter(DualWriteStore store, LegacyDns legacy, ApiSettings settings, MeterRegistry registry, QueueApplier applier) {
        return new DualWriter(store, legacy, settings.dualWrites(), registry, applier);
    }

    @Bean
    Divergences divergences(DualWriteStore store, LegacyDns legacy, ApiSettings settings) {
        return new Divergences(store, legacy, settings.dualWrites());
    }

    @Bean
    FilterRegistrationBean<TokenFilter> tokenFilter(DualWriteStore store, DualWriter writer) {
        FilterRegistrationBean<TokenFilter> r = new FilterRegistrationBean<>(new TokenFilter(store, writer));
        r.addUrlPatterns("/v1/*");
        return r;
    }

    /** Health of the legacy server (an SOA query; the circuit breaker's state). The database's is Spring Boot's own ({@code db}). */
    @Bean
    HealthIndicator legacyHealthIndicator(LegacyDns legacy) {
        return () -> {
            dnsmig.legacy.Health h = legacy.health();
            return (h.up() ? Health.up() : Health.down()).withDetail("circuit", h.circuit()).withDetail("detail", h.detail()).build();
        };
    }

    /** The OpenAPI description of the API. */
    @RestController
    @ConditionalOnProperty(name = "dnsmig.api", havingValue = "true")
    static final class OpenApi {
        @GetMapping(value = "/openapi.yaml", produces = "application/yaml")
        ResponseEntity<byte[]> yaml() throws java.io.IOException {
            byte[] b = new ClassPathResource("dnsmig/orchestrator/api/openapi.yaml").getInputStream().readAllBytes();
            return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/yaml")).body(b);
        }
    }
}
