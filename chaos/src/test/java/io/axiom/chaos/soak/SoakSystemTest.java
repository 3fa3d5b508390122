package io.axiom.chaos.soak;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The soak as CI runs it: a minute of load on a real server ({@code bin/axiom server}) and three real worker JVMs
 * over UDP loopback, with the server and workers SIGKILLed and restarted on seed {@value #SEED}'s schedule (3 server
 * kills and 8 worker kills), then judged from the log: every acknowledged create COMPLETED, every step committed
 * once with one effect in the ledger, {@code violations: 0}.
 * <p>
 * <p>
 * The cluster case: three {@code bin/axiom server --cluster} members and two workers for 40 s on seed {@value
 * #CLUSTER_SEED} (two leader kills, one member kill, worker kills), judged on every member's journal, which must be
 * the same on all three.
 * <p>
 * Bounded: the soak's own waits are bounded (server start, drain, stop), and the test's timeout covers them. Every
 * process the soak started is killed in {@link #cleanUp()}, whatever happened.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SoakSystemTest
{
    private static final long SEED = 7;
    private static final long CLUSTER_SEED = 15;

    @TempDir
    Path dir;

    private Soak soak;

    @AfterEach
    void cleanUp()
    {
        if (null != soak)
        {
            soak.close();
        }
    }

    @Test
    void aMinuteOfServerAndWorkerKillsBreaksNoPromise() throws Exception
    {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(new TeeStream(captured, System.out), true, StandardCharsets.UTF_8);
        final Soak.Context ctx = new Soak.Context()
            .durationMs(60_000)
            .seed(SEED)
            .dataDir(dir.resolve("data"))
            .logDir(dir.resolve("logs"))
            .drainTimeoutMs(60_000)
            .startTimeoutMs(60_000)
            .out(out);
        soak = new Soak(ctx);
        final Soak.Result result = soak.run();

        final String report = result.report();
        assertEquals(List.of(), result.violations(), report);
        assertTrue(report.endsWith("\nviolations: 0"), report);
        assertTrue(result.serverKills() >= 1 && result.serverRestarts() == result.serverKills(), report);
        assertTrue(result.workerKills() >= 1 && result.workerRestarts() == result.workerKills(), report);
        assertTrue(result.acknowledged() > 100, report);
        assertEquals(result.acknowledged(), result.completed(), report);
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("== soak report"), report);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void threeMembersWithLeaderAndMemberKillsBreakNoPromise() throws Exception
    {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(new TeeStream(captured, System.out), true, StandardCharsets.UTF_8);
        final Soak.Context ctx = new Soak.Context()
            .durationMs(40_000)
            .seed(CLUSTER_SEED)
            .clusterMembers(3)
            .workers(2)
            .rate(10)
            // no data directory: the soak's temporary one, deleted when it passes and kept (named in the report)
            // when it fails, with every member's journal and every process's output for the diagnosis
            .drainTimeoutMs(30_000)
            .startTimeoutMs(60_000)
            .out(out);
        soak = new Soak(ctx);
        final Soak.Result result = soak.run();

        final String report = "seed " + CLUSTER_SEED + "\n" + result.report();
        assertEquals(List.of(), result.violations(), report);
        assertTrue(result.report().endsWith("\nviolations: 0"), report);
        assertTrue(result.leaderKills() >= 2, report); // the member kill may strike the leader too
        assertEquals(3, result.serverKills(), report);
        assertEquals(result.serverKills(), result.serverRestarts(), report);
        assertTrue(result.acknowledged() > 100, report);
        assertEquals(result.acknowledged(), result.completed(), report);
        assertTrue(report.contains("journals identical on 3 members"), report);
    }

    /**
     * Writes to two streams: the report is kept for the assertions and shown in the test's output.
     */
    private static final class TeeStream extends OutputStream
    {
        private final OutputStream first;
        private final OutputStream second;

        TeeStream(final OutputStream first, final OutputStream second)
        {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(final int b) throws IOException
        {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException
        {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws IOException
        {
            first.flush();
            second.flush();
        }
    }
}
