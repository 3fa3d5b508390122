package io.axiom.transport;

import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The engine's side of the worker protocol over Aeron: one subscription on the ingress channel that every worker
 * publishes to, and one {@link WorkerConnection} per worker that said hello, through which the engine's answers and
 * dispatches leave. Run by its own {@link AgentRunner} (thread {@code axiom-worker-endpoint}) with a backing-off
 * idle strategy; the Aeron client's conductor is invoked from the same duty cycle, and so is the embedded media
 * driver's agent when it has no thread of its own ({@link Context#driverAgentInvoker(AgentInvoker)}).
 * <p>
 * Frames are checked here ({@link WireFrames}) and handed to the {@link EngineInbox}; see {@link EndpointAgent} for
 * what happens to each kind of frame and to workers that go away.
 */
public final class WorkerEndpoint implements AutoCloseable
{
    private final Context ctx;
    private final EndpointAgent agent;
    private final AgentRunner runner;

    private WorkerEndpoint(final Context ctx, final EndpointAgent agent, final AgentRunner runner)
    {
        this.ctx = ctx;
        this.agent = agent;
        this.runner = runner;
    }

    /**
     * Connect to the media driver, subscribe to the ingress channel and start the agent. The subscription is made
     * before this returns, so an ingress that cannot be bound (an address in use) fails here.
     *
     * @param ctx the settings; concluded here.
     * @return the running endpoint.
     * @throws IllegalArgumentException for an unusable setting.
     * @throws AeronException when the driver does not answer or refuses the ingress subscription.
     */
    public static WorkerEndpoint launch(final Context ctx)
    {
        ctx.conclude();
        final Aeron aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .useConductorAgentInvoker(true)
            .driverAgentInvoker(ctx.driverAgentInvoker)
            .errorHandler(ctx.errorHandler)
            .clientName("axiom-worker-endpoint")
            .closeLingerDurationNs(TimeUnit.MILLISECONDS.toNanos(50)));
        final EndpointAgent agent;
        try
        {
            agent = new EndpointAgent(ctx, aeron);
            final Subscription subscription = aeron.addSubscription(ctx.ingressChannel, ctx.ingressStreamId,
                agent::onImageAvailable, agent::onImageUnavailable);
            agent.subscription(subscription);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            throw ex;
        }
        final AgentRunner runner = new AgentRunner(ctx.idleStrategy, ctx.errorHandler, null, agent);
        AgentRunner.startOnThread(runner, r ->
        {
            final Thread thread = new Thread(r, "axiom-worker-endpoint");
            thread.setDaemon(true);
            return thread;
        });
        return new WorkerEndpoint(ctx, agent, runner);
    }

    /**
     * @return the settings, concluded.
     */
    public Context context()
    {
        return ctx;
    }

    /**
     * @return what the endpoint did so far.
     */
    public EndpointCounters counters()
    {
        return agent.counters();
    }

    /**
     * Drop every worker connection on the endpoint's next duty cycle, as if each worker had gone: its response
     * publication closes (the worker sees the engine's answers stop and says hello again) and the engine is told
     * goodbye on its behalf. For fault injection; from any thread.
     */
    public void dropConnections()
    {
        agent.requestDropConnections();
    }

    /**
     * Stop taking workers before a close: hellos are dropped from now on (the workers say hello again, to whatever
     * listens next on the ingress) and every connection is dropped as by {@link #dropConnections()}. From any thread.
     */
    public void drain()
    {
        agent.requestDrain();
    }

    /**
     * @return worker connections open now.
     */
    public int connectionCount()
    {
        return agent.connectionCount();
    }

    /**
     * Stop the agent: close every connection, the subscription and the Aeron client. Frames the engine sends to a
     * connection afterwards are dropped. Close the endpoint before the media driver, and before the engine.
     */
    @Override
    public void close()
    {
        runner.close();
    }

    @Override
    public String toString()
    {
        return "worker endpoint on " + ctx.ingressChannel + " stream " + ctx.ingressStreamId;
    }

    /**
     * Settings of the endpoint; fluent, concluded once by {@link WorkerEndpoint#launch(Context)}.
     */
    public static final class Context
    {
        /** Where workers send their frames by default: UDP on loopback. */
        public static final String INGRESS_CHANNEL_DEFAULT = "aeron:udp?endpoint=localhost:40123";
        /** The ingress stream by default. */
        public static final int INGRESS_STREAM_ID_DEFAULT = 1001;
        /** The stream a worker receives on when its hello names stream 0. */
        public static final int RESPONSE_STREAM_ID_DEFAULT = 1002;
        /** Default bytes of one connection's backlog (a power of two): the largest queued frame is an eighth. */
        public static final int BACKLOG_CAPACITY_DEFAULT = 4 * 1024 * 1024;
        /** Default silence after which a worker is taken for gone: the engine's default lease. */
        public static final long WORKER_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(30);
        /** Default time a new connection's response publication has to connect. */
        public static final long CONNECT_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(5);
        /** Default most worker connections at once. */
        public static final int MAX_CONNECTIONS_DEFAULT = 1024;

        private String aeronDirectoryName;
        private String ingressChannel = INGRESS_CHANNEL_DEFAULT;
        private int ingressStreamId = INGRESS_STREAM_ID_DEFAULT;
        private int responseStreamIdDefault = RESPONSE_STREAM_ID_DEFAULT;
        private EngineInbox inbox;
        private IdleStrategy idleStrategy;
        private FrameFaults frameFaults;
        private ErrorHandler errorHandler;
        private NanoClock nanoClock;
        private long workerTimeoutNs = WORKER_TIMEOUT_NS_DEFAULT;
        private long connectTimeoutNs = CONNECT_TIMEOUT_NS_DEFAULT;
        private int backlogCapacity = BACKLOG_CAPACITY_DEFAULT;
        private int maxConnections = MAX_CONNECTIONS_DEFAULT;
        private int fragmentLimit = 64;
        private AgentInvoker driverAgentInvoker;
        private boolean concluded;

        /**
         * @param aeronDirectoryName of the media driver ({@link EmbeddedDriver#aeronDirectoryName()}); required.
         * @return this for a fluent API.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * @return the media driver's directory.
         */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * @param ingressChannel where workers send their frames, an Aeron UDP or IPC channel; default
         *                       {@value #INGRESS_CHANNEL_DEFAULT}.
         * @return this for a fluent API.
         */
        public Context ingressChannel(final String ingressChannel)
        {
            this.ingressChannel = ingressChannel;
            return this;
        }

        /**
         * @return where workers send their frames.
         */
        public String ingressChannel()
        {
            return ingressChannel;
        }

        /**
         * @param ingressStreamId the ingress stream; default {@value #INGRESS_STREAM_ID_DEFAULT}.
         * @return this for a fluent API.
         */
        public Context ingressStreamId(final int ingressStreamId)
        {
            this.ingressStreamId = ingressStreamId;
            return this;
        }

        /**
         * @return the ingress stream.
         */
        public int ingressStreamId()
        {
            return ingressStreamId;
        }

        /**
         * @param responseStreamIdDefault the stream answered on when a hello names stream 0; default
         *                                {@value #RESPONSE_STREAM_ID_DEFAULT}.
         * @return this for a fluent API.
         */
        public Context responseStreamIdDefault(final int responseStreamIdDefault)
        {
            this.responseStreamIdDefault = responseStreamIdDefault;
            return this;
        }

        /**
         * @return the stream answered on when a hello names stream 0.
         */
        public int responseStreamIdDefault()
        {
            return responseStreamIdDefault;
        }

        /**
         * @param inbox where well-formed frames go; required.
         * @return this for a fluent API.
         */
        public Context inbox(final EngineInbox inbox)
        {
            this.inbox = inbox;
            return this;
        }

        /**
         * @return where well-formed frames go.
         */
        public EngineInbox inbox()
        {
            return inbox;
        }

        /**
         * @param idleStrategy of the endpoint's thread; default {@link EmbeddedDriver.Context#backoff()}.
         * @return this for a fluent API.
         */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * @param frameFaults chaos seam that may drop or delay frames in both directions; null (the default) for none.
         * @return this for a fluent API.
         */
        public Context frameFaults(final FrameFaults frameFaults)
        {
            this.frameFaults = frameFaults;
            return this;
        }

        /**
         * @return the chaos seam, or null.
         */
        public FrameFaults frameFaults()
        {
            return frameFaults;
        }

        /**
         * @return the idle strategy of the agent's thread (after launch: the default when none was given).
         */
        public IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * @param errorHandler for unexpected errors (the endpoint goes on); default prints to stderr.
         * @return this for a fluent API.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * @param nanoClock the endpoint's clock for timeouts; default the system's.
         * @return this for a fluent API.
         */
        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        /**
         * @return the endpoint's clock.
         */
        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        /**
         * @param workerTimeoutNs a worker that sends nothing (workers heartbeat a third of a lease apart) for this long
         *                        is taken for gone: a WorkerGoodbye is offered for it; default 30 s, the default lease.
         * @return this for a fluent API.
         */
        public Context workerTimeoutNs(final long workerTimeoutNs)
        {
            this.workerTimeoutNs = workerTimeoutNs;
            return this;
        }

        /**
         * @return the silence after which a worker is taken for gone.
         */
        public long workerTimeoutNs()
        {
            return workerTimeoutNs;
        }

        /**
         * @param connectTimeoutNs how long a new connection's response publication has to connect; default 5 s.
         * @return this for a fluent API.
         */
        public Context connectTimeoutNs(final long connectTimeoutNs)
        {
            this.connectTimeoutNs = connectTimeoutNs;
            return this;
        }

        /**
         * @return how long a new connection has to connect.
         */
        public long connectTimeoutNs()
        {
            return connectTimeoutNs;
        }

        /**
         * @param backlogCapacity bytes of one connection's backlog, a power of two of at least 64 KiB (allocated when
         *                        first needed); a frame larger than an eighth of it is dropped rather than queued.
         * @return this for a fluent API.
         */
        public Context backlogCapacity(final int backlogCapacity)
        {
            this.backlogCapacity = backlogCapacity;
            return this;
        }

        /**
         * @return bytes of one connection's backlog.
         */
        public int backlogCapacity()
        {
            return backlogCapacity;
        }

        /**
         * @param maxConnections most worker connections at once; hellos beyond are dropped and counted.
         * @return this for a fluent API.
         */
        public Context maxConnections(final int maxConnections)
        {
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * @return most worker connections at once.
         */
        public int maxConnections()
        {
            return maxConnections;
        }

        /**
         * @param fragmentLimit most fragments read from the ingress in one duty cycle.
         * @return this for a fluent API.
         */
        public Context fragmentLimit(final int fragmentLimit)
        {
            this.fragmentLimit = fragmentLimit;
            return this;
        }

        /**
         * @return most fragments read in one duty cycle.
         */
        public int fragmentLimit()
        {
            return fragmentLimit;
        }

        /**
         * @param driverAgentInvoker the embedded driver's agent ({@link EmbeddedDriver#agentInvoker()}) for the
         *                           endpoint to invoke in its duty cycle, or null when the driver runs its own
         *                           thread; the endpoint is then the only one that invokes it.
         * @return this for a fluent API.
         */
        public Context driverAgentInvoker(final AgentInvoker driverAgentInvoker)
        {
            this.driverAgentInvoker = driverAgentInvoker;
            return this;
        }

        /**
         * @return the driver's agent the endpoint invokes, or null.
         */
        public AgentInvoker driverAgentInvoker()
        {
            return driverAgentInvoker;
        }

        /**
         * @return the endpoint's error handler.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
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
            if (null == aeronDirectoryName || aeronDirectoryName.isBlank())
            {
                throw new IllegalArgumentException("the worker endpoint needs the media driver's aeron directory");
            }
            if (null == inbox)
            {
                throw new IllegalArgumentException("the worker endpoint needs an inbox to hand frames to");
            }
            checkChannel("ingress channel", ingressChannel);
            if (0 == ingressStreamId || 0 == responseStreamIdDefault)
            {
                throw new IllegalArgumentException("stream ids must not be 0 (ingress " + ingressStreamId +
                    ", response default " + responseStreamIdDefault + ")");
            }
            if (workerTimeoutNs <= 0 || connectTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("timeouts must be positive (worker " + workerTimeoutNs +
                    " ns, connect " + connectTimeoutNs + " ns)");
            }
            if (backlogCapacity < 64 * 1024 || Integer.bitCount(backlogCapacity) != 1)
            {
                throw new IllegalArgumentException("backlog capacity must be a power of two of at least 64 KiB, got " +
                    backlogCapacity);
            }
            if (maxConnections < 1 || fragmentLimit < 1)
            {
                throw new IllegalArgumentException("maxConnections and fragmentLimit must be positive");
            }
            if (null == idleStrategy)
            {
                idleStrategy = EmbeddedDriver.Context.backoff();
            }
            if (null == errorHandler)
            {
                errorHandler = ex -> System.err.println("axiom: worker endpoint error: " + ex);
            }
            if (null == nanoClock)
            {
                nanoClock = SystemNanoClock.INSTANCE;
            }
            concluded = true;
            return this;
        }

        /**
         * @param what    the setting, for the message.
         * @param channel an Aeron channel.
         * @throws IllegalArgumentException unless it is a UDP or IPC channel Aeron can parse.
         */
        public static void checkChannel(final String what, final String channel)
        {
            final ChannelUri uri;
            try
            {
                uri = ChannelUri.parse(channel);
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalArgumentException(what + " '" + channel + "' is not an Aeron channel (" +
                    ex.getMessage() + "); e.g. aeron:udp?endpoint=localhost:40123 or aeron:ipc", ex);
            }
            if (!uri.isUdp() && !uri.isIpc())
            {
                throw new IllegalArgumentException(what + " '" + channel + "' must be aeron:udp or aeron:ipc");
            }
            if (uri.isUdp() && null == uri.get("endpoint"))
            {
                throw new IllegalArgumentException(what + " '" + channel + "' needs an endpoint=HOST:PORT");
            }
        }
    }
}
