package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.axiom.wire.CompletionAcceptedDecoder;
import io.axiom.wire.CompletionRejectedDecoder;
import io.axiom.wire.HeartbeatEncoder;
import io.axiom.wire.HelloRejectedDecoder;
import io.axiom.wire.MessageHeaderDecoder;
import io.axiom.wire.MessageHeaderEncoder;
import io.axiom.wire.TaskAssignedDecoder;
import io.axiom.wire.TaskCompletedEncoder;
import io.axiom.wire.TaskFailedEncoder;
import io.axiom.wire.WelcomeDecoder;
import io.axiom.wire.WorkerGoodbyeEncoder;
import io.axiom.wire.WorkerHelloEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A worker inside the test: puts worker-protocol frames on the engine's ring as the transport does, and collects what
 * the engine sends it (after fsync) as plain records.
 */
final class TestWorker implements ReplySink
{
    /** A frame the engine sent. */
    sealed interface Frame permits Welcome, HelloRejected, Assigned, Accepted, Rejected, Problem
    {
    }

    /** A refusal in the engine's command schema: the frame was not worker protocol the engine could read. */
    record Problem(String code, String detail) implements Frame
    {
    }

    record Welcome(long workerId, long leaseDurationMs) implements Frame
    {
    }

    record HelloRejected(long workerId, String reason) implements Frame
    {
    }

    record Assigned(long taskId, long workflowId, int stepIndex, int attempt, long token, long leaseExpiresAt,
        long attemptDeadline, String stepName, String idempotencyKey, String input) implements Frame
    {
    }

    record Accepted(long taskId, long token) implements Frame
    {
    }

    record Rejected(long taskId, long token, String reason, String detail, String committedOutput) implements Frame
    {
    }

    final long workerId;
    private final Engine engine;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();

    TestWorker(final Engine engine, final long workerId)
    {
        this.engine = engine;
        this.workerId = workerId;
    }

    public void onReply(final Object replyTo, final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        if (h.schemaId() == io.axiom.codecs.MessageHeaderDecoder.SCHEMA_ID &&
            h.templateId() == io.axiom.codecs.ProblemDecoder.TEMPLATE_ID)
        {
            final io.axiom.codecs.ProblemDecoder d = new io.axiom.codecs.ProblemDecoder()
                .wrap(buffer, body, h.blockLength(), h.version());
            d.correlationId();
            d.status();
            frames.add(new Problem(d.code(), d.detail()));
            return;
        }
        switch (h.templateId())
        {
            case WelcomeDecoder.TEMPLATE_ID ->
            {
                final WelcomeDecoder d = new WelcomeDecoder().wrap(buffer, body, h.blockLength(), h.version());
                frames.add(new Welcome(d.workerId(), d.leaseDurationMs()));
            }
            case HelloRejectedDecoder.TEMPLATE_ID ->
            {
                final HelloRejectedDecoder d = new HelloRejectedDecoder().wrap(buffer, body, h.blockLength(), h.version());
                frames.add(new HelloRejected(d.workerId(), d.reason()));
            }
            case TaskAssignedDecoder.TEMPLATE_ID ->
            {
                final TaskAssignedDecoder d = new TaskAssignedDecoder().wrap(buffer, body, h.blockLength(), h.version());
                frames.add(new Assigned(d.taskId(), d.workflowId(), d.stepIndex(), d.attempt(), d.fencingToken(),
                    d.leaseExpiresAt(), d.attemptDeadline(), d.stepName(), d.idempotencyKey(), text(d)));
            }
            case CompletionAcceptedDecoder.TEMPLATE_ID ->
            {
                final CompletionAcceptedDecoder d =
                    new CompletionAcceptedDecoder().wrap(buffer, body, h.blockLength(), h.version());
                frames.add(new Accepted(d.taskId(), d.fencingToken()));
            }
            case CompletionRejectedDecoder.TEMPLATE_ID ->
            {
                final CompletionRejectedDecoder d =
                    new CompletionRejectedDecoder().wrap(buffer, body, h.blockLength(), h.version());
                final long taskId = d.taskId();
                final long token = d.fencingToken();
                final String reason = d.reason().name();
                final String detail = d.detail();
                final byte[] output = new byte[d.committedOutputLength()];
                d.getCommittedOutput(output, 0, output.length);
                frames.add(new Rejected(taskId, token, reason, detail, new String(output, StandardCharsets.UTF_8)));
            }
            default -> throw new AssertionError("the engine sent a worker frame of template " + h.templateId() +
                " (schema " + h.schemaId() + ")");
        }
    }

    private static String text(final TaskAssignedDecoder d)
    {
        final byte[] input = new byte[d.inputLength()];
        d.getInput(input, 0, input.length);
        return new String(input, StandardCharsets.UTF_8);
    }

    /**
     * @return the next frame the engine sent, within the fixture's timeout.
     */
    Frame next()
    {
        try
        {
            final Frame frame = frames.poll(EngineFixture.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (null == frame)
            {
                throw new AssertionError("worker " + workerId + " got no frame within " + EngineFixture.TIMEOUT);
            }
            return frame;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    <T extends Frame> T next(final Class<T> type)
    {
        final Frame frame = next();
        if (!type.isInstance(frame))
        {
            throw new AssertionError("worker " + workerId + " expected a " + type.getSimpleName() + ", got " + frame);
        }
        return type.cast(frame);
    }

    /**
     * @return a frame already received, or null.
     */
    Frame poll()
    {
        return frames.poll();
    }

    Welcome hello(final int capacity, final String... stepNames)
    {
        send(buffer ->
        {
            final WorkerHelloEncoder e = new WorkerHelloEncoder().wrapAndApplyHeader(buffer, 0, header)
                .workerId(workerId).capacity(capacity).responseStreamId(0);
            final WorkerHelloEncoder.StepNamesEncoder names = e.stepNamesCount(stepNames.length);
            for (final String name : stepNames)
            {
                names.next().name(name);
            }
            e.responseChannel("test");
            return MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
        });
        return next(Welcome.class);
    }

    void complete(final long taskId, final long token, final String output)
    {
        send(buffer -> MessageHeaderEncoder.ENCODED_LENGTH + new TaskCompletedEncoder()
            .wrapAndApplyHeader(buffer, 0, header).workerId(workerId).taskId(taskId).fencingToken(token)
            .putOutput(bytes(output), 0, bytes(output).length).encodedLength());
    }

    void fail(final long taskId, final long token, final boolean retryable, final String error)
    {
        send(buffer -> MessageHeaderEncoder.ENCODED_LENGTH + new TaskFailedEncoder()
            .wrapAndApplyHeader(buffer, 0, header).workerId(workerId).taskId(taskId).fencingToken(token)
            .retryable((short)(retryable ? 1 : 0)).error(error).encodedLength());
    }

    void heartbeat(final long taskId, final long token)
    {
        send(buffer -> MessageHeaderEncoder.ENCODED_LENGTH + new HeartbeatEncoder()
            .wrapAndApplyHeader(buffer, 0, header).workerId(workerId).taskId(taskId).fencingToken(token)
            .encodedLength());
    }

    void goodbye()
    {
        send(buffer -> MessageHeaderEncoder.ENCODED_LENGTH + new WorkerGoodbyeEncoder()
            .wrapAndApplyHeader(buffer, 0, header).workerId(workerId).encodedLength());
        next(Welcome.class);
    }

    /**
     * Put raw bytes on the ring as this worker's frame.
     */
    void raw(final byte[] frame)
    {
        send(buffer ->
        {
            buffer.putBytes(0, frame);
            return frame.length;
        });
    }

    interface Encoder
    {
        int encode(MutableDirectBuffer buffer);
    }

    void send(final Encoder encoder)
    {
        final CommandRing ring = engine.ring();
        long sequence;
        while ((sequence = ring.tryNext()) == CommandRing.FULL)
        {
            Thread.onSpinWait();
        }
        final CommandSlot slot = ring.slot(sequence);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024 * 1024]);
        final int length = encoder.encode(scratch);
        if (length <= slot.capacity())
        {
            slot.buffer().putBytes(0, scratch, 0, length);
            slot.length(length);
        }
        else
        {
            slot.overflow(scratch, length);
        }
        slot.replyTo(this, this);
        ring.publish(sequence);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
