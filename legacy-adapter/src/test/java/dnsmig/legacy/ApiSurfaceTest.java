package dnsmig.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Only LegacyDns's API is public in dnsmig.legacy; the implementations and their helpers are package-private. */
class ApiSurfaceTest {

    @Test
    void onlyTheApiIsPublic() throws Exception {
        Path classes = Path.of(LegacyDns.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve("dnsmig/legacy");
        TreeSet<String> publicTypes = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().contains("$")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                if (Modifier.isPublic(Class.forName("dnsmig.legacy." + name).getModifiers())) {
                    publicTypes.add(name);
                }
            }
        }
        assertThat(publicTypes).containsExactly("ChangeSet", "Failure", "Health", "LegacyDns", "LegacyResilience", "LegacyServer", "LegacyWrite", "LocalNamed",
                "RRsetChange", "ReadOutcome", "Rndc", "Serials", "WriteOutcome");
    }
}
