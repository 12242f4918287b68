package dnsmig.verify.mail;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;

/** Sends mail over SMTP with Jakarta Mail: one multipart/alternative message, plain text and HTML. */
public final class SmtpSender implements ReportMailer.Sender {

    /**
     * @param user null: no authentication
     * @param startTls require STARTTLS
     */
    public record Settings(String host, int port, String from, String user, String password, boolean startTls, Duration timeout) {
        public Settings {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("--smtp-host is missing");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--smtp-port must be 1 to 65535 (got " + port + ")");
            }
            try {
                new InternetAddress(from, true);
            } catch (jakarta.mail.internet.AddressException e) {
                throw new IllegalArgumentException("--mail-from '" + from + "' is not a mail address: " + e.getMessage());
            }
        }
    }

    private final Settings settings;
    private final Session session;

    public SmtpSender(Settings settings) {
        this.settings = settings;
        Properties p = new Properties();
        p.put("mail.smtp.host", settings.host());
        p.put("mail.smtp.port", Integer.toString(settings.port()));
        p.put("mail.smtp.connectiontimeout", Long.toString(settings.timeout().toMillis()));
        p.put("mail.smtp.timeout", Long.toString(settings.timeout().toMillis()));
        p.put("mail.smtp.writetimeout", Long.toString(settings.timeout().toMillis()));
        if (settings.user() != null) {
            p.put("mail.smtp.auth", "true");
        }
        if (settings.startTls()) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        this.session = Session.getInstance(p);
    }

    @Override
    public void send(String to, String subject, String text, String html) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(settings.from(), true));
        m.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to, true));
        m.setSubject(subject, "UTF-8");
        m.setSentDate(new Date());
        MimeBodyPart plain = new MimeBodyPart();
        plain.setText(text, "UTF-8");
        MimeBodyPart rich = new MimeBodyPart();
        rich.setContent(html, "text/html; charset=UTF-8");
        MimeMultipart alt = new MimeMultipart("alternative", plain, rich);
        m.setContent(alt);
        m.saveChanges();
        if (settings.user() != null) {
            Transport.send(m, settings.user(), settings.password());
        } else {
            Transport.send(m);
        }
    }
}
