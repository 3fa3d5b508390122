package io.axiom.gateway.listener;

import java.util.Optional;
import java.util.concurrent.ExecutorService;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;

/**
 * Helidon's context of one connection with one change: the bytes Helidon's HTTP/1.1 code reads come through
 * {@link RequestBytes}, which tells the connection when they arrive and serves an HTTP/1.0 request as HTTP/1.1.
 * Everything else is Helidon's own.
 */
final class GuardedContext implements ConnectionContext
{
    private final ConnectionContext socket;
    private final DataReader reader;
    private GuardedConnection connection;

    /**
     * @param socket Helidon's context of the accepted socket.
     * @param bytes  the byte source the connection's reader pulls from.
     */
    GuardedContext(final ConnectionContext socket, final RequestBytes bytes)
    {
        this.socket = socket;
        this.reader = DataReader.create(bytes);
    }

    void connection(final GuardedConnection connection)
    {
        this.connection = connection;
    }

    GuardedConnection connection()
    {
        return connection;
    }

    @Override
    public DataReader dataReader()
    {
        return reader;
    }

    @Override
    public ListenerContext listenerContext()
    {
        return socket.listenerContext();
    }

    @Override
    public ExecutorService executor()
    {
        return socket.executor();
    }

    @Override
    public DataWriter dataWriter()
    {
        return socket.dataWriter();
    }

    @Override
    public Router router()
    {
        return socket.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData()
    {
        return socket.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket()
    {
        return socket.serverSocket();
    }

    @Override
    public PeerInfo remotePeer()
    {
        return socket.remotePeer();
    }

    @Override
    public PeerInfo localPeer()
    {
        return socket.localPeer();
    }

    @Override
    public boolean isSecure()
    {
        return socket.isSecure();
    }

    @Override
    public String socketId()
    {
        return socket.socketId();
    }

    @Override
    public String childSocketId()
    {
        return socket.childSocketId();
    }
}
