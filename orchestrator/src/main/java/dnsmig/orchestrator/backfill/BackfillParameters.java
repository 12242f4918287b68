package dnsmig.orchestrator.backfill;

import java.nio.file.Path;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * A {@link BackfillRequest} as Spring Batch job parameters, and back. What identifies a job
 * instance: the input files, the digest of the zone list read from them, the flags, and a run
 * number (so the same inputs can be imported again after a completed run). The thread count
 * does not identify it: a restart may use another.
 */
final class BackfillParameters {

    static final String RUN = "run";

    private BackfillParameters() {}

    static JobParameters of(BackfillRequest r, String inputsDigest, long run) {
        return new JobParametersBuilder()
                .addString("source", r.source())
                .addString("inputs", inputsDigest)
                .addString("named-conf", r.namedConf() == null ? "" : r.namedConf().toString())
                .addString("view", r.view() == null ? "" : r.view())
                .addString("zones-dir", r.zonesDir() == null ? "" : r.zonesDir().toString())
                .addString("zone-list", r.zoneList() == null ? "" : r.zoneList().toString())
                .addString("owners", r.owners().toString())
                .addString("dry-run", Boolean.toString(r.dryRun()))
                .addString("force", Boolean.toString(r.force()))
                .addString("gate-share", Double.toString(r.maxChangeShare()))
                .addString("gate-min-records", Integer.toString(r.gateMinRecords()))
                .addString("unassigned-email", r.unassignedEmail())
                .addLong(RUN, run)
                .addLong("threads", (long) r.threads(), false)
                .toJobParameters();
    }

    static BackfillRequest request(JobParameters p) {
        java.util.Map<String, Object> values = new java.util.HashMap<>();
        p.parameters().forEach(jp -> values.put(jp.name(), jp.value()));
        return request(values);
    }

    /** From the values of the job parameters (what {@code #{jobParameters}} gives a scoped bean). */
    static BackfillRequest request(java.util.Map<String, ?> p) {
        Object threads = p.get("threads");
        return new BackfillRequest(path(str(p, "named-conf")), blankToNull(str(p, "view")), path(str(p, "zones-dir")), path(str(p, "zone-list")),
                Path.of(str(p, "owners")), Boolean.parseBoolean(str(p, "dry-run")), Boolean.parseBoolean(str(p, "force")),
                threads == null ? 1 : ((Number) threads).intValue(), Double.parseDouble(str(p, "gate-share")),
                Integer.parseInt(str(p, "gate-min-records")), str(p, "unassigned-email"));
    }

    private static String str(java.util.Map<String, ?> p, String key) {
        Object v = p.get(key);
        return v == null ? null : v.toString();
    }

    /** The parameters without the run number: equal for a re-run of the same command. */
    static String identity(JobParameters p) {
        StringBuilder sb = new StringBuilder();
        p.parameters().stream().filter(jp -> jp.identifying() && !jp.name().equals(RUN))
                .sorted(java.util.Comparator.comparing(jp -> jp.name()))
                .forEach(jp -> sb.append(jp.name()).append('=').append(jp.value()).append(';'));
        return sb.toString();
    }

    private static Path path(String s) {
        return s == null || s.isEmpty() ? null : Path.of(s);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
