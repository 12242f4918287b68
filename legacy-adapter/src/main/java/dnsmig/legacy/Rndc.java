package dnsmig.legacy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * named's control channel through BIND's own {@code rndc}: {@code rndc -s ADDRESS -p PORT -k
 * KEYFILE ...}. The key stays in its file; it is never on a command line or in a message.
 *
 * @param address an IP literal
 * @param keyFile the rndc key in BIND's key-file format ({@code /etc/bind/rndc.key})
 */
public record Rndc(String address, int port, Path keyFile, Duration timeout) {

    public Rndc(String address, int port, Path keyFile) {
        this(address, port, keyFile, Duration.ofSeconds(15));
    }

    /** What rndc printed and whether it succeeded. */
    record Result(boolean ok, String output) {}

    Result run(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("rndc", "-s", address, "-p", Integer.toString(port), "-k", keyFile.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("dnsmig-rndc", ".out");
        try {
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            } catch (IOException e) {
                throw new IOException("cannot run rndc (install bind9-utils): " + e.getMessage(), e);
            }
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    return new Result(false, "rndc " + String.join(" ", args) + " did not finish within " + timeout.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running rndc", e);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8).strip();
            return new Result(p.exitValue() == 0, text);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
