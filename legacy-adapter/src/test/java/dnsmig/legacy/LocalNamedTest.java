package dnsmig.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.legacy.namedconf.NamedConf;
import dnsmig.legacy.namedconf.ZoneDecl;
import dnsmig.testkit.Repo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** The demo's legacy server, on the sample provider: named's own verdict on each zone, then a running named that takes UPDATEs. */
class LocalNamedTest {

    @Test
    void servesTheSampleZonesNamedLoadsAndTakesSignedUpdates() throws Exception {
        Map<String, Path> loads = new LinkedHashMap<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (ZoneDecl z : NamedConf.read(Repo.samples().resolve("named.conf")).primaryZones()) {
            Optional<String> why = LocalNamed.refusal(z.name(), z.file());
            if (why.isPresent()) {
                refused.put(LegacyDns.canonical(z.name()), why.get());
            } else {
                loads.put(z.name(), z.file());
            }
        }
        assertThat(refused).containsOnlyKeys("acme-shop.example.", "globex.example.", "hooli.example.");
        assertThat(refused.get("acme-shop.example.")).isEqualTo("CNAME and other data");
        assertThat(refused.get("hooli.example.")).contains("0 SOA records");

        Path dir;
        try (LocalNamed named = LocalNamed.start(loads)) {
            dir = named.directory();
            assertThat(named.zones()).containsExactly("acme.example.", "initech.example.", "umbrella.example.", "2.0.192.in-addr.arpa.");
            LegacyDns legacy = LegacyDns.dynamic(new LegacyServer(named.address(), LegacyServer.keyFromFile(named.keyFile(), null)), named.zones(),
                    LegacyResilience.defaults(), new SimpleMeterRegistry(), w -> {});
            Name www = Name.fromString("www.umbrella.example.");
            ReadOutcome before = legacy.rrset("umbrella.example.", www, Type.A);
            assertThat(before).isInstanceOf(ReadOutcome.Zone.class);
            assertThat(((ReadOutcome.Zone) before).records()).isEmpty();
            WriteOutcome w = legacy.apply(new ChangeSet("umbrella.example.", List.of(new RRsetChange(www, Type.A, List.of(),
                    List.of(new ARecord(www, org.xbill.DNS.DClass.IN, 300, java.net.InetAddress.getByName("192.0.2.91"))))), "test"));
            assertThat(w).isInstanceOf(WriteOutcome.Applied.class);
            assertThat(((ReadOutcome.Zone) legacy.rrset("umbrella.example.", www, Type.A)).records()).hasSize(1);
            assertThat(Files.exists(named.dnstapFile())).as("dnstap is on").isTrue();
        }
        assertThat(dir).doesNotExist();
    }
}
