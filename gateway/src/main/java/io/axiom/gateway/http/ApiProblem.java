package io.axiom.gateway.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A refusal on its way to the client as {@code application/problem+json}. Thrown by parsing and validation, caught
 * by the routes; carries no stack trace since it is an answer, not a fault.
 */
public final class ApiProblem extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String title;
    private final String retryAfter;
    private final boolean closeConnection;
    private final Map<String, Object> members;

    /**
     * @param status HTTP status.
     * @param code   stable machine-readable code, e.g. {@code MALFORMED_JSON}.
     * @param title  short summary of the kind of problem.
     * @param detail precise explanation of this occurrence.
     */
    public ApiProblem(final int status, final String code, final String title, final String detail)
    {
        this(status, code, title, detail, null);
    }

    /**
     * @param status     HTTP status.
     * @param code       stable machine-readable code.
     * @param title      short summary of the kind of problem.
     * @param detail     precise explanation of this occurrence.
     * @param retryAfter seconds for a {@code Retry-After} header, or null.
     */
    public ApiProblem(
        final int status, final String code, final String title, final String detail, final String retryAfter)
    {
        this(status, code, title, detail, retryAfter, false);
    }

    /**
     * @param status          HTTP status.
     * @param code            stable code.
     * @param title           short summary of the kind of problem.
     * @param detail          precise explanation of this occurrence.
     * @param retryAfter      seconds for a {@code Retry-After} header, or null.
     * @param closeConnection answer with {@code Connection: close} and end the connection after the answer.
     */
    public ApiProblem(
        final int status,
        final String code,
        final String title,
        final String detail,
        final String retryAfter,
        final boolean closeConnection)
    {
        this(status, code, title, detail, retryAfter, closeConnection, Map.of());
    }

    private ApiProblem(
        final int status,
        final String code,
        final String title,
        final String detail,
        final String retryAfter,
        final boolean closeConnection,
        final Map<String, Object> members)
    {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
        this.retryAfter = retryAfter;
        this.closeConnection = closeConnection;
        this.members = members;
    }

    /**
     * @param name  an extension member of the problem document (RFC 9457 section 3.2), e.g.
     *              {@code committed_output}.
     * @param value its value: a String, a number, a Boolean or {@code io.axiom.core.api.RawJson}.
     * @return this problem with the member added after {@code code}.
     */
    public ApiProblem with(final String name, final Object value)
    {
        final Map<String, Object> more = new LinkedHashMap<>(members);
        more.put(name, value);
        return new ApiProblem(status, code, title, getMessage(), retryAfter, closeConnection,
            Collections.unmodifiableMap(more));
    }

    /**
     * @return a short random reference that ties an unexpected failure's answer to the server's log line about it.
     */
    public static String newReference()
    {
        return Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
    }

    /**
     * @param code   stable code.
     * @param detail precise explanation.
     * @return a 400 problem.
     */
    public static ApiProblem badRequest(final String code, final String detail)
    {
        return new ApiProblem(400, code, "Bad request", detail);
    }

    public int status()
    {
        return status;
    }

    public String code()
    {
        return code;
    }

    public String title()
    {
        return title;
    }

    public String detail()
    {
        return getMessage();
    }

    /**
     * @return seconds for a {@code Retry-After} header, or null.
     */
    public String retryAfter()
    {
        return retryAfter;
    }

    /**
     * @return extension members beyond the standard ones and {@code code}, in order; usually none.
     */
    public Map<String, Object> members()
    {
        return members;
    }

    /**
     * @return true when the connection must end after this answer (the request's framing cannot be trusted).
     */
    public boolean closeConnection()
    {
        return closeConnection;
    }
}
