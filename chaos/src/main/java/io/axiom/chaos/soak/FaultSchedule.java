package io.axiom.chaos.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * When the soak SIGKILLs what, and how long each victim stays down: drawn from the seed alone, so the same seed,
 * duration and number of workers always give the same schedule (a failing soak is rerun with its seed).
 * <p>
 * Faults fall in a window from a tenth to three quarters of the duration: the first tenth lets the load settle, the
 * last quarter lets every restarted process catch up while the load still runs, so that a fault late in the window is
 * followed by ordinary work before the drain. Each victim is back up before the window closes.
 * <ul>
 *     <li>The server is killed every {@value #SERVER_GAP_MIN_MS}-{@value #SERVER_GAP_MAX_MS} ms (after it is back),
 *     staying down {@value #SERVER_DOWN_MIN_MS}-{@value #SERVER_DOWN_MAX_MS} ms before it is started again.</li>
 *     <li>A worker (one of those up at that moment) is killed every {@value #WORKER_GAP_MIN_MS}-{@value
 *     #WORKER_GAP_MAX_MS} ms, staying down {@value #WORKER_DOWN_MIN_MS}-{@value #WORKER_DOWN_MAX_MS} ms.</li>
 * </ul>
 * Server and worker faults draw from two streams of the seed, so they are independent of each other: two kills can
 * meet (a worker killed while the server is down), which is part of what is tested.
 * <p>
 * <b>A cluster</b> ({@code members} &gt; 0): the server's faults become member faults, one every
 * {@value #MEMBER_GAP_MIN_MS}-{@value #MEMBER_GAP_MAX_MS} ms (after the last is back), down
 * {@value #MEMBER_DOWN_MIN_MS}-{@value #MEMBER_DOWN_MAX_MS} ms: three in four a {@link Target#LEADER leader kill}
 * (whichever member leads at that moment), one in four a {@link Target#MEMBER member kill} (a member drawn from the
 * seed). One member is down at a time, so a majority of three or more always remains.
 * <p>
 * java.util.Random is used because its sequence is specified (a linear congruential generator fixed by its javadoc):
 * a seed means the same schedule on every JDK.
 */
public final class FaultSchedule
{
    static final long SERVER_GAP_MIN_MS = 6_000;
    static final long SERVER_GAP_MAX_MS = 18_000;
    static final long SERVER_DOWN_MIN_MS = 100;
    static final long SERVER_DOWN_MAX_MS = 2_500;
    static final long WORKER_GAP_MIN_MS = 1_500;
    static final long WORKER_GAP_MAX_MS = 7_500;
    static final long WORKER_DOWN_MIN_MS = 100;
    static final long WORKER_DOWN_MAX_MS = 5_000;
    static final long MEMBER_GAP_MIN_MS = 5_000;
    static final long MEMBER_GAP_MAX_MS = 12_000;
    static final long MEMBER_DOWN_MIN_MS = 300;
    static final long MEMBER_DOWN_MAX_MS = 2_500;

    /**
     * What a fault strikes.
     */
    public enum Target
    {
        SERVER,
        WORKER,
        /** The cluster member that leads when the fault strikes, found then. */
        LEADER,
        /** A cluster member drawn from the seed (it may happen to lead). */
        MEMBER
    }

    /**
     * One fault: SIGKILL the target at {@code atMs} after the soak's start, start it again {@code downMs} later.
     *
     * @param atMs   when, in milliseconds after the load started.
     * @param target the server, a worker, the cluster's leader or a cluster member.
     * @param worker the worker's or the member's slot (0-based), or -1 for the server and the leader.
     * @param downMs how long it stays down.
     */
    public record Fault(long atMs, Target target, int worker, long downMs)
    {
        /**
         * @return when the victim is started again.
         */
        public long restartAtMs()
        {
            return atMs + downMs;
        }

        /**
         * @return who, as the report names it.
         */
        public String victim()
        {
            return switch (target)
            {
                case SERVER -> "server";
                case WORKER -> "worker " + (worker + 1);
                case LEADER -> "leader";
                case MEMBER -> "member " + worker;
            };
        }

        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "t+%s  SIGKILL %-9s restart at t+%s (down %d ms)",
                seconds(atMs), victim(), seconds(restartAtMs()), downMs);
        }
    }

    private final long seed;
    private final long durationMs;
    private final int workers;
    private final int members;
    private final List<Fault> faults;

    private FaultSchedule(
        final long seed, final long durationMs, final int workers, final int members, final List<Fault> faults)
    {
        this.seed = seed;
        this.durationMs = durationMs;
        this.workers = workers;
        this.members = members;
        this.faults = faults;
    }

    /**
     * @param seed       the seed.
     * @param durationMs the soak's duration.
     * @param workers    how many worker processes it runs (0: no worker faults).
     * @return the schedule, faults in time order.
     */
    public static FaultSchedule generate(final long seed, final long durationMs, final int workers)
    {
        return generate(seed, durationMs, workers, 0);
    }

    /**
     * @param seed       the seed.
     * @param durationMs the soak's duration.
     * @param workers    how many worker processes it runs (0: no worker faults).
     * @param members    cluster members (0: a single server, whose faults are {@link Target#SERVER} kills).
     * @return the schedule, faults in time order.
     */
    public static FaultSchedule generate(final long seed, final long durationMs, final int workers, final int members)
    {
        final long windowStart = Math.max(1_000, durationMs / 10);
        final long windowEnd = durationMs * 3 / 4;
        final List<Fault> faults = new ArrayList<>();

        final Random serverRandom = new Random(seed);
        final boolean cluster = members > 0;
        final long gapMin = cluster ? MEMBER_GAP_MIN_MS : SERVER_GAP_MIN_MS;
        final long gapMax = cluster ? MEMBER_GAP_MAX_MS : SERVER_GAP_MAX_MS;
        long t = windowStart + between(serverRandom, 0, Math.min(gapMin, (windowEnd - windowStart) / 4));
        while (t < windowEnd)
        {
            final long down = cluster ?
                between(serverRandom, MEMBER_DOWN_MIN_MS, MEMBER_DOWN_MAX_MS) :
                between(serverRandom, SERVER_DOWN_MIN_MS, SERVER_DOWN_MAX_MS);
            if (t + down > windowEnd)
            {
                break;
            }
            if (!cluster)
            {
                faults.add(new Fault(t, Target.SERVER, -1, down));
            }
            else if (0 == serverRandom.nextInt(4))
            {
                faults.add(new Fault(t, Target.MEMBER, serverRandom.nextInt(members), down));
            }
            else
            {
                faults.add(new Fault(t, Target.LEADER, -1, down));
            }
            t += down + between(serverRandom, gapMin, gapMax);
        }

        if (workers > 0)
        {
            final Random workerRandom = new Random(Long.rotateLeft(seed, 32) ^ 0x5DEECE66DL);
            final long[] upAt = new long[workers]; // when each worker is back from its last planned kill
            t = windowStart + between(workerRandom, 0, WORKER_GAP_MIN_MS);
            while (t < windowEnd)
            {
                final int first = workerRandom.nextInt(workers);
                final long down = between(workerRandom, WORKER_DOWN_MIN_MS, WORKER_DOWN_MAX_MS);
                int victim = -1;
                for (int i = 0; i < workers && victim < 0; i++)
                {
                    final int candidate = (first + i) % workers;
                    if (upAt[candidate] <= t)
                    {
                        victim = candidate;
                    }
                }
                if (victim >= 0 && t + down <= windowEnd)
                {
                    faults.add(new Fault(t, Target.WORKER, victim, down));
                    upAt[victim] = t + down;
                }
                t += between(workerRandom, WORKER_GAP_MIN_MS, WORKER_GAP_MAX_MS);
            }
        }
        faults.sort(Comparator.comparingLong(Fault::atMs).thenComparing(Fault::target).thenComparingInt(Fault::worker));
        return new FaultSchedule(seed, durationMs, workers, members, Collections.unmodifiableList(faults));
    }

    private static long between(final Random random, final long min, final long max)
    {
        return max <= min ? min : min + (long)(random.nextDouble() * (max - min));
    }

    /**
     * @return the faults in time order.
     */
    public List<Fault> faults()
    {
        return faults;
    }

    /**
     * @param target server or worker.
     * @return how many faults strike it.
     */
    public long count(final Target target)
    {
        return faults.stream().filter(f -> f.target() == target).count();
    }

    /**
     * @return the schedule as the report prints it: a heading, then one fault a line.
     */
    public List<String> describe()
    {
        final List<String> lines = new ArrayList<>();
        lines.add("schedule (seed " + seed + ", " + durationMs + " ms, " + workers + " workers" +
            (members > 0 ? ", " + members + " cluster members): " + count(Target.LEADER) + " leader kills, " +
            count(Target.MEMBER) + " member kills, " : "): " + count(Target.SERVER) + " server kills, ") +
            count(Target.WORKER) + " worker kills");
        for (final Fault fault : faults)
        {
            lines.add("  " + fault);
        }
        return lines;
    }

    static String seconds(final long ms)
    {
        return String.format(Locale.ROOT, "%7.3fs", ms / 1000.0);
    }
}
