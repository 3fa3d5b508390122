package io.axiom.perf;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One persistent HTTP/1.1 connection of the load generator: a plain blocking socket, one request at a time (no
 * pipelining), TCP_NODELAY, a read timeout. Just enough of HTTP/1.1 to read a response: the status line, the
 * headers the harness needs ({@code Content-Length}, {@code Transfer-Encoding: chunked}, {@code Connection: close},
 * {@code Location}) and the body, which stays in the connection's buffer until the next request.
 * <p>
 * A raw client rather than {@code java.net.http.HttpClient}: the number of connections is exactly the number asked
 * for, each request is one {@code write} of prebuilt bytes, and nothing is pooled, multiplexed or retried behind the
 * harness's back.
 */
final class HttpConnection implements AutoCloseable
{
    private static final byte[] HEADER_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "connection:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LOCATION = "location:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "chunked".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "close".getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress address;
    private final int timeoutMs;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private byte[] buf = new byte[16 * 1024];
    private int start;
    private int end;

    /** Status code of the last response. */
    int status;
    /** Offset and length of the last response's body in {@link #buffer()}. */
    int bodyOffset;
    int bodyLength;
    /** Trailing number of the last response's Location header, or -1 when there was none. */
    long locationId;
    /** Connects made so far, the first one included. */
    int connects;

    HttpConnection(final InetSocketAddress address, final int timeoutMs)
    {
        this.address = address;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Send one request (complete bytes: request line, headers, body) and read its response.
     *
     * @param request the request bytes, sent with a single write.
     * @return the status code.
     * @throws IOException on a timeout (java.net.SocketTimeoutException), a reset or a malformed response; the
     *                     connection is closed and the next call reconnects.
     */
    int exchange(final byte[] request) throws IOException
    {
        if (null == socket)
        {
            connect();
        }
        try
        {
            out.write(request);
            readResponse();
            return status;
        }
        catch (final IOException ex)
        {
            close();
            throw ex;
        }
    }

    byte[] buffer()
    {
        return buf;
    }

    boolean bodyContains(final byte[] needle)
    {
        return indexOf(buf, bodyOffset, bodyOffset + bodyLength, needle) >= 0;
    }

    public void close()
    {
        if (null != socket)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
            socket = null;
            in = null;
            out = null;
        }
        start = 0;
        end = 0;
    }

    private void connect() throws IOException
    {
        final Socket s = new Socket();
        try
        {
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMs);
            s.connect(address, timeoutMs);
        }
        catch (final IOException ex)
        {
            s.close();
            throw ex;
        }
        socket = s;
        in = s.getInputStream();
        out = s.getOutputStream();
        start = 0;
        end = 0;
        connects++;
    }

    private void readResponse() throws IOException
    {
        int headerEnd;
        while ((headerEnd = indexOf(buf, start, end, HEADER_END)) < 0)
        {
            fill();
        }
        if (headerEnd - start < 12 || buf[start + 8] != ' ')
        {
            throw new IOException("malformed status line");
        }
        status = (buf[start + 9] - '0') * 100 + (buf[start + 10] - '0') * 10 + (buf[start + 11] - '0');
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        locationId = -1;
        int line = indexOf(buf, start, headerEnd, CRLF) + 2;
        while (line < headerEnd)
        {
            int eol = indexOf(buf, line, headerEnd, CRLF);
            eol = eol < 0 ? headerEnd : eol;
            if (startsWithIgnoreCase(line, eol, CONTENT_LENGTH))
            {
                contentLength = parseLong(line + CONTENT_LENGTH.length, eol);
            }
            else if (startsWithIgnoreCase(line, eol, TRANSFER_ENCODING))
            {
                chunked = indexOfIgnoreCase(line, eol, CHUNKED) >= 0;
            }
            else if (startsWithIgnoreCase(line, eol, CONNECTION))
            {
                close = indexOfIgnoreCase(line, eol, CLOSE) >= 0;
            }
            else if (startsWithIgnoreCase(line, eol, LOCATION))
            {
                locationId = trailingNumber(line, eol);
            }
            line = eol + 2;
        }
        start = headerEnd + 4;
        if (chunked)
        {
            readChunked();
        }
        else
        {
            readBody(Math.max(0, contentLength));
        }
        if (close)
        {
            close();
        }
    }

    private void readBody(final long length) throws IOException
    {
        if (length > Integer.MAX_VALUE / 2)
        {
            throw new IOException("body too large: " + length);
        }
        while (end - start < length)
        {
            fill();
        }
        bodyOffset = start;
        bodyLength = (int)length;
        start += (int)length;
    }

    /**
     * Read a chunked body and join its chunks in place, so that the body is one range of the buffer.
     */
    private void readChunked() throws IOException
    {
        final int bodyStart = start;
        int bodyEnd = start;
        while (true)
        {
            int eol;
            while ((eol = indexOf(buf, start, end, CRLF)) < 0)
            {
                fill();
            }
            final int size = parseHex(start, eol);
            start = eol + 2;
            while (end - start < size + 2)
            {
                fill();
            }
            System.arraycopy(buf, start, buf, bodyEnd, size);
            bodyEnd += size;
            start += size + 2;
            if (0 == size)
            {
                break;
            }
        }
        bodyOffset = bodyStart;
        bodyLength = bodyEnd - bodyStart;
    }

    private void fill() throws IOException
    {
        if (end == buf.length)
        {
            if (start > 0 && start > buf.length / 2)
            {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            else
            {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
        }
        final int n = in.read(buf, end, buf.length - end);
        if (n < 0)
        {
            throw new EOFException("server closed the connection");
        }
        end += n;
    }

    private boolean startsWithIgnoreCase(final int from, final int to, final byte[] prefix)
    {
        if (to - from < prefix.length)
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            if (Character.toLowerCase(buf[from + i]) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    private int indexOfIgnoreCase(final int from, final int to, final byte[] needle)
    {
        outer:
        for (int i = from; i <= to - needle.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (Character.toLowerCase(buf[i + j]) != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private long parseLong(final int from, final int to) throws IOException
    {
        long value = 0;
        boolean digits = false;
        for (int i = from; i < to; i++)
        {
            final byte b = buf[i];
            if (b >= '0' && b <= '9')
            {
                value = value * 10 + (b - '0');
                digits = true;
            }
            else if (b != ' ' && b != '\t')
            {
                throw new IOException("malformed number in header");
            }
        }
        if (!digits)
        {
            throw new IOException("empty number in header");
        }
        return value;
    }

    private int parseHex(final int from, final int to) throws IOException
    {
        int value = 0;
        for (int i = from; i < to; i++)
        {
            final int d = Character.digit(buf[i], 16);
            if (d < 0)
            {
                break; // chunk extensions follow
            }
            value = value * 16 + d;
        }
        return value;
    }

    private long trailingNumber(final int from, final int to)
    {
        int i = to;
        while (i > from && buf[i - 1] >= '0' && buf[i - 1] <= '9')
        {
            i--;
        }
        if (i == to || to - i > 18)
        {
            return -1;
        }
        long value = 0;
        for (int j = i; j < to; j++)
        {
            value = value * 10 + (buf[j] - '0');
        }
        return value;
    }

    static int indexOf(final byte[] haystack, final int from, final int to, final byte[] needle)
    {
        outer:
        for (int i = from; i <= to - needle.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
