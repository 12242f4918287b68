package dnsmig.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** What an observer throws is counted and logged at WARN, at most one line every ten seconds, and never escapes. */
class GuardedObserverTest {

    final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void listen() {
        logged.start();
        ((Logger) LoggerFactory.getLogger(GuardedObserver.class)).addAppender(logged);
    }

    @AfterEach
    void unlisten() {
        ((Logger) LoggerFactory.getLogger(GuardedObserver.class)).detachAppender(logged);
    }

    @Test
    void failuresAreCountedAndLoggedAtMostOneLineEveryTenSeconds() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        AtomicLong calls = new AtomicLong();
        GuardedObserver guarded = new GuardedObserver((q, len, r, query, rcode, tcp, client, local, nanos) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("a bug in the tap");
        }, now::get);
        byte[] wire = Message.newQuery(Record.newRecord(Name.fromConstantString("www.example.com."), Type.AAAA, DClass.IN)).toWire();
        Query q = ((QueryParser.Accept) QueryParser.parse(wire, wire.length, false)).query();
        InetSocketAddress client = new InetSocketAddress("127.0.0.1", 40001);
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 53);

        assertThatCode(() -> guarded.answered(wire, wire.length, wire, q, 0, false, client, local, 1)).doesNotThrowAnyException();
        now.addAndGet(TimeUnit.SECONDS.toNanos(3));
        guarded.answered(wire, wire.length, wire, null, 1, true, client, local, 1);
        now.addAndGet(TimeUnit.SECONDS.toNanos(3));
        guarded.answered(wire, wire.length, wire, q, 0, true, client, local, 1);
        assertThat(logged.list).as("one line for the first; the next two within 10 s are counted").hasSize(1);
        ILoggingEvent first = logged.list.get(0);
        assertThat(first.getLevel()).isEqualTo(Level.WARN);
        assertThat(first.getFormattedMessage()).contains("www.example.com. AAAA", "127.0.0.1:40001", "UDP", "the answer was sent")
                .doesNotContain("not logged");
        assertThat(first.getThrowableProxy().getMessage()).isEqualTo("a bug in the tap");

        now.addAndGet(TimeUnit.SECONDS.toNanos(5)); // 11 s after the first line
        guarded.answered(wire, wire.length, wire, q, 0, true, client, local, 1);
        assertThat(logged.list).hasSize(2);
        assertThat(logged.list.get(1).getFormattedMessage()).contains("over TCP", "and 2 more since the last such line, not logged");
        assertThat(guarded.failures()).isEqualTo(4);
        assertThat(calls.get()).isEqualTo(4);
    }

    @Test
    void aClassThatCannotLoadIsCaughtToo() {
        GuardedObserver guarded = QueryHandler.Observer.guarded((q, len, r, query, rcode, tcp, client, local, nanos) -> {
            throw new NoClassDefFoundError("com/google/protobuf/Something");
        });
        byte[] wire = Message.newQuery(Record.newRecord(Name.fromConstantString("www.example.com."), Type.A, DClass.IN)).toWire();
        assertThatCode(() -> guarded.answered(wire, wire.length, wire, null, 1, false, null, null, 1)).doesNotThrowAnyException();
        assertThat(guarded.failures()).isEqualTo(1);
    }

    @Test
    void guardingTwiceIsGuardingOnce() {
        QueryHandler.Observer once = QueryHandler.Observer.guarded(QueryHandler.Observer.NONE);
        assertThat(QueryHandler.Observer.guarded(once)).isSameAs(once);
    }
}
