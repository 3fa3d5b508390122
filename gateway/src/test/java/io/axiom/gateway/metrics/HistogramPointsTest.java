package io.axiom.gateway.metrics;

import java.util.Random;

import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.NativeHistogramBucket;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HistogramPoints}: classic and native buckets computed from an HdrHistogram count every recorded value once,
 * in the right bucket.
 */
class HistogramPointsTest
{
    @Test
    void classicBucketsCountExactlyWhereHdrHistogramIsExact()
    {
        final long seed = System.nanoTime();
        System.out.println("classicBucketsCountExactlyWhereHdrHistogramIsExact seed=" + seed);
        final Random random = new Random(seed);
        final Histogram histogram = new Histogram(3);
        final long[] below = new long[HistogramPoints.BATCH_SIZE.length + 1];
        long sum = 0;
        final int n = 1 + random.nextInt(5000);
        for (int i = 0; i < n; i++)
        {
            final int value = 1 + random.nextInt(2047);
            histogram.recordValue(value);
            sum += value;
            int b = 0;
            while (b < HistogramPoints.BATCH_SIZE.length && value > HistogramPoints.BATCH_SIZE[b])
            {
                b++;
            }
            below[b]++;
        }

        final HistogramDataPointSnapshot point = HistogramPoints.point(
            histogram, 1.0, HistogramPoints.BATCH_SIZE, Labels.EMPTY);
        assertEquals(HistogramPoints.BATCH_SIZE.length + 1, point.getClassicBuckets().size());
        assertEquals(Double.POSITIVE_INFINITY, point.getClassicBuckets().getUpperBound(
            HistogramPoints.BATCH_SIZE.length));
        for (int b = 0; b < below.length; b++)
        {
            assertEquals(below[b], point.getClassicBuckets().getCount(b), "bucket " + b + ", seed " + seed);
        }
        assertEquals(n, point.getCount(), "seed " + seed);
        assertEquals(sum, point.getSum(), 0.0, "values below 2048 are exact, seed " + seed);
    }

    @Test
    void nativeBucketsHoldEveryValueInItsRange()
    {
        final long seed = System.nanoTime();
        System.out.println("nativeBucketsHoldEveryValueInItsRange seed=" + seed);
        final Random random = new Random(seed);
        final Histogram histogram = new Histogram(3);
        final int n = 1 + random.nextInt(10_000);
        for (int i = 0; i < n; i++)
        {
            histogram.recordValue((long)Math.exp(random.nextDouble() * Math.log(10_000_000_000L)));
        }
        histogram.recordValue(0);

        final HistogramDataPointSnapshot point = HistogramPoints.point(
            histogram, 1e-9, HistogramPoints.FSYNC_SECONDS, Labels.of("route", "/x"));
        assertTrue(point.hasClassicHistogramData() && point.hasNativeHistogramData());
        assertEquals(HistogramPoints.NATIVE_SCHEMA, point.getNativeSchema());
        assertEquals(1, point.getNativeZeroCount(), "the 0 recorded");
        long total = point.getNativeZeroCount();
        int previous = Integer.MIN_VALUE;
        for (final NativeHistogramBucket bucket : point.getNativeBucketsForPositiveValues())
        {
            assertTrue(bucket.getBucketIndex() > previous, "indexes ascend, seed " + seed);
            assertTrue(bucket.getCount() > 0, "no empty buckets, seed " + seed);
            previous = bucket.getBucketIndex();
            total += bucket.getCount();
        }
        assertEquals(n + 1, total, "every value in one native bucket, seed " + seed);
        assertEquals(n + 1, point.getClassicBuckets().getCount(point.getClassicBuckets().size() - 1) +
            sumBelowInf(point), "every value in one classic bucket, seed " + seed);
        assertEquals("/x", point.getLabels().get("route"));

        assertEquals(0, HistogramPoints.nativeIndex(1.0));
        assertEquals(8, HistogramPoints.nativeIndex(2.0));
        assertEquals(9, HistogramPoints.nativeIndex(2.01));
        assertEquals(-8, HistogramPoints.nativeIndex(0.5));
    }

    @Test
    void anEmptyHistogramHasZeroCountsEverywhere()
    {
        final HistogramDataPointSnapshot point = HistogramPoints.point(
            new Histogram(3), 1e-9, HistogramPoints.COMMAND_SECONDS, Labels.EMPTY);
        assertEquals(0, point.getCount());
        assertEquals(0.0, point.getSum());
        assertEquals(0, point.getNativeBucketsForPositiveValues().size());
        for (int b = 0; b < point.getClassicBuckets().size(); b++)
        {
            assertEquals(0, point.getClassicBuckets().getCount(b));
        }
    }

    private static long sumBelowInf(final HistogramDataPointSnapshot point)
    {
        long sum = 0;
        for (int b = 0; b < point.getClassicBuckets().size() - 1; b++)
        {
            sum += point.getClassicBuckets().getCount(b);
        }
        return sum;
    }
}
