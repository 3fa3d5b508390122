package io.axiom.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.axiom.wire.MessageHeaderDecoder;
import io.axiom.wire.MessageHeaderEncoder;
import io.axiom.wire.WorkerHelloEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A worker written by hand on a bare Aeron client: sends whatever bytes a test wants and collects every frame the
 * endpoint sends back, unpolled until asked.
 */
final class RawWorker implements AutoCloseable
{
    final Aeron aeron;
    final ExclusivePublication publication;
    final Subscription subscription;
    final String responseChannel;
    final int responseStreamId;
    private final List<byte[]> frames = new ArrayList<>();
    private final FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, header) ->
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        frames.add(copy);
    });

    RawWorker(final String aeronDir, final String ingress, final int ingressStream, final String responseChannel,
        final int responseStreamId)
    {
        this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        this.publication = aeron.addExclusivePublication(ingress, ingressStream);
        this.subscription = aeron.addSubscription(responseChannel, responseStreamId);
        this.responseChannel = responseChannel;
        this.responseStreamId = responseStreamId;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!publication.isConnected())
        {
            if (System.nanoTime() > deadline)
            {
                fail("raw worker's publication to " + ingress + " never connected");
            }
            Thread.onSpinWait();
        }
    }

    void send(final byte[] frame)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (publication.offer(buffer, 0, frame.length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                fail("raw worker could not send a frame of " + frame.length + " bytes");
            }
            Thread.onSpinWait();
        }
    }

    byte[] hello(final long workerId, final int version, final String... steps)
    {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(256);
        final WorkerHelloEncoder e = new WorkerHelloEncoder().wrapAndApplyHeader(b, 0, new MessageHeaderEncoder())
            .workerId(workerId).capacity(4).responseStreamId(responseStreamId);
        final WorkerHelloEncoder.StepNamesEncoder names = e.stepNamesCount(steps.length);
        for (final String step : steps)
        {
            names.next().name(step);
        }
        e.responseChannel(responseChannel);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
        b.putShort(6, (short)version, java.nio.ByteOrder.LITTLE_ENDIAN);
        final byte[] frame = new byte[length];
        b.getBytes(0, frame);
        return frame;
    }

    /**
     * @return every frame received so far (polled now).
     */
    List<byte[]> frames()
    {
        while (subscription.poll(assembler, 100) > 0)
        {
            Thread.onSpinWait();
        }
        return frames;
    }

    /**
     * Poll until a frame of the template arrives.
     */
    byte[] await(final int templateId, final int nth)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline)
        {
            int seen = 0;
            for (final byte[] frame : frames())
            {
                if (templateOf(frame) == templateId && ++seen == nth)
                {
                    return frame;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no frame #" + nth + " of template " + templateId + " within 15 s; got " +
            frames.size() + " frames");
    }

    static int templateOf(final byte[] frame)
    {
        return new MessageHeaderDecoder().wrap(new UnsafeBuffer(frame), 0).templateId();
    }

    @Override
    public void close()
    {
        aeron.close();
    }
}
