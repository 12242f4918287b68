package dnsmig.legacy;

import dnsmig.convert.Conversion;
import dnsmig.convert.ConverterOptions;
import dnsmig.convert.MasterFileWriter;
import dnsmig.convert.ZoneFileConverter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * The legacy side as zone files of a named without dynamic updates. A change is applied by
 * reading the zone file (as BIND reads it), checking the change's expectations against it
 * (a conflict when someone edited the file meanwhile), writing the new content to a temporary
 * file beside it, fsync, renaming it over the old one (atomic), then {@code rndc reload ZONE}.
 * The SOA serial goes up by one (RFC 1982 arithmetic, wrapping at 2^32), or to the change's own
 * SOA serial when that is greater. If named does not take the reload, the old file is put back
 * (the same way) and nothing has changed.
 *
 * <p>The file is rewritten in canonical form (absolute names, one record per line, no comments,
 * {@code $INCLUDE}s flattened): a zone file with entries the converter refuses is not rewritten
 * at all (rejected), so nothing a file holds is lost silently. Writers of one file are
 * serialised in this process and, through a lock file beside it, across dnsmig processes.
 */
final class ZoneFiles implements LegacyDns {

    private final Map<String, Path> files;
    private final ZoneFileConverter converter;
    private final Rndc rndc;
    private final LegacyResilience settings;
    private final Guard guard;
    private final Consumer<LegacyWrite> journal;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    ZoneFiles(Map<String, Path> files, Path baseDir, Rndc rndc, LegacyResilience settings, MeterRegistry meters, Consumer<LegacyWrite> journal) {
        Map<String, Path> m = new LinkedHashMap<>();
        files.forEach((z, f) -> m.put(LegacyDns.canonical(z), f.toAbsolutePath()));
        this.files = m;
        this.converter = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(baseDir));
        this.rndc = rndc;
        this.settings = settings;
        this.guard = new Guard("legacy-zonefiles-" + rndc.address() + "-" + rndc.port(), settings, meters);
        this.journal = journal;
    }

    @Override
    public List<String> zones() {
        return List.copyOf(files.keySet());
    }

    @Override
    public ReadOutcome read(String zone) {
        String z = LegacyDns.canonical(zone);
        Path file = files.get(z);
        if (file == null) {
            return new Failure.Rejected(z, "NOTZONE", z + " is not one of the configured zone files");
        }
        return guard.idempotent("read", z, () -> {
            Conversion c = converter.convert(file, DynamicZones.name(z));
            if (c.findings().stream().anyMatch(f -> f.code().id().equals("unreadable-file"))) {
                return new Failure.Unavailable(z, false, "cannot read " + file + ": " + c.findings().get(0).message());
            }
            return new ReadOutcome.Zone(z, serial(c.records()), c.records());
        }, m -> Guard.open(z, m));
    }

    @Override
    public ReadOutcome rrset(String zone, org.xbill.DNS.Name name, int type) {
        return switch (read(zone)) {
            case ReadOutcome.Zone z -> new ReadOutcome.Zone(z.zone(), z.serial(),
                    z.records().stream().filter(r -> r.getName().equals(name) && r.getType() == type).toList());
            case Failure f -> f;
        };
    }

    @Override
    public WriteOutcome apply(ChangeSet cs) {
        Path file = files.get(cs.zone());
        WriteOutcome o = file == null ? new Failure.Rejected(cs.zone(), "NOTZONE", cs.zone() + " is not one of the configured zone files")
                : guard.once("write", cs.zone(), () -> locked(cs, file), m -> Guard.open(cs.zone(), m));
        journal.accept(LegacyWrite.of(cs, o, settings.clock()));
        return o;
    }

    @Override
    public Health health() {
        return guard.idempotent("health", "", () -> {
            try {
                Rndc.Result r = rndc.run("status");
                return new Health(r.ok(), guard.circuitState(), r.ok() ? "rndc status: named is up" : "rndc status failed: " + r.output());
            } catch (IOException e) {
                return new Health(false, guard.circuitState(), e.getMessage());
            }
        }, m -> new Health(false, "OPEN", m));
    }

    @Override
    public String toString() {
        return "ZoneFiles[" + files.size() + " zones, rndc " + rndc.address() + " port " + rndc.port() + "]";
    }

    private WriteOutcome locked(ChangeSet cs, Path file) {
        ReentrantLock lock = locks.computeIfAbsent(cs.zone(), k -> new ReentrantLock());
        lock.lock();
        try (FileChannel lf = FileChannel.open(file.resolveSibling(file.getFileName() + ".dnsmig-lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = lf.lock()) {
            return write(cs, file);
        } catch (IOException e) {
            return new Failure.Unavailable(cs.zone(), false, "cannot lock or write " + file + ": " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    private WriteOutcome write(ChangeSet cs, Path file) throws IOException {
        byte[] old = Files.readAllBytes(file);
        Conversion c = converter.convert(file.toString(), old, DynamicZones.name(cs.zone()));
        if (c.hasErrors()) {
            return new Failure.Rejected(cs.zone(), "FORMERR", file + " has " + c.errorCount() + " entries dnsmig cannot read (first: "
                    + c.findings().stream().filter(f -> f.severity() == dnsmig.convert.Severity.ERROR).findFirst().map(Object::toString).orElse("")
                    + "); rewriting it would drop them, so it was left alone: fix the file first");
        }
        List<Record> records = new ArrayList<>(c.records());
        long before = serial(records);
        List<String> moved = new ArrayList<>();
        for (RRsetChange ch : cs.changes()) {
            List<Record> now = records.stream().filter(r -> r.getName().equals(ch.name()) && r.getType() == ch.type()).toList();
            if (!RRsetChange.rdata(now).equals(RRsetChange.rdata(ch.before()))) {
                moved.add(ch.rrset() + ": expected " + ch.before().stream().map(Record::rdataToString).toList() + ", found "
                        + now.stream().map(Record::rdataToString).toList());
            }
        }
        if (!moved.isEmpty()) {
            return new WriteOutcome.Conflict(cs.zone(), "not applied: " + moved.size() + " RRset(s) of " + file
                    + " changed since they were read; read the zone again and decide", moved);
        }
        SOARecord newSoa = null;
        for (RRsetChange ch : cs.changes()) {
            records.removeIf(r -> r.getName().equals(ch.name()) && r.getType() == ch.type());
            long ttl = ch.after().isEmpty() ? 0 : ch.after().get(0).getTTL();
            for (Record r : ch.after()) {
                records.add(r.getTTL() == ttl ? r : Record.newRecord(r.getName(), r.getType(), r.getDClass(), ttl, r.rdataToWireCanonical()));
                if (r instanceof SOARecord s) {
                    newSoa = s;
                }
            }
        }
        long after = (before + 1) & 0xFFFFFFFFL;
        if (newSoa != null && Serials.greater(newSoa.getSerial(), before)) {
            after = newSoa.getSerial();
        }
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i) instanceof SOARecord s) {
                records.set(i, new SOARecord(s.getName(), s.getDClass(), s.getTTL(), s.getHost(), s.getAdmin(), after, s.getRefresh(), s.getRetry(),
                        s.getExpire(), s.getMinimum()));
            }
        }
        StringBuilder text = new StringBuilder("; written by dnsmig (").append(cs.origin()).append("): serial ").append(before).append(" -> ")
                .append(after).append('\n');
        MasterFileWriter.write(records, text);
        replace(file, text.toString().getBytes(StandardCharsets.ISO_8859_1));
        Rndc.Result reload;
        try {
            reload = rndc.run("reload", cs.zone());
        } catch (IOException e) {
            reload = new Rndc.Result(false, e.getMessage());
        }
        if (!reload.ok()) {
            replace(file, old);
            return new Failure.Unavailable(cs.zone(), false, "rndc reload " + cs.zone() + " failed (" + reload.output()
                    + "); the zone file was put back as it was, nothing changed");
        }
        return new WriteOutcome.Applied(cs.zone(), before, after);
    }

    /** Temp file beside the target, fsync, atomic rename, fsync of the directory. */
    private static void replace(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".dnsmig-tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file));
        } catch (UnsupportedOperationException | IOException e) {
            // keep the default permissions
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static long serial(List<Record> records) {
        return records.stream().filter(r -> r.getType() == Type.SOA).map(r -> ((SOARecord) r).getSerial()).findFirst().orElse(0L);
    }

    static String hex(Record r) {
        return HexFormat.of().formatHex(r.rdataToWireCanonical());
    }
}
