package dnsmig.server;

import dnsmig.server.control.ModeFollower;
import dnsmig.server.control.RollbackWatcher;
import dnsmig.server.load.ChangeFollower;
import dnsmig.server.load.ZoneLoader;
import dnsmig.server.mode.ModeSwitch;
import dnsmig.server.mode.ServingMode;
import dnsmig.server.mode.ServingStats;
import dnsmig.server.query.GuardedObserver;
import dnsmig.server.query.Query;
import dnsmig.server.query.QueryHandler;
import dnsmig.server.query.QueryParser;
import dnsmig.server.transport.DnsServer;
import dnsmig.server.transport.LegacyForwarder;
import dnsmig.server.xfr.TransferPolicy;
import dnsmig.server.xfr.ZoneTransfer;
import dnsmig.server.zone.ZoneIndex;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.Type;

/**
 * One nameserver (ns1, ns2, ...): loads every servable zone from the record store, then
 * listens, then follows the change log. It answers only once everything is loaded: until then
 * its port is closed, so nobody gets answers from a half-loaded index.
 */
public final class NameServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NameServer.class);

    /**
     * @param nameserver this server's name among the provider's nameservers (ns1, ns2, ...)
     * @param cacheEntries rendered responses kept (0: none)
     * @param pollEvery how often the change log is read when no notification came
     */
    public record Settings(String nameserver, List<InetSocketAddress> listen, int eventLoops, int cacheEntries, int maxTcpConnections,
            Duration tcpIdleTimeout, TransferPolicy transfers, Duration pollEvery) {}

    /**
     * Serving by mode during the cutover: the legacy server to forward to, and how the mode is
     * followed and watched.
     *
     * @param legacy the legacy server (IP literal and port)
     * @param forwardTimeout how long a forwarded query waits for the legacy answer (then SERVFAIL)
     * @param maxInFlight forwarded queries waiting at once, per event loop
     * @param pollEvery how often the mode row is read when no notification came
     * @param watchEvery how often the rollback watcher looks
     */
    public record Cutover(InetSocketAddress legacy, Duration forwardTimeout, int maxInFlight, Duration pollEvery, Duration watchEvery) {

        public static Cutover to(InetSocketAddress legacy) {
            return new Cutover(legacy, Duration.ofSeconds(2), 10_000, Duration.ofMillis(500), Duration.ofMillis(250));
        }
    }

    private final Settings settings;
    private final ModeSwitch modes;
    private final ServingStats servingStats = new ServingStats();
    private final ModeFollower modeFollower;
    private final RollbackWatcher watcher;
    private final ZoneIndex index = new ZoneIndex();
    private final ChangeFollower follower;
    private final DnsServer server;
    private final ExecutorService transfers = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("axfr-", 0).factory());
    private final ZoneLoader.Loaded loaded;

    private NameServer(Settings settings, DataSource dataSource, MeterRegistry registry, QueryHandler.Observer tap, Cutover cutover)
            throws Exception {
        this.settings = settings;
        if (cutover != null) {
            this.modes = new ModeSwitch(ServingMode.LEGACY);
            InetSocketAddress l = cutover.legacy();
            String legacy = (l.getAddress() instanceof java.net.Inet6Address ? "[" + l.getAddress().getHostAddress() + "]" : l.getAddress().getHostAddress())
                    + ":" + l.getPort();
            this.modeFollower = new ModeFollower(dataSource, settings.nameserver(), legacy, modes, cutover.pollEvery());
            this.watcher = new RollbackWatcher(settings.nameserver(), modeFollower, modes, servingStats, cutover.watchEvery(),
                    "auto-rollback (dnsmig serve " + settings.nameserver() + ", pid " + ProcessHandle.current().pid() + ")");
        } else {
            this.modes = new ModeSwitch(ServingMode.NEW);
            this.modeFollower = null;
            this.watcher = null;
        }
        ZoneLoader loader = new ZoneLoader(dataSource, index);
        this.follower = new ChangeFollower(dataSource, loader, settings.pollEvery(), Clock.systemUTC());
        log.info("{}: loading zones from the record store ...", settings.nameserver());
        this.loaded = loader.loadAll();
        log.info("{}: loaded {} zones, {} records in {} ms ({} not servable, left out)", settings.nameserver(), loaded.zones(), loaded.records(),
                loaded.millis(), loaded.skipped());
        follower.start();
        try {
            this.server = listen(settings, registry, tap, cutover);
        } catch (Exception | Error e) {
            follower.close();
            transfers.shutdownNow();
            throw e;
        }
        if (modeFollower != null) {
            modeFollower.start();
            watcher.start();
        }
        log.info("{}: ready, answering on {}{}", settings.nameserver(), server.udpAddresses(),
                cutover == null ? "" : " in serving mode " + modes.mode() + " (legacy server " + cutover.legacy() + ")");
    }

    private DnsServer listen(Settings settings, MeterRegistry registry, QueryHandler.Observer tap, Cutover cutover) throws InterruptedException {
        ServerMetrics metrics = new ServerMetrics(registry, settings.nameserver());
        // Each guarded: a bug in the metrics or the tap is logged and counted, the other still sees the query, and it is answered.
        GuardedObserver counted = guarded(metrics, "metrics", registry);
        GuardedObserver tapped = tap == null ? null : guarded(tap, "dnstap", registry);
        QueryHandler.Observer observer = tapped == null ? counted : (q, len, r, query, rcode, tcp, client, local, nanos) -> {
            counted.answered(q, len, r, query, rcode, tcp, client, local, nanos);
            tapped.answered(q, len, r, query, rcode, tcp, client, local, nanos);
        };
        // With a legacy server, own answers are counted apart from forwarded ones (the forwarder counts those).
        QueryHandler.Observer own = cutover == null ? observer : (q, len, r, query, rcode, tcp, client, local, nanos) -> {
            servingStats.own(rcode);
            observer.answered(q, len, r, query, rcode, tcp, client, local, nanos);
        };
        QueryHandler handler = new QueryHandler(index, settings.cacheEntries(), own);
        ZoneTransfer xfr = new ZoneTransfer(index, settings.transfers());
        DnsServer.TcpQueries tcp = (ctx, query, length) -> tcpQuery(ctx, query, length, handler, xfr);
        DnsServer dns = new DnsServer(new DnsServer.Config(settings.listen(), settings.eventLoops(), settings.maxTcpConnections(),
                settings.tcpIdleTimeout()), handler, tcp);
        try {
            if (cutover != null) {
                dns.forwarding(modes, new LegacyForwarder.Config(cutover.legacy(), cutover.forwardTimeout(), cutover.maxInFlight()), observer,
                        servingStats);
            }
            dns.start();
        } catch (InterruptedException | RuntimeException e) {
            dns.close();
            throw e;
        }
        gauges(registry, handler, dns);
        if (cutover != null) {
            servingStats.register(registry, settings.nameserver());
            String ns = settings.nameserver();
            Gauge.builder("dns.serving.mode", modes, m -> m.mode().kind().ordinal()).tag("nameserver", ns)
                    .description("serving mode: 0 legacy, 1 canary, 2 new").register(registry);
            Gauge.builder("dns.serving.canary.percent", modes, m -> m.mode().percent()).tag("nameserver", ns)
                    .description("share of query names answered from the new index (0 legacy, 100 new)").register(registry);
            Gauge.builder("dns.forward.inflight", dns.forwarder(), LegacyForwarder::inFlight).tag("nameserver", ns)
                    .description("queries waiting for the legacy server").register(registry);
        }
        return dns;
    }

    /** Loads, listens, follows. Returns once it answers queries. Answers everything from its own index. */
    public static NameServer start(Settings settings, DataSource dataSource, MeterRegistry registry, QueryHandler.Observer tap) throws Exception {
        return new NameServer(settings, dataSource, registry, tap, null);
    }

    /**
     * Loads, listens, follows, and serves by the nameserver's mode in the database (legacy, canary,
     * new), forwarding to {@code cutover}'s legacy server; a new nameserver is registered in legacy
     * mode. The mode is read before the port opens. Returns once it answers queries.
     */
    public static NameServer start(Settings settings, DataSource dataSource, MeterRegistry registry, QueryHandler.Observer tap, Cutover cutover)
            throws Exception {
        return new NameServer(settings, dataSource, registry, tap, cutover);
    }

    /** The serving mode now. */
    public ServingMode servingMode() {
        return modes.mode();
    }

    /** Answers by source and failures since start. */
    public ServingStats.Snapshot servingStats() {
        return servingStats.snapshot();
    }

    private void tcpQuery(ChannelHandlerContext ctx, byte[] query, int length, QueryHandler handler, ZoneTransfer xfr) {
        if (QueryParser.parse(query, length, true) instanceof QueryParser.Accept a && isTransfer(a.query())) {
            Message m = a.message();
            InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
            transfers.execute(() -> {
                try {
                    Message parsed = m != null ? m : new Message(java.util.Arrays.copyOf(query, length));
                    xfr.answer(parsed, java.util.Arrays.copyOf(query, length), client.getAddress(), msg -> writeTransfer(ctx, msg));
                } catch (Exception e) {
                    log.warn("zone transfer for {} failed: {}", client, e.toString());
                    ctx.close();
                }
            });
            return;
        }
        byte[] response = handler.handle(query, length, true, (InetSocketAddress) ctx.channel().remoteAddress(),
                (InetSocketAddress) ctx.channel().localAddress());
        if (response != null) {
            DnsServer.writeTcp(ctx, response, true);
        }
    }

    /**
     * One message of a zone transfer, written only when the connection can take it: a client
     * that reads slowly holds the transfer thread, not the server's memory. A client that stops
     * reading has its connection closed by the idle timeout (no output progress); a minute
     * without room is the backstop.
     */
    private void writeTransfer(ChannelHandlerContext ctx, byte[] msg) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
        while (!ctx.channel().isWritable()) {
            if (!ctx.channel().isActive()) {
                throw new IllegalStateException("the connection closed during the transfer (idle client, or it went away)");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the client has not read any of the transfer for a minute");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        DnsServer.writeTcp(ctx, msg, true);
    }

    private static boolean isTransfer(Query q) {
        return q.qtype() == Type.AXFR || q.qtype() == Type.IXFR;
    }

    /** {@code observer} guarded, its failures counted in {@code dns.observer.failures{observer=name}}. */
    private GuardedObserver guarded(QueryHandler.Observer observer, String name, MeterRegistry registry) {
        GuardedObserver g = QueryHandler.Observer.guarded(observer);
        FunctionCounter.builder("dns.observer.failures", g, GuardedObserver::failures).tag("nameserver", settings.nameserver()).tag("observer", name)
                .description("answers whose metrics or dnstap observer threw (each logged, rate-limited; the answer was sent)").register(registry);
        return g;
    }

    private void gauges(MeterRegistry registry, QueryHandler handler, DnsServer server) {
        String ns = settings.nameserver();
        Gauge.builder("dns.zones.loaded", index, ZoneIndex::zoneCount).tag("nameserver", ns).register(registry);
        Gauge.builder("dns.records.loaded", index, ZoneIndex::recordCount).tag("nameserver", ns).register(registry);
        Gauge.builder("dns.changelog.lag", follower, f -> f.lastLagMillis() / 1000.0).baseUnit("seconds").tag("nameserver", ns)
                .description("time from a change's commit to this server answering with it").register(registry);
        Gauge.builder("dns.database.reachable", follower, f -> f.databaseReachable() ? 1 : 0).tag("nameserver", ns).register(registry);
        Gauge.builder("dns.tcp.connections", server, DnsServer::tcpConnections).tag("nameserver", ns).register(registry);
        FunctionCounter.builder("dns.answer.failures", handler, QueryHandler::failures).tag("nameserver", ns)
                .description("queries answered SERVFAIL because answering them threw (each logged, rate-limited)").register(registry);
        if (handler.cache() != null) {
            Gauge.builder("dns.response.cache.entries", handler.cache(), c -> c.size()).tag("nameserver", ns).register(registry);
        }
        Gauge.builder("dns.ready", this, s -> 1).tag("nameserver", ns).register(registry);
    }

    public ZoneIndex index() {
        return index;
    }

    public ZoneLoader.Loaded loaded() {
        return loaded;
    }

    public boolean databaseReachable() {
        return follower.databaseReachable();
    }

    public int tcpConnectionsOpen() {
        return server.tcpConnections();
    }

    public List<InetSocketAddress> udpAddresses() {
        return server.udpAddresses();
    }

    public List<InetSocketAddress> tcpAddresses() {
        return server.tcpAddresses();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
            modeFollower.close();
        }
        server.close();
        follower.close();
        transfers.shutdownNow();
    }
}
