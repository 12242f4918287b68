package dnsmig.legacy.namedconf;

import static dnsmig.legacy.namedconf.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each way a configuration can be broken gives an error naming the file, line and column where
 * the operator has to look, and the problem in words. BIND must refuse the same configuration.
 */
class ErrorReportingTest {

    @TempDir
    Path tmp;

    /** {@code named.conf} first; {@code %d} in a file's text stands for the temporary directory. */
    private static Map<String, String> files(String... nameAndText) {
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 0; i < nameAndText.length; i += 2) {
            files.put(nameAndText[i], nameAndText[i + 1]);
        }
        return files;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("unterminated string", files("named.conf", """
                        zone "x" {
                          type master;
                          file "db.x;
                        };
                        """), "named.conf", 3, 8, "unterminated quoted string: the '\"' here has no closing '\"'"),
                Arguments.of("unterminated comment, in an included file", files(
                        "named.conf", "include \"inc.conf\";\n",
                        "inc.conf", "zone \"x\" { type master; file \"d\"; };\n/* never\nclosed\n"),
                        "inc.conf", 2, 1, "unterminated comment: the '/*' here has no closing '*/'"),
                Arguments.of("unterminated block", files("named.conf", """
                        options {
                          directory "/tmp";
                        zone "x" { type master; file "d"; };
                        """), "named.conf", 1, 9, "the '{' of the options statement is never closed"),
                Arguments.of("missing ';' after a zone statement", files("named.conf", """
                        zone "a.test" { type master; file "a"; }
                        zone "b.test" { type master; file "b"; };
                        """), "named.conf", 1, 41,
                        "missing ';' after zone \"a.test\" statement; found 'zone' on line 2"),
                Arguments.of("missing ';' at the end of the file", files("named.conf",
                        "zone \"x\" { type master; file \"d\"; }"), "named.conf", 1, 36,
                        "missing ';' after zone \"x\" statement; found the end of the file"),
                Arguments.of("missing ';' inside a zone", files("named.conf", """
                        zone "x" {
                            type master
                            file "d";
                        };
                        """), "named.conf", 2, 16, "missing ';' after 'type master'; found 'file' on line 3"),
                Arguments.of("missing ';' in an unknown statement", files("named.conf", """
                        logging {
                            category default { null; }
                        };
                        """), "named.conf", 2, 31, "missing ';' after 'category'; found '}' on line 3"),
                Arguments.of("a '}' too many", files("named.conf", """
                        zone "x" { type master; file "d"; };
                        };
                        """), "named.conf", 2, 1, "unexpected '}'"),
                Arguments.of("include loop", files(
                        "named.conf", "include \"a.conf\";\n",
                        "a.conf", "\ninclude \"b.conf\";\n",
                        "b.conf", "include \"a.conf\";\n"),
                        "b.conf", 1, 9, "include loop: %d/named.conf -> %d/a.conf -> %d/b.conf -> %d/a.conf again"),
                Arguments.of("a file including itself", files("named.conf", "include \"named.conf\";\n"),
                        "named.conf", 1, 9, "include loop: %d/named.conf -> %d/named.conf again"),
                Arguments.of("missing include", files("named.conf", """
                        options { version "none"; };

                        include "zones/customers.conf";
                        """), "named.conf", 3, 9, "include file not found: %d/zones/customers.conf"),
                Arguments.of("missing include, named in an included file", files(
                        "named.conf", "include \"a.conf\";\n",
                        "a.conf", "zone \"x\" { type master; file \"d\"; };\ninclude \"gone.conf\";\n"),
                        "a.conf", 2, 9, "include file not found: %d/gone.conf"),
                Arguments.of("include of a directory", files(
                        "named.conf", "include \"zones\";\n",
                        "zones/a.conf", "zone \"x\" { type master; file \"d\"; };\n"),
                        "named.conf", 1, 9, "include \"zones\" names %d/zones, which is a directory, not a file"),
                Arguments.of("unknown zone type", files("named.conf", "zone \"x\" { type mastr; file \"d\"; };\n"),
                        "named.conf", 1, 17, "zone \"x\": unknown zone type 'mastr'"),
                Arguments.of("zone without type", files("named.conf", "\n  zone \"x\" { file \"d\"; };\n"),
                        "named.conf", 2, 3, "zone \"x\" has no 'type'"),
                Arguments.of("the same zone in two files", files(
                        "named.conf", "zone \"x.test\" { type master; file \"a\"; };\ninclude \"more.conf\";\n",
                        "more.conf", "zone \"X.TEST.\" { type master; file \"b\"; };\n"),
                        "more.conf", 1, 6,
                        "zone \"X.TEST.\" is declared twice in the configuration; the first is at %d/named.conf:1"),
                Arguments.of("a zone outside the views", files("named.conf", """
                        view "v" { zone "y" { type master; file "d"; }; };
                        zone "x" { type master; file "d"; };
                        """), "named.conf", 2, 1, "zone \"x\" is outside any view"),
                Arguments.of("an invalid zone name", files("named.conf", "zone \"a..b\" { type master; file \"d\"; };"),
                        "named.conf", 1, 6, "the name of zone \"a..b\" is not a valid domain name: it has an empty label"),
                Arguments.of("file not quoted", files("named.conf", "zone \"x\" { type master; file d; };"),
                        "named.conf", 1, 30, "zone \"x\": expected a quoted file name after 'file', found 'd'"),
                Arguments.of("a stray character", files("named.conf", "/* a */ */\n"),
                        "named.conf", 1, 9, "'*' is not a statement name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void namesTheFileLineAndProblem(String why, Map<String, String> files, String expectedFile, int line, int column,
            String problem) {
        files.forEach((name, text) -> write(tmp.resolve(name), text));
        Path conf = tmp.resolve("named.conf");
        String expectedProblem = problem.replace("%d", tmp.toString());

        NamedConfException e = catchThrowableOfType(NamedConfException.class, () -> NamedConf.read(conf));

        assertThat(e).as("NamedConf must refuse this configuration").isNotNull();
        assertThat(e.file()).isEqualTo(tmp.resolve(expectedFile));
        assertThat(e.line()).as("line of: %s", e.getMessage()).isEqualTo(line);
        assertThat(e.column()).as("column of: %s", e.getMessage()).isEqualTo(column);
        assertThat(e.problem()).startsWith(expectedProblem);
        assertThat(e.getMessage()).isEqualTo(tmp.resolve(expectedFile) + ":" + line + ":" + column + ": " + e.problem());
        assertThat(BindCheckconf.check(conf, tmp).ok()).as("BIND refuses it too").isFalse();
    }

    @Test
    void aMissingTopLevelFileIsNamed() {
        Path conf = tmp.resolve("etc/named.conf");

        NamedConfException e = catchThrowableOfType(NamedConfException.class, () -> NamedConf.read(conf));

        assertThat(e.file()).isEqualTo(conf);
        assertThat(e.line()).isZero();
        assertThat(e.getMessage()).isEqualTo(conf + ": cannot read the configuration: no such file");
        assertThat(BindCheckconf.check(conf, tmp).ok()).isFalse();
    }

    @Test
    void aMissingRelativeIncludeSaysWhichDirectoryItWasResolvedAgainst() {
        write(tmp.resolve("etc/named.conf"), """
                options { directory "%s"; };
                include "named.conf.local";
                """.formatted(tmp.resolve("cache")));
        write(tmp.resolve("etc/named.conf.local"), "zone \"x\" { type master; file \"d\"; };\n");

        NamedConfException e = catchThrowableOfType(NamedConfException.class,
                () -> NamedConf.read(tmp.resolve("etc/named.conf")));

        assertThat(e.getMessage()).isEqualTo(tmp.resolve("etc/named.conf") + ":2:9: include file not found: "
                + tmp.resolve("cache/named.conf.local") + " (a relative include is resolved against the directory "
                + "named is working in at this point: " + tmp.resolve("cache") + ")");
        assertThat(BindCheckconf.check(tmp.resolve("etc/named.conf"), tmp.resolve("etc")).ok()).isFalse();
    }
}
