package io.axiom.gateway.metrics;

import org.HdrHistogram.Histogram;

/**
 * A histogram reduced to what metrics show: count, sum, max and a few percentiles, already scaled to the unit shown
 * (seconds for latencies, plain numbers for sizes).
 *
 * @param count       values recorded.
 * @param sum         sum of the values (from the histogram's mean, so within its precision).
 * @param max         largest value, or NaN when empty.
 * @param quantiles   the quantiles, {@link #LEVELS} order.
 * @param values      the value at each quantile, NaN when empty.
 */
public record Quantiles(long count, double sum, double max, double[] quantiles, double[] values)
{
    /** The quantiles the JSON document shows. */
    public static final double[] LEVELS = {0.5, 0.9, 0.99, 0.999};

    /**
     * @param histogram a cumulative histogram.
     * @param scale     multiplier from recorded units to shown units, e.g. 1e-9 for nanoseconds to seconds.
     * @return its quantiles.
     */
    public static Quantiles of(final Histogram histogram, final double scale)
    {
        final long count = histogram.getTotalCount();
        final double[] values = new double[LEVELS.length];
        for (int i = 0; i < LEVELS.length; i++)
        {
            values[i] = count == 0 ? Double.NaN : histogram.getValueAtPercentile(LEVELS[i] * 100.0) * scale;
        }
        final double sum = count == 0 ? 0.0 : histogram.getMean() * count * scale;
        final double max = count == 0 ? Double.NaN : histogram.getMaxValue() * scale;
        return new Quantiles(count, sum, max, LEVELS.clone(), values);
    }
}
