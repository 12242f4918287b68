package dnsmig.server.tap;

import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Frame Streams framing (https://farsightsec.github.io/fstrm/, "Frame Streams Protocol"): a
 * data frame is a 32-bit big-endian length and that many bytes; a control frame is an escape
 * (a zero length), the control frame's length, its type and its fields. A file is START,
 * data frames, STOP; a socket connection is READY → ACCEPT ← START, data frames, STOP →
 * FINISH ←.
 */
final class FrameStreams {

    static final int ACCEPT = 0x01;
    static final int START = 0x02;
    static final int STOP = 0x03;
    static final int READY = 0x04;
    static final int FINISH = 0x05;

    static final int FIELD_CONTENT_TYPE = 0x01;

    /** The spec's limit on a control frame's length (what libfstrm enforces). */
    static final int MAX_CONTROL_LENGTH = 512;

    /** A control frame as read: its type and the content types it names. */
    record Control(int type, List<String> contentTypes) {}

    private FrameStreams() {}

    /** The whole control frame (escape, length, type, one content-type field per name), ready to write. */
    static ByteBuffer control(int type, String... contentTypes) {
        int length = 4;
        List<byte[]> names = new ArrayList<>();
        for (String c : contentTypes) {
            byte[] b = c.getBytes(StandardCharsets.US_ASCII);
            names.add(b);
            length += 8 + b.length;
        }
        ByteBuffer out = ByteBuffer.allocate(8 + length);
        out.putInt(0).putInt(length).putInt(type);
        for (byte[] b : names) {
            out.putInt(FIELD_CONTENT_TYPE).putInt(b.length).put(b);
        }
        return out.flip();
    }

    /** Bytes a data frame of {@code payloadLength} bytes takes. */
    static int dataFrameLength(int payloadLength) {
        return 4 + payloadLength;
    }

    /** Appends one data frame; the caller made room ({@link #dataFrameLength}). */
    static void putData(ByteBuffer into, byte[] payload) {
        into.putInt(payload.length).put(payload);
    }

    /**
     * Reads a control frame's body (after the escape and the length word): its type, then its
     * fields; content types are kept, other fields skipped.
     */
    static Control parseControl(ByteBuffer body) throws ProtocolException {
        if (body.remaining() < 4) {
            throw new ProtocolException("Frame Streams control frame shorter than its type");
        }
        int type = body.getInt();
        List<String> contentTypes = new ArrayList<>();
        while (body.hasRemaining()) {
            if (body.remaining() < 8) {
                throw new ProtocolException("Frame Streams control field cut short");
            }
            int field = body.getInt();
            int length = body.getInt();
            if (length < 0 || length > body.remaining()) {
                throw new ProtocolException("Frame Streams control field longer than its frame");
            }
            byte[] value = new byte[length];
            body.get(value);
            if (field == FIELD_CONTENT_TYPE) {
                contentTypes.add(new String(value, StandardCharsets.US_ASCII));
            }
        }
        return new Control(type, List.copyOf(contentTypes));
    }

    static String name(int controlType) {
        return switch (controlType) {
            case ACCEPT -> "ACCEPT";
            case START -> "START";
            case STOP -> "STOP";
            case READY -> "READY";
            case FINISH -> "FINISH";
            default -> "control type " + controlType;
        };
    }
}
