package io.axiom.gateway.metrics;

import java.util.Map;
import java.util.WeakHashMap;

import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import org.HdrHistogram.Histogram;

import io.axiom.core.EngineCounters;

/**
 * The one consumer of an engine's interval histograms (fsync latency, batch size, command latency): each read of
 * {@link EngineCounters} starts a new interval, so two readers would each see half. This class drains the intervals
 * and adds them to cumulative histograms that any number of readers (JSON metrics, Prometheus, GraphQL) share.
 * Obtain it with {@link #of(EngineCounters)}, never by constructing one.
 */
public final class EngineHistograms
{
    private static final double NANOS_TO_SECONDS = 1e-9;
    private static final Map<EngineCounters, EngineHistograms> INSTANCES = new WeakHashMap<>();

    private final EngineCounters counters;
    private final Histogram fsyncTotal = new Histogram(3);
    private final Histogram batchTotal = new Histogram(3);
    private final Histogram commandTotal = new Histogram(3);
    private Histogram fsyncInterval;
    private Histogram batchInterval;
    private Histogram commandInterval;

    private EngineHistograms(final EngineCounters counters)
    {
        this.counters = counters;
    }

    /**
     * @param counters an engine's counters.
     * @return the single consumer of their histograms, created on first use.
     */
    public static EngineHistograms of(final EngineCounters counters)
    {
        synchronized (INSTANCES)
        {
            return INSTANCES.computeIfAbsent(counters, EngineHistograms::new);
        }
    }

    /**
     * Drain the intervals recorded since the previous call and return the cumulative figures since start.
     *
     * @return fsync latency (seconds), batch size (commands per group commit) and command latency (seconds), as
     * quantiles and as Prometheus histogram data points.
     */
    public synchronized Snapshot snapshot()
    {
        fsyncInterval = counters.fsyncLatencyInterval(fsyncInterval);
        fsyncTotal.add(fsyncInterval);
        batchInterval = counters.batchSizeInterval(batchInterval);
        batchTotal.add(batchInterval);
        commandInterval = counters.commandLatencyInterval(commandInterval);
        commandTotal.add(commandInterval);
        return new Snapshot(
            Quantiles.of(fsyncTotal, NANOS_TO_SECONDS),
            Quantiles.of(batchTotal, 1.0),
            Quantiles.of(commandTotal, NANOS_TO_SECONDS),
            HistogramPoints.point(fsyncTotal, NANOS_TO_SECONDS, HistogramPoints.FSYNC_SECONDS, Labels.EMPTY),
            HistogramPoints.point(batchTotal, 1.0, HistogramPoints.BATCH_SIZE, Labels.EMPTY),
            HistogramPoints.point(commandTotal, NANOS_TO_SECONDS, HistogramPoints.COMMAND_SECONDS, Labels.EMPTY));
    }

    /**
     * Cumulative figures since the engine started.
     *
     * @param fsyncSeconds   fsync latency in seconds.
     * @param batchSize      commands per group commit.
     * @param commandSeconds command latency (publish on the ring to reply after fsync) in seconds.
     * @param fsyncPoint     fsync latency as a histogram data point.
     * @param batchPoint     batch size as a histogram data point.
     * @param commandPoint   command latency as a histogram data point.
     */
    public record Snapshot(
        Quantiles fsyncSeconds,
        Quantiles batchSize,
        Quantiles commandSeconds,
        HistogramDataPointSnapshot fsyncPoint,
        HistogramDataPointSnapshot batchPoint,
        HistogramDataPointSnapshot commandPoint)
    {
    }
}
