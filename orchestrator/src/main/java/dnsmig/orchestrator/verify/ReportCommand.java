package dnsmig.orchestrator.verify;

import com.zaxxer.hikari.HikariDataSource;
import dnsmig.localpg.LocalPostgres;
import dnsmig.store.StoreSchema;
import dnsmig.verify.mail.ReportMailer;
import dnsmig.verify.mail.SmtpSender;
import dnsmig.verify.probe.Probes;
import dnsmig.verify.report.Render;
import dnsmig.verify.report.Report;
import dnsmig.verify.report.ReportData;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dnsmig report}: owners' inconsistency reports, the operator summary, and mail. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints each owner's report: the inconsistencies the verifier confirmed in their zones, the records the backfill could not"
                + " import, and the changes dual writes could not apply to the new side. --summary prints the operator summary (consistency per"
                + " nameserver, open items per owner), --coverage what live traffic never asked. --email mails every owner their own report (only"
                + " when something in it is new or changed since their last mail: each finding once until it changes) and the operator the"
                + " summary; mails that fail stay in an outbox and go out with the next --email."},
        footer = {"", "Examples:", "  dnsmig report --owner acme", "  dnsmig report --format csv > findings.csv", "  dnsmig report --summary",
                "  dnsmig report --email --smtp-host 127.0.0.1 --mail-from dns@example.net --operator-email noc@example.net", "", "Exit codes:",
                "  0  done", "  1  some mails could not be sent (they stay in the outbox: run again)", "  2  bad usage (an unknown owner, a bad address)"})
public final class ReportCommand implements Callable<Integer> {

    @Option(names = "--owner", paramLabel = "HANDLE", description = "Only this owner.")
    String owner;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Render.Format format;

    @Option(names = "--summary", description = "The operator summary over --since hours instead of owners' reports.")
    boolean summary;

    @Option(names = "--since", paramLabel = "HOURS", defaultValue = "24", description = "With --summary: the period (default: ${DEFAULT-VALUE}).")
    long sinceHours;

    @Option(names = "--coverage", description = "Per zone: RRsets in the store, and how many live traffic and probes never asked (dnsmig verify --probe asks them).")
    boolean coverage;

    @Option(names = "--email", description = "Mail the reports instead of printing them.")
    boolean email;

    @Option(names = "--smtp-host", paramLabel = "IP", defaultValue = "${env:DNSMIG_SMTP_HOST}", description = "SMTP server (env DNSMIG_SMTP_HOST).")
    String smtpHost;

    @Option(names = "--smtp-port", paramLabel = "PORT", defaultValue = "25", description = "Its port (default: ${DEFAULT-VALUE}).")
    int smtpPort;

    @Option(names = "--smtp-user", paramLabel = "USER", defaultValue = "${env:DNSMIG_SMTP_USER}", description = "SMTP login (env DNSMIG_SMTP_USER).")
    String smtpUser;

    @Option(names = "--smtp-password", paramLabel = "PASSWORD", defaultValue = "${env:DNSMIG_SMTP_PASSWORD}", description = "SMTP password (env DNSMIG_SMTP_PASSWORD).")
    String smtpPassword;

    @Option(names = "--smtp-starttls", description = "Require STARTTLS.")
    boolean startTls;

    @Option(names = "--mail-from", paramLabel = "ADDRESS", defaultValue = "${env:DNSMIG_MAIL_FROM}", description = "Sender address (env DNSMIG_MAIL_FROM).")
    String from;

    @Option(names = "--operator-email", paramLabel = "ADDRESS", description = "Where the operator summary goes.")
    String operatorEmail;

    @Mixin
    DbOptions db;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (email && (smtpHost == null || from == null)) {
            throw new IllegalArgumentException("--email needs --smtp-host and --mail-from");
        }
        LocalPostgres.Endpoint endpoint = db.endpoint();
        try (HikariDataSource ds = StoreSchema.dataSource(endpoint.jdbcUrl(), endpoint.user(), endpoint.password(), 2, "report")) {
            StoreSchema.migrate(ds);
            DSLContext dsl = DSL.using(ds, SQLDialect.POSTGRES);
            if (email) {
                SmtpSender sender = new SmtpSender(new SmtpSender.Settings(smtpHost, smtpPort, from, smtpUser, smtpPassword, startTls, Duration.ofSeconds(30)));
                ReportMailer.Result r = new ReportMailer(dsl, sender, Clock.systemUTC()).run(owner, operatorEmail);
                out.println(r.text());
                return r.failed() > 0 ? 1 : 0;
            }
            if (coverage) {
                out.printf("%-40s %10s %12s%n", "zone", "rrsets", "never asked");
                for (Probes.Coverage c : Probes.coverage(dsl)) {
                    out.printf("%-40s %10d %12d%n", c.zone(), c.rrsets(), c.neverAsked());
                }
                return 0;
            }
            ReportData data = new ReportData(dsl);
            if (summary) {
                Instant now = Instant.now();
                out.print(Render.summaryText(data.summary(now.minus(Duration.ofHours(sinceHours)), now)));
                return 0;
            }
            List<Report.Owner> owners = data.owners(owner);
            if (owners.isEmpty() && format == Render.Format.text) {
                out.println("nothing to report: no confirmed inconsistency, reject or divergence in any owner's zones");
                return 0;
            }
            out.print(Render.owners(owners, format));
            return 0;
        }
    }
}
