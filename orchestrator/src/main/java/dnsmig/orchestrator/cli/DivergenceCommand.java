package dnsmig.orchestrator.cli;

import dnsmig.legacy.LegacyDns;
import dnsmig.legacy.LegacyResilience;
import dnsmig.legacy.LegacyServer;
import dnsmig.orchestrator.dualwrite.Divergences;
import dnsmig.orchestrator.dualwrite.DualWriteSettings;
import dnsmig.store.DualWriteStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.json.JsonMapper;

@Command(name = "divergence", mixinStandardHelpOptions = true,
        description = {"The divergence ledger: what the new side refused or failed of users' changes in CONCURRENT mode (source dual-write), and the"
                + " backfill's rejects (source backfill-reject, mirrored from 'dnsmig rejects'). Each entry has a zone, an owner, a reason (a"
                + " bind-converter code such as cname-and-other-data, or store-failed, zone-not-in-store) and a state: open -> triaged -> fixed or"
                + " accepted -> notified."},
        subcommands = {DivergenceCommand.ListCmd.class, DivergenceCommand.Retry.class, DivergenceCommand.Resolve.class},
        footer = {"", "Examples:", "  dnsmig divergence list", "  dnsmig divergence list --owner acme --source dual-write --format json",
                "  dnsmig divergence retry 42 --server 192.0.2.53 --tsig-key /etc/bind/dnsmig.key",
                "  dnsmig divergence resolve 42 --state accepted --note 'owner keeps the CNAME'",
                "", "Exit codes: 0 done (list: whatever it lists), 1 a retry did not fix every entry, 2 bad usage or no such entry."})
final class DivergenceCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    enum Format { table, csv, json }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Entries not yet fixed or accepted (--all: every entry), oldest first.")
    static final class ListCmd implements Callable<Integer> {
        @Option(names = "--zone", paramLabel = "ZONE", description = "Only this zone.")
        String zone;

        @Option(names = "--owner", paramLabel = "OWNER", description = "Only this owner's zones.")
        String owner;

        @Option(names = "--source", paramLabel = "SOURCE", description = "dual-write or backfill-reject.")
        String source;

        @Option(names = "--state", paramLabel = "STATE", description = "Only entries in this state (open, triaged, fixed, accepted, notified).")
        String state;

        @Option(names = "--all", description = "Include fixed and accepted entries.")
        boolean all;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        Format format;

        @Mixin
        DatabaseOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (state != null && !DualWriteStore.DIVERGENCE_STATES.contains(state)) {
                throw new IllegalArgumentException("--state " + state + ": one of open, triaged, fixed, accepted, notified");
            }
            PrintWriter out = spec.commandLine().getOut();
            List<DualWriteStore.DivergenceRow> rows = DualWriteAccess.read(db.checkedEndpoint(),
                    store -> store == null ? List.of() : store.divergences(new DualWriteStore.DivergenceFilter(zone, owner, source, state, all, limit)));
            switch (format) {
                case json -> out.println(JsonMapper.builder().build().writeValueAsString(rows));
                case csv -> {
                    out.println("id,state,zone,owner,source,reason,name,type,detail,created_at,updated_at");
                    for (var d : rows) {
                        out.println(String.join(",", Long.toString(d.id()), d.state(), csv(d.zone()), csv(d.owner()), d.source(), csv(d.reason()), csv(d.name()),
                                csv(d.type()), csv(d.detail()), String.valueOf(d.createdAt()), String.valueOf(d.updatedAt())));
                    }
                }
                case table -> {
                    if (rows.isEmpty()) {
                        out.println("no divergences" + (all ? "" : " open") + ".");
                    }
                    for (var d : rows) {
                        out.printf("%-6d %-9s %-28s %-12s %-15s %-22s %s%n", d.id(), d.state(), d.zone(), d.owner() == null ? "-" : d.owner(), d.source(),
                                d.reason(), d.detail().replace("\n", " | "));
                    }
                    spec.commandLine().getErr().println(rows.size() + " entries. Retry a dual-write entry with 'dnsmig divergence retry ID', close one"
                            + " with 'dnsmig divergence resolve ID --state fixed|accepted|notified'.");
                }
            }
            return ExitCode.OK;
        }

        private static String csv(String s) {
            if (s == null) {
                return "";
            }
            return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = "Copies each entry's RRset from the legacy server (the truth while it diverged) into the store, by the same rules as API"
                    + " writes; an entry the store now takes is marked fixed.")
    static final class Retry implements Callable<Integer> {
        @Parameters(paramLabel = "ID", arity = "1..*", description = "Entries to retry.")
        List<Long> ids;

        @Option(names = "--server", paramLabel = "IP", defaultValue = "127.0.0.1", description = "The legacy named (an IP address; default: ${DEFAULT-VALUE}).")
        String server;

        @Option(names = "--port", paramLabel = "PORT", defaultValue = "53", description = "Its DNS port (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--tsig-key", paramLabel = "FILE", required = true, description = "TSIG key file in BIND's format (tsig-keygen).")
        Path tsigKey;

        @Option(names = "--tsig-key-name", paramLabel = "NAME", description = "Which key of --tsig-key, when it holds several.")
        String tsigKeyName;

        @Option(names = "--by", paramLabel = "NAME", description = "Who (default: the system user).")
        String by;

        @Mixin
        DatabaseOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            LegacyServer legacyServer = new LegacyServer(new InetSocketAddress(ApiCommand.ip(server, "--server"), port), LegacyServer.keyFromFile(tsigKey,
                    tsigKeyName));
            String who = by != null ? by : System.getProperty("user.name", "unknown") + " (dnsmig divergence retry)";
            PrintWriter out = spec.commandLine().getOut();
            return DualWriteAccess.write(db.checkedEndpoint(), store -> {
                LegacyDns legacy = LegacyDns.dynamic(legacyServer, List.of(), LegacyResilience.defaults(), new SimpleMeterRegistry(), w -> {});
                Divergences d = new Divergences(store, legacy, DualWriteSettings.defaults());
                int notFixed = 0;
                for (long id : ids) {
                    switch (d.retry(id, who)) {
                        case Divergences.RetryOutcome.Fixed f -> out.println(id + ": fixed: " + f.message());
                        case Divergences.RetryOutcome.StillDiverged s -> {
                            out.println(id + ": still diverged: " + s.message());
                            notFixed++;
                        }
                        case Divergences.RetryOutcome.NotRetryable n -> {
                            out.println(id + ": " + n.message());
                            notFixed++;
                        }
                    }
                }
                return notFixed == 0 ? ExitCode.OK : ExitCode.FAILED;
            });
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true,
            description = "Moves an entry to another state, with a note; audited (who, when). A backfill reject is resolved in the rejects list too.")
    static final class Resolve implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID", description = "The entry.")
        long id;

        @Option(names = "--state", paramLabel = "STATE", required = true, description = "open, triaged, fixed, accepted or notified.")
        String state;

        @Option(names = "--note", paramLabel = "TEXT", description = "Why (kept with the entry).")
        String note;

        @Option(names = "--by", paramLabel = "NAME", description = "Who (default: the system user).")
        String by;

        @Mixin
        DatabaseOptions db;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!DualWriteStore.DIVERGENCE_STATES.contains(state)) {
                throw new IllegalArgumentException("--state " + state + ": one of open, triaged, fixed, accepted, notified");
            }
            String who = by != null ? by : System.getProperty("user.name", "unknown") + " (dnsmig divergence resolve)";
            return DualWriteAccess.write(db.checkedEndpoint(), store -> {
                if (!store.setDivergenceState(id, state, who, note)) {
                    throw new IllegalArgumentException("no divergence " + id + " (dnsmig divergence list --all shows them)");
                }
                var d = store.divergence(id).orElseThrow();
                spec.commandLine().getOut().println(id + ": " + d.state() + " (" + d.zone() + ", " + d.reason() + ") by " + who);
                return ExitCode.OK;
            });
        }
    }
}
