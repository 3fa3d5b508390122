package io.axiom.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.DeadlineTimerWheel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The timers' due list on its own: due timers handed out in (wake_at, workflow id) order whatever the wheel's slot
 * order, a handler that cannot act keeps its timer first, a timer cancelled while due is dropped, and a timer
 * scheduled into the freed slot of one still due is never taken for it.
 */
class TimersTest
{
    private static final long START_MS = EngineFixture.START_MS;
    private static final long DAY_MS = 86_400_000L;

    private final List<Workflow> table = new ArrayList<>();
    private final Timers timers = new Timers(START_MS, id -> id >= 1 && id <= table.size() ?
        table.get((int)id - 1) : null);

    private Workflow workflow()
    {
        final Workflow w = new Workflow(table.size() + 1, new WorkflowDefinition(1, new byte[0], 0), 0, START_MS);
        table.add(w);
        return w;
    }

    /** Hands out the owners' ids, recording them; forgets the timer like the decider's events do. */
    private final class Recorder implements DeadlineTimerWheel.TimerHandler
    {
        final List<Long> fired = new ArrayList<>();
        int refuseAfter = Integer.MAX_VALUE;

        public boolean onTimerExpiry(final TimeUnit timeUnit, final long now, final long timerId)
        {
            final long id = timers.workflowOf(timerId);
            if (id < 0)
            {
                timers.expired(timerId);
                return true;
            }
            if (fired.size() >= refuseAfter)
            {
                return false;
            }
            final Workflow w = table.get((int)id - 1);
            assertEquals(timerId, w.timerId, "the handed-out id is the workflow's");
            assertTrue(w.wakeAt <= now, "not early");
            fired.add(id);
            timers.cancel(w);
            return true;
        }
    }

    @Test
    void dueTimersAreHandedOutInWakeAtOrderNotSlotOrder()
    {
        final long seed = System.nanoTime();
        System.out.println("TimersTest seed " + seed);
        final Random random = new Random(seed);
        final int count = 5_000;
        for (int i = 0; i < count; i++)
        {
            // Some share a wake_at: then the lower workflow id first.
            final Workflow w = workflow();
            timers.schedule(w, START_MS + 1 + (random.nextInt(8) == 0 ? 1_000 : random.nextLong(30 * DAY_MS)));
            wakes.add(w.wakeAt);
        }
        final Recorder recorder = new Recorder();
        long now = START_MS;
        long lastWake = Long.MIN_VALUE;
        long lastId = 0;
        int polls = 0;
        while (recorder.fired.size() < count)
        {
            now += random.nextInt(4) == 0 ? random.nextInt(10) : (long)(random.nextDouble() * 3 * DAY_MS);
            for (int fired = 1; fired > 0; polls++)
            {
                final int before = recorder.fired.size();
                fired = timers.poll(now, recorder);
                for (int i = before; i < recorder.fired.size(); i++)
                {
                    final long id = recorder.fired.get(i);
                    final long wake = wakeAtOf(id);
                    assertTrue(wake > lastWake || (wake == lastWake && id > lastId),
                        "seed " + seed + ": " + id + " at " + wake + " after " + lastId + " at " + lastWake);
                    lastWake = wake;
                    lastId = id;
                }
            }
        }
        assertEquals(0, timers.count());
        assertTrue(polls > 0);
    }

    private final List<Long> wakes = new ArrayList<>();

    private long wakeAtOf(final long id)
    {
        return wakes.get((int)id - 1);
    }

    @Test
    void aRefusingHandlerKeepsItsTimerFirstAndACancelledDueTimerIsDropped()
    {
        final Workflow late = workflow();
        final Workflow early = workflow();
        final Workflow cancelled = workflow();
        timers.schedule(late, START_MS + 30 * DAY_MS);
        timers.schedule(early, START_MS + 7 * DAY_MS);
        timers.schedule(cancelled, START_MS + 8 * DAY_MS);
        wakes.add(late.wakeAt);
        wakes.add(early.wakeAt);
        wakes.add(cancelled.wakeAt);

        final long earlyWheelId = early.timerId;
        final Recorder recorder = new Recorder();
        recorder.refuseAfter = 0; // the journal is full
        final long now = START_MS + 40 * DAY_MS;
        assertEquals(0, timers.poll(now, recorder));
        assertEquals(3, timers.count(), "kept, not lost");
        assertTrue(0 != (early.timerId & Timers.DUE), "taken out of the wheel");

        timers.cancel(cancelled);
        // A new timer in the slot the early one freed (same spoke: a whole number of wheel turns later) has the id
        // the early one had in the wheel: it must wait for its own deadline, and the early one must still fire.
        final long turnMs = 8 * 512;
        final Workflow fresh = workflow();
        timers.schedule(fresh, early.wakeAt + turnMs * ((33 * DAY_MS) / turnMs + 1));
        wakes.add(fresh.wakeAt);
        assertEquals(earlyWheelId, fresh.timerId, "the fresh timer took the slot the early one freed");
        assertTrue(fresh.wakeAt > now);

        recorder.refuseAfter = Integer.MAX_VALUE;
        timers.poll(now, recorder);
        assertEquals(List.of(early.id, late.id), recorder.fired);
        assertEquals(Workflow.NO_TIMER, cancelled.timerId);
        assertEquals(1, timers.count(), "only the fresh timer is pending");
        timers.poll(fresh.wakeAt - 1, recorder);
        assertEquals(List.of(early.id, late.id), recorder.fired, "not early");
        timers.poll(fresh.wakeAt, recorder);
        assertEquals(List.of(early.id, late.id, fresh.id), recorder.fired);
    }

    @Test
    void aBacklogLargerThanOnePollFiresInWakeAtOrderOverSeveralPolls()
    {
        final int count = 2 * Timers.MAX_TIMERS_PER_POLL + 500;
        for (int i = 0; i < count; i++)
        {
            final Workflow w = workflow();
            timers.schedule(w, START_MS + 30 * DAY_MS - i * 1_000L); // scheduled latest first
            wakes.add(w.wakeAt);
        }
        final Recorder recorder = new Recorder();
        final long now = START_MS + 40 * DAY_MS;
        assertEquals(Timers.MAX_TIMERS_PER_POLL, timers.poll(now, recorder));
        assertEquals(count - Timers.MAX_TIMERS_PER_POLL, timers.count());
        assertEquals(Timers.MAX_TIMERS_PER_POLL, timers.poll(now, recorder));
        assertEquals(500, timers.poll(now, recorder));
        assertEquals(0, timers.poll(now, recorder));
        for (int i = 0; i < count; i++)
        {
            assertEquals(count - i, recorder.fired.get(i), "the earliest wake_at first");
        }
    }
}
