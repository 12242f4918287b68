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
import io.micrometer.core.instrument.Gauge;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One nameserver as {@code dnsmig serve} runs it: a small connection pool to the record store,
 * the schema brought up to date, the {@link NameServer} with its zones loaded, and health and
 * Prometheus metrics over HTTP at the actuator's paths ({@code /actuator/health},
 * {@code /actuator/prometheus}), so probes, scrapers and runbooks are the same as for the API.
 *
 * <p>The HTTP side listens first, before the zones load (a minute or more for tens of millions
 * of records): a taken {@code --http} port fails at once, and while loading, health and readiness
 * answer 503 {@code OUT_OF_SERVICE} and liveness 200 {@code UP}, as Spring Boot's probes
 * ({@code /actuator/health/liveness}, {@code /actuator/health/readiness}) do — so an orchestrator's
 * liveness probe does not kill a nameserver that is still loading, and its readiness probe sends
 * no traffic before it can answer.
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

    private static final String HEALTH = "/actuator/health";
    private static final String LIVENESS = HEALTH + "/liveness";
    private static final String READINESS = HEALTH + "/readiness";
    private static final String PROMETHEUS = "/actuator/prometheus";

    private final ServeSettings settings;
    private final HttpServer http;
    private final ExecutorService httpThread;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private HikariDataSource pool;
    private DnstapTap tap;
    /** Null while the zones load. */
    private volatile NameServer server;

    private NameserverProcess(ServeSettings settings, HttpServer http) {
        this.settings = settings;
        this.http = http;
        this.httpThread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("http-" + settings.nameserver()).daemon().factory());
    }

    /** {@link #start(ServeSettings, LocalPostgres.Endpoint, InetSocketAddress, Consumer)}, told nothing before the zones are loaded. */
    public static NameserverProcess start(ServeSettings settings, LocalPostgres.Endpoint db, InetSocketAddress httpAddress) throws Exception {
        return start(settings, db, httpAddress, address -> {});
    }

    /**
     * Starts everything and returns once the zones are loaded and the nameserver answers; what
     * was started before a failure is stopped again.
     *
     * @param httpAddress where health and metrics are served (port 0: a free one, see {@link #httpAddress()})
     * @param httpListening told where they are served as soon as they are, before the zones load
     */
    public static NameserverProcess start(ServeSettings settings, LocalPostgres.Endpoint db, InetSocketAddress httpAddress,
            Consumer<InetSocketAddress> httpListening) throws Exception {
        NameServer.Settings serverSettings = settings.toSettings();
        HttpServer http;
        try {
            http = HttpServer.create(httpAddress, 16);
        } catch (BindException e) {
            throw new DnsServer.ListenException("cannot listen on " + httpAddress.getAddress().getHostAddress() + ":" + httpAddress.getPort()
                    + " (--http, health and metrics): " + e.getMessage(), e);
        }
        NameserverProcess process;
        try {
            process = new NameserverProcess(settings, http);
        } catch (RuntimeException | Error e) {
            http.stop(0);
            throw e;
        }
        try {
            process.serveHttp();
            httpListening.accept(process.httpAddress());
            process.load(serverSettings, db);
            return process;
        } catch (Exception | Error e) {
            try {
                process.close();
            } catch (RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    private void serveHttp() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        // 0 while the zones load (NameServer registers the same gauge once ready and finds this one).
        Gauge.builder("dns.ready", this, p -> p.server != null ? 1 : 0).tag("nameserver", settings.nameserver()).register(registry);
        http.setExecutor(httpThread);
        http.createContext(HEALTH, this::health);
        http.createContext(LIVENESS, exchange -> respond(exchange, 200, "application/json", "{\"status\":\"UP\"}"));
        http.createContext(READINESS, exchange -> {
            boolean ready = server != null;
            respond(exchange, ready ? 200 : 503, "application/json", "{\"status\":\"" + (ready ? "UP" : "OUT_OF_SERVICE") + "\"}");
        });
        http.createContext(PROMETHEUS, exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        http.start();
    }

    private void load(NameServer.Settings serverSettings, LocalPostgres.Endpoint db) throws Exception {
        // The loader, the change follower's LISTEN connection, the mode follower's and one spare.
        pool = StoreSchema.dataSource(db.jdbcUrl(), db.user(), db.password(), 4, "serve-" + settings.nameserver());
        pool.setMetricRegistry(registry);
        StoreSchema.migrate(pool);
        tap = settings.dnstap().enabled() ? settings.dnstap().open(settings.nameserver(), registry) : null;
        server = settings.legacy() == null ? NameServer.start(serverSettings, pool, registry, tap)
                : NameServer.start(serverSettings, pool, registry, tap, settings.legacy().toCutover());
    }

    /** Where health and metrics are served (the port chosen when 0 was asked for). */
    public InetSocketAddress httpAddress() {
        return http.getAddress();
    }

    /**
     * The actuator's health shape: {@code {"status":"UP","components":{"dnsServer":{...}}}}. Up
     * once the zones are loaded, whenever the process answers at all: with the database
     * unreachable the nameserver serves the zones it loaded last and says so. Before, 503
     * {@code OUT_OF_SERVICE}.
     */
    private void health(HttpExchange exchange) throws IOException {
        NameServer s = server;
        Map<String, Object> details = new LinkedHashMap<>();
        if (s == null) {
            details.put("loading", "the zones are being loaded from the record store; not answering yet");
        } else {
            details.put("zones", s.index().zoneCount());
            details.put("records", s.index().recordCount());
            details.put("database", s.databaseReachable() ? "reachable" : "unreachable: serving the zones loaded last");
            details.put("listening", s.udpAddresses().toString());
            details.put("servingMode", settings.legacy() == null ? "new (no --legacy)" : s.servingMode().toString());
        }
        String status = s == null ? "OUT_OF_SERVICE" : "UP";
        StringBuilder json = new StringBuilder("{\"status\":\"" + status + "\",\"components\":{\"dnsServer\":{\"status\":\"" + status + "\",\"details\":{");
        String sep = "";
        for (Map.Entry<String, Object> d : details.entrySet()) {
            json.append(sep).append(Render.jsonString(d.getKey())).append(':');
            json.append(d.getValue() instanceof Number n ? n.toString() : Render.jsonString(String.valueOf(d.getValue())));
            sep = ",";
        }
        json.append("}}}}");
        respond(exchange, s == null ? 503 : 200, "application/json", json.toString());
    }

    /** GET or HEAD of exactly the context's path (the JDK's server hands a context every path below it too). */
    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /**
     * Stops answering first, then the tap (it writes what is queued and ends its stream), then
     * the rest; what was not started yet is skipped, and a part that fails to stop does not keep
     * the others running (the first failure is thrown at the end, the others suppressed in it).
     */
    @Override
    public void close() {
        RuntimeException failed = null;
        for (Runnable step : new Runnable[] {
            () -> http.stop(0),
            this::stopHttpThread,
            () -> {
                if (server != null) {
                    server.close();
                }
            },
            () -> {
                if (tap != null) {
                    tap.close();
                }
            },
            gcMetrics::close,
            () -> {
                if (pool != null) {
                    pool.close();
                }
            },
            registry::close}) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** A health request still running must not read a server or pool being closed. */
    private void stopHttpThread() {
        httpThread.shutdownNow();
        try {
            httpThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
