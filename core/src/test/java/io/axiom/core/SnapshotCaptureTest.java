package io.axiom.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.axiom.codecs.WorkflowState;
import io.axiom.journal.SnapshotStore;
import org.agrona.ExpandableDirectByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot captured a slice at a time while workflows change holds exactly the bytes the whole state encoded at
 * the mark had: every change after the mark is kept out by the pre-images, every workflow created after it is left
 * out, whatever the slices and the order of the changes; workflows that leave the heap (WorkflowRetired) before the
 * mark are runs of holes, and those that leave after it are kept as they were.
 */
class SnapshotCaptureTest
{
    private static final long START = 1_700_000_000_000L;
    private static final WorkflowState[] STATES = {
        WorkflowState.RUNNING, WorkflowState.WAITING, WorkflowState.COMPLETED, WorkflowState.CANCELLED};

    @TempDir
    Path dir;

    @Test
    void capturedWhileChangingEqualsTheStateAtTheMark() throws IOException
    {
        capture(2000, 200, 20);
    }

    @Test
    void preImagesSpanningManyPagesComeBackInOrder() throws IOException
    {
        // 20,000 workflows of 20 events: changes before their slice copy up to 3.5 MB, over several pre-image pages.
        capture(20_000, 4000, 4);
    }

    private void capture(final int workflows, final int changesPerSlice, final int rounds) throws IOException
    {
        final long seed = System.nanoTime();
        System.out.println("SnapshotCaptureTest seed " + seed);
        final Random random = new Random(seed);
        final EngineState state = new EngineState(START);
        final WorkflowDefinition[] definitions = {
            new WorkflowDefinition(1, new byte[0], 1), new WorkflowDefinition(3, new byte[0], 3)};
        for (int i = 0; i < workflows; i++)
        {
            final Workflow w = workflow(i + 1, definitions[random.nextInt(2)], random);
            for (int e = workflows > 2000 ? 19 : 0; e > 0; e--)
            {
                w.addEvent(random.nextLong() & Long.MAX_VALUE);
            }
            state.workflows.add(w);
        }
        state.putCreateKey("first", state.workflows.get(0));
        final SnapshotStore store = new SnapshotStore(dir, 100);
        final EngineCounters counters = new EngineCounters();
        try (SnapshotWriter writer = new SnapshotWriter(store, counters))
        {
            final SnapshotCapture capture = new SnapshotCapture(state, writer);
            state.capture = capture;
            for (int round = 0; round < rounds; round++)
            {
                final ExpandableDirectByteBuffer expected = new ExpandableDirectByteBuffer(1024);
                final int length = new SnapshotCodec(state).write(expected);
                final long position = 1000 + round;
                writer.begin(position, 64, round + 1, round, System.nanoTime());
                capture.mark(state.workflows.size());
                while (capture.active())
                {
                    capture.sweep(1 + random.nextInt(300));
                    final int changes = random.nextInt(changesPerSlice);
                    for (int c = 0; c < changes; c++)
                    {
                        change(state, random.nextInt(state.workflows.size()), random);
                    }
                    if (random.nextInt(4) == 0)
                    {
                        state.workflows.add(workflow(state.workflows.size() + 1, definitions[0], random));
                        state.putCreateKey("k" + round + "-" + c(random),
                            state.workflows.get(state.workflows.size() - 1));
                        state.putOperationKey("o" + round + "-" + c(random), c(random));
                    }
                }
                writer.awaitIdle();
                assertEquals(round + 1, counters.snapshotCount(), "seed " + seed + ", failure " +
                    counters.lastSnapshotError());
                final byte[] file = Files.readAllBytes(dir.resolve(SnapshotStore.DIRECTORY)
                    .resolve(String.format("snapshot-%020d.snap", position)));
                final byte[] want = new byte[length];
                expected.getBytes(0, want);
                assertArrayEquals(want, Arrays.copyOfRange(file, 64, file.length), "round " + round + ", seed " + seed);
                assertTrue(round == 0 || capture.preImageCount() > 0, "changes were copied, seed " + seed);
            }
        }
        System.out.println("SnapshotCaptureTest: " + workflows + " workflows, last round's pre-images " +
            state.capture.preImageCount());
        try (java.util.stream.Stream<Path> files = Files.list(dir.resolve(SnapshotStore.DIRECTORY)))
        {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".tmp")).toList());
        }
    }

    private static int c(final Random random)
    {
        return random.nextInt(1_000_000);
    }

    private static Workflow workflow(final long id, final WorkflowDefinition definition, final Random random)
    {
        final Workflow w = new Workflow(id, definition, 64 + id * 100, START + id);
        w.addEvent(64 + id * 100);
        w.state = WorkflowState.RUNNING;
        return w;
    }

    /**
     * What the applier does to a workflow, after telling the capture.
     */
    private static void change(final EngineState state, final int index, final Random random)
    {
        final Workflow w = state.workflows.get(index);
        if (null == w)
        {
            return; // it left the heap
        }
        state.capture.beforeWrite(index);
        switch (random.nextInt(6))
        {
            case 5 -> state.workflows.remove(index); // it leaves the heap (WorkflowRetired)
            case 0 -> w.addEvent(random.nextLong() & Long.MAX_VALUE);
            case 1 -> w.lease = null == w.lease ? new Lease(random.nextLong(), 7, 0, w.attempt, START) : null;
            case 2 -> w.completedPosition(random.nextInt(w.definition.stepCount()), random.nextInt(1 << 20));
            case 3 -> w.state = STATES[random.nextInt(STATES.length)];
            default ->
            {
                w.attempt++;
                w.updatedAt = START + random.nextInt(1 << 30);
                w.wakeAt = random.nextInt(3);
                w.flags ^= Workflow.ATTEMPT_FAILED;
            }
        }
    }
}
