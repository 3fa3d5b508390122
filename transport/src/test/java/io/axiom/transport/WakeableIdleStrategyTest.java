package io.axiom.transport;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(60)
class WakeableIdleStrategyTest
{
    @Test
    void aWakeCutsAParkShort() throws Exception
    {
        // every park is an hour: only a wake can end one within the test's bound
        final long hourNs = TimeUnit.HOURS.toNanos(1);
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(hourNs, hourNs);
        final CountDownLatch idled = new CountDownLatch(1);
        final Thread agent = Thread.ofPlatform().daemon().start(() ->
        {
            for (int i = 0; i < 20; i++) // 10 spins, 5 yields, then 5 parks of an hour each
            {
                idle.idle(0);
            }
            idled.countDown();
        });
        try
        {
            // wake until the agent has come out of its park (a wake before it parks leaves the permit for it)
            while (!idled.await(10, TimeUnit.MILLISECONDS))
            {
                idle.wake();
            }
            agent.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals(Thread.State.TERMINATED, agent.getState());
        }
        finally
        {
            agent.interrupt();
        }
    }

    @Test
    void aWakeWithNobodyParkedIsHarmlessAndParksMustBePositive()
    {
        final WakeableIdleStrategy idle = new WakeableIdleStrategy();
        idle.wake();
        for (int i = 0; i < 30; i++)
        {
            idle.idle(0);
        }
        idle.reset();
        assertThrows(IllegalArgumentException.class, () -> new WakeableIdleStrategy(0));
        assertThrows(IllegalArgumentException.class, () -> new WakeableIdleStrategy(10, 5));
    }
}
