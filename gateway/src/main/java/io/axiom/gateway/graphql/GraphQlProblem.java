package io.axiom.gateway.graphql;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.axiom.core.api.EngineReply;
import io.axiom.gateway.http.ApiProblem;
import io.axiom.gateway.http.EngineProblems;

/**
 * A refusal on the GraphQL side, rendered as a GraphQL error whose {@code extensions.code} is the machine-readable
 * code. Thrown by data fetchers and stream pumps; never carries a stack trace.
 */
public final class GraphQlProblem extends RuntimeException
{
    /** No such workflow. */
    public static final String NOT_FOUND = "NOT_FOUND";
    /** An argument breaks a rule or a limit; nothing was written. */
    public static final String BAD_USER_INPUT = "BAD_USER_INPUT";
    /** The operation belongs to a capability this build does not have yet. */
    public static final String NOT_AVAILABLE = "NOT_AVAILABLE";
    /** The server refuses the operation as configured (chaos off). */
    public static final String FORBIDDEN = "FORBIDDEN";
    /** Another operation of the kind is in progress (a chaos run). */
    public static final String CONFLICT = "CONFLICT";
    /** The WebSocket's {@code connection_init} did not carry the API token. */
    public static final String UNAUTHENTICATED = "UNAUTHENTICATED";
    /** The request itself (not the document) is unusable. */
    public static final String BAD_REQUEST = "BAD_REQUEST";
    /** The engine is recovering its journal. */
    public static final String NOT_READY = "NOT_READY";
    /** The engine stopped or did not answer in time. */
    public static final String UNAVAILABLE = "UNAVAILABLE";
    /** A subscriber fell too far behind and was dropped. */
    public static final String SLOW_SUBSCRIBER = "SLOW_SUBSCRIBER";
    /** Anything unexpected. */
    public static final String INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR";

    private final String code;
    private final String reason;
    private final Map<String, Object> more;

    /**
     * @param code    the value of {@code extensions.code}.
     * @param message what went wrong, precisely.
     */
    public GraphQlProblem(final String code, final String message)
    {
        this(code, null, message);
    }

    /**
     * @param code    the value of {@code extensions.code}.
     * @param reason  the finer code behind it (e.g. TOO_MANY_STEPS under BAD_USER_INPUT), or null.
     * @param message what went wrong, precisely.
     */
    public GraphQlProblem(final String code, final String reason, final String message)
    {
        this(code, reason, message, Map.of());
    }

    private GraphQlProblem(final String code, final String reason, final String message, final Map<String, Object> more)
    {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
        this.more = more;
    }

    /**
     * @param name  an extension beyond code and reason, e.g. {@code committed_output}.
     * @param value its value (a JSON tree, a String, a number...).
     * @return this problem with the extension added.
     */
    public GraphQlProblem with(final String name, final Object value)
    {
        final Map<String, Object> extended = new LinkedHashMap<>(more);
        extended.put(name, value);
        return new GraphQlProblem(code, reason, getMessage(), java.util.Collections.unmodifiableMap(extended));
    }

    /**
     * @param problem the engine's refusal.
     * @return the same refusal in GraphQL terms: NOT_FOUND, the engine's own code for a conflict
     * (ILLEGAL_TRANSITION, STEP_MISMATCH, STALE_FENCING_TOKEN, ALREADY_COMMITTED) and for an unprocessable, too large
     * or unstorable request (IDEMPOTENCY_KEY_REUSED, REPLY_TOO_LARGE, DISK_FULL, NO_ROOM), BAD_USER_INPUT for
     * invalid input, OVERLOADED or UNAVAILABLE.
     */
    public static GraphQlProblem of(final EngineReply.Problem problem)
    {
        return of(problem, EngineProblems.Operation.READ, null, Duration.ZERO);
    }

    /**
     * @param problem        the engine's refusal.
     * @param operation      what was asked, which decides what a client can know when no answer came.
     * @param idempotencyKey the create's idempotency key, or null.
     * @param timeout        how long the operation waited for the engine.
     * @return the same refusal in GraphQL terms, worded as the REST API words it.
     */
    public static GraphQlProblem of(
        final EngineReply.Problem problem,
        final EngineProblems.Operation operation,
        final String idempotencyKey,
        final Duration timeout)
    {
        final String engineCode = null == problem.code() ? problem.status().name() : problem.code();
        final String detail = EngineProblems.detail(problem, operation, idempotencyKey, timeout);
        return switch (problem.status())
        {
            case NOT_FOUND -> new GraphQlProblem(NOT_FOUND, engineCode, detail);
            case CONFLICT -> new GraphQlProblem(engineCode, "CONFLICT", detail);
            case INVALID -> new GraphQlProblem(BAD_USER_INPUT, engineCode, detail);
            case OVERLOADED -> new GraphQlProblem("OVERLOADED", engineCode, detail);
            case UNAVAILABLE -> new GraphQlProblem(UNAVAILABLE, engineCode, detail);
            // refusals with a code of their own: IDEMPOTENCY_KEY_REUSED, REPLY_TOO_LARGE, DISK_FULL, NO_ROOM
            case UNPROCESSABLE, TOO_LARGE, INSUFFICIENT_STORAGE ->
                new GraphQlProblem(engineCode, problem.status().name(), detail);
            default -> new GraphQlProblem(INTERNAL_SERVER_ERROR, engineCode,
                "the engine answered " + problem.status() + ": " + problem.detail());
        };
    }

    /**
     * @param problem a shape check of the REST parser that failed.
     * @return the same refusal as BAD_USER_INPUT, with the parser's code as the reason.
     */
    public static GraphQlProblem of(final ApiProblem problem)
    {
        return new GraphQlProblem(BAD_USER_INPUT, problem.code(), problem.detail());
    }

    /**
     * @return the value of {@code extensions.code}.
     */
    public String code()
    {
        return code;
    }

    /**
     * @return the finer code, or null.
     */
    public String reason()
    {
        return reason;
    }

    /**
     * @return {@code {"code": ..., "reason": ...}} and any extension added by {@link #with}.
     */
    public Map<String, Object> extensions()
    {
        final Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("code", code);
        if (null != reason && !reason.equals(code))
        {
            extensions.put("reason", reason);
        }
        extensions.putAll(more);
        return extensions;
    }
}
