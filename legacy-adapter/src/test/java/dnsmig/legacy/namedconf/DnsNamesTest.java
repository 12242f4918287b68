package dnsmig.legacy.namedconf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DnsNamesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "Example.COM.  | example.com",      // case and trailing dot
            "example.com   | example.com",
            ".             | .",                // the root
            "@             | .",                // the root, as the origin
            "a\\.          | a\\.",             // an escaped dot is part of the label, not the end
            "a\\\\.        | a\\\\",            // an escaped backslash, then the trailing dot
            "A\\065b.Test  | a\\065b.test",     // escapes are kept as written
            "ÄB.test       | Äb.test",          // only ASCII letters are folded, as in DNS
    })
    void displayNames(String written, String display) {
        assertThat(DnsNames.display(written)).isEqualTo(display);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "Example.COM.  | example.com",
            "a\\046b       | A\\.B",
            "a\\065        | aA",
            "@             | .",
            "a\\ b         | a\\032b",
    })
    void spellingsOfTheSameName(String one, String other) {
        assertThat(DnsNames.canonical(one)).isEqualTo(DnsNames.canonical(other));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a..b        | empty label",
            ".a          | empty label",
            "a\\         | lone backslash",
            "a\\25       | exactly three digits",
            "a\\256      | above 255",
    })
    void invalidNames(String written, String reason) {
        assertThatIllegalArgumentException().isThrownBy(() -> DnsNames.canonical(written))
                .withMessageContaining(reason);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"in, IN", "CHAOS, CH", "ch, CH", "hesiod, HS", "CLASS1, IN", "class3, CH", "CLASS42, CLASS42",
            "ANY, ANY", "NONE, NONE"})
    void classes(String written, String mnemonic) {
        assertThat(DnsNames.dnsClass(written)).isEqualTo(mnemonic);
    }

    @ParameterizedTest
    @CsvSource({"foo", "CLASS", "CLASS65536", "CLASS-1", "CLASS12345678901"})
    void notClasses(String written) {
        assertThat(DnsNames.dnsClass(written)).isNull();
    }
}
