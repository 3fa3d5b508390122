package io.axiom.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.agrona.DeadlineTimerWheel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The timers' spec, whatever the wheel's history: each poll(now) fires, in (deadline, workflow id) order, the first
 * min({@link Timers#MAX_TIMERS_PER_POLL}, n) of all pending timers due at now. A wheel polled from the start (aged:
 * leftovers past the per-poll limit, a wheel lagging by more than a turn after clock jumps) and a wheel made fresh at
 * a random point with another start time, given the same pending timers, fire exactly what a sorted model says, poll
 * by poll. Seeded; the seed is in every failure.
 */
class TimersSpecTest
{
    private static final long START_MS = EngineFixture.START_MS;

    /** A table of workflows and its timers. */
    private static final class Wheel implements DeadlineTimerWheel.TimerHandler
    {
        final List<Workflow> table = new ArrayList<>();
        final Timers timers;
        final List<Long> fired = new ArrayList<>();

        Wheel(final long startMs)
        {
            timers = new Timers(startMs, id -> id >= 1 && id <= table.size() ? table.get((int)id - 1) : null);
        }

        Workflow workflow(final long id)
        {
            while (table.size() < id)
            {
                table.add(new Workflow(table.size() + 1, new WorkflowDefinition(1, new byte[0], 0), 0, START_MS));
            }
            return table.get((int)id - 1);
        }

        public boolean onTimerExpiry(final TimeUnit timeUnit, final long now, final long timerId)
        {
            final Workflow w = table.get((int)timers.workflowOf(timerId) - 1);
            fired.add(w.id);
            timers.cancel(w); // as the decider's events do
            return true;
        }

        List<Long> poll(final long now)
        {
            fired.clear();
            timers.poll(now, this);
            return new ArrayList<>(fired);
        }
    }

    private record Pending(long deadline, long id) implements Comparable<Pending>
    {
        public int compareTo(final Pending other)
        {
            return deadline != other.deadline ? Long.compare(deadline, other.deadline) : Long.compare(id, other.id);
        }
    }

    @Test
    void freshAndAgedWheelsFireWhatTheSpecSays()
    {
        final long base = System.nanoTime();
        for (int t = 0; t < 20; t++)
        {
            final long seed = base + t;
            try
            {
                runOnce(seed);
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError("TimersSpecTest failed with seed " + seed + ": " + ex.getMessage(), ex);
            }
        }
    }

    private static void runOnce(final long seed)
    {
        final Random random = new Random(seed);
        final TreeSet<Pending> model = new TreeSet<>();
        final Wheel aged = new Wheel(START_MS);
        Wheel fresh = null;
        long now = START_MS;
        long nextId = 1;
        final int rounds = 60;
        final int freshAt = random.nextInt(rounds);
        for (int round = 0; round < rounds; round++)
        {
            if (round == freshAt)
            {
                // a wheel loaded from a snapshot: the same pending timers, another start time, no history
                fresh = new Wheel(now + random.nextInt(20_000) - 10_000);
                for (final Pending p : model)
                {
                    fresh.timers.schedule(fresh.workflow(p.id()), p.deadline());
                }
            }
            final int adds = random.nextInt(4) == 0 ? 1500 + random.nextInt(1500) : random.nextInt(50);
            for (int i = 0; i < adds; i++)
            {
                final long id = nextId++;
                final long deadline = now - 100 + random.nextInt(random.nextBoolean() ? 500 : 20_000);
                model.add(new Pending(deadline, id));
                aged.timers.schedule(aged.workflow(id), deadline);
                if (null != fresh)
                {
                    fresh.timers.schedule(fresh.workflow(id), deadline);
                }
            }
            for (int i = random.nextInt(20); i > 0 && !model.isEmpty(); i--)
            {
                final Pending p = model.higher(new Pending(now - 1000 + random.nextInt(20_000), 0));
                if (null != p)
                {
                    model.remove(p);
                    aged.timers.cancel(aged.workflow(p.id()));
                    if (null != fresh)
                    {
                        fresh.timers.cancel(fresh.workflow(p.id()));
                    }
                }
            }
            // clock steps: small, or past a whole turn of the wheel (512 ticks of 8 ms) so it lags
            now += random.nextInt(3) == 0 ? 5_000 + random.nextInt(60_000) : random.nextInt(300);
            for (int polls = 1 + random.nextInt(3); polls > 0; polls--)
            {
                final List<Long> expected = new ArrayList<>();
                for (final Pending p : model)
                {
                    if (p.deadline() > now || expected.size() == Timers.MAX_TIMERS_PER_POLL)
                    {
                        break;
                    }
                    expected.add(p.id());
                }
                for (final long id : expected)
                {
                    model.remove(new Pending(aged.workflow(id).wakeAt, id));
                }
                assertEquals(expected, aged.poll(now), "aged wheel, round " + round + ", now " + now);
                if (null != fresh)
                {
                    assertEquals(expected, fresh.poll(now), "fresh wheel, round " + round + ", now " + now);
                }
            }
        }
    }
}
