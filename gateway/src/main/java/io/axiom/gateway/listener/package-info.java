/**
 * The HTTP listener: Helidon SE 4.5's web server, with the limits a server facing hostile clients needs and Helidon
 * does not give by itself.
 *
 * <h2>What a connection may cost</h2>
 * <ul>
 *     <li><b>How many</b>: at most {@code gateway.max-connections} at once, Helidon's {@code maxTcpConnections}: a
 *     permit is taken <em>before</em> each accept, so further clients wait in the kernel's listen backlog and cost
 *     the process nothing. The limit is lowered at start-up to what the open-files limit leaves
 *     ({@link io.axiom.gateway.listener.FileDescriptors}), because of what happens at that limit: see below.</li>
 *     <li><b>How long idle</b>: {@code gateway.idle-timeout-ms}, enforced by Helidon's idle check, which asks each
 *     connection for its idle time; a {@link io.axiom.gateway.listener.GuardedConnection} answers from the bytes it
 *     saw arrive (zero while a request is in progress, so a slow body or a long engine call is never cut). GraphQL
 *     WebSockets are pinged by the GraphQL module; the client's pong is traffic.</li>
 *     <li><b>How slow a request head</b>: {@code gateway.request-head-timeout-ms} from a request's first byte to the
 *     end of its headers; the {@link io.axiom.gateway.listener.ConnectionGuard}'s sweeper answers a slower one 408
 *     and closes it (slowloris). Helidon has no such timeout: its socket read timeout is not applied on the server,
 *     and would only bound each read, not the whole head.</li>
 * </ul>
 *
 * <h2>How it hooks into Helidon</h2>
 * The {@link io.axiom.gateway.listener.ConnectionGuard} is the listener's only connection selector (service
 * discovery of protocols is off, the WebSocket upgrade is configured explicitly). It builds Helidon's own HTTP/1.1
 * connection for every socket, but hands it a context whose bytes come through
 * {@link io.axiom.gateway.listener.RequestBytes}: that is where arrivals are seen, where an HTTP/1.0 request is
 * turned into HTTP/1.1 with {@code Connection: close} (Helidon 4.5 answers 1.0 with 505), and where a connection
 * whose response said {@code Connection: close} ends (Helidon writes the header but would keep reading). Helidon's
 * HTTP/1.1 listeners report request lines, complete heads and responses.
 *
 * <h2>What Helidon does at the open-files limit, and what is done about it</h2>
 * When {@code accept} fails with EMFILE, Helidon 4.5's accept loop ({@code ServerListener.listen}) treats it like any
 * accept failure: it logs "this server socket is terminating now" and stops the listener for good (closing its
 * socket and every connection, then blocking its own thread on a future only it would complete); if logging itself
 * needs a file (the log formatter's time-zone data), the thread dies instead and the socket stays open with nobody
 * accepting. Either way the process lives on, "ready", and nothing can connect. So:
 * <ol>
 *     <li>prevention: the connection limit never exceeds the descriptors left after a reserve (a tenth of the limit,
 *     at least 64) for the journal's segments and snapshots, jars opened later and the JVM, so accepting a
 *     connection cannot be what exhausts them;</li>
 *     <li>recovery: should the loop end anyway (descriptors taken by something else),
 *     {@link io.axiom.gateway.listener.HelidonLog} sees Helidon's record (and keeps it from being formatted), the
 *     {@link io.axiom.gateway.listener.HttpListener} checks its port and, if nothing accepts there, builds a new web
 *     server on the same port, retrying with back-off until it binds; meanwhile {@code /ready} answers 503
 *     {@code NOT_ACCEPTING}. The system property {@value io.axiom.gateway.listener.HttpListener#IGNORE_FD_LIMIT_PROP}
 *     lifts the prevention, for the test of the recovery only.</li>
 * </ol>
 * A port that cannot be bound is the other failure Helidon only logs ({@code start()} returns and the port reads
 * -1): {@link io.axiom.gateway.listener.HttpListener#start} turns it into a
 * {@link io.axiom.gateway.StartupException} naming the address and the cause.
 */
package io.axiom.gateway.listener;
