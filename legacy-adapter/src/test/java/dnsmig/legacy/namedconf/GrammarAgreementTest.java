package dnsmig.legacy.namedconf;

import static dnsmig.legacy.namedconf.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Small configurations on the edges of BIND's grammar. For each, BIND ({@code named-checkconf -l})
 * and {@link NamedConf} must agree on whether it is valid, and when it is, on the zones. The
 * second column says what BIND decides, so that a case whose verdict changes is noticed.
 */
class GrammarAgreementTest {

    @TempDir
    Path tmp;

    static Stream<Arguments> cases() {
        return Stream.of(
                // --- comments and the lexer
                accepts("shell, C++ and C comments", """
                        # shell
                        // C++
                        /* C
                           on two lines */ zone "x" { type master; file "d"; }; # trailing
                        """),
                accepts("a // comment right after a word ends it", "zone a//x\n{ type master; file \"d\"; };"),
                accepts("a # comment right after a word ends it", "zone a#x\n{ type master; file \"d\"; };"),
                accepts("a /* */ comment after a quoted string", "zone \"a\"/*x*/{ type master; file \"d\"; };"),
                accepts("a /* */ comment after white space", "zone a /*x*/{ type master; file \"d\"; };"),
                rejects("BIND quirk: a /* */ comment right after a word leaves a '/'",
                        "zone a/*x*/{ type master; file \"d\"; };"),
                rejects("BIND quirk, inside a zone", "zone \"a\" { type master/*x*/; file \"d\"; };"),
                accepts("a /* */ comment before a word", "zone \"a\" { type /*x*/master; file \"d\"; };"),
                accepts("C comments do not nest", "/* a /* b */ zone \"x\" { type master; file \"d\"; };"),
                rejects("so a second */ is left over", "/* a */ */ zone \"x\" { type master; file \"d\"; };"),
                accepts("a comment at the end of the file without a newline",
                        "zone \"x\" { type master; file \"d\"; }; # no newline"),
                accepts("an empty file", ""),
                accepts("only a comment", "// nothing"),
                rejects("an unterminated comment", "zone \"x\" { type master; file \"d\"; }; /* open"),
                rejects("an unterminated string", "zone \"x\" { type master; file \"d; };"),
                accepts("CR LF line ends", "zone \"x\" {\r\n type master;\r\n file \"d\";\r\n};\r\n"),
                accepts("a quoted string over two lines", "options { version \"two\nlines\"; };"
                        + "zone \"x\" { type master; file \"d\"; };"),
                accepts("\\\" in a quoted string, and comment markers in it",
                        "zone \"q\\\"x\" { type master; file \"d /* // # \"; };"),
                accepts("a backslash before another character stays", "zone \"a\\\\b\" { type master; file \"d\"; };"),
                rejects("no escapes in words", "zone foo\\;x { type master; file \"d\"; };"),
                rejects("'!' is special", "zone a!b { type master; file \"d\"; };"),
                rejects("'/' is special", "zone a/b { type master; file \"d\"; };"),
                rejects("a quote ends a word", "zone a\"b\" { type master; file \"d\"; };"),
                // --- statements and semicolons
                rejects("missing ';' after a zone", "zone \"x\" { type master; file \"d\"; }"),
                rejects("missing ';' inside a zone", "zone \"x\" { type master; file \"d\" };"),
                rejects("unterminated zone block", "zone \"x\" { type master; file \"d\";"),
                rejects("an empty statement", ";"),
                rejects("a stray ';' after a statement", "zone \"x\" { type master; file \"d\"; };;"),
                rejects("missing ';' in an unknown block", "options { listen-on { any; } };"),
                rejects("missing ';' in a list", "options { listen-on { any }; };"),
                accepts("keywords ignore case", "ZONE \"x\" { TYPE MASTER; FILE \"d\"; };"),
                accepts("nested anonymous lists, negation and prefixes in an acl",
                        "acl x { !10.0.0.0/8; { 192.0.2.1; 192.0.2.2; }; }; zone \"x\" { type master; file \"d\"; };"),
                accepts("logging channels", "logging { channel c { file \"/dev/null\" versions 2; }; "
                        + "category default { c; }; }; zone \"x\" { type master; file \"d\"; };"),
                // --- zone statement
                rejects("file must be quoted", "zone foo.test { type master; file db; };"),
                rejects("type must not be quoted", "zone \"x\" { type \"master\"; file \"d\"; };"),
                rejects("an unknown type", "zone \"x\" { type bogus; file \"d\"; };"),
                rejects("no type", "zone \"x\" { file \"d\"; };"),
                rejects("type twice", "zone \"x\" { type primary; type secondary; file \"a\"; };"),
                rejects("file twice", "zone \"x\" { type primary; file \"a\"; file \"b\"; };"),
                rejects("a primary zone without file", "zone \"x\" { type primary; };"),
                rejects("a hint zone without file", "zone \"x\" { type hint; };"),
                accepts("a secondary zone without file", "zone \"x\" { type secondary; primaries { 127.0.0.1; }; };"),
                accepts("a primary zone from a database", "zone \"x\" { type master; database \"foo\"; };"),
                accepts("delegation-only (deprecated)", "zone \"x\" { type delegation-only; };"),
                rejects("a redirect zone not at the root", "zone \"x\" { type redirect; };"),
                accepts("a redirect zone at the root", "zone \".\" { type redirect; };"),
                accepts("class CLASS1 is IN", "zone \"x\" CLASS1 { type master; file \"d\"; };"),
                accepts("classes ignore case", "zone \"x\" in { type master; file \"d\"; };"),
                rejects("a class must not be quoted", "zone \"x\" \"IN\" { type master; file \"d\"; };"),
                rejects("class ANY", "zone \"x\" ANY { type master; file \"d\"; };"),
                rejects("a CH zone outside a CH view", "zone \"x\" CH { type master; file \"d\"; };"),
                rejects("not a class", "zone \"x\" foo { type master; file \"d\"; };"),
                // --- zone names
                accepts("@ is the root", "zone \"@\" { type hint; file \"d\"; };"),
                accepts("upper case and a trailing dot", "zone \"Ex.AMPLE.\" { type master; file \"d\"; };"),
                rejects("an empty name", "zone \"\" { type master; file \"d\"; };"),
                rejects("an empty label", "zone \"a..b\" { type master; file \"d\"; };"),
                rejects("two trailing dots", "zone \"a.b..\" { type master; file \"d\"; };"),
                rejects("\\999 is above 255", "zone \"a\\999b\" { type master; file \"d\"; };"),
                rejects("a 64-octet label", "zone \"" + "x".repeat(64) + ".test\" { type master; file \"d\"; };"),
                accepts("a 63-octet label", "zone \"" + "x".repeat(63) + ".test\" { type master; file \"d\"; };"),
                rejects("a 256-octet name", "zone \"" + ("x".repeat(62) + ".").repeat(4) + "abc\" "
                        + "{ type master; file \"d\"; };"),
                rejects("the same zone twice", "zone \"x\" { type master; file \"d\"; }; "
                        + "zone \"X.\" { type master; file \"e\"; };"),
                rejects("the same zone twice, spelt with escapes", "zone \"a\\046b\" { type master; file \"d\"; }; "
                        + "zone \"a\\.B\" { type master; file \"e\"; };"),
                // --- options
                rejects("options twice", "options { directory \"/tmp\"; }; options { directory \"/\"; };"),
                rejects("directory twice", "options { directory \"/tmp\"; directory \"/\"; };"),
                rejects("directory must be quoted", "options { directory tmp; };"),
                // --- views
                accepts("a CH view gives its zones class CH",
                        "view \"v\" CH { zone \"x\" { type master; file \"d\"; }; };"),
                rejects("a zone outside the views", "zone \"x\" { type master; file \"d\"; }; "
                        + "view \"v\" { zone \"y\" { type master; file \"d\"; }; };"),
                rejects("a zone after the views", "view \"v\" { }; zone \"x\" { type master; file \"d\"; };"),
                rejects("a view twice", "view \"b\" { zone \"x\" { type primary; file \"d\"; }; }; "
                        + "view \"b\" { zone \"y\" { type primary; file \"d\"; }; };"),
                rejects("in-view to a later view", "view \"a\" { zone \"x\" { in-view \"b\"; }; }; "
                        + "view \"b\" { zone \"x\" { type primary; file \"d\"; }; };"),
                accepts("in-view to an earlier view", "view \"b\" { zone \"x\" { type primary; file \"d\"; }; }; "
                        + "view \"a\" { zone \"x\" { in-view \"b\"; }; };"),
                rejects("in-view with a type", "view \"b\" { zone \"x\" { type primary; file \"d\"; }; }; "
                        + "view \"a\" { zone \"x\" { in-view \"b\"; type primary; }; };"),
                rejects("in-view to a zone the view lacks", "view \"b\" { zone \"x\" { type primary; file \"d\"; }; }; "
                        + "view \"a\" { zone \"y\" { in-view \"b\"; }; };"),
                // --- keys
                accepts("a key", "key \"k\" { algorithm hmac-sha256; secret \"YWJj\"; };"),
                accepts("a truncated algorithm and a secret with white space",
                        "key \"k\" { algorithm hmac-sha256-128; secret \"YWJjZGVm YWJj\"; };"),
                accepts("algorithm names ignore case", "key \"k\" { algorithm HMAC-SHA1; secret \"YWJj\"; };"),
                accepts("the old md5 name", "key \"k\" { algorithm hmac-md5.sig-alg.reg.int; secret \"YWJj\"; };"),
                accepts("0 digest bits (BIND only warns)", "key \"k\" { algorithm hmac-sha256-0; secret \"YWJj\"; };"),
                rejects("digest bits not a multiple of 8", "key \"k\" { algorithm hmac-sha256-7; secret \"YWJj\"; };"),
                rejects("more digest bits than the hash", "key \"k\" { algorithm hmac-sha256-512; secret \"YWJj\"; };"),
                rejects("digest bits not a number", "key \"k\" { algorithm hmac-sha256-x; secret \"YWJj\"; };"),
                rejects("an unknown algorithm", "key \"k\" { algorithm gss-tsig; secret \"YWJj\"; };"),
                rejects("a secret that is not base64", "key k { algorithm hmac-sha256; secret abc; };"),
                rejects("a secret with stray bits after the last byte",
                        "key \"k\" { algorithm hmac-sha256; secret \"YWJ=\"; };"),
                rejects("no secret", "key \"k\" { algorithm hmac-sha256; };"),
                rejects("a key twice, spelt differently", "key \"k\" { algorithm hmac-sha256; secret \"YWJj\"; }; "
                        + "key \"K.\" { algorithm hmac-sha256; secret \"YWJj\"; };"),
                rejects("a key in a view and at the top", "view \"v\" { key \"k\" { algorithm hmac-sha256; "
                        + "secret \"YWJj\"; }; }; key \"k\" { algorithm hmac-sha256; secret \"YWJj\"; };"),
                rejects("a key name that is no domain name", "key \"a..b\" { algorithm hmac-sha256; secret \"YWJj\"; };"),
                // --- include
                rejects("a missing include", "include \"nonexistent.conf\";"),
                rejects("a glob matching nothing", "include \"nothing-*.conf\";"),
                rejects("include needs a quoted name", "include nonexistent.conf;"));
    }

    private static Arguments accepts(String why, String conf) {
        return Arguments.of(why, true, conf);
    }

    private static Arguments rejects(String why, String conf) {
        return Arguments.of(why, false, conf);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void agreesWithBind(String why, boolean bindAccepts, String conf) {
        Path file = write(tmp.resolve("named.conf"), conf);
        BindCheckconf.Run bind = BindCheckconf.run(tmp, "-l", file.toString());
        assertThat(bind.ok())
                .as("BIND's verdict on this case changed: %s%s", bind.stdout(), bind.stderr())
                .isEqualTo(bindAccepts);

        NamedConf named;
        try {
            named = NamedConf.read(file);
        } catch (NamedConfException e) {
            if (bindAccepts) {
                fail("BIND accepts this configuration, NamedConf refused it: " + e.getMessage());
            }
            assertThat(e.file()).isEqualTo(file);
            assertThat(e.line()).isPositive();
            return;
        }
        if (!bindAccepts) {
            fail("BIND refuses this configuration (" + (bind.stdout() + bind.stderr()).strip()
                    + "), NamedConf read it as " + named.zones());
        }
        List<BindCheckconf.Listed> ours = named.zones().stream().map(BindCheckconf::listed).toList();
        assertThat(ours).containsExactlyElementsOf(BindCheckconf.parseList(bind.stdout()));
    }
}
