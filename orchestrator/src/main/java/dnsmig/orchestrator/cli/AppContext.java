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
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .properties(p)
                .run();
    }
}
