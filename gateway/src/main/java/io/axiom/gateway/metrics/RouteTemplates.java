package io.axiom.gateway.metrics;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Maps a raw request path to the route template it belongs to ({@code /api/v1/workflows/42/events} to
 * {@code /api/v1/workflows/{id}/events}), so that HTTP metrics have one series per route, not per id. Paths that
 * match no route become {@link #UNMATCHED}; methods outside the usual few become {@code OTHER}. Both keep the
 * number of series bounded whatever clients send.
 */
public final class RouteTemplates
{
    /** The route label of a path that matches no route. */
    public static final String UNMATCHED = "unmatched";
    /** Every route template, in the order they are tried. */
    public static final List<String> TEMPLATES = List.of(
        "/health",
        "/ready",
        "/api/v1/workflows",
        "/api/v1/workflows/{id}",
        "/api/v1/workflows/{id}/events",
        "/api/v1/workflows/{id}/replay",
        "/api/v1/workflows/{id}/advance",
        "/api/v1/workflows/{id}/cancel",
        "/api/v1/tasks",
        "/api/v1/tasks/fetch",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/tasks/{task_id}/fail",
        "/api/v1/tasks/{task_id}/heartbeat",
        "/api/v1/chaos/run",
        "/api/v1/metrics",
        "/api/v1/metrics/prometheus",
        "/api/v1/openapi.yaml",
        "/api/v1/verify",
        "/api/v1/snapshots",
        "/api/v1/cluster",
        "/api/v1/cluster/snapshot",
        "/graphql",
        "/graphiql",
        "/graphiql/{asset}",
        "/",
        "/console/{asset}");

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private RouteTemplates()
    {
    }

    /**
     * @param rawPath a request path as sent, without the query.
     * @return its route template, or {@link #UNMATCHED}.
     */
    public static String route(final String rawPath)
    {
        if (null == rawPath || rawPath.isEmpty() || rawPath.charAt(0) != '/')
        {
            return UNMATCHED;
        }
        if (rawPath.startsWith("/graphiql/") && rawPath.length() > "/graphiql/".length())
        {
            return "/graphiql/{asset}";
        }
        if (rawPath.startsWith("/console/") && rawPath.length() > "/console/".length())
        {
            return "/console/{asset}";
        }
        final String[] segments = rawPath.substring(1).split("/", -1);
        for (final String template : TEMPLATES)
        {
            if (matches(template, segments))
            {
                return template;
            }
        }
        return UNMATCHED;
    }

    /**
     * @param method a request method.
     * @return the method, upper case, or {@code OTHER} for an unusual one.
     */
    public static String method(final String method)
    {
        final String upper = null == method ? "" : method.toUpperCase(Locale.ROOT);
        return METHODS.contains(upper) ? upper : "OTHER";
    }

    private static boolean matches(final String template, final String[] segments)
    {
        final String[] parts = template.substring(1).split("/", -1);
        if (parts.length != segments.length)
        {
            return false;
        }
        for (int i = 0; i < parts.length; i++)
        {
            final boolean parameter = parts[i].startsWith("{");
            if (parameter ? segments[i].isEmpty() : !parts[i].equals(segments[i]))
            {
                return false;
            }
        }
        return true;
    }
}
