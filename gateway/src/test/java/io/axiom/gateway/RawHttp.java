package io.axiom.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A client on a bare socket, for what {@code java.net.http} will not send: HTTP/1.0, broken framing, requests
 * trickled a byte at a time, connections that say nothing.
 */
public final class RawHttp implements AutoCloseable
{
    private final Socket socket;

    private RawHttp(final Socket socket)
    {
        this.socket = socket;
    }

    /**
     * @param port           the server's port on 127.0.0.1.
     * @param readTimeoutMs  bound on each read.
     * @return a connected client.
     */
    public static RawHttp connect(final int port, final int readTimeoutMs)
    {
        try
        {
            final Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(readTimeoutMs);
            return new RawHttp(socket);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param text bytes to send, as ISO-8859-1 text.
     * @return this.
     */
    public RawHttp send(final String text)
    {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * @param bytes bytes to send.
     * @return this.
     */
    public RawHttp send(final byte[] bytes)
    {
        try
        {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return every byte until the server closes the connection (or the read timeout passes).
     */
    public String readToEnd()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try
        {
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0)
            {
                out.write(buffer, 0, n);
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("the server did not close the connection; received so far: " +
                out.toString(StandardCharsets.UTF_8), ex);
        }
        catch (final IOException ex)
        {
            // a reset after the response is the end too
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * @return true when the server closed the connection (end of stream or reset) within the read timeout.
     */
    public boolean closedByServer()
    {
        try
        {
            return socket.getInputStream().read() < 0;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /**
     * @return the socket, e.g. to read byte by byte.
     */
    public Socket socket()
    {
        return socket;
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }

    /**
     * One response parsed from raw bytes.
     *
     * @param statusLine the first line.
     * @param headers    header names lower-cased to values (the last one wins).
     * @param body       the bytes after the header section, as text.
     */
    public record Response(String statusLine, Map<String, String> headers, String body)
    {
        /**
         * @param raw everything the server sent.
         * @return the first response in it.
         */
        public static Response parse(final String raw)
        {
            final int end = raw.indexOf("\r\n\r\n");
            if (end < 0)
            {
                throw new AssertionError("no complete response head in: " + raw);
            }
            final String[] lines = raw.substring(0, end).split("\r\n");
            final Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++)
            {
                final int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
            }
            return new Response(lines[0], headers, raw.substring(end + 4));
        }

        /**
         * @return the status code.
         */
        public int status()
        {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }
}
