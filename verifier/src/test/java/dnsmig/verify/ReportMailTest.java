package dnsmig.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dnsmig.verify.compare.Comparison;
import dnsmig.verify.compare.IgnoreRules;
import dnsmig.verify.mail.ReportMailer;
import dnsmig.verify.mail.SmtpSender;
import dnsmig.verify.replay.Replayer;
import dnsmig.verify.report.Render;
import dnsmig.verify.report.Report;
import dnsmig.verify.report.ReportData;
import dnsmig.verify.source.QueryListSource;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports and mail over real SMTP (GreenMail): each owner receives their own findings, rejects
 * and divergences and nothing of other owners' zones; a second run sends nothing; a failed
 * send stays in the outbox and goes out once on the next run; a finding that changes (fixed)
 * is mailed again.
 */
class ReportMailTest {

    static TwoSides sides;
    static GreenMail smtp;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        sides = new TwoSides(EndToEndTest::plant, null);
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
    }

    @AfterAll
    static void stop() {
        if (smtp != null) {
            smtp.stop();
        }
        if (sides != null) {
            sides.close();
        }
    }

    Replayer.Totals verify(List<String> queries) throws Exception {
        Path list = Files.writeString(tmp.resolve("queries-" + System.nanoTime() + ".txt"), "# dnsperf format\n" + String.join("\n", queries) + "\n");
        Replayer.Settings s = new Replayer.Settings(sides.legacy(), sides.neu(), Duration.ofSeconds(2), 0, 100, Duration.ZERO, 1.0, Duration.ofMillis(200),
                new Comparison(IgnoreRules.defaults(), 0), Duration.ofMinutes(1), Duration.ofSeconds(5));
        try (Replayer r = new Replayer(s, sides.verifyStore, dnsmig.verify.store.ZoneDirectory.of(sides.verifyStore), null, Clock.systemUTC());
                QueryListSource src = new QueryListSource(list, "ns1")) {
            return new VerifyRun(src, r, 0).run(Duration.ofSeconds(20));
        }
    }

    static final List<String> QUERIES = List.of("h5.a.example. A", "h6.a.example. A", "h9.b.example. AAAA", "extra.b.example. A", "h1.c.example. A",
            "h2.a.example. A", "www.b.example. A", "nx.c.example. MX");

    SmtpSender sender() {
        return new SmtpSender(new SmtpSender.Settings("127.0.0.1", smtp.getSmtp().getPort(), "dnsmig@example.net", null, null, false, Duration.ofSeconds(10)));
    }

    @Test
    void ownersGetTheirOwnFindingsOnceUntilTheyChange() throws Exception {
        Replayer.Totals t = verify(QUERIES);
        assertThat(t.confirmed()).isEqualTo(4);
        long alice = sides.owners.get("alice");
        long bob = sides.owners.get("bob");
        long aZone = sides.dsl.fetchOne("select id from zone where name = 'a.example.'").get(0, Long.class);
        sides.dsl.execute("insert into reject (zone_id, fingerprint, file, line, raw_text, code, severity, message) values (?, 'fp1', 'db.a.example', 17,"
                + " 'bad IN TYPE65534 ...', 'unknown-type', 'error', 'record type not supported')", aZone);
        sides.dsl.execute("insert into divergence (owner_id, zone_name, source, reason, detail) values (?, 'b.example.', 'dual-write', 'store-failed',"
                + " 'add new.b.example. 300 A 192.0.2.77: the store refused it')", bob);

        // Reports: each owner's own zones only, in every format.
        List<Report.Owner> aliceReport = new ReportData(sides.dsl).owners("alice");
        assertThat(aliceReport).hasSize(1);
        assertThat(aliceReport.get(0).findings()).extracting(Report.Finding::qname).containsOnly("h5.a.example.", "h6.a.example.");
        assertThat(aliceReport.get(0).rejects()).extracting(Report.Reject::rawText).containsExactly("bad IN TYPE65534 ...");
        assertThat(aliceReport.get(0).divergences()).isEmpty(); // the reject's mirror in the divergence ledger is not listed twice
        for (Render.Format f : Render.Format.values()) {
            String out = Render.owners(aliceReport, f);
            assertThat(out).contains("h5.a.example.", "h6.a.example.", "TYPE65534").doesNotContain("b.example", "c.example");
        }
        assertThat(Render.json(aliceReport)).startsWith("[\n{\"owner\":\"alice\"");
        assertThat(Render.csv(aliceReport).lines()).hasSize(1 + 2 + 1 + 0);

        ReportMailer mailer = new ReportMailer(sides.dsl, sender(), Clock.systemUTC());
        ReportMailer.Result first = mailer.run(null, "ops@example.net");
        assertThat(first.sent()).isEqualTo(3);
        assertThat(first.failed()).isZero();
        MimeMessage[] got = smtp.getReceivedMessages();
        assertThat(got).hasSize(3);
        String toAlice = textOf(only(got, "alice@example.net"));
        assertThat(toAlice).contains("h5.a.example.", "h6.a.example.", "rdata", "ttl", "db.a.example:17", "TYPE65534").doesNotContain("b.example", "c.example");
        String toBob = textOf(only(got, "bob@example.net"));
        assertThat(toBob).contains("h9.b.example.", "extra.b.example.", "the store refused it").doesNotContain("a.example", "c.example");
        assertThat(Arrays.stream(got).filter(m -> recipient(m).equals("carol@example.net"))).isEmpty();
        assertThat(textOf(only(got, "ops@example.net"))).contains("ns1", "alice", "bob");

        // Nothing changed: nothing is sent again, even after a second verification of the same queries.
        assertThat(mailer.run(null, "ops@example.net").sent()).isZero();
        verify(QUERIES);
        assertThat(mailer.run(null, "ops@example.net").sent()).isZero();
        assertThat(smtp.getReceivedMessages()).hasSize(3);

        // h5 is fixed on the new side; the next verification sees it answered alike.
        sides.importZone("a.example.", sides.legacyText.get("a.example.").replace("h6 A 192.0.2.9\n", "h6 600 A 192.0.2.9\n"));
        Thread.sleep(1500); // dns-server follows the change log
        verify(List.of("h5.a.example. A"));
        // A send that fails stays in the outbox; alice is not mailed anything else meanwhile.
        ReportMailer failing = new ReportMailer(sides.dsl, (to, subject, text, html) -> {
            throw new jakarta.mail.MessagingException("connection refused (test)");
        }, Clock.systemUTC());
        ReportMailer.Result failed = failing.run("alice", null);
        assertThat(failed.sent()).isZero();
        assertThat(failed.failed()).isEqualTo(1);
        assertThat(sides.dsl.fetchOne("select status, last_error from verify_mail where status <> 'sent'").intoArray()).containsExactly("failed",
                "connection refused (test)");
        ReportMailer.Result retried = mailer.run(null, "ops@example.net");
        assertThat(retried.retried()).isEqualTo(1);
        MimeMessage[] after = smtp.getReceivedMessages();
        List<MimeMessage> toAliceNow = Arrays.stream(after).filter(m -> recipient(m).equals("alice@example.net")).toList();
        assertThat(toAliceNow).hasSize(2);
        assertThat(textOf(toAliceNow.get(1))).contains("[fixed] h5.a.example.", "h6.a.example.");
        assertThat(Arrays.stream(after).filter(m -> recipient(m).equals("bob@example.net"))).hasSize(1);
        int total = after.length;
        assertThat(mailer.run(null, "ops@example.net").sent()).isZero();
        assertThat(smtp.getReceivedMessages()).hasSize(total);
    }

    static MimeMessage only(MimeMessage[] all, String to) {
        List<MimeMessage> l = Arrays.stream(all).filter(m -> recipient(m).equals(to)).toList();
        assertThat(l).as("mails to " + to).hasSize(1);
        return l.get(0);
    }

    static String recipient(MimeMessage m) {
        try {
            return m.getAllRecipients()[0].toString();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String textOf(MimeMessage m) {
        try {
            Multipart mp = (Multipart) m.getContent();
            assertThat(mp.getCount()).isEqualTo(2);
            assertThat(mp.getBodyPart(1).getContentType()).startsWith("text/html");
            return (String) mp.getBodyPart(0).getContent();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
