package dnsmig.verify.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dnsmig.store.VerifyStore.ZoneRef;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/** Which zone a query name belongs to: the closest enclosing one, letter case aside. */
class ZoneDirectoryTest {

    private static ZoneRef zone(String name) {
        return new ZoneRef(name, name.length(), 1, "acme", "dns@acme.example");
    }

    private static String find(ZoneDirectory d, String qname) throws Exception {
        ZoneRef z = d.find(Name.fromString(qname));
        return z == null ? null : z.name();
    }

    @Test
    void closestEnclosingZone() throws Exception {
        ZoneDirectory d = new ZoneDirectory(List.of(zone("example.com."), zone("sub.example.com."), zone("a\\.b.example.net.")));
        assertThat(find(d, "www.example.com.")).isEqualTo("example.com.");
        assertThat(find(d, "example.com.")).isEqualTo("example.com.");
        assertThat(find(d, "WWW.Sub.EXAMPLE.com.")).isEqualTo("sub.example.com.");
        assertThat(find(d, "x.a\\.b.example.net.")).isEqualTo("a\\.b.example.net.");
        assertThat(find(d, "b.example.net.")).isNull();
        assertThat(find(d, "example.org.")).isNull();
        assertThat(find(new ZoneDirectory(List.of(zone("."), zone("example.com."))), "example.org.")).isEqualTo(".");
        assertThat(d.size()).isEqualTo(3);
    }

    @Test
    void aZoneNameThatIsNoDomainNameIsNamed() {
        assertThatThrownBy(() -> new ZoneDirectory(List.of(zone("bad..name.")))).hasMessageContaining("'bad..name.'");
    }
}
