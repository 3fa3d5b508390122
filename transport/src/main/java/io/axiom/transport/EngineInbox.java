package io.axiom.transport;

import org.agrona.DirectBuffer;

/**
 * Where the {@link WorkerEndpoint} hands each well-formed frame a worker sent: the engine's door, which the assembly
 * (the gateway) implements on the engine's command ring. The transport defines it so that it never knows the engine.
 * <p>
 * Called on the endpoint's agent thread only. Must not block for long: a busy engine answers false and the endpoint
 * offers the same frame again on a later duty cycle (the frame stays in the worker's Aeron image meanwhile, so a
 * full engine pushes back on the worker's publication instead of losing anything).
 */
@FunctionalInterface
public interface EngineInbox
{
    /**
     * @param frame      holding one frame of the wire schema ({@code io.axiom.wire}), message header included,
     *                   checked to decode; valid only for the duration of the call.
     * @param offset     of the frame in the buffer.
     * @param length     of the frame in bytes.
     * @param connection the worker it came from: the same object for every frame of one worker connection, and
     *                   where the engine's answers and dispatches for that worker go
     *                   ({@link WorkerConnection#send(DirectBuffer, int, int)}).
     * @return true when the engine took the frame, false when it cannot now (the endpoint offers it again later).
     */
    boolean offer(DirectBuffer frame, int offset, int length, WorkerConnection connection);
}
