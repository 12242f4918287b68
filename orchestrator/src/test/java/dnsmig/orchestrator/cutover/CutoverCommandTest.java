package dnsmig.orchestrator.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.orchestrator.cli.Cli;
import dnsmig.testkit.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cutover commands' help and usage errors: each names the problem and exits 2, changing nothing. */
class CutoverCommandTest {

    @ParameterizedTest
    @CsvSource({"cutover", "cutover status", "cutover plan", "cutover advance", "cutover register", "rollback"})
    void everyCommandHasHelpWithItsExitCodes(String command) {
        Cli.Run r = withStderr((command + " --help").split(" "));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Usage: dnsmig " + command).contains("Exit codes:").contains("3  the gates refused");
        assertThat(r.out() + r.err()).doesNotContain("picocli WARN").doesNotContain("Could not format");
    }

    @Test
    void serveHelpDescribesLegacy() {
        Cli.Run r = withStderr("serve", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out().replaceAll("\\s+", " ")).contains("--legacy=IP:PORT").contains("canary:P answers P % of query names itself");
        assertThat(r.out() + r.err()).doesNotContain("picocli WARN").doesNotContain("Could not format");
    }

    @Test
    void usageErrorsNameTheProblemAndChangeNothing() {
        Cli cli = new Cli(TestPostgres.newDatabase());
        Cli.Run status = cli.run("cutover", "status");
        assertThat(status.exit()).as(status.toString()).isZero();
        assertThat(status.out()).contains("No nameserver is registered");
        assertUsage(cli.run("rollback", "ns1"), "no nameserver is registered in this database");
        assertUsage(cli.run("cutover", "register", "ns 1"), "nameserver name 'ns 1'");

        assertThat(cli.run("cutover", "register", "ns1", "--legacy", "192.0.2.53:53").exit()).isZero();
        assertUsage(cli.run("cutover", "advance", "ns9", "--to", "new"), "unknown nameserver 'ns9' (registered: ns1)");
        assertUsage(cli.run("cutover", "advance", "ns1", "--to", "canary:0"), "--to canary:0: the canary percentage is 1 to 99");
        assertUsage(cli.run("cutover", "advance", "ns1", "--to", "new", "--force"), "--force needs --reason");
        assertUsage(cli.run("cutover", "advance", "ns1", "--to", "new", "--min-consistency", "1.5"), "--min-consistency is a share from 0 to 1");
        assertUsage(cli.run("cutover", "advance", "ns1", "--to", "new", "--rollback-failure-rate", "0"), "--rollback-failure-rate");
        assertUsage(cli.run("rollback", "ns1", "--to", "new"), "rollback --to takes legacy only");
        Cli.Run same = cli.run("cutover", "advance", "ns1", "--to", "legacy");
        assertThat(same.exit()).isZero();
        assertThat(same.out()).contains("ns1 is already legacy; nothing changed.");
        Cli.Run nothing = cli.run("rollback", "ns1");
        assertThat(nothing.exit()).isZero();
        assertThat(nothing.out()).contains("nothing to roll back");
        Cli.Run after = cli.run("cutover", "status");
        assertThat(after.out()).contains("192.0.2.53:53").contains("register").doesNotContain("advance ", "rollback ");
    }

    @Test
    void serveNamesABadLegacyOptionBeforeStartingAnything() {
        assertUsage(Cli.plain("serve", "--nameserver", "ns1", "--listen", "127.0.0.1:0", "--legacy", "legacy.example:53"),
                "--legacy legacy.example:53: give an IP address, not a name");
        assertUsage(Cli.plain("serve", "--nameserver", "ns1", "--listen", "127.0.0.1:0", "--legacy", "127.0.0.1"), "--legacy wants ADDRESS:PORT");
        assertUsage(Cli.plain("serve", "--nameserver", "ns1", "--listen", "127.0.0.1:0", "--legacy", "127.0.0.1:53", "--legacy-timeout", "0"),
                "--legacy-timeout is 1 to 30000 ms");
    }

    /** Runs a command with System.err captured too (picocli warns there, e.g. about a '%' in a description). */
    static Cli.Run withStderr(String... args) {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Cli.Run r = Cli.plain(args);
            return new Cli.Run(r.exit(), r.out(), r.err() + captured.toString(java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    static void assertUsage(Cli.Run r, String message) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains(message);
    }
}
