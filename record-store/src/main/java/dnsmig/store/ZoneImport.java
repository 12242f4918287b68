package dnsmig.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Everything a backfill knows about one zone: its records (already converted, duplicates
 * removed), the findings about its file, and whether it can be served at all.
 *
 * @param zone lower-case absolute zone name
 * @param ownerId the owning {@link Rows.Owner}'s id in the store
 * @param serial the SOA serial (0 when the zone has no SOA)
 * @param servable false when a zone-level error keeps the zone from being served
 * @param source where the zone came from (its file)
 */
public record ZoneImport(String zone, long ownerId, long serial, boolean servable, String source, List<Rows.Rr> records,
        List<Rows.Finding> findings) {

    public ZoneImport {
        if (!zone.endsWith(".") || !zone.equals(zone.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("zone name must be lower-case and absolute: " + zone);
        }
        records = List.copyOf(records);
        findings = List.copyOf(findings);
    }

    /**
     * Digest of everything the import would store. Equal digests mean a re-run has nothing to
     * do. Records are digested in {@link Rows.Rr#ORDER}, so the caller's order does not matter.
     */
    public String digest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            feed(md, "v1", zone, Long.toString(ownerId), Long.toString(serial), Boolean.toString(servable));
            for (Rows.Rr r : records.stream().sorted(Rows.Rr.ORDER).toList()) {
                feed(md, r.name(), r.type(), Integer.toString(r.ttl()), r.rdata());
            }
            for (Rows.Finding f : findings) {
                feed(md, f.file(), Integer.toString(f.line()), f.code(), f.severity().name(), f.rawText(), f.message());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void feed(MessageDigest md, String... fields) {
        for (String f : fields) {
            byte[] b = (f == null ? "\u0000" : f).getBytes(StandardCharsets.UTF_8);
            md.update((byte) (b.length >>> 24));
            md.update((byte) (b.length >>> 16));
            md.update((byte) (b.length >>> 8));
            md.update((byte) b.length);
            md.update(b);
        }
    }
}
