package io.axiom.gateway.http;

import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * One log line per refused or failed request, on the logger {@value #LOGGER}: a 4xx at DEBUG, a 5xx at WARNING,
 * each with method, path, status, the problem's code and its detail (a 500's detail carries the reference of the
 * ERROR line that describes the failure). Successful requests are not logged, and the 503 of {@code /ready} or
 * {@code /health} (recovering, not accepting) is an answer to a probe, logged at DEBUG.
 * <p>
 * The filter runs first, before authentication, so the 401s are seen too; the problem's code and detail are taken
 * from the last problem document {@link JsonViews#problem} rendered on the request's thread (Helidon serves a
 * request, its filters, route and error handler, on one thread). Errors Helidon answers before routing are logged by
 * {@link ProblemDirectHandler}, and a request head that timed out by the listener, through {@link #answered}.
 * <p>
 * Nothing is formatted unless the level is enabled; no line is written on the engine's processor thread.
 */
public final class RequestLog
{
    /** The logger name, also the lines' source ({@code http}). */
    public static final String LOGGER = "axiom.http";

    private static final System.Logger LOG = System.getLogger(LOGGER);
    private static final ThreadLocal<ApiProblem> LAST_PROBLEM = new ThreadLocal<>();

    private RequestLog()
    {
    }

    /**
     * The routing filter: register it before every other filter.
     *
     * @param chain the rest of the filters and the route.
     * @param req   the request.
     * @param res   the response.
     */
    public static void filter(final FilterChain chain, final RoutingRequest req, final RoutingResponse res)
    {
        LAST_PROBLEM.remove();
        res.whenSent(() ->
        {
            final int status = res.status().code();
            if (status >= 400)
            {
                answered(req.prologue().method().text(), req.path().rawPath(), status, LAST_PROBLEM.get());
            }
            LAST_PROBLEM.remove();
        });
        chain.proceed();
    }

    /**
     * Note the problem about to be sent on this thread, for the filter's line.
     *
     * @param problem the problem being rendered.
     */
    static void rendering(final ApiProblem problem)
    {
        LAST_PROBLEM.set(problem);
    }

    /**
     * Log a refused (4xx, DEBUG) or failed (5xx, WARNING) answer.
     *
     * @param method  the request's method, or {@code -} when unknown.
     * @param path    the request's raw path, or {@code -} when unknown.
     * @param status  the answer's status.
     * @param problem the problem sent, or null when the answer was not a problem document.
     */
    public static void answered(final String method, final String path, final int status, final ApiProblem problem)
    {
        final System.Logger.Level level = status >= 500 && !isProbe(path) ?
            System.Logger.Level.WARNING : System.Logger.Level.DEBUG;
        if (status < 400 || !LOG.isLoggable(level))
        {
            return;
        }
        final String code = null != problem && problem.status() == status ? problem.code() : Responses.code(status);
        final String detail = null != problem && problem.status() == status ? ": " + problem.detail() : "";
        LOG.log(level, method + " " + path + " " + status + " " + code + detail);
    }

    /**
     * @return true for the probes, whose 503 (recovering, not accepting) is an answer, not a failure.
     */
    private static boolean isProbe(final String path)
    {
        return "/ready".equals(path) || "/health".equals(path);
    }
}
