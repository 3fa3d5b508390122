package io.axiom.core;

import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.ProblemEncoder;
import io.axiom.codecs.ReplyStatus;

/**
 * The two replies every handler gives: a problem (nothing was written, or nothing is known), or the view of one
 * workflow. Both go to the {@link ReplyArena} and leave after the batch's group commit; a command with no sink (no one
 * waits for its reply) gets none.
 */
final class Replies
{
    private final ReplyArena arena;
    private final WorkflowViews views;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ProblemEncoder problemEncoder = new ProblemEncoder();

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
     * The view of one workflow: with its outputs when they fit the reply budget, else without (bounded by the size
     * of its WorkflowCreated record), so that a reply to a write always fits.
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
        final int offset = arena.begin(sink, replyTo);
        arena.commit(views.encode(arena.buffer(), offset, correlationId, status, workflow));
    }
}
