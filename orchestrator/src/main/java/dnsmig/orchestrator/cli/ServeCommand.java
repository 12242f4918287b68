package dnsmig.orchestrator.cli;

import dnsmig.orchestrator.serve.NameserverProcess;
import dnsmig.orchestrator.serve.ServeSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs one nameserver of the new system: loads every servable zone from the record store into memory, then answers on UDP and TCP, and follows the change log so a committed change is answered within milliseconds. Runs until stopped (SIGTERM or Ctrl-C). Health and Prometheus metrics are served over HTTP from the start (/actuator/health, 503 until the zones are loaded; /actuator/health/liveness and /actuator/health/readiness for probes; /actuator/prometheus)."},
        footer = {"", "Examples:", "  dnsmig serve --nameserver ns1 --listen 127.0.0.1:5300",
                "  dnsmig serve --nameserver ns2 --listen 192.0.2.2:53 --listen [2001:db8::2]:53 --http 127.0.0.1:9302 --allow-transfer 192.0.2.0/24",
                "  dnsmig serve --nameserver ns1 --listen 127.0.0.1:5300 --dnstap-file /var/log/dnsmig/ns1.dnstap --dnstap-sample 0.1",
                "  dnsmig serve --nameserver ns1 --listen 192.0.2.1:53 --legacy 10.0.0.53:53      # during the cutover",
                "", "Exit codes: 0 stopped by a signal, 1 could not start (the message says why), 2 bad usage."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--nameserver", paramLabel = "NAME", required = true,
            description = "Which of the provider's nameservers this is (ns1, ns2, ...): tags its metrics and logs.")
    String nameserver;

    @Option(names = "--listen", paramLabel = "ADDRESS:PORT", required = true,
            description = "Where to answer, UDP and TCP (repeatable): 127.0.0.1:5300, [::1]:5300, :53 (all IPv4).")
    List<String> listen;

    @Option(names = "--http", paramLabel = "ADDRESS:PORT", defaultValue = "127.0.0.1:0",
            description = "Health and metrics over HTTP (default: ${DEFAULT-VALUE}, a free port, logged at start).")
    String http;

    @Option(names = "--threads", paramLabel = "N", description = "Event loops answering queries (default: the number of CPUs).")
    Integer threads;

    @Option(names = "--cache-entries", paramLabel = "N", defaultValue = "1000000",
            description = "Rendered answers kept in memory (0: none; default: ${DEFAULT-VALUE}).")
    int cacheEntries;

    @Option(names = "--max-tcp-connections", paramLabel = "N", defaultValue = "1000", description = "Open TCP connections allowed (default: ${DEFAULT-VALUE}).")
    int maxTcp;

    @Option(names = "--tcp-idle-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "A TCP connection without a query for this long is closed (default: ${DEFAULT-VALUE}).")
    int tcpIdle;

    @Option(names = "--allow-transfer", paramLabel = "NETWORK", description = "Clients that may transfer zones (AXFR), e.g. 192.0.2.0/24 (repeatable). Default: nobody.")
    List<String> allowTransfer = new ArrayList<>();

    @Option(names = "--transfer-key", paramLabel = "FILE", description = "A BIND key file: transfers signed with its TSIG key are allowed from anywhere (repeatable).")
    List<Path> transferKeys = new ArrayList<>();

    @Option(names = "--dnstap-file", paramLabel = "PATH",
            description = "Tap queries and responses into this file (dnstap: AUTH_QUERY and AUTH_RESPONSE messages in Frame Streams; replaced at start, ended at stop). Read it with BIND's dnstap-read.")
    Path dnstapFile;

    @Option(names = "--dnstap-socket", paramLabel = "PATH",
            description = "Tap into a dnstap collector's unix socket instead (fstrm_capture, a log shipper); reconnects when it goes away. Queries are never held up: beyond a queue of 10000 they are dropped (metric dns.dnstap.dropped).")
    Path dnstapSocket;

    @Option(names = "--dnstap-sample", paramLabel = "RATE",
            description = "The probability that a query is tapped, with its response: 1 every query (default), 0.1 about one in ten.")
    Double dnstapSample;

    @Option(names = "--legacy", paramLabel = "IP:PORT",
            description = "The legacy server this nameserver forwards to during the cutover. With it, the nameserver serves by its mode in the database (registered in legacy mode the first time): legacy forwards every query there, canary:P answers P %% of query names itself, new answers everything itself; changes apply within a second (dnsmig cutover, dnsmig rollback).")
    String legacy;

    @Option(names = "--legacy-timeout", paramLabel = "MS", defaultValue = "2000",
            description = "How long a forwarded query waits for the legacy answer; then the client gets SERVFAIL (default: ${DEFAULT-VALUE}).")
    int legacyTimeout;

    @Option(names = "--legacy-max-in-flight", paramLabel = "N", defaultValue = "10000",
            description = "Forwarded queries waiting at once per event loop; beyond, SERVFAIL at once (default: ${DEFAULT-VALUE}).")
    int legacyMaxInFlight;

    @Mixin
    DatabaseOptions db;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        ServeSettings settings = new ServeSettings(nameserver, listen, n, cacheEntries, maxTcp, Duration.ofSeconds(tcpIdle), allowTransfer, transferKeys,
                ServeSettings.Dnstap.of(dnstapFile, dnstapSocket, dnstapSample),
                legacy == null ? null : new ServeSettings.Legacy(legacy, Duration.ofMillis(legacyTimeout), legacyMaxInFlight));
        settings.toSettings(); // bad addresses, networks and key files fail here, before anything starts
        var h = ServeSettings.address(http);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean loading = new AtomicBoolean(true);
        // SIGTERM (systemd, kill) and SIGINT (Ctrl-C) stop it cleanly with exit code 0 rather than 143/130,
        // also while the zones load (then at once: nothing is answered or tapped yet). The JVM's own
        // handlers come back when serve returns (it may run inside another program, e.g. a test).
        Map<String, sun.misc.SignalHandler> previous = new LinkedHashMap<>();
        for (String signal : List.of("TERM", "INT")) {
            previous.put(signal, sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
                if (loading.get()) {
                    spec.commandLine().getErr().println("dnsmig serve: " + nameserver + " stopped while loading its zones");
                    spec.commandLine().getErr().flush();
                    System.exit(ExitCode.OK);
                }
                stopped.countDown();
            }));
        }
        try (NameserverProcess served = NameserverProcess.start(settings, db.endpoint(), h, at -> {
            spec.commandLine().getErr().println("dnsmig serve: " + nameserver + " loading its zones; health on http://" + h.getAddress().getHostAddress()
                    + ":" + at.getPort() + "/actuator/health (503 until loaded; /actuator/health/liveness and /readiness for probes)");
            spec.commandLine().getErr().flush();
        })) {
            loading.set(false);
            spec.commandLine().getErr().println("dnsmig serve: " + nameserver + " ready; health and metrics on http://" + h.getAddress().getHostAddress()
                    + ":" + served.httpAddress().getPort() + "/actuator/health and /actuator/prometheus");
            spec.commandLine().getErr().flush();
            stopped.await();
            spec.commandLine().getErr().println("dnsmig serve: " + nameserver + " stopping");
            spec.commandLine().getErr().flush();
        } finally {
            previous.forEach((signal, handler) -> sun.misc.Signal.handle(new sun.misc.Signal(signal), handler));
        }
        return ExitCode.OK;
    }
}
