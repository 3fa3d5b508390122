package io.axiom.core;

import java.nio.file.Path;
import java.util.function.Consumer;

import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.StepType;
import io.axiom.codecs.WaitReason;
import io.axiom.codecs.LeaseExtendedEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A log that describes an illegal change is corruption: recovery refuses it, naming the record's position, instead
 * of building a state no sequence of legal commands could reach. Each log here is written by hand, bypassing the
 * deciders, which would never write such an event.
 */
class StrictApplierTest
{
    @TempDir
    Path dir;
    private int logs;

    @Test
    void aStepCompletedTwiceIsRefused()
    {
        refused(log -> log.created(1, StepType.APPROVAL, StepType.APPROVAL).scheduled(1, 0, 1)
            .waiting(1, 0, WaitReason.APPROVAL).completed(1, 0, 1, CompletedBy.OPERATOR)
            .completed(1, 0, 1, CompletedBy.OPERATOR), "a second StepCompleted for step 0");
    }

    @Test
    void aStepThatIsNotCurrentCannotComplete()
    {
        refused(log -> log.created(1, StepType.APPROVAL, StepType.APPROVAL).scheduled(1, 0, 1)
            .waiting(1, 0, WaitReason.APPROVAL).completed(1, 1, 1, CompletedBy.OPERATOR), "not the current step");
    }

    @Test
    void aStepThatWasNeverScheduledCannotComplete()
    {
        refused(log -> log.created(1, StepType.TASK).completed(1, 0, 1, CompletedBy.OPERATOR),
            "not the current step");
    }

    @Test
    void nothingHappensToAWorkflowAfterItEnded()
    {
        refused(log -> log.created(1, StepType.TASK).scheduled(1, 0, 1).completed(1, 0, 1, CompletedBy.OPERATOR)
            .workflowCompleted(1).scheduled(1, 0, 2), "after the workflow ended");
    }

    @Test
    void aWorkflowCannotCompleteBeforeItsLastStep()
    {
        refused(log -> log.created(1, StepType.TASK, StepType.TASK).scheduled(1, 0, 1)
            .completed(1, 0, 1, CompletedBy.OPERATOR).workflowCompleted(1), "before its last step");
    }

    @Test
    void eventsOfAWorkflowThatWasNeverCreatedAreRefused()
    {
        refused(log -> log.created(1, StepType.TASK).scheduled(7, 0, 1), "workflow 7, which was never created");
    }

    @Test
    void aWorkflowLeavesTheHeapOnlyOnceAndOnlyAfterItEnded()
    {
        refused(log -> log.created(1, StepType.TASK).scheduled(1, 0, 1).retired(1), "before the workflow ended");
        refused(log -> log.created(1, StepType.TASK).retired(3), "workflow 3, which was never created");
        refused(log -> log.created(1, StepType.TASK).scheduled(1, 0, 1).completed(1, 0, 1, CompletedBy.OPERATOR)
            .workflowCompleted(1).retired(1).retired(1), "workflow 1, which already left the heap");
        refused(log -> log.created(1, StepType.TASK).scheduled(1, 0, 1).completed(1, 0, 1, CompletedBy.OPERATOR)
            .workflowCompleted(1).retired(1).scheduled(1, 0, 2), "workflow 1, which left the heap");
    }

    @Test
    void idsComeInOrder()
    {
        refused(log -> log.created(2, StepType.TASK), "the next id is 1");
    }

    @Test
    void aTimerThatWasNeverScheduledCannotFire()
    {
        refused(log -> log.created(1, StepType.APPROVAL).scheduled(1, 0, 1).waiting(1, 0, WaitReason.APPROVAL)
            .timerFired(1, 0, 123), "TimerFired");
    }

    @Test
    void aTimerStepIsCompletedByItsTimerOnly()
    {
        refused(log -> log.created(1, StepType.TIMER).scheduled(1, 0, 1).completed(1, 0, 1, CompletedBy.OPERATOR),
            "StepCompleted by OPERATOR");
    }

    @Test
    void aWorkerCompletionNeedsALease()
    {
        refused(log -> log.created(1, StepType.TASK).scheduled(1, 0, 1).completed(1, 0, 1, CompletedBy.WORKER),
            "which is not leased");
    }

    @Test
    void anEventTypeThisVersionDoesNotApplyIsRefused()
    {
        refused(log -> log.created(1, StepType.TASK).scheduled(1, 0, 1).raw(LeaseExtendedEncoder.TEMPLATE_ID, 64),
            "not one this version of Axiom applies");
    }

    @Test
    void aLegalHandWrittenLogRecovers()
    {
        try (HandWrittenLog log = new HandWrittenLog(dir))
        {
            log.created(1, StepType.APPROVAL, StepType.TASK).scheduled(1, 0, 1).waiting(1, 0, WaitReason.APPROVAL)
                .completed(1, 0, 1, CompletedBy.OPERATOR);
        }
        try (EngineFixture f = new EngineFixture(dir))
        {
            assertEquals(1, f.get(1).steps().stream().filter(s -> "COMPLETED".equals(s.status())).count());
        }
    }

    private void refused(final Consumer<HandWrittenLog> writer, final String expected)
    {
        final long position;
        final Path dir = this.dir.resolve("log-" + ++logs);
        try (HandWrittenLog log = new HandWrittenLog(dir))
        {
            writer.accept(log);
            position = log.lastPosition;
        }
        final Engine engine = Engine.launch(new EngineContext().dataDir(dir).maxSegmentSize(1024 * 1024)
            .snapshotRetain(0));
        try
        {
            EngineFixture.await("recovery to fail", () -> null != engine.failure());
            final IllegalEventException failure = assertInstanceOf(IllegalEventException.class, engine.failure());
            assertEquals(position, failure.position());
            assertTrue(failure.getMessage().contains("position " + position), failure.getMessage());
            assertTrue(failure.getMessage().contains(expected), failure.getMessage());
        }
        finally
        {
            engine.close();
        }
    }
}
