package dnsmig.verify.source;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Frame Streams (https://farsightsec.github.io/fstrm/) as a collector: data frames (a
 * big-endian length and the payload) and control frames (a zero length, the control length,
 * type and content-type fields). A file is START, data, STOP; a bidirectional socket
 * connection starts with READY (answered with ACCEPT) and ends with STOP (answered with FINISH).
 */
final class FrameStreamReader {

    static final int ACCEPT = 1;
    static final int START = 2;
    static final int STOP = 3;
    static final int READY = 4;
    static final int FINISH = 5;
    static final int MAX_CONTROL = 512;
    static final int MAX_DATA = 1 << 20;

    record Control(int type, List<String> contentTypes) {}

    private final DataInputStream in;
    private final String where;
    private long offset;

    FrameStreamReader(DataInputStream in, String where) {
        this.in = in;
        this.where = where;
    }

    /** The next data frame's payload, or null at a control frame (then {@link #lastControl} holds it); EOF throws. */
    private Control last;

    Control lastControl() {
        return last;
    }

    byte[] next() throws IOException {
        int len = in.readInt();
        offset += 4;
        if (len == 0) {
            int clen = in.readInt();
            offset += 4;
            if (clen < 4 || clen > MAX_CONTROL) {
                throw new ProtocolException(where + " at byte " + (offset - 8) + ": a Frame Streams control frame of " + clen + " bytes (4 to 512 allowed)");
            }
            byte[] body = in.readNBytes(clen);
            if (body.length < clen) {
                throw new EOFException(where + ": cut short inside a control frame");
            }
            offset += clen;
            last = parse(body);
            return null;
        }
        if (len < 0 || len > MAX_DATA) {
            throw new ProtocolException(where + " at byte " + (offset - 4) + ": a data frame of " + Integer.toUnsignedString(len)
                    + " bytes; this is not a Frame Streams (dnstap) stream");
        }
        byte[] data = in.readNBytes(len);
        if (data.length < len) {
            throw new EOFException(where + ": cut short inside a data frame");
        }
        offset += len;
        return data;
    }

    private Control parse(byte[] body) throws ProtocolException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(body);
        int type = b.getInt();
        List<String> types = new ArrayList<>();
        while (b.remaining() >= 8) {
            int field = b.getInt();
            int flen = b.getInt();
            if (flen < 0 || flen > b.remaining()) {
                throw new ProtocolException(where + ": a control field longer than its frame");
            }
            byte[] v = new byte[flen];
            b.get(v);
            if (field == 1) {
                types.add(new String(v, StandardCharsets.US_ASCII));
            }
        }
        return new Control(type, types);
    }

    static void writeControl(DataOutputStream out, int type, String... contentTypes) throws IOException {
        int len = 4;
        for (String c : contentTypes) {
            len += 8 + c.length();
        }
        out.writeInt(0);
        out.writeInt(len);
        out.writeInt(type);
        for (String c : contentTypes) {
            out.writeInt(1);
            out.writeInt(c.length());
            out.write(c.getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
    }
}
