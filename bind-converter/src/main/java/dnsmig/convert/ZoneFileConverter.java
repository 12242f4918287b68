package dnsmig.convert;

import dnsmig.convert.types.ExtraTypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xbill.DNS.Name;

/**
 * Converts a BIND master file into fully qualified records and findings, reading it as BIND 9.18
 * does ({@code named-compilezone -s full} is the reference). Never throws for bad content: every
 * problem is a {@link Finding} with file, line and raw text, and the good records around a bad
 * entry are still returned.
 *
 * <pre>{@code
 * var converter = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(zoneDir));
 * Conversion c = converter.convert(zoneDir.resolve("example.com.db"), Name.fromString("example.com."));
 * c.records();   // what to import
 * c.findings();  // what to tell the zone's owner
 * }</pre>
 */
public final class ZoneFileConverter {

  static {
    ExtraTypes.registerAll();
  }

  private final ConverterOptions options;

  public ZoneFileConverter(ConverterOptions options) {
    this.options = options == null ? ConverterOptions.defaults() : options;
  }

  /** Converts a file; an unreadable file is an {@code unreadable-file} error finding. */
  public Conversion convert(Path file, Name origin) {
    String label = file.toString();
    byte[] data;
    Path real;
    try {
      real = file.toRealPath();
      if (!Files.isRegularFile(real)) {
        return unreadable(label, origin, "it is not a regular file");
      }
      data = Files.readAllBytes(real);
    } catch (IOException | RuntimeException e) {
      return unreadable(label, origin, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return convert(label, real, data, origin);
  }

  /** Converts a stream (read to its end, not closed), naming it {@code fileLabel} in findings. */
  public Conversion convert(String fileLabel, InputStream in, Name origin) {
    byte[] data;
    try {
      data = in.readAllBytes();
    } catch (IOException | RuntimeException e) {
      return unreadable(fileLabel, origin, e.getMessage());
    }
    return convert(fileLabel, null, data, origin);
  }

  /** Converts in-memory file contents. */
  public Conversion convert(String fileLabel, byte[] data, Name origin) {
    return convert(fileLabel, null, data, origin);
  }

  private Conversion convert(String label, Path real, byte[] data, Name origin) {
    Name zone = origin.isAbsolute() ? origin : concat(origin);
    MasterFileReader reader = MasterFileReader.of(options, zone, label, real, data);
    List<ZoneValidator.Located> records = new ArrayList<>();
    List<ZoneValidator.Ordered> findings = new ArrayList<>();
    for (MasterFileReader.Item item = reader.next(); item != null; item = reader.next()) {
      switch (item) {
        case MasterFileReader.Rr rr -> records.add(new ZoneValidator.Located(rr.record(), rr.place()));
        case MasterFileReader.Problem p -> findings.add(new ZoneValidator.Ordered(p.finding(), p.seq()));
      }
    }
    ZoneValidator.Result result = ZoneValidator.check(zone, records);
    findings.addAll(result.findings());
    findings.sort(Comparator.comparingLong(ZoneValidator.Ordered::seq));
    return new Conversion(zone, result.accepted(), findings.stream().map(ZoneValidator.Ordered::finding).toList());
  }

  private static Name concat(Name relative) {
    try {
      return Name.concatenate(relative, Name.root);
    } catch (org.xbill.DNS.NameTooLongException e) {
      throw new IllegalArgumentException("origin too long: " + relative, e);
    }
  }

  private static Conversion unreadable(String label, Name origin, String why) {
    Finding f =
        new Finding(
            label,
            0,
            "",
            FindingCode.UNREADABLE_FILE,
            FindingCode.UNREADABLE_FILE.severity(),
            "The zone file " + label + " could not be read (" + why + "); nothing was imported.");
    return new Conversion(origin, List.of(), List.of(f));
  }
}
