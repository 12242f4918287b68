package dnsmig.server.tap;

import com.google.protobuf.ByteString;
import dnsmig.server.tap.pb.Dnstap;
import dnsmig.server.tap.pb.Message;
import dnsmig.server.tap.pb.SocketFamily;
import dnsmig.server.tap.pb.SocketProtocol;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * One query and its response as the tap queued them: copies of both messages, the transport,
 * both ends, when the query came in and when the response went out. The writer thread turns it
 * into an AUTH_QUERY and an AUTH_RESPONSE message.
 */
record Exchange(byte[] query, byte[] response, boolean tcp, InetSocketAddress client, InetSocketAddress server, Instant received,
        Instant sent) {

    /** The AUTH_QUERY message: the query as received, with both ends and the time it came in. */
    Dnstap authQuery(ByteString identity, ByteString version) {
        Message.Builder m = common(Message.Type.AUTH_QUERY).setQueryMessage(ByteString.copyFrom(query));
        return wrap(m, identity, version);
    }

    /** The AUTH_RESPONSE message: the response as sent, with the query's time and its own. */
    Dnstap authResponse(ByteString identity, ByteString version) {
        Message.Builder m = common(Message.Type.AUTH_RESPONSE).setResponseTimeSec(sent.getEpochSecond())
                .setResponseTimeNsec(sent.getNano()).setResponseMessage(ByteString.copyFrom(response));
        return wrap(m, identity, version);
    }

    private Message.Builder common(Message.Type type) {
        Message.Builder m = Message.newBuilder().setType(type).setSocketProtocol(tcp ? SocketProtocol.TCP : SocketProtocol.UDP)
                .setQueryTimeSec(received.getEpochSecond()).setQueryTimeNsec(received.getNano());
        // The family is the client's; our address is written only when it is of the same family
        // (a dual-stack socket bound to :: sees IPv4 clients while its own address is IPv6).
        byte[] clientAddress = null;
        if (client != null && client.getAddress() != null) {
            clientAddress = client.getAddress().getAddress();
            m.setSocketFamily(family(clientAddress)).setQueryAddress(ByteString.copyFrom(clientAddress)).setQueryPort(client.getPort());
        }
        if (server != null && server.getAddress() != null) {
            byte[] ours = server.getAddress().getAddress();
            if (clientAddress == null) {
                m.setSocketFamily(family(ours));
            }
            if (clientAddress == null || ours.length == clientAddress.length) {
                m.setResponseAddress(ByteString.copyFrom(ours));
            }
            m.setResponsePort(server.getPort());
        }
        return m;
    }

    private static SocketFamily family(byte[] address) {
        return address.length == 4 ? SocketFamily.INET : SocketFamily.INET6;
    }

    private static Dnstap wrap(Message.Builder m, ByteString identity, ByteString version) {
        return Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setIdentity(identity).setVersion(version).setMessage(m).build();
    }
}
