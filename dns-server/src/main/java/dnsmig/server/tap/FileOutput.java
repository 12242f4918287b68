package dnsmig.server.tap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A Frame Streams file: START with the content type, the data frames, STOP. An existing file is replaced. */
final class FileOutput implements Output {

    private final Path path;
    private FileChannel channel;

    FileOutput(Path path) {
        this.path = path;
    }

    @Override
    public void open() throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        write(FrameStreams.control(FrameStreams.START, DnstapTap.CONTENT_TYPE));
    }

    @Override
    public void write(ByteBuffer frames) throws IOException {
        while (frames.hasRemaining()) {
            channel.write(frames);
        }
    }

    @Override
    public void finish() throws IOException {
        try (FileChannel c = channel) {
            write(FrameStreams.control(FrameStreams.STOP));
        } finally {
            channel = null;
        }
    }

    @Override
    public void abort() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing after a failure: nothing more to do
            }
            channel = null;
        }
    }

    @Override
    public boolean reconnects() {
        return false;
    }

    @Override
    public String describe() {
        return "file " + path;
    }
}
