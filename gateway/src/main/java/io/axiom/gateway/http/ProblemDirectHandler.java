package io.axiom.gateway.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * Answers the errors Helidon decides before routing (unparseable request, declared body over the server's payload
 * limit, unsupported HTTP version) with {@code application/problem+json} instead of Helidon's plain text.
 */
public final class ProblemDirectHandler implements DirectHandler
{
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
        final String message)
    {
        final int code = status.code();
        final ApiProblem problem;
        if (eventType == EventType.PAYLOAD_TOO_LARGE || code == 413)
        {
            problem = new ApiProblem(413, "BODY_TOO_LARGE", Responses.title(413),
                "request body is larger than the limit of " + maxBodyBytes + " bytes (gateway.max-body-bytes)");
        }
        else
        {
            final String detail = null == message || message.isBlank() ? status.reasonPhrase() : message;
            problem = new ApiProblem(code, Responses.code(code), Responses.title(code), detail);
        }

        final String path = null == request ? null : request.path();
        final byte[] body = JsonViews.problem(problem, null == path || path.isEmpty() ? null : path);
        return TransportResponse.builder()
            .status(status)
            .headers(responseHeaders)
            .header(HeaderNames.CONTENT_TYPE, Responses.PROBLEM_JSON)
            .keepAlive(eventType.keepAlive())
            .entity(body)
            .build();
    }
}
