package io.axiom.core;

import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.ReplyStatus;
import io.axiom.codecs.StepCompletedDecoder;
import io.axiom.codecs.StepStatus;
import io.axiom.codecs.WorkflowCancelledDecoder;
import io.axiom.codecs.WorkflowFailedDecoder;
import io.axiom.codecs.WorkflowState;
import io.axiom.codecs.WorkflowViewEncoder;
import io.axiom.journal.Journal;
import io.axiom.journal.RecordHandler;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes the view of one workflow (a WorkflowView reply message): its live state from memory, and what the log
 * holds (its WorkflowCreated record with name, steps and input; step outputs; the reason it failed or was cancelled)
 * read back from the journal by position.
 * <p>
 * <b>Byte budget.</b> A view with every step output can be large (up to max-steps outputs of max-input bytes each).
 * {@link #length(Workflow, boolean)} tells the exact size before anything is encoded; a view over the reply budget
 * is sent without outputs ({@code outputsOmitted}), which bounds it by the size of its WorkflowCreated record and
 * its step states. Outputs can always be read page by page from the workflow's events.
 */
final class WorkflowViews
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final WorkflowViewEncoder viewEncoder = new WorkflowViewEncoder();
    private final StepCompletedDecoder stepDecoder = new StepCompletedDecoder();
    private final WorkflowCancelledDecoder cancelledDecoder = new WorkflowCancelledDecoder();
    private final WorkflowFailedDecoder failedDecoder = new WorkflowFailedDecoder();
    private final RecordRef record = new RecordRef();
    private final UnsafeBuffer varView = new UnsafeBuffer(0, 0);
    private final int budget;
    private Journal journal;

    /**
     * @param budget largest reply, in bytes, a view may take with its outputs.
     */
    WorkflowViews(final int budget)
    {
        this.budget = budget;
    }

    void journal(final Journal journal)
    {
        this.journal = journal;
    }

    int budget()
    {
        return budget;
    }

    /**
     * @param workflow    the workflow.
     * @param withOutputs include every completed step's output.
     * @return exact bytes {@link #encode} writes for it, message header included.
     */
    long length(final Workflow workflow, final boolean withOutputs)
    {
        final int stepCount = workflow.definition.stepCount();
        long length = HEADER_LENGTH + WorkflowViewEncoder.BLOCK_LENGTH + WorkflowViewEncoder.StepStatesEncoder.HEADER_SIZE +
            (long)stepCount * (WorkflowViewEncoder.StepStatesEncoder.sbeBlockLength() +
            WorkflowViewEncoder.StepStatesEncoder.outputHeaderLength());
        if (withOutputs)
        {
            for (int i = 0; i < stepCount; i++)
            {
                final long completedPosition = workflow.completedPosition(i);
                if (0 != completedPosition)
                {
                    length += stepOutput(completedPosition).outputLength();
                }
            }
        }
        read(workflow.createdPosition);
        length += WorkflowViewEncoder.definitionHeaderLength() + record.length;
        length += WorkflowViewEncoder.reasonHeaderLength() + reasonLength(workflow);
        return length;
    }

    /**
     * @param stepCount      steps of a workflow about to be created.
     * @param createdLength  length of its WorkflowCreated event.
     * @return exact bytes its view will take right after the create.
     */
    static long lengthOfNew(final int stepCount, final int createdLength)
    {
        return HEADER_LENGTH + WorkflowViewEncoder.BLOCK_LENGTH + WorkflowViewEncoder.StepStatesEncoder.HEADER_SIZE +
            (long)stepCount * (WorkflowViewEncoder.StepStatesEncoder.sbeBlockLength() +
            WorkflowViewEncoder.StepStatesEncoder.outputHeaderLength()) +
            WorkflowViewEncoder.definitionHeaderLength() + createdLength + WorkflowViewEncoder.reasonHeaderLength();
    }

    /**
     * Bytes the view of a workflow can take after a write adds up to {@code added} bytes of output or reason: the
     * view with its outputs if that fits the budget, else without.
     *
     * @param workflow the workflow before the write.
     * @param added    bytes the write adds (an output, a reason).
     * @return an upper bound of its reply.
     */
    long lengthAfter(final Workflow workflow, final int added)
    {
        final long full = length(workflow, true) + added;
        return full <= budget ? full : length(workflow, false) + added;
    }

    /**
     * @param workflow the workflow.
     * @return true when its view with every output fits the budget.
     */
    boolean fitsWithOutputs(final Workflow workflow)
    {
        return length(workflow, true) <= budget;
    }

    /**
     * Encode a view, with outputs when it fits the budget, else without.
     *
     * @return bytes written.
     */
    int encode(
        final MutableDirectBuffer out,
        final int offset,
        final long correlationId,
        final ReplyStatus status,
        final Workflow workflow)
    {
        return encode(out, offset, correlationId, status, workflow, fitsWithOutputs(workflow));
    }

    /**
     * @param out           where to encode.
     * @param offset        in out.
     * @param correlationId echoed.
     * @param status        of the reply.
     * @param workflow      the workflow.
     * @param withOutputs   include every completed step's output.
     * @return bytes written, exactly {@link #length(Workflow, boolean)}.
     */
    int encode(
        final MutableDirectBuffer out,
        final int offset,
        final long correlationId,
        final ReplyStatus status,
        final Workflow workflow,
        final boolean withOutputs)
    {
        final boolean terminal = workflow.isTerminal();
        final WorkflowViewEncoder encoder = viewEncoder.wrapAndApplyHeader(out, offset, headerEncoder)
            .correlationId(correlationId)
            .status(status)
            .workflowId(workflow.id)
            .state(workflow.state)
            .currentStep(terminal ? -1 : workflow.currentStep)
            .createdAt(workflow.createdAt)
            .updatedAt(workflow.updatedAt)
            .eventCount(workflow.eventCount())
            .lastPosition(workflow.lastEventPosition())
            .wakeAt(workflow.wakeAt)
            .outputsOmitted((short)(withOutputs ? 0 : 1));

        final int stepCount = workflow.definition.stepCount();
        final WorkflowViewEncoder.StepStatesEncoder stepStates = encoder.stepStatesCount(stepCount);
        for (int i = 0; i < stepCount; i++)
        {
            stepStates.next();
            final long completedPosition = workflow.completedPosition(i);
            if (0 != completedPosition)
            {
                final StepCompletedDecoder d = stepOutput(completedPosition);
                stepStates.status(StepStatus.COMPLETED).attempts(d.attempt()).completedAt(record.timestamp);
                final int outputLength = withOutputs ? d.outputLength() : 0;
                if (withOutputs)
                {
                    d.wrapOutput(varView);
                }
                stepStates.putOutput(varView, 0, outputLength);
            }
            else
            {
                stepStates.status(pendingStatus(workflow, i, terminal))
                    .attempts(i == workflow.currentStep ? workflow.attempt : 0)
                    .completedAt(0)
                    .putOutput(varView, 0, 0);
            }
        }

        read(workflow.createdPosition);
        encoder.putDefinition(record.buffer, record.offset, record.length);
        final int reasonLength = reasonLength(workflow);
        encoder.putReason(varView, 0, reasonLength);
        return HEADER_LENGTH + encoder.encodedLength();
    }

    private static StepStatus pendingStatus(final Workflow workflow, final int step, final boolean terminal)
    {
        if (step != workflow.currentStep)
        {
            return StepStatus.PENDING;
        }
        if (!terminal)
        {
            return StepStatus.ACTIVE;
        }
        return workflow.state == WorkflowState.CANCELLED ? StepStatus.CANCELLED :
            workflow.state == WorkflowState.FAILED ? StepStatus.FAILED : StepStatus.PENDING;
    }

    /**
     * Read the failure or cancellation reason of a terminal workflow into {@link #varView}.
     *
     * @return its length, 0 when there is none.
     */
    private int reasonLength(final Workflow workflow)
    {
        if (workflow.state == WorkflowState.CANCELLED)
        {
            read(workflow.terminalPosition);
            final WorkflowCancelledDecoder d = cancelledDecoder.wrap(
                record.buffer, record.bodyOffset(), record.blockLength, record.version);
            final int length = d.reasonLength();
            d.wrapReason(varView);
            return length;
        }
        if (workflow.state == WorkflowState.FAILED)
        {
            read(workflow.terminalPosition);
            final WorkflowFailedDecoder d = failedDecoder.wrap(
                record.buffer, record.bodyOffset(), record.blockLength, record.version);
            final int length = d.reasonLength();
            d.wrapReason(varView);
            return length;
        }
        varView.wrap(0, 0);
        return 0;
    }

    /**
     * @param position of a StepCompleted record.
     * @return a decoder over it, the record's timestamp in {@code record.timestamp}.
     */
    StepCompletedDecoder stepOutput(final long position)
    {
        read(position);
        return stepDecoder.wrap(record.buffer, record.bodyOffset(), record.blockLength, record.version);
    }

    private void read(final long position)
    {
        if (!journal.readRecord(position, record))
        {
            throw new IllegalStateException("journal has no record at position " + position);
        }
        headerDecoder.wrap(record.buffer, record.offset);
        record.blockLength = headerDecoder.blockLength();
        record.version = headerDecoder.version();
    }

    /**
     * Remembers where the record just read lies, without copying it.
     */
    static final class RecordRef implements RecordHandler
    {
        DirectBuffer buffer;
        int offset;
        int length;
        int type;
        long position;
        long sequence;
        long timestamp;
        int blockLength;
        int version;

        public void onRecord(
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final int type,
            final int version,
            final long position,
            final long sequence,
            final long timestamp)
        {
            this.buffer = buffer;
            this.offset = offset;
            this.length = length;
            this.type = type;
            this.position = position;
            this.sequence = sequence;
            this.timestamp = timestamp;
        }

        int bodyOffset()
        {
            return offset + HEADER_LENGTH;
        }
    }
}
