package dnsmig.orchestrator.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackfillInputsTest {

    @TempDir
    Path dir;

    private BackfillRequest request(Path conf, String view) {
        return new BackfillRequest(conf, view, null, null, dir.resolve("owners.csv"), false, false, 1, 0.3, 10, "ops@example.net");
    }

    @Test
    void debiansDefaultZonesAreLeftOutUnlessSomeoneOwnsThem() throws Exception {
        Files.writeString(dir.resolve("named.conf"), """
                zone "localhost" { type master; file "/etc/bind/db.local"; };
                zone "127.in-addr.arpa" { type master; file "/etc/bind/db.127"; };
                zone "0.in-addr.arpa" { type master; file "/etc/bind/db.0"; };
                zone "example.com" { type primary; file "db.example.com"; };
                """);
        Files.writeString(dir.resolve("owners.csv"), "zone,owner,email\nexample.com,acme,a@example.com\n0.in-addr.arpa,ops,o@example.com\n");
        BackfillInputs in = BackfillInputs.load(request(dir.resolve("named.conf"), null));
        assertThat(in.zones()).extracting(ZoneSpec::zone).containsExactly("0.in-addr.arpa.", "example.com.");
        assertThat(in.zones()).extracting(ZoneSpec::file).contains(dir.resolve("db.example.com"));
        assertThat(in.notes()).anyMatch(n -> n.contains("localhost., 127.in-addr.arpa."));
    }

    @Test
    void aZoneInTwoViewsNeedsAChoice() throws Exception {
        Files.writeString(dir.resolve("named.conf"), """
                view "inside" { zone "example.com" { type primary; file "inside/db.example.com"; }; };
                view "outside" { zone "example.com" { type primary; file "outside/db.example.com"; }; };
                """);
        Files.writeString(dir.resolve("owners.csv"), "zone,owner,email\nexample.com,acme,a@example.com\n");
        assertThatThrownBy(() -> BackfillInputs.load(request(dir.resolve("named.conf"), null)))
                .isInstanceOf(BackfillInputException.class).hasMessageContaining("named.conf:2").hasMessageContaining("--view");
        BackfillInputs outside = BackfillInputs.load(request(dir.resolve("named.conf"), "outside"));
        assertThat(outside.zones()).singleElement().extracting(ZoneSpec::file).isEqualTo(dir.resolve("outside/db.example.com"));
        assertThat(outside.notes()).anyMatch(n -> n.contains("views other than 'outside'"));
    }

    @Test
    void aBrokenNamedConfNamesItsPlace() throws Exception {
        Files.writeString(dir.resolve("named.conf"), "zone \"example.com\" { type primary; file \"db\" }\n");
        Files.writeString(dir.resolve("owners.csv"), "zone,owner,email\n");
        assertThatThrownBy(() -> BackfillInputs.load(request(dir.resolve("named.conf"), null)))
                .isInstanceOf(BackfillInputException.class).hasMessageContaining("named.conf:1:");
    }

    @Test
    void aZoneListWithAOneColumnLineIsRefusedWithItsLine() throws Exception {
        Files.writeString(dir.resolve("zones.list"), "a.example db.a\nb.example\n");
        Files.writeString(dir.resolve("owners.csv"), "zone,owner,email\n");
        var r = new BackfillRequest(null, null, dir, dir.resolve("zones.list"), dir.resolve("owners.csv"), false, false, 1, 0.3, 10, "o@x.example");
        assertThatThrownBy(() -> BackfillInputs.load(r)).hasMessageContaining("zones.list:2: expected 'zone file'");
    }

    @Test
    void ownersCsvFieldsMayBeQuoted() {
        assertThat(OwnersCsv.split("\"a,b\",\"say \"\"hi\"\"\", plain ")).containsExactly("a,b", "say \"hi\"", "plain");
    }

    @Test
    void anInvalidZoneNameIsAnInputErrorWithItsLine() throws Exception {
        Files.writeString(dir.resolve("zones.list"), "a.example db.a\nbad..example db.bad\n" + "x".repeat(64) + ".example db.long\n");
        Files.writeString(dir.resolve("owners.csv"), "zone,owner,email\n");
        var r = new BackfillRequest(null, null, dir, dir.resolve("zones.list"), dir.resolve("owners.csv"), false, false, 1, 0.3, 10, "o@x.example");
        assertThatThrownBy(() -> BackfillInputs.load(r)).isInstanceOf(BackfillInputException.class)
                .hasMessageContaining("zones.list:2: 'bad..example' is not a valid zone name").hasMessageContaining("zones.list:3: 'xxx");

        Files.writeString(dir.resolve("named.conf"), "zone \"ok.example\" { type primary; file \"db.ok\"; };\nzone \"bad..example\" { type primary; file \"db.bad\"; };\n");
        assertThatThrownBy(() -> BackfillInputs.load(request(dir.resolve("named.conf"), null))).isInstanceOf(BackfillInputException.class)
                .hasMessageContaining("named.conf:2").hasMessageContaining("\"bad..example\" is not a valid domain name");

        Files.writeString(dir.resolve("owners.csv"), "zone,owner,email\nbad..example,acme,a@example.com\n");
        assertThatThrownBy(() -> OwnersCsv.read(dir.resolve("owners.csv"))).isInstanceOf(BackfillInputException.class)
                .hasMessageContaining("owners.csv:2: 'bad..example' is not a valid zone name");
    }

    @Test
    void aByteOrderMarkBeforeTheHeaderIsNotPartOfIt() throws Exception {
        // What Excel's "CSV UTF-8" and Windows Notepad write.
        Files.write(dir.resolve("owners.csv"), ("\uFEFFzone,owner,email\nexample.com,acme,a@example.com\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(OwnersCsv.read(dir.resolve("owners.csv")).ownerOf("example.com.")).isEqualTo("acme");
        Files.write(dir.resolve("zones.list"), "\uFEFFexample.com db.example.com\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var r = new BackfillRequest(null, null, dir, dir.resolve("zones.list"), dir.resolve("owners.csv"), false, false, 1, 0.3, 10, "o@x.example");
        assertThat(BackfillInputs.load(r).zones()).extracting(ZoneSpec::zone).containsExactly("example.com.");
    }
}
