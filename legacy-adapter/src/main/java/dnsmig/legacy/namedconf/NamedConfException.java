package dnsmig.legacy.namedconf;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A named.conf that cannot be read, with the place and the problem in words an operator can act
 * on: {@code /etc/bind/named.conf.local:12:2: missing ';' after zone "example.com" statement}.
 *
 * <p>{@link #line()} and {@link #column()} are 1-based; both are 0 when the problem is with the
 * file as a whole (it cannot be opened). The message never contains a TSIG secret.
 */
public final class NamedConfException extends Exception {

    private final transient Path file;
    private final int line;
    private final int column;
    private final String problem;

    NamedConfException(Path file, int line, int column, String problem) {
        this(file, line, column, problem, null);
    }

    NamedConfException(Path file, int line, int column, String problem, Throwable cause) {
        super(place(file, line, column) + problem, cause);
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
        this.column = column;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    private static String place(Path file, int line, int column) {
        return line > 0 ? file + ":" + line + ":" + column + ": " : file + ": ";
    }

    /** The file the problem is in (for a missing include: the file holding the include statement). */
    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The problem without the place. */
    public String problem() {
        return problem;
    }
}
