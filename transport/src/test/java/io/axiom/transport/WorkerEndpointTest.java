package io.axiom.transport;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.axiom.wire.CompletionRejectedDecoder;
import io.axiom.wire.HeartbeatDecoder;
import io.axiom.wire.HeartbeatEncoder;
import io.axiom.wire.HelloRejectedDecoder;
import io.axiom.wire.MessageHeaderEncoder;
import io.axiom.wire.RejectReason;
import io.axiom.wire.TaskCompletedDecoder;
import io.axiom.wire.TaskCompletedEncoder;
import io.axiom.wire.TaskFailedDecoder;
import io.axiom.wire.WelcomeDecoder;
import io.axiom.wire.WorkerGoodbyeDecoder;
import io.axiom.wire.WorkerHelloDecoder;
import io.axiom.worker.AxiomWorker;
import io.axiom.worker.RetryableTaskException;
import io.axiom.worker.Task;
import io.axiom.worker.TaskRejection;
import io.axiom.worker.WorkerListener;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.axiom.transport.Rig.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The endpoint and the worker SDK together, in one JVM, over IPC and over UDP loopback, against a fake engine that
 * answers like the real one. Time is real but every wait is bounded; nothing sleeps to pass.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerEndpointTest
{
    /**
     * Everything a listener heard, in order.
     */
    static final class Heard implements WorkerListener
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Task> accepted = new CopyOnWriteArrayList<>();
        final List<TaskRejection> rejections = new CopyOnWriteArrayList<>();

        @Override
        public void onConnected(final AxiomWorker worker, final long leaseDurationMs)
        {
            events.add("connected " + leaseDurationMs);
        }

        @Override
        public void onDisconnected(final AxiomWorker worker, final String reason)
        {
            events.add("disconnected " + reason);
        }

        @Override
        public void onAccepted(final Task task, final boolean failure)
        {
            accepted.add(task);
            events.add((failure ? "failure accepted " : "accepted ") + task.taskId());
        }

        @Override
        public void onRejected(final Task task, final TaskRejection rejection)
        {
            rejections.add(rejection);
            events.add("rejected " + task.taskId() + " " + rejection.reason());
        }

        @Override
        public void onAbandoned(final Task task, final String reason)
        {
            events.add("abandoned " + task.taskId());
        }

        @Override
        public void onError(final String message, final Throwable cause)
        {
            events.add("error " + message);
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Medium.class)
    void helloIsWelcomedAndADealtTaskCompletes(final Rig.Medium medium) throws Exception
    {
        try (Rig rig = new Rig(medium))
        {
            final Heard heard = new Heard();
            final List<Task> seen = new CopyOnWriteArrayList<>();
            final AxiomWorker worker = rig.closeAtEnd(AxiomWorker.create(rig.workerContext().capacity(2)
                    .workerId(42).listener(heard))
                .handler("CHARGE_CARD", task ->
                {
                    seen.add(task);
                    return "{\"charged\":" + task.inputAsString() + "}";
                })
                .start());
            assertTrue(worker.awaitConnected(Duration.ofSeconds(15)), "welcomed");
            final FakeEngine.Received hello = rig.engine.received(WorkerHelloDecoder.TEMPLATE_ID).getFirst();
            assertEquals(42, hello.workerId());
            assertEquals("CHARGE_CARD", hello.payload());

            rig.engine.deal("CHARGE_CARD", "{\"amount\":5}");
            await("the completion accepted", () -> 1 == heard.accepted.size());

            final Task task = seen.getFirst();
            assertEquals("CHARGE_CARD", task.stepName());
            assertEquals(task.taskId() + "-0", task.idempotencyKey());
            assertEquals(1, task.attempt());
            final FakeEngine.Received completed = rig.engine.received(TaskCompletedDecoder.TEMPLATE_ID).getFirst();
            assertEquals("{\"charged\":{\"amount\":5}}", completed.payload());
            assertEquals(task.fencingToken(), completed.token());
            assertEquals(42, completed.workerId());
            assertEquals(List.of("connected 30000", "accepted " + task.taskId()), heard.events);
            assertEquals(1, rig.endpoint.connectionCount());
            assertEquals(0, rig.endpoint.counters().droppedMalformed() + rig.endpoint.counters().droppedNotConnected());
        }
    }

    @Test
    void inlineHandlersRunOnThePollerAndStillAnswerEveryTask() throws Exception
    {
        try (Rig rig = new Rig(Rig.Medium.IPC))
        {
            final Heard heard = new Heard();
            final List<String> threads = new CopyOnWriteArrayList<>();
            final AxiomWorker worker = rig.closeAtEnd(AxiomWorker.create(rig.workerContext().capacity(4)
                    .inlineHandlers(true).listener(heard))
                .handler("PRICE", task ->
                {
                    threads.add(Thread.currentThread().getName());
                    if (2 == task.taskId() % 3)
                    {
                        throw new InterruptedException("the handler was interrupted");
                    }
                    return "{\"price\":" + task.taskId() + "}";
                })
                .start());
            assertTrue(worker.awaitConnected(Duration.ofSeconds(15)), "welcomed");
            for (int i = 0; i < 6; i++)
            {
                rig.engine.deal("PRICE", "{}");
            }
            await("six outcomes accepted", () -> 6 == heard.accepted.size());
            assertEquals(6, threads.size());
            assertTrue(threads.stream().noneMatch(name -> name.contains("-task-")), "no task thread ran: " + threads);
            assertEquals(1, threads.stream().distinct().count(), "one thread, the poller's: " + threads);
            final long failures = rig.engine.received(TaskFailedDecoder.TEMPLATE_ID).size();
            assertEquals(2, failures, "an interrupted inline handler is a retryable failure, the poller goes on");
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Medium.class)
    void heartbeatsKeepTheLeaseWhileALongHandlerRuns(final Rig.Medium medium) throws Exception
    {
        try (Rig rig = new Rig(medium, 300, ctx -> { }))
        {
            final Heard heard = new Heard();
            final AxiomWorker worker = rig.closeAtEnd(AxiomWorker.create(rig.workerContext().listener(heard))
                .handler("SLOW", task ->
                {
                    Thread.sleep(800);
                    return null;
                })
                .start());
            assertTrue(worker.awaitConnected(Duration.ofSeconds(15)));
            rig.engine.deal("SLOW", "{}");
            await("the slow task accepted", () -> 1 == heard.accepted.size());

            final long token = heard.accepted.getFirst().fencingToken();
            final long forTask = rig.engine.received(HeartbeatDecoder.TEMPLATE_ID).stream()
                .filter(h -> h.token() == token).count();
            // a heartbeat every lease/3 = 100 ms during an 800 ms handler: 7 or 8, at least 3 on a loaded machine
            assertTrue(forTask >= 3, "heartbeats for the task: " + forTask);
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Medium.class)
    void aCompletionWhoseAnswerIsLostIsSentAgain(final Rig.Medium medium) throws Exception
    {
        try (Rig rig = new Rig(medium))
        {
            final Heard heard = new Heard();
            rig.engine.dropAnswers.set(1);
            final AxiomWorker worker = rig.closeAtEnd(AxiomWorker.create(rig.workerContext().listener(heard)
                    .resendIntervalMs(200))
                .handler("A", task -> "{\"ok\":true}")
                .start());
            assertTrue(worker.awaitConnected(Duration.ofSeconds(15)));
            rig.engine.deal("A", "{}");
            await("the completion accepted", () -> 1 == heard.accepted.size());

            final List<FakeEngine.Received> completions = rig.engine.received(TaskCompletedDecoder.TEMPLATE_ID);
            assertEquals(2, completions.size(), "sent, answer lost, sent again");
            assertEquals(completions.get(0).token(), completions.get(1).token());
            assertEquals(1, worker.outcomesResent());
            assertEquals(1, worker.completionsAccepted(), "ALREADY_COMMITTED for its own token counts as accepted");
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Medium.class)
    void theWorkerSaysHelloAgainAfterTheEndpointRestarts(final Rig.Medium medium) throws Exception
    {
        try (Rig rig = new Rig(medium))
        {
            final Heard heard = new Heard();
            final AxiomWorker worker = rig.closeAtEnd(AxiomWorker.create(rig.workerContext().listener(heard)
                    .helloIntervalMs(200))
                .handler("A", task -> "{\"n\":" + task.taskId() + "}")
                .start());
            assertTrue(worker.awaitConnected(Duration.ofSeconds(15)));
            rig.engine.deal("A", "{}");
            await("first task accepted", () -> 1 == heard.accepted.size());

            rig.stopEndpoint();
            rig.startEndpoint();
            await("a hello at the restarted endpoint",
                () -> !rig.engine.received(WorkerHelloDecoder.TEMPLATE_ID).isEmpty());
            await("welcomed again", worker::isConnected);
            rig.engine.deal("A", "{}");
            await("a task of the new engine accepted", () -> 2 == heard.accepted.size());
            assertTrue(heard.events.stream().anyMatch(e -> e.startsWith("disconnected")), heard.events.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Medium.class)
    void badFramesAreDroppedCountedAndAnsweredNeverForwarded(final Rig.Medium medium)
    {
        try (Rig rig = new Rig(medium))
        {
            final RawWorker raw = rig.rawWorker("");
            raw.send(raw.hello(77, 1, "A"));
            raw.await(WelcomeDecoder.TEMPLATE_ID, 1);

            raw.send(new byte[] {1, 2, 3});                                         // shorter than a header
            final byte[] truncated = completed(77, 5, 500, "{\"x\":1}");
            raw.send(java.util.Arrays.copyOf(truncated, truncated.length - 3));     // output cut short
            raw.send(withHeader(heartbeat(77), 22, 7302, 1));                    // TaskAssigned from a worker
            raw.send(withHeader(heartbeat(77), 2, 7301, 1));                     // the log's schema id
            raw.send(withHeader(heartbeat(77), 2, 7302, 2));                     // a newer version
            raw.send(withHeader(heartbeat(77), 2, 7302, 0));                     // version 0
            raw.send(java.util.Arrays.copyOf(heartbeat(77), heartbeat(77).length + 4)); // trailing bytes
            raw.send(heartbeat(99));                                                // a worker that never said hello

            final int answered = 7;
            final byte[] last = raw.await(io.axiom.wire.CompletionRejectedDecoder.TEMPLATE_ID, answered);
            final List<String> details = new ArrayList<>();
            for (final byte[] frame : raw.frames())
            {
                if (RawWorker.templateOf(frame) == CompletionRejectedDecoder.TEMPLATE_ID)
                {
                    final CompletionRejectedDecoder d = new CompletionRejectedDecoder().wrap(new UnsafeBuffer(frame),
                        MessageHeaderEncoder.ENCODED_LENGTH, CompletionRejectedDecoder.BLOCK_LENGTH, 1);
                    assertEquals(RejectReason.MALFORMED, d.reason());
                    details.add(d.taskId() + "/" + d.fencingToken() + " " + d.detail());
                }
            }
            assertTrue(last.length > 0);
            assertEquals(answered, details.size(), details.toString());
            assertTrue(details.get(0).contains("shorter than the 8-byte message header"), details.get(0));
            assertTrue(details.get(1).startsWith("5/500 TaskCompleted is truncated"), details.get(1));
            assertTrue(details.get(2).contains("template 22 is not a frame a worker sends"), details.get(2));
            assertTrue(details.get(3).contains("schema id 7301"), details.get(3));
            assertTrue(details.get(4).contains("version 2 is newer"), details.get(4));
            assertTrue(details.get(5).contains("version 0 does not exist"), details.get(5));
            assertTrue(details.get(6).contains("4 trailing bytes"), details.get(6));

            final EndpointCounters counters = rig.endpoint.counters();
            await("the unknown worker's heartbeat counted", () -> 1 == counters.droppedUnknownWorker());
            assertEquals(4, counters.droppedMalformed());
            assertEquals(1, counters.droppedUnknownTemplate());
            assertEquals(1, counters.droppedWrongSchema());
            assertEquals(1, counters.droppedNewerVersion());
            assertEquals(answered, counters.malformedAnswered());
            assertEquals(List.of(WorkerHelloDecoder.TEMPLATE_ID),
                rig.engine.received().stream().map(FakeEngine.Received::templateId).toList(),
                "only the good hello reached the engine");

            // a hello of a newer version is refused by the endpoint itself, naming both versions
            raw.send(raw.hello(78, 2, "A"));
            final byte[] refusal = raw.await(HelloRejectedDecoder.TEMPLATE_ID, 1);
            final HelloRejectedDecoder d = new HelloRejectedDecoder().wrap(new UnsafeBuffer(refusal),
                MessageHeaderEncoder.ENCODED_LENGTH, HelloRejectedDecoder.BLOCK_LENGTH, 1);
            assertEquals(78, d.workerId());
            final String reason = d.reason();
            assertTrue(reason.contains("version 2") && reason.contains("version 1"), reason);
            assertEquals(1, counters.helloRejectedVersion());
            assertEquals(1, rig.engine.received().size(), "the newer hello never reached the engine");
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Medium.class)
    void aSlowWorkerGetsEveryFrameInOrder(final Rig.Medium medium)
    {
        try (Rig rig = new Rig(medium))
        {
            // a small term on the response publication: the worker's window fills after a few frames
            final RawWorker raw = rig.rawWorker("?term-length=65536");
            raw.send(raw.hello(7, 1, "A"));
            raw.await(WelcomeDecoder.TEMPLATE_ID, 1);
            final WorkerConnection connection = rig.engine.received().getFirst().connection();

            final int frames = 1500;
            final byte[] padding = new byte[600];
            for (int i = 0; i < frames; i++)
            {
                final ExpandableArrayBuffer b = new ExpandableArrayBuffer(700);
                final int length = MessageHeaderEncoder.ENCODED_LENGTH + new TaskCompletedEncoder()
                    .wrapAndApplyHeader(b, 0, new MessageHeaderEncoder())
                    .workerId(7).taskId(i).fencingToken(i).putOutput(padding, 0, padding.length).encodedLength();
                final byte[] frame = new byte[length];
                b.getBytes(0, frame);
                rig.engine.sendOnEngineThread(connection, frame);
            }
            final EndpointCounters counters = rig.endpoint.counters();
            // the worker reads nothing until the engine has handed over every frame (sent or kept)
            await("every frame handed to the connection", () -> frames == rig.engine.rawSent.get());
            assertTrue(counters.framesQueued() > 0, "back-pressure kept frames: " + counters);

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<Long> ids = List.of();
            while (System.nanoTime() < deadline)
            {
                ids = raw.frames().stream().filter(f -> RawWorker.templateOf(f) == TaskCompletedDecoder.TEMPLATE_ID)
                    .map(f -> new UnsafeBuffer(f).getLong(MessageHeaderEncoder.ENCODED_LENGTH + 8,
                        ByteOrder.LITTLE_ENDIAN)).toList();
                if (ids.size() == frames)
                {
                    break;
                }
                Thread.onSpinWait();
            }
            assertEquals(frames, ids.size(), "frames received; " + counters);
            for (int i = 0; i < frames; i++)
            {
                assertEquals(i, ids.get(i), "frame " + i + " in order");
            }
            assertEquals(0, counters.droppedBacklogFull() + counters.droppedNotConnected() +
                counters.droppedTooLarge() + counters.droppedClosed(), counters.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Medium.class)
    void closeSaysGoodbyeLetsTheHeldTaskFinishAndSaysGoodbyeAgain(final Rig.Medium medium) throws Exception
    {
        try (Rig rig = new Rig(medium))
        {
            final Heard heard = new Heard();
            final CountDownLatch started = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final AxiomWorker worker = AxiomWorker.create(rig.workerContext().listener(heard).capacity(2)
                    .helloIntervalMs(5_000))
                .handler("A", task ->
                {
                    started.countDown();
                    release.await();
                    return "{\"done\":true}";
                })
                .start();
            assertTrue(worker.awaitConnected(Duration.ofSeconds(15)));
            rig.engine.deal("A", "{}");
            assertTrue(started.await(15, TimeUnit.SECONDS));

            final Thread closer = Thread.ofPlatform().start(worker::close);
            await("the first goodbye", () -> !rig.engine.received(WorkerGoodbyeDecoder.TEMPLATE_ID).isEmpty());
            rig.engine.deal("A", "{}"); // no credit after a goodbye: never dealt to the leaving worker
            release.countDown();
            closer.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(closer.isAlive(), "close returned");

            final List<Integer> order = rig.engine.received().stream().map(FakeEngine.Received::templateId)
                .filter(t -> t != HeartbeatDecoder.TEMPLATE_ID).toList();
            assertEquals(List.of(WorkerHelloDecoder.TEMPLATE_ID, WorkerGoodbyeDecoder.TEMPLATE_ID,
                TaskCompletedDecoder.TEMPLATE_ID, WorkerGoodbyeDecoder.TEMPLATE_ID), order);
            assertEquals(1, heard.accepted.size(), heard.events.toString());
            assertEquals(1, worker.tasksReceived());
            await("the endpoint let the connection go", () -> 0 == rig.endpoint.connectionCount());
            assertEquals(0, rig.endpoint.counters().goodbyesOnBehalf(), "it said goodbye itself");
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Medium.class)
    void aWorkerThatVanishesIsSaidGoodbyeFor(final Rig.Medium medium)
    {
        try (Rig rig = new Rig(medium))
        {
            final RawWorker raw = rig.rawWorker("");
            raw.send(raw.hello(5, 1, "A"));
            raw.await(WelcomeDecoder.TEMPLATE_ID, 1);
            raw.close(); // its publication goes away without a goodbye

            await("a goodbye on its behalf", () -> !rig.engine.received(WorkerGoodbyeDecoder.TEMPLATE_ID).isEmpty());
            final FakeEngine.Received goodbye = rig.engine.received(WorkerGoodbyeDecoder.TEMPLATE_ID).getFirst();
            assertEquals(5, goodbye.workerId());
            assertTrue(goodbye.connection().isClosed());
            // The endpoint counts the goodbye and publishes its connection count after handing the goodbye over.
            await("the goodbye counted", () -> 1 == rig.endpoint.counters().goodbyesOnBehalf());
            await("the connection let go", () -> 0 == rig.endpoint.connectionCount());
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Medium.class)
    void aWorkerThatNoLongerListensIsSaidGoodbyeFor(final Rig.Medium medium)
    {
        try (Rig rig = new Rig(medium))
        {
            final RawWorker raw = rig.rawWorker("");
            raw.send(raw.hello(8, 1, "A"));
            raw.await(WelcomeDecoder.TEMPLATE_ID, 1);
            raw.subscription.close(); // its publication stays: only its answers go nowhere now

            await("a goodbye on its behalf", () -> !rig.engine.received(WorkerGoodbyeDecoder.TEMPLATE_ID).isEmpty());
            // The endpoint hands the goodbye to the engine, then lets the connection go: await both, in that order.
            await("the connection let go", () -> 0 == rig.endpoint.connectionCount());
            assertEquals(1, rig.endpoint.counters().responseDisconnects());
        }
    }

    @Test
    void aHelloTheEngineRefusesStopsTheWorker() throws Exception
    {
        try (Rig rig = new Rig(Rig.Medium.IPC))
        {
            final Heard heard = new Heard();
            rig.engine.rejectHellos.set("capacity must be between 1 and 100000");
            final AxiomWorker worker = rig.closeAtEnd(AxiomWorker.create(rig.workerContext().listener(heard)
                    .helloIntervalMs(100))
                .handler("A", task -> "{}")
                .start());
            assertFalse(worker.awaitConnected(Duration.ofSeconds(15)), "refused, and said so at once");
            assertFalse(worker.isConnected());
            assertTrue(heard.events.contains("error the engine refused this worker's hello: capacity must be " +
                "between 1 and 100000"), heard.events.toString());
            final long hellos = worker.hellosSent();
            Thread.sleep(500); // five hello intervals
            assertEquals(hellos, worker.hellosSent(), "a refused worker stops saying hello");
        }
    }

    @Test
    void aSilentWorkerIsTakenForGone()
    {
        try (Rig rig = new Rig(Rig.Medium.UDP, 30_000, ctx -> ctx.workerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))))
        {
            final RawWorker raw = rig.rawWorker("");
            raw.send(raw.hello(6, 1, "A"));
            raw.await(WelcomeDecoder.TEMPLATE_ID, 1);

            await("a goodbye on its behalf", () -> !rig.engine.received(WorkerGoodbyeDecoder.TEMPLATE_ID).isEmpty());
            assertEquals(1, rig.endpoint.counters().silenceTimeouts());
            raw.send(heartbeat(6));
            await("its late heartbeat dropped", () -> 1 == rig.endpoint.counters().droppedUnknownWorker());
        }
    }

    @Test
    void aFullInboxLosesNothing() throws Exception
    {
        try (Rig rig = new Rig(Rig.Medium.UDP))
        {
            final Heard heard = new Heard();
            rig.engine.refuseOffers.set(200);
            final AxiomWorker worker = rig.closeAtEnd(AxiomWorker.create(rig.workerContext().listener(heard)
                    .helloIntervalMs(60_000))
                .handler("A", task -> "{}")
                .start());
            assertTrue(worker.awaitConnected(Duration.ofSeconds(15)));
            rig.engine.deal("A", "{}");
            await("accepted", () -> 1 == heard.accepted.size());
            assertEquals(200, rig.engine.refused.get());
            assertTrue(rig.endpoint.counters().inboxFull() >= 200);
            assertEquals(1, worker.hellosSent(), "the hello waited in its image, it was not lost");
        }
    }

    @Test
    void failuresCarryTheRetryableFlagAndRejectionsReachTheListener() throws Exception
    {
        try (Rig rig = new Rig(Rig.Medium.IPC))
        {
            final Heard heard = new Heard();
            final AxiomWorker worker = rig.closeAtEnd(AxiomWorker.create(rig.workerContext().listener(heard))
                .handler("FLAKY", task ->
                {
                    throw new RetryableTaskException("provider timed out");
                })
                .handler("BUGGY", task ->
                {
                    throw new IllegalStateException("no such account");
                })
                .handler("LATE", task -> "{}")
                .start());
            assertTrue(worker.awaitConnected(Duration.ofSeconds(15)));

            rig.engine.deal("FLAKY", "{}");
            await("first failure recorded", () -> 1 == heard.accepted.size());
            rig.engine.deal("BUGGY", "{}");
            await("second failure recorded", () -> 2 == heard.accepted.size());
            final List<FakeEngine.Received> failures = rig.engine.received(TaskFailedDecoder.TEMPLATE_ID);
            assertTrue(failures.get(0).retryable());
            assertEquals("provider timed out", failures.get(0).payload());
            assertFalse(failures.get(1).retryable());
            assertEquals("IllegalStateException: no such account", failures.get(1).payload());
            assertEquals(2, worker.failuresAccepted());

            rig.engine.nextRejection.set(RejectReason.STALE_FENCING_TOKEN);
            rig.engine.deal("LATE", "{}");
            await("the rejection heard", () -> 1 == heard.rejections.size());
            assertEquals(TaskRejection.Reason.STALE_FENCING_TOKEN, heard.rejections.getFirst().reason());
            assertEquals(1, worker.outcomesRejected());

            // committed with another result (another attempt's): rejected too, with what committed
            rig.engine.nextRejection.set(RejectReason.ALREADY_COMMITTED);
            rig.engine.deal("LATE", "{}");
            await("the second rejection heard", () -> 2 == heard.rejections.size());
            final TaskRejection other = heard.rejections.get(1);
            assertEquals(TaskRejection.Reason.ALREADY_COMMITTED, other.reason());
            assertEquals("{\"by\":\"another attempt\"}", other.committedOutputAsString());
        }
    }

    @Test
    void anIngressAlreadyBoundFailsTheLaunchAndLeavesNothingRunning()
    {
        try (Rig rig = new Rig(Rig.Medium.UDP); EmbeddedDriver other = EmbeddedDriver.launch(
            new EmbeddedDriver.Context().errorHandler(ex -> { })))
        {
            final WorkerEndpoint.Context ctx = new WorkerEndpoint.Context()
                .aeronDirectoryName(other.aeronDirectoryName())
                .ingressChannel(rig.ingress)
                .inbox(rig.engine);
            final io.aeron.exceptions.AeronException ex =
                org.junit.jupiter.api.Assertions.assertThrows(io.aeron.exceptions.AeronException.class,
                    () -> WorkerEndpoint.launch(ctx));
            assertTrue(ex.getMessage().contains("Address already in use"), ex.getMessage());
        }
    }

    @Test
    void unusableSettingsAreRefusedByName()
    {
        final WorkerEndpoint.Context ctx = new WorkerEndpoint.Context().aeronDirectoryName("/nowhere")
            .inbox((frame, offset, length, connection) -> true);
        final IllegalArgumentException http = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> ctx.ingressChannel("http://localhost:40123").conclude());
        assertTrue(http.getMessage().contains("ingress channel 'http://localhost:40123'"), http.getMessage());
        final IllegalArgumentException noEndpoint = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> ctx.ingressChannel("aeron:udp?interface=lo").conclude());
        assertTrue(noEndpoint.getMessage().contains("endpoint=HOST:PORT"), noEndpoint.getMessage());
        final IllegalArgumentException backlog = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> ctx.ingressChannel("aeron:ipc").backlogCapacity(1000).conclude());
        assertTrue(backlog.getMessage().contains("power of two"), backlog.getMessage());
    }

    // ---------------------------------------------------------------------------------------------- frames

    static byte[] heartbeat(final long workerId)
    {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(64);
        new HeartbeatEncoder().wrapAndApplyHeader(b, 0, new MessageHeaderEncoder()).workerId(workerId);
        final byte[] frame = new byte[MessageHeaderEncoder.ENCODED_LENGTH + HeartbeatEncoder.BLOCK_LENGTH];
        b.getBytes(0, frame);
        return frame;
    }

    static byte[] completed(final long workerId, final long taskId, final long token, final String output)
    {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(128);
        final byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new TaskCompletedEncoder()
            .wrapAndApplyHeader(b, 0, new MessageHeaderEncoder())
            .workerId(workerId).taskId(taskId).fencingToken(token).putOutput(bytes, 0, bytes.length).encodedLength();
        final byte[] frame = new byte[length];
        b.getBytes(0, frame);
        return frame;
    }

    static byte[] withHeader(final byte[] frame, final int templateId, final int schemaId, final int version)
    {
        final byte[] copy = frame.clone();
        final UnsafeBuffer b = new UnsafeBuffer(copy);
        b.putShort(2, (short)templateId, ByteOrder.LITTLE_ENDIAN);
        b.putShort(4, (short)schemaId, ByteOrder.LITTLE_ENDIAN);
        b.putShort(6, (short)version, ByteOrder.LITTLE_ENDIAN);
        return copy;
    }
}
