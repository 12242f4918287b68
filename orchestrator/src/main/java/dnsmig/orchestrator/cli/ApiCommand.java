package dnsmig.orchestrator.cli;

import dnsmig.legacy.LegacyResilience;
import dnsmig.legacy.LegacyServer;
import dnsmig.orchestrator.api.ApiSettings;
import dnsmig.orchestrator.api.Tokens;
import dnsmig.orchestrator.dualwrite.DualWriteSettings;
import dnsmig.orchestrator.serve.ServeSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.WebApplicationType;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "api", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves the REST API (owners, zones, records; OpenAPI at /openapi.yaml) and runs dual writes in the current write mode"
                + " ('dnsmig mode'): every change goes to the legacy named (RFC 2136, TSIG-signed) and/or the record store, in the same order per zone."
                + " Runs the concurrent-mode queue applier and the repair-outbox worker in the background. Health (legacy server and database) and"
                + " Prometheus metrics at /actuator/health and /actuator/prometheus. Runs until SIGTERM or Ctrl-C.",
                "", "Requests carry 'Authorization: Bearer TOKEN': make tokens with 'dnsmig api token create'."},
        subcommands = {ApiCommand.Token.class},
        footer = {"", "Examples:", "  dnsmig api --listen 127.0.0.1:8053 --legacy-server 192.0.2.53 --tsig-key /etc/bind/dnsmig.key",
                "  dnsmig api token create --operator --name ops-alice", "  dnsmig api token create --owner acme --name deploy-bot",
                "", "Exit codes: 0 stopped by a signal, 1 could not start (the message says why), 2 bad usage."})
final class ApiCommand implements Callable<Integer> {

    @Option(names = "--listen", paramLabel = "ADDRESS:PORT", defaultValue = "127.0.0.1:8053",
            description = "Where the API answers (HTTP; put TLS in front). Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = "--legacy-server", paramLabel = "IP", defaultValue = "127.0.0.1", description = "The legacy named (an IP address; default: ${DEFAULT-VALUE}).")
    String legacyServer;

    @Option(names = "--legacy-port", paramLabel = "PORT", defaultValue = "53", description = "Its DNS port (default: ${DEFAULT-VALUE}).")
    int legacyPort;

    // Checked in call(), not by picocli: a required option here would also be demanded of 'dnsmig api token create'.
    @Option(names = "--tsig-key", paramLabel = "FILE", description = "TSIG key file in BIND's format (tsig-keygen) that may update the zones (required).")
    Path tsigKey;

    @Option(names = "--tsig-key-name", paramLabel = "NAME", description = "Which key of --tsig-key, when it holds several.")
    String tsigKeyName;

    @Option(names = "--legacy-timeout", paramLabel = "MILLIS", defaultValue = "3000", description = "One exchange with named (default: ${DEFAULT-VALUE}).")
    long legacyTimeout;

    @Option(names = "--lock-timeout", paramLabel = "MILLIS", defaultValue = "5000", description = "How long a write waits for its zone (default: ${DEFAULT-VALUE}).")
    long lockTimeout;

    @Option(names = "--max-concurrent-writes", paramLabel = "N", defaultValue = "64", description = "Writes in flight (bulkhead; default: ${DEFAULT-VALUE}).")
    int maxConcurrent;

    @Mixin
    DatabaseOptions db;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (tsigKey == null) {
            throw new IllegalArgumentException("--tsig-key FILE is required: the TSIG key named accepts updates of the zones with");
        }
        InetSocketAddress http = ServeSettings.address(listen);
        LegacyServer server = new LegacyServer(new InetSocketAddress(ip(legacyServer, "--legacy-server"), legacyPort), LegacyServer.keyFromFile(tsigKey,
                tsigKeyName));
        LegacyResilience r = LegacyResilience.defaults();
        r = new LegacyResilience(Duration.ofMillis(legacyTimeout), r.transferTimeout(), r.readAttempts(), r.retryWait(), r.breakerWindow(), r.failureRate(),
                r.openFor(), r.clock());
        DualWriteSettings d = DualWriteSettings.defaults().withLockTimeout(Duration.ofMillis(lockTimeout));
        d = d.withBulkhead(maxConcurrent, d.bulkheadWait());
        ApiSettings settings = new ApiSettings(server, r, d, true);
        CountDownLatch stopped = new CountDownLatch(1);
        try (var ctx = AppContext.start(db.checkedEndpoint(), Map.of("dnsmig.api", "true", "server.address", http.getAddress().getHostAddress(), "server.port",
                http.getPort(), "management.endpoints.web.exposure.include", "health,prometheus,info", "management.endpoint.health.show-details", "always",
                "spring.mvc.problemdetails.enabled", "true", "dnsmig.db.pool-size", d.poolSize()), WebApplicationType.SERVLET,
                Map.of("apiSettings", settings))) {
            String port = ctx.getEnvironment().getProperty("local.server.port");
            spec.commandLine().getErr().println("dnsmig api: ready on http://" + http.getAddress().getHostAddress() + ":" + port + " (legacy " + server
                    + "); OpenAPI at /openapi.yaml, health at /actuator/health");
            spec.commandLine().getErr().flush();
            ctx.addApplicationListener(e -> {
                if (e instanceof org.springframework.context.event.ContextClosedEvent) {
                    stopped.countDown();
                }
            });
            for (String signal : List.of("TERM", "INT")) {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stopped.countDown());
            }
            stopped.await();
            spec.commandLine().getErr().println("dnsmig api: stopping");
            spec.commandLine().getErr().flush();
        }
        return ExitCode.OK;
    }

    /** An IP literal (names are never looked up). */
    static InetAddress ip(String text, String option) {
        if (!text.strip().matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException(option + " " + text + ": give an IP address, not a name");
        }
        try {
            return InetAddress.getByName(text.strip());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(option + " " + text + ": not an IP address");
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true, description = "API tokens.", subcommands = {Token.Create.class})
    static final class Token implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }

        @Command(name = "create", mixinStandardHelpOptions = true,
                description = "Makes a token for an owner (its own zones only) or an operator (every zone and the admin endpoints). The token is printed"
                        + " once, on standard output; only its SHA-256 digest is stored.")
        static final class Create implements Callable<Integer> {
            static final class Who {
                @Option(names = "--owner", paramLabel = "HANDLE", required = true, description = "The owner (as in the owners file).")
                String owner;

                @Option(names = "--operator", required = true, description = "An operator token.")
                boolean operator;
            }

            @ArgGroup(exclusive = true, multiplicity = "1")
            Who who;

            @Option(names = "--name", paramLabel = "NAME", defaultValue = "api", description = "What the token is for (shown in audit rows; default: ${DEFAULT-VALUE}).")
            String name;

            @Mixin
            DatabaseOptions db;

            @Spec
            CommandSpec spec;

            @Override
            public Integer call() {
                return DualWriteAccess.write(db.checkedEndpoint(), store -> {
                    Long ownerId = null;
                    if (who.owner != null) {
                        ownerId = store.owner(who.owner).orElseThrow(() -> new IllegalArgumentException("no owner '" + who.owner
                                + "' (owners come from the backfill's owners file, or POST /v1/admin/owners)")).id();
                    }
                    String token = Tokens.newToken();
                    long id = store.createToken(ownerId, name, Tokens.digest(token));
                    spec.commandLine().getOut().println(token);
                    spec.commandLine().getErr().println("token #" + id + " for " + (ownerId == null ? "an operator" : "owner " + who.owner) + " ('" + name
                            + "'): shown once, keep it secret; send it as 'Authorization: Bearer TOKEN'.");
                    return ExitCode.OK;
                });
            }
        }
    }
}
