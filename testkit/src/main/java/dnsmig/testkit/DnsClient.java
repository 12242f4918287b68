package dnsmig.testkit;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks a DNS server on loopback, over UDP or TCP, with raw bytes in and out (so tests can send
 * malformed packets too). Every call is bounded by its timeout.
 */
public final class DnsClient {

    private DnsClient() {}

    /** One UDP exchange; null when no answer came within the timeout. */
    public static byte[] udp(InetSocketAddress server, byte[] query, Duration timeout) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout((int) timeout.toMillis());
            s.send(new DatagramPacket(query, query.length, server));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (java.net.SocketTimeoutException e) {
                return null;
            }
            return java.util.Arrays.copyOf(buf, p.getLength());
        }
    }

    /** One TCP exchange (a new connection); the single response. */
    public static byte[] tcp(InetSocketAddress server, byte[] query, Duration timeout) throws IOException {
        List<byte[]> r = tcpAll(server, query, 1, timeout);
        return r.isEmpty() ? null : r.get(0);
    }

    /** Sends {@code query} over a new TCP connection and reads up to {@code messages} responses. */
    public static List<byte[]> tcpAll(InetSocketAddress server, byte[] query, int messages, Duration timeout) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            List<byte[]> responses = new ArrayList<>();
            try {
                for (int i = 0; i < messages; i++) {
                    int len = in.readUnsignedShort();
                    byte[] b = new byte[len];
                    in.readFully(b);
                    responses.add(b);
                }
            } catch (java.io.EOFException | java.net.SocketTimeoutException e) {
                // fewer responses than asked for
            }
            return responses;
        }
    }
}
