package dnsmig.legacy.namedconf;

import static dnsmig.legacy.namedconf.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guards BIND lacks (it runs out of file descriptors instead), and what they still allow. */
class IncludeLimitsTest {

    @TempDir
    Path tmp;

    private void chain(int files) {
        for (int i = 0; i < files; i++) {
            String next = i + 1 < files
                    ? "include \"f" + (i + 1) + ".conf\";\n"
                    : "zone \"deep.test\" { type primary; file \"d\"; };\n";
            write(tmp.resolve(i == 0 ? "named.conf" : "f" + i + ".conf"), next);
        }
    }

    @Test
    void sixtyFourLevelsOfIncludesAreRead() throws NamedConfException {
        chain(Parser.MAX_INCLUDE_DEPTH);

        assertThat(NamedConf.read(tmp.resolve("named.conf")).zones()).extracting(ZoneDecl::declaredIn)
                .containsExactly(tmp.resolve("f63.conf"));
    }

    @Test
    void deeperNestingIsRefusedAtTheIncludeThatGoesTooDeep() {
        chain(Parser.MAX_INCLUDE_DEPTH + 1);

        NamedConfException e = catchThrowableOfType(NamedConfException.class,
                () -> NamedConf.read(tmp.resolve("named.conf")));

        assertThat(e.file()).isEqualTo(tmp.resolve("f63.conf"));
        assertThat(e.line()).isEqualTo(1);
        assertThat(e.problem()).isEqualTo("includes are nested more than 64 levels deep");
    }

    @Test
    void theSameFileMayBeIncludedTwiceSideBySide() throws NamedConfException {
        write(tmp.resolve("named.conf"), "options { include \"opts.conf\"; };\nlogging { include \"opts.conf\"; };\n");
        write(tmp.resolve("opts.conf"), "// nothing but a comment\n");

        assertThat(NamedConf.read(tmp.resolve("named.conf")).zones()).isEmpty();
        assertThat(BindCheckconf.check(tmp.resolve("named.conf"), tmp).ok()).isTrue();
    }

    @Test
    void anIncludedFileMayCloseTheBlockItWasIncludedIn() throws NamedConfException {
        // BIND's lexer just switches files, so braces may be split across them; so does ours.
        write(tmp.resolve("named.conf"),
                "zone \"split.test\" {\n  include \"rest.conf\";\nzone \"after.test\" { type primary; file \"a\"; };\n");
        write(tmp.resolve("rest.conf"), "  type primary;\n  file \"split.db\";\n};\n");

        NamedConf named = NamedConf.read(tmp.resolve("named.conf"));

        assertThat(named.zones()).map(BindCheckconf::listed)
                .containsExactlyElementsOf(BindCheckconf.listZones(tmp.resolve("named.conf"), tmp));
        assertThat(named.zones()).extracting(ZoneDecl::name).containsExactly("split.test", "after.test");
        assertThat(named.zones().get(0).file()).isEqualTo(tmp.resolve("split.db"));
    }
}
