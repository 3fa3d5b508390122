package io.axiom.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import io.axiom.codecs.AdvanceWorkflowEncoder;
import io.axiom.codecs.CancelWorkflowEncoder;
import io.axiom.codecs.CreateWorkflowEncoder;
import io.axiom.core.api.StepSpec;
import io.axiom.journal.Journal;
import io.axiom.journal.JournalContext;
import io.axiom.journal.SnapshotStore;
import io.axiom.wire.HeartbeatEncoder;
import io.axiom.wire.MessageHeaderEncoder;
import io.axiom.wire.TaskCompletedEncoder;
import io.axiom.wire.TaskFailedEncoder;
import io.axiom.wire.WorkerGoodbyeEncoder;
import io.axiom.wire.WorkerHelloEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica restored from a snapshot writes the same journal as one that never stopped: state machine A is driven by
 * random commands (creates with task, timer and approval steps, worker hellos from three route keys, heartbeats,
 * completions, failures, goodbyes, advances, cancels) at increasing times, with a dispatch after every command and
 * the hosted tick sequence every few; at a random point its snapshot is encoded (and checked equal to what a
 * {@link SnapshotCapture} writes a slice at a time) and loaded into B over a copy of A's journal; then both get the
 * same commands, and B's records after the point equal A's byte for byte, as do the digests. 50 seeded tries.
 */
class DeterministicReplicaTest
{
    private static final int TRIES = 50;
    private static final long START = 1_700_000_000_000L;
    private static final java.util.concurrent.atomic.AtomicLong SESSIONS = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong LEASES = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong DISPATCHED =
        new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong RETIRED = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong EXPIRIES = new java.util.concurrent.atomic.AtomicLong();
    private static final long LEASE_MS = 1_500;
    private static final String[] STEP_NAMES = {"T0", "T1", "T2"};
    private static final MessageHeaderEncoder WIRE_HEADER = new MessageHeaderEncoder();
    private static final io.axiom.codecs.MessageHeaderEncoder HEADER = new io.axiom.codecs.MessageHeaderEncoder();

    /** One command: who sends it and its bytes. */
    record Command(long routeKey, byte[] bytes, long nowMs)
    {
    }

    /** One state machine over its own journal, with its own worker connections by route key. */
    static final class Replica implements ReplySink, RouteResolver, AutoCloseable
    {
        final Path dir;
        final Journal journal;
        final ReplyArena arena = new ReplyArena(4 * 1024 * 1024);
        final WorkflowStateMachine machine;
        final EngineCounters counters = new EngineCounters();
        final Map<Long, Object> connections = new HashMap<>();
        final Object client = new Object();
        final ColdStore cold;

        Replica(final Path dir, final long startTimeMs)
        {
            this.dir = dir;
            final EngineContext ctx = new EngineContext().dataDir(dir).leaseDurationMs(LEASE_MS)
                .workerTimeoutMs(4_000).inMemoryRetentionMs(3_000).conclude();
            this.machine = new WorkflowStateMachine(ctx, arena, startTimeMs);
            this.journal = Journal.open(new JournalContext().dataDir(dir).fsync(false).maxSegmentSize(1 << 20)
                .conclude());
            machine.journal(journal);
            this.cold = new ColdStore(dir, 3_600_000);
            machine.coldStore(cold);
            machine.routeResolver(this);
        }

        public ReplySink sink(final long routeKey)
        {
            return this;
        }

        public Object replyTo(final long routeKey)
        {
            return connections.computeIfAbsent(routeKey, k -> new Object());
        }

        public void onReply(final Object replyTo, final DirectBuffer buffer, final int offset, final int length)
        {
        }

        void apply(final Command command)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(command.bytes());
            if (0 == command.routeKey())
            {
                machine.onCommand(buffer, 0, command.bytes().length, command.nowMs(), this, client, 0);
            }
            else
            {
                machine.onCommand(buffer, 0, command.bytes().length, command.nowMs(), this,
                    replyTo(command.routeKey()), command.routeKey());
            }
            journal.endUnit();
            machine.dispatch(command.nowMs());
            journal.endUnit();
            release();
        }

        void tick(final long nowMs)
        {
            machine.pollTimers(nowMs);
            journal.endUnit();
            machine.expireHistory(nowMs);
            machine.pollRetirements(nowMs, 16);
            journal.endUnit();
            machine.dispatch(nowMs);
            journal.endUnit();
            release();
        }

        void release()
        {
            journal.flush();
            machine.appended().clear();
            arena.release(counters);
        }

        /**
         * @return every record at or after the position: position, type, timestamp and payload, one string each.
         */
        List<String> recordsFrom(final long position)
        {
            final List<String> records = new ArrayList<>();
            journal.replay(position, (buffer, offset, length, type, version, at, sequence, timestamp) ->
            {
                final byte[] payload = new byte[length];
                buffer.getBytes(offset, payload);
                records.add(at + "/" + sequence + "/" + type + "/" + version + "/" + timestamp + "/" +
                    Arrays.toString(payload));
            });
            return records;
        }

        public void close()
        {
            cold.close();
            journal.close();
        }
    }

    @Test
    void aReplicaRestoredFromASnapshotWritesTheSameJournal() throws IOException
    {
        // -Daxiom.replica.seed=N runs the one try of that seed again
        final long given = Long.getLong("axiom.replica.seed", -1);
        final long base = -1 == given ? System.nanoTime() : given;
        for (int t = 0, tries = -1 == given ? TRIES : 1; t < tries; t++)
        {
            final long seed = base + t;
            final Path root = Files.createTempDirectory("axiom-replica");
            try
            {
                runOnce(seed, root);
            }
            catch (final AssertionError | RuntimeException ex)
            {
                throw new AssertionError("DeterministicReplicaTest failed with seed " + seed + ": " + ex, ex);
            }
            finally
            {
                delete(root);
            }
        }
        System.out.println("DeterministicReplicaTest: " + (-1 == given ? TRIES : 1) + " tries, " + SESSIONS.get() + " sessions and " +
            LEASES.get() + " leases restored, " + DISPATCHED.get() + " tasks dealt after the points, " +
            EXPIRIES.get() + " lease expiries and attempt timeouts, " + RETIRED.get() + " workflows retired by A");
        assertTrue(-1 != given || SESSIONS.get() > 0 && LEASES.get() > 0 && DISPATCHED.get() > 0 && EXPIRIES.get() > 0 &&
            RETIRED.get() > 0, "the histories restored sessions and leases, dealt tasks, expired leases, retired");
    }

    private static void runOnce(final long seed, final Path root) throws IOException
    {
        final Random random = new Random(seed);
        final long start = 1_700_000_000_000L + random.nextInt(1_000_000);
        final int before = 20 + random.nextInt(120);
        final int after = 20 + random.nextInt(120);
        final int tickEvery = 1 + random.nextInt(5);
        long now = start;
        try (Replica a = new Replica(root.resolve("a"), start))
        {
            for (int i = 0; i < before; i++)
            {
                now += random.nextInt(400);
                a.apply(next(random, a.machine.state(), now));
                if (i % tickEvery == 0)
                {
                    a.tick(now);
                }
            }
            final ExpandableArrayBuffer snapshot = new ExpandableArrayBuffer(4096);
            final int length = a.machine.encodeSnapshot(snapshot);
            assertArrayEquals(Arrays.copyOf(snapshot.byteArray(), length), captured(a, root.resolve("snapshots")),
                "a snapshot encoded at once equals one captured a slice at a time");
            final long point = a.journal.endPosition();
            a.journal.flush();
            a.cold.force();
            copy(root.resolve("a"), root.resolve("b"));
            try (Replica b = new Replica(root.resolve("b"), now + random.nextInt(100_000) - 50_000))
            {
                assertEquals(point, b.journal.endPosition(), "B's journal ends at the snapshot's position");
                b.machine.loadSnapshot(snapshot, length);
                assertEquals(0, b.journal.replay(point, b.machine), "nothing to replay after the snapshot");
                assertEquals(a.machine.digest(), b.machine.digest(), "digest at the point");
                assertEquals(a.machine.workersConnected(), b.machine.workersConnected(), "workers at the point");
                SESSIONS.addAndGet(b.machine.workersConnected());
                LEASES.addAndGet(b.machine.tasksLeased());
                final long dispatchedBefore = a.machine.tasksDispatched();
                for (int i = 0; i < after; i++)
                {
                    now += random.nextInt(random.nextInt(8) == 0 ? 6_000 : 400);
                    final Command command = next(random, a.machine.state(), now);
                    a.apply(command);
                    b.apply(command);
                    if (i % tickEvery == 0)
                    {
                        a.tick(now);
                        b.tick(now);
                    }
                }
                now += 10_000;
                a.tick(now);
                b.tick(now);
                final List<String> fromA = a.recordsFrom(point);
                final List<String> fromB = b.recordsFrom(point);
                assertTrue(!fromA.isEmpty(), "A wrote after the point");
                assertEquals(fromA.size(), fromB.size(), "records after the point");
                for (int i = 0; i < fromA.size(); i++)
                {
                    assertEquals(fromA.get(i), fromB.get(i), "record " + i + " after the point");
                }
                assertEquals(a.machine.digest(), b.machine.digest(), "digest at the end");
                DISPATCHED.addAndGet(a.machine.tasksDispatched() - dispatchedBefore);
                EXPIRIES.addAndGet(a.machine.leaseExpiries() + a.machine.attemptTimeouts());
                RETIRED.addAndGet(a.machine.workflowsRetired());
                assertEquals(a.journal.endPosition(), b.journal.endPosition());
            }
        }
    }

    @Test
    void leaseExpiryAndTimerDeadlineSurviveASnapshot() throws IOException
    {
        final Path root = Files.createTempDirectory("axiom-replica");
        try (Replica a = new Replica(root.resolve("a"), START))
        {
            a.apply(new Command(1, helloOf(1, 2, "T0"), START));
            a.apply(new Command(0, createOf(new StepSpec("T0", io.axiom.core.api.StepKind.TASK, 0, 0, 2, 500,
                2_000, 2.0)), START + 10));
            final Workflow w = a.machine.state().workflow(1);
            assertEquals(START + 10 + LEASE_MS, w.lease.expiresAt, "dealt at once");
            a.apply(new Command(1, heartbeatOf(1, w), START + 700));
            assertEquals(START + 700 + LEASE_MS, w.lease.expiresAt, "a heartbeat moved the expiry on");
            assertEquals(START + 10 + LEASE_MS, w.lease.timerDeadline, "its timer stays where it was armed");
            try (Replica b = restore(a, root))
            {
                final Workflow restored = b.machine.state().workflow(1);
                assertEquals(w.lease.expiresAt, restored.lease.expiresAt, "expiry");
                assertEquals(w.lease.timerDeadline, restored.lease.timerDeadline, "armed deadline");
                assertEquals(1, restored.lease.session.routeKey, "the lease's session");
                assertEquals(1, restored.lease.session.inFlight, "the session's task in flight");
                for (final Replica r : List.of(a, b))
                {
                    r.tick(START + 10 + LEASE_MS); // the timer finds the lease extended and is set again
                    assertEquals(0, r.machine.leaseExpiries());
                    r.tick(START + 700 + LEASE_MS);
                    assertEquals(1, r.machine.leaseExpiries(), "expired at the heartbeat's expiry");
                }
                assertEquals(a.machine.digest(), b.machine.digest());
            }
        }
        finally
        {
            delete(root);
        }
    }

    @Test
    void theDealersSessionsSurviveASnapshotAndAreLeftOutWithoutAResolver() throws IOException
    {
        final Path root = Files.createTempDirectory("axiom-replica");
        try (Replica a = new Replica(root.resolve("a"), START))
        {
            a.apply(new Command(3, helloOf(3, 1, "T1", "T0"), START));
            a.apply(new Command(1, helloOf(1, 2, "T0", "T2"), START));
            a.apply(new Command(2, helloOf(2, 3, "T2"), START));
            a.apply(new Command(7, helloOf(7, 1, "T9"), START)); // a name no workflow uses
            a.apply(new Command(0, helloOf(9, 1, "T0"), START)); // not routable: left out
            for (int i = 0; i < 4; i++)
            {
                a.apply(new Command(0, createOf(new StepSpec("T" + i % 3, io.axiom.core.api.StepKind.TASK, 0, 0, 2,
                    500, 2_000, 2.0)), START + i));
            }
            assertEquals(5, a.machine.workersConnected());
            final ExpandableArrayBuffer snapshot = new ExpandableArrayBuffer(4096);
            final int length = a.machine.encodeSnapshot(snapshot);
            try (Replica b = restore(a, root))
            {
                assertEquals(4, b.machine.workersConnected(), "the routable sessions");
                final ExpandableArrayBuffer again = new ExpandableArrayBuffer(4096);
                assertEquals(length, b.machine.encodeSnapshot(again));
                assertArrayEquals(Arrays.copyOf(snapshot.byteArray(), length), Arrays.copyOf(again.byteArray(), length),
                    "a loaded snapshot encodes to the same bytes");
                final Dealer.Session session = b.machine.state().workflow(1).lease.session;
                assertEquals(b.replyTo(session.routeKey), session.replyTo, "the resolver's connection");
                b.apply(new Command(7, goodbyeOf(7), START + 100));
                assertEquals(null, b.machine.state().taskQueues.find("T9"), "a worker's own queue leaves with it");
            }
            delete(root.resolve("b"));
            copy(root.resolve("a"), root.resolve("b"));
            try (Replica c = new Replica(root.resolve("b"), START))
            {
                c.machine.routeResolver(null);
                c.machine.loadSnapshot(snapshot, length);
                assertEquals(0, c.machine.workersConnected(), "single node: workers say hello again");
                assertEquals(a.machine.digest(), c.machine.digest());
            }
        }
        finally
        {
            delete(root);
        }
    }

    private static Replica restore(final Replica a, final Path root) throws IOException
    {
        final ExpandableArrayBuffer snapshot = new ExpandableArrayBuffer(4096);
        final int length = a.machine.encodeSnapshot(snapshot);
        a.journal.flush();
        a.cold.force();
        copy(root.resolve("a"), root.resolve("b"));
        final Replica b = new Replica(root.resolve("b"), START + 12_345);
        b.machine.loadSnapshot(snapshot, length);
        assertEquals(a.machine.digest(), b.machine.digest());
        return b;
    }

    /**
     * @return A's snapshot as a {@link SnapshotCapture} writes it (one workflow a slice), the file's payload.
     */
    private static byte[] captured(final Replica a, final Path dir) throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir, 10);
        final EngineCounters counters = new EngineCounters();
        final long position = a.journal.endPosition();
        try (SnapshotWriter writer = new SnapshotWriter(store, counters))
        {
            final SnapshotCapture capture = a.machine.snapshotCapture(writer);
            writer.begin(position, a.journal.lastPosition(), a.journal.lastSequence(), a.journal.lastChecksum(),
                System.nanoTime());
            capture.mark(a.machine.tableSize());
            while (capture.active())
            {
                capture.sweep(1);
            }
            writer.awaitIdle();
            a.machine.state().capture = null;
        }
        try (Stream<Path> files = Files.list(dir.resolve(SnapshotStore.DIRECTORY)))
        {
            final Path file = files.filter(f -> f.toString().endsWith(".snap")).findFirst().orElseThrow();
            final byte[] bytes = Files.readAllBytes(file);
            final byte[] payload = Arrays.copyOfRange(bytes, 64, bytes.length);
            Files.delete(file);
            return payload;
        }
    }

    // ------------------------------------------------------------------------------------------------ commands

    private static Command next(final Random random, final EngineState state, final long now)
    {
        final int kind = random.nextInt(20);
        final long routeKey = 1 + random.nextInt(3);
        final Workflow leased = leased(random, state);
        return switch (kind)
        {
            case 0, 1, 2, 3, 4 -> new Command(0, create(random), now);
            case 5, 6 -> new Command(routeKey, hello(routeKey, random), now);
            case 7 -> new Command(routeKey, encode(b -> MessageHeaderEncoder.ENCODED_LENGTH + new WorkerGoodbyeEncoder()
                .wrapAndApplyHeader(b, 0, WIRE_HEADER).workerId(routeKey).encodedLength()), now);
            case 8, 9, 10 -> null == leased ? new Command(0, create(random), now) :
                new Command(routeKey, encode(b -> MessageHeaderEncoder.ENCODED_LENGTH + new HeartbeatEncoder()
                .wrapAndApplyHeader(b, 0, WIRE_HEADER).workerId(routeKey).taskId(leased.id)
                .fencingToken(leased.lease.token).encodedLength()), now);
            case 11, 12, 13 -> null == leased ? new Command(0, advance(random, state), now) :
                new Command(routeKey, encode(b ->
                {
                    final byte[] out = ("{\"n\":" + random.nextInt(100) + "}").getBytes(StandardCharsets.UTF_8);
                    return MessageHeaderEncoder.ENCODED_LENGTH + new TaskCompletedEncoder()
                        .wrapAndApplyHeader(b, 0, WIRE_HEADER).workerId(routeKey).taskId(leased.id)
                        .fencingToken(leased.lease.token).putOutput(out, 0, out.length).encodedLength();
                }), now);
            case 14 -> null == leased ? new Command(0, create(random), now) :
                new Command(routeKey, encode(b -> MessageHeaderEncoder.ENCODED_LENGTH + new TaskFailedEncoder()
                .wrapAndApplyHeader(b, 0, WIRE_HEADER).workerId(routeKey).taskId(leased.id)
                .fencingToken(leased.lease.token).retryable((short)(random.nextBoolean() ? 1 : 0)).error("e")
                .encodedLength()), now);
            case 15, 16, 17 -> new Command(0, advance(random, state), now);
            default -> new Command(0, encode(b ->
            {
                final byte[] why = "why".getBytes(StandardCharsets.UTF_8);
                return io.axiom.codecs.MessageHeaderEncoder.ENCODED_LENGTH + new CancelWorkflowEncoder()
                    .wrapAndApplyHeader(b, 0, HEADER).correlationId(0).workflowId(anyId(random, state))
                    .expectedStepIndex(-1).putReason(why, 0, why.length).putIdempotencyKey(new byte[0], 0, 0)
                    .encodedLength();
            }), now);
        };
    }

    private static Workflow leased(final Random random, final EngineState state)
    {
        final List<Workflow> leased = new ArrayList<>();
        for (int i = 0, size = state.workflows.size(); i < size; i++)
        {
            final Workflow w = state.workflows.get(i);
            if (null != w && null != w.lease)
            {
                leased.add(w);
            }
        }
        return leased.isEmpty() ? null : leased.get(random.nextInt(leased.size()));
    }

    private static long anyId(final Random random, final EngineState state)
    {
        return 1 + random.nextInt(Math.max(1, state.workflows.size()));
    }

    private static byte[] advance(final Random random, final EngineState state)
    {
        final long id = anyId(random, state);
        return encode(b ->
        {
            final byte[] out = "{}".getBytes(StandardCharsets.UTF_8);
            return io.axiom.codecs.MessageHeaderEncoder.ENCODED_LENGTH + new AdvanceWorkflowEncoder()
                .wrapAndApplyHeader(b, 0, HEADER).correlationId(0).workflowId(id).expectedStepIndex(-1)
                .putExpectedStep(new byte[0], 0, 0).putOutput(out, 0, out.length).putIdempotencyKey(new byte[0], 0, 0)
                .encodedLength();
        });
    }

    private static byte[] hello(final long routeKey, final Random random)
    {
        final List<String> names = new ArrayList<>();
        for (final String name : STEP_NAMES)
        {
            if (random.nextInt(3) != 0)
            {
                names.add(name);
            }
        }
        return helloOf(routeKey, 1 + random.nextInt(3), names.toArray(new String[0]));
    }

    private static byte[] helloOf(final long routeKey, final int capacity, final String... stepNames)
    {
        final List<String> names = List.of(stepNames);
        return encode(b ->
        {
            final WorkerHelloEncoder e = new WorkerHelloEncoder().wrapAndApplyHeader(b, 0, WIRE_HEADER)
                .workerId(routeKey).capacity(capacity).responseStreamId(0);
            final WorkerHelloEncoder.StepNamesEncoder steps = e.stepNamesCount(names.size());
            for (final String name : names)
            {
                steps.next().name(name);
            }
            e.responseChannel("test");
            return MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
        });
    }

    private static byte[] heartbeatOf(final long routeKey, final Workflow leased)
    {
        return encode(b -> MessageHeaderEncoder.ENCODED_LENGTH + new HeartbeatEncoder()
            .wrapAndApplyHeader(b, 0, WIRE_HEADER).workerId(routeKey).taskId(leased.id)
            .fencingToken(leased.lease.token).encodedLength());
    }

    private static byte[] goodbyeOf(final long routeKey)
    {
        return encode(b -> MessageHeaderEncoder.ENCODED_LENGTH + new WorkerGoodbyeEncoder()
            .wrapAndApplyHeader(b, 0, WIRE_HEADER).workerId(routeKey).encodedLength());
    }

    private static byte[] create(final Random random)
    {
        final int stepCount = 1 + random.nextInt(3);
        final StepSpec[] steps = new StepSpec[stepCount];
        for (int i = 0; i < stepCount; i++)
        {
            final int kind = random.nextInt(5);
            final String name = STEP_NAMES[random.nextInt(STEP_NAMES.length)];
            steps[i] = kind <= 2 ? new StepSpec(name, io.axiom.core.api.StepKind.TASK, random.nextInt(3) * 2_000L, 0,
                2, 500, 2_000, 2.0) :
                kind == 3 ? StepSpec.timer("wait", 1 + random.nextInt(3_000)) : StepSpec.approval("ok");
        }
        return createWithKey(random.nextInt(4) == 0 ? "k" + random.nextInt(20) : "", steps);
    }

    private static byte[] createOf(final StepSpec... steps)
    {
        return createWithKey("", steps);
    }

    private static byte[] createWithKey(final String key, final StepSpec... steps)
    {
        return encode(b ->
        {
            final CreateWorkflowEncoder encoder = new CreateWorkflowEncoder().wrapAndApplyHeader(b, 0, HEADER)
                .correlationId(0);
            final CreateWorkflowEncoder.StepsEncoder group = encoder.stepsCount(steps.length);
            for (final StepSpec spec : steps)
            {
                final byte[] name = spec.name().getBytes(StandardCharsets.UTF_8);
                group.next().type(WorkflowDefinition.type(spec.kind())).timeoutMs(spec.timeoutMs())
                    .durationMs(spec.durationMs()).maxAttempts(spec.maxAttempts()).backoffMs(spec.backoffMs())
                    .maxBackoffMs(spec.maxBackoffMs()).multiplier(spec.multiplier()).putName(name, 0, name.length);
            }
            final byte[] name = "wf".getBytes(StandardCharsets.UTF_8);
            final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            final byte[] input = "{}".getBytes(StandardCharsets.UTF_8);
            encoder.putName(name, 0, name.length);
            encoder.putIdempotencyKey(keyBytes, 0, keyBytes.length);
            encoder.putInput(input, 0, input.length);
            return io.axiom.codecs.MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        });
    }

    interface Encoding
    {
        int encode(MutableDirectBuffer buffer);
    }

    private static byte[] encode(final Encoding encoding)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final int length = encoding.encode(buffer);
        return Arrays.copyOf(buffer.byteArray(), length);
    }

    // ------------------------------------------------------------------------------------------------ files

    private static void copy(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> files = Files.walk(from))
        {
            for (final Path file : files.sorted().toList())
            {
                final Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(target);
                }
                else if (!file.getFileName().toString().endsWith(".lock"))
                {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static void delete(final Path root) throws IOException
    {
        try (Stream<Path> files = Files.walk(root))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
