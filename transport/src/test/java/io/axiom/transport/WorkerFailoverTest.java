package io.axiom.transport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.axiom.wire.TaskCompletedDecoder;
import io.axiom.wire.WorkerHelloDecoder;
import io.axiom.worker.AxiomWorker;
import io.axiom.worker.Task;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.axiom.transport.Rig.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker given two engines' ingress channels: when the one it talks to stops (its endpoint and the driver thread
 * behind it gone, as in a crash: no end of stream reaches the worker), the worker fails over to the other, and sends
 * it the outcome it held (found out at once: the outcome goes unanswered) or, idle, says hello there once the
 * publication to the silent engine disconnects.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerFailoverTest
{
    @Test
    void aWorkerMovesToTheNextIngressWhenItsEngineGoesSilent() throws Exception
    {
        final Rig first = new Rig(Rig.Medium.UDP);
        final Rig second = new Rig(Rig.Medium.UDP);
        try
        {
            final WorkerEndpointTest.Heard heard = new WorkerEndpointTest.Heard();
            final CountDownLatch holding = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final AxiomWorker worker = first.closeAtEnd(AxiomWorker.create(new AxiomWorker.Context()
                    .ingressChannels(List.of(first.ingress, second.ingress))
                    .failoverTimeoutMs(500)
                    .helloIntervalMs(100)
                    .resendIntervalMs(300)
                    .workerId(7)
                    .capacity(2)
                    .listener(heard))
                .handler("SHIP", task ->
                {
                    if (task.inputAsString().contains("hold"))
                    {
                        holding.countDown();
                        assertTrue(release.await(20, TimeUnit.SECONDS));
                    }
                    return "{\"shipped\":" + task.inputAsString() + "}";
                })
                .start());
            assertTrue(worker.awaitConnected(Duration.ofSeconds(15)), "welcomed by the first engine");
            assertEquals(first.ingress, worker.ingressChannel());

            first.engine.deal("SHIP", "{\"n\":1}");
            await("the first completion accepted", () -> 1 == heard.accepted.size());

            first.engine.deal("SHIP", "{\"hold\":2}");
            assertTrue(holding.await(15, TimeUnit.SECONDS), "the second task runs");
            final long stoppedNs = System.nanoTime();
            first.stopEndpoint();
            release.countDown();

            await("the held completion accepted by the second engine", () -> 2 == heard.accepted.size());
            final long outageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedNs);
            assertEquals(second.ingress, worker.ingressChannel(), heard.events.toString());
            assertTrue(worker.failovers() >= 1);
            assertEquals(7, second.engine.received(WorkerHelloDecoder.TEMPLATE_ID).getFirst().workerId());
            final Task held = heard.accepted.get(1);
            assertEquals(held.fencingToken(),
                second.engine.received(TaskCompletedDecoder.TEMPLATE_ID).getFirst().token());

            second.engine.deal("SHIP", "{\"n\":3}");
            await("a task of the second engine completed", () -> 3 == heard.accepted.size());
            assertTrue(outageMs < 10_000, "outage " + outageMs + " ms: " + heard.events);
        }
        finally
        {
            CloseHelper.quietCloseAll(first, second);
        }
    }

    @Test
    void anIdleWorkerMovesOnOnceThePublicationToItsEngineDisconnects() throws Exception
    {
        final Rig first = new Rig(Rig.Medium.UDP);
        final Rig second = new Rig(Rig.Medium.UDP);
        try
        {
            final WorkerEndpointTest.Heard heard = new WorkerEndpointTest.Heard();
            final AxiomWorker worker = first.closeAtEnd(AxiomWorker.create(new AxiomWorker.Context()
                    .ingressChannels(List.of(first.ingress, second.ingress))
                    .failoverTimeoutMs(500)
                    .helloIntervalMs(100)
                    .workerId(8)
                    .listener(heard))
                .handler("SHIP", task -> "{}")
                .start());
            assertTrue(worker.awaitConnected(Duration.ofSeconds(15)), "welcomed by the first engine");

            // Nothing held, nothing to go unanswered: only the publication's disconnection (no status messages for
            // Aeron's publication connection timeout, 5 s) or the engine's answers stopping tells.
            final long stoppedNs = System.nanoTime();
            first.stopEndpoint();
            await("welcomed by the second engine", () -> second.ingress.equals(worker.ingressChannel()) &&
                worker.isConnected());
            final long outageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedNs);
            assertTrue(outageMs < 12_000, "outage " + outageMs + " ms: " + heard.events);

            second.engine.deal("SHIP", "{\"n\":1}");
            await("a task of the second engine completed", () -> 1 == heard.accepted.size());
        }
        finally
        {
            CloseHelper.quietCloseAll(first, second);
        }
    }
}
