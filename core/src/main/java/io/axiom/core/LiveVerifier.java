package io.axiom.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;

/**
 * Verify on a running engine, without stalling it. The processor is asked for one thing, through the ring like any
 * query: a consistent point, the end of the log and the digest of the live state there, read together between two
 * commands ({@link EngineClient#consistentPoint}). Everything else runs on the caller's thread: the log is read from
 * the segment files, read-only, up to that point and replayed by {@link LogVerifier}, and the replayed state's digest
 * is compared with the live one. Commands keep flowing meanwhile; the records written after the point are not read.
 * <p>
 * <b>What it costs the processor:</b> the one query, whose time is the digest walk over every workflow and its event
 * positions, reported in each report ({@code processor_hold_us}). Measured on the reference machine (2 vCPUs, JDK 25,
 * G1; {@code PerfMain verify}: the state built through the engine, then live verifies while a probe creates
 * workflows at 200/s, see BENCHMARKS.md): with 100,000 completed one-step workflows (500,000 events) the processor
 * was held 1.35 to 3.0 ms per verify once warm (mostly 1.4 to 1.7 ms), and 10 to 23 ms for the first verify after
 * start (the digest code not yet compiled); with 1,000,000 workflows (5,000,000 events) 16 to 48 ms, once 441 ms when
 * a GC pause fell inside it.
 * The rest of a verify (58 to 570 ms for 500,000 events, about 1 to 1.8 s for 5,000,000) runs on the caller's thread;
 * it does not hold the processor, but on 2 cores it competes with it for CPU and, building a second copy of the
 * state, for the heap: the probe's create p99 went from 29.6 to 45.6 ms while verifies of 1,000,000 workflows ran.
 * <p>
 * One verify runs at a time per engine: it holds a second replayed state in memory (as much as the engine's own), so a
 * second request while one runs is refused (CONFLICT, {@code VERIFY_IN_PROGRESS}) rather than doubling that again.
 */
public final class LiveVerifier
{
    private final Engine engine;
    private final AtomicBoolean running = new AtomicBoolean();

    LiveVerifier(final Engine engine)
    {
        this.engine = engine;
    }

    /**
     * Verify the engine's log up to a consistent point and compare with its live state there.
     *
     * @param timeout how long to wait for the processor's answer to the point query (the replay itself is not
     *                bounded by it: it takes as long as the log takes to read).
     * @return {@link EngineReply.Verification}, or a Problem: CONFLICT {@code VERIFY_IN_PROGRESS}, or what the
     * engine answered instead of a point (it is stopped, or did not answer in time).
     */
    public EngineReply verify(final Duration timeout)
    {
        if (!running.compareAndSet(false, true))
        {
            return new EngineReply.Problem(Status.CONFLICT, "VERIFY_IN_PROGRESS", "a verify of this server is " +
                "running already; it holds a second copy of the state while it replays the log, so one runs at a " +
                "time: retry when it has finished");
        }
        try
        {
            final long startNs = System.nanoTime();
            final EngineReply reply = engine.client().consistentPoint(timeout);
            if (!(reply instanceof EngineReply.ConsistentPoint point))
            {
                return reply;
            }
            return new EngineReply.Verification(LogVerifier.verify(engine.context().dataDir(), point, startNs));
        }
        finally
        {
            running.set(false);
        }
    }
}
