package dnsmig.orchestrator.serve;

import dnsmig.server.NameServer;
import dnsmig.store.StoreSchema;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code dnsmig serve}: one nameserver in the Spring application, with actuator health
 * ({@code /actuator/health}: up once every zone is loaded; says when the database is
 * unreachable and the zones served are the last ones loaded) and Prometheus metrics
 * ({@code /actuator/prometheus}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "dnsmig.serve", havingValue = "true")
class ServeConfiguration {

    @Bean(destroyMethod = "close")
    NameServer nameServer(ServeSettings settings, DataSource dataSource, MeterRegistry registry) throws Exception {
        StoreSchema.migrate(dataSource);
        return NameServer.start(settings.toSettings(), dataSource, registry, null);
    }

    @Bean
    HealthIndicator dnsServerHealth(NameServer server) {
        return () -> Health.up()
                .withDetail("zones", server.index().zoneCount())
                .withDetail("records", server.index().recordCount())
                .withDetail("database", server.databaseReachable() ? "reachable" : "unreachable: serving the zones loaded last")
                .withDetail("listening", server.udpAddresses().toString())
                .build();
    }
}
