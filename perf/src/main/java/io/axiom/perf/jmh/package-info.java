/**
 * JMH microbenchmarks of single operations (journal claim + commit of one record), for questions the harness's
 * end-to-end runs are too coarse to answer. Run through {@code org.openjdk.jmh.Main} from the perf jar.
 */
package io.axiom.perf.jmh;
