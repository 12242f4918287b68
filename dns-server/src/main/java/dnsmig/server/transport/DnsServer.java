package dnsmig.server.transport;

import dnsmig.server.mode.ModeSwitch;
import dnsmig.server.mode.ServingStats;
import dnsmig.server.query.QueryHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets: UDP and TCP on the same addresses (IPv4 and IPv6), on Netty with native epoll
 * where available. Over UDP each event loop has its own socket on the shared port
 * (SO_REUSEPORT), so the kernel spreads queries across threads. TCP connections carry any
 * number of queries (RFC 7766), are closed when idle, and are capped in number.
 */
public final class DnsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

    /**
     * @param listen where to listen (port 0: any free port, see {@link #udpAddresses()})
     * @param eventLoops threads serving sockets
     * @param maxTcpConnections connections beyond this are closed at once
     * @param tcpIdleTimeout a connection without a query for this long is closed
     */
    public record Config(List<InetSocketAddress> listen, int eventLoops, int maxTcpConnections, Duration tcpIdleTimeout) {
        public Config {
            listen = List.copyOf(listen);
            if (listen.isEmpty()) {
                throw new IllegalArgumentException("no address to listen on");
            }
            eventLoops = Math.max(1, eventLoops);
        }
    }

    private final Config config;
    private final QueryHandler handler;
    private final TcpQueries tcpQueries;
    private final EventLoopGroup group;
    private final boolean epoll;
    private final List<Channel> channels = new ArrayList<>();
    private final List<InetSocketAddress> udpBound = new ArrayList<>();
    private final List<InetSocketAddress> tcpBound = new ArrayList<>();
    private final AtomicInteger tcpConnections = new AtomicInteger();
    private ModeSwitch modes;
    private LegacyForwarder forwarder;

    /**
     * @param tcpQueries what to do with a query that came over TCP (zone transfers need the
     *     channel, everything else goes to {@code handler})
     */
    public DnsServer(Config config, QueryHandler handler, TcpQueries tcpQueries) {
        this.config = config;
        this.handler = handler;
        this.tcpQueries = tcpQueries;
        this.epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(config.eventLoops(), epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** Answers a query that arrived over TCP; writes its response(s) to the channel itself. */
    public interface TcpQueries {
        void handle(ChannelHandlerContext ctx, byte[] query, int length);
    }

    /**
     * Serves by mode: queries the switch sends to legacy are forwarded there (call before
     * {@link #start}). Their answers are observed by {@code observer}, as the handler's are.
     */
    public DnsServer forwarding(ModeSwitch modes, LegacyForwarder.Config legacy, QueryHandler.Observer observer, ServingStats stats) {
        this.modes = modes;
        this.forwarder = new LegacyForwarder(legacy, group, epoll, observer, stats);
        return this;
    }

    /** The forwarder (null when this server does not forward). */
    public LegacyForwarder forwarder() {
        return forwarder;
    }

    public DnsServer start() throws InterruptedException {
        for (InetSocketAddress address : config.listen()) {
            // With port 0, UDP picks a free port and TCP must get the same number: if another
            // program holds that TCP port, try another (bounded).
            for (int attempt = 1; ; attempt++) {
                int channelsBefore = channels.size();
                bindUdp(address);
                try {
                    bindTcp(address);
                    break;
                } catch (Exception e) {
                    if (address.getPort() != 0 || attempt >= 10) {
                        throw e;
                    }
                    for (Channel ch : channels.subList(channelsBefore, channels.size())) {
                        ch.close().syncUninterruptibly();
                    }
                    channels.subList(channelsBefore, channels.size()).clear();
                    udpBound.remove(udpBound.size() - 1);
                }
            }
        }
        log.info("listening on {} (UDP) and {} (TCP), {} event loops, {}", udpBound, tcpBound, config.eventLoops(), epoll ? "epoll" : "nio");
        return this;
    }

    public List<InetSocketAddress> udpAddresses() {
        return List.copyOf(udpBound);
    }

    public List<InetSocketAddress> tcpAddresses() {
        return List.copyOf(tcpBound);
    }

    public int tcpConnections() {
        return tcpConnections.get();
    }

    private void bindUdp(InetSocketAddress address) throws InterruptedException {
        int sockets = epoll ? config.eventLoops() : 1;
        InetSocketAddress at = address;
        for (int i = 0; i < sockets; i++) {
            Bootstrap b = new Bootstrap().group(group)
                    .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new UdpHandler());
            if (epoll) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            }
            Channel ch = bound(b.bind(at), at, "UDP");
            channels.add(ch);
            if (i == 0) {
                at = (InetSocketAddress) ch.localAddress(); // the others share the port the first got
                udpBound.add(at);
            }
        }
    }

    private void bindTcp(InetSocketAddress address) throws InterruptedException {
        // TCP on the port UDP got, so port 0 gives one port for both.
        InetSocketAddress at = udpBound.get(udpBound.size() - 1);
        ServerBootstrap b = new ServerBootstrap().group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A DNS message is at most 64 KB: 256 KB of kernel buffer per client is room for a
                // few pipelined responses, bounds what a thousand idle clients pin, and makes a
                // slow reader push back on a zone transfer (the writer waits for the channel).
                .childOption(ChannelOption.SO_SNDBUF, 256 * 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // Idle = neither a query read nor a response written for that long (observeOutput:
                        // a long zone transfer that the client only reads is not idle).
                        ch.pipeline().addLast(new IdleStateHandler(true, 0, 0, config.tcpIdleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                                new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2), new TcpHandler());
                    }
                });
        Channel ch = bound(b.bind(at), at, "TCP");
        channels.add(ch);
        tcpBound.add((InetSocketAddress) ch.localAddress());
    }

    /** The bound channel, or an error that names the address and what is wrong with it. */
    private static Channel bound(io.netty.channel.ChannelFuture bind, InetSocketAddress at, String transport) throws InterruptedException {
        bind.await();
        if (!bind.isSuccess()) {
            String address = at.getAddress() instanceof java.net.Inet6Address ? "[" + at.getAddress().getHostAddress() + "]:" + at.getPort()
                    : at.getAddress().getHostAddress() + ":" + at.getPort();
            throw new ListenException("cannot listen on " + address + " (" + transport + "): " + bind.cause().getMessage()
                    + (at.getPort() < 1024 ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE)" : ""), bind.cause());
        }
        return bind.channel();
    }

    /** A listening address could not be bound (in use, not an address of this machine, no permission). */
    public static final class ListenException extends RuntimeException {
        public ListenException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One datagram in, one out; responses are flushed once per read batch. */
    private final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf in = packet.content();
            int len = in.readableBytes();
            byte[] query = new byte[len];
            in.getBytes(in.readerIndex(), query);
            if (forwarder != null && modes.toLegacy(query, len, false)) {
                forwarder.udp(ctx, query, len, packet.sender(), packet.recipient());
                return;
            }
            byte[] response = handler.handle(query, len, false, packet.sender(), packet.recipient());
            if (response != null) {
                ctx.write(new DatagramPacket(ctx.alloc().ioBuffer(response.length).writeBytes(response), packet.sender()), ctx.voidPromise());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("UDP: {}", cause.toString()); // one bad datagram never stops the socket
        }
    }

    /** Length-prefixed queries, answered in order (RFC 7766 §6.2.1 pipelining). */
    private final class TcpHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            if (tcpConnections.incrementAndGet() > config.maxTcpConnections()) {
                log.debug("TCP connection from {} refused: {} connections open", ctx.channel().remoteAddress(), config.maxTcpConnections());
                ctx.close();
            }
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            tcpConnections.decrementAndGet();
            super.channelInactive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            int len = frame.readableBytes();
            byte[] query = new byte[len];
            frame.getBytes(frame.readerIndex(), query);
            if (forwarder != null && modes.toLegacy(query, len, true)) {
                forwarder.tcp(ctx, query, len);
                return;
            }
            tcpQueries.handle(ctx, query, len);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                ctx.close(); // RFC 7766 §6.2.3: servers close idle connections
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("TCP {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** Writes one length-prefixed DNS message to a TCP channel. */
    public static void writeTcp(ChannelHandlerContext ctx, byte[] message, boolean flush) {
        ByteBuf out = ctx.alloc().ioBuffer(message.length + 2);
        out.writeShort(message.length);
        out.writeBytes(message);
        if (flush) {
            ctx.writeAndFlush(out);
        } else {
            ctx.write(out);
        }
    }

    @Override
    public void close() {
        for (Channel ch : channels) {
            ch.close().syncUninterruptibly();
        }
        if (forwarder != null) {
            forwarder.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
