package dnsmig.orchestrator.backfill;

import dnsmig.store.ImportPolicy;
import dnsmig.store.RecordStore;
import java.util.Map;
import org.jooq.DSLContext;
import org.springframework.batch.core.configuration.annotation.JobScope;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The backfill job: BIND zones into the record store.
 *
 * <pre>
 * backfill
 *   owners          tasklet: create/update the owners of the owners file (nothing in a dry run)
 *   import          partitioned by zone over a thread pool (contiguous ranges of about equal bytes)
 *     import-zones  chunk-oriented, 128 zones a chunk (dnsmig.backfill.chunk-zones): read zone list →
 *                   convert zone file → write the chunk's zones (diff, gate, rejects) and tally outcomes
 * </pre>
 *
 * Restartable through the JDBC job repository: each partition saves, with every chunk and in
 * its transaction, how many zones it has committed and its tally of outcomes (failed and held
 * zones included), so the report of a resumed job covers every execution. Memory: each thread
 * holds one chunk of zones, so the heap needed grows with the largest zones, never with the
 * number of zones or records (a 1M-record provider runs in -Xmx256m). Transient database
 * errors are retried; a zone that fails for any other reason is set aside by the writer, reported,
 * and makes the run exit non-zero.
 */
@Configuration(proxyBeanMethods = false)
class BackfillJobConfiguration {

    static final String JOB = "backfill";

    @Bean
    RecordStore recordStore(DSLContext dsl) {
        return new RecordStore(dsl);
    }

    @Bean
    Job backfillJob(JobRepository repository, Step ownersStep, Step importStep) {
        return new JobBuilder(JOB, repository).start(ownersStep).next(importStep).build();
    }

    @Bean
    Step ownersStep(JobRepository repository, PlatformTransactionManager tx, BackfillInputsCache inputs, RecordStore store) {
        return new StepBuilder("owners", repository)
                .tasklet((contribution, chunk) -> {
                    BackfillRequest request = BackfillParameters.request(contribution.getStepExecution().getJobParameters());
                    if (!request.dryRun()) {
                        store.upsertOwners(inputs.get(request).owners().values());
                    }
                    return RepeatStatus.FINISHED;
                }, tx)
                .build();
    }

    @Bean
    Step importStep(JobRepository repository, Step importZonesStep, Partitioner zonePartitioner,
            @Value("${dnsmig.backfill.threads:2}") int threads) {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("backfill-");
        executor.setConcurrencyLimit(threads);
        return new StepBuilder("import", repository)
                .partitioner("import-zones", zonePartitioner)
                .step(importZonesStep)
                .gridSize(threads * 4)
                .taskExecutor(executor)
                .build();
    }

    @Bean
    Step importZonesStep(JobRepository repository, PlatformTransactionManager tx, ZoneSpecReader zoneSpecReader, ZoneConversion zoneConversion,
            ZoneImportWriter zoneImportWriter, PartitionTally partitionTally, @Value("${dnsmig.backfill.chunk-zones:128}") int chunkZones) {
        // No skipping here: the writer itself sets aside a zone that fails on its own (see
        // ZoneImportWriter), inside the chunk's transaction, so it is reported exactly once.
        // Anything else that escapes a chunk fails the partition (resumable).
        return new StepBuilder("import-zones", repository).<ZoneSpec, ZoneWork>chunk(chunkZones)
                .transactionManager(tx)
                .reader(zoneSpecReader)
                .processor(zoneConversion)
                .writer(zoneImportWriter)
                .stream(partitionTally)
                .faultTolerant()
                .retry(TransientDataAccessException.class, RecoverableDataAccessException.class, CannotGetJdbcConnectionException.class)
                .retryLimit(5)
                .build();
    }

    /**
     * True when {@code t} is a zone failing on its own (the database refuses that zone's data):
     * set aside and reported. False for a database that is gone or busy (transient: retried,
     * then the partition fails, resumable), a lost backfill lock, or a fault of the job itself.
     */
    static boolean zoneFailure(Throwable t) {
        return !(t instanceof TransientDataAccessException || t instanceof DataAccessResourceFailureException
                || t instanceof RecoverableDataAccessException || t instanceof CannotGetJdbcConnectionException
                || t instanceof org.springframework.transaction.TransactionException
                || t instanceof BackfillLockLostException || t instanceof org.springframework.beans.BeansException || t instanceof Error);
    }

    @Bean
    @JobScope
    Partitioner zonePartitioner(@Value("#{jobParameters}") Map<String, Object> parameters, BackfillInputsCache inputs) {
        return new ZonePartitioner(inputs.get(BackfillParameters.request(parameters)).zones());
    }

    @Bean
    @StepScope
    ZoneSpecReader zoneSpecReader(@Value("#{jobParameters}") Map<String, Object> parameters,
            @Value("#{stepExecution.executionContext}") ExecutionContext context, BackfillInputsCache inputs, BackfillProgress progress) {
        return new ZoneSpecReader(ZonePartitioner.slice(inputs.get(BackfillParameters.request(parameters)).zones(), context), progress);
    }

    @Bean
    @StepScope
    ZoneConversion zoneConversion(@Value("#{jobParameters}") Map<String, Object> parameters, BackfillInputsCache inputs, RecordStore store) {
        BackfillRequest request = BackfillParameters.request(parameters);
        BackfillInputs in = inputs.get(request);
        return new ZoneConversion(in.baseDir(), ownerIds(store.ownerIds(), in.owners().keySet(), request.dryRun()));
    }

    /**
     * The owners' ids; in a dry run, which creates no owners, owners not in the store yet get
     * placeholder ids (negative, never a real id), so their zones are planned all the same.
     */
    static Map<String, Long> ownerIds(Map<String, Long> stored, java.util.Collection<String> wanted, boolean dryRun) {
        if (!dryRun) {
            return stored;
        }
        Map<String, Long> ids = new java.util.HashMap<>(stored);
        long placeholder = 0;
        for (String handle : new java.util.TreeSet<>(wanted)) {
            if (!ids.containsKey(handle)) {
                ids.put(handle, --placeholder);
            }
        }
        return ids;
    }

    @Bean
    @StepScope
    PartitionTally partitionTally(BackfillProgress progress) {
        return new PartitionTally(progress);
    }

    @Bean
    @StepScope
    ZoneImportWriter zoneImportWriter(@Value("#{jobParameters}") Map<String, Object> parameters, RecordStore store, PartitionTally partitionTally,
            BackfillLock lock, PlatformTransactionManager tx) {
        BackfillRequest request = BackfillParameters.request(parameters);
        ImportPolicy policy = new ImportPolicy(request.dryRun(), request.force(), request.maxChangeShare(), request.gateMinRecords());
        return new ZoneImportWriter(store, policy, partitionTally, lock, tx);
    }
}
