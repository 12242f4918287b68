package dnsmig.orchestrator.backfill;

import java.util.Map;

/**
 * The inputs of the running job execution, read once from the files its parameters name. A
 * job-scoped bean (a class, not a record, so Spring can proxy it into singleton steps).
 */
class JobInputs {

    private final Map<String, ?> parameters;
    private BackfillInputs inputs;

    JobInputs(Map<String, ?> parameters) {
        this.parameters = parameters;
    }

    synchronized BackfillInputs get() {
        if (inputs == null) {
            inputs = BackfillInputs.load(BackfillParameters.request(parameters));
        }
        return inputs;
    }
}
