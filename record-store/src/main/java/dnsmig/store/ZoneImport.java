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
            Feed feed = new Feed(md);
            feed.add("v1").add(zone).add(Long.toString(ownerId)).add(Long.toString(serial)).add(Boolean.toString(servable));
            Rows.Rr[] sorted = records.toArray(Rows.Rr[]::new);
            java.util.Arrays.sort(sorted, Rows.Rr.ORDER);
            for (Rows.Rr r : sorted) {
                feed.add(r.name()).add(r.type()).add(Integer.toString(r.ttl())).add(r.rdata());
            }
            for (Rows.Finding f : findings) {
                feed.add(f.file()).add(Integer.toString(f.line())).add(f.code()).add(f.severity().name()).add(f.rawText()).add(f.message());
            }
            return HexFormat.of().formatHex(feed.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Length-prefixed fields into a digest, through one buffer (single-byte updates are slow). */
    private static final class Feed {
        private final MessageDigest md;
        private final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 14);

        Feed(MessageDigest md) {
            this.md = md;
        }

        Feed add(String field) {
            byte[] b = field.getBytes(StandardCharsets.UTF_8);
            if (buffer.remaining() < b.length + 4) {
                flush();
            }
            if (b.length + 4 > buffer.capacity()) {
                md.update(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
                md.update(b);
            } else {
                buffer.putInt(b.length).put(b);
            }
            return this;
        }

        private void flush() {
            buffer.flip();
            md.update(buffer);
            buffer.clear();
        }

        byte[] digest() {
            flush();
            return md.digest();
        }
    }
}
