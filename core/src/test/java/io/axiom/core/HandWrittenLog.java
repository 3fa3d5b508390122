package io.axiom.core;

import java.nio.file.Path;

import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.FailureKind;
import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.StepAttemptFailedEncoder;
import io.axiom.codecs.StepCompletedEncoder;
import io.axiom.codecs.StepLeasedEncoder;
import io.axiom.codecs.StepScheduledEncoder;
import io.axiom.codecs.StepType;
import io.axiom.codecs.TimerFiredEncoder;
import io.axiom.codecs.TimerPurpose;
import io.axiom.codecs.WaitReason;
import io.axiom.codecs.WorkflowCompletedEncoder;
import io.axiom.codecs.WorkflowCreatedEncoder;
import io.axiom.codecs.WorkflowRetiredEncoder;
import io.axiom.codecs.WorkflowWaitingEncoder;
import io.axiom.journal.Journal;
import io.axiom.journal.JournalContext;
import org.agrona.ExpandableArrayBuffer;

/**
 * Writes events straight into a journal, bypassing the deciders, so that tests can build logs no command sequence
 * would produce and check that recovery refuses them.
 */
final class HandWrittenLog implements AutoCloseable
{
    private static final int VERSION = MessageHeaderEncoder.SCHEMA_VERSION;
    private final Journal journal;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    long lastPosition;
    private long timestamp = EngineFixture.START_MS;

    HandWrittenLog(final Path dir)
    {
        journal = Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(1024 * 1024));
    }

    /**
     * @param timestamp stamped on the records appended from now on (epoch ms).
     * @return this.
     */
    HandWrittenLog at(final long timestamp)
    {
        this.timestamp = timestamp;
        return this;
    }

    HandWrittenLog created(final long workflowId, final StepType... types)
    {
        return created(workflowId, 1, types);
    }

    /**
     * @param maxAttempts of every step.
     */
    HandWrittenLog created(final long workflowId, final int maxAttempts, final StepType... types)
    {
        final WorkflowCreatedEncoder e = new WorkflowCreatedEncoder().wrapAndApplyHeader(buffer, 0, header)
            .workflowId(workflowId);
        final WorkflowCreatedEncoder.StepsEncoder steps = e.stepsCount(types.length);
        for (int i = 0; i < types.length; i++)
        {
            steps.next().type(types[i]).timeoutMs(0).durationMs(types[i] == StepType.TIMER ? 1000 : 0)
                .maxAttempts(maxAttempts).backoffMs(0).maxBackoffMs(0).multiplier(1.0).name("S" + i);
        }
        e.name("hand-" + workflowId).idempotencyKey("").putInput(new byte[0], 0, 0);
        return append(WorkflowCreatedEncoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    HandWrittenLog scheduled(final long workflowId, final int step, final int attempt)
    {
        new StepScheduledEncoder().wrapAndApplyHeader(buffer, 0, header)
            .workflowId(workflowId).stepIndex(step).attempt(attempt);
        return append(StepScheduledEncoder.TEMPLATE_ID,
            MessageHeaderEncoder.ENCODED_LENGTH + StepScheduledEncoder.BLOCK_LENGTH);
    }

    HandWrittenLog waiting(final long workflowId, final int step, final WaitReason reason)
    {
        new WorkflowWaitingEncoder().wrapAndApplyHeader(buffer, 0, header)
            .workflowId(workflowId).stepIndex(step).reason(reason);
        return append(WorkflowWaitingEncoder.TEMPLATE_ID,
            MessageHeaderEncoder.ENCODED_LENGTH + WorkflowWaitingEncoder.BLOCK_LENGTH);
    }

    HandWrittenLog completed(final long workflowId, final int step, final int attempt, final CompletedBy by)
    {
        return completed(workflowId, step, attempt, by, 0);
    }

    /**
     * @param fencingToken the token the completion carries (a worker's: the position of a StepLeased).
     */
    HandWrittenLog completed(
        final long workflowId, final int step, final int attempt, final CompletedBy by, final long fencingToken)
    {
        final StepCompletedEncoder e = new StepCompletedEncoder().wrapAndApplyHeader(buffer, 0, header)
            .workflowId(workflowId).stepIndex(step).attempt(attempt).fencingToken(fencingToken).completedBy(by)
            .putOutput(new byte[0], 0, 0).idempotencyKey("");
        return append(StepCompletedEncoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    /**
     * A StepLeased to worker 1; its position, the lease's fencing token, is {@link #lastPosition} after.
     */
    HandWrittenLog leased(final long workflowId, final int step, final int attempt)
    {
        new StepLeasedEncoder().wrapAndApplyHeader(buffer, 0, header)
            .workflowId(workflowId).stepIndex(step).attempt(attempt).workerId(1)
            .leaseExpiresAt(EngineFixture.START_MS + 30_000).attemptDeadline(EngineFixture.START_MS + 60_000);
        return append(StepLeasedEncoder.TEMPLATE_ID,
            MessageHeaderEncoder.ENCODED_LENGTH + StepLeasedEncoder.BLOCK_LENGTH);
    }

    HandWrittenLog attemptFailed(final long workflowId, final int step, final int attempt, final long fencingToken)
    {
        final StepAttemptFailedEncoder e = new StepAttemptFailedEncoder().wrapAndApplyHeader(buffer, 0, header)
            .workflowId(workflowId).stepIndex(step).attempt(attempt).fencingToken(fencingToken)
            .kind(FailureKind.LEASE_EXPIRED).retryable((short)1).error("lease expired");
        return append(StepAttemptFailedEncoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    HandWrittenLog timerFired(final long workflowId, final int step, final long deadline)
    {
        new TimerFiredEncoder().wrapAndApplyHeader(buffer, 0, header)
            .workflowId(workflowId).stepIndex(step).deadline(deadline).purpose(TimerPurpose.STEP_TIMER);
        return append(TimerFiredEncoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + TimerFiredEncoder.BLOCK_LENGTH);
    }

    HandWrittenLog workflowCompleted(final long workflowId)
    {
        new WorkflowCompletedEncoder().wrapAndApplyHeader(buffer, 0, header).workflowId(workflowId);
        return append(WorkflowCompletedEncoder.TEMPLATE_ID,
            MessageHeaderEncoder.ENCODED_LENGTH + WorkflowCompletedEncoder.BLOCK_LENGTH);
    }

    HandWrittenLog retired(final long workflowId)
    {
        new WorkflowRetiredEncoder().wrapAndApplyHeader(buffer, 0, header).workflowId(workflowId);
        return append(WorkflowRetiredEncoder.TEMPLATE_ID,
            MessageHeaderEncoder.ENCODED_LENGTH + WorkflowRetiredEncoder.BLOCK_LENGTH);
    }

    HandWrittenLog raw(final int type, final int length)
    {
        header.wrap(buffer, 0).blockLength(0).templateId(type).schemaId(MessageHeaderEncoder.SCHEMA_ID)
            .version(VERSION);
        return append(type, Math.max(length, MessageHeaderEncoder.ENCODED_LENGTH));
    }

    private HandWrittenLog append(final int type, final int length)
    {
        lastPosition = journal.append(type, VERSION, timestamp, buffer, 0, length);
        return this;
    }

    public void close()
    {
        journal.close();
    }
}
