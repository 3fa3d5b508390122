package io.axiom.core;

import java.util.concurrent.TimeUnit;

import io.axiom.journal.DataDirectoryLock;
import io.axiom.journal.DataDirectoryLockedException;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;

/**
 * The engine's public face: start it, submit commands through its {@link EngineClient} (or straight onto its
 * {@link CommandRing}), stop it.
 * <p>
 * {@link #launch(EngineContext)} locks the data directory (a second owner fails there, synchronously) and returns at
 * once; the processor thread recovers the state from the journal first and only then takes commands, so
 * {@link #isReady()} turns true when recovery has finished. A fatal failure (a corrupt
 * journal, an fsync that failed) stops the processor and is kept in {@link #failure()}: nothing is acknowledged
 * after it.
 */
public final class Engine implements AutoCloseable
{
    private static final int CLOSE_RETRY_MS = 30_000;
    private static final System.Logger LOG = System.getLogger("axiom.engine");

    private final EngineContext ctx;
    private final CommandRing ring;
    private final CommandRing logRing;
    private final EngineCounters counters = new EngineCounters();
    private final EventFeed feed;
    private final AgentRunner runner;
    private final EngineClient client;
    private final Processor processor;
    private final DataDirectoryLock directoryLock;
    private final LiveVerifier verifier;
    private volatile Throwable failure;
    private volatile boolean closed;

    private Engine(final EngineContext ctx, final DataDirectoryLock directoryLock)
    {
        this.ctx = ctx;
        this.directoryLock = directoryLock;
        this.ring = new CommandRing(ctx.ringSize(), ctx.slotSize());
        // Hosted on a replicated log, the producers' ring is the host's to carry into the log; the processor takes
        // the log's entries (and the local reads) from a ring of its own.
        this.logRing = null == ctx.hostedLog() ? ring : new CommandRing(ctx.ringSize(), ctx.slotSize());
        this.feed = new EventFeed(ctx.eventFeedCapacity());
        processor = new Processor(ctx, logRing, counters, feed, directoryLock);
        final ErrorHandler errorHandler = this::onError;
        final IdleStrategy idleStrategy = null != ctx.idleStrategy() ? ctx.idleStrategy() :
            new ProcessorIdleStrategy(logRing, TimeUnit.MILLISECONDS.toNanos(ctx.timerTickMs()));
        this.runner = new AgentRunner(idleStrategy, errorHandler, null, new FatalOnError(processor));
        this.client = new EngineClient(this, ring);
        this.verifier = new LiveVerifier(this);
    }

    /**
     * Start an engine: lock the data directory, then the processor thread recovers from the journal and serves
     * commands. The journal owns the lock from then on and releases it when it closes.
     *
     * @param ctx configuration; concluded here if it was not already.
     * @return the running engine.
     * @throws DataDirectoryLockedException when another process or engine holds the data directory.
     */
    public static Engine launch(final EngineContext ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        final DataDirectoryLock directoryLock = DataDirectoryLock.acquire(ctx.dataDir());
        final Engine engine;
        try
        {
            engine = new Engine(ctx, directoryLock);
        }
        catch (final RuntimeException | Error ex)
        {
            directoryLock.close();
            throw ex;
        }
        AgentRunner.startOnThread(engine.runner, r ->
        {
            final Thread thread = new Thread(r, "axiom-processor");
            thread.setDaemon(false);
            return thread;
        });
        return engine;
    }

    /**
     * @param buffer holding a command or worker frame, message header included.
     * @param offset of it.
     * @param length of it.
     * @return true when it may write events: hosted on a replicated log ({@link HostedLog}), it must go through the
     * log; anything else is a read, answered by the local processor.
     */
    public static boolean changesState(final DirectBuffer buffer, final int offset, final int length)
    {
        return WorkflowStateMachine.changesState(buffer, offset, length);
    }

    /**
     * Answer a command with a problem without the processor: for a host that refuses a command before it reaches the
     * engine (hosted mode: no session with the replicated log's leader).
     *
     * @param sink          the command's sink (nothing happens when null).
     * @param replyTo       the command's token for it.
     * @param correlationId the command's.
     * @param status        the problem's status.
     * @param code          the problem's code, e.g. {@code NO_LEADER}.
     * @param detail        what happened and what to do.
     */
    public static void answerProblem(
        final ReplySink sink,
        final Object replyTo,
        final long correlationId,
        final io.axiom.codecs.ReplyStatus status,
        final String code,
        final String detail)
    {
        if (null == sink)
        {
            return;
        }
        final org.agrona.ExpandableArrayBuffer buffer = new org.agrona.ExpandableArrayBuffer(256 + 3 * detail.length());
        final io.axiom.codecs.ProblemEncoder problem = new io.axiom.codecs.ProblemEncoder()
            .wrapAndApplyHeader(buffer, 0, new io.axiom.codecs.MessageHeaderEncoder())
            .correlationId(correlationId)
            .status(status)
            .code(code)
            .detail(detail);
        sink.onReply(replyTo, buffer, 0, io.axiom.codecs.MessageHeaderEncoder.ENCODED_LENGTH + problem.encodedLength());
    }

    /**
     * @return true for a frame of the worker protocol (the wire schema).
     */
    public static boolean isWorkerFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= WorkflowStateMachine.HEADER_LENGTH &&
            (buffer.getShort(offset + 4, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF) ==
            io.axiom.wire.MessageHeaderDecoder.SCHEMA_ID;
    }

    /**
     * @return true for a worker's goodbye: its connection ends.
     */
    public static boolean isWorkerGoodbye(final DirectBuffer buffer, final int offset, final int length)
    {
        return isWorkerFrame(buffer, offset, length) &&
            (buffer.getShort(offset + 2, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF) ==
            io.axiom.wire.WorkerGoodbyeDecoder.TEMPLATE_ID;
    }

    /**
     * @return true once recovery finished and commands are served.
     */
    public boolean isReady()
    {
        return counters.isReady() && null == failure && !closed;
    }

    /**
     * @return the fatal error that stopped the processor, or null.
     */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * @return true once {@link #close()} was called.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * @return the blocking, thread-safe client for gateways and tools.
     */
    public EngineClient client()
    {
        return client;
    }

    /**
     * @return verify for this running engine: its log replayed up to a consistent point and compared with its state.
     */
    public LiveVerifier verifier()
    {
        return verifier;
    }

    /**
     * @return true when the engine takes snapshots ({@code snapshotRetain} above 0).
     */
    public boolean snapshotsEnabled()
    {
        return ctx.snapshotRetain() > 0;
    }

    /**
     * The snapshot files on disk, newest first, each checked by its header only; read on the caller's thread (the
     * processor is not involved). Start-up would load the first sound one (snapshots on), unless its payload's
     * checksum or its binding to the log fails there.
     *
     * @return the snapshots, newest first.
     */
    public java.util.List<io.axiom.core.api.SnapshotFile> snapshotFiles()
    {
        final java.util.List<io.axiom.journal.SnapshotStore.Listed> listed =
            io.axiom.journal.SnapshotStore.describe(ctx.dataDir());
        final java.util.List<io.axiom.core.api.SnapshotFile> files = new java.util.ArrayList<>(listed.size());
        boolean chosen = !snapshotsEnabled();
        for (final io.axiom.journal.SnapshotStore.Listed one : listed)
        {
            final boolean startup = !chosen && null == one.problem();
            chosen |= startup;
            files.add(new io.axiom.core.api.SnapshotFile(one.file().getFileName().toString(), one.position(),
                one.lastSequence(), one.bytes(), one.writtenAtMs(), startup, one.problem()));
        }
        return files;
    }

    /**
     * @return the ring, for zero-allocation producers (Aeron poller, perf harness).
     */
    public CommandRing ring()
    {
        return ring;
    }

    /**
     * @return the ring the processor takes its commands from: {@link #ring()} on a single node; hosted on a
     * replicated log ({@link EngineContext#hostedLog}), the one the host puts the log's entries and the local reads
     * on, in order.
     */
    public CommandRing logRing()
    {
        return logRing;
    }

    /**
     * @return durable events as they are released, for subscriptions.
     */
    public EventFeed eventFeed()
    {
        return feed;
    }

    /**
     * @return figures published by the processor.
     */
    public EngineCounters counters()
    {
        return counters;
    }

    /**
     * @return the configuration the engine runs with.
     */
    public EngineContext context()
    {
        return ctx;
    }

    /**
     * @return where the next journal record goes, as of the processor's last duty cycle.
     */
    public long journalPosition()
    {
        return counters.journalPosition();
    }

    /**
     * @return records in the journal, as of the processor's last duty cycle.
     */
    public long eventCount()
    {
        return counters.eventCount();
    }

    /**
     * Stop the processor and close the journal. Commands not yet taken from the ring get no reply.
     */
    public void close()
    {
        closed = true;
        // A clean stop writes a snapshot of the whole state, which can take seconds with millions of workflows:
        // wait for it rather than interrupting it.
        runner.close(CLOSE_RETRY_MS, thread -> LOG.log(System.Logger.Level.INFO,
            "still stopping the processor (flushing the journal and writing the shutdown snapshot)..."));
        directoryLock.close(); // released by the journal already, unless the processor never opened it
        if (!runner.isClosed() || null != runner.thread() && runner.thread().isAlive())
        {
            return; // still stopping: the ring stays as it is
        }
        ring.release();
        if (logRing != ring)
        {
            logRing.release();
        }
    }

    /**
     * A digest of the whole processor state, for tests that prove recovery reproduces it. Only meaningful once the
     * engine is closed (the processor thread has stopped).
     *
     * @return the digest.
     */
    long digestAfterClose()
    {
        if (!closed)
        {
            throw new IllegalStateException("close the engine first: its state belongs to the processor thread");
        }
        return processor.digest();
    }

    /**
     * @return the processor's state machine, for tests that inspect it; only once the engine is closed.
     */
    WorkflowStateMachine stateMachineAfterClose()
    {
        if (!closed)
        {
            throw new IllegalStateException("close the engine first: its state belongs to the processor thread");
        }
        return processor.stateMachine();
    }

    private void onError(final Throwable throwable)
    {
        final Throwable cause = throwable instanceof AgentTerminationException && null != throwable.getCause() ?
            throwable.getCause() : throwable;
        if (null == failure)
        {
            failure = cause;
        }
        // a corrupt journal or an illegal event is described by its message; anything else needs its stack trace
        final boolean described = cause instanceof io.axiom.journal.JournalCorruptionException ||
            cause instanceof IllegalEventException;
        LOG.log(System.Logger.Level.ERROR, "processor stopped: " + cause, described ? null : cause);
    }

    /**
     * Any error escaping the processor's duty cycle is fatal: state may be half-changed, so nothing more may be
     * acknowledged.
     */
    private static final class FatalOnError implements org.agrona.concurrent.Agent
    {
        private final Processor processor;

        FatalOnError(final Processor processor)
        {
            this.processor = processor;
        }

        public void onStart()
        {
            processor.onStart();
        }

        public int doWork()
        {
            try
            {
                return processor.doWork();
            }
            catch (final AgentTerminationException ex)
            {
                throw ex;
            }
            catch (final Throwable t)
            {
                processor.failed();
                throw new AgentTerminationException(t);
            }
        }

        public void onClose()
        {
            processor.onClose();
        }

        public String roleName()
        {
            return processor.roleName();
        }
    }
}
