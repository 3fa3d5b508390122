package io.axiom.core;

import java.util.concurrent.atomic.AtomicLongArray;

import io.axiom.codecs.WorkflowState;
import io.axiom.journal.RecoveryReport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Figures the processor publishes once per duty cycle for other threads to read (readiness, metrics, tests).
 * <p>
 * Written by the processor thread only; every field is volatile or atomic, so readers see a recent, consistent
 * enough picture without touching processor state.
 */
public final class EngineCounters
{
    private volatile long tasksLeased;
    private volatile long workersConnected;
    private volatile long tasksDispatched;
    private volatile long completionsAccepted;
    private volatile long failuresAccepted;
    private volatile long leaseExpiries;
    private volatile long attemptTimeouts;
    private volatile long retries;
    private final java.util.concurrent.atomic.AtomicLongArray rejections =
        new java.util.concurrent.atomic.AtomicLongArray(io.axiom.wire.RejectReason.values().length);
    private volatile long readFailures;
    private volatile long lostReplies;
    private volatile java.util.function.Supplier<io.axiom.journal.StorageState> storage;
    private static final int STATES = WorkflowState.values().length - 1;

    private volatile boolean ready;
    private volatile long journalPosition;
    private volatile long eventCount;
    private volatile long workflowCount;
    private volatile long ringOccupancy;
    private volatile long fsyncCount;
    private volatile long fsyncNanosTotal;
    private volatile long fsyncNanosMax;
    private volatile long batchCount;
    private volatile long commandCount;
    private volatile long maxBatchSize;
    private volatile long timerCount;
    private volatile long workflowsOnHeap;
    private volatile long workflowsRetired;
    private volatile long coldStoreBytes;
    private volatile long recoveryNanos;
    private volatile long recoveredRecords;
    private volatile RecoveryReport recoveryReport;
    private volatile long recoveredFromPosition;
    private volatile java.util.List<String> snapshotNotes = java.util.List.of();
    private volatile io.axiom.journal.BackgroundVerifier backgroundVerifier;
    private volatile long recoveryOpenNanos;
    private volatile long recoverySnapshotNanos;
    private volatile long recoveryReplayNanos;
    private volatile long snapshotCount;
    private volatile long lastSnapshotPosition;
    private volatile long lastSnapshotBytes;
    private volatile long lastSnapshotNanos;
    private volatile long eventsReleased;
    private volatile long tasksQueued;
    private volatile long sinkErrors;
    private volatile long snapshotFailures;
    private volatile long segmentsArchived;
    private volatile long segmentsDeleted;
    private volatile long archiveBytes;
    private volatile long retentionFailures;
    private volatile long snapshotPreImages;
    private volatile long snapshotLongestSliceNs;
    private volatile long lastSnapshotLongestSliceNs;
    private volatile boolean snapshotInProgress;
    private volatile boolean snapshotCapturing;
    private volatile RuntimeException lastSnapshotError;
    private volatile RuntimeException lastSinkError;
    private final AtomicLongArray stateCounts = new AtomicLongArray(STATES);
    private final Recorder fsyncLatency = new Recorder(3);
    private final Recorder batchSizes = new Recorder(3);
    private final Recorder commandLatency = new Recorder(3);

    void recovered(
        final RecoveryReport report,
        final long records,
        final long nanos,
        final long fromPosition,
        final java.util.List<String> snapshotNotes)
    {
        recoveredFromPosition = fromPosition;
        this.snapshotNotes = snapshotNotes;
        recoveryReport = report;
        recoveredRecords = records;
        recoveryNanos = nanos;
    }

    /**
     * @param storage reads the journal's storage state (volatile inside the journal, safe from any thread).
     */
    void storage(final java.util.function.Supplier<io.axiom.journal.StorageState> storage)
    {
        this.storage = storage;
    }

    /**
     * @return the journal's storage state now (OK, LOW: below two segments free, FULL: writes refused), or null
     * before the journal is open.
     */
    public io.axiom.journal.StorageState storageState()
    {
        final java.util.function.Supplier<io.axiom.journal.StorageState> s = storage;
        return null == s ? null : s.get();
    }

    /**
     * The processor marked a snapshot: it is being captured, then written.
     */
    void snapshotStarted()
    {
        snapshotCapturing = true;
        snapshotInProgress = true;
    }

    /**
     * @return true from the processor's mark until the snapshot is durable or has failed.
     */
    public boolean snapshotInProgress()
    {
        return snapshotInProgress;
    }

    /**
     * @return true while the processor is capturing a snapshot (its slices are being encoded).
     */
    public boolean snapshotCapturing()
    {
        return snapshotCapturing;
    }

    /**
     * @return the longest slice of encoding the processor did for the last snapshot captured, in nanoseconds.
     */
    public long lastSnapshotLongestSliceNs()
    {
        return lastSnapshotLongestSliceNs;
    }

    void snapshot(final long position, final long bytes, final long nanos)
    {
        snapshotInProgress = false;
        snapshotCount++;
        lastSnapshotPosition = position;
        lastSnapshotBytes = bytes;
        lastSnapshotNanos = nanos;
    }

    /**
     * Retention retired a segment (processor thread): archived (bytes of its archive) or deleted by policy; either
     * way its file joined the pool for reuse.
     */
    void segmentRetired(final boolean archived, final long bytes)
    {
        if (archived)
        {
            segmentsArchived++;
            archiveBytes += bytes;
        }
        else
        {
            segmentsDeleted++;
        }
    }

    /**
     * Retention could not archive or delete a segment (it stays live and is tried again).
     */
    void retentionFailed()
    {
        retentionFailures++;
    }

    /**
     * @return segments retention archived since start.
     */
    public long segmentsArchived()
    {
        return segmentsArchived;
    }

    /**
     * @return segments whose records retention deleted (policy delete) since start.
     */
    public long segmentsDeleted()
    {
        return segmentsDeleted;
    }

    /**
     * @return segments retired into the pool of files recycled as new segments since start (archived + deleted).
     */
    public long segmentsRecycled()
    {
        return segmentsArchived + segmentsDeleted;
    }

    /**
     * @return bytes of the archives written since start.
     */
    public long archiveBytes()
    {
        return archiveBytes;
    }

    /**
     * @return archiving or deleting attempts that failed since start.
     */
    public long retentionFailures()
    {
        return retentionFailures;
    }

    /**
     * A snapshot's capture on the processor ended (its writing may still be under way).
     *
     * @param preImages      workflows copied before a change while it was captured.
     * @param longestSliceNs the longest slice of encoding the processor did for any snapshot so far.
     * @param lastLongestSliceNs the longest slice of this snapshot.
     */
    void snapshotCaptured(final long preImages, final long longestSliceNs, final long lastLongestSliceNs)
    {
        snapshotPreImages += preImages;
        snapshotLongestSliceNs = longestSliceNs;
        lastSnapshotLongestSliceNs = lastLongestSliceNs;
        snapshotCapturing = false;
    }

    /**
     * @return workflows copied (encoded as they were) before a change while a snapshot was captured, in total.
     */
    public long snapshotPreImages()
    {
        return snapshotPreImages;
    }

    /**
     * @return the longest time the processor spent encoding one slice of a snapshot, in nanoseconds.
     */
    public long snapshotLongestSliceNs()
    {
        return snapshotLongestSliceNs;
    }

    void ready()
    {
        ready = true;
    }

    void fsync(final long nanos)
    {
        fsyncLatency.recordValue(Math.max(0, nanos));
        fsyncCount++;
        fsyncNanosTotal += nanos;
        if (nanos > fsyncNanosMax)
        {
            fsyncNanosMax = nanos;
        }
    }

    void snapshotFailed(final RuntimeException ex)
    {
        snapshotInProgress = false;
        snapshotFailures++;
        lastSnapshotError = ex;
    }

    /**
     * @return snapshots that could not be written (recovery then replays from an older one or from the start).
     */
    public long snapshotFailures()
    {
        return snapshotFailures;
    }

    /**
     * @return why the last failed snapshot failed, or null.
     */
    public RuntimeException lastSnapshotError()
    {
        return lastSnapshotError;
    }

    void sinkError(final RuntimeException ex)
    {
        sinkErrors++;
        lastSinkError = ex;
    }

    /**
     * @return replies whose sink threw (the events behind them were durable; the reply was lost).
     */
    public long sinkErrors()
    {
        return sinkErrors;
    }

    /**
     * @return the last exception a reply sink threw, or null.
     */
    public RuntimeException lastSinkError()
    {
        return lastSinkError;
    }

    void commandLatency(final long nanos)
    {
        commandLatency.recordValue(Math.max(0, nanos));
    }

    void eventsReleased(final int count)
    {
        eventsReleased += count;
    }

    void batch(final int size)
    {
        batchSizes.recordValue(size);
        batchCount++;
        commandCount += size;
        if (size > maxBatchSize)
        {
            maxBatchSize = size;
        }
    }

    void publish(
        final long position,
        final long events,
        final long workflows,
        final long occupancy,
        final WorkflowStateMachine stateMachine)
    {
        journalPosition = position;
        eventCount = events;
        workflowCount = workflows;
        ringOccupancy = occupancy;
        timerCount = stateMachine.timerCount();
        workflowsOnHeap = stateMachine.workflowsOnHeap();
        workflowsRetired = stateMachine.workflowsRetired();
        coldStoreBytes = stateMachine.coldStoreBytes();
        tasksQueued = stateMachine.tasksQueued();
        readFailures = stateMachine.readFailures();
        tasksLeased = stateMachine.tasksLeased();
        workersConnected = stateMachine.workersConnected();
        tasksDispatched = stateMachine.tasksDispatched();
        completionsAccepted = stateMachine.completionsAccepted();
        failuresAccepted = stateMachine.failuresAccepted();
        leaseExpiries = stateMachine.leaseExpiries();
        attemptTimeouts = stateMachine.attemptTimeouts();
        retries = stateMachine.retries();
        for (final io.axiom.wire.RejectReason reason : io.axiom.wire.RejectReason.values())
        {
            if (reason != io.axiom.wire.RejectReason.NULL_VAL)
            {
                rejections.lazySet(reason.value(), stateMachine.rejections(reason));
            }
        }
        lostReplies = stateMachine.lostReplies();
        for (final WorkflowState state : WorkflowState.values())
        {
            if (state != WorkflowState.NULL_VAL)
            {
                stateCounts.lazySet(state.value(), stateMachine.stateCount(state));
            }
        }
    }

    /**
     * @return true once recovery finished and commands are being processed.
     */
    public boolean isReady()
    {
        return ready;
    }

    /**
     * @return where the next journal record will go, as of the last duty cycle.
     */
    public long journalPosition()
    {
        return journalPosition;
    }

    /**
     * @return records in the journal.
     */
    public long eventCount()
    {
        return eventCount;
    }

    /**
     * @return workflows ever created.
     */
    public long workflowCount()
    {
        return workflowCount;
    }

    /**
     * @param state a workflow state name.
     * @return workflows in that state.
     */
    public long workflowsInState(final String state)
    {
        return stateCounts.get(WorkflowState.valueOf(state).value());
    }

    public long ringOccupancy()
    {
        return ringOccupancy;
    }

    public long fsyncCount()
    {
        return fsyncCount;
    }

    public long fsyncNanosTotal()
    {
        return fsyncNanosTotal;
    }

    public long fsyncNanosMax()
    {
        return fsyncNanosMax;
    }

    public long batchCount()
    {
        return batchCount;
    }

    public long commandCount()
    {
        return commandCount;
    }

    public long maxBatchSize()
    {
        return maxBatchSize;
    }

    /**
     * @return task steps leased to a worker now.
     */
    public long tasksLeased()
    {
        return tasksLeased;
    }

    /**
     * @return workers connected now (Aeron sessions and HTTP fetches waiting).
     */
    public long workersConnected()
    {
        return workersConnected;
    }

    /**
     * @return tasks dispatched to workers since start.
     */
    public long tasksDispatched()
    {
        return tasksDispatched;
    }

    /**
     * @return worker completions that committed, since start.
     */
    public long completionsAccepted()
    {
        return completionsAccepted;
    }

    /**
     * @return worker failures recorded (attempts that failed by the worker's word), since start.
     */
    public long failuresAccepted()
    {
        return failuresAccepted;
    }

    /**
     * @return leases that expired without a heartbeat, since start.
     */
    public long leaseExpiries()
    {
        return leaseExpiries;
    }

    /**
     * @return failed attempts retried by their step's policy, since start.
     */
    public long retries()
    {
        return retries;
    }

    /**
     * @return attempts that ran past their deadline, since start.
     */
    public long attemptTimeouts()
    {
        return attemptTimeouts;
    }

    /**
     * @param reason STALE_FENCING_TOKEN, ALREADY_COMMITTED, UNKNOWN_TASK, MALFORMED or NO_ROOM.
     * @return worker completions and failures rejected for that reason, since start.
     */
    public long rejections(final String reason)
    {
        return rejections.get(io.axiom.wire.RejectReason.valueOf(reason).value());
    }

    /**
     * @return reads the engine could not answer (answered READ_FAILED; it went on), since start.
     */
    public long readFailures()
    {
        return readFailures;
    }

    /**
     * @return replies dropped because there was no memory even for a problem (their callers time out).
     */
    public long lostReplies()
    {
        return lostReplies;
    }

    /**
     * @return task steps waiting for a worker.
     */
    public long tasksQueued()
    {
        return tasksQueued;
    }

    public long timerCount()
    {
        return timerCount;
    }

    /**
     * @return workflows on the heap (created less retired to the cold store).
     */
    public long workflowsOnHeap()
    {
        return workflowsOnHeap;
    }

    /**
     * @return ended workflows that left the heap for the cold store since start (replay included).
     */
    public long workflowsRetired()
    {
        return workflowsRetired;
    }

    /**
     * @return bytes of the cold store's record files.
     */
    public long coldStoreBytes()
    {
        return coldStoreBytes;
    }

    /**
     * @return events released to readers (fsynced) since start.
     */
    public long eventsReleased()
    {
        return eventsReleased;
    }

    /**
     * Fsync latencies (ns) recorded since the previous call; each call starts a new interval.
     *
     * @param recycle a histogram from an earlier call to reuse, or null.
     * @return the interval histogram.
     */
    public Histogram fsyncLatencyInterval(final Histogram recycle)
    {
        return fsyncLatency.getIntervalHistogram(recycle);
    }

    /**
     * Commands per group commit recorded since the previous call.
     *
     * @param recycle a histogram from an earlier call to reuse, or null.
     * @return the interval histogram.
     */
    public Histogram batchSizeInterval(final Histogram recycle)
    {
        return batchSizes.getIntervalHistogram(recycle);
    }

    /**
     * Command-to-reply latencies (ns: from publish on the ring to the reply's release after fsync) recorded since
     * the previous call.
     *
     * @param recycle a histogram from an earlier call to reuse, or null.
     * @return the interval histogram.
     */
    public Histogram commandLatencyInterval(final Histogram recycle)
    {
        return commandLatency.getIntervalHistogram(recycle);
    }

    /**
     * @return the position replay started from: 0, or the position of the snapshot recovery loaded.
     */
    public long recoveredFromPosition()
    {
        return recoveredFromPosition;
    }

    void recoveryPhases(final long openNanos, final long snapshotNanos, final long replayNanos)
    {
        recoveryOpenNanos = openNanos;
        recoverySnapshotNanos = snapshotNanos;
        recoveryReplayNanos = replayNanos;
    }

    /**
     * @return nanoseconds the last start-up spent opening the journal: its recovery scan (from the start-up
     * snapshot's position, or the whole log), and reading and checking that snapshot.
     */
    public long recoveryOpenNanos()
    {
        return recoveryOpenNanos;
    }

    /**
     * @return nanoseconds the last start-up spent choosing and loading a snapshot into the state.
     */
    public long recoverySnapshotNanos()
    {
        return recoverySnapshotNanos;
    }

    /**
     * @return nanoseconds the last start-up spent replaying the log after the snapshot (or all of it).
     */
    public long recoveryReplayNanos()
    {
        return recoveryReplayNanos;
    }

    void backgroundVerifier(final io.axiom.journal.BackgroundVerifier verifier)
    {
        backgroundVerifier = verifier;
    }

    /**
     * @return the check of the log before the start-up snapshot, running or ended (progress, faults), null when
     * start-up checked every record (no snapshot) or before start-up.
     */
    public io.axiom.journal.BackgroundVerifier backgroundVerifier()
    {
        return backgroundVerifier;
    }

    /**
     * @return snapshots recovery skipped, and why.
     */
    public java.util.List<String> snapshotNotes()
    {
        return snapshotNotes;
    }

    public long snapshotCount()
    {
        return snapshotCount;
    }

    public long lastSnapshotPosition()
    {
        return lastSnapshotPosition;
    }

    public long lastSnapshotBytes()
    {
        return lastSnapshotBytes;
    }

    public long lastSnapshotNanos()
    {
        return lastSnapshotNanos;
    }

    public long recoveryNanos()
    {
        return recoveryNanos;
    }

    public long recoveredRecords()
    {
        return recoveredRecords;
    }

    /**
     * @return what the journal's recovery scan found, or null before recovery finished.
     */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }
}
