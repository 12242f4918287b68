package dnsmig.orchestrator.cli;

import dnsmig.localpg.LocalPostgres;
import dnsmig.orchestrator.DnsmigApplication;
import dnsmig.store.StoreSchema;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the Spring application for a command, on the database the command resolved. */
final class AppContext {

    private AppContext() {}

    static ConfigurableApplicationContext start(LocalPostgres.Endpoint db, Map<String, Object> properties) {
        return start(db, properties, WebApplicationType.NONE, Map.of());
    }

    /**
     * @param web {@code SERVLET} for commands that serve HTTP (health, metrics)
     * @param beans objects the command made (its settings) that the application's beans use
     */
    static ConfigurableApplicationContext start(LocalPostgres.Endpoint db, Map<String, Object> properties, WebApplicationType web,
            Map<String, Object> beans) {
        Map<String, Object> p = new HashMap<>();
        p.put("spring.datasource.url", db.jdbcUrl());
        if (db.user() != null) {
            p.put("spring.datasource.username", db.user());
        }
        if (db.password() != null) {
            p.put("spring.datasource.password", db.password());
        }
        p.put("spring.datasource.hikari.data-source-properties.currentSchema", StoreSchema.NAME);
        p.put("spring.datasource.hikari.data-source-properties.ApplicationName", "dnsmig");
        p.putAll(properties);
        return new SpringApplicationBuilder(DnsmigApplication.class)
                .web(web)
                .initializers(ctx -> beans.forEach((name, bean) -> ctx.getBeanFactory().registerSingleton(name, bean)))
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .properties(p)
                .run();
    }
}
