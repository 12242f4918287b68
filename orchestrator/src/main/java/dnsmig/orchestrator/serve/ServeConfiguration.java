package dnsmig.orchestrator.serve;

import dnsmig.server.NameServer;
import dnsmig.server.tap.DnstapTap;
import dnsmig.store.StoreSchema;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
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

    /** The nameserver; stopped before its dnstap tap (the tap is made first, so it is closed last). */
    @Bean(destroyMethod = "close")
    NameServer nameServer(ServeSettings settings, DataSource dataSource, MeterRegistry registry, ObjectProvider<DnstapTap> dnstap) throws Exception {
        StoreSchema.migrate(dataSource);
        return settings.legacy() == null ? NameServer.start(settings.toSettings(), dataSource, registry, dnstap.getIfAvailable())
                : NameServer.start(settings.toSettings(), dataSource, registry, dnstap.getIfAvailable(), settings.legacy().toCutover());
    }

    /** {@code --dnstap-file} or {@code --dnstap-socket}: closing it writes what is queued and ends the stream. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "dnsmig.serve.dnstap", havingValue = "true")
    DnstapTap dnstapTap(ServeSettings settings, MeterRegistry registry) throws IOException {
        return settings.dnstap().open(settings.nameserver(), registry);
    }

    @Bean
    HealthIndicator dnsServerHealth(NameServer server, ServeSettings settings) {
        return () -> Health.up()
                .withDetail("zones", server.index().zoneCount())
                .withDetail("records", server.index().recordCount())
                .withDetail("database", server.databaseReachable() ? "reachable" : "unreachable: serving the zones loaded last")
                .withDetail("listening", server.udpAddresses().toString())
                .withDetail("servingMode", settings.legacy() == null ? "new (no --legacy)" : server.servingMode().toString())
                .build();
    }
}
