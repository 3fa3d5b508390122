/**
 * The perf harness: {@code bin/axiom perf <journal|core|recovery|memory|http|verify|snapshot|cluster|all>} measures Axiom
 * HdrHistogram and writes each result, with its method and the machine it ran on, into its own section of BENCHMARKS.md.
 * <p>
 * Every figure is a ratio against, or sits beside, a baseline measured in the same run (raw {@code FileChannel}
 * write + force bandwidth, a single fsync's latency), because absolute times on shared machines drift. Load
 * generators allocate nothing per command (preallocated encoders and reply tokens) and back off when idle.
 * <p>
 * Owns: measurement only. Nothing in production depends on this module, and no test asserts a time: speed is
 * measured here, never enforced by a timed unit test.
 */
package io.axiom.perf;
