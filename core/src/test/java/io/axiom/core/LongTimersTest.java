package io.axiom.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.WorkflowView;
import io.axiom.journal.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.START_MS;
import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weeks-long timers (issue 10, point 5) with a clock the test drives, never real waiting: timer steps of 7 and 30
 * days fire at their {@code wake_at}, not a millisecond early, not twice, not lost, across clean restarts, crashes
 * (the data directory copied while the engine runs: what a killed process leaves), snapshots taken while the timer
 * is pending, days of downtime, a clock that steps back, and 10,000 timers spread over 30 days.
 */
class LongTimersTest
{
    private static final long DAY_MS = 86_400_000L;
    private static final long WEEK_MS = 7 * DAY_MS;
    private static final long MONTH_MS = 30 * DAY_MS;

    @TempDir
    Path dir;

    @Test
    void sevenAndThirtyDayTimersFireAtTheirWakeAtAcrossCleanRestarts()
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        try (EngineFixture f = new EngineFixture(dir.resolve("data"), clock))
        {
            final WorkflowView w = f.create("long", StepSpec.timer("WEEK", WEEK_MS), StepSpec.timer("MONTH", MONTH_MS));
            assertEquals(START_MS + WEEK_MS, w.wakeAt());

            f.advanceClock(WEEK_MS - 1);
            assertPending(f.get(w.id()), 0, START_MS + WEEK_MS);
            f.restart();
            assertPending(f.get(w.id()), 0, START_MS + WEEK_MS);
            f.advanceClock(1);
            final long monthWake = START_MS + WEEK_MS + MONTH_MS;
            assertPending(f.get(w.id()), 1, monthWake);
            f.restart();
            assertPending(f.get(w.id()), 1, monthWake);

            f.advanceClock(MONTH_MS - 1);
            f.restart();
            f.advanceClock(0);
            assertPending(f.get(w.id()), 1, monthWake);
            f.advanceClock(1);
            assertEquals("COMPLETED", f.get(w.id()).state());
            f.restart();
            f.advanceClock(MONTH_MS);
            assertEquals("COMPLETED", f.get(w.id()).state());
            assertFiredOnceEach(f, w.id(), START_MS + WEEK_MS, monthWake);
        }
    }

    @Test
    void aCrashWhileTimersArePendingLosesNoneAndFiresNoneTwice() throws IOException
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        final Path live = dir.resolve("live");
        final List<Path> crashes = new ArrayList<>();
        final long week;
        final long month;
        try (EngineFixture f = new EngineFixture(live, clock, ctx -> ctx.snapshotRetain(0)))
        {
            week = f.create("week", StepSpec.timer("WEEK", WEEK_MS)).id();
            month = f.create("month", StepSpec.timer("MONTH", MONTH_MS)).id();
            crashes.add(crashImage(live, dir.resolve("crash-pending")));
            f.advanceClock(WEEK_MS);
            assertEquals("COMPLETED", f.get(week).state());
            crashes.add(crashImage(live, dir.resolve("crash-week-fired")));
            f.advanceClock(MONTH_MS - WEEK_MS);
            assertEquals("COMPLETED", f.get(month).state());
            crashes.add(crashImage(live, dir.resolve("crash-both-fired")));
        }

        for (final Path crashed : crashes)
        {
            final AtomicLong later = new AtomicLong(START_MS + WEEK_MS - 1);
            try (EngineFixture f = new EngineFixture(crashed, later, ctx -> ctx.snapshotRetain(0)))
            {
                final boolean weekFired = "COMPLETED".equals(f.get(week).state());
                if (!weekFired)
                {
                    f.advanceClock(0);
                    assertPending(f.get(week), 0, START_MS + WEEK_MS);
                    f.advanceClock(1);
                }
                assertEquals("COMPLETED", f.get(week).state(), crashed.toString());
                later.set(START_MS + MONTH_MS - 1);
                f.advanceClock(0);
                if (!"COMPLETED".equals(f.get(month).state()))
                {
                    assertPending(f.get(month), 0, START_MS + MONTH_MS);
                    f.advanceClock(1);
                }
                assertEquals("COMPLETED", f.get(month).state(), crashed.toString());
                f.advanceClock(MONTH_MS);
                assertFiredOnceEach(f, week, START_MS + WEEK_MS);
                assertFiredOnceEach(f, month, START_MS + MONTH_MS);
            }
        }
    }

    @Test
    void aSnapshotTakenWhileTheTimerIsPendingThenRecoveryFromSnapshotAndTail() throws IOException
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        final Path live = dir.resolve("live");
        final long month;
        final Path crashed = dir.resolve("crashed");
        try (EngineFixture f = new EngineFixture(live, clock, ctx -> ctx.snapshotIntervalEvents(8)))
        {
            month = f.create("month", StepSpec.timer("MONTH", MONTH_MS)).id();
            for (int i = 0; i < 10; i++)
            {
                f.create("filler-" + i, StepSpec.approval("A"));
                f.advanceClock(DAY_MS);
            }
            // Written off the processor thread: wait for the first to be done.
            EngineFixture.await("a periodic snapshot while the timer is pending",
                () -> f.engine.counters().snapshotCount() > 0);
        }
        // Snapshots only at shutdown from here: the one just written (timer pending) and a tail after it.
        try (EngineFixture f = new EngineFixture(live, clock, ctx -> ctx.snapshotIntervalEvents(0)))
        {
            assertEquals(f.engine.journalPosition(), f.engine.counters().recoveredFromPosition(), "snapshot, no tail");
            for (int i = 10; i < 20; i++)
            {
                f.create("filler-" + i, StepSpec.approval("A"));
                f.advanceClock(DAY_MS);
            }
            assertPending(f.get(month), 0, START_MS + MONTH_MS);
            crashImage(live, crashed);
        }

        // A crash: the shutdown snapshot (the timer pending in it) and the log after it.
        final AtomicLong later = new AtomicLong(START_MS + MONTH_MS - 1);
        try (EngineFixture f = new EngineFixture(crashed, later, ctx -> ctx.snapshotIntervalEvents(0)))
        {
            final long from = f.engine.counters().recoveredFromPosition();
            assertTrue(from > 0 && from < f.engine.journalPosition(), "snapshot + tail: from " + from);
            f.advanceClock(0);
            assertPending(f.get(month), 0, START_MS + MONTH_MS);
            f.advanceClock(1);
            assertEquals("COMPLETED", f.get(month).state());
        }

        // A clean stop: the shutdown snapshot (timer pending) and an empty tail.
        final AtomicLong clean = new AtomicLong(START_MS + 20 * DAY_MS);
        try (EngineFixture f = new EngineFixture(live, clean, ctx -> ctx.snapshotIntervalEvents(0)))
        {
            assertEquals(f.engine.journalPosition(), f.engine.counters().recoveredFromPosition(), "snapshot, no tail");
            f.advanceClock(MONTH_MS - 20 * DAY_MS - 1);
            assertPending(f.get(month), 0, START_MS + MONTH_MS);
            f.restart();
            f.advanceClock(1);
            assertEquals("COMPLETED", f.get(month).state());
            f.restart();
            f.advanceClock(MONTH_MS);
            assertFiredOnceEach(f, month, START_MS + MONTH_MS);
        }
    }

    @Test
    void timersThatCameDueWhileTheServerWasDownFireOnceAtStartInWakeAtOrder()
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        final long[] ids = new long[4];
        final long[] wakeAt = new long[4];
        try (EngineFixture f = new EngineFixture(dir.resolve("data"), clock))
        {
            // Scheduled in an order unlike their wake_at order: 30 d, then 7 d a day later, ...
            final long[] durations = {MONTH_MS, WEEK_MS, 2 * WEEK_MS, 3 * DAY_MS};
            for (int i = 0; i < ids.length; i++)
            {
                final WorkflowView w = f.create("down-" + i, StepSpec.timer("WAIT", durations[i]));
                ids[i] = w.id();
                wakeAt[i] = w.wakeAt();
                f.advanceClock(DAY_MS);
            }
        }
        final AtomicLong afterDowntime = new AtomicLong(START_MS + 45 * DAY_MS);
        try (EngineFixture f = new EngineFixture(dir.resolve("data"), afterDowntime))
        {
            f.advanceClock(0);
            final long[] firedAt = new long[ids.length];
            for (int i = 0; i < ids.length; i++)
            {
                assertEquals("COMPLETED", f.get(ids[i]).state());
                firedAt[i] = assertFiredOnceEach(f, ids[i], wakeAt[i]).get(0).position();
            }
            for (int i = 0; i < ids.length; i++)
            {
                for (int j = 0; j < ids.length; j++)
                {
                    if (wakeAt[i] < wakeAt[j])
                    {
                        assertTrue(firedAt[i] < firedAt[j], "timer " + i + " (wake_at " + wakeAt[i] +
                            ") fired after timer " + j + " (wake_at " + wakeAt[j] + ")");
                    }
                }
            }
            f.restart();
            f.advanceClock(MONTH_MS);
            for (int i = 0; i < ids.length; i++)
            {
                assertFiredOnceEach(f, ids[i], wakeAt[i]);
            }
        }
    }

    /**
     * The rule: {@code wake_at} is an absolute epoch time fixed when the timer is scheduled; a timer fires at the
     * first timer poll whose clock reading is at or past it. A clock that steps back delays every pending timer by
     * the step (none fires early, none is rescheduled), and a timer scheduled while the clock is back is due at that
     * clock's reading plus its duration.
     */
    @Test
    void aClockThatStepsBackDelaysATimerAndNeverFiresItEarly()
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        try (EngineFixture f = new EngineFixture(dir.resolve("data"), clock))
        {
            final long id = f.create("back", StepSpec.timer("MONTH", MONTH_MS), StepSpec.timer("WEEK", WEEK_MS)).id();
            f.advanceClock(MONTH_MS - DAY_MS);
            f.advanceClock(-2 * DAY_MS);
            assertPending(f.get(id), 0, START_MS + MONTH_MS);
            f.restart();
            f.advanceClock(2 * DAY_MS);
            assertPending(f.get(id), 0, START_MS + MONTH_MS);
            f.advanceClock(DAY_MS - 1);
            assertPending(f.get(id), 0, START_MS + MONTH_MS);
            f.advanceClock(1);
            assertPending(f.get(id), 1, START_MS + MONTH_MS + WEEK_MS);

            // Back by ten days (a restart on a machine whose clock is behind the log): the week is counted from the
            // reading at which it was scheduled, not from the clock now.
            clock.addAndGet(-10 * DAY_MS);
            f.restart();
            final long backThen = clock.get();
            final WorkflowView meanwhile = f.create("meanwhile", StepSpec.timer("WEEK", WEEK_MS));
            assertEquals(backThen + WEEK_MS, meanwhile.wakeAt(), "scheduled while back: counted from the reading");
            f.advanceClock(WEEK_MS + 10 * DAY_MS - 1);
            assertPending(f.get(id), 1, START_MS + MONTH_MS + WEEK_MS);
            f.advanceClock(1);
            assertEquals("COMPLETED", f.get(id).state());
            assertFiredOnceEach(f, id, START_MS + MONTH_MS, START_MS + MONTH_MS + WEEK_MS);
            assertFiredOnceEach(f, meanwhile.id(), backThen + WEEK_MS);
        }
    }

    /**
     * The processor looks for due timers once per timer tick of the clock: a clock that steps back (without a restart)
     * must not stop it looking until the clock is back where it was, or a short timer scheduled meanwhile would wait
     * for the whole step.
     */
    @Test
    void aShortTimerScheduledAfterTheClockSteppedBackFiresAtItsWakeAt()
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        try (EngineFixture f = new EngineFixture(dir.resolve("data"), clock))
        {
            final long month = f.create("month", StepSpec.timer("MONTH", MONTH_MS)).id();
            final long approval = f.create("second", StepSpec.approval("A"), StepSpec.timer("SECOND", 1_000)).id();
            f.advanceClock(DAY_MS);
            f.advanceClock(-WEEK_MS);
            // (A timer step a create starts counts from the creation time, which never goes below an earlier
            // creation's: the approval's advance here is stamped with the clock as it reads.)
            final WorkflowView second = EngineFixture.created(
                f.client().advance(approval, null, 0, "{}".getBytes(), null, TIMEOUT));
            assertEquals(clock.get() + 1_000, second.wakeAt());
            f.advanceClock(999);
            assertPending(f.get(approval), 1, second.wakeAt());
            f.advanceClock(1);
            assertEquals("COMPLETED", f.get(approval).state(), "fired at its wake_at, not a week later");
            assertFiredOnceEach(f, approval, second.wakeAt());
            assertPending(f.get(month), 0, START_MS + MONTH_MS);
        }
    }

    @Test
    void tenThousandTimersOverThirtyDaysFireOnceEachInWakeAtOrderNeitherEarlyNorLate() throws IOException
    {
        final long seed = Long.getLong("axiom.timers.seed", System.nanoTime());
        try
        {
            manyTimers(seed, 10_000);
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError("many-timers test failed with seed " + seed + " (replay with " +
                "-Daxiom.timers.seed=" + seed + "): " + ex.getMessage(), ex);
        }
    }

    private void manyTimers(final long seed, final int count) throws IOException
    {
        System.out.println("LongTimersTest many timers seed " + seed);
        final Random random = new Random(seed);
        final AtomicLong clock = new AtomicLong(START_MS);
        final long[] ids = new long[count];
        final long[] wakeAt = new long[count];
        final List<Long> readings = new ArrayList<>();
        final java.util.function.Consumer<EngineContext> settings =
            ctx -> ctx.fsync(false).snapshotIntervalEvents(4_000);
        EngineFixture f = new EngineFixture(dir.resolve("data"), clock, settings);
        int restarts = 0;
        int crashes = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                final long duration = 1 + (long)(random.nextDouble() * MONTH_MS);
                final WorkflowView w = f.create("t-" + i, StepSpec.timer("WAIT", duration));
                ids[i] = w.id();
                wakeAt[i] = w.wakeAt();
                assertEquals(clock.get() + duration, w.wakeAt());
                if (random.nextInt(50) == 0)
                {
                    f.advanceClock(random.nextInt(1000));
                    readings.add(clock.get());
                }
            }
            // Steps from a millisecond to two days; a clean restart or a crash (the engine goes on from an image of its
            // directory taken while it ran) now and then.
            int step = 0;
            while (clock.get() <= START_MS + 31 * DAY_MS)
            {
                final int kind = random.nextInt(4);
                final long by = 0 == kind ? 1 + random.nextInt(10) : 1 == kind ? random.nextInt(60_000) :
                    (long)(random.nextDouble() * 2 * DAY_MS);
                f.advanceClock(by);
                readings.add(clock.get());
                step++;
                if (random.nextInt(6) == 0)
                {
                    f.restart();
                    restarts++;
                }
                else if (random.nextInt(6) == 0)
                {
                    final EngineFixture crashed = new EngineFixture(
                        crashImage(f.dir, dir.resolve("crash-" + ++crashes)), clock, settings);
                    f.close();
                    f = crashed;
                }
            }
            f.advanceClock(0);
            readings.add(clock.get());

            final List<EventView> fired = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                assertEquals("COMPLETED", f.get(ids[i]).state(), "workflow " + ids[i]);
                final List<EventView> mine = assertFiredOnceEach(f, ids[i], wakeAt[i]);
                // Not late: it fired at the first clock reading at or past its wake_at.
                final long due = wakeAt[i];
                final long firstReading = readings.stream().filter(r -> r >= due).findFirst().orElseThrow();
                assertEquals(firstReading, mine.get(0).timestamp(), "workflow " + ids[i] + " fired late");
                fired.add(mine.get(0));
            }
            System.out.println("LongTimersTest: " + count + " timers over 30 days, " + readings.size() +
                " clock readings, " + restarts + " restarts, " + crashes + " crashes: each fired once, at its first " +
                "reading past its wake_at");
            fired.sort((a, b) -> Long.compare(a.position(), b.position()));
            for (int i = 1; i < fired.size(); i++)
            {
                final long before = (Long)fired.get(i - 1).fields().get("deadline");
                final long after = (Long)fired.get(i).fields().get("deadline");
                assertTrue(before <= after, "fired out of wake_at order: " + before + " then " + after);
            }
        }
        finally
        {
            f.close();
        }
    }

    /**
     * Segments of 64 KiB, a snapshot every 50 events and retention.history of a day: the segments the 7- and 30-day
     * timers were created in are archived (and their files recycled as new segments) days before the timers fire;
     * the workflows stay readable (their created records come from the archive), restarts (clean, and from a crash
     * image) open the log with its archived prefix, and each timer fires once at its wake_at.
     */
    @Test
    void timersSurviveTheArchivingOfTheSegmentsTheyWereCreatedIn() throws IOException
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        final Path live = dir.resolve("live");
        final java.util.function.Consumer<EngineContext> settings = ctx -> ctx.fsync(false)
            .maxSegmentSize(64 * 1024).snapshotIntervalEvents(50).historyRetentionMs(DAY_MS);
        final long week;
        final long month;
        final Path crashed = dir.resolve("crashed");
        try (EngineFixture f = new EngineFixture(live, clock, settings))
        {
            week = f.create("week", StepSpec.timer("WEEK", WEEK_MS)).id();
            month = f.create("month", StepSpec.timer("MONTH", MONTH_MS)).id();
            fillers(f, "before", 300);
            snapshotsAfterFillers(f);
            assertEquals(0, f.engine.counters().segmentsArchived(), "nothing is a day old yet");

            f.advanceClock(2 * DAY_MS);
            EngineFixture.await("the oldest segments archived",
                () -> f.engine.counters().segmentsArchived() >= 3);
            final List<Path> archives = io.axiom.journal.SegmentArchive.list(live.resolve("archive"));
            assertTrue(archives.size() >= 3 && archives.get(0).getFileName().toString().startsWith(
                "00000000000000000000.wal"), archives.toString());
            assertTrue(Files.notExists(live.resolve("00000000000000000000.wal")), "segment 0 left the live log");
            assertPending(f.get(week), 0, START_MS + WEEK_MS);
            assertPending(f.get(month), 0, START_MS + MONTH_MS);
            assertEquals("WorkflowCreated", ((EngineReply.Events)f.client().events(week, TIMEOUT)).events().get(0)
                .type(), "the created record, read from the archive");

            fillers(f, "after", 150);
            assertTrue(recycledSegments(live) > 0, "new segments were recycled from retired files");
            crashImage(live, crashed);
            f.restart();
            assertPending(f.get(week), 0, START_MS + WEEK_MS);
            f.advanceClock(WEEK_MS - 2 * DAY_MS - 1);
            assertPending(f.get(week), 0, START_MS + WEEK_MS);
            f.advanceClock(1);
            assertEquals("COMPLETED", f.get(week).state());
            f.restart();
            f.advanceClock(MONTH_MS - WEEK_MS - 1);
            assertPending(f.get(month), 0, START_MS + MONTH_MS);
            f.restart();
            f.advanceClock(1);
            assertEquals("COMPLETED", f.get(month).state());
            f.restart();
            f.advanceClock(MONTH_MS);
            assertFiredOnceEach(f, week, START_MS + WEEK_MS);
            assertFiredOnceEach(f, month, START_MS + MONTH_MS);
        }

        // From the crash image: the archived prefix, the live log after it, no shutdown snapshot.
        final AtomicLong later = new AtomicLong(START_MS + MONTH_MS - 1);
        try (EngineFixture f = new EngineFixture(crashed, later, settings))
        {
            assertTrue(f.engine.counters().recoveredFromPosition() > 0, "from a snapshot");
            f.advanceClock(0);
            assertEquals("COMPLETED", f.get(week).state(), "due while down: fired at start");
            assertPending(f.get(month), 0, START_MS + MONTH_MS);
            f.advanceClock(1);
            assertEquals("COMPLETED", f.get(month).state());
            f.restart();
            f.advanceClock(MONTH_MS);
            assertFiredOnceEach(f, week, START_MS + WEEK_MS);
            assertFiredOnceEach(f, month, START_MS + MONTH_MS);
        }
    }

    /**
     * Two more snapshots written (the writer takes one at a time, so under load the last fillers can lie past the
     * kept ones): small workflows until they are, so that the oldest kept snapshot lies after the fillers.
     */
    private static void snapshotsAfterFillers(final EngineFixture f)
    {
        final long wanted = f.engine.counters().snapshotCount() + 2;
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int i = 0;
        while (f.engine.counters().snapshotCount() < wanted)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting for two snapshots after the fillers");
            }
            f.create("settle-" + i++, StepSpec.approval("A"));
        }
    }

    private static void fillers(final EngineFixture f, final String prefix, final int count)
    {
        final byte[] input = ("{\"pad\":\"" + "x".repeat(2000) + "\"}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < count; i++)
        {
            EngineFixture.created(f.client().create(new io.axiom.core.api.CreateWorkflow(prefix + "-" + i,
                List.of(StepSpec.approval("A")), input, null), TIMEOUT));
        }
    }

    /**
     * @return live segment files whose header says they were recycled (generation above 0, at byte 32).
     */
    private static int recycledSegments(final Path live) throws IOException
    {
        int recycled = 0;
        try (Stream<Path> files = Files.list(live))
        {
            for (final Path file : files.filter(p -> p.getFileName().toString().matches("\\d{20}\\.wal")).toList())
            {
                final byte[] header = new byte[64];
                try (java.io.InputStream in = Files.newInputStream(file))
                {
                    in.readNBytes(header, 0, 64);
                }
                if (java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(32) > 0)
                {
                    recycled++;
                }
            }
        }
        return recycled;
    }

    private static void assertPending(final WorkflowView w, final int step, final long wakeAt)
    {
        assertEquals("WAITING", w.state(), w.toString());
        assertEquals(step, w.currentStep(), w.toString());
        assertEquals(wakeAt, w.wakeAt(), w.toString());
    }

    /**
     * @return the workflow's TimerFired events, one per expected deadline, none before its deadline.
     */
    private static List<EventView> assertFiredOnceEach(final EngineFixture f, final long id, final long... deadlines)
    {
        final EngineReply reply = f.client().events(id, TIMEOUT);
        final List<EventView> fired = ((EngineReply.Events)reply).events().stream()
            .filter(e -> "TimerFired".equals(e.type())).toList();
        assertEquals(deadlines.length, fired.size(), "TimerFired events of workflow " + id + ": " + fired);
        for (int i = 0; i < deadlines.length; i++)
        {
            assertEquals(deadlines[i], ((Number)fired.get(i).fields().get("deadline")).longValue());
            assertTrue(fired.get(i).timestamp() >= deadlines[i], "fired early: " + fired.get(i));
        }
        return fired;
    }

    /**
     * What a process killed now leaves: the files as they are (every acknowledged command is flushed), no shutdown
     * snapshot, the directory lock not released. Copied while the engine runs, so a periodic snapshot may be caught
     * half-written (a temp file) or not at all.
     */
    private static Path crashImage(final Path live, final Path image) throws IOException
    {
        // The archive directory last: a segment retired while the image is taken is then in the image as a live
        // segment (and maybe as an archive too, a duplicate recovery removes), as a crash leaves it; copied the other
        // way round it could be in neither, which no crash can leave.
        final Path archive = live.resolve("archive");
        copyTree(live, image, archive, false);
        copyTree(live, image, archive, true);
        return image;
    }

    private static void copyTree(final Path live, final Path image, final Path archive, final boolean archiveOnly)
        throws IOException
    {
        {
            // Newest segment first: retention retires the oldest, so one retired meanwhile leaves a prefix of the
            // live log out of the image, never a segment between two others.
            for (final Path source : listWhileItChanges(live))
            {
                if (source.startsWith(archive) != archiveOnly)
                {
                    continue;
                }
                final Path target = image.resolve(live.relativize(source).toString());
                if (Files.isDirectory(source))
                {
                    Files.createDirectories(target);
                }
                else if (!source.getFileName().toString().contains("lock"))
                {
                    try
                    {
                        Files.createDirectories(target.getParent());
                        Files.copy(source, target);
                    }
                    catch (final java.nio.file.NoSuchFileException ex)
                    {
                        // A snapshot's or an archive's temp file, renamed meanwhile off the processor thread, or a
                        // segment retired meanwhile: an image without it is what a crash a moment later leaves (the
                        // archive, copied after, holds a retired segment).
                    }
                }
            }
        }
    }

    /**
     * Every path under root, in reverse order, listed while the engine changes the directory: a file removed between
     * its listing and the look at its attributes (a snapshot dropped by retain, a temp file renamed) is left out, as
     * a crash a moment later would leave it out.
     */
    private static List<Path> listWhileItChanges(final Path root) throws IOException
    {
        final List<Path> paths = new java.util.ArrayList<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>()
        {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(
                final Path dir, final java.nio.file.attribute.BasicFileAttributes attrs)
            {
                paths.add(dir);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(
                final Path file, final java.nio.file.attribute.BasicFileAttributes attrs)
            {
                paths.add(file);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(final Path file, final IOException ex)
                throws IOException
            {
                if (ex instanceof java.nio.file.NoSuchFileException)
                {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                throw ex;
            }
        });
        paths.sort(java.util.Comparator.reverseOrder());
        return paths;
    }
}
