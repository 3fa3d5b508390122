package io.axiom.gateway.http;

import java.time.Duration;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;

/**
 * The wording of the engine's refusals for clients, shared by REST and GraphQL. The engine's own details are kept
 * where they are about the request (not found, conflict, invalid); where they are about the engine (it stopped, it did
 * not answer), the client is told what it can know and do instead, never what the exception was.
 */
public final class EngineProblems
{
    /** Code of a command the engine did not answer in time. */
    public static final String TIMEOUT = "TIMEOUT";
    /** Code of a request made after the engine stopped on a fatal error. */
    public static final String ENGINE_FAILED = "ENGINE_FAILED";

    /**
     * What a request asked the engine to do, which decides what a client can know when no answer came.
     */
    public enum Operation
    {
        /** A read: changes nothing, so a retry is always safe. */
        READ,
        /** Create a workflow. */
        CREATE,
        /** Complete the current step. */
        ADVANCE,
        /** Cancel a workflow. */
        CANCEL,
        /** Fetch tasks (a worker's long poll): a retry is safe, a task dealt to it late returns by lease expiry. */
        FETCH,
        /** Complete a task with its fencing token. */
        COMPLETE,
        /** Fail a task's attempt with its fencing token. */
        FAIL,
        /** Take a snapshot: a retry is always safe (it takes or joins one more). */
        SNAPSHOT
    }

    private EngineProblems()
    {
    }

    /**
     * @return the detail of any refusal because the engine stopped on a fatal error.
     */
    public static String engineFailed()
    {
        return "the engine has stopped after a fatal error and accepts no more commands; the server must be " +
            "restarted (its log names the cause)";
    }

    /**
     * @param problem        the engine's refusal.
     * @param operation      what was asked.
     * @param idempotencyKey the request's {@code Idempotency-Key}, or null.
     * @param timeout        how long the request waited for the engine.
     * @return the detail a client gets.
     */
    public static String detail(
        final EngineReply.Problem problem,
        final Operation operation,
        final String idempotencyKey,
        final Duration timeout)
    {
        if (Status.UNAVAILABLE != problem.status())
        {
            return problem.detail();
        }
        if (ENGINE_FAILED.equals(problem.code()))
        {
            return engineFailed();
        }
        if ("NO_LEADER".equals(problem.code()) || "NOT_REPLICATED".equals(problem.code()))
        {
            return problem.detail(); // a cluster member refused before anything was written: it says why
        }
        final boolean leaderChanged = "LEADER_CHANGED".equals(problem.code());
        if (!TIMEOUT.equals(problem.code()) && !leaderChanged)
        {
            return "the engine is shutting down and accepts no more commands" +
                (Operation.SNAPSHOT == operation ? " (a clean stop writes a snapshot of its own)" : "");
        }
        final String waited = leaderChanged ? "the cluster's leader changed while this write was on its way" :
            "no answer from the engine within " + timeout.toMillis() + " ms";
        return switch (operation)
        {
            case READ -> waited + "; nothing was changed, so the request can be repeated";
            case CREATE -> waited + ": the outcome is unknown, the workflow may or may not have been created. " +
                (null != idempotencyKey ?
                "Send the same request again with the same Idempotency-Key: a repeat creates nothing twice and " +
                "answers with the workflow if it exists." :
                "This request had no Idempotency-Key, so repeating it may create a second workflow; check the " +
                "workflows first (GET /api/v1/workflows), and send creates with an Idempotency-Key header, which " +
                "makes a retry safe.");
            case ADVANCE -> waited + ": the outcome is unknown, the step may or may not have been completed. " +
                (null != idempotencyKey ? "Send the same request again with the same Idempotency-Key: a repeat " +
                "completes nothing twice." : "Retry with expected_step_index (a step already completed answers 409 " +
                "ALREADY_COMMITTED) or with an Idempotency-Key, which make a retry safe.");
            case CANCEL -> waited + ": the outcome is unknown, the workflow may or may not have been cancelled. A " +
                "retry is safe: cancelling a cancelled workflow changes nothing (it answers 409" +
                (null != idempotencyKey ? ", or 200 for the same Idempotency-Key" : "") + ").";
            case FETCH -> waited + "; no task was handed to this request. A task the engine deals to it after this " +
                "answer goes back to its queue when its lease expires (scheduler.lease-duration-ms). Fetching again " +
                "is safe.";
            case COMPLETE -> waited + ": the outcome is unknown, the result may or may not have been committed. A " +
                "retry is safe: send the same completion again with the same fencing_token; if the first one " +
                "committed, the answer is 409 ALREADY_COMMITTED with the committed output and nothing is written " +
                "twice.";
            case FAIL -> waited + ": the outcome is unknown, the failure may or may not have been recorded. A retry " +
                "is safe: send the same failure again with the same fencing_token; if the first one was recorded, " +
                "the attempt is over and the answer is 409 STALE_FENCING_TOKEN, with nothing written twice.";
            case SNAPSHOT -> waited + ": the snapshot may still be being written (it goes on without this request). " +
                "A retry is safe: it joins the snapshot in flight or takes one more; GET /api/v1/snapshots lists " +
                "what is on disk.";
        };
    }

    /**
     * @param problem        the engine's refusal.
     * @param operation      what was asked.
     * @param idempotencyKey the request's {@code Idempotency-Key}, or null.
     * @param timeout        how long the request waited for the engine.
     * @return the refusal in HTTP terms: 404, 409, 400, 422, 413, 507, 500, 503 with {@code Retry-After} when nothing
     * was written or a retry is harmless (OVERLOADED, a read or a fetch that timed out), 503 without it when the
     * outcome of a write is unknown.
     */
    public static ApiProblem toApiProblem(
        final EngineReply.Problem problem,
        final Operation operation,
        final String idempotencyKey,
        final Duration timeout)
    {
        final String code = null == problem.code() ? problem.status().name() : problem.code();
        final String detail = detail(problem, operation, idempotencyKey, timeout);
        return switch (problem.status())
        {
            case NOT_FOUND -> new ApiProblem(404, code, Responses.title(404), detail);
            case CONFLICT -> new ApiProblem(409, code, Responses.title(409), detail);
            case INVALID -> new ApiProblem(400, code, Responses.title(400), detail);
            case UNPROCESSABLE -> new ApiProblem(422, code, Responses.title(422), detail);
            case TOO_LARGE -> new ApiProblem(413, code, Responses.title(413), detail);
            case INSUFFICIENT_STORAGE -> new ApiProblem(507, code, Responses.title(507), detail);
            case INTERNAL -> new ApiProblem(500, code, Responses.title(500), detail);
            case OVERLOADED -> new ApiProblem(503, code, "Overloaded", detail, "1");
            case UNAVAILABLE -> new ApiProblem(503, code, Responses.title(503), detail,
                Operation.SNAPSHOT == operation ||
                TIMEOUT.equals(code) && (Operation.READ == operation || Operation.FETCH == operation) ? "1" : null);
            default -> new ApiProblem(500, "INTERNAL_ERROR", "Internal server error",
                "the engine answered " + problem.status() + ": " + problem.detail());
        };
    }
}
