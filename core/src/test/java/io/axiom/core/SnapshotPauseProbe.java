package io.axiom.core;

import java.nio.file.Path;
import java.util.Random;

import io.axiom.codecs.WorkflowState;
import io.axiom.journal.SnapshotStore;
import org.agrona.ExpandableDirectByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a snapshot holds the processor, before and after capture by slices: not a test of behaviour but a probe,
 * run on demand ({@code -Daxiom.probe=true -Dtest=SnapshotPauseProbe}, optionally {@code -Daxiom.probe.workflows=N},
 * {@code -Daxiom.probe.keys=N} (idempotency keys, encoded at the mark), {@code -Daxiom.probe.slice=N}; give the test
 * JVM a heap with {@code -Daxiom.test.heap=4g}). The state is built directly: N workflows of 3 steps with 6 events
 * each. "Before" is what the processor did per snapshot until now: the whole state's length and encoding, on its
 * thread. "After" is the mark and then every slice, with 200 workflows changed between slices (the pre-images a batch
 * of commands on random workflows costs); the file is written by the writer thread meanwhile. Each is run 3 times
 * and the last run printed (the first ones warm up). The longest slice is given in wall time (what a command waits,
 * preemptions and GC pauses of a shared machine included) and in the thread's CPU time (what the slice costs).
 */
@EnabledIfSystemProperty(named = "axiom.probe", matches = "true")
class SnapshotPauseProbe
{
    private static final long START = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void probe()
    {
        final int n = Integer.getInteger("axiom.probe.workflows", 1_000_000);
        final int keys = Integer.getInteger("axiom.probe.keys", 0);
        final int slice = Integer.getInteger("axiom.probe.slice", EngineContext.SNAPSHOT_SLICE_WORKFLOWS_DEFAULT);
        final EngineState state = new EngineState(START);
        final WorkflowDefinition definition = new WorkflowDefinition(3, new byte[0], 3);
        for (int i = 0; i < n; i++)
        {
            final Workflow w = new Workflow(i + 1, definition, 64 + i * 600L, START + i);
            for (int e = 0; e < 6; e++)
            {
                w.addEvent(64 + i * 600L + e * 100);
            }
            w.completedPosition(0, 64 + i * 600L + 200);
            w.state = WorkflowState.RUNNING;
            state.workflows.add(w);
        }
        for (int k = 0; k < keys; k++)
        {
            state.putCreateKey("idempotency-key-" + k, state.workflows.get(k % n));
        }
        final Random random = new Random(42);
        final ExpandableDirectByteBuffer whole = new ExpandableDirectByteBuffer(64);
        final EngineCounters counters = new EngineCounters();
        final SnapshotStore store = new SnapshotStore(dir, 1);
        long beforeNs = 0;
        long length = 0;
        long markNs = 0;
        long longestSliceNs = 0;
        long longestSliceCpuNs = 0;
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long totalNs = 0;
        long writtenNs = 0;
        int slices = 0;
        try (SnapshotWriter writer = new SnapshotWriter(store, counters))
        {
            final SnapshotCapture capture = new SnapshotCapture(state, writer);
            state.capture = capture;
            for (int round = 0; round < 3; round++)
            {
                final SnapshotCodec codec = new SnapshotCodec(state);
                final long beforeStart = System.nanoTime();
                whole.checkLimit(codec.length());
                length = codec.write(whole);
                beforeNs = System.nanoTime() - beforeStart;

                final long start = System.nanoTime();
                writer.begin(1000 + round, 64, 1, 0, start);
                capture.mark(n);
                markNs = System.nanoTime() - start;
                longestSliceNs = markNs;
                totalNs = markNs;
                slices = 0;
                longestSliceCpuNs = 0;
                while (capture.active())
                {
                    final long sliceCpuStart = threads.getCurrentThreadCpuTime();
                    final long sliceStart = System.nanoTime();
                    capture.sweep(slice);
                    final long sliceNs = System.nanoTime() - sliceStart;
                    longestSliceCpuNs = Math.max(longestSliceCpuNs, threads.getCurrentThreadCpuTime() - sliceCpuStart);
                    longestSliceNs = Math.max(longestSliceNs, sliceNs);
                    totalNs += sliceNs;
                    slices++;
                    for (int c = 0; c < 200; c++)
                    {
                        final long changeStart = System.nanoTime();
                        final int index = random.nextInt(n);
                        capture.beforeWrite(index);
                        state.workflows.get(index).updatedAt++;
                        totalNs += System.nanoTime() - changeStart;
                    }
                }
                writer.awaitIdle();
                writtenNs = System.nanoTime() - start;
            }
            System.out.printf("SnapshotPauseProbe: %,d workflows, %,d keys, %,d bytes%n", n, keys, length);
            System.out.printf("  before (whole state on the processor): %.1f ms%n", beforeNs / 1e6);
            System.out.printf("  after: mark %.2f ms, %d slices of %d workflows, longest %.2f ms (wall; %.2f ms of " +
                "thread CPU), processor total %.1f ms, pre-images %,d; written (fsync, rename) after %.0f ms; " +
                "snapshots %d, failures %d%n",
                markNs / 1e6, slices, slice, longestSliceNs / 1e6, longestSliceCpuNs / 1e6, totalNs / 1e6,
                capture.preImageCount(),
                writtenNs / 1e6, counters.snapshotCount(), counters.snapshotFailures());
        }
    }
}
