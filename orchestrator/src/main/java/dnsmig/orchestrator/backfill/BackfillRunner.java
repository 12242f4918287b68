package dnsmig.orchestrator.backfill;

import dnsmig.store.StoreSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * <p>While a backfill runs it holds a PostgreSQL session advisory lock. Holding it proves that
 * any execution the job repository still shows as running is a dead process's, which is then
 * marked failed and restarted from its last committed chunk.
 */
@Component
public class BackfillRunner {

    private static final Logger log = LoggerFactory.getLogger(BackfillRunner.class);
    /** Advisory lock (class "dns", object 1): "a backfill is running against this database". */
    private static final String LOCK = "select pg_try_advisory_lock(6581875, 1)";
    private static final String UNLOCK = "select pg_advisory_unlock(6581875, 1)";

    private final DataSource dataSource;
    private final JobRepository repository;
    private final JobOperator operator;
    private final Job backfillJob;
    private final BackfillProgress progress;
    private final BackfillInputsCache inputsCache;

    BackfillRunner(DataSource dataSource, JobRepository repository, JobOperator operator, Job backfillJob, BackfillProgress progress,
            BackfillInputsCache inputsCache) {
        this.dataSource = dataSource;
        this.repository = repository;
        this.operator = operator;
        this.backfillJob = backfillJob;
        this.progress = progress;
        this.inputsCache = inputsCache;
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
        try (Connection c = dataSource.getConnection()) {
            if (!lock(c)) {
                throw new BackfillBusyException("another backfill is running against this database; wait for it to finish"
                        + " (or stop it: running the same command again later resumes it)");
            }
            try {
                progress.begin(inputs.zones().size(), inputs.zones().stream().mapToLong(ZoneSpec::bytes).sum());
                Launch launch = launch(request, inputs);
                JobExecution done = repository.getJobExecution(launch.execution().getId());
                return new BackfillReport(done.getStatus(), exitDescription(done), progress.snapshot(), inputs.notes(), request.dryRun(),
                        launch.resumed(), done.getId(), run(done.getJobParameters()));
            } finally {
                unlock(c);
            }
        }
    }

    private record Launch(JobExecution execution, boolean resumed) {}

    private Launch launch(BackfillRequest request, BackfillInputs inputs) throws Exception {
        JobParameters wanted = BackfillParameters.of(request, inputs.digest(), 0);
        JobInstance last = repository.getLastJobInstance(BackfillJobConfiguration.JOB);
        long run = 1;
        if (last != null) {
            JobExecution previous = repository.getLastJobExecution(last);
            run = run(previous.getJobParameters()) + 1;
            boolean sameCommand = BackfillParameters.identity(previous.getJobParameters()).equals(BackfillParameters.identity(wanted));
            if (sameCommand && previous.getStatus() != BatchStatus.COMPLETED && previous.getStatus() != BatchStatus.ABANDONED) {
                if (previous.getStatus().isRunning()) {
                    // We hold the lock, so its process is gone (killed, crashed, machine restarted).
                    log.warn("backfill run #{} (execution {}) was interrupted while {}; marking it failed and resuming it",
                            run(previous.getJobParameters()), previous.getId(), previous.getStatus());
                    previous = operator.recover(previous);
                }
                countCompletedPartitions(last, inputs);
                log.info("resuming backfill run #{} from its last committed chunk (execution {} ended {})", run(previous.getJobParameters()),
                        previous.getId(), previous.getStatus());
                return new Launch(operator.restart(previous), true);
            }
        }
        return new Launch(operator.start(backfillJob, BackfillParameters.of(request, inputs.digest(), run)), false);
    }

    /** Zones that partitions of earlier executions of this instance finished count as done. */
    private void countCompletedPartitions(JobInstance instance, BackfillInputs inputs) {
        Set<String> counted = new HashSet<>();
        for (JobExecution e : repository.getJobExecutions(instance)) {
            JobExecution full = repository.getJobExecution(e.getId());
            for (StepExecution s : full.getStepExecutions()) {
                if (s.getStepName().startsWith("import-zones:") && s.getStatus() == BatchStatus.COMPLETED && counted.add(s.getStepName())) {
                    List<ZoneSpec> zones = ZonePartitioner.slice(inputs.zones(), s.getExecutionContext());
                    progress.alreadyDone(zones.size(), zones.stream().mapToLong(ZoneSpec::bytes).sum());
                }
            }
        }
    }

    private static long run(JobParameters p) {
        Long run = p.getLong(BackfillParameters.RUN);
        return run == null ? 0 : run;
    }

    private static String exitDescription(JobExecution e) {
        String d = e.getExitStatus().getExitDescription();
        if (d == null || d.isBlank()) {
            return "";
        }
        // The first line names the cause; the stack trace is in the job repository.
        return d.lines().findFirst().orElse("");
    }

    private static boolean lock(Connection c) throws SQLException {
        try (var s = c.createStatement(); var rs = s.executeQuery(LOCK)) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static void unlock(Connection c) throws SQLException {
        try (var s = c.createStatement()) {
            s.execute(UNLOCK);
        }
    }
}
