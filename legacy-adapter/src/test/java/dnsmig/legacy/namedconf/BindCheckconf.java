package dnsmig.legacy.namedconf;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * BIND's own {@code named-checkconf} as the oracle for what a configuration means: {@code -l}
 * lists the zones BIND sees, {@code -z} loads the primary zones from the files BIND resolves.
 * Runs in a working directory the test chooses, in the C locale, never with {@code -t} (chroot).
 */
final class BindCheckconf {

    /** One line of {@code named-checkconf -l}, normalised the way {@link ZoneDecl} is. */
    record Listed(String name, String dnsClass, String view, String type) {
    }

    record Run(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private static final Pattern LOADED = Pattern.compile("^zone (.+)/(\\S+): loaded serial (\\d+)$");

    private BindCheckconf() {
    }

    static Path binary() {
        return findTool("named-checkconf", "bind9-utils");
    }

    static Path findTool(String name, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "");
        List<String> dirs = new ArrayList<>(List.of(path.split(":")));
        dirs.add("/usr/sbin");
        dirs.add("/usr/bin");
        dirs.add("/sbin");
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail(name + " (BIND 9) is not installed, and these tests use it as the oracle: install it with "
                + "'apt-get install " + debianPackage + "' (Debian/Ubuntu) and run the tests again");
    }

    static Run run(Path workingDirectory, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(List.of(args));
        return exec(workingDirectory, command);
    }

    static Run exec(Path workingDirectory, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workingDirectory.toFile());
        pb.environment().put("LC_ALL", "C");
        try {
            Path out = Files.createTempFile("bind-oracle", ".out");
            Path err = Files.createTempFile("bind-oracle", ".err");
            try {
                pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
                Process p = pb.start();
                p.getOutputStream().close();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return fail(String.join(" ", command) + " did not finish within 60 s");
                }
                return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            return fail("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while running " + command);
        }
    }

    /** The zones BIND sees, in its order; fails the test when BIND rejects the configuration. */
    static List<Listed> listZones(Path conf, Path workingDirectory) {
        Run run = run(workingDirectory, "-l", conf.toString());
        if (!run.ok()) {
            return fail("named-checkconf -l rejected " + conf + " (exit " + run.exitCode() + "):\n" + run.stdout()
                    + run.stderr());
        }
        return parseList(run.stdout());
    }

    static List<Listed> parseList(String stdout) {
        return stdout.lines().filter(l -> !l.isBlank() && !isDiagnostic(l)).map(BindCheckconf::parseListed).toList();
    }

    /** Serials of the zone files BIND loads for the primary zones, in its order. */
    static List<Long> loadedSerials(Path conf, Path workingDirectory) {
        Run run = run(workingDirectory, "-z", conf.toString());
        if (!run.ok()) {
            return fail("named-checkconf -z could not load the zones of " + conf + " (exit " + run.exitCode() + "):\n"
                    + run.stdout() + run.stderr());
        }
        List<Long> serials = new ArrayList<>();
        for (String line : run.stdout().lines().toList()) {
            Matcher m = LOADED.matcher(line);
            if (m.matches()) {
                serials.add(Long.parseLong(m.group(3)));
            }
        }
        return serials;
    }

    /** Whether BIND accepts the configuration at all ({@code named-checkconf CONF}). */
    static Run check(Path conf, Path workingDirectory) {
        return run(workingDirectory, conf.toString());
    }

    private static final Pattern DIAGNOSTIC = Pattern.compile("^(.+):\\d+: .*");

    /** A warning such as {@code /etc/named.conf:14: recursion will be disabled ...}, printed among the zones. */
    private static boolean isDiagnostic(String line) {
        Matcher m = DIAGNOSTIC.matcher(line);
        return m.matches() && Files.isRegularFile(Path.of(m.group(1)));
    }

    private static Listed parseListed(String line) {
        String[] f = line.split(" ", 4);
        if (f.length < 4) {
            return fail("unexpected named-checkconf -l line: " + line);
        }
        String type = f[3].split(" ")[0].toLowerCase(Locale.ROOT);
        type = switch (type) {
            case "master" -> "primary";
            case "slave" -> "secondary";
            default -> type;
        };
        return new Listed(name(f[0]), dnsClass(f[1]), f[2].equals("_default") ? null : f[2], type);
    }

    /** Trailing dot off, ASCII lower case, {@code @} is the root: written here independently of DnsNames. */
    private static String name(String printed) {
        if (printed.equals("@") || printed.equals(".")) {
            return ".";
        }
        String s = printed.endsWith(".") && !printed.endsWith("\\.") ? printed.substring(0, printed.length() - 1)
                : printed;
        StringBuilder b = new StringBuilder();
        s.chars().forEach(c -> b.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c)));
        return b.toString();
    }

    private static String dnsClass(String printed) {
        return switch (printed.toUpperCase(Locale.ROOT)) {
            case "CHAOS", "CLASS3" -> "CH";
            case "HESIOD", "CLASS4" -> "HS";
            case "CLASS1" -> "IN";
            default -> printed.toUpperCase(Locale.ROOT);
        };
    }

    static Listed listed(ZoneDecl z) {
        return new Listed(z.name(), z.dnsClass(), z.view(), z.type());
    }

    /** The serial in the SOA of a zone file written by {@link ConfigFiles#zoneFile}. */
    static long serialOf(Path zoneFile) {
        try (Stream<String> lines = Files.lines(zoneFile)) {
            return lines.filter(l -> l.contains(" SOA ")).findFirst()
                    .map(l -> Long.parseLong(l.trim().split("\\s+")[5]))
                    .orElseGet(() -> fail("no SOA in " + zoneFile));
        } catch (IOException e) {
            return fail("cannot read " + zoneFile + ": " + e, e);
        }
    }
}
