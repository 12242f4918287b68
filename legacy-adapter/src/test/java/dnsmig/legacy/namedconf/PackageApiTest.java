package dnsmig.legacy.namedconf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Only the API other modules use is public; everything else stays package-private. */
class PackageApiTest {

    @Test
    void onlyTheApiIsPublic() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(NamedConf.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dnsmig/legacy/namedconf");
        try (Stream<Path> files = Files.list(classes)) {
            var publicTypes = new java.util.TreeSet<String>();
            for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                Class<?> type = Class.forName("dnsmig.legacy.namedconf." + name);
                if (Modifier.isPublic(type.getModifiers())) {
                    publicTypes.add(name);
                }
            }
            assertThat(publicTypes).containsExactly("NamedConf", "NamedConfException", "TsigKey", "ZoneDecl");
        }
    }
}
