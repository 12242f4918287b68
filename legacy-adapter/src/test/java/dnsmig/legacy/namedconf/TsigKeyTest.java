package dnsmig.legacy.namedconf;

import static dnsmig.legacy.namedconf.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** TSIG keys from named.conf and from the key files BIND's tools write; the secret never shows. */
class TsigKeyTest {

    @TempDir
    Path tmp;

    /** base64 of "SECRETVALUE": the text that must never appear in a message. */
    private static final String SECRET = "U0VDUkVUVkFMVUU=";
    private static final String MARK = "U0VDUkVUVkFMVUU";

    @ParameterizedTest(name = "tsig-keygen -a {0}")
    @CsvSource({"hmac-sha256, 32", "hmac-sha512, 64", "hmac-sha1, 20", "hmac-md5, 16"})
    void readsKeyFilesWrittenByTsigKeygen(String algorithm, int secretLength) throws NamedConfException {
        Path keygen = BindCheckconf.findTool("tsig-keygen", "bind9");
        BindCheckconf.Run run = BindCheckconf.exec(tmp, List.of(keygen.toString(), "-a", algorithm, "transfer.example."));
        assertThat(run.ok()).as(run.stderr()).isTrue();
        Path keyFile = write(tmp.resolve("transfer.key"), run.stdout());
        Matcher secret = Pattern.compile("secret \"([^\"]+)\";").matcher(run.stdout());
        assertThat(secret.find()).as(run.stdout()).isTrue();

        List<TsigKey> keys = NamedConf.read(keyFile).keys();

        assertThat(keys).hasSize(1);
        TsigKey key = keys.get(0);
        assertThat(key.name()).isEqualTo("transfer.example.");
        assertThat(key.algorithm()).isEqualTo(algorithm);
        assertThat(key.secret()).hasSize(secretLength).isEqualTo(Base64.getDecoder().decode(secret.group(1)));
        assertThat(key.toString()).doesNotContain(secret.group(1));
        assertThat(BindCheckconf.check(keyFile, tmp).ok()).as("BIND accepts the key file as a configuration").isTrue();
    }

    @Test
    void keyFilesIncludedFromNamedConfAreFound() throws NamedConfException {
        write(tmp.resolve("keys/ddns.key"), "key \"ddns-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + SECRET + "\";\n};\n");
        write(tmp.resolve("named.conf"), "include \"keys/ddns.key\";\nzone \"x\" { type primary; file \"d\"; "
                + "update-policy { grant ddns-key zonesub ANY; }; };\n");

        NamedConf named = NamedConf.read(tmp.resolve("named.conf"));

        assertThat(named.keys()).singleElement().satisfies(k -> {
            assertThat(k.name()).isEqualTo("ddns-key");
            assertThat(new String(k.secret(), StandardCharsets.US_ASCII)).isEqualTo("SECRETVALUE");
        });
        assertThat(named.toString()).doesNotContain(MARK).doesNotContain("SECRETVALUE");
    }

    @Test
    void theSecretIsCopiedInAndOutAndNotShown() {
        byte[] bytes = "SECRETVALUE".getBytes(StandardCharsets.US_ASCII);
        TsigKey key = new TsigKey("k", "hmac-sha256", bytes);
        bytes[0] = 'X';
        key.secret()[1] = 'X';

        assertThat(new String(key.secret(), StandardCharsets.US_ASCII)).isEqualTo("SECRETVALUE");
        assertThat(key).hasToString("TsigKey[name=k, algorithm=hmac-sha256, secret=(redacted)]");
        assertThat(key).isEqualTo(new TsigKey("k", "hmac-sha256", "SECRETVALUE".getBytes(StandardCharsets.US_ASCII)))
                .isNotEqualTo(new TsigKey("k", "hmac-sha256", "SECRETVALUX".getBytes(StandardCharsets.US_ASCII)))
                .hasSameHashCodeAs(new TsigKey("k", "hmac-sha256", new byte[] {1}));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "key \"k\" { algorithm hmac-sha256; secret \"" + SECRET + "\" };",
            "key \"k\" { algorithm hmac-sha256; secret \"" + SECRET + "\" \"more\"; };",
            "key \"k\" { algorithm hmac-sha256; secret " + MARK + "x extra; };",
            "key \"k\" { algorithm hmac-sha256; secret \"" + MARK + "!\"; };",
            "key \"k\" { algorithm hmac-sha256; secret \"" + MARK + "\"; };",
            "key \"k\" { algorithm hmac-sha256; \"" + SECRET + "\"; };",
            "key \"k\" { algorithm hmac-sha256; " + MARK + "+/x; };",
            "key \"k\" { algorithm hmac-sha256; " + MARK + " x }; };",
            "key \"k\" { secret \"" + SECRET + "\"; algorithm hmac-foo; };",
            "key \"k\" { secret \"" + SECRET + "\"; };",
            "key \"k\" \"" + SECRET + "\" { algorithm hmac-sha256; };",
            "key \"k\" { algorithm " + SECRET + "; secret \"" + SECRET + "\"; };",
            "key \"k\" { algorithm hmac-sha256; secret \"" + SECRET + "\";",
            "key \"k\" { algorithm hmac-sha256; secret \"" + SECRET + "; };",
            "key \"k\" { algorithm hmac-sha256; secret \"" + SECRET + "\"; }; key \"k\" { algorithm hmac-sha256; secret \""
                    + SECRET + "\"; };",
    })
    void errorsInKeyStatementsNeverShowTheSecret(String conf) {
        Path file = write(tmp.resolve("named.conf"), conf);

        NamedConfException e = catchThrowableOfType(NamedConfException.class, () -> NamedConf.read(file));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("named.conf:1:").doesNotContainIgnoringCase(MARK)
                .doesNotContainIgnoringCase("SECRETVALUE");
        assertThat(BindCheckconf.check(file, tmp).ok()).as("BIND refuses it too").isFalse();
    }
}
