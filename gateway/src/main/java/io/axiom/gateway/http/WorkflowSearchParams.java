package io.axiom.gateway.http;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import io.axiom.core.api.WorkflowQuery;
import io.helidon.common.uri.UriQuery;

/**
 * The search of {@code GET /api/v1/workflows} (and of GraphQL's {@code workflows}): its parameters checked and turned
 * into a {@link WorkflowQuery}, with the same refusals for both APIs. Every refusal is a 400 problem that names the
 * parameter: {@code UNKNOWN_PARAMETER} for a parameter the route does not take (like {@code UNKNOWN_FIELD} in a body),
 * {@code INVALID_QUERY} for a value that is malformed, out of range, repeated or contradicts another.
 * <p>
 * Times are ISO-8601 instants with a zone or offset ({@code 2026-11-30T10:00:00Z}, {@code ...+01:00}), the form
 * {@code created_at} is shown in; {@code created_after} is inclusive and {@code created_before} exclusive, and a
 * fraction of a millisecond rounds up (creation times are whole milliseconds).
 */
public final class WorkflowSearchParams
{
    /** Every query parameter the list route takes. */
    public static final List<String> PARAMETERS = List.of("state", "name", "name_prefix", "step", "created_after",
        "created_before", "sort", "order", "limit", "offset");

    private WorkflowSearchParams()
    {
    }

    /**
     * @param query the request's query.
     * @return the search it asks for.
     * @throws ApiProblem 400 UNKNOWN_PARAMETER or INVALID_QUERY.
     */
    public static WorkflowQuery fromQuery(final UriQuery query)
    {
        for (final String name : query.names())
        {
            if (!PARAMETERS.contains(name))
            {
                throw ApiProblem.badRequest("UNKNOWN_PARAMETER", "unknown query parameter '" + clip(name) +
                    "'; allowed parameters: " + String.join(", ", PARAMETERS));
            }
            final List<String> values = query.all(name, List::of);
            if (values.size() > 1)
            {
                throw ApiProblem.badRequest("INVALID_QUERY", "query parameter " + name + " is given " +
                    values.size() + " times; give it once");
            }
        }
        final String limit = value(query, "limit");
        final String offset = value(query, "offset");
        return of(
            null == offset ? 0 : (int)integer("offset", offset, 0, Integer.MAX_VALUE),
            null == limit ? GatewaySettings.DEFAULT_PAGE_SIZE : (int)integer("limit", limit, 0,
                GatewaySettings.MAX_PAGE_SIZE),
            value(query, "state"), value(query, "name"), value(query, "name_prefix"), value(query, "step"),
            value(query, "created_after"), value(query, "created_before"), value(query, "sort"),
            value(query, "order"), "name_prefix", "created_after", "created_before");
    }

    /**
     * The checks both APIs share, on values already split out (null when not given).
     *
     * @param offset        matches to skip.
     * @param limit         page size.
     * @param state         a state name, any case.
     * @param name          an exact name.
     * @param namePrefix    a name prefix.
     * @param step          a current step name.
     * @param createdAfter  an ISO-8601 instant, inclusive.
     * @param createdBefore an ISO-8601 instant, exclusive.
     * @param sort          {@code id} or {@code created_at}, any case.
     * @param order         {@code asc} or {@code desc}, any case.
     * @param prefixName    what the caller calls the name prefix, for messages.
     * @param afterName     what the caller calls created after.
     * @param beforeName    what the caller calls created before.
     * @return the query.
     * @throws ApiProblem 400 INVALID_QUERY.
     */
    public static WorkflowQuery of(
        final int offset,
        final int limit,
        final String state,
        final String name,
        final String namePrefix,
        final String step,
        final String createdAfter,
        final String createdBefore,
        final String sort,
        final String order,
        final String prefixName,
        final String afterName,
        final String beforeName)
    {
        if (limit < 0 || limit > GatewaySettings.MAX_PAGE_SIZE)
        {
            throw invalid("limit must be between 0 and " + GatewaySettings.MAX_PAGE_SIZE + ", got " + limit);
        }
        if (offset < 0)
        {
            throw invalid("offset must be >= 0, got " + offset);
        }
        String upperState = null;
        if (null != state)
        {
            upperState = state.trim().toUpperCase(Locale.ROOT);
            if (!Gateway.STATES.contains(upperState))
            {
                throw invalid("query parameter state must be one of CREATED, RUNNING, WAITING, COMPLETED, FAILED, " +
                    "CANCELLED, got '" + clip(state) + "'");
            }
        }
        if (null != name && null != namePrefix)
        {
            throw invalid("give name (an exact name) or " + prefixName + " (a prefix of names), not both");
        }
        nonEmpty("name", name);
        nonEmpty(prefixName, namePrefix);
        nonEmpty("step", step);
        final long from = null == createdAfter ? Long.MIN_VALUE : instant(afterName, createdAfter);
        final long until = null == createdBefore ? Long.MAX_VALUE : instant(beforeName, createdBefore);
        if (from >= until)
        {
            throw invalid(afterName + " (" + createdAfter + ") must be before " + beforeName + " (" + createdBefore +
                ")");
        }
        final boolean byCreatedAt;
        if (null == sort || "id".equalsIgnoreCase(sort))
        {
            byCreatedAt = false;
        }
        else if ("created_at".equalsIgnoreCase(sort))
        {
            byCreatedAt = true;
        }
        else
        {
            throw invalid("sort must be id or created_at, got '" + clip(sort) + "'");
        }
        final boolean descending;
        if (null == order || "asc".equalsIgnoreCase(order))
        {
            descending = false;
        }
        else if ("desc".equalsIgnoreCase(order))
        {
            descending = true;
        }
        else
        {
            throw invalid("order must be asc or desc, got '" + clip(order) + "'");
        }
        return new WorkflowQuery(offset, limit, upperState, null != name ? name : namePrefix, null != namePrefix,
            step, from, until, byCreatedAt, descending);
    }

    /**
     * @param parameter what the value is called, for the message.
     * @param raw       an ISO-8601 instant with a zone or offset.
     * @return milliseconds since the epoch, a fraction of a millisecond rounded up.
     * @throws ApiProblem 400 INVALID_QUERY when it is not one.
     */
    public static long instant(final String parameter, final String raw)
    {
        try
        {
            final Instant instant = OffsetDateTime.parse(raw.trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                .toInstant();
            final long millis = instant.toEpochMilli();
            return instant.getNano() % 1_000_000 == 0 ? millis : Math.addExact(millis, 1);
        }
        catch (final DateTimeException | ArithmeticException ex)
        {
            throw invalid(parameter + " must be an ISO-8601 instant with a zone or offset, such as " +
                "2026-11-30T10:00:00Z, got '" + clip(raw) + "'");
        }
    }

    private static void nonEmpty(final String parameter, final String value)
    {
        if (null != value && value.isEmpty())
        {
            throw invalid(parameter + " must not be empty");
        }
    }

    private static long integer(final String parameter, final String raw, final long min, final long max)
    {
        if (raw.isEmpty() || raw.length() > 19 || !raw.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            throw invalid("query parameter " + parameter + " must be an integer between " + min + " and " + max +
                ", got '" + clip(raw) + "'");
        }
        final long value = Long.parseLong(raw);
        if (value < min || value > max)
        {
            throw invalid("query parameter " + parameter + " must be an integer between " + min + " and " + max +
                ", got '" + clip(raw) + "'");
        }
        return value;
    }

    private static String value(final UriQuery query, final String name)
    {
        final List<String> values = query.all(name, List::of);
        return values.isEmpty() ? null : values.get(0);
    }

    private static ApiProblem invalid(final String detail)
    {
        return ApiProblem.badRequest("INVALID_QUERY", detail);
    }

    private static String clip(final String text)
    {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
