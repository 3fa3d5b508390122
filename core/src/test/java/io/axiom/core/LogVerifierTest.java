package io.axiom.core;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.StepType;
import io.axiom.codecs.WaitReason;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepKind;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.VerificationReport;
import io.axiom.core.api.Violation;
import io.axiom.journal.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static io.axiom.core.EngineTest.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Verify catches what it claims, each finding named with its position: logs with a duplicated StepCompleted, a
 * worker's completion with a stale fencing token, an illegal transition, a half-written command and a broken checksum
 * in the middle; stuck workflows. The bad logs are written with the journal (events by hand, bypassing the deciders),
 * or are real engine logs cut or damaged on disk. A clean log from a real engine run (workers, retries, lease expiry,
 * timers, approvals, cancel) reports nothing, and the digest of the engine's own state; live, verify agrees with the
 * running engine while commands keep coming.
 */
class LogVerifierTest
{
    private static final long LEASE_MS = 1_000;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------------------------ clean logs

    @Test
    void aCleanRunOfTheEngineHasNoViolationAndTheEnginesDigest()
    {
        final EngineFixture f = engine(ctx -> { });
        final long events;
        try
        {
            realRun(f);
            events = f.engine.eventCount();
        }
        finally
        {
            f.close();
        }
        final long digest = f.engine.digestAfterClose();

        final VerificationReport report = LogVerifier.verify(dir);
        assertTrue(report.ok(), report.toText());
        assertEquals(0, report.violationCount());
        assertEquals(digest, report.digest(), "the replay of the log builds the engine's own state");
        assertEquals(events, report.eventsRead());
        assertEquals(8, report.workflows());
        assertEquals(Long.valueOf(3), report.workflowsByState().get("COMPLETED"), report.toText());
        assertNull(report.live());
        assertNull(report.consistent());
        assertTrue(report.firstPosition() > 0 && report.lastPosition() > report.firstPosition());
        assertTrue(report.toText().endsWith("OK\n"), report.toText());
        assertTrue(report.toJson().startsWith("{\"ok\":true,\"mode\":\"offline\",\"consistent\":null,"),
            report.toJson());
    }

    @Test
    void liveVerifyAgreesWithTheRunningEngineAndAfterARestartFromItsSnapshot()
    {
        try (EngineFixture f = engine(ctx -> { }))
        {
            realRun(f);
            final VerificationReport report = live(f);
            assertTrue(report.ok(), report.toText());
            assertEquals(Boolean.TRUE, report.consistent(), report.toText());
            assertEquals(report.live().position(), report.endPosition());
            assertEquals(f.engine.journalPosition(), report.live().position(), "nothing was written since");
            assertTrue(report.live().processorHoldNanos() > 0);
            assertTrue(report.toText().contains("consistent with the log"), report.toText());

            f.restart(); // loads the shutdown snapshot, then replays nothing
            final VerificationReport afterRestart = live(f);
            assertTrue(afterRestart.ok(), afterRestart.toText());
            assertEquals(report.digest(), afterRestart.digest());
        }
    }

    @Test
    void liveVerifyStaysConsistentWhileCommandsKeepComing() throws Exception
    {
        try (EngineFixture f = engine(ctx -> { }))
        {
            final AtomicLong created = new AtomicLong();
            final Thread writer = new Thread(() ->
            {
                for (int i = 0; i < 400; i++)
                {
                    final long id = EngineFixture.created(f.client().create(new io.axiom.core.api.CreateWorkflow(
                        "busy-" + i, List.of(StepSpec.approval("CHECK")), null, null), TIMEOUT)).id();
                    assertEquals(Status.OK, f.client().advance(id, "CHECK", null, TIMEOUT).status());
                    created.incrementAndGet();
                }
            }, "verify-test-writer");
            writer.start();
            long previous = 0;
            int verified = 0;
            while (writer.isAlive() || verified < 2)
            {
                final VerificationReport report = live(f);
                assertTrue(report.ok(), report.toText());
                assertEquals(Boolean.TRUE, report.consistent(), report.toText());
                assertTrue(report.live().position() >= previous);
                previous = report.live().position();
                verified++;
            }
            writer.join(TIMEOUT.toMillis());
            final VerificationReport last = live(f);
            assertTrue(last.ok(), last.toText());
            assertEquals(400, last.workflows());
            assertEquals(400, created.get());
        }
    }

    // ------------------------------------------------------------------------------------------------ bad logs

    @Test
    void aDuplicatedStepCompletedIsNamedWithItsPosition()
    {
        final long[] at = new long[3];
        write(log ->
        {
            log.created(1, StepType.APPROVAL).scheduled(1, 0, 1).waiting(1, 0, WaitReason.APPROVAL)
                .completed(1, 0, 1, CompletedBy.OPERATOR);
            at[0] = log.lastPosition;
            log.workflowCompleted(1);
            at[1] = log.lastPosition;
            log.completed(1, 0, 1, CompletedBy.OPERATOR);
            at[2] = log.lastPosition;
        });

        final VerificationReport report = LogVerifier.verify(dir);
        assertFalse(report.ok());
        assertEquals(List.of(
            new Expected(Violation.Kind.STEP_NOT_COMMITTED_ONCE, 1, 0, at[1]),
            new Expected(Violation.Kind.DUPLICATE_COMPLETION, 1, 0, at[2])), expected(report));
        assertTrue(report.violations().get(1).detail().contains("committed at position " + at[0]),
            report.toText());
        assertTrue(report.violations().get(0).detail().contains("has 2 StepCompleted records"), report.toText());
    }

    @Test
    void aWorkersCompletionWithAStaleFencingTokenIsNamedWithItsPosition()
    {
        final long[] at = new long[3];
        write(log ->
        {
            log.created(1, 2, StepType.TASK).scheduled(1, 0, 1).leased(1, 0, 1);
            at[0] = log.lastPosition;
            log.attemptFailed(1, 0, 1, at[0]).scheduled(1, 0, 2).leased(1, 0, 2);
            at[1] = log.lastPosition;
            log.completed(1, 0, 2, CompletedBy.WORKER, at[0]);
            at[2] = log.lastPosition;
            log.completed(1, 0, 2, CompletedBy.WORKER, at[1]).workflowCompleted(1);
        });

        final VerificationReport report = LogVerifier.verify(dir);
        assertEquals(List.of(new Expected(Violation.Kind.STALE_FENCING_TOKEN, 1, 0, at[2])), expected(report),
            report.toText());
        final String detail = report.violations().get(0).detail();
        assertTrue(detail.contains("fencing token " + at[0]) && detail.contains("StepLeased at position " + at[1]),
            detail);
        assertEquals(Long.valueOf(1), report.workflowsByState().get("COMPLETED"), "the right completion committed");
    }

    @Test
    void aWorkersCompletionWithoutALeaseIsAStaleToken()
    {
        final long[] at = new long[1];
        write(log ->
        {
            log.created(1, StepType.TASK).scheduled(1, 0, 1).completed(1, 0, 1, CompletedBy.WORKER, 4242);
            at[0] = log.lastPosition;
        });
        final VerificationReport report = LogVerifier.verify(dir);
        assertEquals(List.of(new Expected(Violation.Kind.STALE_FENCING_TOKEN, 1, 0, at[0])), expected(report),
            report.toText());
        assertTrue(report.violations().get(0).detail().contains("holds no lease"), report.toText());
    }

    @Test
    void anIllegalTransitionIsNamedWithItsPositionAndLeftOut()
    {
        final long[] at = new long[1];
        write(log ->
        {
            log.created(1, StepType.APPROVAL).scheduled(1, 0, 1).waiting(1, 0, WaitReason.APPROVAL)
                .timerFired(1, 0, 123);
            at[0] = log.lastPosition;
            log.completed(1, 0, 1, CompletedBy.OPERATOR).workflowCompleted(1);
        });

        final VerificationReport report = LogVerifier.verify(dir);
        assertEquals(List.of(new Expected(Violation.Kind.ILLEGAL_TRANSITION, 1, 0, at[0])), expected(report),
            report.toText());
        assertTrue(report.violations().get(0).detail().contains("TimerFired"), report.toText());
        assertEquals(Long.valueOf(1), report.workflowsByState().get("COMPLETED"),
            "the events after the illegal one are judged against the legal history");
        assertTrue(report.toText().contains("ILLEGAL_TRANSITION at position " + at[0] + ", workflow 1, step 0: "),
            report.toText());
    }

    @Test
    void aHalfWrittenCommandAtTheTailIsNamedWithItsPosition() throws IOException
    {
        final long stepCompleted;
        final long cut;
        try (EngineFixture f = engine(ctx -> ctx.snapshotRetain(0)))
        {
            f.create("two-approvals", StepSpec.approval("A"), StepSpec.approval("B"));
            assertEquals(Status.OK, f.client().advance(1, "A", null, TIMEOUT).status());
            final List<EventView> events = events(f.client().events(1, TIMEOUT));
            final int completed = indexOf(events, "StepCompleted");
            stepCompleted = events.get(completed).position();
            cut = events.get(completed + 1).position(); // the advance's unit without its last records and mark
        }
        CutTheLogTest.cutLog(dir, cut);

        final VerificationReport report = LogVerifier.verify(dir);
        assertEquals(List.of(new Expected(Violation.Kind.HALF_WRITTEN_COMMAND, 1, 0, stepCompleted)),
            expected(report), report.toText());
        final String detail = report.violations().get(0).detail();
        assertTrue(detail.contains("1 record(s) from position " + stepCompleted) && detail.contains("StepCompleted"),
            detail);
        assertEquals(3, report.eventsRead(), "the create's three events; the half advance is not replayed");
    }

    @Test
    void aPartialRecordAtTheTailIsAHalfWrittenCommand() throws IOException
    {
        final long stepCompleted;
        try (EngineFixture f = engine(ctx -> ctx.snapshotRetain(0)))
        {
            f.create("two-approvals", StepSpec.approval("A"), StepSpec.approval("B"));
            assertEquals(Status.OK, f.client().advance(1, "A", null, TIMEOUT).status());
            final List<EventView> events = events(f.client().events(1, TIMEOUT));
            stepCompleted = events.get(indexOf(events, "StepCompleted")).position();
        }
        CutTheLogTest.cutLog(dir, stepCompleted + Journal.HEADER_LENGTH + 4);

        final VerificationReport report = LogVerifier.verify(dir);
        assertEquals(List.of(new Expected(Violation.Kind.HALF_WRITTEN_COMMAND, Violation.NONE, Violation.NONE,
            stepCompleted)), expected(report), report.toText());
        assertTrue(report.violations().get(0).detail().contains("partial write"), report.toText());
    }

    @Test
    void aBrokenChecksumInTheMiddleIsNamedWithItsPositionAndTheRestIsStillRead() throws IOException
    {
        final long broken;
        try (EngineFixture f = engine(ctx -> ctx.snapshotRetain(0)))
        {
            f.create("first", StepSpec.approval("A"));
            f.create("second", StepSpec.approval("A"));
            assertEquals(Status.OK, f.client().advance(1, "A", null, TIMEOUT).status());
            assertEquals(Status.OK, f.client().advance(2, "A", null, TIMEOUT).status());
            final List<EventView> events = events(f.client().events(1, TIMEOUT));
            broken = events.get(indexOf(events, "StepCompleted")).position();
        }
        flipByte(dir.resolve("00000000000000000000.wal"), broken + Journal.HEADER_LENGTH + 10);

        final VerificationReport report = LogVerifier.verify(dir);
        assertFalse(report.ok());
        final Violation first = report.violations().get(0);
        assertEquals(new Expected(Violation.Kind.CHECKSUM_MISMATCH, Violation.NONE, Violation.NONE, broken),
            new Expected(first.kind(), first.workflowId(), first.stepIndex(), first.position()), report.toText());
        assertTrue(first.detail().contains("checksum mismatch") && first.detail().contains("a valid record follows"),
            first.detail());
        assertTrue(report.violations().stream().allMatch(v -> v.position() >= broken), report.toText());
        assertEquals(Long.valueOf(1), report.workflowsByState().get("COMPLETED"),
            "the second workflow's advance, after the damage, was still read and replayed");
    }

    @Test
    void stuckWorkflowsAreNamed()
    {
        final long[] at = new long[4];
        write(log ->
        {
            log.created(1, StepType.TASK);
            at[0] = log.lastPosition;
            log.created(2, StepType.APPROVAL).scheduled(2, 0, 1);
            at[1] = log.lastPosition;
            log.created(3, StepType.TIMER).scheduled(3, 0, 1).waiting(3, 0, WaitReason.TIMER);
            at[2] = log.lastPosition;
            log.created(4, StepType.APPROVAL, StepType.TASK).scheduled(4, 0, 1).waiting(4, 0, WaitReason.APPROVAL)
                .completed(4, 0, 1, CompletedBy.OPERATOR);
            at[3] = log.lastPosition;
            log.created(5, StepType.TASK).scheduled(5, 0, 1); // queued for a worker: not stuck
            log.created(6, StepType.APPROVAL).scheduled(6, 0, 1).waiting(6, 0, WaitReason.APPROVAL); // not stuck
        });

        final VerificationReport report = LogVerifier.verify(dir);
        assertEquals(List.of(
            new Expected(Violation.Kind.STUCK_WORKFLOW, 1, 0, at[0]),
            new Expected(Violation.Kind.STUCK_WORKFLOW, 2, 0, at[1]),
            new Expected(Violation.Kind.STUCK_WORKFLOW, 3, 0, at[2]),
            new Expected(Violation.Kind.STUCK_WORKFLOW, 4, 0, at[3])), expected(report), report.toText());
        final List<Violation> v = report.violations();
        assertTrue(v.get(0).detail().contains("first step was never scheduled"), v.get(0).detail());
        assertTrue(v.get(1).detail().contains("not WAITING for an operator"), v.get(1).detail());
        assertTrue(v.get(2).detail().contains("timer step without its timer"), v.get(2).detail());
        assertTrue(v.get(3).detail().contains("neither the next step was scheduled"), v.get(3).detail());
    }

    @Test
    void everyViolationIsCountedAndTheFirstThousandListed()
    {
        final int illegal = VerificationReport.MAX_LISTED + 234;
        write(log ->
        {
            log.created(1, StepType.APPROVAL).scheduled(1, 0, 1).waiting(1, 0, WaitReason.APPROVAL);
            for (int i = 0; i < illegal; i++)
            {
                log.timerFired(1, 0, i);
            }
        });
        final VerificationReport report = LogVerifier.verify(dir);
        assertEquals(illegal, report.violationCount());
        assertEquals(VerificationReport.MAX_LISTED, report.violations().size());
        assertTrue(report.toText().contains("violations: " + illegal + " (the first 1000 listed)"), report.toText());
        assertEquals(Long.valueOf(1), report.workflowsByState().get("WAITING"), "still judged, never applied");
    }

    @Test
    void aDirectoryWithoutAJournalIsAViolationAndNoDirectoryIsRefused()
    {
        final VerificationReport report = LogVerifier.verify(dir);
        assertEquals(Violation.Kind.CORRUPT_LOG, report.violations().get(0).kind());
        assertTrue(report.violations().get(0).detail().contains("no journal"), report.toText());
        assertThrows(IllegalArgumentException.class, () -> LogVerifier.verify(dir.resolve("absent")));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A violation's kind, workflow, step and position: what every finding must name. */
    private record Expected(Violation.Kind kind, long workflowId, int stepIndex, long position)
    {
    }

    private static List<Expected> expected(final VerificationReport report)
    {
        return report.violations().stream()
            .map(v -> new Expected(v.kind(), v.workflowId(), v.stepIndex(), v.position())).toList();
    }

    private void write(final Consumer<HandWrittenLog> writer)
    {
        try (HandWrittenLog log = new HandWrittenLog(dir))
        {
            writer.accept(log);
        }
    }

    private EngineFixture engine(final Consumer<EngineContext> more)
    {
        return new EngineFixture(dir, ctx ->
        {
            ctx.leaseDurationMs(LEASE_MS).workerTimeoutMs(10_000);
            more.accept(ctx);
        });
    }

    private static VerificationReport live(final EngineFixture f)
    {
        return assertInstanceOf(EngineReply.Verification.class, f.engine.verifier().verify(TIMEOUT)).report();
    }

    private static int indexOf(final List<EventView> events, final String type)
    {
        for (int i = 0; i < events.size(); i++)
        {
            if (type.equals(events.get(i).type()))
            {
                return i;
            }
        }
        throw new AssertionError("no " + type + " in " + events);
    }

    private static void flipByte(final Path file, final long offset) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            final int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x5A);
        }
    }

    private static StepSpec task(final String name, final int attempts, final long backoffMs)
    {
        return new StepSpec(name, StepKind.TASK, 0, 0, attempts, backoffMs, 60_000, 2.0);
    }

    /**
     * A run through the real engine with test workers that leaves every kind of history in the log: steps committed
     * by workers, a lease that expired and was retried elsewhere (and the late completion refused), an approval
     * advanced with a key, a timer that fired, a cancel, an attempt failed into a retry backoff, a task queued with no
     * worker, and a lease still in flight.
     */
    static void realRun(final EngineFixture f)
    {
        f.create("order", StepSpec.task("RESERVE"), StepSpec.task("CHARGE"));
        final TestWorker worker = new TestWorker(f.engine, 7);
        worker.hello(4, "RESERVE", "CHARGE");
        for (int i = 0; i < 2; i++)
        {
            final TestWorker.Assigned task = worker.next(TestWorker.Assigned.class);
            worker.complete(task.taskId(), task.token(), "{\"step\":" + i + "}");
            worker.next(TestWorker.Accepted.class);
        }

        f.create("pay", task("PAY", 3, 0));
        final TestWorker slow = new TestWorker(f.engine, 1);
        slow.hello(1, "PAY");
        final TestWorker.Assigned lost = slow.next(TestWorker.Assigned.class);
        slow.goodbye();
        final TestWorker other = new TestWorker(f.engine, 2);
        other.hello(1, "PAY");
        f.advanceClock(LEASE_MS);
        final TestWorker.Assigned retried = other.next(TestWorker.Assigned.class);
        final TestWorker late = new TestWorker(f.engine, 1);
        late.complete(lost.taskId(), lost.token(), "{\"late\":true}");
        assertEquals("STALE_FENCING_TOKEN", late.next(TestWorker.Rejected.class).reason());
        other.complete(retried.taskId(), retried.token(), "{\"paid\":true}");
        other.next(TestWorker.Accepted.class);

        f.create("review", StepSpec.approval("APPROVE"));
        assertEquals(Status.OK, f.client().advance(3, "APPROVE", 0, null, "approve-3", TIMEOUT).status());

        f.create("cool-off", StepSpec.timer("COOL", 500), StepSpec.task("SHIP"));
        f.advanceClock(500);
        assertEquals("SHIP", f.get(4).currentStepName(), "the timer fired; SHIP waits with no worker");

        f.create("mistake", StepSpec.approval("NEVER"));
        assertEquals(Status.OK, f.client().cancel(5, "sent by mistake", TIMEOUT).status());

        f.create("flaky", task("CALL", 3, 5_000));
        final TestWorker flaky = new TestWorker(f.engine, 3);
        flaky.hello(1, "CALL");
        final TestWorker.Assigned call = flaky.next(TestWorker.Assigned.class);
        flaky.fail(call.taskId(), call.token(), true, "bank timed out");
        flaky.next(TestWorker.Accepted.class);
        assertEquals("WAITING", f.get(6).state(), "waiting for the retry backoff");

        f.create("queued", StepSpec.task("NOBODY"));
        f.create("in-flight", StepSpec.task("CRUNCH"));
        final TestWorker busy = new TestWorker(f.engine, 4);
        busy.hello(1, "CRUNCH");
        busy.next(TestWorker.Assigned.class);
        assertEquals("RUNNING", f.get(8).state());
    }
}
