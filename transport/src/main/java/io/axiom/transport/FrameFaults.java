package io.axiom.transport;

/**
 * A seam for fault injection on the worker endpoint's frames: the chaos scenarios of a server started with chaos
 * enabled drop and delay frames through it, in both directions. Production never sets one; without one the endpoint
 * makes no call and pays one null check per frame.
 */
public interface FrameFaults
{
    /**
     * Called on the endpoint's thread for each good frame received from a worker, before it is handled.
     *
     * @param templateId the frame's template.
     * @return false to drop the frame (counted as {@code droppedByFaults}); may sleep first.
     */
    boolean onReceive(int templateId);

    /**
     * Called on the sending thread (the engine's) for each frame about to be sent to a worker.
     *
     * @return false to drop the frame (counted as {@code droppedByFaults}, reported as sent); may sleep first.
     */
    boolean onSend();
}
