package dnsmig.orchestrator.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

@Command(name = "dnsmig", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Migrates authoritative DNS from a legacy BIND system to a PostgreSQL-backed server, with no downtime and nothing lost.", "", "Every command takes --help. Without --db-url, commands share a local PostgreSQL that dnsmig starts by itself."},
        subcommands = {DemoCommand.class, BackfillCommand.class, ServeCommand.class, RejectsCommand.class, ConvertCommand.class, DbCommand.class,
                dnsmig.orchestrator.reconcile.ReconcileCommand.class, ApiCommand.class, ModeCommand.class, DivergenceCommand.class, dnsmig.orchestrator.cutover.CutoverCommand.class,
                dnsmig.orchestrator.cutover.RollbackCommand.class, dnsmig.orchestrator.verify.VerifyCommand.class, dnsmig.orchestrator.verify.ReportCommand.class, HelpCommand.class},
        footer = {"", ExitCode.HELP})
final class DnsmigCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
