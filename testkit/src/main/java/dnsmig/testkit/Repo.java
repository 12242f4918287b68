package dnsmig.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where things are in the repository and beside it, for tests in any module. */
public final class Repo {

    private Repo() {}

    /** The repository root (the directory holding the parent pom and {@code samples/}). */
    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("samples")) && Files.exists(p.resolve("mvnw"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("not inside the dnsmig repository: " + Path.of("").toAbsolutePath());
    }

    /** The bundled sample provider (named.conf, zones, owners.csv) used by the demo. */
    public static Path samples() {
        return root().resolve("samples");
    }

    /** The shared zone corpus ({@code dnsmig.corpus} property, else ../shared/corpus/zones). Never copied into the project. */
    public static Path corpus() {
        String p = System.getProperty("dnsmig.corpus");
        Path dir = p != null ? Path.of(p) : root().resolve("../shared/corpus/zones");
        return dir.normalize();
    }

    /** The shared benchmark tools (zone generator). */
    public static Path sharedBench() {
        return root().resolve("../shared/bench").normalize();
    }
}
