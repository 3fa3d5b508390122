package io.axiom.core;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Random;

import io.axiom.codecs.WorkflowState;
import io.axiom.journal.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What snapshots cost the processor thread in allocation: nothing per change when no snapshot is being captured,
 * and, once the pages, the pre-image area and its index have grown to a snapshot's size, nothing per workflow
 * encoded or copied when one is (so the copying is bounded and amortised: buffers are reused snapshot after
 * snapshot).
 */
class SnapshotCaptureAllocationTest
{
    private static final long START = 1_700_000_000_000L;
    private static final int WORKFLOWS = 100_000;

    @TempDir
    Path dir;

    @Test
    void nothingPerChangeWhenIdleAndNothingPerWorkflowOnceBuffersHaveGrown()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long self = Thread.currentThread().threadId();
        final EngineState state = new EngineState(START);
        final WorkflowDefinition definition = new WorkflowDefinition(2, new byte[0], 2);
        for (int i = 0; i < WORKFLOWS; i++)
        {
            final Workflow w = new Workflow(i + 1, definition, 64 + i * 300L, START + i);
            w.addEvent(64 + i * 300L);
            w.state = WorkflowState.RUNNING;
            state.workflows.add(w);
        }
        final EngineCounters counters = new EngineCounters();
        try (SnapshotWriter writer = new SnapshotWriter(new SnapshotStore(dir, 2), counters))
        {
            final SnapshotCapture capture = new SnapshotCapture(state, writer);
            state.capture = capture;

            long before = threads.getThreadAllocatedBytes(self);
            for (int round = 0; round < 10; round++)
            {
                for (int i = 0; i < WORKFLOWS; i++)
                {
                    capture.beforeWrite(i);
                }
            }
            final long idle = threads.getThreadAllocatedBytes(self) - before;
            assertTrue(idle < 4096, "1,000,000 changes with no snapshot being captured allocated " + idle + " bytes");

            long captured = 0;
            for (int round = 0; round < 3; round++)
            {
                final Random random = new Random(round);
                before = threads.getThreadAllocatedBytes(self);
                writer.begin(1000 + round, 64, 1, 0, 0);
                capture.mark(WORKFLOWS);
                while (capture.active())
                {
                    capture.sweep(1000);
                    for (int c = 0; c < 200; c++)
                    {
                        capture.beforeWrite(random.nextInt(WORKFLOWS));
                    }
                }
                captured = threads.getThreadAllocatedBytes(self) - before;
                writer.awaitIdle();
            }
            assertEquals(3, counters.snapshotCount());
            assertTrue(captured < 16 * 1024, "a snapshot of " + WORKFLOWS + " workflows with " +
                capture.preImageCount() + " pre-images allocated " + captured + " bytes on the processor, buffers " +
                "grown");
            System.out.println("SnapshotCaptureAllocationTest: idle " + idle + " bytes per 1,000,000 changes; " +
                "third snapshot " + captured + " bytes with " + capture.preImageCount() + " pre-images");
        }
    }
}
