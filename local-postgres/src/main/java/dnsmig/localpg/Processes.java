package dnsmig.localpg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Running the PostgreSQL tools: bounded in time, their output kept for the error message. */
final class Processes {

    private Processes() {}

    /** Runs {@code command}; a non-zero exit or a timeout throws with the tool's own output. */
    static String run(List<String> command, Duration timeout, String what) {
        return run(command, Path.of("/dev/null"), timeout, what);
    }

    /** Runs {@code command} reading {@code input}; a non-zero exit or a timeout throws with the tool's own output. */
    static String run(List<String> command, Path input, Duration timeout, String what) {
        Result r = execute(command, input, timeout, what);
        if (r.exit() != 0) {
            throw new IllegalStateException(what + " failed (exit " + r.exit() + "): " + r.tail());
        }
        return r.output();
    }

    /** What a finished command said, and its exit status. */
    record Result(int exit, String output) {
        String tail() {
            String text = output.strip();
            return text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text;
        }
    }

    /** Runs {@code command} and returns its exit status and output; only a timeout throws. */
    static Result execute(List<String> command, Path input, Duration timeout, String what) {
        try {
            Path out = Files.createTempFile("dnsmig-proc", ".log");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(input.toFile())).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(what + " did not finish within " + timeout.toSeconds() + " s: "
                            + new Result(-1, Files.readString(out, StandardCharsets.UTF_8)).tail());
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
    }

    /** Runs a short command; its standard output, or null when it fails. */
    static String tryRun(List<String> command) {
        try {
            return run(command, Duration.ofSeconds(10), String.join(" ", command));
        } catch (RuntimeException e) {
            return null;
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
