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
    private final EmbeddedDriver driver;
    private final WorkerEndpoint endpoint;
    private final RingInbox inbox;

    private WorkerTransport(final EmbeddedDriver driver, final WorkerEndpoint endpoint, final RingInbox inbox)
    {
        this.driver = driver;
        this.endpoint = endpoint;
        this.inbox = inbox;
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
        if (!config.transportEnabled())
        {
            return null;
        }
        final String ingress = config.transportIngress();
        try
        {
            WorkerEndpoint.Context.checkChannel("transport.ingress", ingress);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new StartupException(2, ex.getMessage(), ex);
        }
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
        final RingInbox inbox = new RingInbox(engine.ring());
        try
        {
            final WorkerEndpoint endpoint = WorkerEndpoint.launch(new WorkerEndpoint.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .driverAgentInvoker(driver.agentInvoker())
                .ingressChannel(ingress)
                .ingressStreamId(config.transportIngressStreamId())
                .idleStrategy(new WakeableIdleStrategy(TimeUnit.MICROSECONDS.toNanos(config.transportMaxParkUs())))
                .workerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.leaseDurationMs()))
                .inbox(inbox)
                .errorHandler(ex -> System.err.println("axiom: worker endpoint: " + ex)));
            driverErrors.started = true;
            return new WorkerTransport(driver, endpoint, inbox);
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
                System.err.println("axiom: Aeron media driver: " + ex.getMessage());
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
    public void close()
    {
        CloseHelper.quietCloseAll(endpoint, driver);
    }
}
