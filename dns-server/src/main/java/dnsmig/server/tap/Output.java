package dnsmig.server.tap;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where the tap's frames go: a file (one unidirectional stream) or a collector's unix socket
 * (a bidirectional stream per connection). Used by the tap's writer thread only.
 */
sealed interface Output permits FileOutput, SocketOutput {

    /** Opens and starts the stream (file: START; socket: connect, READY → ACCEPT, START). */
    void open() throws IOException;

    /** Writes these frames whole, or throws (then the stream is unusable: {@link #abort()}). */
    void write(ByteBuffer frames) throws IOException;

    /** Ends the stream cleanly (STOP; on a socket, waits for FINISH) and closes. */
    void finish() throws IOException;

    /** Closes without ending the stream (after a failure). */
    void abort();

    /** Whether a failed stream is opened again (socket: a collector may come back; file: no, reopening would truncate it). */
    boolean reconnects();

    /** For logs: "file /var/log/dnstap.fstrm" or "socket /run/dnstap.sock". */
    String describe();
}
