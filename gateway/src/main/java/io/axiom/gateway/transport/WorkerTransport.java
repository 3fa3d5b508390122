package io.axiom.gateway.transport;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.aeron.exceptions.AeronException;
import io.axiom.core.Engine;
import io.axiom.gateway.StartupException;
import io.axiom.gateway.config.AxiomConfig;
import io.axiom.transport.EmbeddedDriver;
import io.axiom.transport.WakeableIdleStrategy;
import io.axiom.transport.EndpointCounters;
import io.axiom.transport.FrameFaults;
import io.axiom.transport.WorkerEndpoint;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;

/**
 * Workers over Aeron in a server: the media driver (embedded, or the external one {@code transport.aeron-dir} names)
 * and the {@link WorkerEndpoint} on {@code transport.ingress}, wired to the engine's ring by a {@link RingInbox}. The
 * embedded driver has no thread of its own: the endpoint's thread invokes it, so that an idle server wakes once a
 * millisecond for Aeron, not twice.
 * Started after the engine, closed before it (endpoint first, then the driver), so that nothing reaches a closing
 * engine and the engine's last answers find a closed connection rather than an unmapped buffer.
 */
public final class WorkerTransport implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("axiom.workers");
    private static final long DROP_WAIT_MS = 2_000;
    private static final long EOS_LINGER_MS = 500;

    private final AxiomConfig config;
    private final RingInbox inbox;
    private final FrameFaults faults;
    private volatile EmbeddedDriver driver;
    private volatile WorkerEndpoint endpoint;
    private volatile boolean closed;
    private long restarts;
    private long openedBefore;

    private WorkerTransport(final AxiomConfig config, final RingInbox inbox, final FrameFaults faults)
    {
        this.config = config;
        this.inbox = inbox;
        this.faults = faults;
    }

    /**
     * @param engine the launched engine (recovering or ready: frames wait on the ring until it is).
     * @param config effective configuration: the transport keys, and the lease after which a silent worker is
     *               taken for gone.
     * @return the running transport, or null when {@code transport.enabled} is false.
     * @throws StartupException when the driver cannot be used or the ingress cannot be bound.
     */
    public static WorkerTransport start(final Engine engine, final AxiomConfig config)
    {
        return start(engine, config, null);
    }

    /**
     * @param engine the launched engine (recovering or ready: frames wait on the ring until it is).
     * @param config effective configuration.
     * @param faults the chaos seam on the endpoint's frames, or null (always, unless chaos is enabled).
     * @return the running transport, or null when {@code transport.enabled} is false.
     * @throws StartupException when the driver cannot be used or the ingress cannot be bound.
     */
    public static WorkerTransport start(final Engine engine, final AxiomConfig config, final FrameFaults faults)
    {
        if (!config.transportEnabled())
        {
            return null;
        }
        try
        {
            WorkerEndpoint.Context.checkChannel("transport.ingress", config.transportIngress());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new StartupException(2, ex.getMessage(), ex);
        }
        final WorkerTransport transport = new WorkerTransport(config, new RingInbox(engine.ring()), faults);
        transport.launch();
        return transport;
    }

    /**
     * Start the media driver and the endpoint.
     */
    private void launch()
    {
        final String ingress = config.transportIngress();
        final DriverErrors driverErrors = new DriverErrors();
        final EmbeddedDriver driver;
        try
        {
            driver = EmbeddedDriver.launch(new EmbeddedDriver.Context()
                .aeronDirectoryName(config.transportAeronDir())
                .agentInvoker(true)
                .errorHandler(driverErrors));
        }
        catch (final RuntimeException ex)
        {
            throw new StartupException(config.transportAeronDir().isEmpty() ? 1 : 2,
                "cannot start the Aeron media driver for workers: " + ex.getMessage() +
                " (set transport.aeron-dir to a running driver, or --transport.enabled=false to run without " +
                "Aeron workers)", ex);
        }
        try
        {
            final WorkerEndpoint endpoint = WorkerEndpoint.launch(new WorkerEndpoint.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .driverAgentInvoker(driver.agentInvoker())
                .ingressChannel(ingress)
                .ingressStreamId(config.transportIngressStreamId())
                .idleStrategy(new WakeableIdleStrategy(TimeUnit.MICROSECONDS.toNanos(config.transportMaxParkUs())))
                .workerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.leaseDurationMs()))
                .frameFaults(faults)
                .inbox(inbox)
                .errorHandler(ex -> LOG.log(System.Logger.Level.ERROR, "worker endpoint: " + ex, ex)));
            driverErrors.started = true;
            this.driver = driver;
            this.endpoint = endpoint;
        }
        catch (final AeronException ex)
        {
            CloseHelper.quietClose(driver);
            throw new StartupException(1, "cannot receive workers on " + ingress + " (transport.ingress): " +
                reason(ex) + "; choose another with --ingress aeron:udp?endpoint=HOST:PORT, or run without Aeron " +
                "workers with --transport.enabled=false", ex);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    /**
     * Stop the endpoint and the media driver and start them again on the same ingress, as a crash of Aeron's side of
     * the server would (fault injection: chaos's {@code process_kill}). Every worker connection is dropped first, so
     * that the engine is told goodbye for each and deals them nothing more; the workers see the engine's answers
     * stop and say hello again to the new endpoint. Their leases run on: a completion is judged by its token.
     */
    public synchronized void restart()
    {
        if (closed)
        {
            return;
        }
        final WorkerEndpoint old = endpoint;
        old.drain();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DROP_WAIT_MS);
        while (old.connectionCount() > 0 && System.nanoTime() < deadline)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        // The embedded driver runs on the endpoint's thread: keep it running a moment so that the closed response
        // publications send their end of stream, and the workers see the engine's answers stop at once instead of
        // after Aeron's image liveness timeout (10 s).
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(EOS_LINGER_MS));
        openedBefore += old.counters().connectionsOpened();
        CloseHelper.quietCloseAll(old, driver);
        launch();
        restarts++;
    }

    /**
     * @return worker connections opened since start, over every endpoint (a restart starts a new one).
     */
    public synchronized long connectionsOpened()
    {
        return openedBefore + endpoint.counters().connectionsOpened();
    }

    /**
     * @return how many times {@link #restart()} ran.
     */
    public synchronized long restarts()
    {
        return restarts;
    }

    /**
     * The driver's errors, printed once the transport runs; while it starts, an error that matters reaches the
     * launch as an exception and is reported once, as the reason the server does not start.
     */
    private static final class DriverErrors implements ErrorHandler
    {
        volatile boolean started;

        @Override
        public void onError(final Throwable ex)
        {
            if (started)
            {
                LOG.log(System.Logger.Level.ERROR, "Aeron media driver: " + ex.getMessage(), ex);
            }
        }
    }

    private static String reason(final AeronException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        if (message.contains("Address already in use"))
        {
            return "the address is in use (another server, or a worker's driver, holds it)";
        }
        return message.replace("ERROR - ", "");
    }

    /**
     * @return one line for the start-up output: where workers connect.
     */
    public String describe()
    {
        return "workers over Aeron: ingress " + endpoint.context().ingressChannel() + " stream " +
            endpoint.context().ingressStreamId() + " (" + driver + ")";
    }

    /**
     * @return the endpoint (its counters, its connections).
     */
    public WorkerEndpoint endpoint()
    {
        return endpoint;
    }

    /**
     * @return the media driver.
     */
    public EmbeddedDriver driver()
    {
        return driver;
    }

    /**
     * @return every counter of the endpoint and of the ring inbox, by name.
     */
    public Map<String, Long> counters()
    {
        final EndpointCounters endpointCounters = endpoint.counters();
        final Map<String, Long> all = new LinkedHashMap<>(endpointCounters.snapshot());
        all.put("ring_full", inbox.ringFull.get());
        all.put("outputs_refused_not_json", inbox.outputsRefused.get());
        all.put("replies_not_wire", inbox.repliesNotWire.get());
        all.put("connections_open", (long)endpoint.connectionCount());
        return all;
    }

    /**
     * Close the endpoint (every worker connection, the ingress), then the media driver. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        closed = true;
        CloseHelper.quietCloseAll(endpoint, driver);
    }
}
