package io.axiom.core;

import com.lmax.disruptor.EventPoller;
import io.axiom.journal.DataDirectoryLock;
import io.axiom.journal.Journal;
import io.axiom.journal.JournalContext;
import io.axiom.journal.RecordHandler;
import io.axiom.journal.RecoveryReport;
import io.axiom.journal.SnapshotStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;

/**
 * The single thread that owns all workflow state: drains the ring, lets the state machine turn commands into events,
 * commits the batch with one fsync, and only then releases the batch's replies.
 * <p>
 * Its duty cycle is the LMAX shape: <em>poll a batch → journal append per event → fsync once → release</em>. The
 * events of one command (and of one timer poll) form one atomic journal unit, ended by {@code journal.endUnit()}: a
 * crash never leaves half a command in the log. Recovery (open the journal, choose a snapshot bound to the log,
 * replay the records after it through the state machine) runs in {@link #onStart()}, before the first command is
 * taken from the ring, so commands that arrive during recovery simply wait in the ring.
 */
final class Processor implements Agent, EventPoller.Handler<CommandSlot>
{
    private final EngineContext ctx;
    private final Runnable dutyCycleFaults;
    private final CommandRing ring;
    private final EventPoller<CommandSlot> poller;
    private final EpochClock clock;
    private final ReplyArena replies;
    private final WorkflowStateMachine stateMachine;
    private final EngineCounters counters;
    private final int batchLimit;
    private final long timerTickMs;

    private final RecordHandler feedTransmitter;
    private final SnapshotStore snapshots;
    private final long snapshotInterval;
    private final long snapshotIntervalBytes;
    private final long snapshotIntervalMs;
    private long lastSnapshotMs;
    private final SnapshotWriter snapshotWriter;
    private final SnapshotCapture snapshotCapture;
    private final Retention retention;
    private final SnapshotRequests snapshotRequests;
    private final int snapshotSlice;
    private final DataDirectoryLock directoryLock;
    private long snapshotPosition;
    private long eventsSinceSnapshot;
    private Journal journal;
    private boolean failed;
    private int batchCount;
    private long nextTimerPollMs;
    private final int retireLimit;
    private ColdStore cold;
    /** Hosted on a replicated log: the log's time, as of its last entry; null hosted means a single node. */
    private final HostedLog hosted;
    private long logNowMs;

    Processor(
        final EngineContext ctx,
        final CommandRing ring,
        final EngineCounters counters,
        final EventFeed feed,
        final DataDirectoryLock directoryLock)
    {
        this.directoryLock = directoryLock;
        this.feedTransmitter = feed::transmit;
        this.snapshotInterval = ctx.snapshotIntervalEvents();
        this.snapshotIntervalBytes = ctx.snapshotIntervalBytes();
        this.snapshotIntervalMs = ctx.snapshotIntervalMs();
        this.hosted = ctx.hostedLog();
        // Hosted, the host's log takes the snapshots (HostedSnapshot): the data directory's own stay off.
        this.snapshots = ctx.snapshotRetain() > 0 && null == hosted ?
            new SnapshotStore(ctx.dataDir(), ctx.snapshotRetain()) : null;
        this.snapshotWriter = null == snapshots ? null : new SnapshotWriter(snapshots, counters);
        this.ctx = ctx;
        this.dutyCycleFaults = ctx.dutyCycleFaults();
        this.ring = ring;
        this.poller = ring.poller();
        this.clock = ctx.epochClock();
        this.counters = counters;
        this.batchLimit = ctx.batchLimit();
        this.timerTickMs = ctx.timerTickMs();
        this.replies = new ReplyArena(ctx.maxBatchReplyBytes());
        this.stateMachine = new WorkflowStateMachine(ctx, replies, clock.time());
        this.snapshotCapture = null == snapshotWriter ? null : stateMachine.snapshotCapture(snapshotWriter);
        // Segments leave the live log only below a kept snapshot: without snapshots, nothing is retired.
        this.retention = null == snapshots ? null : new Retention(ctx, snapshots, counters);
        this.snapshotSlice = ctx.snapshotSliceWorkflows();
        this.snapshotRequests = null == snapshotWriter ? null :
            new SnapshotRequests(snapshotWriter, stateMachine.replies());
        stateMachine.snapshotRequests(snapshotRequests);
        this.retireLimit = ctx.retireLimit();
    }

    public void onStart()
    {
        if (null != hosted)
        {
            startHosted();
            return;
        }
        final long startNs = System.nanoTime();
        journal = Journal.open(new JournalContext()
            .dataDir(ctx.dataDir())
            .maxSegmentSize(ctx.maxSegmentSize())
            .fsync(ctx.fsync())
            .faults(ctx.journalFaults())
            .repair(ctx.repair())
            .startFromSnapshot(null != snapshots)
            .directoryLock(directoryLock)
            .archiveDir(ctx.archiveDir())
            .conclude());
        final long openedNs = System.nanoTime();
        RecoveryReport report = journal.recoveryReport();
        counters.storage(journal::storageState);
        stateMachine.journal(journal);
        cold = new ColdStore(ctx.dataDir(), ctx.historyRetentionMs());
        stateMachine.coldStore(cold);
        if (null != snapshotWriter)
        {
            snapshotWriter.beforeCommit(cold::force);
        }
        long replayFrom = 0;
        java.util.List<String> snapshotNotes = java.util.List.of();
        if (null != snapshots)
        {
            final SnapshotStore.Selection selection = snapshots.select(journal, ctx.repair());
            report = report.withSnapshotSelection(selection);
            snapshotNotes = selection.notes();
            final SnapshotStore.Snapshot snapshot = selection.snapshot();
            if (null != snapshot && !SnapshotCodec.readable(snapshot.payload()))
            {
                snapshotNotes = new java.util.ArrayList<>(snapshotNotes);
                snapshotNotes.add("Ignored " + snapshot.file().getFileName() + ": its state is in a format this " +
                    "version does not read (" + SnapshotCodec.formatOf(snapshot.payload()) + ", this version writes " +
                    SnapshotCodec.formatOf(null) + "); replaying the whole log instead, and the next snapshot " +
                    "replaces it.");
            }
            else if (null != snapshot)
            {
                stateMachine.loadSnapshot(new UnsafeBuffer(snapshot.payload()), snapshot.payload().length);
                replayFrom = snapshot.position();
                snapshotPosition = snapshot.position();
            }
        }
        if (replayFrom < journal.replayableFrom())
        {
            throw new io.axiom.journal.JournalCorruptionException("Journal corruption: start-up must replay the " +
                "log from position " + replayFrom + (null == snapshots ? " (snapshots are off)" : " (no usable " +
                "snapshot covers more)") + ", but retention.policy=delete deleted the records below position " +
                journal.replayableFrom() + " (their summaries are in " + journal.archiveDir() + "). Restore the " +
                "snapshots directory from backup.", journal.dataDir(), 0, replayFrom);
        }
        final long loadedNs = System.nanoTime();
        final long replayed = journal.replay(replayFrom, stateMachine);
        counters.recoveryPhases(openedNs - startNs, loadedNs - openedNs, System.nanoTime() - loadedNs);
        stateMachine.refreshLeases(clock.time());
        eventsSinceSnapshot = replayed;
        lastSnapshotMs = clock.time();
        counters.recovered(report, replayed, System.nanoTime() - startNs, replayFrom, snapshotNotes);
        publishCounters();
        // Started as recovery ends, published before ready: whoever sees the engine ready sees the check too.
        counters.backgroundVerifier(journal.startBackgroundVerify(new BackgroundCheckLog()));
        counters.ready();
    }

    /**
     * Start on a replicated log: the journal cut back to where the host's snapshot ends (the log's replay writes the
     * rest again), the snapshot's state loaded, no replay of our own and no fresh lease periods (a lease expires
     * when the log's time says so, on every replica alike).
     */
    private void startHosted()
    {
        final long startNs = System.nanoTime();
        final HostedSnapshot snapshot = null == hosted.snapshot() ? null :
            HostedSnapshot.read(hosted.snapshot(), hosted.snapshotLength());
        journal = HostedSnapshot.openJournal(ctx, directoryLock, snapshot);
        final long openedNs = System.nanoTime();
        counters.storage(journal::storageState);
        stateMachine.journal(journal);
        cold = new ColdStore(ctx.dataDir(), ctx.historyRetentionMs());
        stateMachine.coldStore(cold);
        final java.util.List<String> notes = java.util.List.of("hosted on a replicated log: the journal is derived " +
            "from it and cut back to " + (null == snapshot ? "empty" : "position " + snapshot.endPosition()) +
            ", where the log's " + (null == snapshot ? "replay from its start" : "snapshot") + " begins");
        if (null != snapshot)
        {
            snapshot.load(stateMachine, hosted.routes());
            logNowMs = snapshot.logTimeMs();
        }
        final long loadedNs = System.nanoTime();
        counters.recoveryPhases(openedNs - startNs, loadedNs - openedNs, 0);
        counters.recovered(journal.recoveryReport(), 0, System.nanoTime() - startNs,
            null == snapshot ? 0 : snapshot.endPosition(), notes);
        publishCounters();
        counters.ready();
    }

    public int doWork()
    {
        if (null != dutyCycleFaults)
        {
            dutyCycleFaults.run();
        }
        final long positionBefore = journal.nextPosition();
        batchCount = 0;
        int work = 0;
        try
        {
            poller.poll(this);
        }
        catch (final RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        work += batchCount;

        final long nowMs = null == hosted ? clock.time() : logNowMs;
        if (null == hosted)
        {
            // Hosted, time, timers, retirement and dealing move with the log's entries only (onEvent).
            work += onClock(nowMs);
        }

        if (journal.nextPosition() != positionBefore)
        {
            flush();
        }
        if (batchCount > 0)
        {
            counters.batch(batchCount);
        }
        if (work > 0)
        {
            // Before the replies: whoever holds a reply also sees the figures that include its events.
            publishCounters();
        }
        eventsSinceSnapshot += stateMachine.appended().size();
        transmitReleased();
        if (null != snapshotRequests)
        {
            // Answers the operators' requests whose snapshot is durable, with this batch's replies.
            work += snapshotRequests.answer();
        }
        replies.release(counters);
        if (null != snapshotCapture)
        {
            if (snapshotCapture.active())
            {
                work += sweep(snapshotSlice);
            }
            else if ((snapshotRequests.requested() || snapshotDue(nowMs)) && snapshotWriter.available())
            {
                takeSnapshot();
                lastSnapshotMs = nowMs;
                work++;
            }
        }
        if (null != retention)
        {
            work += retention.poll(journal, nowMs, stateMachine.oldestReferencedPosition());
        }
        return work;
    }

    /**
     * A single node's clock-driven work, once per duty cycle: due timers, retirement, dealing.
     */
    private int onClock(final long nowMs)
    {
        int work = 0;
        // Also when the clock stepped back: else no timer (a lease, a backoff, a short timer step) would fire until
        // the clock read again what it read before the step.
        if (nowMs >= nextTimerPollMs || nowMs < nextTimerPollMs - timerTickMs)
        {
            nextTimerPollMs = nowMs + timerTickMs;
            work += stateMachine.pollTimers(nowMs);
            journal.endUnit();
            work += stateMachine.expireHistory(nowMs);
        }
        // Ended workflows whose retention.in-memory has passed leave the heap, a bounded number per cycle.
        final int retired = stateMachine.pollRetirements(nowMs, retireLimit);
        if (retired > 0)
        {
            journal.endUnit();
            work += retired;
        }
        // Ready tasks go to workers with spare capacity; their TaskAssigned frames leave with this batch's replies,
        // after the flush that makes the StepLeased behind them durable.
        final int dispatched = stateMachine.dispatch(nowMs);
        if (dispatched > 0)
        {
            journal.endUnit();
            work += dispatched;
        }
        return work;
    }

    public boolean onEvent(final CommandSlot slot, final long sequence, final boolean endOfBatch)
    {
        final ReplySink sink = slot.sink();
        final Object replyTo = slot.replyToken();
        replies.commandPublishedAtNs(slot.publishedAtNs());
        if (null == hosted)
        {
            stateMachine.onCommand(slot.commandBuffer(), 0, slot.commandLength(), clock.time(), sink, replyTo);
            journal.endUnit();
        }
        else
        {
            onHostedEntry(slot, sink, replyTo);
        }
        slot.clear();
        return ++batchCount < batchLimit;
    }

    /**
     * One entry of the replicated log (or a local read). Every replica does exactly this for the same entries, in
     * the same order, at the same log time: deal ready tasks after each entry, fire timers and retire only at
     * ticks. So the events do not depend on where a replica's batches happen to end.
     */
    private void onHostedEntry(final CommandSlot slot, final ReplySink sink, final Object replyTo)
    {
        switch (slot.kind())
        {
            case CommandSlot.LOGGED ->
            {
                logNowMs = Math.max(logNowMs, slot.logTimeMs());
                stateMachine.onCommand(slot.commandBuffer(), 0, slot.commandLength(), logNowMs, sink, replyTo,
                    slot.routeKey());
                journal.endUnit();
                dealHosted();
            }
            case CommandSlot.TICK ->
            {
                logNowMs = Math.max(logNowMs, slot.logTimeMs());
                stateMachine.pollTimers(logNowMs);
                journal.endUnit();
                stateMachine.expireHistory(logNowMs);
                if (stateMachine.pollRetirements(logNowMs, retireLimit) > 0)
                {
                    journal.endUnit();
                }
                dealHosted();
            }
            case CommandSlot.SESSION_CLOSED ->
            {
                logNowMs = Math.max(logNowMs, slot.logTimeMs());
                stateMachine.leaveRoutesOf(slot.routeKey(), logNowMs);
                journal.endUnit();
                dealHosted();
            }
            case CommandSlot.SNAPSHOT ->
            {
                // The whole state at this point of the log, after a flush: the journal holds every record it
                // covers, so a replica that restarts from it can cut its journal back to here.
                flush();
                HostedSnapshot.answer(journal, stateMachine, logNowMs, sink, replyTo);
            }
            default ->
            {
                if (stateMachine.changesState(slot.commandBuffer(), 0, slot.commandLength()))
                {
                    stateMachine.refuseUnlogged(slot.commandBuffer(), 0, slot.commandLength(), sink, replyTo);
                }
                else
                {
                    stateMachine.onCommand(slot.commandBuffer(), 0, slot.commandLength(), logNowMs, sink, replyTo);
                }
            }
        }
    }

    private void dealHosted()
    {
        if (stateMachine.dispatch(logNowMs) > 0)
        {
            journal.endUnit();
        }
    }

    private void flush()
    {
        final long startNs = System.nanoTime();
        journal.flush();
        counters.fsync(System.nanoTime() - startNs);
    }

    private void transmitReleased()
    {
        final LongArrayList appended = stateMachine.appended();
        final int count = appended.size();
        if (count > 0)
        {
            for (int i = 0; i < count; i++)
            {
                journal.readRecord(appended.getLong(i), feedTransmitter);
            }
            counters.eventsReleased(count);
            appended.clear();
        }
    }

    /**
     * @return true when events were written since the last snapshot and one of the intervals (events, journal
     * bytes, time) has passed.
     */
    private boolean snapshotDue(final long nowMs)
    {
        return eventsSinceSnapshot > 0 &&
            ((snapshotInterval > 0 && eventsSinceSnapshot >= snapshotInterval) ||
            (snapshotIntervalBytes > 0 && journal.endPosition() - snapshotPosition >= snapshotIntervalBytes) ||
            (snapshotIntervalMs > 0 && nowMs - lastSnapshotMs >= snapshotIntervalMs));
    }

    /**
     * Mark the state for a snapshot bound to the last record it covers; only after a flush, so it covers durable,
     * whole units only. The state is encoded a slice per duty cycle from here on ({@link SnapshotCapture}) and
     * streamed to disk by the writer's thread.
     */
    void takeSnapshot()
    {
        final long startNs = System.nanoTime();
        snapshotPosition = journal.endPosition();
        eventsSinceSnapshot = 0;
        counters.snapshotStarted();
        snapshotWriter.begin(
            snapshotPosition, journal.lastPosition(), journal.lastSequence(), journal.lastChecksum(), startNs);
        snapshotCapture.mark(stateMachine.tableSize());
        snapshotRequests.begun();
    }

    private int sweep(final int limit)
    {
        final int swept = snapshotCapture.sweep(limit);
        if (!snapshotCapture.active())
        {
            counters.snapshotCaptured(snapshotCapture.preImageCount(), snapshotCapture.longestSliceNs(),
                snapshotCapture.lastLongestSliceNs());
        }
        return swept;
    }

    /**
     * The duty cycle failed: state may be half-changed, so nothing more may reach the disk or a reply.
     */
    void failed()
    {
        failed = true;
    }

    public void onClose()
    {
        if (null != retention)
        {
            retention.close(); // an answer not yet acted on is dropped: the segment stays live, its archive a duplicate
        }
        if (null == journal)
        {
            directoryLock.close(); // recovery never opened the journal, which would own the lock
        }
        if (failed)
        {
            if (null != snapshotWriter)
            {
                snapshotWriter.close();
            }
            if (null != journal && !journal.isClosed())
            {
                journal.abandon();
            }
            return;
        }
        if (null != journal && !journal.isClosed())
        {
            journal.flush();
            if (null != snapshotWriter)
            {
                // A snapshot being captured is finished first (nothing changes the state any more), then written.
                while (snapshotCapture.active())
                {
                    sweep(Integer.MAX_VALUE);
                }
                snapshotWriter.awaitIdle();
                if (eventsSinceSnapshot > 0 && counters.isReady())
                {
                    takeSnapshot();
                    while (snapshotCapture.active())
                    {
                        sweep(Integer.MAX_VALUE);
                    }
                }
                snapshotWriter.close();
            }
            journal.close();
        }
        if (null != cold)
        {
            cold.close();
        }
    }

    public String roleName()
    {
        return "axiom-processor";
    }

    long digest()
    {
        return stateMachine.digest();
    }

    WorkflowStateMachine stateMachine()
    {
        return stateMachine;
    }

    private void publishCounters()
    {
        counters.publish(
            journal.nextPosition(),
            journal.recordCount(),
            stateMachine.workflowCount(),
            ring.occupancy(),
            stateMachine);
    }
}
