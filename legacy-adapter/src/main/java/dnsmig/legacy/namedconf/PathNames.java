package dnsmig.legacy.namedconf;

import java.nio.file.Path;

/** Path clean-up that keeps the meaning the kernel gives a path. */
final class PathNames {

    private PathNames() {
    }

    /**
     * Removes {@code .} elements only. {@code ..} stays: the kernel resolves it after following
     * symbolic links and fails on a missing directory before it, so {@code sub/../db} and
     * {@code db} are not the same file name for named (checked with {@code named-checkconf -z}).
     */
    static Path withoutDots(Path path) {
        if (path.getNameCount() == 0) {
            return path;
        }
        Path out = path.getRoot();
        for (Path element : path) {
            if (element.toString().equals(".")) {
                continue;
            }
            out = out == null ? element : out.resolve(element);
        }
        return out == null ? path.getFileSystem().getPath("") : out;
    }
}
