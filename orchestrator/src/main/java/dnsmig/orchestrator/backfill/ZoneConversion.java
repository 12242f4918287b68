package dnsmig.orchestrator.backfill;

import dnsmig.convert.Conversion;
import dnsmig.convert.ConverterOptions;
import dnsmig.convert.Finding;
import dnsmig.convert.MasterFileWriter;
import dnsmig.convert.Severity;
import dnsmig.convert.ZoneFileConverter;
import dnsmig.store.Rows;
import dnsmig.store.ZoneImport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.batch.infrastructure.item.ItemProcessor;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The processor of the backfill: reads one zone file with the BIND converter and turns the
 * result into what the record store takes. Pure CPU; runs in parallel across partitions. A zone
 * that cannot be converted becomes a {@link ZoneWork.Failed}, which the writer records with
 * the chunk (so it is reported whatever happens to the chunk's other zones).
 */
class ZoneConversion implements ItemProcessor<ZoneSpec, ZoneWork> {

    private final ZoneFileConverter converter;
    private final Map<String, Long> ownerIds;

    ZoneConversion(Path baseDir, Map<String, Long> ownerIds) {
        this.converter = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(baseDir));
        this.ownerIds = ownerIds;
    }

    @Override
    public ZoneWork process(ZoneSpec spec) {
        try {
            Long ownerId = ownerIds.get(spec.owner());
            if (ownerId == null) {
                throw new IllegalStateException("owner '" + spec.owner() + "' of zone " + spec.zone() + " is not in the store");
            }
            Conversion conversion = converter.convert(spec.file(), Name.fromString(spec.zone()));
            return plan(spec, ownerId, conversion);
        } catch (TextParseException | RuntimeException e) {
            return new ZoneWork.Failed(spec, e);
        }
    }

    static ZonePlan plan(ZoneSpec spec, long ownerId, Conversion conversion) {
        List<Rows.Rr> rows = new ArrayList<>(conversion.records().size());
        long serial = 0;
        Name lastName = null;
        String lastOwner = null;
        for (Record r : conversion.records()) {
            // Records come in canonical order: an owner's records are together, its name is rendered once.
            if (r.getName() != lastName) {
                lastName = r.getName();
                lastOwner = owner(lastName);
            }
            rows.add(new Rows.Rr(lastOwner, Type.string(r.getType()), ttl(r), MasterFileWriter.rdataText(r)));
            if (r instanceof SOARecord soa && serial == 0) {
                serial = soa.getSerial();
            }
        }
        List<Rows.Finding> findings = new ArrayList<>(conversion.findings().size());
        int errors = 0;
        for (Finding f : conversion.findings()) {
            boolean error = f.severity() == Severity.ERROR;
            errors += error ? 1 : 0;
            findings.add(new Rows.Finding(f.file(), f.line(), f.text(), f.code().id(), error ? Rows.Severity.ERROR : Rows.Severity.WARNING,
                    f.message()));
        }
        ZoneImport zi = new ZoneImport(spec.zone(), ownerId, serial, conversion.servable(), spec.file().toString(), rows, findings);
        return new ZonePlan(spec, zi, errors, findings.size() - errors);
    }

    /** A dnsjava record as the store keeps it: owner lower-case, type mnemonic, rdata in presentation form. */
    static Rows.Rr row(Record r) {
        return new Rows.Rr(owner(r.getName()), Type.string(r.getType()), ttl(r), MasterFileWriter.rdataText(r));
    }

    private static String owner(Name name) {
        return name.canonicalize().toString();
    }

    private static int ttl(Record r) {
        return (int) Math.min(Integer.MAX_VALUE, r.getTTL());
    }
}
