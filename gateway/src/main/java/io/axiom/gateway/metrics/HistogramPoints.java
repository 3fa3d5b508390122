package io.axiom.gateway.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Turns a cumulative HdrHistogram into a Prometheus histogram data point, at scrape time: classic buckets with the
 * upper bounds given, and native (exponential) buckets of {@link #NATIVE_SCHEMA}, so a scraper that negotiates
 * native histograms gets them. The recording side stays HdrHistogram's wait-free {@code Recorder}; nothing here runs
 * on the processor's thread. A value counts in a bucket by the lowest value HdrHistogram cannot tell it from, so
 * bucket counts are exact to its 3 significant digits.
 */
final class HistogramPoints
{
    /** Native buckets grow by 2^(2^-3), about 9% each. */
    static final int NATIVE_SCHEMA = 3;

    /** Upper bounds of the fsync latency buckets, seconds: 25 µs to 2.5 s. */
    static final double[] FSYNC_SECONDS = {
        0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    /** Upper bounds of the command latency buckets, seconds: 50 µs to 10 s. */
    static final double[] COMMAND_SECONDS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Upper bounds of the HTTP request duration buckets, seconds: 100 µs to 60 s (task fetches long-poll). */
    static final double[] HTTP_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    /** Upper bounds of the batch size buckets, commands per group commit: 1 to 8192 (the default ring). */
    static final double[] BATCH_SIZE = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};

    private static final double LOG2_FACTOR = (1 << NATIVE_SCHEMA) / Math.log(2);

    private HistogramPoints()
    {
    }

    /**
     * @param histogram cumulative values in recorded units (never negative).
     * @param scale     multiplier from recorded units to the unit shown, e.g. 1e-9 for nanoseconds to seconds.
     * @param bounds    classic bucket upper bounds in the unit shown, ascending, without +Inf.
     * @param labels    the data point's labels.
     * @return the data point: classic buckets (+Inf last), native buckets, count and sum.
     */
    static HistogramDataPointSnapshot point(
        final Histogram histogram, final double scale, final double[] bounds, final Labels labels)
    {
        final double[] upperBounds = new double[bounds.length + 1];
        System.arraycopy(bounds, 0, upperBounds, 0, bounds.length);
        upperBounds[bounds.length] = Double.POSITIVE_INFINITY;
        final long[] classic = new long[upperBounds.length];

        final long minValue = histogram.getTotalCount() == 0 ? 0 : histogram.lowestEquivalentValue(
            histogram.getMinValue());
        final long maxValue = histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue();
        final int firstIndex = minValue <= 0 ? 0 : nativeIndex(minValue * scale);
        final int lastIndex = maxValue <= 0 ? 0 : nativeIndex(maxValue * scale);
        final long[] nativeCounts = new long[Math.max(0, lastIndex - firstIndex + 1)];
        long zeroCount = 0;
        double sum = 0;

        for (final HistogramIterationValue v : histogram.recordedValues())
        {
            final long n = v.getCountAtValueIteratedTo();
            final double value = histogram.lowestEquivalentValue(v.getValueIteratedTo()) * scale;
            sum += histogram.medianEquivalentValue(v.getValueIteratedTo()) * scale * n;
            int b = 0;
            while (value > upperBounds[b])
            {
                b++;
            }
            classic[b] += n;
            if (value <= 0)
            {
                zeroCount += n;
            }
            else
            {
                final int index = Math.min(lastIndex, Math.max(firstIndex, nativeIndex(value)));
                nativeCounts[index - firstIndex] += n;
            }
        }

        int used = 0;
        for (final long c : nativeCounts)
        {
            used += c > 0 ? 1 : 0;
        }
        final int[] indexes = new int[used];
        final long[] counts = new long[used];
        for (int i = 0, j = 0; i < nativeCounts.length; i++)
        {
            if (nativeCounts[i] > 0)
            {
                indexes[j] = firstIndex + i;
                counts[j++] = nativeCounts[i];
            }
        }

        return HistogramDataPointSnapshot.builder()
            .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBounds, classic))
            .nativeSchema(NATIVE_SCHEMA)
            .nativeZeroCount(zeroCount)
            .nativeZeroThreshold(0)
            .nativeBucketsForPositiveValues(NativeHistogramBuckets.of(indexes, counts))
            .nativeBucketsForNegativeValues(NativeHistogramBuckets.EMPTY)
            .sum(sum)
            .labels(labels)
            .build();
    }

    /**
     * @param value a positive value.
     * @return the native bucket it falls in: bucket i holds (2^((i-1)/8), 2^(i/8)].
     */
    static int nativeIndex(final double value)
    {
        return (int)Math.ceil(Math.log(value) * LOG2_FACTOR - 1e-9);
    }
}
