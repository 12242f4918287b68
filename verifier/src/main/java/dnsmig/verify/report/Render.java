package dnsmig.verify.report;

import java.util.List;
import java.util.Locale;

/** Reports as text, HTML, CSV or JSON: pure functions of the report data. */
public final class Render {

    public enum Format {
        text, html, csv, json
    }

    private Render() {}

    public static String owners(List<Report.Owner> owners, Format f) {
        return switch (f) {
            case text -> text(owners);
            case html -> html(owners);
            case csv -> csv(owners);
            case json -> json(owners);
        };
    }

    // ------------------------------------------------------------------ text

    public static String text(List<Report.Owner> owners) {
        StringBuilder sb = new StringBuilder();
        for (Report.Owner o : owners) {
            sb.append(ownerText(o)).append('\n');
        }
        return sb.toString();
    }

    public static String ownerText(Report.Owner o) {
        StringBuilder sb = new StringBuilder();
        sb.append("DNS migration report for ").append(o.owner()).append('\n');
        sb.append("=".repeat(26 + o.owner().length())).append("\n\n");
        sb.append("Inconsistencies between the old and the new DNS servers (").append(o.findings().size()).append("):\n");
        if (o.findings().isEmpty()) {
            sb.append("  none\n");
        }
        for (Report.Finding f : o.findings()) {
            sb.append("  ").append(f.state().equals("fixed") ? "[fixed] " : "").append(f.qname()).append(' ').append(f.qtype()).append(": ").append(f.category())
                    .append(" on ").append(f.nameserver()).append(" (zone ").append(f.zone()).append(", seen ").append(f.count()).append(" times, first ")
                    .append(f.firstSeen()).append(", last ").append(f.lastSeen()).append(")\n    ").append(f.detail()).append('\n');
        }
        sb.append("\nRecords the new system could not import (").append(o.rejects().size()).append("):\n");
        if (o.rejects().isEmpty()) {
            sb.append("  none\n");
        }
        for (Report.Reject r : o.rejects()) {
            sb.append("  ").append(r.zone()).append(' ').append(r.file()).append(':').append(r.line()).append(": ").append(r.severity()).append(' ')
                    .append(r.code()).append(": ").append(r.message()).append("\n    ").append(r.rawText()).append('\n');
        }
        sb.append("\nChanges the new system did not apply (").append(o.divergences().size()).append("):\n");
        if (o.divergences().isEmpty()) {
            sb.append("  none\n");
        }
        for (Report.Divergence d : o.divergences()) {
            sb.append("  ").append(d.zone()).append(' ').append(d.source()).append(' ').append(d.reason()).append(" (").append(d.createdAt()).append("): ")
                    .append(d.detail()).append('\n');
        }
        return sb.toString();
    }

    public static String summaryText(Report.Summary s) {
        StringBuilder sb = new StringBuilder("Verifier summary from ").append(s.since()).append(" to ").append(s.until()).append("\n\n");
        sb.append(String.format("%-12s %12s %12s %10s %10s %10s %8s %9s %12s%n", "nameserver", "compared", "matched", "confirmed", "transient", "skew", "noise",
                "timeouts", "consistency"));
        for (Report.Nameserver n : s.nameservers()) {
            sb.append(String.format(Locale.ROOT, "%-12s %12d %12d %10d %10d %10d %8d %9d %11.4f%%%n", n.nameserver(), n.compared(), n.matched(), n.confirmed(),
                    n.transientCount(), n.versionSkew(), n.noise(), n.timeouts(), n.consistency() * 100));
        }
        if (s.nameservers().isEmpty()) {
            sb.append("(nothing compared in this period)\n");
        }
        sb.append("\nOwners with open items:\n");
        for (Report.OwnerCount o : s.owners()) {
            sb.append(String.format("  %-30s %6d findings %6d rejects %6d divergences%n", o.owner(), o.openFindings(), o.rejects(), o.divergences()));
        }
        if (s.owners().isEmpty()) {
            sb.append("  none\n");
        }
        sb.append("\nFindings in no known zone (operators only): ").append(s.unattributed()).append('\n');
        return sb.toString();
    }

    // ------------------------------------------------------------------ html

    public static String html(List<Report.Owner> owners) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>DNS migration report</title></head><body>\n");
        for (Report.Owner o : owners) {
            sb.append(ownerHtmlBody(o));
        }
        return sb.append("</body></html>\n").toString();
    }

    public static String ownerHtml(Report.Owner o) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>DNS migration report for " + esc(o.owner()) + "</title></head><body>\n"
                + ownerHtmlBody(o) + "</body></html>\n";
    }

    private static String ownerHtmlBody(Report.Owner o) {
        StringBuilder sb = new StringBuilder("<h1>DNS migration report for ").append(esc(o.owner())).append("</h1>\n");
        sb.append("<h2>Inconsistencies between the old and the new DNS servers (").append(o.findings().size()).append(")</h2>\n");
        sb.append("<table border=\"1\"><tr><th>name</th><th>type</th><th>category</th><th>nameserver</th><th>zone</th><th>state</th><th>count</th>"
                + "<th>first seen</th><th>last seen</th><th>detail</th></tr>\n");
        for (Report.Finding f : o.findings()) {
            sb.append("<tr><td>").append(esc(f.qname())).append("</td><td>").append(esc(f.qtype())).append("</td><td>").append(esc(f.category()))
                    .append("</td><td>").append(esc(f.nameserver())).append("</td><td>").append(esc(f.zone())).append("</td><td>").append(esc(f.state()))
                    .append("</td><td>").append(f.count()).append("</td><td>").append(f.firstSeen()).append("</td><td>").append(f.lastSeen())
                    .append("</td><td>").append(esc(f.detail())).append("</td></tr>\n");
        }
        sb.append("</table>\n<h2>Records the new system could not import (").append(o.rejects().size()).append(")</h2>\n<ul>\n");
        for (Report.Reject r : o.rejects()) {
            sb.append("<li>").append(esc(r.zone() + " " + r.file() + ":" + r.line() + ": " + r.severity() + " " + r.code() + ": " + r.message()))
                    .append("<br><code>").append(esc(r.rawText())).append("</code></li>\n");
        }
        sb.append("</ul>\n<h2>Changes the new system did not apply (").append(o.divergences().size()).append(")</h2>\n<ul>\n");
        for (Report.Divergence d : o.divergences()) {
            sb.append("<li>").append(esc(d.zone() + " " + d.source() + " " + d.reason() + ": " + d.detail())).append("</li>\n");
        }
        return sb.append("</ul>\n").toString();
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ csv

    /** One line per item: kind (finding, reject, divergence), owner, zone, then the item's fields (RFC 4180 quoting). */
    public static String csv(List<Report.Owner> owners) {
        StringBuilder sb = new StringBuilder("kind,owner,zone,name,type,category,nameserver,state,count,first_seen,last_seen,detail\r\n");
        for (Report.Owner o : owners) {
            for (Report.Finding f : o.findings()) {
                row(sb, "finding", o.owner(), f.zone(), f.qname(), f.qtype(), f.category(), f.nameserver(), f.state(), Long.toString(f.count()),
                        String.valueOf(f.firstSeen()), String.valueOf(f.lastSeen()), f.detail());
            }
            for (Report.Reject r : o.rejects()) {
                row(sb, "reject", o.owner(), r.zone(), r.file() + ":" + r.line(), "", r.code(), "", r.state(), "", "", "", r.message() + " | " + r.rawText());
            }
            for (Report.Divergence d : o.divergences()) {
                row(sb, "divergence", o.owner(), d.zone(), "", "", d.reason(), "", d.state(), "", String.valueOf(d.createdAt()), "", d.source() + ": " + d.detail());
            }
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String... cells) {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            String c = cells[i] == null ? "" : cells[i];
            if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(c);
            }
        }
        sb.append("\r\n");
    }

    // ------------------------------------------------------------------ json

    public static String json(List<Report.Owner> owners) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < owners.size(); i++) {
            Report.Owner o = owners.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("{\"owner\":").append(q(o.owner())).append(",\"findings\":[");
            for (int j = 0; j < o.findings().size(); j++) {
                Report.Finding f = o.findings().get(j);
                sb.append(j == 0 ? "" : ",").append("{\"zone\":").append(q(f.zone())).append(",\"name\":").append(q(f.qname())).append(",\"type\":")
                        .append(q(f.qtype())).append(",\"category\":").append(q(f.category())).append(",\"nameserver\":").append(q(f.nameserver()))
                        .append(",\"state\":").append(q(f.state())).append(",\"count\":").append(f.count()).append(",\"first_seen\":")
                        .append(q(String.valueOf(f.firstSeen()))).append(",\"last_seen\":").append(q(String.valueOf(f.lastSeen()))).append(",\"detail\":")
                        .append(q(f.detail())).append(",\"old\":").append(q(f.oldAnswer())).append(",\"new\":").append(q(f.newAnswer())).append('}');
            }
            sb.append("],\"rejects\":[");
            for (int j = 0; j < o.rejects().size(); j++) {
                Report.Reject r = o.rejects().get(j);
                sb.append(j == 0 ? "" : ",").append("{\"zone\":").append(q(r.zone())).append(",\"file\":").append(q(r.file())).append(",\"line\":")
                        .append(r.line()).append(",\"severity\":").append(q(r.severity())).append(",\"code\":").append(q(r.code())).append(",\"message\":")
                        .append(q(r.message())).append(",\"raw\":").append(q(r.rawText())).append(",\"state\":").append(q(r.state())).append('}');
            }
            sb.append("],\"divergences\":[");
            for (int j = 0; j < o.divergences().size(); j++) {
                Report.Divergence d = o.divergences().get(j);
                sb.append(j == 0 ? "" : ",").append("{\"zone\":").append(q(d.zone())).append(",\"source\":").append(q(d.source())).append(",\"reason\":")
                        .append(q(d.reason())).append(",\"detail\":").append(q(d.detail())).append(",\"state\":").append(q(d.state())).append('}');
            }
            sb.append("]}");
        }
        return sb.append(owners.isEmpty() ? "]\n" : "\n]\n").toString();
    }

    /** A JSON string (RFC 8259 escapes), or {@code null}: for the few places that write JSON without a JSON library. */
    public static String jsonString(String s) {
        return q(s);
    }

    /** A JSON string (RFC 8259 escapes), or null. */
    static String q(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
