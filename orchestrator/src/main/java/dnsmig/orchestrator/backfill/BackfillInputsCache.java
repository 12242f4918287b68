package dnsmig.orchestrator.backfill;

import org.springframework.stereotype.Component;

/**
 * The inputs of the backfill this process runs, read once: the runner reads them to validate
 * and identify the run, the steps (on worker threads, where no job scope exists) take them
 * from here.
 */
@Component
class BackfillInputsCache {

    private BackfillRequest request;
    private BackfillInputs inputs;

    synchronized BackfillInputs get(BackfillRequest wanted) {
        if (inputs == null || !wanted.sameInputs(request)) {
            inputs = BackfillInputs.load(wanted);
            request = wanted;
        }
        return inputs;
    }
}
