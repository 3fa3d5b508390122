package io.axiom.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.StepSpec;
import io.axiom.journal.SnapshotStore;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery from a snapshot and the log after it equals recovery from the whole log (the same state digest), over random
 * histories: creates with and without an Idempotency-Key, task completions, failures and retries through the worker
 * protocol, approvals, cancels, timers fired by a clock the test drives, and snapshots taken on demand and every few
 * events while these commands flow (after up to 40 workflows created first). Each snapshot is captured one workflow per duty cycle and each duty cycle is
 * slowed a little (a park in the processor's fault seam), so a capture spans several commands and workflows change
 * under it (pre-images). Bounded: 50 tries, histories of at most 40 steps, shrinking bounded.
 */
class SnapshotRecoveryPropertiesTest
{
    private static final AtomicLong PRE_IMAGES = new AtomicLong();
    private static final AtomicLong SNAPSHOTS_CHECKED = new AtomicLong();

    record Op(int kind, int target, int stepMix, long millis)
    {
    }

    @Provide
    Arbitrary<List<Op>> history()
    {
        final Arbitrary<Op> op = Combinators.combine(
            Arbitraries.integers().between(0, 9),
            Arbitraries.integers().between(0, 50),
            Arbitraries.integers().between(0, 26),
            Arbitraries.longs().between(1, 3_000))
            .as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 50, shrinking = ShrinkingMode.BOUNDED)
    void snapshotAndTailEqualTheWholeLog(
        @ForAll("history") final List<Op> ops,
        @ForAll @IntRange(min = 4, max = 40) final int intervalEvents,
        @ForAll @IntRange(min = 0, max = 40) final int setup) throws IOException
    {
        final Path dir = Files.createTempDirectory("axiom-snapprop");
        final List<Thread> takes = new ArrayList<>();
        final List<EngineReply> taken = java.util.Collections.synchronizedList(new ArrayList<>());
        final Consumer<EngineContext> settings = ctx -> ctx.fsync(false).snapshotRetain(1000)
            .leaseDurationMs(1_500).workerTimeoutMs(4_000);
        final AtomicReference<EngineCounters> counters = new AtomicReference<>();
        try (EngineFixture f = new EngineFixture(dir.resolve("data"), ctx -> settings.accept(ctx
            .snapshotIntervalEvents(intervalEvents)
            .snapshotSliceWorkflows(1)
            .dutyCycleFaults(() ->
            {
                // a capture's duty cycles are slowed so that it spans several of the commands that follow
                final EngineCounters c = counters.get();
                if (null != c && c.snapshotCapturing())
                {
                    LockSupport.parkNanos(300_000);
                }
            }))))
        {
            counters.set(f.engine.counters());
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(2, "T0", "T1", "T2");
            final List<TestWorker.Assigned> held = new ArrayList<>();
            for (int i = 0; i < setup; i++)
            {
                // workflows already there, so that a capture spans many commands
                f.client().create(new CreateWorkflow("setup", steps(i % 27), "{}".getBytes(StandardCharsets.UTF_8),
                    null), TIMEOUT);
            }
            for (final Op op : ops)
            {
                for (TestWorker.Frame frame = worker.poll(); null != frame; frame = worker.poll())
                {
                    if (frame instanceof TestWorker.Assigned assigned)
                    {
                        held.add(assigned);
                    }
                }
                switch (op.kind())
                {
                    case 0, 1 -> f.client().create(new CreateWorkflow("wf" + op.target() % 3, steps(op.stepMix()),
                        "{}".getBytes(StandardCharsets.UTF_8), op.target() % 4 == 0 ? "k" + op.target() : null),
                        TIMEOUT);
                    case 2 -> f.client().advance(op.target(), null,
                        ("{\"n\":" + op.millis() + "}").getBytes(StandardCharsets.UTF_8), TIMEOUT);
                    case 3 -> f.client().cancel(op.target(), "why " + op.millis(), TIMEOUT);
                    case 4 -> f.advanceClock(op.millis());
                    case 5 ->
                    {
                        // on demand, without waiting: the commands that follow flow while it is captured
                        final Thread take = new Thread(() -> taken.add(f.client().takeSnapshot(TIMEOUT)));
                        take.start();
                        takes.add(take);
                    }
                    default ->
                    {
                        if (!held.isEmpty())
                        {
                            final TestWorker.Assigned task = held.get(op.target() % held.size());
                            if (op.kind() <= 7)
                            {
                                worker.complete(task.taskId(), task.token(), "{\"by\":\"worker\"}");
                            }
                            else
                            {
                                worker.fail(task.taskId(), task.token(), op.millis() % 2 == 0, "e" + op.millis());
                            }
                            TestWorker.Frame answer = worker.next();
                            while (answer instanceof TestWorker.Assigned assigned)
                            {
                                held.add(assigned);
                                answer = worker.next();
                            }
                            held.remove(task);
                        }
                    }
                }
            }
            for (final Thread take : takes)
            {
                take.join(TIMEOUT.toMillis());
            }
            for (final EngineReply reply : taken)
            {
                assertTrue(reply instanceof EngineReply.SnapshotTaken ||
                    reply instanceof EngineReply.Problem p && "NOTHING_TO_SNAPSHOT".equals(p.code()), reply::toString);
            }
            f.close();
            PRE_IMAGES.addAndGet(f.engine.counters().snapshotPreImages());
            assertEquals(0, f.engine.counters().snapshotFailures());

            final long now = f.clock.get();
            final long whole = recoveredDigest(dir, f.dir, null, now, settings);
            final List<Path> snapshots = new SnapshotStore(f.dir, 1000).list();
            final int n = snapshots.size();
            for (final int i : n <= 3 ? java.util.stream.IntStream.range(0, n).toArray() : new int[]{0, n / 2, n - 1})
            {
                assertEquals(whole, recoveredDigest(dir, f.dir, snapshots.get(i), now, settings),
                    "recovered from " + snapshots.get(i).getFileName() + " vs the whole log; history " + ops);
                SNAPSHOTS_CHECKED.incrementAndGet();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        finally
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @AfterContainer
    static void snapshotsWereCapturedWhileWorkflowsChanged()
    {
        System.out.println("SnapshotRecoveryPropertiesTest: " + SNAPSHOTS_CHECKED.get() + " snapshots checked, " +
            PRE_IMAGES.get() + " pre-images (workflows changed while a snapshot held them)");
        assertTrue(SNAPSHOTS_CHECKED.get() > 0, "snapshots checked");
        assertTrue(PRE_IMAGES.get() > 0, "some snapshot was captured while commands changed its workflows");
    }

    /**
     * Recover a copy of the data directory holding only the given snapshot (none: the whole log is replayed), with
     * the clock where the history left it, and return the state's digest after a clean close.
     */
    private static long recoveredDigest(
        final Path root, final Path data, final Path snapshot, final long now, final Consumer<EngineContext> settings)
        throws IOException
    {
        final Path copy = root.resolve(null == snapshot ? "whole" : "from-" + snapshot.getFileName());
        copyWithOnly(data, copy, snapshot);
        final EngineFixture recovered = new EngineFixture(copy, new AtomicLong(now), settings);
        final long from = recovered.engine.counters().recoveredFromPosition();
        recovered.close();
        if (null == snapshot)
        {
            assertEquals(0, from);
        }
        else
        {
            assertEquals(Long.parseLong(snapshot.getFileName().toString().substring(9, 29)), from);
        }
        assertInstanceOf(Long.class, from);
        return recovered.engine.digestAfterClose();
    }

    private static List<StepSpec> steps(final int mix)
    {
        final List<StepSpec> steps = new ArrayList<>();
        int m = mix;
        for (int i = 0; i < 3; i++)
        {
            switch (m % 3)
            {
                case 0 -> steps.add(StepSpec.task("T" + i));
                case 1 -> steps.add(StepSpec.approval("A" + i));
                default -> steps.add(StepSpec.timer("W" + i, 1_000 + i));
            }
            m /= 3;
        }
        return steps;
    }

    private static void copyWithOnly(final Path from, final Path to, final Path snapshot) throws IOException
    {
        try (Stream<Path> files = Files.walk(from))
        {
            for (final Path file : files.toList())
            {
                final Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(target);
                }
                else if (!file.getParent().getFileName().toString().equals(SnapshotStore.DIRECTORY) ||
                    file.equals(snapshot))
                {
                    Files.copy(file, target);
                }
            }
        }
    }
}
