package io.axiom.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.axiom.worker.AxiomWorker;
import org.agrona.CloseHelper;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * An endpoint in front of a {@link FakeEngine}, on its own embedded driver, over IPC or UDP loopback, and the workers
 * a test starts against it; everything closed (drivers' directories deleted) at the end.
 */
final class Rig implements AutoCloseable
{
    enum Medium
    {
        IPC, UDP
    }

    static final long TIMEOUT_MS = 15_000;

    final Medium medium;
    final EmbeddedDriver driver;
    final String ingress;
    final long leaseMs;
    private final Consumer<WorkerEndpoint.Context> tweak;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    FakeEngine engine;
    WorkerEndpoint endpoint;

    Rig(final Medium medium, final long leaseMs, final Consumer<WorkerEndpoint.Context> tweak)
    {
        this.medium = medium;
        this.leaseMs = leaseMs;
        this.tweak = tweak;
        // over UDP the endpoint invokes its driver itself (as the server does); over IPC the driver has its own thread
        this.driver = EmbeddedDriver.launch(new EmbeddedDriver.Context().agentInvoker(Medium.UDP == medium));
        this.ingress = Medium.IPC == medium ? "aeron:ipc" : "aeron:udp?endpoint=localhost:" + freeUdpPort();
        startEndpoint();
    }

    Rig(final Medium medium)
    {
        this(medium, 30_000, ctx -> { });
    }

    void startEndpoint()
    {
        engine = new FakeEngine(leaseMs);
        final WorkerEndpoint.Context ctx = new WorkerEndpoint.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .driverAgentInvoker(driver.agentInvoker())
            .ingressChannel(ingress)
            .inbox(engine);
        tweak.accept(ctx);
        endpoint = WorkerEndpoint.launch(ctx);
    }

    void stopEndpoint()
    {
        endpoint.close();
        engine.close();
    }

    /**
     * @return a worker context pointed at this endpoint: over IPC on the endpoint's driver, over UDP with a driver of
     * its own (as a separate process would have).
     */
    AxiomWorker.Context workerContext()
    {
        final AxiomWorker.Context ctx = new AxiomWorker.Context().ingressChannel(ingress);
        if (Medium.IPC == medium)
        {
            ctx.aeronDirectoryName(driver.aeronDirectoryName());
        }
        return ctx;
    }

    <T extends AutoCloseable> T closeAtEnd(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }

    /**
     * @return a raw worker on the endpoint's driver, answered on a response channel of its own.
     */
    RawWorker rawWorker(final String responseParams)
    {
        final String response = Medium.IPC == medium ? "aeron:ipc" + responseParams :
            "aeron:udp?endpoint=localhost:" + freeUdpPort() + responseParams.replace('?', '|');
        final int stream = Medium.IPC == medium ? 5000 + closeables.size() : 1002;
        return closeAtEnd(new RawWorker(driver.aeronDirectoryName(), ingress, endpoint.context().ingressStreamId(),
            response, stream));
    }

    @Override
    public void close()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        CloseHelper.quietCloseAll(endpoint, engine, driver);
    }

    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out after " + TIMEOUT_MS + " ms waiting for " + what);
            }
            try
            {
                Thread.sleep(2);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /**
     * @return a UDP port free on loopback now (an Aeron endpoint must be named, it cannot be ephemeral for the
     * side that has to know it).
     */
    static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
