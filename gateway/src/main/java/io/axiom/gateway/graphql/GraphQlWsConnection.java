package io.axiom.gateway.graphql;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import graphql.ExecutionResult;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import io.axiom.gateway.auth.ApiToken;
import io.axiom.gateway.http.ApiProblem;
import io.axiom.gateway.http.RequestParser;

/**
 * One WebSocket connection speaking the {@code graphql-transport-ws} protocol (the graphql-ws library's): the
 * client sends {@code connection_init} (with {@code {"Authorization": "Bearer <token>"}} as payload when the server
 * has a token) and gets {@code connection_ack}; then {@code subscribe} / {@code next} / {@code error} /
 * {@code complete} per operation id, and {@code ping} / {@code pong} at any time.
 * <p>
 * Protocol violations close the socket with the protocol's codes: 4400 for an invalid message, 4401 for a subscribe
 * before the ack, 4403 for a wrong or missing token, 4408 when no {@code connection_init} arrives in time, 4409 for
 * an id already in use, 4429 for a second {@code connection_init}.
 * <p>
 * Threads: Helidon calls the listener on the connection's own thread; each operation executes on a virtual thread of
 * its own, and a subscription's items arrive on its stream's pump thread. Sends are serialised by a lock.
 */
final class GraphQlWsConnection implements WsListener
{
    /** The sub-protocol spoken. */
    static final String PROTOCOL = "graphql-transport-ws";
    /** The handshake header that names sub-protocols. */
    static final HeaderName SEC_WEBSOCKET_PROTOCOL = HeaderNames.create("Sec-WebSocket-Protocol");
    /** Close code: invalid message. */
    static final int INVALID_MESSAGE = 4400;
    /** Close code: subscribe before {@code connection_ack}. */
    static final int UNAUTHORIZED = 4401;
    /** Close code: wrong or missing token. */
    static final int FORBIDDEN = 4403;
    /** Close code: no {@code connection_init} in time. */
    static final int INIT_TIMEOUT = 4408;
    /** Close code: operation id already in use. */
    static final int SUBSCRIBER_EXISTS = 4409;
    /** Close code: a second {@code connection_init}. */
    static final int TOO_MANY_INITIALISATION_REQUESTS = 4429;
    /** Most operations running at once on one connection. */
    static final int MAX_OPERATIONS = 100;

    private static final System.Logger LOG = System.getLogger(GraphQlWsConnection.class.getName());

    private final AxiomGraphQl graphQl;
    private final ApiToken token;
    private final ScheduledExecutorService timer;
    private final long initTimeoutMs;
    private final long pingIntervalMs;
    private final int maxMessageBytes;
    private final Map<GraphQlWsConnection, Boolean> registry;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ConcurrentHashMap<String, Operation> operations = new ConcurrentHashMap<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile WsSession session;
    private volatile boolean initReceived;
    private volatile boolean acknowledged;
    private volatile boolean closed;
    private ScheduledFuture<?> initDeadline;
    private ScheduledFuture<?> pings;

    /**
     * @param graphQl         the executable schema.
     * @param token           the API token {@code connection_init} must carry (possibly none).
     * @param timer           schedules the {@code connection_init} deadline.
     * @param initTimeoutMs   how long a client may take to send {@code connection_init}.
     * @param pingIntervalMs  how often a WebSocket ping is sent (the client's pong is what keeps the connection from
     *                        the listener's idle timeout).
     * @param maxMessageBytes largest message accepted.
     * @param registry        the module's open connections; this one adds and removes itself.
     */
    GraphQlWsConnection(
        final AxiomGraphQl graphQl,
        final ApiToken token,
        final ScheduledExecutorService timer,
        final long initTimeoutMs,
        final long pingIntervalMs,
        final int maxMessageBytes,
        final Map<GraphQlWsConnection, Boolean> registry)
    {
        this.graphQl = graphQl;
        this.token = token;
        this.timer = timer;
        this.initTimeoutMs = initTimeoutMs;
        this.pingIntervalMs = pingIntervalMs;
        this.maxMessageBytes = maxMessageBytes;
        this.registry = registry;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(final HttpPrologue prologue, final Headers headers)
        throws WsUpgradeException
    {
        final List<String> offered = headers.all(SEC_WEBSOCKET_PROTOCOL, List::of);
        if (offered.isEmpty())
        {
            return Optional.empty();
        }
        for (final String value : offered)
        {
            for (final String protocol : value.split(","))
            {
                if (PROTOCOL.equals(protocol.trim()))
                {
                    return Optional.of(WritableHeaders.create().set(SEC_WEBSOCKET_PROTOCOL, PROTOCOL));
                }
            }
        }
        throw new WsUpgradeException("sub-protocol not acceptable: only " + PROTOCOL + " is spoken");
    }

    @Override
    public void onOpen(final WsSession session)
    {
        this.session = session;
        registry.put(this, Boolean.TRUE);
        initDeadline = timer.schedule(() ->
        {
            if (!initReceived)
            {
                close(INIT_TIMEOUT, "Connection initialisation timeout");
            }
        }, initTimeoutMs, TimeUnit.MILLISECONDS);
        pings = timer.scheduleAtFixedRate(this::ping, pingIntervalMs, pingIntervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * A WebSocket ping (a control frame, RFC 6455): every client answers it with a pong by itself, whatever the
     * sub-protocol, so a quiet but live subscription is never idle for the listener, and a client that vanished
     * without closing stops answering and is closed by the idle timeout.
     */
    private void ping()
    {
        sendLock.lock();
        try
        {
            if (!closed)
            {
                session.ping(BufferData.empty());
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.DEBUG, "GraphQL WebSocket ping failed", ex);
        }
        finally
        {
            sendLock.unlock();
        }
    }

    @Override
    public void onMessage(final WsSession session, final String text, final boolean last)
    {
        if (partial.length() + text.length() > maxMessageBytes)
        {
            partial.setLength(0);
            close(WsCloseCodes.TOO_BIG, "Message too big");
            return;
        }
        partial.append(text);
        if (!last)
        {
            return;
        }
        final String message = partial.toString();
        partial.setLength(0);
        onText(message);
    }

    @Override
    public void onMessage(final WsSession session, final BufferData buffer,
        final boolean last)
    {
        close(INVALID_MESSAGE, "Binary messages are not part of " + PROTOCOL);
    }

    @Override
    public void onClose(final WsSession session, final int status, final String reason)
    {
        release();
    }

    @Override
    public void onError(final WsSession session, final Throwable t)
    {
        LOG.log(System.Logger.Level.DEBUG, "GraphQL WebSocket failed", t);
        release();
    }

    /**
     * Close with 1001 going away (server shutdown) and end every operation.
     */
    void shutdown()
    {
        close(WsCloseCodes.GOING_AWAY, "Server shutting down");
    }

    private void onText(final String text)
    {
        final JsonNode message;
        try
        {
            message = RequestParser.readTree(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (final ApiProblem problem)
        {
            close(INVALID_MESSAGE, "Invalid message received: " + problem.code());
            return;
        }
        final JsonNode type = null == message ? null : message.get("type");
        if (null == type || !type.isTextual())
        {
            close(INVALID_MESSAGE, "Invalid message received: no type");
            return;
        }
        switch (type.textValue())
        {
            case "connection_init" -> onInit(message.get("payload"));
            case "ping" -> send(Map.of("type", "pong"));
            case "pong" ->
            {
                // a keep-alive answer: nothing to do
            }
            case "subscribe" -> onSubscribe(message);
            case "complete" -> onComplete(message);
            default -> close(INVALID_MESSAGE, "Invalid message received: unknown type '" + clip(type.textValue()) +
                "'");
        }
    }

    private void onInit(final JsonNode payload)
    {
        if (initReceived)
        {
            close(TOO_MANY_INITIALISATION_REQUESTS, "Too many initialisation requests");
            return;
        }
        initReceived = true;
        if (null != initDeadline)
        {
            initDeadline.cancel(false);
        }
        if (null != payload && !payload.isNull() && !payload.isObject())
        {
            close(INVALID_MESSAGE, "Invalid message received: connection_init payload must be an object");
            return;
        }
        String authorization = null;
        if (null != payload && payload.isObject())
        {
            JsonNode value = payload.get("Authorization");
            if (null == value)
            {
                value = payload.get("authorization");
            }
            authorization = null != value && value.isTextual() ? value.textValue() : null;
        }
        if (!token.accepts(authorization))
        {
            close(FORBIDDEN, "Forbidden");
            return;
        }
        acknowledged = true;
        send(Map.of("type", "connection_ack"));
    }

    private void onSubscribe(final JsonNode message)
    {
        if (!acknowledged)
        {
            close(UNAUTHORIZED, "Unauthorized");
            return;
        }
        final JsonNode idNode = message.get("id");
        if (null == idNode || !idNode.isTextual() || idNode.textValue().isEmpty())
        {
            close(INVALID_MESSAGE, "Invalid message received: subscribe needs a non-empty string id");
            return;
        }
        final String id = idNode.textValue();
        final GraphQlRequest request;
        try
        {
            request = GraphQlRequest.of(message.get("payload"));
        }
        catch (final GraphQlProblem problem)
        {
            close(INVALID_MESSAGE, "Invalid message received: " + clip(problem.getMessage()));
            return;
        }
        final Operation operation = new Operation(id);
        if (null != operations.putIfAbsent(id, operation))
        {
            close(SUBSCRIBER_EXISTS, "Subscriber for " + clip(id) + " already exists");
            return;
        }
        if (operations.size() > MAX_OPERATIONS)
        {
            operations.remove(id, operation);
            sendError(id, new GraphQlProblem("TOO_MANY_OPERATIONS", "at most " + MAX_OPERATIONS +
                " operations may run at once on one connection; complete some first"));
            return;
        }
        Thread.ofVirtual().name("graphql-ws-op-" + clip(id)).start(() -> operation.execute(request));
    }

    private void onComplete(final JsonNode message)
    {
        final JsonNode id = message.get("id");
        if (null == id || !id.isTextual())
        {
            close(INVALID_MESSAGE, "Invalid message received: complete needs a string id");
            return;
        }
        final Operation operation = operations.remove(id.textValue());
        if (null != operation)
        {
            operation.cancel();
        }
    }

    private void sendError(final String id, final GraphQlProblem problem)
    {
        final Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", id);
        message.put("type", "error");
        message.put("payload", List.of(AxiomGraphQl.error(problem)));
        send(message);
    }

    private void send(final Map<String, Object> message)
    {
        final String text;
        try
        {
            text = JsonScalar.MAPPER.writeValueAsString(message);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot write a GraphQL WebSocket message", ex);
        }
        sendLock.lock();
        try
        {
            if (!closed)
            {
                session.send(text, true);
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.DEBUG, "GraphQL WebSocket send failed", ex);
            closed = true;
        }
        finally
        {
            sendLock.unlock();
        }
        if (closed)
        {
            release();
        }
    }

    private void close(final int code, final String reason)
    {
        sendLock.lock();
        try
        {
            if (!closed)
            {
                closed = true;
                session.close(code, reason);
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.DEBUG, "GraphQL WebSocket close failed", ex);
        }
        finally
        {
            sendLock.unlock();
        }
        release();
    }

    private void release()
    {
        closed = true;
        registry.remove(this);
        if (null != initDeadline)
        {
            initDeadline.cancel(false);
        }
        if (null != pings)
        {
            pings.cancel(false);
        }
        for (final String id : List.copyOf(operations.keySet()))
        {
            final Operation operation = operations.remove(id);
            if (null != operation)
            {
                operation.cancel();
            }
        }
    }

    private static String clip(final String text)
    {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    /**
     * One operation of the connection: executes, then relays its result or its stream of results.
     */
    private final class Operation implements Subscriber<ExecutionResult>
    {
        private final String id;
        private final ReentrantLock lock = new ReentrantLock();
        private Subscription subscription;
        private boolean cancelled;

        Operation(final String id)
        {
            this.id = id;
        }

        void execute(final GraphQlRequest request)
        {
            final ExecutionResult result;
            try
            {
                result = graphQl.execute(request, Operations.WEBSOCKET);
            }
            catch (final RuntimeException ex)
            {
                final String reference = GraphQlMessages.reference();
                LOG.log(System.Logger.Level.ERROR, "GraphQL operation failed (reference " + reference + ")", ex);
                if (operations.remove(id, this))
                {
                    sendError(id, new GraphQlProblem(GraphQlProblem.INTERNAL_SERVER_ERROR,
                        GraphQlMessages.unexpected(reference)));
                }
                return;
            }
            if (result.getData() instanceof Publisher<?> publisher)
            {
                @SuppressWarnings("unchecked")
                final Publisher<ExecutionResult> results = (Publisher<ExecutionResult>)publisher;
                results.subscribe(this);
                return;
            }
            if (!operations.remove(id, this))
            {
                return;
            }
            if (null == result.getData() && !result.getErrors().isEmpty())
            {
                final Map<String, Object> message = new LinkedHashMap<>();
                message.put("id", id);
                message.put("type", "error");
                message.put("payload", AxiomGraphQl.errors(result.getErrors()));
                send(message);
                return;
            }
            sendNext(result);
            send(Map.of("id", id, "type", "complete"));
        }

        void cancel()
        {
            final Subscription s;
            lock.lock();
            try
            {
                cancelled = true;
                s = subscription;
            }
            finally
            {
                lock.unlock();
            }
            if (null != s)
            {
                s.cancel();
            }
        }

        @Override
        public void onSubscribe(final Subscription s)
        {
            final boolean cancel;
            lock.lock();
            try
            {
                subscription = s;
                cancel = cancelled;
            }
            finally
            {
                lock.unlock();
            }
            if (cancel)
            {
                s.cancel();
            }
            else
            {
                s.request(1);
            }
        }

        @Override
        public void onNext(final ExecutionResult result)
        {
            if (operations.get(id) != this)
            {
                return;
            }
            sendNext(result);
            subscription.request(1);
        }

        @Override
        public void onError(final Throwable t)
        {
            if (operations.remove(id, this))
            {
                if (t instanceof GraphQlProblem problem)
                {
                    sendError(id, problem);
                }
                else
                {
                    final String reference = GraphQlMessages.reference();
                    LOG.log(System.Logger.Level.ERROR, "GraphQL subscription failed (reference " + reference + ")", t);
                    sendError(id, new GraphQlProblem(GraphQlProblem.INTERNAL_SERVER_ERROR,
                        GraphQlMessages.unexpected(reference)));
                }
            }
        }

        @Override
        public void onComplete()
        {
            if (operations.remove(id, this))
            {
                send(Map.of("id", id, "type", "complete"));
            }
        }

        private void sendNext(final ExecutionResult result)
        {
            final Map<String, Object> message = new LinkedHashMap<>();
            message.put("id", id);
            message.put("type", "next");
            message.put("payload", AxiomGraphQl.toSpecification(result));
            send(message);
        }
    }
}
