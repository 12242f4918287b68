package dnsmig.orchestrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.testkit.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./dnsmig} launcher and {@code scripts/lib.sh}, run as real bash processes on a copy
 * of the repository's skeleton whose Maven wrapper and JDK are stand-ins (a build takes a second
 * and counts itself; "java" unpacks a fake application, or runs for a while and then checks that
 * its class path is still there).
 */
class LauncherTest {

    @TempDir
    Path tmp;

    private Path root;
    private Path fakeBin;

    @BeforeEach
    void setUp() throws IOException {
        root = tmp.resolve("repo");
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(Repo.root().resolve("scripts/lib.sh"), root.resolve("scripts/lib.sh"));
        Files.copy(Repo.root().resolve("dnsmig"), root.resolve("dnsmig"));
        executable(root.resolve("dnsmig"));
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        Files.createDirectories(root.resolve("orchestrator/src/main"));
        Files.writeString(root.resolve("orchestrator/src/main/App.java"), "class App {}\n");
        script(root.resolve("mvnw"), """
                #!/bin/bash
                echo build >> "$(dirname "$0")/builds.count"
                sleep 1
                mkdir -p orchestrator/target && echo jar > orchestrator/target/dnsmig-exec.jar
                """);
        Path jdk = root.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25\"\n");
        script(jdk.resolve("bin/javac"), "#!/bin/bash\nexit 0\n");
        script(jdk.resolve("bin/java"), """
                #!/bin/bash
                if [ "$1" = -Djarmode=tools ]; then   # -Djarmode=tools -jar JAR extract --destination DIR
                    mkdir -p "$6/lib" && echo app > "$6/dnsmig-exec.jar" && echo lib > "$6/lib/spring.jar"; exit $?
                fi
                while [ $# -gt 0 ]; do [ "$1" = -jar ] && { jar=$2; break; }; shift; done
                app=$(dirname "$jar")
                echo "started from $(basename "$app")"
                sleep "${FAKE_RUN_SECONDS:-0}"
                if [ -f "$app/lib/spring.jar" ]; then echo "class path intact"; else echo "class path GONE"; fi
                """);
        // apt-get must never be needed here (every tool is installed); if it is called, it fails.
        fakeBin = tmp.resolve("fake-bin");
        Files.createDirectories(fakeBin);
        script(fakeBin.resolve("apt-get"), "#!/bin/bash\necho \"apt-get $*\" >> \"" + tmp.resolve("apt.calls") + "\"\nexit 100\n");
    }

    @Test
    void itRunsThroughASymbolicLinkWithoutSbinOnThePath() throws Exception {
        Path link = Files.createDirectories(tmp.resolve("bin")).resolve("dnsmig");
        Files.createSymbolicLink(link, root.resolve("dnsmig"));
        // An ordinary user's PATH: no /usr/sbin, where named lives.
        Result r = run(List.of(link.toString(), "--version"), 0);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("class path intact");
        assertThat(Files.exists(tmp.resolve("apt.calls"))).as("nothing installed: named is in /usr/sbin").isFalse();
    }

    @Test
    void aFailedPackageInstallIsAWarningForTheLauncherAndAnErrorForTheTests() throws Exception {
        String prelude = "source " + root.resolve("scripts/lib.sh") + "; missing_packages() { echo dnsperf; }; ";
        Result lenient = run(List.of("bash", "-c", prelude + "ensure_packages lenient; echo rc=$?"), 0);
        assertThat(lenient.output()).contains("rc=0").contains("warning: apt-get install dnsperf failed");
        Result strict = run(List.of("bash", "-c", prelude + "ensure_packages strict; echo rc=$?"), 0);
        assertThat(strict.output()).contains("rc=1").contains("apt-get install dnsperf failed").doesNotContain("warning");
    }

    @Test
    void concurrentLaunchesBuildOnceAndNeverDeleteTheClassPathOfARunningCommand() throws Exception {
        assertThat(run(List.of(root.resolve("dnsmig").toString(), "--version"), 0).output()).contains("class path intact");
        assertThat(builds()).isEqualTo(1);

        // A command that runs for a while (a name server, a long backfill)...
        Process running = start(List.of(root.resolve("dnsmig").toString(), "serve"), 4, tmp.resolve("running.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(tmp.resolve("running.log")).contains("started") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        // ...while the sources change and two commands start at the same moment.
        makeStale();
        Process a = start(List.of(root.resolve("dnsmig").toString(), "--version"), 0, tmp.resolve("a.log"));
        Process b = start(List.of(root.resolve("dnsmig").toString(), "--version"), 0, tmp.resolve("b.log"));
        assertThat(a.waitFor(60, TimeUnit.SECONDS) && b.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(a.exitValue()).as(Files.readString(tmp.resolve("a.log"))).isZero();
        assertThat(b.exitValue()).as(Files.readString(tmp.resolve("b.log"))).isZero();
        assertThat(Files.readString(tmp.resolve("a.log"))).contains("class path intact");
        assertThat(Files.readString(tmp.resolve("b.log"))).contains("class path intact");
        assertThat(builds()).as("one build for both").isEqualTo(2);

        assertThat(running.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(tmp.resolve("running.log"))).contains("class path intact");

        // Once nothing runs from them, old versions go with the next build.
        makeStale();
        assertThat(run(List.of(root.resolve("dnsmig").toString(), "--version"), 0).output()).contains("class path intact");
        try (var versions = Files.list(root.resolve("orchestrator/target"))) {
            assertThat(versions.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("app-"))).hasSize(1);
        }
    }

    private void makeStale() throws IOException {
        Path jar = root.resolve("orchestrator/target/app/dnsmig-exec.jar");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(100)));
        Files.setLastModifiedTime(root.resolve("orchestrator/src/main/App.java"), FileTime.from(Instant.now().minusSeconds(50)));
    }

    private long builds() throws IOException {
        return Files.readAllLines(root.resolve("builds.count")).size();
    }

    private record Result(int exit, String output) {}

    private Result run(List<String> command, int seconds) throws Exception {
        Path log = Files.createTempFile(tmp, "run", ".log");
        Process p = start(command, seconds, log);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(log));
    }

    private Process start(List<String> command, int seconds, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PATH", fakeBin + ":/usr/bin:/bin");
        pb.environment().put("JAVA_HOME", root.resolve("jdk").toString());
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().put("FAKE_RUN_SECONDS", Integer.toString(seconds));
        return pb.start();
    }

    private static void script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        executable(file);
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
