package io.axiom.gateway.cli.client;

/**
 * The server refused a request: a non-2xx answer, with the problem's {@code code} and {@code detail} when the body
 * is an {@code application/problem+json} document.
 */
public final class ApiException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String method;
    private final String path;

    /**
     * @param status HTTP status.
     * @param code   the problem's code, or {@code HTTP_<status>} when the body has none.
     * @param detail the problem's detail, or the body (clipped) when it is not a problem.
     * @param method the request's method.
     * @param path   the request's path.
     */
    public ApiException(final int status, final String code, final String detail, final String method,
        final String path)
    {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.method = method;
        this.path = path;
    }

    public int status()
    {
        return status;
    }

    public String code()
    {
        return code;
    }

    public String detail()
    {
        return getMessage();
    }

    public String method()
    {
        return method;
    }

    public String path()
    {
        return path;
    }
}
