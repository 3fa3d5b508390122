package io.axiom.chaos.soak;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.axiom.chaos.soak.FaultSchedule.Fault;
import io.axiom.chaos.soak.FaultSchedule.Target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultScheduleTest
{
    @Test
    void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother()
    {
        assertEquals(FaultSchedule.generate(7, 60_000, 3).faults(), FaultSchedule.generate(7, 60_000, 3).faults());
        assertNotEquals(FaultSchedule.generate(7, 60_000, 3).faults(), FaultSchedule.generate(8, 60_000, 3).faults());
    }

    @Test
    void aSeedPinsItsScheduleAcrossRunsAndMachines()
    {
        // java.util.Random's sequence is specified: these numbers are what seed 7 means, on every JDK
        final List<String> first = FaultSchedule.generate(7, 60_000, 3).describe().subList(0, 3);
        assertEquals(List.of(
            "schedule (seed 7, 60000 ms, 3 workers): 3 server kills, 8 worker kills",
            "  t+  6.451s  SIGKILL worker 3  restart at t+ 10.353s (down 3902 ms)",
            "  t+ 10.384s  SIGKILL server    restart at t+ 12.282s (down 1898 ms)"), first);
    }

    @Test
    void everyMinuteLongSoakKillsTheServerAndAWorkerAndBringsThemBackInsideTheWindow()
    {
        for (long seed = 0; seed < 2_000; seed++)
        {
            for (final int workers : new int[] {1, 2, 3, 8})
            {
                final FaultSchedule schedule = FaultSchedule.generate(seed, 60_000, workers);
                assertTrue(schedule.count(Target.SERVER) >= 1, "seed " + seed + ": " + schedule.describe());
                assertTrue(schedule.count(Target.WORKER) >= 1, "seed " + seed + ": " + schedule.describe());
                long serverUpAt = 0;
                final long[] workerUpAt = new long[workers];
                long last = 0;
                for (final Fault fault : schedule.faults())
                {
                    assertTrue(fault.atMs() >= last, "in time order: " + schedule.describe());
                    last = fault.atMs();
                    assertTrue(fault.atMs() >= 6_000 && fault.restartAtMs() <= 45_000,
                        "inside the window from a tenth to three quarters of the duration: " + fault);
                    if (Target.SERVER == fault.target())
                    {
                        assertTrue(fault.atMs() >= serverUpAt, "the server is up when it is killed: " + fault);
                        serverUpAt = fault.restartAtMs();
                    }
                    else
                    {
                        assertTrue(fault.atMs() >= workerUpAt[fault.worker()], "the worker is up: " + fault);
                        workerUpAt[fault.worker()] = fault.restartAtMs();
                    }
                }
            }
        }
    }

    @Test
    void aClusterSeedPinsItsLeaderAndMemberKills()
    {
        // the schedule SoakSystemTest's cluster case runs: two leader kills and one member kill
        final List<String> lines = FaultSchedule.generate(15, 40_000, 2, 3).describe();
        assertEquals("schedule (seed 15, 40000 ms, 2 workers, 3 cluster members): 2 leader kills, 1 member kills, " +
            "6 worker kills", lines.getFirst());
        assertTrue(lines.contains("  t+  7.649s  SIGKILL leader    restart at t+  8.181s (down 532 ms)"),
            String.join("\n", lines));
        assertTrue(lines.contains("  t+ 15.337s  SIGKILL member 1  restart at t+ 15.807s (down 470 ms)"),
            String.join("\n", lines));
    }

    @Test
    void aClusterHasOneMemberDownAtATimeAndNoServerFault()
    {
        for (long seed = 0; seed < 2_000; seed++)
        {
            final int members = 3 + (int)(seed % 3);
            final FaultSchedule schedule = FaultSchedule.generate(seed, 60_000, 3, members);
            assertEquals(0, schedule.count(Target.SERVER), "seed " + seed);
            assertTrue(schedule.count(Target.LEADER) + schedule.count(Target.MEMBER) >= 2,
                "seed " + seed + ": " + schedule.describe());
            long memberUpAt = 0;
            for (final Fault fault : schedule.faults())
            {
                if (Target.LEADER == fault.target() || Target.MEMBER == fault.target())
                {
                    assertTrue(fault.atMs() >= memberUpAt, "one member down at a time: " + schedule.describe());
                    assertTrue(fault.restartAtMs() <= 45_000, "back inside the window: " + fault);
                    assertTrue(Target.LEADER == fault.target() ? -1 == fault.worker() :
                        fault.worker() >= 0 && fault.worker() < members, fault.toString());
                    memberUpAt = fault.restartAtMs();
                }
            }
        }
    }

    @Test
    void aShortSoakMayHaveNoFaultButNeverOneOutsideItsDuration()
    {
        final FaultSchedule schedule = FaultSchedule.generate(1, 2_000, 2);
        schedule.faults().forEach(f -> assertTrue(f.restartAtMs() <= 1_500, f.toString()));
    }
}
