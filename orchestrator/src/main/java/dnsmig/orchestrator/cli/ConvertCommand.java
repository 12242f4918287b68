package dnsmig.orchestrator.cli;

import dnsmig.convert.Conversion;
import dnsmig.convert.ConverterOptions;
import dnsmig.convert.Finding;
import dnsmig.convert.MasterFileWriter;
import dnsmig.convert.ZoneFileConverter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.json.JsonMapper;

@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reads one BIND zone file the way the backfill does and prints the records it would import, one per line with absolute names in canonical order (a valid master file), on standard output; the findings go to standard error. The operator's tool to check one zone, like named-compilezone. Touches no database."},
        footer = {"", "Exit codes: 0 no errors (warnings allowed), 1 errors found (entries rejected or zone not servable), 2 bad usage.",
                "", "Example:", "  dnsmig convert /etc/bind/db.example.com --origin example.com > example.com.flat"})
final class ConvertCommand implements Callable<Integer> {

    enum Format { bind, json }

    @Parameters(index = "0", paramLabel = "FILE", description = "The zone file.")
    Path file;

    @Option(names = "--origin", paramLabel = "ZONE", required = true, description = "The zone's name (its origin).")
    String origin;

    @Option(names = "--base-dir", paramLabel = "DIR",
            description = "Where relative $INCLUDE paths resolve, as BIND's working directory (default: the current directory).")
    Path baseDir;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "bind", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is not a readable file");
        }
        Name zone = Name.fromString(origin.endsWith(".") ? origin : origin + ".");
        Path base = baseDir != null ? baseDir : Path.of("").toAbsolutePath();
        Conversion c = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(base)).convert(file, zone);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (format == Format.json) {
            JsonMapper json = JsonMapper.builder().build();
            List<Map<String, Object>> records = new ArrayList<>();
            for (Record r : c.records()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", r.getName().toString());
                m.put("ttl", r.getTTL());
                m.put("class", DClass.string(r.getDClass()));
                m.put("type", Type.string(r.getType()));
                m.put("rdata", r.rdataToString());
                records.add(m);
            }
            out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(records));
            for (Finding f : c.findings()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", f.file());
                m.put("line", f.line());
                m.put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT));
                m.put("code", f.code().id());
                m.put("message", f.message());
                m.put("text", f.text());
                err.println(json.writeValueAsString(m));
            }
        } else {
            MasterFileWriter.write(c.records(), out);
            for (Finding f : c.findings()) {
                err.println(f.file() + ":" + f.line() + ": " + f.severity().name().toLowerCase(java.util.Locale.ROOT) + ": " + f.code().id() + ": "
                        + f.message());
                // Control characters from the file would drive the terminal: shown as \DDD.
                f.text().lines().limit(5).forEach(l -> err.println("    | " + dnsmig.store.Rows.printable(l)));
            }
            err.println(c.records().size() + " records; " + c.errorCount() + " errors, " + c.warningCount() + " warnings"
                    + (c.servable() ? "" : "; the zone is not servable (BIND would refuse to load it)"));
        }
        out.flush();
        err.flush();
        return c.hasErrors() || !c.servable() ? ExitCode.FAILED : ExitCode.OK;
    }

}
