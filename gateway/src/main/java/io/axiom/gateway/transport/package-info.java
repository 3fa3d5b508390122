/**
 * Workers over Aeron, assembled: the server's media driver and worker endpoint ({@code io.axiom.transport}) wired
 * to the engine's command ring.
 * <p>
 * {@link io.axiom.gateway.transport.WorkerTransport} starts them from the configuration ({@code transport.enabled},
 * {@code transport.ingress}, {@code transport.ingress-stream-id}, {@code transport.aeron-dir}; a worker silent for
 * {@code scheduler.lease-duration-ms} is taken for gone) and turns what keeps them from starting into a
 * {@link io.axiom.gateway.StartupException}. {@link io.axiom.gateway.transport.RingInbox} is the one place where worker
 * frames enter the engine (a ring slot each, the worker's connection as the reply token) and where the engine's
 * answers and dispatches leave for the worker (on the processor thread, never blocking); it refuses an output that is
 * not JSON before the engine sees it.
 * <p>
 * This is the one corner of the gateway that writes ring slots itself rather than through {@code EngineClient}: the
 * endpoint's thread must never wait, and a refused frame stays in its Aeron image until the ring has room.
 */
package io.axiom.gateway.transport;
