import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * bench/api.sh's load generator (JDK only: {@code java bench/ApiBench.java ...}): for each write
 * mode in turn, switches the running {@code dnsmig api} to it (operator token), then THREADS
 * clients PUT RRsets (a TXT with a fresh value, names reused so creates and replaces mix) into
 * random zones for SECONDS, closed loop. Prints one JSON line per mode: writes, writes/s,
 * latency p50/p90/p99/max in ms, errors by status.
 *
 * <p>usage: java ApiBench.java BASE_URL TOKEN ZONES_FILE THREADS SECONDS MODE[,MODE...] (a mode written
 * {@code warmup:MODE} runs the same way and is marked as warm-up: the JIT compiles the hot path)
 */
public class ApiBench {

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String token = args[1];
        List<String> zones = Files.readAllLines(Path.of(args[2])).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        int threads = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(4)).build();
        int phase = 0;
        for (String spec : args[5].split(",")) {
            phase++;
            boolean warmup = spec.startsWith("warmup:");
            String mode = warmup ? spec.substring("warmup:".length()) : spec;
            HttpResponse<String> set = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/admin/write-mode")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"mode\":\"" + mode + "\",\"reason\":\"bench/api.sh\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (set.statusCode() != 200) {
                throw new IllegalStateException("switching to " + mode + ": " + set.statusCode() + " " + set.body());
            }
            run(http, base, token, zones, threads, seconds, mode, phase, warmup);
        }
        System.exit(0);
    }

    static void run(HttpClient http, String base, String token, List<String> zones, int threads, int seconds, String mode, int phase, boolean warmup)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<long[]>> results = new ArrayList<>();
        Map<Integer, Integer> errors = new TreeMap<>();
        long warmupEnd = System.nanoTime() + Duration.ofSeconds(Math.min(3, seconds / 5)).toNanos();
        long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            results.add(pool.submit(() -> {
                java.util.Random rnd = new java.util.Random(phase * 1000L + thread);
                long[] lat = new long[1 << 20];
                int n = 0;
                int i = 0;
                while (System.nanoTime() < end) {
                    String zone = zones.get(rnd.nextInt(zones.size()));
                    String name = "b" + phase + "t" + thread + "n" + (i % 50);
                    String body = "{\"ttl\":300,\"records\":[\"\\\"" + mode.toLowerCase(Locale.ROOT) + "-" + thread + "-" + i + "\\\"\"]}";
                    i++;
                    HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/v1/zones/" + zone + "/rrsets/" + name + "/TXT")).timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        status = http.send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
                    } catch (Exception e) {
                        status = -1;
                    }
                    long took = System.nanoTime() - t0;
                    if (t0 < warmupEnd) {
                        continue;
                    }
                    if (status == 200) {
                        if (n < lat.length) {
                            lat[n++] = took;
                        }
                    } else {
                        synchronized (errors) {
                            errors.merge(status, 1, Integer::sum);
                        }
                    }
                }
                return Arrays.copyOf(lat, n);
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : results) {
            all.add(f.get());
        }
        pool.shutdown();
        long[] lat = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        double secs = seconds;
        System.out.printf(Locale.ROOT, "{\"phase\": %d, \"warmup\": %s, \"mode\": \"%s\", \"threads\": %d, \"seconds\": %d, \"writes\": %d, \"writes_per_s\": %.1f, \"p50_ms\": %.2f,"
                        + " \"p90_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f, \"errors\": \"%s\"}%n", phase, warmup, mode, threads, seconds, lat.length, lat.length / secs,
                pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6, errors);
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
