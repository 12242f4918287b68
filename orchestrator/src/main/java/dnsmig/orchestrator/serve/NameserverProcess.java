package dnsmig.orchestrator.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import dnsmig.localpg.LocalPostgres;
import dnsmig.server.NameServer;
import dnsmig.server.tap.DnstapTap;
import dnsmig.server.transport.DnsServer;
import dnsmig.store.StoreSchema;
import dnsmig.verify.report.Render;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One nameserver as {@code dnsmig serve} runs it: a small connection pool to the record store,
 * the schema brought up to date, the {@link NameServer} with its zones loaded, and health and
 * Prometheus metrics over HTTP at the actuator's paths ({@code /actuator/health},
 * {@code /actuator/prometheus}), so probes, scrapers and runbooks are the same as for the API.
 *
 * <p>Deliberately not a Spring application: a nameserver keeps its index for its whole life,
 * and resident memory per million records is one of the figures it is judged by against BIND.
 * As a Spring Boot application (Tomcat, Jackson, the batch and SQL frameworks the other commands
 * use) it loaded 12,300 classes; as this, 5,700, and a million records take ~100 MB less
 * resident memory, about a third of the process (BENCHMARKS.md, bench/serve.sh runs F to I).
 * The HTTP side is the JDK's own server,
 * the metrics Micrometer's Prometheus registry with the JVM and process meters Spring Boot
 * would have bound.
 */
public final class NameserverProcess implements AutoCloseable {

    private final HikariDataSource pool;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private final DnstapTap tap;
    private final NameServer server;
    private final HttpServer http;
    private final ExecutorService httpThread;
    private final ServeSettings settings;

    private NameserverProcess(ServeSettings settings, HikariDataSource pool, PrometheusMeterRegistry registry, JvmGcMetrics gcMetrics, DnstapTap tap,
            NameServer server, HttpServer http, ExecutorService httpThread) {
        this.settings = settings;
        this.pool = pool;
        this.registry = registry;
        this.gcMetrics = gcMetrics;
        this.tap = tap;
        this.server = server;
        this.http = http;
        this.httpThread = httpThread;
    }

    /**
     * Starts everything and returns once the zones are loaded and the nameserver answers; what
     * was started before a failure is stopped again.
     *
     * @param httpAddress where health and metrics are served (port 0: a free one, see {@link #httpAddress()})
     */
    public static NameserverProcess start(ServeSettings settings, LocalPostgres.Endpoint db, InetSocketAddress httpAddress) throws Exception {
        NameServer.Settings serverSettings = settings.toSettings();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // The loader, the change follower's LISTEN connection, the mode follower's and one spare.
        HikariDataSource pool = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 4, "serve-" + settings.nameserver());
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        DnstapTap tap = null;
        NameServer server = null;
        HttpServer http = null;
        ExecutorService httpThread = null;
        try {
            pool.setMetricRegistry(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new JvmMemoryMetrics().bindTo(registry);
            gcMetrics.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);
            StoreSchema.migrate(pool);
            tap = settings.dnstap().enabled() ? settings.dnstap().open(settings.nameserver(), registry) : null;
            server = settings.legacy() == null ? NameServer.start(serverSettings, pool, registry, tap)
                    : NameServer.start(serverSettings, pool, registry, tap, settings.legacy().toCutover());
            try {
                http = HttpServer.create(httpAddress, 16);
            } catch (BindException e) {
                throw new DnsServer.ListenException("cannot listen on " + httpAddress.getAddress().getHostAddress() + ":" + httpAddress.getPort()
                        + " (--http, health and metrics): " + e.getMessage(), e);
            }
            httpThread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("http-" + settings.nameserver()).daemon().factory());
            http.setExecutor(httpThread);
            NameserverProcess process = new NameserverProcess(settings, pool, registry, gcMetrics, tap, server, http, httpThread);
            http.createContext("/actuator/health", process::health);
            http.createContext("/actuator/prometheus", process::prometheus);
            http.start();
            return process;
        } catch (Exception | Error e) {
            stop(http, httpThread, server, tap, gcMetrics, pool, registry);
            throw e;
        }
    }

    /** Where health and metrics are served (the port chosen when 0 was asked for). */
    public InetSocketAddress httpAddress() {
        return http.getAddress();
    }

    /**
     * The actuator's health shape: {@code {"status":"UP","components":{"dnsServer":{...}}}}. Up
     * whenever the process answers at all: the zones are loaded before the endpoint exists, and
     * with the database unreachable the nameserver serves the zones it loaded last and says so.
     */
    private void health(HttpExchange exchange) throws IOException {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("zones", server.index().zoneCount());
        details.put("records", server.index().recordCount());
        details.put("database", server.databaseReachable() ? "reachable" : "unreachable: serving the zones loaded last");
        details.put("listening", server.udpAddresses().toString());
        details.put("servingMode", settings.legacy() == null ? "new (no --legacy)" : server.servingMode().toString());
        StringBuilder json = new StringBuilder("{\"status\":\"UP\",\"components\":{\"dnsServer\":{\"status\":\"UP\",\"details\":{");
        String sep = "";
        for (Map.Entry<String, Object> d : details.entrySet()) {
            json.append(sep).append(Render.jsonString(d.getKey())).append(':');
            json.append(d.getValue() instanceof Number n ? n.toString() : Render.jsonString(String.valueOf(d.getValue())));
            sep = ",";
        }
        json.append("}}}}");
        respond(exchange, "application/json", json.toString());
    }

    private void prometheus(HttpExchange exchange) throws IOException {
        respond(exchange, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
    }

    private static void respond(HttpExchange exchange, String contentType, String body) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** Stops answering first, then the tap (it writes what is queued and ends its stream), then the rest. */
    @Override
    public void close() {
        stop(http, httpThread, server, tap, gcMetrics, pool, registry);
    }

    /** Stops what was started (null: not started), in this order. */
    private static void stop(HttpServer http, ExecutorService httpThread, NameServer server, DnstapTap tap, JvmGcMetrics gcMetrics,
            HikariDataSource pool, PrometheusMeterRegistry registry) {
        if (http != null) {
            http.stop(0);
        }
        if (httpThread != null) {
            httpThread.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
        if (tap != null) {
            tap.close();
        }
        gcMetrics.close();
        pool.close();
        registry.close();
    }
}
