package io.axiom.core;

import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.ProblemEncoder;
import io.axiom.codecs.ReplyStatus;

/**
 * The two replies every handler gives: a problem (nothing was written, or nothing is known), or the view of one
 * workflow. Both go to the {@link ReplyArena} and leave after the batch's group commit; a command with no sink (no one
 * waits for its reply) gets none. Room is reserved before anything is encoded, so a reply never runs the processor
 * out of memory.
 */
final class Replies
{
    private final ReplyArena arena;
    private final WorkflowViews views;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ProblemEncoder problemEncoder = new ProblemEncoder();
    /** Bytes of a problem reply besides its code and detail (header, block, length fields), rounded up. */
    private static final int PROBLEM_BOUND = 256;
    private long lostReplies;

    Replies(final ReplyArena arena, final WorkflowViews views)
    {
        this.arena = arena;
        this.views = views;
    }

    ReplyArena arena()
    {
        return arena;
    }

    WorkflowViews views()
    {
        return views;
    }

    void problem(
        final ReplySink sink,
        final Object replyTo,
        final long correlationId,
        final ReplyStatus status,
        final String code,
        final String detail)
    {
        if (null == sink)
        {
            return;
        }
        final int offset = arena.begin(sink, replyTo);
        if (!arena.reserve(offset, PROBLEM_BOUND + 3L * (code.length() + detail.length())))
        {
            // No memory even for a problem: this reply is lost (its caller times out), the engine goes on.
            arena.abort();
            lostReplies++;
            return;
        }
        problemEncoder.wrapAndApplyHeader(arena.buffer(), offset, headerEncoder)
            .correlationId(correlationId)
            .status(status)
            .code(code)
            .detail(detail);
        arena.commit(MessageHeaderEncoder.ENCODED_LENGTH + problemEncoder.encodedLength());
    }

    void notFound(final ReplySink sink, final Object replyTo, final long correlationId, final long workflowId)
    {
        problem(sink, replyTo, correlationId, ReplyStatus.NOT_FOUND, "NOT_FOUND",
            "workflow " + workflowId + " does not exist");
    }

    /**
     * @param state whose cold store tells a workflow gone by history from one that never was.
     */
    void notFound(
        final ReplySink sink, final Object replyTo, final long correlationId, final long workflowId,
        final EngineState state)
    {
        if (state.goneFromHistory(workflowId))
        {
            problem(sink, replyTo, correlationId, ReplyStatus.NOT_FOUND, "NOT_FOUND", "workflow " + workflowId +
                " ended more than retention.history ago: it left the heap and its record was deleted by the " +
                "retention policy");
            return;
        }
        notFound(sink, replyTo, correlationId, workflowId);
    }

    /**
     * Make room, before a write changes anything, for the view it will answer with.
     *
     * @param sink  the command's sink; no room is needed when nobody waits for a reply.
     * @param bound bytes the view will take at most.
     * @return false when there is no memory for it: refuse the write (nothing was written).
     */
    boolean reserveView(final ReplySink sink, final long bound)
    {
        return null == sink || arena.reserve(arena.nextOffset(), bound);
    }

    /**
     * Refuse a command because its answer could not be given room: nothing was written.
     */
    void noRoomForReply(final ReplySink sink, final Object replyTo, final long correlationId)
    {
        problem(sink, replyTo, correlationId, ReplyStatus.OVERLOADED, "REPLIES_FULL",
            "the engine has no memory for this answer now; nothing was written, retry shortly");
    }

    /**
     * The view of one workflow: with its outputs when they fit the reply budget, else without (bounded by the size
     * of its WorkflowCreated record). A write reserved the room before it wrote ({@link #reserveView}); a read that
     * finds no room is refused on its own.
     */
    void view(
        final ReplySink sink,
        final Object replyTo,
        final long correlationId,
        final ReplyStatus status,
        final Workflow workflow)
    {
        if (null == sink)
        {
            return;
        }
        final boolean withOutputs = views.fitsWithOutputs(workflow);
        final long length = views.length(workflow, withOutputs);
        final int offset = arena.begin(sink, replyTo);
        if (!arena.reserve(offset, length))
        {
            arena.abort();
            noRoomForReply(sink, replyTo, correlationId);
            return;
        }
        arena.commit(views.encode(arena.buffer(), offset, correlationId, status, workflow, withOutputs));
    }

    /**
     * @return replies dropped because there was no memory even for a problem.
     */
    long lostReplies()
    {
        return lostReplies;
    }
}
