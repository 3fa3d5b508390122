package io.axiom.gateway.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;

import io.helidon.common.buffers.DataReader;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;

/**
 * Reads a request body with a bound, for the REST routes and {@code POST /graphql} alike.
 * <ul>
 *     <li>A declared length over the limit is refused (413) before a byte is read; a body without a declared length
 *     is read up to one byte past the limit to tell. Either way up to {@code drainLimit} bytes of the rest are read
 *     and discarded, so that the client reads the 413 instead of seeing its upload cut.</li>
 *     <li>A body whose chunked framing is broken (a chunk size that is not hexadecimal, a missing terminator) is
 *     refused with 400 {@code MALFORMED_BODY} and the connection is closed: after a framing error nothing on the
 *     connection can be trusted, and reading on would wait for bytes that never come.</li>
 *     <li>A client that goes away mid-body ends the connection; there is nobody to answer.</li>
 * </ul>
 */
public final class RequestBody
{
    private RequestBody()
    {
    }

    /**
     * @param req        the request, which has an entity.
     * @param maxBytes   the body limit ({@code gateway.max-body-bytes}).
     * @param drainLimit most bytes of an oversized body read and discarded before answering.
     * @return the body.
     * @throws ApiProblem 413 {@code BODY_TOO_LARGE} or 400 {@code MALFORMED_BODY}.
     */
    public static byte[] read(final ServerRequest req, final int maxBytes, final long drainLimit)
    {
        final OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > maxBytes)
        {
            drain(req, drainLimit);
            throw tooLarge(declared.getAsLong() + " bytes", maxBytes);
        }

        final InputStream in = req.content().inputStream();
        final byte[] body;
        try
        {
            // With a declared length read exactly that (one small array for a small body); otherwise read up to one
            // byte past the limit to tell a body that is too large.
            body = in.readNBytes(declared.isPresent() ? (int)declared.getAsLong() + 1 : maxBytes + 1);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw framingFailure(ex);
        }
        if (body.length > maxBytes)
        {
            drain(req, drainLimit);
            throw tooLarge("more than " + maxBytes + " bytes", maxBytes);
        }
        try
        {
            in.close();
        }
        catch (final IOException | RuntimeException ex)
        {
            throw framingFailure(ex);
        }
        return body;
    }

    private static RuntimeException framingFailure(final Exception ex)
    {
        if (ex instanceof CloseConnectionException closing)
        {
            return closing;
        }
        if (ex instanceof DataReader.InsufficientDataAvailableException)
        {
            return new CloseConnectionException("the client closed the connection before the end of the body", ex);
        }
        if (ex instanceof ApiProblem problem)
        {
            return problem;
        }
        return new ApiProblem(400, "MALFORMED_BODY", Responses.title(400), "the request body's chunked framing " +
            "is malformed (each chunk starts with its size in hexadecimal digits and CRLF, and a chunk of size 0 " +
            "ends the body); the connection is closed", null, true);
    }

    private static void drain(final ServerRequest req, final long drainLimit)
    {
        try (InputStream in = req.content().inputStream())
        {
            long left = drainLimit;
            final byte[] buffer = new byte[64 * 1024];
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int)Math.min(buffer.length, left))) > 0)
            {
                left -= n;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            System.getLogger(RequestBody.class.getName())
                .log(System.Logger.Level.DEBUG, "stopped draining an oversized body", ex);
        }
    }

    private static ApiProblem tooLarge(final String size, final int maxBytes)
    {
        return new ApiProblem(413, "BODY_TOO_LARGE", Responses.title(413), "request body is " + size +
            "; the limit is " + maxBytes + " bytes (gateway.max-body-bytes)", null, true);
    }
}
