/**
 * Aeron for Axiom: the media driver, the engine's side of the worker protocol, and (in {@code io.axiom.worker}) the
 * Java worker SDK.
 * <p>
 * <b>What it owns.</b>
 * <ul>
 *     <li>{@link io.axiom.transport.EmbeddedDriver}: an Aeron media driver in this JVM (one thread, backing off when
 *     idle, a directory of its own deleted on close), or the stand-in for an external one.</li>
 *     <li>{@link io.axiom.transport.WorkerEndpoint}: the engine's door for workers. One agent thread subscribes to the
 *     ingress channel (default {@code aeron:udp?endpoint=localhost:40123}, stream 1001), reassembles and checks every
 *     frame ({@link io.axiom.transport.WireFrames}: schema id 7302, a worker's template, a version it speaks, every
 *     length in bounds) and hands the good ones to an {@link io.axiom.transport.EngineInbox}. Bad frames are dropped
 *     and counted ({@link io.axiom.transport.EndpointCounters}), answered CompletionRejected(MALFORMED) when the
 *     worker's connection is known; a hello of a newer protocol version is answered HelloRejected here.</li>
 *     <li>{@link io.axiom.transport.WorkerConnection}: one worker, keyed by its ingress image's session id and its
 *     worker id, with the publication to its response channel. The engine's answers and dispatches leave through
 *     {@code send} on the engine's thread, without blocking and without allocating: {@code tryClaim}, and a bounded
 *     backlog, drained in order by the endpoint's agent, for what back-pressure refuses. Frames a gone worker can no
 *     longer receive are dropped and counted; the engine deals a lost task again when its lease expires.</li>
 *     <li>{@link io.axiom.transport.WakeableIdleStrategy}: how every Axiom agent waits (spin, yield, parks up to
 *     1 ms), with a wake for the thread that hands it work: the engine wakes the endpoint (which drives the embedded
 *     driver) after putting frames into a publication, a worker's handler wakes its poller.</li>
 *     <li>Workers that go away (their image lost, their response subscription gone, silent past the worker timeout)
 *     are said goodbye for, so that the engine stops dealing to them.</li>
 * </ul>
 * <b>Logging.</b> The endpoint logs each worker it connects and disconnects (and why) on {@code System.Logger}
 * {@code axiom.workers} at INFO, from its own thread, never per frame.
 * <p>
 * <b>Threads.</b> The media driver's one thread; the endpoint's agent, which also drives its Aeron client's conductor;
 * and the engine's thread, which calls {@code WorkerConnection.send}. Nothing here blocks the engine.
 * <p>
 * <b>Must never know:</b> the engine, the journal, workflows, HTTP. It depends on the wire schema ({@code codecs},
 * package {@code io.axiom.wire}), Aeron and Agrona only, so that the worker SDK ships without the engine; the
 * assembly (the gateway) implements {@link io.axiom.transport.EngineInbox} on the engine's command ring.
 */
package io.axiom.transport;
