package io.axiom.perf;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.axiom.codecs.StepType;
import io.axiom.core.Engine;
import io.axiom.core.EngineContext;
import io.axiom.core.EngineCounters;
import org.HdrHistogram.Histogram;

/**
 * Drives an engine with {@link LoadGenerator} threads, either for a time (warm-up, then a measured window) or for a
 * number of workflows, and collects what happened in the measured window: replies, latency, engine counters, GC and
 * bytes allocated by the producer and processor threads.
 */
final class LoadRun
{
    int producers = 2;
    int window = 1024;
    int steps = 1;
    StepType stepType = StepType.APPROVAL;
    double totalRate;
    long warmupNs = TimeUnit.SECONDS.toNanos(5);
    long measureNs = TimeUnit.SECONDS.toNanos(10);
    long workflowQuota = Long.MAX_VALUE;
    long maxParkNs = TimeUnit.MICROSECONDS.toNanos(50);
    boolean uniqueNames;
    boolean createOnly;
    /** Every create carries an Idempotency-Key of its own (numbered as unique names are). */
    boolean uniqueKeys;
    /** Unique names start here (each producer 2^40 further on): runs on one engine keep their names apart. */
    long nameBase;

    final List<LoadGenerator> generators = new ArrayList<>();
    final Histogram publishToReply = new Histogram(LoadGenerator.HIGHEST_NANOS, 3);
    /** The engine's own group commits (staged write + fdatasync) in the measured window. */
    Histogram inEngineFsync;
    final Histogram intendedToReply = new Histogram(LoadGenerator.HIGHEST_NANOS, 3);
    long measuredReplies;
    long totalReplies;
    long problems;
    long workflowsCompleted;
    long measuredWorkflows;
    long elapsedNs;
    long fsyncs;
    long fsyncNanos;
    long batches;
    long batchedCommands;
    long maxBatch;
    long events;
    long gcCount;
    long gcMillis;
    long producerAllocatedBytes;
    long processorAllocatedBytes;
    long maxProducerLagNs;
    long[] repliesPerSecond;

    static Engine launch(final EngineContext ctx)
    {
        final Engine engine = Engine.launch(ctx);
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!engine.isReady())
        {
            if (null != engine.failure())
            {
                throw new IllegalStateException("engine failed to start", engine.failure());
            }
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("engine not ready after 5 minutes");
            }
            LockSupport.parkNanos(100_000);
        }
        return engine;
    }

    static EngineContext context(final Path dir, final boolean fsync, final Options options)
    {
        final EngineContext ctx = new EngineContext().dataDir(dir).fsync(fsync);
        if (options.has("ring-size"))
        {
            ctx.ringSize(options.integer("ring-size", EngineContext.RING_SIZE_DEFAULT));
        }
        if (options.has("engine-max-park-us"))
        {
            ctx.idleStrategy(new org.agrona.concurrent.BackoffIdleStrategy(10, 20, 1_000,
                TimeUnit.MICROSECONDS.toNanos(options.longValue("engine-max-park-us", 200))));
        }
        if (options.has("batch-limit"))
        {
            ctx.batchLimit(options.integer("batch-limit", EngineContext.BATCH_LIMIT_DEFAULT));
        }
        return ctx;
    }

    /**
     * Run producers against the engine until they finish (quota reached, or the measured window is over and every
     * outstanding command has its reply).
     */
    LoadRun run(final Engine engine) throws InterruptedException
    {
        final boolean timed = workflowQuota == Long.MAX_VALUE;
        final long startNs = System.nanoTime();
        final long measureStartNs = timed ? startNs + warmupNs : startNs;
        final long measureEndNs = timed ? measureStartNs + measureNs : startNs + TimeUnit.MINUTES.toNanos(30);
        final long stopSendingNs = timed ? measureEndNs : Long.MAX_VALUE;

        final List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++)
        {
            final long quota = timed ? Long.MAX_VALUE : workflowQuota / producers + (p < workflowQuota % producers ? 1 : 0);
            final LoadGenerator generator = new LoadGenerator(
                "perf-producer-" + p, engine.ring(), window, steps, stepType, totalRate / producers,
                measureStartNs, measureEndNs, stopSendingNs, quota, maxParkNs);
            generator.uniqueNames = uniqueNames;
            generator.createOnly = createOnly;
            generator.uniqueKeys = uniqueKeys;
            generator.nameBase = nameBase + ((long)p << 40);
            generators.add(generator);
            final Thread thread = new Thread(generator, generator.name());
            thread.setDaemon(true);
            threads.add(thread);
        }
        final Thread processor = findThread("axiom-processor");
        for (final Thread thread : threads)
        {
            thread.start();
        }

        sleepUntil(measureStartNs);
        final Snapshot before = new Snapshot(engine.counters(), threads, processor);
        engine.counters().fsyncLatencyInterval(null);
        final long t0 = System.nanoTime();
        if (timed)
        {
            sleepUntil(measureEndNs);
        }
        else
        {
            for (final Thread thread : threads)
            {
                thread.join();
            }
        }
        final long t1 = System.nanoTime();
        final Snapshot after = new Snapshot(engine.counters(), threads, processor);
        inEngineFsync = engine.counters().fsyncLatencyInterval(null);
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.MINUTES.toMillis(2));
            if (thread.isAlive())
            {
                throw new IllegalStateException(thread.getName() + " did not finish: replies missing");
            }
        }

        elapsedNs = timed ? measureNs : t1 - t0;
        fsyncs = after.fsyncs - before.fsyncs;
        fsyncNanos = after.fsyncNanos - before.fsyncNanos;
        batches = after.batches - before.batches;
        batchedCommands = after.commands - before.commands;
        maxBatch = after.maxBatch;
        events = after.events - before.events;
        gcCount = after.gcCount - before.gcCount;
        gcMillis = after.gcMillis - before.gcMillis;
        producerAllocatedBytes = after.producerBytes - before.producerBytes;
        processorAllocatedBytes = after.processorBytes - before.processorBytes;
        repliesPerSecond = new long[(int)(elapsedNs / 1_000_000_000L)];
        for (final LoadGenerator g : generators)
        {
            publishToReply.add(g.publishToReply);
            intendedToReply.add(g.intendedToReply);
            measuredReplies += g.measuredReplies;
            totalReplies += g.totalReplies;
            problems += g.problems;
            workflowsCompleted += g.workflowsCompleted;
            measuredWorkflows += g.measuredWorkflows;
            maxProducerLagNs = Math.max(maxProducerLagNs, g.maxProducerLagNs);
            for (int i = 0; i < repliesPerSecond.length && i < g.repliesPerSecond.length; i++)
            {
                repliesPerSecond[i] += g.repliesPerSecond[i];
            }
        }
        return this;
    }

    double commandsPerSecond()
    {
        return measuredReplies * 1e9 / elapsedNs;
    }

    String perSecondSummary()
    {
        if (repliesPerSecond.length == 0)
        {
            return "n/a";
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        final StringBuilder sb = new StringBuilder();
        for (final long v : repliesPerSecond)
        {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sb.append(sb.length() == 0 ? "" : ", ").append(Report.num(v / 1000.0)).append('k');
        }
        return "min " + Report.num(min) + ", max " + Report.num(max) + " (per second: " + sb + ")";
    }

    static void sleepUntil(final long deadlineNs)
    {
        long now;
        while ((now = System.nanoTime()) < deadlineNs)
        {
            LockSupport.parkNanos(Math.min(deadlineNs - now, 10_000_000L));
        }
    }

    static Thread findThread(final String name)
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (name.equals(thread.getName()))
            {
                return thread;
            }
        }
        return null;
    }

    static long allocatedBytes(final Thread thread)
    {
        if (null == thread)
        {
            return 0;
        }
        final var bean = ManagementFactory.getThreadMXBean();
        if (bean instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemorySupported())
        {
            return Math.max(0, sun.getThreadAllocatedBytes(thread.threadId()));
        }
        return 0;
    }

    /**
     * Engine counters and JVM figures at one instant.
     */
    private static final class Snapshot
    {
        final long fsyncs;
        final long fsyncNanos;
        final long batches;
        final long commands;
        final long maxBatch;
        final long events;
        long gcCount;
        long gcMillis;
        long producerBytes;
        final long processorBytes;

        Snapshot(final EngineCounters counters, final List<Thread> producers, final Thread processor)
        {
            fsyncs = counters.fsyncCount();
            fsyncNanos = counters.fsyncNanosTotal();
            batches = counters.batchCount();
            commands = counters.commandCount();
            maxBatch = counters.maxBatchSize();
            events = counters.eventCount();
            for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
            {
                gcCount += Math.max(0, gc.getCollectionCount());
                gcMillis += Math.max(0, gc.getCollectionTime());
            }
            for (final Thread thread : producers)
            {
                producerBytes += allocatedBytes(thread);
            }
            processorBytes = allocatedBytes(processor);
        }
    }
}
