package io.axiom.gateway.listener;

import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;

import io.helidon.common.buffers.DataReader;

/**
 * The bytes of one connection as Helidon's HTTP/1.1 code reads them: pulled from the socket's reader, each arrival
 * reported to the {@link GuardedConnection} (for the idle and head timeouts), and, when the connection's first request
 * is HTTP/1.0, that request turned into HTTP/1.1 on the way.
 * <p>
 * Helidon 4.5 answers every HTTP/1.0 request with 505 (RFC 9110 reserves 505 for a major version it cannot serve).
 * An HTTP/1.0 request is an HTTP/1.1 request without persistence and without a required {@code Host}: so its request
 * line is rewritten to {@code HTTP/1.1}, a {@code Host} naming this server is added when the request has none, and
 * {@code Connection: close} is added, so that Helidon answers once with a {@code Content-Length} (every Axiom response
 * has one) and closes: exactly what an HTTP/1.0 client reads. Only the first request of a connection can be
 * HTTP/1.0 (the connection closes after it); a later one on an HTTP/1.1 connection still gets Helidon's 505.
 * <p>
 * Used by one reader thread; not thread-safe.
 */
final class RequestBytes implements Supplier<byte[]>
{
    /** Longest first line looked at; a longer one passes untouched (Helidon answers 414). */
    static final int MAX_FIRST_LINE = 8192;
    /** Most header bytes of an HTTP/1.0 request looked at for a {@code Host}; beyond, they pass untouched. */
    static final int MAX_HEADERS = 64 * 1024;

    private static final byte[] HTTP_1_0_EOL = " HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_1_1_EOL = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int FIRST_LINE = 0;
    private static final int HTTP_1_0_HEADERS = 1;
    private static final int PASS = 2;

    private final DataReader socket;
    private final Supplier<InetSocketAddress> localAddress;
    private GuardedConnection connection;
    private int state = FIRST_LINE;
    private byte[] pending = new byte[0];
    private int headerBytes;
    private boolean hasHost;

    /**
     * @param socket       Helidon's reader of the accepted socket.
     * @param localAddress the address the client connected to, for a {@code Host} an HTTP/1.0 request lacks.
     */
    RequestBytes(final DataReader socket, final Supplier<InetSocketAddress> localAddress)
    {
        this.socket = socket;
        this.localAddress = localAddress;
    }

    void connection(final GuardedConnection connection)
    {
        this.connection = connection;
    }

    @Override
    public byte[] get()
    {
        if (connection.endsAfterResponse())
        {
            return null;
        }
        if (PASS == state)
        {
            return pull();
        }
        while (true)
        {
            final byte[] read = pull();
            if (null == read)
            {
                if (0 == pending.length)
                {
                    return null;
                }
                state = PASS;
                final byte[] rest = pending;
                pending = new byte[0];
                return rest;
            }
            pending = concat(pending, read);
            final byte[] out = FIRST_LINE == state ? firstLine() : headers();
            if (null != out)
            {
                return out;
            }
        }
    }

    private byte[] firstLine()
    {
        final int lf = indexOf(pending, 0, (byte)'\n');
        if (lf < 0)
        {
            return pending.length > MAX_FIRST_LINE ? passRest(new ByteArrayOutputStream()) : null;
        }
        if (!endsWith(pending, lf + 1, HTTP_1_0_EOL))
        {
            return passRest(new ByteArrayOutputStream());
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(pending.length + 64);
        out.write(pending, 0, lf + 1 - HTTP_1_0_EOL.length);
        out.writeBytes(HTTP_1_1_EOL);
        pending = Arrays.copyOfRange(pending, lf + 1, pending.length);
        state = HTTP_1_0_HEADERS;
        return headers(out);
    }

    private byte[] headers()
    {
        return headers(new ByteArrayOutputStream(pending.length + 64));
    }

    private byte[] headers(final ByteArrayOutputStream out)
    {
        int start = 0;
        int lf;
        while ((lf = indexOf(pending, start, (byte)'\n')) >= 0)
        {
            final int length = lf + 1 - start;
            headerBytes += length;
            if (isBlankLine(pending, start, length))
            {
                if (!hasHost)
                {
                    out.writeBytes(("Host: " + host() + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.writeBytes(CONNECTION_CLOSE);
                pending = Arrays.copyOfRange(pending, start, pending.length);
                return passRest(out);
            }
            if (startsWithIgnoreCase(pending, start, length, "host:"))
            {
                hasHost = true;
            }
            out.write(pending, start, length);
            start = lf + 1;
        }
        pending = Arrays.copyOfRange(pending, start, pending.length);
        if (headerBytes + pending.length > MAX_HEADERS)
        {
            return passRest(out);
        }
        return out.size() > 0 ? out.toByteArray() : null;
    }

    private byte[] passRest(final ByteArrayOutputStream out)
    {
        out.writeBytes(pending);
        pending = new byte[0];
        state = PASS;
        return out.toByteArray();
    }

    private byte[] pull()
    {
        try
        {
            socket.ensureAvailable();
        }
        catch (final DataReader.InsufficientDataAvailableException ex)
        {
            return null;
        }
        final byte[] bytes = socket.readBytes(socket.available());
        connection.onBytes();
        return bytes;
    }

    private String host()
    {
        final InetSocketAddress address = localAddress.get();
        if (null == address || null == address.getAddress())
        {
            return "localhost";
        }
        final String ip = address.getAddress().getHostAddress();
        final int zone = ip.indexOf('%');
        final String literal = address.getAddress() instanceof Inet6Address ?
            "[" + (zone < 0 ? ip : ip.substring(0, zone)) + "]" : ip;
        return literal + ":" + address.getPort();
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        if (0 == a.length)
        {
            return b;
        }
        final byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static int indexOf(final byte[] bytes, final int from, final byte b)
    {
        for (int i = from; i < bytes.length; i++)
        {
            if (bytes[i] == b)
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean endsWith(final byte[] bytes, final int end, final byte[] suffix)
    {
        if (end < suffix.length)
        {
            return false;
        }
        return Arrays.equals(bytes, end - suffix.length, end, suffix, 0, suffix.length);
    }

    private static boolean isBlankLine(final byte[] bytes, final int start, final int length)
    {
        return 1 == length || (2 == length && '\r' == bytes[start]);
    }

    private static boolean startsWithIgnoreCase(
        final byte[] bytes, final int start, final int length, final String prefix)
    {
        if (length < prefix.length())
        {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++)
        {
            if (Character.toLowerCase((char)(bytes[start + i] & 0xff)) != prefix.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
