package dnsmig.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.legacy.namedconf.TsigKey;
import dnsmig.testkit.NamedFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The acceptance criteria of the dynamic-zone LegacyDns, against a real named (NamedFixture):
 * add / delete / replace round trips read back by AXFR, authentication errors, conflicts on a
 * concurrent edit, a fast failure with the circuit open while named is down, and recovery.
 */
class DynamicZonesTest {

    static final String ZONE_TEXT = """
            $TTL 300
            @      SOA ns1 hostmaster 100 3600 600 86400 300
            @      NS  ns1
            ns1    A   192.0.2.1
            www    A   192.0.2.80
            www    A   192.0.2.81
            mail   A   192.0.2.25
            @      MX  10 mail
            @      TXT "v=spf1 mx -all"
            """;

    static NamedFixture named;

    final MutableClock clock = new MutableClock();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final List<LegacyWrite> journal = new ArrayList<>();

    @BeforeAll
    static void startNamed() {
        named = NamedFixture.builder().dynamicZone("rt.test", ZONE_TEXT).dynamicZone("conflict.test", ZONE_TEXT)
                .dynamicZone("outage.test", ZONE_TEXT).dynamicZone("read.test", ZONE_TEXT).start();
    }

    @AfterAll
    static void stopNamed() {
        named.close();
    }

    LegacyDns legacy(TsigKey key) {
        LegacyResilience r = LegacyResilience.defaults().withClock(clock).withRetryWait(Duration.ofMillis(10));
        return LegacyDns.dynamic(new LegacyServer(named.socketAddress(), key), named.zones(), r, meters, journal::add);
    }

    LegacyDns legacy() {
        return legacy(LegacyServer.keyFromFile(named.keyFile(), null));
    }

    static ReadOutcome.Zone zone(LegacyDns legacy, String zone) {
        ReadOutcome o = legacy.read(zone);
        assertThat(o).as("%s", o).isInstanceOf(ReadOutcome.Zone.class);
        return (ReadOutcome.Zone) o;
    }

    static List<Record> rrset(ReadOutcome.Zone z, String name, int type) throws Exception {
        Name n = Name.fromString(name);
        return z.records().stream().filter(r -> r.getName().equals(n) && r.getType() == type).toList();
    }

    static Record rec(String text) throws Exception {
        String[] p = text.split("\\s+", 4);
        return Record.fromString(Name.fromString(p[0]), Type.value(p[2]), org.xbill.DNS.DClass.IN, Long.parseLong(p[1]), p[3], Name.root);
    }

    static List<String> texts(List<Record> records) {
        return records.stream().map(r -> r.getName() + " " + r.getTTL() + " " + Type.string(r.getType()) + " " + r.rdataToString()).sorted().toList();
    }

    @Test
    void oneRRsetIsReadWithoutATransfer() throws Exception {
        LegacyDns legacy = legacy();
        ReadOutcome www = legacy.rrset("read.test", Name.fromString("www.read.test."), Type.A);
        assertThat(www).isInstanceOf(ReadOutcome.Zone.class);
        assertThat(texts(((ReadOutcome.Zone) www).records())).containsExactly("www.read.test. 300 A 192.0.2.80", "www.read.test. 300 A 192.0.2.81");
        assertThat(((ReadOutcome.Zone) www).serial()).isEqualTo(zone(legacy, "read.test").serial());
        ReadOutcome none = legacy.rrset("read.test", Name.fromString("nowhere.read.test."), Type.A);
        assertThat(((ReadOutcome.Zone) none).records()).isEmpty();
        ReadOutcome otherType = legacy.rrset("read.test", Name.fromString("www.read.test."), Type.AAAA);
        assertThat(((ReadOutcome.Zone) otherType).records()).isEmpty();
        ReadOutcome notOurs = legacy.rrset("elsewhere.test", Name.fromString("www.elsewhere.test."), Type.A);
        assertThat(notOurs).isInstanceOf(Failure.class);
    }

    @Test
    void addDeleteAndReplaceRoundTripThroughAxfr() throws Exception {
        LegacyDns legacy = legacy();
        ReadOutcome.Zone z0 = zone(legacy, "rt.test");
        assertThat(z0.serial()).isEqualTo(100);
        assertThat(z0.records()).hasSize(8).first().extracting(Record::getType).isEqualTo(Type.SOA);

        // add: a new RRset
        WriteOutcome add = legacy.apply(new ChangeSet("rt.test", List.of(RRsetChange.create(List.of(rec("api.rt.test. 60 A 192.0.2.90")))), "test"));
        assertThat(add).isEqualTo(new WriteOutcome.Applied("rt.test.", 100, 101));
        // replace: new rdata and a new TTL for a two-record RRset, and the MX target, in one change set
        ReadOutcome.Zone z1 = zone(legacy, "rt.test");
        WriteOutcome replace = legacy.apply(new ChangeSet("rt.test", List.of(
                RRsetChange.replace(rrset(z1, "www.rt.test.", Type.A), List.of(rec("www.rt.test. 900 A 192.0.2.81"), rec("www.rt.test. 900 A 192.0.2.82"))),
                RRsetChange.replace(rrset(z1, "rt.test.", Type.MX), List.of(rec("rt.test. 300 MX 20 ns1.rt.test.")))), "test"));
        assertThat(replace).isInstanceOf(WriteOutcome.Applied.class);
        // delete: a whole RRset
        ReadOutcome.Zone z2 = zone(legacy, "rt.test");
        WriteOutcome delete = legacy.apply(new ChangeSet("rt.test", List.of(RRsetChange.delete(rrset(z2, "rt.test.", Type.TXT))), "test"));
        assertThat(delete).isInstanceOf(WriteOutcome.Applied.class);

        ReadOutcome.Zone z3 = zone(legacy, "rt.test");
        assertThat(z3.serial()).isEqualTo(103);
        assertThat(texts(z3.records())).containsExactlyInAnyOrder(
                "rt.test. 300 SOA ns1.rt.test. hostmaster.rt.test. 103 3600 600 86400 300",
                "rt.test. 300 NS ns1.rt.test.",
                "rt.test. 300 MX 20 ns1.rt.test.",
                "ns1.rt.test. 300 A 192.0.2.1",
                "mail.rt.test. 300 A 192.0.2.25",
                "www.rt.test. 900 A 192.0.2.81",
                "www.rt.test. 900 A 192.0.2.82",
                "api.rt.test. 60 A 192.0.2.90");
        // the journal: what dnsmig wrote, with an unbroken serial chain
        assertThat(journal).extracting(LegacyWrite::zone, LegacyWrite::serialBefore, LegacyWrite::serialAfter, LegacyWrite::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("rt.test.", 100L, 101L, "applied"),
                        org.assertj.core.groups.Tuple.tuple("rt.test.", 101L, 102L, "applied"),
                        org.assertj.core.groups.Tuple.tuple("rt.test.", 102L, 103L, "applied"));
        assertThat(meters.get("dnsmig.legacy.operations").tag("kind", "write").tag("outcome", "applied").counter().count()).isEqualTo(3);
        assertThat(meters.get("dnsmig.legacy.latency").tag("kind", "read").timer().count()).isEqualTo(4);
    }

    @Test
    void aWrongKeyIsAClearAuthenticationErrorAndTheSecretNeverShows() throws Exception {
        byte[] wrong = new byte[32];
        java.util.Arrays.fill(wrong, (byte) 7);
        String wrongB64 = Base64.getEncoder().encodeToString(wrong);
        TsigKey right = LegacyServer.keyFromFile(named.keyFile(), null);
        List<Object> seen = new ArrayList<>();

        for (TsigKey key : List.of(new TsigKey(right.name(), "hmac-sha256", wrong), new TsigKey("no-such-key.", "hmac-sha256", wrong))) {
            LegacyDns legacy = legacy(key);
            ReadOutcome read = legacy.read("rt.test");
            WriteOutcome write = legacy.apply(new ChangeSet("rt.test", List.of(RRsetChange.create(List.of(rec("evil.rt.test. 60 A 192.0.2.66")))), "test"));
            assertThat(read).as("%s", read).isInstanceOf(Failure.AuthFailed.class);
            assertThat(write).as("%s", write).isInstanceOfSatisfying(Failure.AuthFailed.class, a -> {
                assertThat(a.reason()).isIn("BADSIG", "BADKEY");
                assertThat(a.message()).contains("TSIG").contains("check the key");
            });
            seen.addAll(List.of(read, write, legacy, key));
        }
        assertThat(zone(legacy(), "rt.test").records()).noneMatch(r -> r.getName().toString().startsWith("evil"));
        seen.addAll(journal);
        seen.add(new LegacyServer(named.socketAddress(), right));
        String all = seen.stream().map(String::valueOf).collect(Collectors.joining("\n"));
        assertThat(all).doesNotContain(wrongB64).doesNotContain(named.keySecret());
    }

    @Test
    void anOutOfBandEditBetweenReadAndWriteIsAConflictNotAnOverwrite() throws Exception {
        LegacyDns legacy = legacy();
        ReadOutcome.Zone z = zone(legacy, "conflict.test");
        List<Record> www = rrset(z, "www.conflict.test.", Type.A);

        Nsupdate.run(named, "conflict.test", "add www.conflict.test. 300 A 192.0.2.99");   // someone else, meanwhile
        WriteOutcome o = legacy.apply(new ChangeSet("conflict.test", List.of(RRsetChange.replace(www, List.of(rec("www.conflict.test. 300 A 192.0.2.1")))), "test"));

        assertThat(o).isInstanceOfSatisfying(WriteOutcome.Conflict.class, c -> assertThat(c.rrsets()).singleElement().asString()
                .startsWith("www.conflict.test. A: expected [192.0.2.80, 192.0.2.81], found [").contains("192.0.2.99"));
        assertThat(texts(rrset(zone(legacy, "conflict.test"), "www.conflict.test.", Type.A)))
                .containsExactlyInAnyOrder("www.conflict.test. 300 A 192.0.2.80", "www.conflict.test. 300 A 192.0.2.81", "www.conflict.test. 300 A 192.0.2.99");
        assertThat(journal).singleElement().extracting(LegacyWrite::outcome).isEqualTo("conflict");

        // an edit elsewhere in the zone moves only the SOA: the change is re-sent on the new serial and applies
        ReadOutcome.Zone z2 = zone(legacy, "conflict.test");
        Nsupdate.run(named, "conflict.test", "add other.conflict.test. 300 A 192.0.2.7");
        WriteOutcome ok = legacy.apply(new ChangeSet("conflict.test", List.of(RRsetChange.delete(rrset(z2, "mail.conflict.test.", Type.A))), "test"));
        assertThat(ok).isInstanceOfSatisfying(WriteOutcome.Applied.class, a -> assertThat(a.serialBefore()).isEqualTo(z2.serial() + 1));
    }

    @Test
    void aStoppedNamedFailsFastWithTheCircuitOpenAndWritesRecoverWhenItIsBack() throws Exception {
        LegacyDns legacy = legacy();
        ReadOutcome.Zone z = zone(legacy, "outage.test");
        assertThat(legacy.health().up()).isTrue();
        named.stop();
        try {
            List<WriteOutcome> outcomes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                outcomes.add(legacy.apply(new ChangeSet("outage.test", List.of(RRsetChange.create(List.of(rec("n" + i + ".outage.test. 60 A 192.0.2.9")))), "test")));
            }
            assertThat(outcomes).allMatch(o -> o instanceof Failure.Unavailable);
            assertThat(outcomes.get(0)).isInstanceOfSatisfying(Failure.Unavailable.class, u -> {
                assertThat(u.circuitOpen()).isFalse();
                assertThat(u.message()).contains("connection refused by 127.0.0.1 port " + named.port()).contains("is named running");
            });
            // after the minimum number of failed calls the breaker opens: nothing is sent any more
            assertThat(outcomes.get(outcomes.size() - 1)).isInstanceOfSatisfying(Failure.Unavailable.class, u -> {
                assertThat(u.circuitOpen()).isTrue();
                assertThat(u.message()).contains("circuit breaker").contains("is open");
            });
            assertThat(legacy.read("outage.test")).isInstanceOfSatisfying(Failure.Unavailable.class, u -> assertThat(u.circuitOpen()).isTrue());
            assertThat(legacy.health()).extracting(Health::up, Health::circuit).containsExactly(false, "OPEN");
            assertThat(meters.get("resilience4j.circuitbreaker.state").tag("state", "open").gauge().value()).isEqualTo(1.0);
        } finally {
            named.start();
        }
        // still open until its wait is over, then half-open lets writes through, and they succeed
        assertThat(legacy.apply(new ChangeSet("outage.test", List.of(RRsetChange.create(List.of(rec("early.outage.test. 60 A 192.0.2.9")))), "test")))
                .isInstanceOfSatisfying(Failure.Unavailable.class, u -> assertThat(u.circuitOpen()).isTrue());
        clock.advance(LegacyResilience.defaults().openFor().plusSeconds(1));
        WriteOutcome back = legacy.apply(new ChangeSet("outage.test", List.of(RRsetChange.create(List.of(rec("back.outage.test. 60 A 192.0.2.10")))), "test"));
        assertThat(back).isEqualTo(new WriteOutcome.Applied("outage.test.", z.serial(), z.serial() + 1));
        assertThat(legacy.health().up()).isTrue();
        assertThat(legacy.health().circuit()).isEqualTo("CLOSED");
        assertThat(texts(zone(legacy, "outage.test").records())).contains("back.outage.test. 60 A 192.0.2.10").noneMatch(t -> t.startsWith("n0."));
    }
}
