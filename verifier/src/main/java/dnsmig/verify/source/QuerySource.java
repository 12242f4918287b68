package dnsmig.verify.source;

import java.io.IOException;

/** Where live queries come from. {@link #run} feeds every query it reads to the sink until the source ends or is stopped. */
public interface QuerySource extends AutoCloseable {

    /** Receives the queries; {@code clientPort} is the asker's source port (-1 when unknown), so the verifier can leave its own out. */
    @FunctionalInterface
    interface Sink {
        void accept(Query query, int clientPort) throws InterruptedException;
    }

    void run(Sink sink) throws IOException, InterruptedException;

    /** Ends a source that would otherwise go on (a socket, a followed log). */
    default void stop() {}

    /** Records read that were not queries or could not be read (counted, never fatal). */
    default long skipped() {
        return 0;
    }

    String describe();

    @Override
    default void close() {
        stop();
    }
}
