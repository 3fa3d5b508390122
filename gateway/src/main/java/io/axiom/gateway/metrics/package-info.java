/**
 * Operator metrics: {@code GET /api/v1/metrics} (JSON) and {@code GET /api/v1/metrics/prometheus} (the Prometheus
 * Java client's exposition: text format 0.0.4, or OpenMetrics text or protobuf when the {@code Accept} header asks).
 * <p>
 * Sources: the engine's {@link io.axiom.core.EngineCounters} (volatile figures the processor publishes once per duty
 * cycle, read without touching the ring, so metrics answer during recovery and under overload); its HdrHistogram
 * recorders, drained by {@link io.axiom.gateway.metrics.EngineHistograms}, their single consumer, into cumulative
 * histograms; the HTTP filter of {@link io.axiom.gateway.metrics.MetricsModule}, which counts requests by route
 * template ({@link io.axiom.gateway.metrics.RouteTemplates}) and status, and problem answers by {@code code}; the
 * platform MXBeans ({@link io.axiom.gateway.metrics.JvmMetrics}, for the JSON); and the client's JVM instrumentation
 * (for Prometheus).
 * <p>
 * {@link io.axiom.gateway.metrics.MetricsReport} reads everything once and renders both the JSON and the Prometheus
 * metric families, so the two of one reading agree; the families are collected per scrape from a registry of each
 * server's own. Nothing here runs on the processor's thread and the processor never calls the client library: it
 * records into wait-free HdrHistogram recorders, and {@link io.axiom.gateway.metrics.HistogramPoints} turns the
 * cumulative histograms into classic and native Prometheus buckets at scrape time. Names follow Prometheus
 * conventions: {@code axiom_} prefix, base units (seconds, bytes), {@code _total} on counters; latencies and batch
 * sizes are histograms over the whole life of the process.
 * <p>
 * This package never knows the processor's state beyond its counters, and never writes to the engine.
 */
package io.axiom.gateway.metrics;
