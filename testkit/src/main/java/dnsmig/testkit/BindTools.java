package dnsmig.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * BIND's own tools as test oracles, run at test time. They never resolve names through the
 * system resolver ({@code -i local}: no out-of-zone lookups). A missing tool fails the test
 * with what to install; it is never skipped silently.
 */
public final class BindTools {

    private BindTools() {}

    /**
     * {@code named-compilezone -i local -k ignore -n ignore -s full -o - ORIGIN FILE}, run from
     * {@code workDir} (relative $INCLUDEs resolve there, as in named): BIND's reading of the zone,
     * one absolute record per line. Throws with BIND's messages when BIND refuses the zone.
     */
    public static String compileZone(Path workDir, String origin, String file) {
        Result r = run(workDir, List.of("named-compilezone", "-q", "-i", "local", "-k", "ignore", "-n", "ignore", "-s", "full", "-o", "-", origin, file));
        if (r.exit() != 0) {
            throw new AssertionError("named-compilezone refused " + file + " (" + origin + "): " + r.err() + r.out());
        }
        return r.out();
    }

    /** Whether BIND accepts the zone ({@code named-checkzone -i local}). */
    public static boolean accepts(Path workDir, String origin, String file) {
        return run(workDir, List.of("named-checkzone", "-q", "-i", "local", "-k", "ignore", "-n", "ignore", origin, file)).exit() == 0;
    }

    /** What a tool printed and how it exited. */
    public record Result(int exit, String out, String err) {}

    public static Result run(Path workDir, List<String> command) {
        try {
            Path out = Files.createTempFile("bindtool", ".out");
            Path err = Files.createTempFile("bindtool", ".err");
            try {
                Process p;
                try {
                    p = new ProcessBuilder(new ArrayList<>(command)).directory(workDir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                } catch (IOException e) {
                    throw new AssertionError(command.get(0) + " is not installed: apt-get install bind9-utils (scripts/test and ./dnsmig install it when missing)", e);
                }
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(command + " did not finish within 60 s");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
