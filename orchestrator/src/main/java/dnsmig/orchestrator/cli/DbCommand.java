package dnsmig.orchestrator.cli;

import dnsmig.localpg.LocalPostgres;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "db", mixinStandardHelpOptions = true,
        description = {"The local PostgreSQL that dnsmig runs when no --db-url is given. It starts by itself on first use and keeps running for the next commands; these subcommands show, start and stop it."},
        subcommands = {DbCommand.Status.class, DbCommand.Start.class, DbCommand.Stop.class, DbCommand.ResetCredentials.class})
final class DbCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Where the local PostgreSQL keeps its data, and whether it runs.")
    static final class Status implements Callable<Integer> {
        @Mixin
        DatabaseOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (!db.local()) {
                out.println("using " + DatabaseOptions.redact(db.url) + " (--db-url); no local PostgreSQL involved");
                return ExitCode.OK;
            }
            LocalPostgres pg = db.localPostgres();
            out.println("data directory  " + pg.dataDir());
            var endpoint = pg.endpoint();
            if (endpoint.isEmpty()) {
                out.println("state           not initialised (the first command that needs it creates it)");
                return ExitCode.OK;
            }
            out.println("url             " + endpoint.get().jdbcUrl() + " (user " + endpoint.get().user() + ", password in "
                    + pg.dataDir().resolve("credentials") + ")");
            out.println("state           " + switch (pg.status()) {
                case LocalPostgres.Status.Running r -> "running (PID " + r.pid() + ")";
                case LocalPostgres.Status.Stopped s -> "stopped";
            });
            return ExitCode.OK;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the local PostgreSQL (initialising it on first use).")
    static final class Start implements Callable<Integer> {
        @Mixin
        DatabaseOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var endpoint = db.localPostgres().ensureRunning();
            spec.commandLine().getOut().println("running: " + endpoint.jdbcUrl());
            return ExitCode.OK;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the local PostgreSQL (dnsmig servers using it lose their database).")
    static final class Stop implements Callable<Integer> {
        @Mixin
        DatabaseOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            db.localPostgres().stop();
            spec.commandLine().getOut().println("stopped");
            return ExitCode.OK;
        }
    }

    @Command(name = "reset-credentials", mixinStandardHelpOptions = true,
            description = {"Gives the local PostgreSQL a new password and writes a new credentials file, keeping its data: for when the"
                    + " credentials file of the data directory was lost. Stops the server while it does so (dnsmig commands using it lose"
                    + " their connections) and starts it again."})
    static final class ResetCredentials implements Callable<Integer> {
        @Mixin
        DatabaseOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!db.local()) {
                throw new IllegalArgumentException("reset-credentials is for the local PostgreSQL; the password of --db-url's server is its administrator's");
            }
            LocalPostgres pg = db.localPostgres();
            var endpoint = pg.resetCredentials();
            spec.commandLine().getOut().println("new credentials written to " + pg.dataDir().resolve("credentials") + "; running: " + endpoint.jdbcUrl());
            return ExitCode.OK;
        }
    }
}
