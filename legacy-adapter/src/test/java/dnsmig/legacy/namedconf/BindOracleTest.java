package dnsmig.legacy.namedconf;

import static dnsmig.legacy.namedconf.ConfigFiles.write;
import static dnsmig.legacy.namedconf.ConfigFiles.zoneFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole configurations, compared with what BIND makes of them: the zone list of
 * {@code named-checkconf -l} (name, class, view, type, in BIND's order) and the zone files
 * {@code named-checkconf -z} loads (told apart by SOA serial).
 */
class BindOracleTest {

    @TempDir
    Path tmp;

    private static final String TRANSFER_SECRET = "c2VjcmV0LXRyYW5zZmVyLWtleS0wMTIzNDU2Nzg5YWI=";

    @Test
    void aProviderStyleConfigurationListsTheZonesBindSees() throws NamedConfException {
        Path etc = tmp.resolve("etc/bind");
        Path data = tmp.resolve("var/named");
        write(etc.resolve("named.conf"), """
                /*
                 * A hosting provider's named.conf: options and keys first, customer zones from a glob.
                 */
                include "named.conf.options";   # read before 'directory' is set: relative to the working directory
                include "%1$s/named.conf.keys"; // absolute
                include "%1$s/zones/*.conf";
                zone "." { type hint; file "%1$s/root.hints"; };
                """.formatted(etc));
        write(etc.resolve("named.conf.options"), """
                acl "trusted" { 127.0.0.1; ::1; !10.0.0.0/8; { 192.0.2.0/24; 198.51.100.0/24; }; key "transfer-key"; };
                options {
                    directory "../../var/named";  // relative to the working directory
                    listen-on port 53 { 127.0.0.1; };
                    allow-transfer { "trusted"; };
                    also-notify { 127.0.0.2 port 5300; };
                    response-policy { zone "rpz.local"; };  # 'zone' here is no zone statement
                    rrset-order { class IN type A name "host.example" order random; order cyclic; };
                    version "a /* not a comment */ // nor this, \\"quoted\\" # nor this";  /* a comment */
                    check-names primary ignore;
                    max-cache-size 10%;
                };
                logging {
                    channel default_log { file "/dev/null" versions 3 size 5m; severity info; print-time yes; };
                    category default { default_log; };
                    category lame-servers { null; };
                };
                controls { inet 127.0.0.1 port 953 allow { 127.0.0.1; } keys { "rndc-key"; }; };
                statistics-channels { inet 127.0.0.1 port 8053 allow { 127.0.0.1; }; };
                dnssec-policy "standard" {
                    keys { ksk lifetime unlimited algorithm ecdsap256sha256; zsk lifetime P90D algorithm ecdsap256sha256; };
                    nsec3param iterations 0 optout no salt-length 0;
                };
                primaries "upstream" { 127.0.0.1 key "transfer-key"; };
                server 127.0.0.3 { keys { "transfer-key"; }; };
                """);
        write(etc.resolve("named.conf.keys"), """
                key "transfer-key" { algorithm hmac-sha256; secret "%s"; };
                key rndc-key {
                    algorithm "HMAC-SHA256";
                    secret "cm5kYy1zZWNy
                            ZXQ=";            // base64 may be split by white space
                };
                """.formatted(TRANSFER_SECRET));
        write(etc.resolve("zones/a-customers.conf"), """
                zone "Example.COM." { type master; file "db.example.com"; };     // master, upper case, trailing dot
                zone example.net { type primary; file "db.example.net"; allow-update { key "transfer-key"; }; };
                zone "a\\.dotted\\"label.test" { type master; file "db.dotted"; };
                zone "2.0.192.in-addr.arpa" IN { type master; file "db.192.0.2"; notify explicit; };
                zone "rpz.local" { type primary; file "db.rpz"; };
                zone "mirror.test" { type slave; masters { 127.0.0.1; }; file "secondaries/db.mirror"; };
                zone "sec.test" { type secondary; primaries { upstream; }; };
                zone "fwd.test" { type forward; forwarders { 127.0.0.1; }; };
                zone "stub.test" { type stub; primaries { 127.0.0.1; }; file "db.stub"; };
                zone "ss.test" { type static-stub; server-addresses { 127.0.0.1; }; };
                """);
        write(etc.resolve("zones/b-more.conf"), """
                zone "with-include.test" {
                    type primary;
                    include "%s/zone-options.conf";  // include inside a zone block
                    file "db.with-include";
                };
                """.formatted(etc));
        write(etc.resolve("zone-options.conf"), "allow-query { any; };\nnotify yes;\n");
        write(etc.resolve("zones/.hidden.conf"), "zone \"hidden.test\" { type primary; file \"db.hidden\"; };\n");
        write(etc.resolve("root.hints"), ". 3600 NS a.root.test.\na.root.test. 3600 A 127.0.0.1\n");
        zoneFile(data.resolve("db.example.com"), 11);
        zoneFile(data.resolve("db.example.net"), 12);
        zoneFile(data.resolve("db.dotted"), 13);
        zoneFile(data.resolve("db.192.0.2"), 14);
        zoneFile(data.resolve("db.rpz"), 15);
        zoneFile(data.resolve("db.with-include"), 16);
        zoneFile(etc.resolve("db.example.com"), 91); // decoys where a wrong resolution would look
        zoneFile(etc.resolve("db.example.net"), 92);

        NamedConf named = NamedConf.read(etc.resolve("named.conf"));

        assertThat(named.directory()).isEqualTo(tmp.resolve("etc/bind/../../var/named"));
        assertThat(named.zones()).map(BindCheckconf::listed)
                .containsExactlyElementsOf(BindCheckconf.listZones(etc.resolve("named.conf"), etc));
        assertThat(named.primaryZones()).map(z -> BindCheckconf.serialOf(z.file()))
                .containsExactlyElementsOf(BindCheckconf.loadedSerials(etc.resolve("named.conf"), etc))
                .containsExactly(16L, 11L, 12L, 13L, 14L, 15L);
        // Stated outright too, so that a change in both BIND and us cannot slip through unnoticed.
        assertThat(named.zones()).extracting(ZoneDecl::name, ZoneDecl::type).containsExactly(
                tuple("with-include.test", "primary"),
                tuple("example.com", "primary"),
                tuple("example.net", "primary"),
                tuple("a\\.dotted\"label.test", "primary"),
                tuple("2.0.192.in-addr.arpa", "primary"),
                tuple("rpz.local", "primary"),
                tuple("mirror.test", "secondary"),
                tuple("sec.test", "secondary"),
                tuple("fwd.test", "forward"),
                tuple("stub.test", "stub"),
                tuple("ss.test", "static-stub"),
                tuple(".", "hint"));
        ZoneDecl mirror = named.zones().get(6);
        assertThat(mirror.file()).isEqualTo(named.directory().resolve("secondaries/db.mirror"));
        assertThat(mirror.declaredIn()).isEqualTo(etc.resolve("zones/a-customers.conf"));
        assertThat(mirror.line()).isEqualTo(6);
        assertThat(named.zones().get(7).file()).isNull();
        assertThat(named.zones()).allSatisfy(z -> assertThat(z.view()).isNull())
                .allSatisfy(z -> assertThat(z.dnsClass()).isEqualTo("IN"));
        assertThat(named.keys()).extracting(TsigKey::name, TsigKey::algorithm)
                .containsExactly(tuple("transfer-key", "hmac-sha256"), tuple("rndc-key", "hmac-sha256"));
        assertThat(named.keys().get(1).secret()).asString().isEqualTo("rndc-secret");
    }

    @Test
    void viewsClassesAndInViewMatchBind() throws NamedConfException {
        Path dir = tmp.resolve("views");
        write(dir.resolve("named.conf"), """
                key "internal-key" { algorithm hmac-sha512; secret "aW50ZXJuYWwta2V5LXNlY3JldA=="; };
                view "internal" IN {
                    match-clients { key "internal-key"; 127.0.0.0/8; };
                    key "view-key" { algorithm hmac-sha1; secret "dmlldy1rZXk="; };
                    include "internal-zones.conf";
                    zone "shared.test" { type master; file "db.shared"; };
                };
                view external {
                    match-clients { any; };
                    zone "shared.test" { in-view "internal"; };
                    zone "external-only.test" { type primary; file "db.external"; };
                    zone "." { type hint; file "root.hints"; };
                };
                view "chaos" chaos {
                    match-clients { any; };
                    zone "bind" { type master; file "db.bind"; allow-query { any; }; };
                    zone "version.test" CH { type primary; file "db.version"; };
                };
                """);
        write(dir.resolve("internal-zones.conf"), """
                zone "Internal.Test" { type master; file "db.internal"; };
                zone "10.in-addr.arpa" { type master; file "db.10"; };
                """);
        write(dir.resolve("root.hints"), ". 3600 NS a.root.test.\na.root.test. 3600 A 127.0.0.1\n");
        zoneFile(dir.resolve("db.internal"), 21);
        zoneFile(dir.resolve("db.10"), 22);
        zoneFile(dir.resolve("db.shared"), 23);
        zoneFile(dir.resolve("db.external"), 24);
        write(dir.resolve("db.bind"), "$TTL 300\n@ CH SOA ns hostmaster 25 3600 600 86400 300\n@ CH NS ns\n");
        write(dir.resolve("db.version"), "$TTL 300\n@ CH SOA ns hostmaster 26 3600 600 86400 300\n@ CH NS ns\n");

        NamedConf named = NamedConf.read(dir.resolve("named.conf"));

        assertThat(named.zones()).map(BindCheckconf::listed)
                .containsExactlyElementsOf(BindCheckconf.listZones(dir.resolve("named.conf"), dir));
        assertThat(named.primaryZones()).map(z -> BindCheckconf.serialOf(z.file()))
                .containsExactlyElementsOf(BindCheckconf.loadedSerials(dir.resolve("named.conf"), dir));
        assertThat(named.zones()).extracting(ZoneDecl::name, ZoneDecl::dnsClass, ZoneDecl::view, ZoneDecl::type)
                .containsExactly(
                        tuple("internal.test", "IN", "internal", "primary"),
                        tuple("10.in-addr.arpa", "IN", "internal", "primary"),
                        tuple("shared.test", "IN", "internal", "primary"),
                        tuple("shared.test", "IN", "external", "in-view"),
                        tuple("external-only.test", "IN", "external", "primary"),
                        tuple(".", "IN", "external", "hint"),
                        tuple("bind", "CH", "chaos", "primary"),
                        tuple("version.test", "CH", "chaos", "primary"));
        assertThat(named.zones().get(3).file()).isNull();
        assertThat(named.zones().get(0).declaredIn()).isEqualTo(dir.resolve("internal-zones.conf"));
        assertThat(named.primaryZones()).extracting(ZoneDecl::name).containsExactly(
                "internal.test", "10.in-addr.arpa", "shared.test", "external-only.test", "bind", "version.test");
        assertThat(named.keys()).extracting(TsigKey::name).containsExactly("internal-key", "view-key");
    }

    @Test
    void globIncludesAreReadInBindsOrderWhichIsReverseSorted() throws NamedConfException {
        Path dir = tmp.resolve("glob");
        write(dir.resolve("named.conf"), """
                include "zones.d/*.conf";
                include "exact.d/n\\.conf";     // a backslash quotes the next character
                include "exact.d/[[]x].conf";    // a bracket expression matching '['
                """);
        for (String name : List.of("B2", "a", "b", "a1", "_z", "{a,b}")) {
            write(dir.resolve("zones.d/" + name + ".conf"),
                    "zone \"" + name.replaceAll("[^A-Za-z0-9]", "-") + ".glob.test\" { type primary; file \"db\"; };\n");
        }
        write(dir.resolve("zones.d/.hidden.conf"), "zone \"hidden.test\" { type primary; file \"db\"; };\n");
        write(dir.resolve("zones.d/not-conf.txt"), "zone \"txt.test\" { type primary; file \"db\"; };\n");
        write(dir.resolve("exact.d/n.conf"), "zone \"escaped.test\" { type primary; file \"db\"; };\n");
        write(dir.resolve("exact.d/[x].conf"), "zone \"bracket.test\" { type primary; file \"db\"; };\n");

        NamedConf named = NamedConf.read(dir.resolve("named.conf"));

        assertThat(named.zones()).map(BindCheckconf::listed)
                .containsExactlyElementsOf(BindCheckconf.listZones(dir.resolve("named.conf"), dir));
        assertThat(named.zones()).extracting(ZoneDecl::name).containsExactly(
                "-a-b-.glob.test", "b.glob.test", "a1.glob.test", "a.glob.test", "-z.glob.test", "b2.glob.test",
                "escaped.test", "bracket.test");
    }

    @Test
    void zonesSpreadOverSeveralIncludeLevelsKeepTheirFileAndLine() throws NamedConfException {
        Path dir = tmp.resolve("levels");
        write(dir.resolve("named.conf"), "include \"l1/one.conf\";\nzone \"top.test\" { type primary; file \"db\"; };\n");
        write(dir.resolve("l1/one.conf"), "\n\ninclude \"l1/l2/two.conf\";\nzone \"one.test\" { type primary; file \"db\"; };\n");
        write(dir.resolve("l1/l2/two.conf"), "# level two\ninclude \"l1/l2/l3/three.conf\";\n  zone \"two.test\" { type primary; file \"db\"; };\n");
        write(dir.resolve("l1/l2/l3/three.conf"), "zone \"three.test\" { type primary; file \"db\"; };\n");

        NamedConf named = NamedConf.read(dir.resolve("named.conf"));

        assertThat(named.zones()).extracting(ZoneDecl::name, ZoneDecl::declaredIn, ZoneDecl::line).containsExactly(
                tuple("three.test", dir.resolve("l1/l2/l3/three.conf"), 1),
                tuple("two.test", dir.resolve("l1/l2/two.conf"), 3),
                tuple("one.test", dir.resolve("l1/one.conf"), 4),
                tuple("top.test", dir.resolve("named.conf"), 2));
        assertThat(named.zones()).map(BindCheckconf::listed)
                .containsExactlyElementsOf(BindCheckconf.listZones(dir.resolve("named.conf"), dir));
    }
}
