package dnsmig.orchestrator.backfill;

import dnsmig.legacy.namedconf.NamedConf;
import dnsmig.legacy.namedconf.NamedConfException;
import dnsmig.legacy.namedconf.ZoneDecl;
import dnsmig.store.Names;
import dnsmig.store.Rows;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a backfill imports: the zones (from BIND's named.conf, or a directory of zone files and
 * a zone list), who owns each, and the directory relative {@code $INCLUDE}s resolve against.
 *
 * @param baseDir where relative {@code $INCLUDE} paths resolve: named.conf's {@code options {
 *     directory }}, or the zones directory
 * @param notes facts worth telling the operator (zones skipped, owners without zones, ...)
 */
record BackfillInputs(List<ZoneSpec> zones, Map<String, Rows.Owner> owners, Path baseDir, List<String> notes) {

    static final String UNASSIGNED = "unassigned";

    /**
     * Zones every BIND serves for itself (Debian's named.conf.default-zones; RFC 6761, RFC
     * 6303), not a customer's: left out unless the owners file names them.
     */
    static final java.util.Set<String> LOCAL_ZONES = java.util.Set.of("localhost.", "127.in-addr.arpa.", "0.in-addr.arpa.", "255.in-addr.arpa.");

    /**
     * Digest of the zone list (names, files, owners, in order): part of the job's identity, so
     * an interrupted run is resumed only on the very same list.
     */
    String digest() {
        try {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            for (ZoneSpec z : zones) {
                md.update((z.zone() + "\t" + z.file() + "\t" + z.owner() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return java.util.HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static BackfillInputs load(BackfillRequest request) {
        OwnersCsv owners = OwnersCsv.read(request.owners());
        List<String> notes = new ArrayList<>();
        Map<String, Path> files = new LinkedHashMap<>();
        Path baseDir;
        if (request.namedConf() != null) {
            NamedConf conf;
            try {
                conf = NamedConf.read(request.namedConf());
            } catch (NamedConfException e) {
                throw new BackfillInputException(e.getMessage(), e);
            }
            baseDir = conf.directory();
            collect(conf.zones(), request.view(), files, notes);
            List<String> local = files.keySet().stream().filter(z -> LOCAL_ZONES.contains(z) && owners.ownerOf(z) == null).toList();
            if (!local.isEmpty()) {
                local.forEach(files::remove);
                notes.add(local.size() + " zone(s) every BIND serves for itself were not imported (" + String.join(", ", local)
                        + "); list them in the owners file to import them");
            }
        } else {
            baseDir = request.zonesDir().toAbsolutePath().normalize();
            readZoneList(request.zoneList(), baseDir, files);
        }
        Map<String, Rows.Owner> used = new LinkedHashMap<>();
        List<ZoneSpec> zones = new ArrayList<>();
        List<String> unowned = new ArrayList<>();
        for (var e : files.entrySet()) {
            String owner = owners.ownerOf(e.getKey());
            if (owner == null) {
                owner = UNASSIGNED;
                unowned.add(e.getKey());
                used.putIfAbsent(UNASSIGNED, new Rows.Owner(UNASSIGNED, request.unassignedEmail()));
            } else {
                used.putIfAbsent(owner, owners.owners().get(owner));
            }
            zones.add(new ZoneSpec(e.getKey(), e.getValue(), owner, size(e.getValue())));
        }
        if (!unowned.isEmpty()) {
            notes.add(unowned.size() + " zone(s) have no line in " + request.owners() + " and were given to owner '" + UNASSIGNED
                    + "' (reports go to " + request.unassignedEmail() + "): " + abbreviate(unowned));
        }
        List<String> ownerless = owners.ownerByZone().keySet().stream().filter(z -> !files.containsKey(z)).toList();
        if (!ownerless.isEmpty()) {
            notes.add(ownerless.size() + " zone(s) in " + request.owners() + " are not in the input and were not touched: " + abbreviate(ownerless));
        }
        return new BackfillInputs(List.copyOf(zones), used, baseDir, List.copyOf(notes));
    }

    private static void collect(List<ZoneDecl> decls, String view, Map<String, Path> files, List<String> notes) {
        Map<String, ZoneDecl> seen = new LinkedHashMap<>();
        int otherTypes = 0;
        int otherClasses = 0;
        int otherViews = 0;
        for (ZoneDecl z : decls) {
            if (!z.isPrimary()) {
                otherTypes++;
                continue;
            }
            if (!"IN".equals(z.dnsClass())) {
                otherClasses++;
                continue;
            }
            if (view != null && !view.equals(z.view())) {
                otherViews++;
                continue;
            }
            if (z.file() == null) {
                throw new BackfillInputException(z.declaredIn() + ":" + z.line() + ": primary zone " + z.name() + " has no file");
            }
            String name = Names.absoluteLower(z.name());
            String bad = zoneNameProblem(name);
            if (bad != null) {
                throw new BackfillInputException(z.declaredIn() + ":" + z.line() + ": zone \"" + z.name() + "\" is not a valid zone name (" + bad + ")");
            }
            ZoneDecl before = seen.putIfAbsent(name, z);
            if (before != null) {
                throw new BackfillInputException(z.declaredIn() + ":" + z.line() + ": zone " + z.name() + " is declared again (first at "
                        + before.declaredIn() + ":" + before.line() + (z.view() != null ? ", in views '" + before.view() + "' and '" + z.view() + "'" : "")
                        + "); the new system serves one version of each zone: choose a view with --view");
            }
            files.put(name, z.file());
        }
        if (otherTypes > 0) {
            notes.add(otherTypes + " zone(s) in named.conf are not primary (secondary, forward, hint, ...) and were not imported");
        }
        if (otherClasses > 0) {
            notes.add(otherClasses + " primary zone(s) are not of class IN and were not imported");
        }
        if (otherViews > 0) {
            notes.add(otherViews + " primary zone(s) are in views other than '" + view + "' and were not imported");
        }
    }

    /** The zone list: one "zone file" per line (file relative to the zones directory); # starts a comment. */
    private static void readZoneList(Path list, Path dir, Map<String, Path> files) {
        List<String> lines;
        try {
            lines = Files.readAllLines(list, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackfillInputException("cannot read the zone list " + list + ": " + e.getMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = i == 0 ? withoutBom(lines.get(i)) : lines.get(i);
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (text.isEmpty()) {
                continue;
            }
            String[] f = text.split("\\s+");
            if (f.length != 2) {
                problems.add(list + ":" + (i + 1) + ": expected 'zone file', found: " + text);
                continue;
            }
            String zone = Names.absoluteLower(f[0]);
            String bad = zoneNameProblem(zone);
            if (bad != null) {
                problems.add(list + ":" + (i + 1) + ": '" + f[0] + "' is not a valid zone name (" + bad + ")");
                continue;
            }
            Path file = dir.resolve(f[1]).normalize();
            if (files.putIfAbsent(zone, file) != null) {
                problems.add(list + ":" + (i + 1) + ": zone " + zone + " is listed twice");
            }
        }
        if (!problems.isEmpty()) {
            throw new BackfillInputException("the zone list has " + problems.size() + " problem(s); nothing was imported:\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(50, problems.size()))));
        }
    }

    /**
     * Why {@code name} (lower-case, absolute) cannot be a zone's name, or null: an invalid name
     * is an input error naming its line (exit 2), like every other problem of the inputs, rather
     * than a zone that fails later.
     */
    static String zoneNameProblem(String name) {
        if (name.equals(".")) {
            return "the root zone is not a customer's zone";
        }
        try {
            org.xbill.DNS.Name.fromString(name);
            return null;
        } catch (org.xbill.DNS.TextParseException e) {
            return e.getMessage();
        }
    }

    /** A UTF-8 byte order mark some editors (Excel, Notepad) put at the start of a file is not part of its first line. */
    static String withoutBom(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // reported by the converter as an unreadable file, with the zone
        }
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 10 ? String.join(", ", names) : String.join(", ", names.subList(0, 10)) + ", ...";
    }
}
