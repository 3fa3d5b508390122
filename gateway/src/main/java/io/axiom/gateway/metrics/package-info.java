/**
 * Operator metrics: {@code GET /api/v1/metrics} (JSON) and {@code GET /api/v1/metrics/prometheus} (Prometheus text
 * format 0.0.4).
 * <p>
 * Sources: the engine's {@link io.axiom.core.EngineCounters} (volatile figures the processor publishes once per duty
 * cycle, read without touching the ring, so metrics answer during recovery and under overload); its HdrHistogram
 * recorders, drained by {@link io.axiom.gateway.metrics.EngineHistograms}, their single consumer, into cumulative
 * histograms; the HTTP filter of {@link io.axiom.gateway.metrics.MetricsModule}, which counts requests by route
 * template ({@link io.axiom.gateway.metrics.RouteTemplates}) and status, and problem answers by {@code code}; and the
 * platform MXBeans ({@link io.axiom.gateway.metrics.JvmMetrics}).
 * <p>
 * {@link io.axiom.gateway.metrics.MetricsReport} reads everything once and renders both formats, so the JSON and
 * the Prometheus text of one reading agree. Names follow Prometheus conventions: {@code axiom_} prefix, base units
 * (seconds, bytes), {@code _total} on counters; latency summaries carry quantiles 0.5, 0.9, 0.99 and 0.999 over the
 * whole life of the process.
 */
package io.axiom.gateway.metrics;
