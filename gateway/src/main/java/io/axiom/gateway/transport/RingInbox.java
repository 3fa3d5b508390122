package io.axiom.gateway.transport;

import java.util.concurrent.atomic.AtomicLong;

import io.axiom.core.CommandRing;
import io.axiom.core.CommandSlot;
import io.axiom.core.ReplySink;
import io.axiom.gateway.http.JsonCheck;
import io.axiom.transport.EngineInbox;
import io.axiom.transport.WorkerConnection;
import io.axiom.wire.CompletionRejectedEncoder;
import io.axiom.wire.MessageHeaderDecoder;
import io.axiom.wire.MessageHeaderEncoder;
import io.axiom.wire.RejectReason;
import io.axiom.wire.TaskCompletedDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The worker endpoint's way onto the engine's command ring, and the way back: the {@link EngineInbox} copies each
 * worker frame into a ring slot with this object as the slot's {@link ReplySink} and the frame's
 * {@link WorkerConnection} as its reply token; the engine's answers and dispatches for that worker come back to
 * {@link #onReply} on the processor thread and leave through the connection, without blocking.
 * <p>
 * <b>A full ring</b> is tried again for a few microseconds, then refused: the endpoint leaves the frame in the
 * worker's Aeron image and offers it again on its next duty cycle, so a busy engine slows its workers down instead of
 * losing their frames, and the endpoint's thread is never held for long.
 * <p>
 * <b>Outputs are JSON.</b> A TaskCompleted whose output is not a JSON document (the engine stores outputs as they
 * come and the API embeds them in its answers) is answered CompletionRejected(MALFORMED) here, with where and why, and
 * never reaches the engine; the lease stays, so the worker may still send a good one.
 */
final class RingInbox implements EngineInbox, ReplySink
{
    private static final long FULL_RING_SPIN_NS = 20_000;

    private final CommandRing ring;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final TaskCompletedDecoder completed = new TaskCompletedDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final CompletionRejectedEncoder rejected = new CompletionRejectedEncoder();
    private final UnsafeBuffer answer = new UnsafeBuffer(new byte[1024]);
    private final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
    private final JsonCheck jsonCheck = new JsonCheck();
    private byte[] outputScratch = new byte[4096]; // the endpoint thread's copy of an output while it is checked
    private final MessageHeaderDecoder replyHeader = new MessageHeaderDecoder();
    final AtomicLong ringFull = new AtomicLong();
    final AtomicLong outputsRefused = new AtomicLong();
    final AtomicLong repliesNotWire = new AtomicLong();

    RingInbox(final CommandRing ring)
    {
        this.ring = ring;
    }

    @Override
    public boolean offer(
        final DirectBuffer frame, final int offset, final int length, final WorkerConnection connection)
    {
        if (!outputIsJson(frame, offset, connection))
        {
            return true; // answered here: taken, nothing for the engine
        }
        long sequence = ring.tryNext();
        if (CommandRing.FULL == sequence)
        {
            final long deadlineNs = System.nanoTime() + FULL_RING_SPIN_NS;
            do
            {
                Thread.onSpinWait();
                sequence = ring.tryNext();
            }
            while (CommandRing.FULL == sequence && System.nanoTime() - deadlineNs < 0);
            if (CommandRing.FULL == sequence)
            {
                ringFull.incrementAndGet();
                return false;
            }
        }
        final CommandSlot slot = ring.slot(sequence);
        slot.copyOf(frame, offset, length);
        slot.replyTo(this, connection);
        ring.publish(sequence);
        return true;
    }

    /**
     * On the processor thread, after the batch's fsync: hand the frame to the worker's connection.
     */
    @Override
    public void onReply(final Object replyTo, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!(replyTo instanceof WorkerConnection connection))
        {
            return;
        }
        if (length < MessageHeaderDecoder.ENCODED_LENGTH ||
            MessageHeaderDecoder.SCHEMA_ID != replyHeader.wrap(buffer, offset).schemaId())
        {
            // an answer of the command schema (the engine could not read a frame the endpoint let in): a worker
            // cannot read it, so it is not sent
            repliesNotWire.incrementAndGet();
            return;
        }
        connection.send(buffer, offset, length);
    }

    /**
     * @return false after answering a completion whose output is not JSON.
     */
    private boolean outputIsJson(final DirectBuffer frame, final int offset, final WorkerConnection connection)
    {
        header.wrap(frame, offset);
        if (TaskCompletedDecoder.TEMPLATE_ID != header.templateId())
        {
            return true;
        }
        completed.wrap(frame, offset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        final long taskId = completed.taskId();
        final long token = completed.fencingToken();
        final int outputLength = completed.outputLength();
        if (0 == outputLength)
        {
            return true; // no output
        }
        if (outputScratch.length < outputLength)
        {
            outputScratch = new byte[Math.max(outputLength, outputScratch.length * 2)];
        }
        completed.getOutput(outputScratch, 0, outputLength);
        try
        {
            jsonCheck.verify(outputScratch, outputLength);
            return true;
        }
        catch (final JsonCheck.Refusal refusal)
        {
            outputsRefused.incrementAndGet();
            final CompletionRejectedEncoder e = rejected.wrapAndApplyHeader(answer, 0, headerEncoder)
                .taskId(taskId)
                .fencingToken(token)
                .reason(RejectReason.MALFORMED)
                .detail(clip("the output is not a JSON document: " + refusal.getMessage() +
                    "; nothing was written and the lease stays"))
                .putCommittedOutput(empty, 0, 0);
            connection.queue(answer, 0, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
            return false;
        }
    }

    private static String clip(final String text)
    {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
