package dnsmig.orchestrator.cli;

/** Exit codes scripts can trust. The same for every command. */
final class ExitCode {

    /** Done; findings (rejected records, warnings) may have been reported. */
    static final int OK = 0;
    /** The job failed, or some zones could not be imported at all; running the same command again resumes. */
    static final int FAILED = 1;
    /** Bad usage or unusable input (named.conf, zone list, owners file); nothing was changed. */
    static final int USAGE = 2;
    /** The safety gate held back zones whose re-import would delete or change too much; review, then re-run with --force. */
    static final int HELD = 3;
    /** Another backfill is running against the same database; nothing was changed. */
    static final int BUSY = 4;

    private ExitCode() {}

    static final String HELP = """
            Exit codes:
              0  done (rejected records and warnings are findings, not failures)
              1  the job failed or some zones could not be imported; run the same command again to resume
              2  bad usage or unusable input; nothing was changed
              3  the safety gate held back some zones; review them, then re-run with --force
              4  another backfill is running against this database; nothing was changed""";
}
