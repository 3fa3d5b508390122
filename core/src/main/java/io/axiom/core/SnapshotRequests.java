package io.axiom.core;

import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.ReplyStatus;
import io.axiom.codecs.SnapshotTakenEncoder;

/**
 * Snapshots asked for by an operator ({@code TakeSnapshot}, {@code POST /api/v1/snapshots}), on the processor thread.
 * <p>
 * A request joins the snapshot being captured or written, if there is one; else it asks the processor to mark one
 * at the end of this duty cycle (after the group commit, like an interval's). Either way the request waits here,
 * without blocking anything, until the {@link SnapshotWriter} publishes that the snapshot it waits for (or a later
 * one) is durable or has failed; the processor then answers every waiter in one go, with the batch's replies. At most
 * {@link #MAX_WAITERS} requests wait at once; more are refused OVERLOADED (retry shortly). A waiter whose caller gave
 * up is still answered; its reply is dropped by its sink.
 */
final class SnapshotRequests
{
    /** Requests that may wait for a snapshot at once. */
    static final int MAX_WAITERS = 256;

    private final SnapshotWriter writer;
    private final Replies replies;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SnapshotTakenEncoder takenEncoder = new SnapshotTakenEncoder();
    private final ReplySink[] sinks = new ReplySink[MAX_WAITERS];
    private final Object[] replyTos = new Object[MAX_WAITERS];
    private final long[] correlationIds = new long[MAX_WAITERS];
    private final boolean[] joined = new boolean[MAX_WAITERS];
    private int count;
    /** The writer's generation the waiters wait for. */
    private long target;
    private boolean requested;

    SnapshotRequests(final SnapshotWriter writer, final Replies replies)
    {
        this.writer = writer;
        this.replies = replies;
    }

    /**
     * A request for a snapshot: joins the one in flight or asks for one.
     *
     * @param correlationId the request's.
     * @param sink          where the reply goes; null when nobody waits (then the request still takes one).
     * @param replyTo       the producer's token.
     * @param lastSequence  the log's last sequence now (records of this batch included): 0 when it is empty.
     */
    void onTake(final long correlationId, final ReplySink sink, final Object replyTo, final long lastSequence)
    {
        final boolean join;
        final SnapshotWriter.Result last = writer.lastResult();
        if (!writer.available() && (null == last || last.generation() < writer.begun()))
        {
            join = true;
            target = writer.begun();
        }
        else if (requested)
        {
            // a request earlier in this duty cycle (or while the writer finished its last one) asked for one
            join = true;
        }
        else if (0 == lastSequence)
        {
            replies.problem(sink, replyTo, correlationId, ReplyStatus.CONFLICT, "NOTHING_TO_SNAPSHOT",
                "the log is empty: a snapshot covers at least one record; nothing was written");
            return;
        }
        else
        {
            join = false;
            target = writer.begun() + 1;
        }
        if (null != sink)
        {
            if (count == MAX_WAITERS)
            {
                replies.problem(sink, replyTo, correlationId, ReplyStatus.OVERLOADED, "SNAPSHOT_REQUESTS_FULL",
                    MAX_WAITERS + " requests already wait for a snapshot; retry shortly");
                return;
            }
            sinks[count] = sink;
            replyTos[count] = replyTo;
            correlationIds[count] = correlationId;
            joined[count] = join;
            count++;
        }
        if (!join)
        {
            requested = true;
        }
    }

    /**
     * @return true when a request asks for a snapshot the processor has not begun yet.
     */
    boolean requested()
    {
        return requested;
    }

    /**
     * The processor began a snapshot: the request, if any, is served by it.
     */
    void begun()
    {
        requested = false;
    }

    /**
     * @return requests waiting for a snapshot.
     */
    int waiting()
    {
        return count;
    }

    /**
     * Answer the waiters when the snapshot they wait for has ended; call before the batch's replies are released.
     *
     * @return requests answered.
     */
    int answer()
    {
        if (0 == count || requested)
        {
            return 0;
        }
        final SnapshotWriter.Result result = writer.lastResult();
        if (null == result || result.generation() < target)
        {
            return 0;
        }
        final ReplyArena arena = replies.arena();
        arena.commandPublishedAtNs(System.nanoTime());
        final int answered = count;
        for (int i = 0; i < answered; i++)
        {
            if (null == result.failure())
            {
                taken(i, result);
            }
            else
            {
                replies.problem(sinks[i], replyTos[i], correlationIds[i], ReplyStatus.INTERNAL, "SNAPSHOT_FAILED",
                    "the snapshot at position " + result.position() + " could not be written: " +
                    result.failure().getMessage() + " (see the server's log); the log is intact and start-up " +
                    "replays more of it");
            }
            sinks[i] = null;
            replyTos[i] = null;
        }
        count = 0;
        return answered;
    }

    private void taken(final int i, final SnapshotWriter.Result result)
    {
        final ReplyArena arena = replies.arena();
        final int offset = arena.begin(sinks[i], replyTos[i]);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + SnapshotTakenEncoder.BLOCK_LENGTH +
            SnapshotTakenEncoder.fileHeaderLength() + result.file().length();
        if (!arena.reserve(offset, length))
        {
            arena.abort();
            replies.noRoomForReply(sinks[i], replyTos[i], correlationIds[i]);
            return;
        }
        takenEncoder.wrapAndApplyHeader(arena.buffer(), offset, headerEncoder)
            .correlationId(correlationIds[i])
            .position(result.position())
            .lastSequence(result.lastSequence())
            .bytes(result.bytes())
            .durationNanos(result.nanos())
            .joined((short)(joined[i] ? 1 : 0))
            .file(result.file());
        arena.commit(MessageHeaderEncoder.ENCODED_LENGTH + takenEncoder.encodedLength());
    }
}
