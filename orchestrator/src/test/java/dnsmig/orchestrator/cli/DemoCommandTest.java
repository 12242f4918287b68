package dnsmig.orchestrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.testkit.Repo;
import dnsmig.testkit.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README command 1 (`./dnsmig demo`), run in-process on a fresh test database. */
class DemoCommandTest {

    @Test
    void theDemoRunsEveryPhaseAndEndsWithTheRejectsReport() {
        Cli.Run run = new Cli(TestPostgres.newDatabase()).run("demo");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("=== 1. backfill ===", "7 created", "=== 2. backfill again ===", "0 created, 0 updated, 7 unchanged",
                "=== 3. rejects ===", "cname-and-other-data", "no-soa", "demo finished");
        // The password of the database never shows.
        assertThat(run.out() + run.err()).doesNotContain("--db-password");
    }

    @Test
    void theJarCarriesEverySampleFile() throws Exception {
        Path samples = Repo.samples();
        try (var walk = Files.walk(samples)) {
            assertThat(walk.filter(Files::isRegularFile).map(p -> samples.relativize(p).toString()).sorted().toList())
                    .containsExactlyElementsOf(DemoCommand.SAMPLE_FILES.stream().sorted().toList());
        }
        for (String f : DemoCommand.SAMPLE_FILES) {
            assertThat(DemoCommand.class.getResource("/samples/" + f)).as(f).isNotNull();
        }
    }
}
