package dnsmig.orchestrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Usage errors of {@code dnsmig api}, {@code mode} and {@code divergence}: exit 2 and a message
 * naming the problem, before any database or server is touched. (What they do on a database is
 * run by the runbooks' test: enable-concurrent-writes.md, switch-to-synchronous.md.)
 */
class DualWriteCommandsTest {

    @Test
    void usageErrorsNameTheProblemAndExitTwo() {
        Cli.Run mode = Cli.plain("mode", "set", "BOTH", "--reason", "x", "--db-url", "jdbc:postgresql://127.0.0.1:1/none");
        assertThat(mode.exit()).as(mode.toString()).isEqualTo(2);
        assertThat(mode.err()).contains("unknown write mode 'BOTH'").contains("SYNCHRONOUS");

        Cli.Run noReason = Cli.plain("mode", "set", "SYNCHRONOUS");
        assertThat(noReason.exit()).isEqualTo(2);
        assertThat(noReason.err()).contains("--reason");

        Cli.Run state = Cli.plain("divergence", "resolve", "7", "--state", "done", "--db-url", "jdbc:postgresql://127.0.0.1:1/none");
        assertThat(state.exit()).as(state.toString()).isEqualTo(2);
        assertThat(state.err()).contains("--state done").contains("accepted");

        Cli.Run list = Cli.plain("divergence", "list", "--state", "closed", "--db-url", "jdbc:postgresql://127.0.0.1:1/none");
        assertThat(list.exit()).isEqualTo(2);
        assertThat(list.err()).contains("--state closed");

        Cli.Run api = Cli.plain("api", "--legacy-server", "127.0.0.1", "--db-url", "jdbc:postgresql://127.0.0.1:1/none");
        assertThat(api.exit()).as(api.toString()).isEqualTo(2);
        assertThat(api.err()).contains("--tsig-key FILE is required");

        Cli.Run name = Cli.plain("api", "--legacy-server", "legacy.example.net", "--tsig-key", "/nonexistent.key", "--db-url",
                "jdbc:postgresql://127.0.0.1:1/none");
        assertThat(name.exit()).as(name.toString()).isEqualTo(2);
        assertThat(name.err()).contains("give an IP address, not a name");

        Cli.Run who = Cli.plain("api", "token", "create", "--name", "x");
        assertThat(who.exit()).isEqualTo(2);
        assertThat(who.err()).contains("--owner").contains("--operator");
    }
}
