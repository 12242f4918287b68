package dnsmig.orchestrator.cli;

import dnsmig.orchestrator.backfill.BackfillProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The backfill's progress: a bar redrawn in place on a terminal, a plain line every few seconds
 * otherwise (logs, CI), so an operator always sees zones, records, findings, rate and time left.
 */
final class ProgressBar implements AutoCloseable {

    private static final int WIDTH = 24;

    private final PrintWriter out;
    private final Supplier<BackfillProgress.Snapshot> source;
    private final boolean interactive;
    private final Duration every;
    private final Thread thread;
    private volatile boolean running = true;

    ProgressBar(PrintWriter out, Supplier<BackfillProgress.Snapshot> source, boolean interactive) {
        this.out = out;
        this.source = source;
        this.interactive = interactive;
        this.every = interactive ? Duration.ofMillis(250) : Duration.ofSeconds(10);
        this.thread = Thread.ofPlatform().daemon().name("progress").unstarted(this::loop);
    }

    ProgressBar start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            if (running) {
                draw(false);
            }
        }
    }

    private synchronized void draw(boolean last) {
        BackfillProgress.Snapshot s = source.get();
        if (s.totalZones() == 0 && !last) {
            return;
        }
        String line = render(s);
        if (interactive) {
            out.print("\r" + line + "\u001b[K" + (last ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    static String render(BackfillProgress.Snapshot s) {
        double share = s.totalBytes() > 0 ? Math.min(1.0, (double) s.bytesDone() / s.totalBytes())
                : s.totalZones() > 0 ? (double) s.zonesDone() / s.totalZones() : 1.0;
        int filled = (int) Math.round(share * WIDTH);
        return String.format(Locale.ROOT, "backfill [%s%s] %3.0f%%  %s/%s zones  %s records  %s findings  %s rec/s  ETA %s",
                "#".repeat(filled), ".".repeat(WIDTH - filled), share * 100, Terminal.count(s.zonesDone()), Terminal.count(s.totalZones()),
                Terminal.count(s.records()), Terminal.count(s.errors() + s.warnings()), Terminal.count((long) s.recordsPerSecond()),
                Terminal.duration(s.eta()));
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (interactive) {
            draw(true);
        }
    }
}
