package dnsmig.orchestrator.backfill;

import dnsmig.store.Names;
import dnsmig.store.Rows;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The owners file: which customer owns which zone and where their reports go.
 *
 * <pre>
 * zone,owner,email
 * example.com,acme,dns-admin@acme.example
 * </pre>
 *
 * A header line is required; columns may come in any order; quoted fields ("...", with ""
 * for a quote) are allowed; blank lines and lines starting with # are ignored. Any problem is
 * reported with its line number and nothing is imported until it is fixed, because a zone
 * given to the wrong owner would leak one customer's data to another.
 */
record OwnersCsv(Map<String, String> ownerByZone, Map<String, Rows.Owner> owners) {

    static final Pattern HANDLE = Pattern.compile("[a-z0-9][a-z0-9._@+-]{0,127}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s,;]+@[^@\\s,;]+");

    String ownerOf(String zone) {
        return ownerByZone.get(zone);
    }

    static OwnersCsv read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackfillInputException("cannot read the owners file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> ownerByZone = new LinkedHashMap<>();
        Map<String, Rows.Owner> owners = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        int zoneCol = -1;
        int ownerCol = -1;
        int emailCol = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = (i == 0 ? BackfillInputs.withoutBom(lines.get(i)) : lines.get(i)).strip();
            int n = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> fields;
            try {
                fields = split(line);
            } catch (IllegalArgumentException e) {
                problems.add(file + ":" + n + ": " + e.getMessage());
                continue;
            }
            if (zoneCol < 0) {
                List<String> header = fields.stream().map(s -> s.strip().toLowerCase(Locale.ROOT)).toList();
                zoneCol = header.indexOf("zone");
                ownerCol = header.indexOf("owner");
                emailCol = header.indexOf("email");
                if (zoneCol < 0 || ownerCol < 0 || emailCol < 0) {
                    throw new BackfillInputException(file + ":" + n + ": the first line must be a header naming the columns zone, owner and email (found: "
                            + line + ")");
                }
                continue;
            }
            int needed = Math.max(zoneCol, Math.max(ownerCol, emailCol)) + 1;
            if (fields.size() < needed) {
                problems.add(file + ":" + n + ": expected " + needed + " fields (zone, owner, email), found " + fields.size());
                continue;
            }
            String zone = Names.absoluteLower(fields.get(zoneCol));
            String owner = fields.get(ownerCol).strip().toLowerCase(Locale.ROOT);
            String email = fields.get(emailCol).strip();
            if (zone.equals(".") && !fields.get(zoneCol).strip().equals(".")) {
                problems.add(file + ":" + n + ": empty zone name");
                continue;
            }
            String badName = BackfillInputs.zoneNameProblem(zone);
            if (badName != null) {
                problems.add(file + ":" + n + ": '" + fields.get(zoneCol).strip() + "' is not a valid zone name (" + badName + ")");
                continue;
            }
            if (!HANDLE.matcher(owner).matches()) {
                problems.add(file + ":" + n + ": owner '" + owner + "' is not a valid handle (letters, digits and . _ @ + -, starting with a letter or digit)");
                continue;
            }
            if (!EMAIL.matcher(email).matches()) {
                problems.add(file + ":" + n + ": '" + email + "' is not an e-mail address");
                continue;
            }
            String previous = ownerByZone.putIfAbsent(zone, owner);
            if (previous != null && !previous.equals(owner)) {
                problems.add(file + ":" + n + ": zone " + zone + " is given to '" + owner + "' but an earlier line gives it to '" + previous + "'");
                continue;
            }
            Rows.Owner known = owners.putIfAbsent(owner, new Rows.Owner(owner, email));
            if (known != null && !known.email().equalsIgnoreCase(email)) {
                problems.add(file + ":" + n + ": owner '" + owner + "' has e-mail " + email + " here but " + known.email() + " on an earlier line");
            }
        }
        if (zoneCol < 0) {
            throw new BackfillInputException(file + ": the owners file is empty; it needs a header line 'zone,owner,email' and one line per zone");
        }
        if (!problems.isEmpty()) {
            throw new BackfillInputException("the owners file has " + problems.size() + " problem(s); nothing was imported:\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(50, problems.size())))
                    + (problems.size() > 50 ? "\n  ... and " + (problems.size() - 50) + " more" : ""));
        }
        return new OwnersCsv(ownerByZone, owners);
    }

    /** Splits one CSV line (RFC 4180 quoting, within one line). */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"' && cur.toString().isBlank()) {
                quoted = true;
                wasQuoted = true;
                cur.setLength(0);
            } else if (c == ',') {
                out.add(wasQuoted ? cur.toString() : cur.toString().strip());
                cur.setLength(0);
                wasQuoted = false;
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quoted field");
        }
        out.add(wasQuoted ? cur.toString() : cur.toString().strip());
        return out;
    }
}
