package dnsmig.legacy;

import static dnsmig.legacy.DynamicZonesTest.rec;
import static dnsmig.legacy.DynamicZonesTest.rrset;
import static dnsmig.legacy.DynamicZonesTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.testkit.NamedFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The zone-file LegacyDns against a real named serving a static zone: rewrite, rndc reload, conflicts, outage. */
class ZoneFilesTest {

    NamedFixture named;
    LegacyDns legacy;
    final List<LegacyWrite> journal = new ArrayList<>();

    @BeforeEach
    void start() {
        named = NamedFixture.builder().staticZone("files.test", DynamicZonesTest.ZONE_TEXT).start();
        legacy = LegacyDns.zoneFiles(Map.of("files.test", named.zoneFile("files.test")), named.directory(),
                new Rndc("127.0.0.1", named.rndcPort(), named.rndcKeyFile()),
                LegacyResilience.defaults().withClock(new MutableClock()).withRetryWait(Duration.ofMillis(10)), new SimpleMeterRegistry(), journal::add);
    }

    @AfterEach
    void stop() {
        named.close();
    }

    List<String> served(String name, int type) throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(named.address(), named.port()));
        r.setTimeout(Duration.ofSeconds(2));
        Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
        return texts(m.getSection(Section.ANSWER));
    }

    @Test
    void aChangeIsWrittenAtomicallyWithABumpedSerialAndServedAfterRndcReload() throws Exception {
        ReadOutcome.Zone z = (ReadOutcome.Zone) legacy.read("files.test");
        assertThat(z.serial()).isEqualTo(100);

        WriteOutcome o = legacy.apply(new ChangeSet("files.test", List.of(
                RRsetChange.create(List.of(rec("api.files.test. 60 A 192.0.2.90"))),
                RRsetChange.replace(rrset(z, "www.files.test.", Type.A), List.of(rec("www.files.test. 600 A 192.0.2.82"))),
                RRsetChange.delete(rrset(z, "files.test.", Type.TXT))), "test"));

        assertThat(o).isEqualTo(new WriteOutcome.Applied("files.test.", 100, 101));
        assertThat(served("files.test.", Type.SOA)).singleElement().asString().contains(" 101 ");
        assertThat(served("api.files.test.", Type.A)).containsExactly("api.files.test. 60 A 192.0.2.90");
        assertThat(served("www.files.test.", Type.A)).containsExactly("www.files.test. 600 A 192.0.2.82");
        assertThat(served("files.test.", Type.TXT)).isEmpty();
        assertThat(Files.readString(named.zoneFile("files.test"))).startsWith("; written by dnsmig (test): serial 100 -> 101");
        assertThat(journal).extracting(LegacyWrite::serialBefore, LegacyWrite::serialAfter).containsExactly(org.assertj.core.groups.Tuple.tuple(100L, 101L));
        assertThat(named.directory().resolve(".db.files.test.dnsmig-tmp")).doesNotExist();
    }

    @Test
    void aFileEditedMeanwhileIsAConflictAndADeadNamedPutsTheFileBack() throws Exception {
        ReadOutcome.Zone z = (ReadOutcome.Zone) legacy.read("files.test");
        Files.writeString(named.zoneFile("files.test"), Files.readString(named.zoneFile("files.test")).replace("192.0.2.25", "192.0.2.26"));
        WriteOutcome conflict = legacy.apply(new ChangeSet("files.test", List.of(RRsetChange.delete(rrset(z, "mail.files.test.", Type.A))), "test"));
        assertThat(conflict).isInstanceOfSatisfying(WriteOutcome.Conflict.class,
                c -> assertThat(c.rrsets()).containsExactly("mail.files.test. A: expected [192.0.2.25], found [192.0.2.26]"));

        String before = Files.readString(named.zoneFile("files.test"));
        named.stop();
        ReadOutcome.Zone z2 = (ReadOutcome.Zone) legacy.read("files.test");
        WriteOutcome down = legacy.apply(new ChangeSet("files.test", List.of(RRsetChange.delete(rrset(z2, "mail.files.test.", Type.A))), "test"));
        assertThat(down).isInstanceOfSatisfying(Failure.Unavailable.class, u -> assertThat(u.message()).contains("rndc reload files.test. failed")
                .contains("put back as it was"));
        assertThat(Files.readString(named.zoneFile("files.test"))).isEqualTo(before);
        assertThat(legacy.health().up()).isFalse();
    }
}
