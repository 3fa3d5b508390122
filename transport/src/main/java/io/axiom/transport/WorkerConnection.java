package io.axiom.transport;

import java.nio.ByteBuffer;

import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * One worker as the endpoint knows it: who it is (the ingress image's session id and the worker id of its hello),
 * and the publication to the response channel it named, through which the engine's answers and dispatches reach it.
 * The engine keys the worker's session by this object's identity.
 * <p>
 * <b>Sending.</b> {@link #send(DirectBuffer, int, int)} is for the engine's thread: it claims room in the publication
 * and copies the frame in ({@code tryClaim}; {@code offer} for a frame above the publication's largest payload, which
 * Aeron fragments), and never blocks. When the publication pushes back (BACK_PRESSURED, ADMIN_ACTION), or before the
 * connection is up, the frame is copied into the connection's <i>backlog</i>, a bounded ring the endpoint's agent
 * drains in order; while the backlog holds anything, later frames queue behind it, so a worker receives frames in the
 * order they were sent. A frame the worker can no longer receive (NOT_CONNECTED, CLOSED) is dropped and counted: a
 * task whose TaskAssigned is lost is dealt again once its lease expires, and the engine's fencing keeps that safe.
 * Nothing is allocated per frame; the backlog is allocated the first time it is needed.
 * <p>
 * Other threads (the endpoint's own answers) use {@link #queue(DirectBuffer, int, int)}, which always goes through
 * the backlog.
 */
public final class WorkerConnection
{
    static final int PENDING = 0;
    static final int CONNECTING = 1;
    static final int ACTIVE = 2;
    static final int CLOSED = 3;

    /** Returned by {@link #offer} for a frame larger than the publication's largest message. */
    static final long TOO_LARGE = -100;
    private static final int FRAME_MSG_TYPE = 1;
    private static final int DRAIN_LIMIT = 64;

    private final int sessionId;
    private final long workerId;
    private final String responseChannel;
    private final int responseStreamId;
    private final int backlogCapacity;
    private final EndpointCounters counters;
    private final BufferClaim sendClaim = new BufferClaim();
    private final BufferClaim drainClaim = new BufferClaim();
    private final ControlledMessageHandler drainHandler = this::onBacklogFrame;

    private volatile int state = PENDING;
    private volatile Publication publication;
    private volatile ManyToOneRingBuffer backlog;

    // Owned by the endpoint's agent thread.
    long registrationId;
    long createdNs;
    long lastFrameNs;
    boolean helloForwarded;
    boolean saidGoodbye;
    boolean rejectOnly;
    boolean goodbyePending;
    final UnsafeBuffer heldHello = new UnsafeBuffer(0, 0);
    int heldHelloLength;

    private final Runnable waker;
    private final FrameFaults faults;

    WorkerConnection(
        final int sessionId,
        final long workerId,
        final String responseChannel,
        final int responseStreamId,
        final int backlogCapacity,
        final EndpointCounters counters,
        final Runnable waker,
        final FrameFaults faults)
    {
        this.waker = waker;
        this.faults = faults;
        this.sessionId = sessionId;
        this.workerId = workerId;
        this.responseChannel = responseChannel;
        this.responseStreamId = responseStreamId;
        this.backlogCapacity = backlogCapacity;
        this.counters = counters;
    }

    /**
     * Send a frame to the worker without blocking; from the engine's thread (one thread at a time).
     *
     * @param buffer holding the frame.
     * @param offset of the frame.
     * @param length of the frame.
     * @return true when sent or kept in the backlog, false when dropped (and counted).
     */
    public boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        final int state = this.state;
        if (CLOSED == state)
        {
            counters.droppedClosed.incrementAndGet();
            return false;
        }
        if (null != faults && !faults.onSend())
        {
            counters.droppedByFaults.incrementAndGet();
            return true;
        }
        final ManyToOneRingBuffer backlog = this.backlog;
        if (ACTIVE == state && (null == backlog || 0 == backlog.size()))
        {
            final long result = offer(publication, sendClaim, buffer, offset, length);
            if (result > 0)
            {
                counters.framesSent.incrementAndGet();
                waker.run(); // the endpoint's thread drives the media driver that sends it
                return true;
            }
            if (Publication.BACK_PRESSURED != result && Publication.ADMIN_ACTION != result)
            {
                dropped(result);
                return false;
            }
        }
        final boolean queued = enqueue(buffer, offset, length);
        waker.run();
        return queued;
    }

    /**
     * Put a frame behind whatever the backlog holds, for the endpoint's agent to send; safe from any thread.
     *
     * @param buffer holding the frame.
     * @param offset of the frame.
     * @param length of the frame.
     * @return true when queued, false when dropped (closed, too large, backlog full; counted).
     */
    public boolean queue(final DirectBuffer buffer, final int offset, final int length)
    {
        if (CLOSED == state)
        {
            counters.droppedClosed.incrementAndGet();
            return false;
        }
        return enqueue(buffer, offset, length);
    }

    /**
     * @return the worker id its hello carried.
     */
    public long workerId()
    {
        return workerId;
    }

    /**
     * @return the Aeron session id of the worker's ingress publication.
     */
    public int sessionId()
    {
        return sessionId;
    }

    /**
     * @return the channel the worker receives on.
     */
    public String responseChannel()
    {
        return responseChannel;
    }

    /**
     * @return the stream the worker receives on.
     */
    public int responseStreamId()
    {
        return responseStreamId;
    }

    /**
     * @return true once the connection is closed: frames sent to it are dropped.
     */
    public boolean isClosed()
    {
        return CLOSED == state;
    }

    /**
     * @return true while the response publication is connected and the connection open.
     */
    public boolean isActive()
    {
        return ACTIVE == state;
    }

    /**
     * @return bytes waiting in the backlog (0 when it was never needed).
     */
    public int backlogBytes()
    {
        final ManyToOneRingBuffer backlog = this.backlog;
        return null == backlog ? 0 : backlog.size();
    }

    @Override
    public String toString()
    {
        return "worker " + workerId + " (session " + sessionId + ", answers on " + responseChannel + " stream " +
            responseStreamId + ")";
    }

    int state()
    {
        return state;
    }

    Publication publication()
    {
        return publication;
    }

    void publication(final Publication publication)
    {
        this.publication = publication;
        this.state = CONNECTING;
    }

    void activate()
    {
        state = ACTIVE;
    }

    /**
     * Mark closed (frames from now on are dropped) and release the publication; the endpoint's thread.
     */
    void close()
    {
        state = CLOSED;
        final Publication publication = this.publication;
        if (null != publication)
        {
            publication.close();
        }
    }

    void holdHello(final DirectBuffer buffer, final int offset, final int length)
    {
        if (heldHello.capacity() < length)
        {
            heldHello.wrap(new byte[Math.max(length, 256)]);
        }
        heldHello.putBytes(0, buffer, offset, length);
        heldHelloLength = length;
    }

    /**
     * Send what the backlog holds, in order, until the publication pushes back; the endpoint's thread.
     *
     * @return frames taken from the backlog.
     */
    int drain()
    {
        final ManyToOneRingBuffer backlog = this.backlog;
        if (null == backlog || ACTIVE != state || 0 == backlog.size())
        {
            return 0;
        }
        return backlog.controlledRead(drainHandler, DRAIN_LIMIT);
    }

    private ControlledMessageHandler.Action onBacklogFrame(
        final int msgTypeId, final DirectBuffer buffer, final int index, final int length)
    {
        final long result = offer(publication, drainClaim, buffer, index, length);
        if (result > 0)
        {
            counters.framesSent.incrementAndGet();
            return ControlledMessageHandler.Action.COMMIT;
        }
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            return ControlledMessageHandler.Action.ABORT;
        }
        dropped(result);
        return ControlledMessageHandler.Action.COMMIT;
    }

    private boolean enqueue(final DirectBuffer buffer, final int offset, final int length)
    {
        final ManyToOneRingBuffer backlog = backlog();
        if (length > backlog.maxMsgLength())
        {
            counters.droppedTooLarge.incrementAndGet();
            return false;
        }
        if (!backlog.write(FRAME_MSG_TYPE, buffer, offset, length))
        {
            counters.droppedBacklogFull.incrementAndGet();
            return false;
        }
        counters.framesQueued.incrementAndGet();
        return true;
    }

    private ManyToOneRingBuffer backlog()
    {
        ManyToOneRingBuffer backlog = this.backlog;
        if (null == backlog)
        {
            synchronized (this)
            {
                backlog = this.backlog;
                if (null == backlog)
                {
                    final ByteBuffer memory = BufferUtil.allocateDirectAligned(
                        backlogCapacity + RingBufferDescriptor.TRAILER_LENGTH, 64);
                    backlog = new ManyToOneRingBuffer(new UnsafeBuffer(memory));
                    this.backlog = backlog;
                }
            }
        }
        return backlog;
    }

    private void dropped(final long result)
    {
        if (TOO_LARGE == result)
        {
            counters.droppedTooLarge.incrementAndGet();
        }
        else if (Publication.NOT_CONNECTED == result)
        {
            counters.droppedNotConnected.incrementAndGet();
        }
        else
        {
            counters.droppedClosed.incrementAndGet();
        }
    }

    /**
     * One attempt to put a frame into a publication.
     *
     * @return the new position (positive) or a negative code of {@link Publication}, or {@link #TOO_LARGE}.
     */
    static long offer(
        final Publication publication,
        final BufferClaim claim,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (length <= publication.maxPayloadLength())
        {
            final long result = publication.tryClaim(length, claim);
            if (result > 0)
            {
                claim.putBytes(buffer, offset, length);
                claim.commit();
            }
            return result;
        }
        if (length <= publication.maxMessageLength())
        {
            return publication.offer(buffer, offset, length);
        }
        return TOO_LARGE;
    }
}
