package dnsmig.orchestrator.backfill;

import java.nio.file.Path;

/**
 * One zone to backfill: its name (lower-case, absolute), its master file, its owner's handle,
 * and the file's size (for balancing partitions and estimating time left).
 */
record ZoneSpec(String zone, Path file, String owner, long bytes) {

    /** One line of a partition's work list (tab-separated; zone names and paths hold no tabs). */
    String encode() {
        return zone + "\t" + file + "\t" + owner + "\t" + bytes;
    }

    static ZoneSpec decode(String line) {
        String[] f = line.split("\t", 4);
        return new ZoneSpec(f[0], Path.of(f[1]), f[2], Long.parseLong(f[3]));
    }
}
