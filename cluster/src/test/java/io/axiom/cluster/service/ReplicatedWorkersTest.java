package io.axiom.cluster.service;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.aeron.cluster.service.Cluster;
import io.axiom.cluster.node.ClusterMembers;
import io.axiom.cluster.node.ClusterNode;
import io.axiom.cluster.node.TestCluster;
import io.axiom.core.CommandRing;
import io.axiom.core.CommandSlot;
import io.axiom.core.EngineContext;
import io.axiom.core.ReplySink;
import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.VerificationReport;
import io.axiom.transport.EmbeddedDriver;
import io.axiom.transport.EngineInbox;
import io.axiom.transport.WorkerConnection;
import io.axiom.transport.WorkerEndpoint;
import io.axiom.wire.MessageHeaderDecoder;
import io.axiom.worker.AxiomWorker;
import io.axiom.worker.Task;
import io.axiom.worker.TaskRejection;
import io.axiom.worker.WorkerListener;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real workers against three replicated engines in one JVM, through two member crashes: 4-step task workflows run by
 * two {@link AxiomWorker}s, each connected to one member's worker endpoint and given two members' ingress channels;
 * the leader is stopped (it holds a worker), restarted, and then the member the workers failed over to is stopped.
 * Every workflow completes, every surviving member's journal holds exactly one StepCompleted per step, the members
 * verify alike, and the fencing tokens the workers were dealt only grow per step.
 * <p>
 * A member is stopped as a crash would stop it, as far as one JVM allows (no SIGKILL in-process): its cluster node
 * (media driver included) first, so that nothing it still has reaches the others, then its worker endpoint and the
 * endpoint's driver (no end of stream reaches the workers: they find out by silence), then its log forwarder and its
 * engine.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReplicatedWorkersTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long LEASE_MS = 2_000;
    private static final long SESSION_TIMEOUT_MS = 5_000;
    private static final String[] STEPS = {"PICK", "PACK", "LABEL", "SHIP"};
    private static final int FIRST_BATCH = 40;
    private static final int SECOND_BATCH = 20;
    /** The SDK's default: longer than an election (leader heartbeat timeout 1 s, election timeout 500 ms). */
    private static final long FAILOVER_TIMEOUT_MS = AxiomWorker.Context.FAILOVER_TIMEOUT_MS_DEFAULT;
    /** Failover timeout, election and the hello's trip through the log, with room for a loaded 2-core machine. */
    private static final long OUTAGE_BOUND_MS = 15_000;

    @TempDir
    Path dir;

    private final Member[] members = new Member[3];
    private final List<AxiomWorker> workers = new ArrayList<>();
    private final Map<String, List<Long>> tokensByStep = new ConcurrentHashMap<>();
    private final List<String> tokenOrderProblems = new CopyOnWriteArrayList<>();
    private ClusterMembers clusterMembers;
    private long seed;

    /**
     * One member: its replicated engine, and its worker endpoint on a driver of its own (invoked by the endpoint).
     */
    private static final class Member
    {
        final int id;
        final String ingress;
        ReplicatedEngine replicated;
        EmbeddedDriver driver;
        WorkerEndpoint endpoint;
        boolean alive;

        Member(final int id, final String ingress)
        {
            this.id = id;
            this.ingress = ingress;
        }
    }

    @AfterEach
    void closeAll()
    {
        for (final AxiomWorker worker : workers)
        {
            CloseHelper.quietClose(worker);
        }
        for (final Member member : members)
        {
            if (null != member && member.alive)
            {
                stop(member);
            }
        }
    }

    @Test
    void workersFailOverAndEveryStepCommitsOnceThroughTwoCrashes() throws Exception
    {
        seed = System.nanoTime();
        final Random random = new Random(seed);
        clusterMembers = ClusterMembers.local(3, TestCluster.freeBasePort(random, 3));
        for (int i = 0; i < 3; i++)
        {
            members[i] = new Member(i, "aeron:udp?endpoint=localhost:" + freeUdpPort());
            launch(members[i]);
        }
        await("every member connected to a leader", () ->
            List.of(members).stream().allMatch(m -> m.replicated.connected()));
        await("one leader", () -> leader() != null);
        final Member a = leader();
        final Member b = members[(a.id + 1) % 3];
        final Member c = members[(a.id + 2) % 3];

        final Outages outages = new Outages();
        final AxiomWorker first = startWorker(1, List.of(a.ingress, b.ingress), outages, random.nextLong());
        final AxiomWorker second = startWorker(2, List.of(b.ingress, a.ingress), outages, random.nextLong());
        assertTrue(first.awaitConnected(TIMEOUT) && second.awaitConnected(TIMEOUT), why("workers welcomed"));

        for (int i = 0; i < FIRST_BATCH; i++)
        {
            create(members[i % 3], i);
        }
        await("the workers hold tasks", () -> first.tasksReceived() > 8 && second.tasksReceived() > 8);

        // 1. The leader, which holds the first worker's connection, crashes.
        final long firstCrashNs = System.nanoTime();
        stop(a);
        await("a new leader", () -> leader() != null && b.replicated.connected() && c.replicated.connected());
        await("the first worker moved to " + b.ingress, () -> b.ingress.equals(first.ingressChannel()) &&
            first.isConnected());
        final long firstFailoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstCrashNs);

        // 2. It comes back (the same directories) and catches up; more workflows come in through the survivors.
        launch(a);
        await("the restarted member connected", () -> a.replicated.connected());
        final long caughtUpTo = b.replicated.engine().journalPosition();
        await("the restarted member caught up", () -> a.replicated.engine().journalPosition() >= caughtUpTo);
        final long receivedBefore = first.tasksReceived() + second.tasksReceived();
        for (int i = FIRST_BATCH; i < FIRST_BATCH + SECOND_BATCH; i++)
        {
            create(1 == i % 2 ? b : c, i);
        }
        await("the second batch is being worked on", () ->
            first.tasksReceived() + second.tasksReceived() > receivedBefore + 4);

        // 3. The member both workers now talk to crashes: they fail over to the restarted one.
        final long secondCrashNs = System.nanoTime();
        stop(b);
        await("both workers moved to " + a.ingress, () -> a.ingress.equals(first.ingressChannel()) &&
            a.ingress.equals(second.ingressChannel()) && first.isConnected() && second.isConnected());
        final long secondFailoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - secondCrashNs);

        final int workflows = FIRST_BATCH + SECOND_BATCH;
        final List<Member> survivors = List.of(a, c);
        for (final Member survivor : survivors)
        {
            await("every workflow completed on member " + survivor.id, () -> completed(survivor) == workflows);
        }
        await("the survivors at the same journal position", () ->
            a.replicated.engine().journalPosition() == c.replicated.engine().journalPosition());

        long digest = 0;
        for (final Member survivor : survivors)
        {
            for (long id = 1; id <= workflows; id++)
            {
                final int[] completions = new int[STEPS.length];
                final EngineReply events = survivor.replicated.engine().client().allEvents(id, TIMEOUT);
                for (final EventView event : assertInstanceOf(EngineReply.Events.class, events, why("events")).events())
                {
                    if ("StepCompleted".equals(event.type()))
                    {
                        completions[((Number)event.fields().get("step_index")).intValue()]++;
                    }
                }
                for (int step = 0; step < STEPS.length; step++)
                {
                    assertEquals(1, completions[step], why("member " + survivor.id + ", workflow " + id + ", step " +
                        step + ": StepCompleted count"));
                }
            }
            final EngineReply verified = survivor.replicated.engine().verifier().verify(TIMEOUT);
            final VerificationReport report = assertInstanceOf(EngineReply.Verification.class, verified).report();
            assertTrue(report.ok() && Boolean.TRUE.equals(report.consistent()),
                why("member " + survivor.id + ": " + report.toText()));
            if (0 == digest)
            {
                digest = report.digest();
            }
            assertEquals(digest, report.digest(), why("member " + survivor.id + " has another state"));
        }
        assertTrue(tokenOrderProblems.isEmpty(), why("fencing tokens went back: " + tokenOrderProblems));
        assertEquals(workflows * STEPS.length, tokensByStep.size(), why("every step was dealt to a worker"));
        assertTrue(first.failovers() >= 2 && second.failovers() >= 1,
            why("failovers " + first.failovers() + "/" + second.failovers()));

        long redealt = 0;
        for (final List<Long> tokens : tokensByStep.values())
        {
            redealt += tokens.size() - 1;
        }
        System.out.println("ReplicatedWorkersTest seed " + seed + ": leader " + a.id + " stopped, workers back after " +
            firstFailoverMs + " ms; member " + b.id + " stopped, workers back after " + secondFailoverMs + " ms; " +
            "longest a worker went without a Welcome: " + outages.longestMs() + " ms (" + outages.describe() +
            "); steps dealt again: " + redealt + ", outcomes rejected: " + outages.rejected.get() + ", accepted: " +
            (first.completionsAccepted() + second.completionsAccepted()) + "; failovers " + first.failovers() + "/" +
            second.failovers());
        assertTrue(outages.longestMs() < OUTAGE_BOUND_MS,
            why("a worker went " + outages.longestMs() + " ms without a Welcome: " + outages.describe()));
    }

    private void launch(final Member member)
    {
        final File nodeDir = dir.resolve("node-" + member.id).toFile();
        final Path dataDir = dir.resolve("data-" + member.id);
        member.replicated = ReplicatedEngine.launch(new ClusterNode.Context()
                .memberId(member.id)
                .members(clusterMembers)
                .nodeDir(nodeDir)
                .sessionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(SESSION_TIMEOUT_MS)),
            hosted -> new EngineContext().dataDir(dataDir).leaseDurationMs(LEASE_MS), 10, TIMEOUT);
        member.alive = true;
        member.driver = EmbeddedDriver.launch(new EmbeddedDriver.Context().agentInvoker(true));
        member.endpoint = WorkerEndpoint.launch(new WorkerEndpoint.Context()
            .aeronDirectoryName(member.driver.aeronDirectoryName())
            .driverAgentInvoker(member.driver.agentInvoker())
            .ingressChannel(member.ingress)
            .workerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(LEASE_MS))
            .inbox(new RingInbox(member.replicated.engine().ring())));
    }

    /**
     * As a crash would, as far as one JVM allows: the node and its driver first, then the worker endpoint and its
     * driver (nothing more reaches the workers), then the forwarder and the engine.
     */
    private static void stop(final Member member)
    {
        member.alive = false;
        CloseHelper.quietClose(member.replicated.node());
        CloseHelper.quietCloseAll(member.endpoint, member.driver);
        CloseHelper.quietClose(member.replicated);
        member.replicated.engine().close();
    }

    private Member leader()
    {
        Member leader = null;
        for (final Member member : members)
        {
            if (member.alive && member.replicated.role() == Cluster.Role.LEADER)
            {
                if (null != leader)
                {
                    return null;
                }
                leader = member;
            }
        }
        return leader;
    }

    private void create(final Member through, final int i)
    {
        final List<StepSpec> steps = new ArrayList<>();
        for (final String step : STEPS)
        {
            steps.add(StepSpec.task(step));
        }
        final EngineReply reply = through.replicated.engine().client().create(new CreateWorkflow("order-" + i,
            steps, ("{\"order\":" + i + "}").getBytes(StandardCharsets.UTF_8), "order-key-" + i), TIMEOUT);
        assertInstanceOf(EngineReply.Workflow.class, reply, why("create " + i + " through member " + through.id));
    }

    private static int completed(final Member member)
    {
        final EngineReply list = member.replicated.engine().client().list(0, 1000, "COMPLETED", TIMEOUT);
        return list instanceof EngineReply.WorkflowList page ? page.workflows().size() : -1;
    }

    private AxiomWorker startWorker(
        final long workerId, final List<String> ingress, final Outages outages, final long handlerSeed)
    {
        final Random delays = new Random(handlerSeed);
        final AxiomWorker worker = AxiomWorker.create(new AxiomWorker.Context()
            .ingressChannels(ingress)
            .failoverTimeoutMs(FAILOVER_TIMEOUT_MS)
            .helloIntervalMs(200)
            .workerId(workerId)
            .capacity(2)
            .listener(outages));
        for (final String step : STEPS)
        {
            worker.handler(step, task ->
            {
                dealt(task);
                final long delayMs;
                synchronized (delays)
                {
                    delayMs = 20 + delays.nextInt(60);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(delayMs));
                return "{\"step\":\"" + task.stepName() + "\",\"by\":" + workerId + "}";
            });
        }
        workers.add(worker);
        return worker.start();
    }

    /**
     * A worker was dealt a step: its token must not be below one dealt before for the same step.
     */
    private void dealt(final Task task)
    {
        final List<Long> tokens = tokensByStep.computeIfAbsent(task.workflowId() + "/" + task.stepIndex(),
            key -> new ArrayList<>());
        synchronized (tokens)
        {
            if (!tokens.isEmpty() && tokens.getLast() > task.fencingToken())
            {
                tokenOrderProblems.add("workflow " + task.workflowId() + " step " + task.stepIndex() + ": " +
                    task.fencingToken() + " after " + tokens);
            }
            tokens.add(task.fencingToken());
        }
    }

    private String why(final String what)
    {
        return "seed " + seed + ": " + what;
    }

    private void await(final String what, final java.util.function.BooleanSupplier condition)
    {
        try
        {
            TestCluster.await(what, TIMEOUT.toMillis(), condition);
        }
        catch (final AssertionError ex)
        {
            fail(why(ex.getMessage()), ex);
        }
    }

    private static int freeUdpPort()
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

    /**
     * How long each worker went from losing its engine to being welcomed again.
     */
    private static final class Outages implements WorkerListener
    {
        private final Map<Long, Long> downSinceNs = new ConcurrentHashMap<>();
        private final List<String> outages = new CopyOnWriteArrayList<>();
        private final AtomicLong longestMs = new AtomicLong();
        private final AtomicLong rejected = new AtomicLong();

        @Override
        public void onDisconnected(final AxiomWorker worker, final String reason)
        {
            downSinceNs.putIfAbsent(worker.workerId(), System.nanoTime());
        }

        @Override
        public void onConnected(final AxiomWorker worker, final long leaseDurationMs)
        {
            final Long since = downSinceNs.remove(worker.workerId());
            if (null != since)
            {
                final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
                outages.add("worker " + worker.workerId() + " " + ms + " ms to " + worker.ingressChannel());
                longestMs.accumulateAndGet(ms, Math::max);
            }
        }

        @Override
        public void onRejected(final Task task, final TaskRejection rejection)
        {
            // a completion under a lease that expired while its member was down: expected, the step is dealt again
            rejected.incrementAndGet();
        }

        long longestMs()
        {
            return longestMs.get();
        }

        String describe()
        {
            return String.join("; ", outages);
        }
    }

    /**
     * What the gateway's RingInbox does, for a test: each worker frame onto the engine's ring with this object as the
     * reply sink and the frame's connection as the reply token; the engine's answers leave through the connection.
     */
    private static final class RingInbox implements EngineInbox, ReplySink
    {
        private final CommandRing ring;
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();

        RingInbox(final CommandRing ring)
        {
            this.ring = ring;
        }

        @Override
        public boolean offer(
            final DirectBuffer frame, final int offset, final int length, final WorkerConnection connection)
        {
            final long sequence = ring.tryNext();
            if (CommandRing.FULL == sequence)
            {
                return false; // the endpoint offers it again
            }
            final CommandSlot slot = ring.slot(sequence);
            slot.copyOf(frame, offset, length);
            slot.replyTo(this, connection);
            ring.publish(sequence);
            return true;
        }

        @Override
        public void onReply(final Object replyTo, final DirectBuffer buffer, final int offset, final int length)
        {
            if (replyTo instanceof WorkerConnection connection && length >= MessageHeaderDecoder.ENCODED_LENGTH &&
                MessageHeaderDecoder.SCHEMA_ID == header.wrap(buffer, offset).schemaId())
            {
                connection.send(buffer, offset, length);
            }
        }
    }
}
