package io.axiom.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.WorkflowView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.START_MS;
import static io.axiom.core.EngineFixture.TIMEOUT;
import static io.axiom.core.LongTimersCrashChild.DAY_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weeks-long timers across real crashes: an engine process whose clock the test sets (stopped at a given time) creates
 * workflows with timer steps of 7 and 30 days and is SIGKILLed at seeded random moments, one round each at a later
 * clock, so that some rounds start with timers due (killed while they fire) and others with them pending. After every
 * kill: every acknowledged workflow is there, no timer has fired twice or before its wake_at; at the end, with the
 * clock past every wake_at, every timer step has fired exactly once. Reproduce with {@code -Daxiom.test.seed=N}.
 */
class LongTimersCrashTest
{
    private static final long[] ROUND_CLOCKS = {0, 3 * DAY_MS, 7 * DAY_MS + 1, 12 * DAY_MS, 31 * DAY_MS,
        37 * DAY_MS + 5, 45 * DAY_MS, 70 * DAY_MS};

    @TempDir
    Path dir;

    @RegisterExtension
    final CrashRounds crash = new CrashRounds();

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void timersSurviveSigkillAndFireOnceAtTheirWakeAt() throws Exception
    {
        CrashRounds.seeded("LongTimersCrashTest", "", this::rounds);
    }

    private void rounds(final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final Path dataDir = dir.resolve("wal");
        final Set<Long> acknowledged = new TreeSet<>();
        for (int round = 0; round < ROUND_CLOCKS.length; round++)
        {
            final long clockMs = START_MS + ROUND_CLOCKS[round];
            // None: killed as soon as it is ready, while the timers due at its clock fire.
            final int acksWanted = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(20);
            final List<String> command = ChildJvmCommand.of(LongTimersCrashChild.class, dataDir.toString(),
                Long.toString(clockMs), Long.toString(random.nextLong()));
            final Path err = dir.resolve("child-" + round + ".err");
            crash.killAfterAcks(command, err, "round " + round, acksWanted,
                f ->
                {
                    if (f.length < 3)
                    {
                        return false;
                    }
                    acknowledged.add(Long.parseLong(f[2]));
                    return true;
                },
                CrashRounds.Pause.NONE);
            final long[] figures = check(dataDir, clockMs, acknowledged, false, "round " + round);
            System.out.println("round " + round + " at day " + ROUND_CLOCKS[round] / DAY_MS + ": " + acksWanted +
                " acks, " + figures[0] + " workflows, " + figures[1] + " timers fired");
        }
        // Past every wake_at: the first timers fire (and second ones are scheduled 30 days on), then those.
        check(dataDir, START_MS + 200 * DAY_MS, acknowledged, false, "the end, first timers");
        final long[] end = check(dataDir, START_MS + 300 * DAY_MS, acknowledged, true, "the end");
        System.out.println("the end: " + end[0] + " workflows, " + end[1] + " timers fired once each");
    }

    /**
     * @return workflows and timers fired.
     */
    private static long[] check(
        final Path dataDir, final long clockMs, final Set<Long> acknowledged, final boolean allDue, final String where)
    {
        final Engine engine = Engine.launch(LongTimersCrashChild.context(dataDir, clockMs));
        try
        {
            EngineFixture.await("recovery", () -> engine.isReady() || null != engine.failure());
            assertEquals(null, engine.failure(), where + ": recovery failed");
            final EngineClient client = engine.client();
            // The reply to a query is released after the duty cycle's timer poll: every timer due now has fired.
            final long total = ((EngineReply.WorkflowList)client.list(0, 0, null, TIMEOUT)).total();
            assertTrue(total >= acknowledged.size(), where + ": " + total + " workflows, " + acknowledged.size() +
                " acknowledged");
            long timersFired = 0;
            for (long id = 1; id <= total; id++)
            {
                final WorkflowView w = EngineFixture.created(client.get(id, TIMEOUT));
                final List<EventView> events = EngineTest.events(client.allEvents(id, TIMEOUT));
                final List<EventView> scheduled = events.stream().filter(e -> "TimerScheduled".equals(e.type()))
                    .toList();
                final List<EventView> fired = events.stream().filter(e -> "TimerFired".equals(e.type())).toList();
                assertTrue(fired.size() <= scheduled.size(), where + ": workflow " + id + " fired " + fired.size() +
                    " timers of " + scheduled.size() + " scheduled");
                for (int i = 0; i < fired.size(); i++)
                {
                    assertEquals(scheduled.get(i).fields().get("deadline"), fired.get(i).fields().get("deadline"),
                        where + ": workflow " + id + " fired a timer it did not schedule");
                    assertTrue(fired.get(i).timestamp() >= ((Number)fired.get(i).fields().get("deadline")).longValue(),
                        where + ": workflow " + id + " fired early: " + fired.get(i));
                }
                timersFired += fired.size();
                assertTrue(0 == w.wakeAt() || w.wakeAt() > clockMs, where + ": workflow " + id +
                    " has a due timer pending: " + w);
                if (allDue)
                {
                    assertEquals("COMPLETED", w.state(), where + ": " + w);
                    assertEquals(w.steps().size(), fired.size(), where + ": workflow " + id + " " + fired);
                }
            }
            return new long[]{total, timersFired};
        }
        finally
        {
            engine.close();
        }
    }
}
