package dnsmig.orchestrator.backfill;

import dnsmig.store.RecordStore;
import dnsmig.store.Rows;
import dnsmig.store.StoreSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Component;

/**
 * Runs a backfill the way an operator expects: one at a time per database, and a run that was
 * interrupted (killed, crashed, database gone) is resumed by running the same command again.
 *
 * <p>While a backfill runs it holds a PostgreSQL session advisory lock ({@link BackfillLock}).
 * Holding it proves that any execution the job repository still shows as running is a dead
 * process's: those are marked failed, and the most recent interrupted run of the same command
 * is restarted from its last committed chunk (dry runs in between do not count; a writing run
 * of another command in between does: it may have changed the zones, so a new run starts).
 *
 * <p>The report covers every execution of the job: each partition keeps its tally of outcomes
 * in its step execution context, so zones an earlier execution could not import or the safety
 * gate held back are still reported (and still decide the exit code) after a resume.
 */
@Component
public class BackfillRunner {

    private static final Logger log = LoggerFactory.getLogger(BackfillRunner.class);
    /** How many earlier job instances are searched for an interrupted run to resume. */
    private static final int LOOKBACK = 50;
    private static final String PARTITION = "import-zones:";

    private final DataSource dataSource;
    private final JobRepository repository;
    private final JobOperator operator;
    private final Job backfillJob;
    private final BackfillProgress progress;
    private final BackfillInputsCache inputsCache;
    private final BackfillLock lock;
    private final RecordStore store;

    BackfillRunner(DataSource dataSource, JobRepository repository, JobOperator operator, Job backfillJob, BackfillProgress progress,
            BackfillInputsCache inputsCache, BackfillLock lock, RecordStore store) {
        this.dataSource = dataSource;
        this.repository = repository;
        this.operator = operator;
        this.backfillJob = backfillJob;
        this.progress = progress;
        this.inputsCache = inputsCache;
        this.lock = lock;
        this.store = store;
    }

    /** The live counters of the run in progress (for a progress bar). */
    public BackfillProgress progress() {
        return progress;
    }

    /**
     * Runs (or resumes) the backfill and returns what it did.
     *
     * @throws BackfillInputException when an input file is unusable: nothing was changed
     * @throws BackfillBusyException when another backfill is running against the database
     */
    public BackfillReport run(BackfillRequest request) throws Exception {
        StoreSchema.migrate(dataSource);
        BackfillInputs inputs = inputsCache.get(request);
        try (BackfillLock.Held held = lock.acquire()) {
            progress.begin(inputs.zones().size(), inputs.zones().stream().mapToLong(ZoneSpec::bytes).sum());
            Launch launch = launch(request, inputs);
            JobExecution done = repository.getJobExecution(launch.execution().getId());
            BackfillTotals totals = totals(done.getJobInstance());
            List<String> notes = new ArrayList<>(inputs.notes());
            notes.addAll(storeNotes(request, inputs));
            if (lock.lostReason() != null && done.getStatus() == BatchStatus.COMPLETED) {
                notes.add("the backfill's session lock was lost after its last chunk; nothing was written after that");
            }
            String cause = done.getStatus() == BatchStatus.COMPLETED ? "" : cause(launch.execution(), done, inputs);
            return new BackfillReport(done.getStatus(), cause, totals, progress.snapshot(), List.copyOf(notes), request.dryRun(), launch.resumed(),
                    done.getId(), run(done.getJobParameters()));
        }
    }

    private record Launch(JobExecution execution, boolean resumed) {}

    private Launch launch(BackfillRequest request, BackfillInputs inputs) throws Exception {
        // We hold the lock, so every execution still marked running belongs to a process that is
        // gone (killed, crashed, machine restarted): mark them failed, resumable or not.
        for (JobExecution running : repository.findRunningJobExecutions(BackfillJobConfiguration.JOB)) {
            log.warn("backfill run #{} (execution {}) was interrupted while {}; marking it failed", run(running.getJobParameters()), running.getId(),
                    running.getStatus());
            operator.recover(running);
        }
        JobParameters wanted = BackfillParameters.of(request, inputs.digest(), 0);
        List<JobInstance> recent = repository.getJobInstances(BackfillJobConfiguration.JOB, 0, LOOKBACK);
        long run = 1;
        for (JobInstance instance : recent) {
            JobExecution last = repository.getLastJobExecution(instance);
            if (last == null) {
                continue;
            }
            run = Math.max(run, run(last.getJobParameters()) + 1);
            boolean sameCommand = BackfillParameters.identity(last.getJobParameters()).equals(BackfillParameters.identity(wanted));
            if (sameCommand && last.getStatus() != BatchStatus.COMPLETED && last.getStatus() != BatchStatus.ABANDONED) {
                countCompletedPartitions(instance, inputs);
                log.info("resuming backfill run #{} from its last committed chunk (execution {} ended {})", run(last.getJobParameters()), last.getId(),
                        last.getStatus());
                return new Launch(operator.restart(last), true);
            }
            if (sameCommand || !BackfillParameters.request(last.getJobParameters()).dryRun()) {
                // The same command finished since, or another command wrote since: a new run.
                break;
            }
            // A dry run wrote nothing: an interrupted run before it can still be resumed.
        }
        if (!recent.isEmpty()) {
            run = Math.max(run, run(repository.getLastJobExecution(recent.get(0)).getJobParameters()) + 1);
        }
        return new Launch(operator.start(backfillJob, BackfillParameters.of(request, inputs.digest(), run)), false);
    }

    /** Zones that partitions of earlier executions of this instance finished count as done. */
    private void countCompletedPartitions(JobInstance instance, BackfillInputs inputs) {
        Set<String> counted = new HashSet<>();
        for (JobExecution e : repository.getJobExecutions(instance)) {
            JobExecution full = repository.getJobExecution(e.getId());
            for (StepExecution s : full.getStepExecutions()) {
                if (s.getStepName().startsWith(PARTITION) && s.getStatus() == BatchStatus.COMPLETED && counted.add(s.getStepName())) {
                    List<ZoneSpec> zones = ZonePartitioner.slice(inputs.zones(), s.getExecutionContext());
                    progress.alreadyDone(zones.size(), zones.stream().mapToLong(ZoneSpec::bytes).sum());
                }
            }
        }
    }

    /** The tallies of every partition, each as its latest execution left it (resumed ones continue the earlier ones'). */
    private BackfillTotals totals(JobInstance instance) {
        Map<String, StepExecution> latest = new HashMap<>();
        for (JobExecution e : repository.getJobExecutions(instance)) {
            for (StepExecution s : repository.getJobExecution(e.getId()).getStepExecutions()) {
                if (s.getStepName().startsWith(PARTITION)) {
                    latest.merge(s.getStepName(), s, (a, b) -> a.getId() > b.getId() ? a : b);
                }
            }
        }
        ZoneTally total = new ZoneTally();
        for (StepExecution s : latest.values()) {
            if (s.getExecutionContext().containsKey(ZoneTally.KEY)) {
                total.add(ZoneTally.decode(s.getExecutionContext().getString(ZoneTally.KEY)));
            }
        }
        return total.totals();
    }

    /**
     * Why the job failed, in the failing partition's own words (not Spring Batch's "Partition
     * handler returned an unsuccessful step").
     */
    private String cause(JobExecution launched, JobExecution done, BackfillInputs inputs) {
        if (lock.lostReason() != null) {
            return lock.lostReason();
        }
        List<String> causes = new ArrayList<>();
        for (StepExecution s : launched.getStepExecutions()) {
            if (s.getStatus() == BatchStatus.FAILED && !s.getFailureExceptions().isEmpty() && !s.getStepName().equals("import")) {
                causes.add(where(s, inputs) + ": " + rootMessage(s.getFailureExceptions().get(0)));
            }
        }
        if (causes.isEmpty()) {
            for (StepExecution s : done.getStepExecutions()) {
                String d = s.getExitStatus().getExitDescription();
                if (s.getStatus() == BatchStatus.FAILED && d != null && !d.isBlank() && !s.getStepName().equals("import")) {
                    causes.add(where(s, inputs) + ": " + lastCause(d));
                }
            }
        }
        if (causes.isEmpty()) {
            String d = done.getExitStatus().getExitDescription();
            return d == null ? "" : d.lines().findFirst().orElse("");
        }
        return causes.size() == 1 ? causes.get(0) : causes.get(0) + " (and " + (causes.size() - 1) + " more partition(s) failed)";
    }

    private static String where(StepExecution s, BackfillInputs inputs) {
        if (!s.getStepName().startsWith(PARTITION) || !s.getExecutionContext().containsKey(ZonePartitioner.FROM)) {
            return "step " + s.getStepName();
        }
        List<ZoneSpec> zones = ZonePartitioner.slice(inputs.zones(), s.getExecutionContext());
        String name = s.getStepName().substring(PARTITION.length());
        return zones.isEmpty() ? name : name + " (zones " + zones.get(0).zone() + " .. " + zones.get(zones.size() - 1).zone() + ")";
    }

    /** The innermost "Caused by:" of a stack trace kept as an exit description, without the exception's class. */
    private static String lastCause(String trace) {
        String cause = trace.lines().findFirst().orElse("");
        for (String line : trace.lines().toList()) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length());
            }
        }
        int colon = cause.indexOf(": ");
        return colon > 0 && !cause.substring(0, colon).contains(" ") ? cause.substring(colon + 2) : cause;
    }

    /** The innermost message of an exception chain, first line only. */
    static String rootMessage(Throwable e) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse(message).strip();
    }

    /** What the store holds that this input does not; in a dry run, the owners it would create or change. */
    private List<String> storeNotes(BackfillRequest request, BackfillInputs inputs) {
        List<String> notes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        inputs.zones().forEach(z -> names.add(z.zone()));
        RecordStore.ZonesOutside outside = store.zonesNotIn(names, 5);
        if (outside.count() > 0) {
            notes.add(outside.count() + " zone(s) in the store are not in this input and were left as they are (the backfill never deletes"
                    + " zones): " + String.join(", ", outside.examples()) + (outside.count() > outside.examples().size() ? ", ..." : ""));
        }
        if (request.dryRun()) {
            Map<String, String> stored = store.ownerEmails();
            Map<String, String> created = new TreeMap<>();
            Map<String, String> changed = new TreeMap<>();
            for (Rows.Owner o : inputs.owners().values()) {
                String email = stored.get(o.handle());
                if (email == null) {
                    created.put(o.handle(), o.email());
                } else if (!email.equals(o.email())) {
                    changed.put(o.handle(), email + " -> " + o.email());
                }
            }
            if (!created.isEmpty()) {
                notes.add("would create " + created.size() + " owner(s): " + String.join(", ", created.keySet()));
            }
            if (!changed.isEmpty()) {
                List<String> lines = new ArrayList<>();
                changed.forEach((h, c) -> lines.add(h + " " + c));
                notes.add("would change the e-mail of " + changed.size() + " owner(s): " + String.join("; ", lines));
            }
        }
        return notes;
    }

    private static long run(JobParameters p) {
        Long run = p.getLong(BackfillParameters.RUN);
        return run == null ? 0 : run;
    }
}
