import dnsmig.store.StoreSchema;
import dnsmig.store.VerifyStore;
import dnsmig.verify.VerifyRun;
import dnsmig.verify.compare.Comparison;
import dnsmig.verify.compare.IgnoreRules;
import dnsmig.verify.replay.Replayer;
import dnsmig.verify.source.QueryListSource;
import dnsmig.verify.store.ZoneDirectory;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * bench/verify.sh's measurement: replays a dnsperf query file against the legacy named and
 * dnsmig serve (the verifier's whole path: ask both, compare, confirm mismatches), with the zone
 * directory from the record store and the windows kept in memory (store null: what is measured
 * is the replay, not PostgreSQL). Prints one JSON line: queries compared, seconds, compared/s,
 * the legacy named's CPU seconds during the run (from /proc), and the verifier's own CPU.
 *
 * usage: java -cp APP VerifyBench.java DB_URL DB_USER OLD_PORT NEW_PORT QUERY_FILE MAX_QUERIES RATE IN_FLIGHT NAMED_PID LABEL
 */
public class VerifyBench {
    public static void main(String[] a) throws Exception {
        String url = a[0], user = a[1];
        int oldPort = Integer.parseInt(a[2]), newPort = Integer.parseInt(a[3]);
        Path queries = Path.of(a[4]);
        long max = Long.parseLong(a[5]);
        double rate = Double.parseDouble(a[6]);
        int inFlight = Integer.parseInt(a[7]);
        long namedPid = Long.parseLong(a[8]);
        String label = a[9];
        ZoneDirectory zones;
        try (var ds = StoreSchema.dataSource(url, user, null, 1, "verify-bench")) {
            zones = new ZoneDirectory(new VerifyStore(DSL.using(ds, SQLDialect.POSTGRES)).zones());
        }
        Replayer.Settings s = new Replayer.Settings(new InetSocketAddress("127.0.0.1", oldPort), new InetSocketAddress("127.0.0.1", newPort),
                Duration.ofSeconds(2), rate, inFlight, Duration.ZERO, 1.0, Duration.ofSeconds(1), new Comparison(IgnoreRules.defaults(), 0),
                Duration.ofMinutes(1), Duration.ofSeconds(10));
        // Warm-up (JIT): 50,000 queries, not counted.
        try (Replayer r = new Replayer(s, null, zones, null, Clock.systemUTC())) {
            new VerifyRun(new QueryListSource(queries, "ns1"), r, 50_000).run(Duration.ofSeconds(30));
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Replayer r = new Replayer(s, null, zones, null, Clock.systemUTC())) {
            double named0 = cpu(namedPid);
            long self0 = os.getProcessCpuTime();
            double jit0 = jitCpu();
            long t0 = System.nanoTime();
            Replayer.Totals t = new VerifyRun(new QueryListSource(queries, "ns1"), r, max).run(Duration.ofSeconds(60));
            double secs = (System.nanoTime() - t0) / 1e9;
            double named = cpu(namedPid) - named0;
            double self = (os.getProcessCpuTime() - self0) / 1e9;
            double jit = jitCpu() - jit0;
            System.out.printf(java.util.Locale.ROOT,
                    "{\"label\":\"%s\",\"compared\":%d,\"matched\":%d,\"confirmed\":%d,\"transient\":%d,\"noise\":%d,\"timeouts\":%d,\"seconds\":%.3f,"
                            + "\"compared_per_s\":%.0f,\"named_cpu_s\":%.3f,\"named_cpu_us_per_compared\":%.1f,\"named_cores\":%.3f,\"verifier_cpu_s\":%.3f,"
                            + "\"verifier_cpu_us_per_compared\":%.1f,\"verifier_jit_cpu_s\":%.3f,\"verifier_cpu_us_per_compared_without_jit\":%.1f}%n",
                    label, t.compared(), t.matched(), t.confirmed(), t.transientCount(), t.noise(), t.timeouts(), secs, t.compared() / secs, named,
                    named * 1e6 / Math.max(1, t.compared()), named / secs, self, self * 1e6 / Math.max(1, t.compared()),
                    jit, (self - jit) * 1e6 / Math.max(1, t.compared()));
        }
    }

    /**
     * CPU seconds of this JVM's JIT compiler threads so far (Linux /proc/self/task; "C1/C2 CompilerThre"):
     * compiling is a start-up cost, reported apart from the verifier's steady work.
     */
    static double jitCpu() throws Exception {
        double sum = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).contains("CompilerThre")) {
                        sum += cpu(t.resolve("stat"));
                    }
                } catch (java.io.IOException gone) {
                    // the thread ended
                }
            }
        }
        return sum;
    }

    /** utime + stime of a process, in seconds (Linux /proc, clock ticks of 100 Hz). */
    static double cpu(long pid) throws Exception {
        return cpu(Path.of("/proc/" + pid + "/stat"));
    }

    static double cpu(Path statFile) throws java.io.IOException {
        String stat = Files.readString(statFile);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }
}
