package dnsmig.server.transport;

import dnsmig.server.mode.ServingStats;
import dnsmig.server.query.Query;
import dnsmig.server.query.QueryHandler;
import dnsmig.server.query.QueryParser;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards queries to the legacy server and hands its answers back unchanged (only the ID is the
 * asker's again), asynchronously on the event loop that received the query: nothing blocks.
 *
 * <p>UDP: one socket per event loop, queries renumbered with an ID free on that socket (the
 * pending table is the loop's own, so it needs no lock); an answer is taken only from the legacy
 * address, for a pending ID, with the question of the query. TCP queries are forwarded over TCP,
 * one connection per query. A legacy answer with TC set is passed on as it is: the client asked
 * with its own size limit, which the legacy server honoured, and retries over TCP, which is then
 * forwarded over TCP. Bounded: at most {@code maxInFlight} queries wait per event loop; beyond
 * that, and when the legacy server does not answer within {@code timeout}, the client gets
 * SERVFAIL (RFC 1035: the server could not answer; a resolver asks another nameserver).
 */
public final class LegacyForwarder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LegacyForwarder.class);

    /**
     * @param legacy the legacy server (an IP literal and port)
     * @param timeout how long an answer is waited for
     * @param maxInFlight queries waiting for the legacy server, per event loop (at most 60,000: the UDP ID space)
     */
    public record Config(InetSocketAddress legacy, Duration timeout, int maxInFlight) {
        public Config {
            if (legacy == null || legacy.isUnresolved()) {
                throw new IllegalArgumentException("the legacy server must be an IP address and port");
            }
            maxInFlight = Math.max(1, Math.min(60_000, maxInFlight));
        }
    }

    private final Config config;
    private final boolean epoll;
    private final QueryHandler.Observer observer;
    private final ServingStats stats;
    private final Map<EventExecutor, Loop> loops = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    LegacyForwarder(Config config, EventLoopGroup group, boolean epoll, QueryHandler.Observer observer, ServingStats stats) {
        this.config = config;
        this.epoll = epoll;
        this.observer = observer;
        this.stats = stats;
        for (EventExecutor e : group) {
            Loop l = new Loop((EventLoop) e);
            l.udp();
            loops.put(e, l);
        }
    }

    /** Queries waiting for the legacy server now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** A query waiting for its answer. */
    private final class Pending {
        final ChannelHandlerContext client;
        final byte[] query;
        final int length;
        final boolean tcp;
        final InetSocketAddress from;
        final InetSocketAddress to;
        final long start = System.nanoTime();
        ScheduledFuture<?> timer;
        Channel connection;

        Pending(ChannelHandlerContext client, byte[] query, int length, boolean tcp, InetSocketAddress from, InetSocketAddress to) {
            this.client = client;
            this.query = query;
            this.length = length;
            this.tcp = tcp;
            this.from = from;
            this.to = to;
        }
    }

    /** One event loop's UDP socket to the legacy server and its pending queries. */
    private final class Loop {
        final EventLoop loop;
        final IntObjectHashMap<Pending> pending = new IntObjectHashMap<>();
        int tcpPending;
        int nextId = ThreadLocalRandom.current().nextInt(65536);
        Channel udp;

        Loop(EventLoop loop) {
            this.loop = loop;
        }

        /** Binds the loop's UDP socket (at start, from the starting thread; again on the loop if it was closed). */
        Channel udp() {
            if (udp == null || !udp.isOpen()) {
                Bootstrap b = new Bootstrap().group(loop).channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65535))
                        .option(ChannelOption.SO_RCVBUF, 1 << 20)
                        .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                                udpAnswer(Loop.this, p);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                log.debug("forwarding socket: {}", cause.toString()); // e.g. ICMP port unreachable: the timeout answers
                            }
                        });
                var bind = b.bind(new InetSocketAddress(config.legacy().getAddress() instanceof java.net.Inet6Address ? "::" : "0.0.0.0", 0));
                if (!loop.inEventLoop()) {
                    bind.syncUninterruptibly();
                }
                udp = bind.channel();
            }
            return udp;
        }

        int size() {
            return pending.size() + tcpPending;
        }
    }

    /** Forwards a query that came over UDP; its answer goes out of {@code ctx}'s socket to {@code client}. Call on ctx's event loop. */
    void udp(ChannelHandlerContext ctx, byte[] query, int length, InetSocketAddress client, InetSocketAddress local) {
        Loop l = loops.get(ctx.channel().eventLoop());
        Pending p = new Pending(ctx, query, length, false, client, local);
        if (l == null || l.size() >= config.maxInFlight()) {
            stats.overflow();
            fail(p);
            return;
        }
        int id = l.nextId;
        while (l.pending.containsKey(id)) { // fewer than 60,001 pending: a free ID exists
            id = (id + 1) & 0xFFFF;
        }
        l.nextId = (id + 1) & 0xFFFF;
        final int ourId = id;
        l.pending.put(ourId, p);
        inFlight.incrementAndGet();
        p.timer = l.loop.schedule(() -> {
            if (l.pending.remove(ourId) != null) {
                inFlight.decrementAndGet();
                stats.timeout();
                fail(p);
            }
        }, config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        byte[] out = Arrays.copyOf(query, length);
        out[0] = (byte) (ourId >> 8);
        out[1] = (byte) ourId;
        Channel ch = l.udp();
        ch.writeAndFlush(new DatagramPacket(ch.alloc().ioBuffer(length).writeBytes(out), config.legacy()), ch.voidPromise());
    }

    private void udpAnswer(Loop l, DatagramPacket packet) {
        ByteBuf in = packet.content();
        int len = in.readableBytes();
        if (len < 12 || !packet.sender().equals(config.legacy())) {
            stats.error();
            return;
        }
        int id = in.getUnsignedShort(in.readerIndex());
        Pending p = l.pending.get(id);
        if (p == null) {
            stats.error(); // late (timed out already) or not ours
            return;
        }
        byte[] answer = new byte[len];
        in.getBytes(in.readerIndex(), answer);
        if (!sameQuestion(p.query, p.length, answer)) {
            stats.error(); // not the answer to this query: keep waiting for the right one
            return;
        }
        l.pending.remove(id);
        inFlight.decrementAndGet();
        p.timer.cancel(false);
        answer[0] = p.query[0];
        answer[1] = p.query[1];
        deliver(p, answer);
    }

    /** Forwards a query that came over TCP, over TCP; the answer is written to the client's connection. Call on ctx's event loop. */
    void tcp(ChannelHandlerContext ctx, byte[] query, int length) {
        Loop l = loops.get(ctx.channel().eventLoop());
        Pending p = new Pending(ctx, query, length, true, (InetSocketAddress) ctx.channel().remoteAddress(),
                (InetSocketAddress) ctx.channel().localAddress());
        if (l == null || l.size() >= config.maxInFlight()) {
            stats.overflow();
            fail(p);
            return;
        }
        l.tcpPending++;
        inFlight.incrementAndGet();
        boolean[] done = new boolean[1];
        Runnable finish = () -> {
            if (!done[0]) {
                done[0] = true;
                l.tcpPending--;
                inFlight.decrementAndGet();
                p.timer.cancel(false);
                if (p.connection != null) {
                    p.connection.close();
                }
            }
        };
        p.timer = l.loop.schedule(() -> {
            if (!done[0]) {
                finish.run();
                stats.timeout();
                fail(p);
            }
        }, config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        Bootstrap b = new Bootstrap().group(l.loop).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, config.timeout().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2), new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext c, ByteBuf frame) {
                                byte[] answer = new byte[frame.readableBytes()];
                                frame.getBytes(frame.readerIndex(), answer);
                                if (done[0] || answer.length < 12 || answer[0] != p.query[0] || answer[1] != p.query[1]
                                        || !sameQuestion(p.query, p.length, answer)) {
                                    stats.error();
                                    return;
                                }
                                finish.run();
                                deliver(p, answer);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                                c.close();
                            }
                        });
                    }
                });
        var connect = b.connect(config.legacy());
        p.connection = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                if (!done[0]) {
                    finish.run();
                    stats.error();
                    fail(p);
                }
                return;
            }
            ByteBuf out = p.connection.alloc().ioBuffer(length + 2);
            out.writeShort(length);
            out.writeBytes(query, 0, length);
            p.connection.writeAndFlush(out);
        });
    }

    /** The answer to the client, and to the observers (metrics, dnstap) as if answered here. */
    private void deliver(Pending p, byte[] answer) {
        int rcode = answer[3] & 0x0F;
        stats.forwarded(rcode);
        // observed before it is sent, as the handler does with its own answers
        observer.answered(p.query, p.length, answer, parsed(p), rcode, p.tcp, p.from, p.to, System.nanoTime() - p.start);
        send(p, answer);
    }

    /** SERVFAIL to the client: the legacy server did not answer (or could not be asked). */
    private void fail(Pending p) {
        byte[] answer = servfail(p.query, p.length);
        if (answer == null) {
            return;
        }
        observer.answered(p.query, p.length, answer, parsed(p), 2, p.tcp, p.from, p.to, System.nanoTime() - p.start);
        send(p, answer);
    }

    private static void send(Pending p, byte[] answer) {
        if (p.tcp) {
            if (p.client.channel().isActive()) {
                DnsServer.writeTcp(p.client, answer, true);
            }
        } else {
            p.client.writeAndFlush(new DatagramPacket(p.client.alloc().ioBuffer(answer.length).writeBytes(answer), p.from), p.client.voidPromise());
        }
    }

    private static Query parsed(Pending p) {
        return QueryParser.parse(p.query, p.length, p.tcp) instanceof QueryParser.Accept a ? a.query() : null;
    }

    /** SERVFAIL with the query's ID, opcode, RD and question; null when the question cannot be read. */
    static byte[] servfail(byte[] query, int length) {
        int end = questionEnd(query, length);
        if (end < 0) {
            return null;
        }
        byte[] r = Arrays.copyOf(query, end);
        r[2] = (byte) (0x80 | (query[2] & 0x79)); // QR, opcode, RD
        r[3] = 2; // SERVFAIL
        r[4] = 0;
        r[5] = 1;
        Arrays.fill(r, 6, 12, (byte) 0);
        return r;
    }

    /** The offset after the first question (name, type, class), or -1. */
    private static int questionEnd(byte[] p, int length) {
        if (length < 12 || ((p[4] & 0xFF) << 8 | p[5] & 0xFF) == 0) {
            return -1;
        }
        int i = 12;
        while (i < length) {
            int l = p[i] & 0xFF;
            if (l == 0) {
                return i + 5 <= length ? i + 5 : -1;
            }
            if (l > 63) {
                return -1;
            }
            i += l + 1;
        }
        return -1;
    }

    /** Whether the answer's question is the query's (names compared ignoring case; a server may change the letter case). */
    private static boolean sameQuestion(byte[] query, int length, byte[] answer) {
        int end = questionEnd(query, length);
        if (end < 0) {
            // no readable question: the ID decides
            return true;
        }
        if (answer.length < end || answer[4] != query[4] || answer[5] != query[5]) {
            return false;
        }
        for (int i = 12; i < end; i++) {
            int a = answer[i] & 0xFF;
            int q = query[i] & 0xFF;
            if (a != q && Character.toLowerCase(a) != Character.toLowerCase(q)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        for (Loop l : loops.values()) {
            if (l.udp != null) {
                l.udp.close();
            }
        }
    }
}
