package dnsmig.orchestrator.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.LegacyResilience;
import dnsmig.legacy.LegacyServer;
import dnsmig.legacy.ReadOutcome;
import dnsmig.orchestrator.DnsmigApplication;
import dnsmig.orchestrator.api.ApiSettings;
import dnsmig.orchestrator.api.Tokens;
import dnsmig.orchestrator.cli.Cli;
import dnsmig.store.DualWriteStore;
import dnsmig.store.StoreSchema;
import dnsmig.testkit.NamedFixture;
import dnsmig.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Everything a dual-write test needs, all real: a named with dynamic zones (TSIG), a PostgreSQL
 * database with the zones backfilled from named's own configuration, a fault-injecting proxy in
 * front of named, and the API application ({@code dnsmig api}'s Spring context) on a free
 * loopback port, writing to named through the proxy; optionally reaching PostgreSQL through a
 * {@link TcpProxy} that can cut it off.
 */
final class DualWriteHarness implements AutoCloseable {

    static String zoneText(String origin) {
        return """
                $TTL 300
                @       SOA ns1.%1$s hostmaster.%1$s 1 3600 600 86400 300
                @       NS  ns1
                ns1     A   192.0.2.1
                www     A   192.0.2.80
                mail    A   192.0.2.25
                @       MX  10 mail
                """.formatted(origin + ".");
    }

    final NamedFixture named;
    final TestPostgres.Database db;
    final HikariDataSource ds;
    final DualWriteStore store;
    final FaultyProxy proxy;
    /** Between the API and PostgreSQL, when asked for; else null. */
    final TcpProxy dbProxy;
    final LegacyDns direct;
    final ConfigurableApplicationContext app;
    final String base;
    final String operatorToken;
    final Map<String, String> ownerTokens = new HashMap<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param zonesPerOwner zones of each owner: owner i has zones z{i}-{k}.test
     * @param settings      dual-write settings (timeouts short in tests)
     * @param background    start the queue applier and the outbox worker threads
     */
    DualWriteHarness(Path tmp, List<String> owners, int zonesPerOwner, DualWriteSettings settings, Duration legacyTimeout, boolean background)
            throws Exception {
        this(tmp, owners, zonesPerOwner, settings, legacyTimeout, background, false, Map.of(), "");
    }

    /**
     * @param databaseProxy the API reaches PostgreSQL through {@link #dbProxy}
     * @param properties    Spring properties of the API application, over the harness's own
     * @param namedOptions  statements for named's {@code options} block
     */
    DualWriteHarness(Path tmp, List<String> owners, int zonesPerOwner, DualWriteSettings settings, Duration legacyTimeout, boolean background,
            boolean databaseProxy, Map<String, Object> properties, String namedOptions) throws Exception {
        NamedFixture.Builder b = NamedFixture.builder().options(namedOptions);
        StringBuilder csv = new StringBuilder("zone,owner,email\n");
        for (String o : owners) {
            for (int k = 0; k < zonesPerOwner; k++) {
                String z = o + "-" + k + ".test";
                b.dynamicZone(z, zoneText(z));
                csv.append(z).append(',').append(o).append(',').append(o).append("@example.net\n");
            }
        }
        named = b.start();
        db = TestPostgres.newDatabase();
        Path ownersCsv = Files.writeString(tmp.resolve("owners.csv"), csv);
        Cli.Run backfill = new Cli(db).run("backfill", "--named-conf", named.namedConf().toString(), "--owners", ownersCsv.toString(), "--progress", "never");
        assertThat(backfill.exit()).as(backfill.toString()).isZero();
        ds = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 4, "test-harness");
        store = new DualWriteStore(DSL.using(ds, SQLDialect.POSTGRES));
        proxy = new FaultyProxy(named.socketAddress());
        var key = LegacyServer.keyFromFile(named.keyFile(), null);
        LegacyResilience resilience = new LegacyResilience(legacyTimeout, Duration.ofSeconds(10), 2, Duration.ofMillis(50), 20, 80f, Duration.ofMillis(500),
                java.time.Clock.systemUTC());
        direct = LegacyDns.dynamic(new LegacyServer(named.socketAddress(), key), named.zones(), LegacyResilience.defaults(),
                new SimpleMeterRegistry(), w -> {});
        ApiSettings api = new ApiSettings(new LegacyServer(proxy.address(), key), resilience, settings, background);
        Map<String, Object> p = new HashMap<>();
        String apiUrl = db.jdbcUrl();
        if (databaseProxy) {
            java.util.Properties url = org.postgresql.Driver.parseURL(db.jdbcUrl(), null);
            dbProxy = new TcpProxy(new InetSocketAddress(url.getProperty("PGHOST"), Integer.parseInt(url.getProperty("PGPORT"))));
            apiUrl = db.jdbcUrl().replaceFirst("//[^/]+/", "//127.0.0.1:" + dbProxy.port() + "/");
        } else {
            dbProxy = null;
        }
        p.put("spring.datasource.url", apiUrl);
        p.put("spring.datasource.username", db.user());
        p.put("spring.datasource.password", db.password());
        p.put("spring.datasource.hikari.data-source-properties.currentSchema", StoreSchema.NAME);
        p.put("spring.datasource.hikari.data-source-properties.ApplicationName", "dnsmig-api");
        // As dnsmig api sizes it (a Spring property given here would lose to application.properties' dnsmig.db.pool-size).
        p.put("dnsmig.db.pool-size", settings.poolSize());
        p.put("spring.datasource.hikari.connection-timeout", 3000);
        p.put("dnsmig.api", "true");
        p.put("server.address", "127.0.0.1");
        p.put("server.port", 0);
        p.put("management.endpoints.web.exposure.include", "health,prometheus");
        p.put("management.endpoint.health.show-details", "always");
        p.putAll(properties);
        app = new SpringApplicationBuilder(DnsmigApplication.class).web(WebApplicationType.SERVLET)
                .initializers(ctx -> ctx.getBeanFactory().registerSingleton("apiSettings", api)).bannerMode(Banner.Mode.OFF).logStartupInfo(false)
                .properties(p).run();
        base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
        operatorToken = Tokens.newToken();
        store.createToken(null, "test-operator", Tokens.digest(operatorToken));
        for (String o : owners) {
            String t = Tokens.newToken();
            store.createToken(store.owner(o).orElseThrow().id(), "test", Tokens.digest(t));
            ownerTokens.put(o, t);
        }
    }

    <T> T bean(Class<T> type) {
        return app.getBean(type);
    }

    void mode(WriteMode m) {
        store.setMode(m.name(), "test", "test switches to " + m);
    }

    record Response(int status, String body, java.net.http.HttpHeaders headers) {
        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Response call(String token, String method, String path, String json, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json");
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(resp.statusCode(), resp.body(), resp.headers());
    }

    /** PUT an RRset as owner {@code owner}'s token. */
    Response put(String owner, String zone, String name, String type, int ttl, String... rdata) throws Exception {
        return call(ownerTokens.get(owner), "PUT", "/v1/zones/" + zone + "/rrsets/" + name + "/" + type, json(ttl, rdata));
    }

    Response delete(String owner, String zone, String name, String type) throws Exception {
        return call(ownerTokens.get(owner), "DELETE", "/v1/zones/" + zone + "/rrsets/" + name + "/" + type, null);
    }

    static String json(int ttl, String... rdata) {
        List<String> quoted = new ArrayList<>();
        for (String d : rdata) {
            quoted.add("\"" + d.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"");
        }
        return "{\"ttl\":" + ttl + ",\"records\":[" + String.join(",", quoted) + "]}";
    }

    /** The RRset on the legacy side ("TTL rdata" lines sorted; empty when absent), asked of named directly. */
    String legacy(String zone, String name, String type) throws Exception {
        ReadOutcome r = direct.rrset(zone, Name.fromString(name), Type.value(type));
        assertThat(r).as("legacy read").isInstanceOf(ReadOutcome.Zone.class);
        return Records.text(((ReadOutcome.Zone) r).records());
    }

    /** The RRset in the store, same form. */
    String stored(String zone, String name, String type) {
        return Records.rowsText(store.rrset(zone, name, type));
    }

    static String text(String... lines) {
        List<String> l = new ArrayList<>(List.of(lines));
        l.sort(null);
        return String.join("\n", l);
    }

    @Override
    public void close() throws Exception {
        try {
            app.close();
        } finally {
            proxy.close();
            if (dbProxy != null) {
                dbProxy.close();
            }
            ds.close();
            named.close();
        }
    }
}
