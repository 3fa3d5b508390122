package io.axiom.gateway.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.axiom.gateway.auth.AuthModule;

/**
 * Counts HTTP requests by method, route template and status, problem answers by code and status, and times requests
 * per route. Written by request threads concurrently (adders and HdrHistogram recorders are wait-free for writers);
 * read by {@link #requests()}, {@link #rejections()} and {@link #durations()}.
 */
public final class HttpMetrics implements AuthModule.RejectionListener
{
    /** Most distinct problem codes kept; further ones are counted under {@code OTHER}. */
    public static final int MAX_CODES = 256;

    private static final double NANOS_TO_SECONDS = 1e-9;

    /**
     * One series of the request counter.
     *
     * @param method method label.
     * @param route  route template label.
     * @param status HTTP status.
     */
    public record RequestKey(String method, String route, int status)
    {
    }

    /**
     * One series of the rejection counter.
     *
     * @param code   the problem's {@code code}.
     * @param status HTTP status.
     */
    public record RejectionKey(String code, int status)
    {
    }

    /**
     * Request durations of one route since start.
     *
     * @param quantiles the figures, in seconds.
     * @param point     the same as a Prometheus histogram data point labelled with the route.
     */
    public record Duration(Quantiles quantiles, HistogramDataPointSnapshot point)
    {
    }

    private final Map<RequestKey, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<RejectionKey, LongAdder> rejections = new ConcurrentHashMap<>();
    private final Map<String, Recorder> recorders = new ConcurrentHashMap<>();
    private final Map<String, Histogram> totals = new TreeMap<>();
    private final Map<String, Histogram> intervals = new TreeMap<>();

    /**
     * Count one answered request.
     *
     * @param method      the request method.
     * @param rawPath     the request path as sent.
     * @param status      the status answered.
     * @param problemCode the {@code code} of a problem answer, or null for any other answer.
     * @param nanos       time from the request reaching the filters to the answer being sent.
     */
    public void record(
        final String method, final String rawPath, final int status, final String problemCode, final long nanos)
    {
        final String route = RouteTemplates.route(rawPath);
        requests.computeIfAbsent(new RequestKey(RouteTemplates.method(method), route, status), k -> new LongAdder())
            .increment();
        recorders.computeIfAbsent(route, r -> new Recorder(3)).recordValue(Math.max(0, nanos));
        if (null != problemCode)
        {
            final String code = rejections.size() < MAX_CODES || rejections.containsKey(
                new RejectionKey(problemCode, status)) ? problemCode : "OTHER";
            rejections.computeIfAbsent(new RejectionKey(code, status), k -> new LongAdder()).increment();
        }
    }

    @Override
    public void rejected(
        final String method, final String rawPath, final int status, final String code, final long nanos)
    {
        record(method, rawPath, status, code, nanos);
    }

    /**
     * @return requests so far per series, sorted by route, method and status.
     */
    public Map<RequestKey, Long> requests()
    {
        final Map<RequestKey, Long> copy = new TreeMap<>(Comparator.comparing(RequestKey::route)
            .thenComparing(RequestKey::method).thenComparingInt(RequestKey::status));
        requests.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    /**
     * @return problem answers so far per code and status, sorted.
     */
    public Map<RejectionKey, Long> rejections()
    {
        final Map<RejectionKey, Long> copy = new TreeMap<>(Comparator.comparing(RejectionKey::code)
            .thenComparingInt(RejectionKey::status));
        rejections.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    /**
     * @return request durations (seconds) since start per route template, sorted by route.
     */
    public synchronized Map<String, Duration> durations()
    {
        final List<String> routes = new ArrayList<>(recorders.keySet());
        final Map<String, Duration> result = new TreeMap<>();
        for (final String route : routes)
        {
            final Histogram interval = recorders.get(route).getIntervalHistogram(intervals.get(route));
            intervals.put(route, interval);
            final Histogram total = totals.computeIfAbsent(route, r -> new Histogram(3));
            total.add(interval);
            result.put(route, new Duration(Quantiles.of(total, NANOS_TO_SECONDS), HistogramPoints.point(
                total, NANOS_TO_SECONDS, HistogramPoints.HTTP_SECONDS, Labels.of("route", route))));
        }
        return result;
    }
}
