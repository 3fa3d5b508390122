package io.axiom.gateway.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Writes JSON and problem responses with the right status and content type.
 */
public final class Responses
{
    static final String JSON = "application/json";
    static final String PROBLEM_JSON = "application/problem+json";

    private Responses()
    {
    }

    public static void json(final ServerResponse res, final int status, final byte[] body)
    {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(body);
    }

    public static void problem(final ServerRequest req, final ServerResponse res, final ApiProblem problem)
    {
        if (res.isSent())
        {
            return;
        }
        res.status(status(problem.status()));
        res.header(HeaderNames.CONTENT_TYPE, PROBLEM_JSON);
        if (null != problem.retryAfter())
        {
            res.header(HeaderNames.RETRY_AFTER, problem.retryAfter());
        }
        if (problem.closeConnection())
        {
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
        res.send(JsonViews.problem(problem, null == req ? null : req.path().rawPath()));
    }

    /**
     * @param status an HTTP error status.
     * @return a short title for it.
     */
    public static String title(final int status)
    {
        return switch (status)
        {
            case 400 -> "Bad request";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 408 -> "Request timeout";
            case 409 -> "Conflict";
            case 413 -> "Content too large";
            case 414 -> "URI too long";
            case 415 -> "Unsupported media type";
            case 422 -> "Unprocessable content";
            case 431 -> "Request header fields too large";
            case 500 -> "Internal server error";
            case 503 -> "Service unavailable";
            case 505 -> "HTTP version not supported";
            case 507 -> "Insufficient storage";
            default -> Status.create(status).reasonPhrase();
        };
    }

    /**
     * @param code an HTTP status code.
     * @return the status with its reason phrase, also for codes Helidon has no constant for (431).
     */
    static Status status(final int code)
    {
        return 431 == code ? Status.create(431, "Request Header Fields Too Large") : Status.create(code);
    }

    /**
     * @param status an HTTP error status.
     * @return the problem code used when no more precise one is known.
     */
    static String code(final int status)
    {
        return switch (status)
        {
            case 400 -> "BAD_REQUEST";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 408 -> "REQUEST_TIMEOUT";
            case 413 -> "BODY_TOO_LARGE";
            case 414 -> "URI_TOO_LONG";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            case 431 -> "HEADERS_TOO_LARGE";
            case 503 -> "UNAVAILABLE";
            case 505 -> "HTTP_VERSION_NOT_SUPPORTED";
            default -> status >= 500 ? "INTERNAL_ERROR" : "HTTP_" + status;
        };
    }
}
