package io.axiom.gateway.http;

import java.util.Locale;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * Answers the errors Helidon decides before routing (unparseable request line or headers, a declared body over the
 * server's payload limit, an unsupported HTTP version) with {@code application/problem+json} instead of Helidon's
 * plain text. Helidon's own message (see {@link RequestErrors}) is never passed on: it only picks which of Axiom's
 * explanations applies (what was wrong and what was expected), so the detail is precise without exposing the
 * library.
 */
public final class ProblemDirectHandler implements DirectHandler
{
    /** Longest request line Helidon reads (its default). */
    static final int MAX_REQUEST_LINE = 4096;
    /** Largest header section Helidon reads (its default). */
    static final int MAX_HEADERS = 16384;

    private static final System.Logger LOG = System.getLogger(ProblemDirectHandler.class.getName());

    private final int maxBodyBytes;

    /**
     * @param maxBodyBytes the body limit, for the detail of a 413.
     */
    public ProblemDirectHandler(final int maxBodyBytes)
    {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public TransportResponse handle(
        final TransportRequest request,
        final EventType eventType,
        final Status status,
        final ServerResponseHeaders responseHeaders,
        final Throwable thrown,
        final System.Logger logger)
    {
        final StringBuilder text = new StringBuilder(RequestErrors.take());
        for (Throwable t = thrown; null != t; t = t.getCause())
        {
            text.append(' ').append(t.getMessage());
        }
        return respond(request, eventType, explain(eventType, status, text.toString(), thrown), responseHeaders);
    }

    @Override
    public TransportResponse handle(
        final TransportRequest request,
        final EventType eventType,
        final Status status,
        final ServerResponseHeaders responseHeaders,
        final String message)
    {
        return respond(request, eventType,
            explain(eventType, status, message + " " + RequestErrors.take(), null), responseHeaders);
    }

    private ApiProblem explain(final EventType eventType, final Status status, final String message, final Throwable t)
    {
        final int code = status.code();
        final String said = message.toLowerCase(Locale.ROOT);
        if (eventType == EventType.PAYLOAD_TOO_LARGE || 413 == code)
        {
            return new ApiProblem(413, "BODY_TOO_LARGE", Responses.title(413),
                "request body is larger than the limit of " + maxBodyBytes + " bytes (gateway.max-body-bytes)");
        }
        if (eventType == EventType.HTTP_VERSION_NOT_SUPPORTED || 505 == code)
        {
            return new ApiProblem(505, Responses.code(505), Responses.title(505), "this server speaks HTTP/1.1 " +
                "(and HTTP/1.0 as the first request of a connection); send the request as HTTP/1.1");
        }
        if (414 == code || said.contains("uri too long"))
        {
            return new ApiProblem(414, Responses.code(414), Responses.title(414), "the request line (method, path " +
                "and query) is longer than " + MAX_REQUEST_LINE + " bytes");
        }
        if (said.contains("header size exceeded"))
        {
            return new ApiProblem(431, Responses.code(431), Responses.title(431), "the request headers are larger " +
                "than " + MAX_HEADERS + " bytes");
        }
        if (code >= 500)
        {
            final String reference = ApiProblem.newReference();
            LOG.log(System.Logger.Level.ERROR, "unexpected failure before routing (reference " + reference + ")", t);
            return new ApiProblem(code, Responses.code(code), Responses.title(code), "an unexpected error occurred " +
                "on the server (reference " + reference + " in its log)");
        }
        if (code >= 400)
        {
            return new ApiProblem(code, Responses.code(code), Responses.title(code), badRequest(said));
        }
        return new ApiProblem(code, Responses.code(code), Responses.title(code), status.reasonPhrase());
    }

    private static String badRequest(final String said)
    {
        if (said.contains("host header must be present"))
        {
            return "the request has no Host header; HTTP/1.1 requires one";
        }
        if (said.contains("single host header"))
        {
            return "the request has more than one Host header; give one";
        }
        if (said.contains("host header"))
        {
            return "the Host header is not a valid host or host:port";
        }
        if (said.contains("content length") || said.contains("content-length"))
        {
            return "the Content-Length header is not a single non-negative number" +
                (said.contains("transfer-encoding") ? ", or is combined with Transfer-Encoding" : "");
        }
        if (said.contains("transfer-encoding") || said.contains("transfer encoding"))
        {
            return "the request's Transfer-Encoding is not supported: send the body with a Content-Length, or " +
                "with Transfer-Encoding: chunked alone";
        }
        if (said.contains("content encoding") || said.contains("content-encoding"))
        {
            return "Content-Encoding is not supported: send the body uncompressed";
        }
        if (said.contains("chunk"))
        {
            return "the request body's chunked framing is malformed (each chunk starts with its size in hexadecimal " +
                "digits and CRLF, and a chunk of size 0 ends the body)";
        }
        if (said.contains("header"))
        {
            return "a request header is malformed: each is NAME: VALUE on a line of its own, ending in CRLF, with " +
                "a token as its name and visible characters as its value";
        }
        if (said.contains("query") || said.contains("fragment") || said.contains("path") || said.contains("uri"))
        {
            return "the request target is not a valid path and query: characters outside RFC 3986 must be " +
                "percent-encoded";
        }
        if (said.contains("prologue") || said.contains("protocol"))
        {
            return "the request line is malformed: expected METHOD, a space, the path, a space and HTTP/1.1, " +
                "ending in CRLF";
        }
        return "the request is not valid HTTP/1.1: expected the request line (METHOD path HTTP/1.1), header " +
            "lines NAME: VALUE (Host among them), then an empty line, each line ending in CRLF";
    }

    private TransportResponse respond(
        final TransportRequest request,
        final EventType eventType,
        final ApiProblem problem,
        final ServerResponseHeaders responseHeaders)
    {
        final String path = null == request ? null : request.path();
        final byte[] body = JsonViews.problem(problem, null == path || path.isEmpty() ? null : path);
        RequestLog.answered(null == request || request.method().isEmpty() ? "-" : request.method(),
            null == path || path.isEmpty() ? "-" : path, problem.status(), problem);
        return TransportResponse.builder()
            .status(Responses.status(problem.status()))
            .headers(responseHeaders)
            .header(HeaderNames.CONTENT_TYPE, Responses.PROBLEM_JSON)
            .keepAlive(eventType.keepAlive())
            .entity(body)
            .build();
    }
}
