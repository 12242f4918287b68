package dnsmig.legacy.namedconf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes test configurations and zone files. */
final class ConfigFiles {

    private ConfigFiles() {
    }

    static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A minimal zone file, valid for any origin, whose SOA serial tells which file BIND loaded. */
    static Path zoneFile(Path file, long serial) {
        return write(file, """
                $TTL 300
                @ IN SOA ns hostmaster %d 3600 600 86400 300
                @ IN NS ns
                ns IN A 127.0.0.1
                """.formatted(serial));
    }

    static Path dir(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
