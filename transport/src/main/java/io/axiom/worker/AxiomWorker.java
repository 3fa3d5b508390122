package io.axiom.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.axiom.transport.EmbeddedDriver;
import io.axiom.transport.WorkerEndpoint;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

/**
 * A worker: runs the task steps it has handlers for, as the Axiom engine deals them to it over Aeron.
 * <p>
 * <pre>{@code
 * AxiomWorker.Context ctx = new AxiomWorker.Context()
 *     .ingressChannel("aeron:udp?endpoint=localhost:40123")   // the engine's transport.ingress (the default)
 *     .capacity(8)                                            // tasks at once
 *     .listener(new WorkerListener()
 *     {
 *         public void onAccepted(Task task, boolean failure)
 *         {
 *             ledger.commit(task.idempotencyKey());           // the engine recorded the outcome
 *         }
 *
 *         public void onRejected(Task task, TaskRejection rejection)
 *         {
 *             ledger.discard(task.idempotencyKey());          // another attempt owns the step: do not commit
 *         }
 *     });
 *
 * try (AxiomWorker worker = AxiomWorker.create(ctx)
 *     .handler("CHARGE_CARD", task ->
 *     {
 *         // the key is the same on every attempt of the step: the provider charges once
 *         String receipt = payments.charge(task.idempotencyKey(), task.inputAsString());
 *         return "{\"receipt\":\"" + receipt + "\"}";
 *     })
 *     .handler("SHIP", task ->
 *     {
 *         if (!warehouse.isUp())
 *         {
 *             throw new RetryableTaskException("warehouse unavailable"); // retried by the step's policy
 *         }
 *         return warehouse.ship(task.inputAsString());
 *     })
 *     .start())
 * {
 *     worker.awaitConnected(Duration.ofSeconds(10));
 *     shutdownSignal.await();                                 // close(): finish what is held, then goodbye
 * }
 * }</pre>
 * <p>
 * <b>Threads.</b> One poller thread talks to the engine (hello, heartbeats, outcomes, resends); handlers run on a pool
 * of {@code capacity} task threads, never on the poller, unless {@link Context#inlineHandlers(boolean)} asks for
 * handlers that never block to run on the poller itself (no hand-over: about twice the steps per second, see
 * BENCHMARKS.md). The listener is called on the poller: keep it short.
 * <p>
 * <b>What it does for you.</b> It says hello until the engine welcomes it, and again after the engine restarts or the
 * connection breaks; heartbeats every task it holds (a third of the engine's lease apart) so that a long handler keeps
 * its lease; sends each outcome until the engine answers it; and tells the listener the engine's verdict: a completion
 * commits only under the step's current fencing token, and a rejected one must not be committed. {@link #close()}
 * stops taking tasks, lets the ones held finish within the close timeout and says goodbye.
 * <p>
 * <b>Several engines.</b> {@link Context#ingressChannels(List)} names the ingress of every member of a replicated
 * engine (any one of them deals to the worker). The worker talks to one at a time, starting with the first; when that
 * one goes silent (its answers stop, the publication to it disconnects, or hellos and outcomes go unanswered) and no
 * Welcome comes within {@link Context#failoverTimeoutMs(long)}, it says hello to the next channel of the list,
 * round-robin, and sends the outcomes it holds there once welcomed: they are judged by their fencing tokens, whichever
 * member they reach.
 * <p>
 * <b>Media driver.</b> By default the worker runs its own embedded Aeron media driver, invoked from the poller's duty
 * cycle (no thread of its own; the poller backs off when idle); set {@link Context#aeronDirectoryName(String)} to use
 * one already running, e.g. the engine's in the same process (then {@code aeron:ipc} channels work).
 */
public final class AxiomWorker implements AutoCloseable
{
    /**
     * A registered handler, whatever the shape of its output.
     */
    @FunctionalInterface
    interface Handler
    {
        byte[] handle(Task task) throws Exception;
    }

    private final Context ctx;
    private final Map<String, Handler> handlers = new LinkedHashMap<>();
    private EmbeddedDriver driver;
    private Aeron aeron;
    private ExecutorService pool;
    private AgentRunner runner;
    private volatile WorkerPoller poller;
    private String responseChannel;
    private int responseStreamId;
    private boolean started;
    private boolean closed;

    private AxiomWorker(final Context ctx)
    {
        this.ctx = ctx;
    }

    /**
     * @param ctx the settings; concluded by {@link #start()}.
     * @return a worker to register handlers on, not started.
     */
    public static AxiomWorker create(final Context ctx)
    {
        return new AxiomWorker(ctx);
    }

    /**
     * @param stepName the task step name the handler runs.
     * @param handler  returns the output as JSON text.
     * @return this for a fluent API.
     */
    public synchronized AxiomWorker handler(final String stepName, final TaskHandler handler)
    {
        return register(stepName, task ->
        {
            final String output = handler.handle(task);
            return null == output ? null : output.getBytes(StandardCharsets.UTF_8);
        });
    }

    /**
     * @param stepName the task step name the handler runs.
     * @param handler  returns the output as UTF-8 JSON bytes.
     * @return this for a fluent API.
     */
    public synchronized AxiomWorker binaryHandler(final String stepName, final BinaryTaskHandler handler)
    {
        return register(stepName, handler::handle);
    }

    private AxiomWorker register(final String stepName, final Handler handler)
    {
        if (started)
        {
            throw new IllegalStateException("handlers are registered before start()");
        }
        if (null == stepName || stepName.isEmpty())
        {
            throw new IllegalArgumentException("a step name must not be empty");
        }
        if (null != handlers.put(stepName, handler))
        {
            throw new IllegalArgumentException("step " + stepName + " already has a handler");
        }
        return this;
    }

    /**
     * Connect: start (or join) the media driver, subscribe for the engine's answers, publish to its ingress, and
     * start saying hello. Returns at once; {@link #awaitConnected(Duration)} waits for the Welcome.
     *
     * @return this for a fluent API.
     * @throws IllegalStateException without handlers, or when started twice.
     * @throws IllegalArgumentException for an unusable setting.
     */
    public synchronized AxiomWorker start()
    {
        if (started)
        {
            throw new IllegalStateException("already started");
        }
        if (handlers.isEmpty())
        {
            throw new IllegalStateException("register at least one handler before start()");
        }
        started = true;
        ctx.conclude();
        try
        {
            driver = EmbeddedDriver.launch(new EmbeddedDriver.Context().aeronDirectoryName(ctx.aeronDirectoryName)
                .agentInvoker(true));
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .useConductorAgentInvoker(true)
                .driverAgentInvoker(driver.agentInvoker())
                .clientName("axiom-worker-" + ctx.workerId)
                .errorHandler(ex -> ctx.listener.onError("Aeron client error", ex)));
            responseStreamId = ctx.responseStreamId;
            final Subscription subscription = aeron.addSubscription(ctx.responseChannel, responseStreamId, null,
                image ->
                {
                    final WorkerPoller p = poller;
                    if (null != p)
                    {
                        p.onResponseImageUnavailable(image);
                    }
                });
            responseChannel = resolve(subscription);
            final ExclusivePublication publication = aeron.addExclusivePublication(
                ctx.ingressChannels.get(0), ctx.ingressStreamId);
            pool = taskPool();
            poller = new WorkerPoller(this, ctx, aeron, driver.agentInvoker(), publication, subscription,
                responseChannel, responseStreamId, Map.copyOf(handlers), pool);
            runner = new AgentRunner(ctx.idleStrategy,
                ex -> ctx.listener.onError("unexpected error in the worker's poller", ex), null, poller);
            AgentRunner.startOnThread(runner, r -> daemon(r, "axiom-worker-" + ctx.workerId + "-poller"));
            return this;
        }
        catch (final RuntimeException ex)
        {
            closeResources();
            throw ex;
        }
    }

    /**
     * Wait until the engine has welcomed this worker (the first time).
     *
     * @param timeout how long to wait.
     * @return true when welcomed; false when the time ran out (the worker goes on trying) or the engine refused the
     * hello (the listener's {@code onError} says why; the worker stops trying).
     * @throws InterruptedException when interrupted.
     */
    public boolean awaitConnected(final Duration timeout) throws InterruptedException
    {
        final WorkerPoller p = poller;
        if (null == p)
        {
            throw new IllegalStateException("not started");
        }
        return p.awaitWelcome(timeout.toMillis()) && WorkerPoller.Phase.REJECTED != p.phase();
    }

    /**
     * @return true while the engine knows this worker and deals to it.
     */
    public boolean isConnected()
    {
        final WorkerPoller p = poller;
        return null != p && WorkerPoller.Phase.ACTIVE == p.phase();
    }

    /**
     * @return this worker's id, as its hello gives it.
     */
    public long workerId()
    {
        return ctx.workerId;
    }

    /**
     * @return the channel the engine answers on (its port resolved when an ephemeral one was asked for), or null
     * before start.
     */
    public String responseChannel()
    {
        return responseChannel;
    }

    /**
     * @return the stream the engine answers on.
     */
    public int responseStreamId()
    {
        return responseStreamId;
    }

    /**
     * @return the ingress channel the worker talks to now (the first of the list before start).
     */
    public String ingressChannel()
    {
        final WorkerPoller p = poller;
        return null == p ? ctx.ingressChannel() : p.ingressChannel();
    }

    /**
     * @return how many times the worker moved on to the next ingress channel.
     */
    public long failovers()
    {
        final WorkerPoller p = poller;
        return null == p ? 0 : p.failovers();
    }

    /**
     * @return tasks held now: running, or their outcome not yet answered.
     */
    public int tasksInFlight()
    {
        final WorkerPoller p = poller;
        return null == p ? 0 : p.inFlightCount();
    }

    /**
     * @return tasks received since start.
     */
    public long tasksReceived()
    {
        return count(WorkerPoller.Count.RECEIVED);
    }

    /**
     * @return completions the engine accepted (ALREADY_COMMITTED for this lease included).
     */
    public long completionsAccepted()
    {
        return count(WorkerPoller.Count.ACCEPTED);
    }

    /**
     * @return failures the engine recorded.
     */
    public long failuresAccepted()
    {
        return count(WorkerPoller.Count.FAILED_ACCEPTED);
    }

    /**
     * @return outcomes the engine rejected.
     */
    public long outcomesRejected()
    {
        return count(WorkerPoller.Count.REJECTED);
    }

    /**
     * @return outcomes sent again because no answer came in time.
     */
    public long outcomesResent()
    {
        return count(WorkerPoller.Count.RESENT_OUTCOMES);
    }

    /**
     * @return heartbeats sent (liveness ones included).
     */
    public long heartbeatsSent()
    {
        return count(WorkerPoller.Count.HEARTBEATS);
    }

    /**
     * @return hellos sent.
     */
    public long hellosSent()
    {
        return count(WorkerPoller.Count.HELLOS);
    }

    /**
     * @return the settings, concluded once started.
     */
    public Context context()
    {
        return ctx;
    }

    private long count(final WorkerPoller.Count count)
    {
        final WorkerPoller p = poller;
        return null == p ? 0 : p.count(count);
    }

    /**
     * Leave gracefully: say goodbye (no more tasks), let the tasks held finish and their outcomes be answered within
     * the close timeout, say goodbye again, then stop the threads and the media driver. Tasks left at the deadline are
     * abandoned ({@link WorkerListener#onAbandoned}); their leases expire and they are dealt again. Idempotent.
     */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        final WorkerPoller p = poller;
        if (null != p)
        {
            p.requestClose(System.nanoTime());
            try
            {
                p.awaitDone(ctx.closeTimeoutMs + 5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        closeResources();
    }

    private void closeResources()
    {
        if (null != runner)
        {
            runner.close(); // closes the publication, the subscription and the client on the poller thread
        }
        else
        {
            CloseHelper.quietClose(aeron);
        }
        if (null != pool)
        {
            pool.shutdownNow();
            try
            {
                pool.awaitTermination(1, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        CloseHelper.quietClose(driver);
    }

    private String resolve(final Subscription subscription)
    {
        final ChannelUri uri = ChannelUri.parse(ctx.responseChannel);
        if (!uri.isUdp() || !uri.get("endpoint", "").endsWith(":0"))
        {
            return ctx.responseChannel;
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String resolved = subscription.tryResolveChannelEndpointPort();
            if (null != resolved)
            {
                return resolved;
            }
            if (null != driver.agentInvoker())
            {
                driver.agentInvoker().invoke();
            }
            aeron.conductorAgentInvoker().invoke();
            Thread.onSpinWait();
        }
        throw new IllegalStateException("the response channel " + ctx.responseChannel + " got no port within 10 s");
    }

    private ExecutorService taskPool()
    {
        final AtomicInteger next = new AtomicInteger();
        return new ThreadPoolExecutor(ctx.capacity, ctx.capacity, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> daemon(r, "axiom-worker-" + ctx.workerId + "-task-" + next.incrementAndGet()));
    }

    private static Thread daemon(final Runnable r, final String name)
    {
        final Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public String toString()
    {
        return "worker " + ctx.workerId + " (" + String.join(",", handlers.keySet()) + ", capacity " + ctx.capacity +
            ") -> " + String.join(" | ", ctx.ingressChannels);
    }

    /**
     * Settings of a worker; fluent, concluded once by {@link AxiomWorker#start()}.
     */
    public static final class Context
    {
        /** Where the engine listens by default. */
        public static final String INGRESS_CHANNEL_DEFAULT = WorkerEndpoint.Context.INGRESS_CHANNEL_DEFAULT;
        /** The engine's ingress stream by default. */
        public static final int INGRESS_STREAM_ID_DEFAULT = WorkerEndpoint.Context.INGRESS_STREAM_ID_DEFAULT;
        /** Where the engine answers over UDP by default: loopback, a port the system picks. */
        public static final String RESPONSE_CHANNEL_UDP_DEFAULT = "aeron:udp?endpoint=localhost:0";
        /** Most tasks one worker may hold at once (the engine's bound). */
        public static final int MAX_CAPACITY = 100_000;

        /** How long a worker goes without a Welcome before it tries the next ingress channel, by default. */
        public static final long FAILOVER_TIMEOUT_MS_DEFAULT = 3000;

        private List<String> ingressChannels = List.of(INGRESS_CHANNEL_DEFAULT);
        private long failoverTimeoutMs = FAILOVER_TIMEOUT_MS_DEFAULT;
        private int ingressStreamId = INGRESS_STREAM_ID_DEFAULT;
        private String responseChannel;
        private int responseStreamId;
        private long workerId;
        private int capacity = 1;
        private String aeronDirectoryName;
        private long heartbeatIntervalMs;
        private long helloIntervalMs = 1000;
        private long resendIntervalMs = 1000;
        private long closeTimeoutMs = 10_000;
        private IdleStrategy idleStrategy;
        private boolean inlineHandlers;
        private WorkerListener listener;
        private boolean concluded;

        /**
         * @param ingressChannel the engine's ingress (its {@code transport.ingress}); default
         *                       {@value #INGRESS_CHANNEL_DEFAULT}; {@code aeron:ipc} for an engine in this process.
         * @return this for a fluent API.
         */
        public Context ingressChannel(final String ingressChannel)
        {
            this.ingressChannels = null == ingressChannel ? null : List.of(ingressChannel);
            return this;
        }

        /**
         * @return the engine's ingress channel: the first of {@link #ingressChannels()}.
         */
        public String ingressChannel()
        {
            return null == ingressChannels || ingressChannels.isEmpty() ? null : ingressChannels.get(0);
        }

        /**
         * @param ingressChannels the ingress of every member of a replicated engine, tried in this order, round-robin:
         *                        the worker moves on to the next when the one it talks to gives no Welcome within the
         *                        {@link #failoverTimeoutMs(long) failover timeout}. All IPC or all UDP.
         * @return this for a fluent API.
         */
        public Context ingressChannels(final List<String> ingressChannels)
        {
            this.ingressChannels = null == ingressChannels ? null : List.copyOf(ingressChannels);
            return this;
        }

        /**
         * @return the ingress channels, in the order they are tried.
         */
        public List<String> ingressChannels()
        {
            return ingressChannels;
        }

        /**
         * @param failoverTimeoutMs how long the worker goes without a Welcome (since it started, lost its connection
         *                          or moved on) before it tries the next ingress channel; default
         *                          {@value #FAILOVER_TIMEOUT_MS_DEFAULT}. Only used with several channels.
         * @return this for a fluent API.
         */
        public Context failoverTimeoutMs(final long failoverTimeoutMs)
        {
            this.failoverTimeoutMs = failoverTimeoutMs;
            return this;
        }

        /**
         * @return how long without a Welcome before the next ingress channel is tried.
         */
        public long failoverTimeoutMs()
        {
            return failoverTimeoutMs;
        }

        /**
         * @param ingressStreamId the engine's ingress stream (its {@code transport.ingress-stream-id}).
         * @return this for a fluent API.
         */
        public Context ingressStreamId(final int ingressStreamId)
        {
            this.ingressStreamId = ingressStreamId;
            return this;
        }

        /**
         * @return the engine's ingress stream.
         */
        public int ingressStreamId()
        {
            return ingressStreamId;
        }

        /**
         * @param responseChannel where the engine answers; default {@value #RESPONSE_CHANNEL_UDP_DEFAULT} (an
         *                        ephemeral port), or {@code aeron:ipc} when the ingress is IPC. Name an address the
         *                        engine can reach when it runs on another machine.
         * @return this for a fluent API.
         */
        public Context responseChannel(final String responseChannel)
        {
            this.responseChannel = responseChannel;
            return this;
        }

        /**
         * @return where the engine answers (as configured; {@link AxiomWorker#responseChannel()} has the port).
         */
        public String responseChannel()
        {
            return responseChannel;
        }

        /**
         * @param responseStreamId the stream the engine answers on; default 1002 over UDP and a random one over IPC
         *                         (IPC streams are shared by every subscriber of the driver).
         * @return this for a fluent API.
         */
        public Context responseStreamId(final int responseStreamId)
        {
            this.responseStreamId = responseStreamId;
            return this;
        }

        /**
         * @return the stream the engine answers on.
         */
        public int responseStreamId()
        {
            return responseStreamId;
        }

        /**
         * @param workerId this worker's id, unique among live workers; default a random one.
         * @return this for a fluent API.
         */
        public Context workerId(final long workerId)
        {
            this.workerId = workerId;
            return this;
        }

        /**
         * @return this worker's id.
         */
        public long workerId()
        {
            return workerId;
        }

        /**
         * @param capacity tasks run at once (the task pool's threads, the credits the engine deals against);
         *                 default 1.
         * @return this for a fluent API.
         */
        public Context capacity(final int capacity)
        {
            this.capacity = capacity;
            return this;
        }

        /**
         * @return tasks run at once.
         */
        public int capacity()
        {
            return capacity;
        }

        /**
         * @param aeronDirectoryName a running media driver to use; null (the default) runs one embedded.
         * @return this for a fluent API.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * @return the external media driver's directory, or null.
         */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * @param heartbeatIntervalMs time between heartbeats; 0 (the default) is a third of the lease the engine's
         *                            Welcome announces.
         * @return this for a fluent API.
         */
        public Context heartbeatIntervalMs(final long heartbeatIntervalMs)
        {
            this.heartbeatIntervalMs = heartbeatIntervalMs;
            return this;
        }

        /**
         * @return time between heartbeats, 0 for a third of the lease.
         */
        public long heartbeatIntervalMs()
        {
            return heartbeatIntervalMs;
        }

        /**
         * @param helloIntervalMs time between hellos (and goodbyes) not yet answered; default 1000.
         * @return this for a fluent API.
         */
        public Context helloIntervalMs(final long helloIntervalMs)
        {
            this.helloIntervalMs = helloIntervalMs;
            return this;
        }

        /**
         * @return time between unanswered hellos.
         */
        public long helloIntervalMs()
        {
            return helloIntervalMs;
        }

        /**
         * @param resendIntervalMs time after which an unanswered outcome is sent again (and the worker says hello again,
         *                         in case the engine restarted); default 1000, and at most a quarter of the lease.
         * @return this for a fluent API.
         */
        public Context resendIntervalMs(final long resendIntervalMs)
        {
            this.resendIntervalMs = resendIntervalMs;
            return this;
        }

        /**
         * @return time after which an unanswered outcome is sent again.
         */
        public long resendIntervalMs()
        {
            return resendIntervalMs;
        }

        /**
         * @param closeTimeoutMs how long {@link AxiomWorker#close()} lets held tasks finish and be answered;
         *                       default 10000.
         * @return this for a fluent API.
         */
        public Context closeTimeoutMs(final long closeTimeoutMs)
        {
            this.closeTimeoutMs = closeTimeoutMs;
            return this;
        }

        /**
         * @return how long close lets held tasks finish.
         */
        public long closeTimeoutMs()
        {
            return closeTimeoutMs;
        }

        /**
         * @param idleStrategy of the poller thread; default backing off to 1 ms parks.
         * @return this for a fluent API.
         */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * @param inlineHandlers true to run every handler on the poller thread, as its TaskAssigned arrives, instead
         *                       of on a pool of {@code capacity} threads: no hand-over between threads, for handlers
         *                       that return in microseconds and never block (pricing, a check against memory). While
         *                       a handler runs the worker neither reads frames nor heartbeats, so a handler that may
         *                       block must not run inline. Default false.
         * @return this for a fluent API.
         */
        public Context inlineHandlers(final boolean inlineHandlers)
        {
            this.inlineHandlers = inlineHandlers;
            return this;
        }

        /**
         * @return true when handlers run on the poller thread.
         */
        public boolean inlineHandlers()
        {
            return inlineHandlers;
        }

        /**
         * @return the idle strategy of the agent's thread (after launch: the default when none was given).
         */
        public IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * @param listener hears connection changes and the engine's verdict on each task; default none.
         * @return this for a fluent API.
         */
        public Context listener(final WorkerListener listener)
        {
            this.listener = listener;
            return this;
        }

        /**
         * @return the listener.
         */
        public WorkerListener listener()
        {
            return listener;
        }

        /**
         * Validate and fill in defaults; runs once.
         *
         * @return this for a fluent API.
         * @throws IllegalArgumentException naming the setting that is wrong.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            if (null == ingressChannels || ingressChannels.isEmpty())
            {
                throw new IllegalArgumentException("at least one ingress channel is needed");
            }
            for (final String channel : ingressChannels)
            {
                WorkerEndpoint.Context.checkChannel("ingress channel", channel);
            }
            final boolean ipc = ChannelUri.parse(ingressChannels.get(0)).isIpc();
            for (final String channel : ingressChannels)
            {
                if (ChannelUri.parse(channel).isIpc() != ipc)
                {
                    throw new IllegalArgumentException("the ingress channels must be all IPC or all UDP: " +
                        ingressChannels);
                }
            }
            if (null == responseChannel)
            {
                responseChannel = ipc ? "aeron:ipc" : RESPONSE_CHANNEL_UDP_DEFAULT;
            }
            WorkerEndpoint.Context.checkChannel("response channel", responseChannel);
            if (0 == responseStreamId)
            {
                responseStreamId = ChannelUri.parse(responseChannel).isIpc() ?
                    ThreadLocalRandom.current().nextInt(1 << 20, Integer.MAX_VALUE) :
                    WorkerEndpoint.Context.RESPONSE_STREAM_ID_DEFAULT;
            }
            if (0 == ingressStreamId)
            {
                throw new IllegalArgumentException("the ingress stream id must not be 0");
            }
            if (0 == workerId)
            {
                workerId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            }
            if (capacity < 1 || capacity > MAX_CAPACITY)
            {
                throw new IllegalArgumentException("capacity must be between 1 and " + MAX_CAPACITY + ", got " +
                    capacity);
            }
            if (failoverTimeoutMs <= 0)
            {
                throw new IllegalArgumentException("the failover timeout must be positive, got " + failoverTimeoutMs);
            }
            if (heartbeatIntervalMs < 0 || helloIntervalMs <= 0 || resendIntervalMs <= 0 || closeTimeoutMs < 0)
            {
                throw new IllegalArgumentException("intervals must be positive (heartbeat " + heartbeatIntervalMs +
                    ", hello " + helloIntervalMs + ", resend " + resendIntervalMs + ", close " + closeTimeoutMs + ")");
            }
            if (null == idleStrategy)
            {
                idleStrategy = EmbeddedDriver.Context.backoff();
            }
            if (null == listener)
            {
                listener = new WorkerListener()
                {
                };
            }
            concluded = true;
            return this;
        }
    }
}
