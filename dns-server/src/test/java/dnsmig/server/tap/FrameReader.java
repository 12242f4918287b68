package dnsmig.server.tap;

import dnsmig.server.tap.pb.Dnstap;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Frame Streams as a collector reads them, written for the tests apart from the tap's own
 * encoder (https://farsightsec.github.io/fstrm/): a big-endian length and a payload, or a zero
 * length, a control frame's length, its type and its content-type fields.
 */
final class FrameReader {

    static final int ACCEPT = 1;
    static final int START = 2;
    static final int STOP = 3;
    static final int READY = 4;
    static final int FINISH = 5;

    sealed interface Frame permits Control, Data {}

    record Control(int type, List<String> contentTypes) implements Frame {}

    record Data(byte[] payload) implements Frame {
        Dnstap dnstap() {
            try {
                return Dnstap.parseFrom(payload);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError("a data frame that is not a Dnstap message", e);
            }
        }
    }

    private FrameReader() {}

    /** The next frame; EOFException at the end of the stream. */
    static Frame read(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length != 0) {
            byte[] payload = new byte[length];
            in.readFully(payload);
            return new Data(payload);
        }
        int controlLength = in.readInt();
        if (controlLength < 4 || controlLength > 512) {
            throw new IOException("control frame of " + controlLength + " bytes");
        }
        int type = in.readInt();
        List<String> contentTypes = new ArrayList<>();
        for (int left = controlLength - 4; left > 0;) {
            int field = in.readInt();
            int fieldLength = in.readInt();
            byte[] value = new byte[fieldLength];
            in.readFully(value);
            left -= 8 + fieldLength;
            if (field == 1) {
                contentTypes.add(new String(value, StandardCharsets.US_ASCII));
            }
        }
        return new Control(type, contentTypes);
    }

    static void writeControl(DataOutputStream out, int type, String... contentTypes) throws IOException {
        int length = 4;
        for (String c : contentTypes) {
            length += 8 + c.length();
        }
        out.writeInt(0);
        out.writeInt(length);
        out.writeInt(type);
        for (String c : contentTypes) {
            out.writeInt(1);
            out.writeInt(c.length());
            out.writeBytes(c);
        }
        out.flush();
    }

    /** Every frame of a file, in order. */
    static List<Frame> readAll(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
            List<Frame> frames = new ArrayList<>();
            try {
                while (true) {
                    frames.add(read(in));
                }
            } catch (EOFException end) {
                return frames;
            }
        }
    }

    /** The Dnstap messages of the data frames. */
    static List<Dnstap> messages(List<Frame> frames) {
        return frames.stream().filter(Data.class::isInstance).map(f -> ((Data) f).dnstap()).toList();
    }
}
