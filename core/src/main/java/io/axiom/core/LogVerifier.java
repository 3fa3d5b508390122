package io.axiom.core;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.StepAttemptFailedDecoder;
import io.axiom.codecs.StepCompletedDecoder;
import io.axiom.codecs.StepLeasedDecoder;
import io.axiom.codecs.WorkflowCancelledDecoder;
import io.axiom.codecs.WorkflowCompletedDecoder;
import io.axiom.codecs.WorkflowCreatedDecoder;
import io.axiom.codecs.WorkflowFailedDecoder;
import io.axiom.codecs.WorkflowState;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.VerificationReport;
import io.axiom.core.api.Violation;
import io.axiom.journal.Journal;
import io.axiom.journal.JournalInspector;
import io.axiom.journal.LogFault;
import io.axiom.journal.LogVisitor;
import org.agrona.DirectBuffer;

/**
 * Verify: proves from the log alone, not from any memory, that a data directory holds a history Axiom's promises
 * allow. It reads every segment from the log's first record ({@link JournalInspector#read}: read-only, no lock, so a
 * live directory can be read too) and replays every event through a fresh {@link EngineState} and the strict
 * {@link Applier}, the same code recovery runs, on the caller's thread. On the way and at the end it checks:
 * <ul>
 *     <li>checksum and sequence continuity, and that the log does not end in a half-written command (a unit without
 *     its commit mark), from the journal's own walk;</li>
 *     <li>every transition legal: an event the strict applier refuses is an ILLEGAL_TRANSITION, and is not applied,
 *     so that what follows is judged against the legal history before it;</li>
 *     <li>at most one StepCompleted per (workflow, step) ({@link CompletionLedger});</li>
 *     <li>every worker's StepCompleted carries the current lease's fencing token, the position of the step's last
 *     StepLeased ({@link FencingLedger}); operator and timer completions carry none;</li>
 *     <li>every COMPLETED workflow has each step committed exactly once ({@link CompletionLedger});</li>
 *     <li>no workflow that has not ended is stuck ({@link StuckWorkflows}).</li>
 * </ul>
 * The two ledgers are kept apart from the applier on purpose: they judge it as well as the log.
 * <p>
 * <b>Memory.</b> Verify holds what the engine itself holds for the same log (the replayed {@link EngineState}: per
 * workflow its state, one long per step and one per event, its definition shared), plus its ledgers: about 32 bytes
 * and one long per step for each workflow, and 32 bytes for each lease in flight; and at most
 * {@link VerificationReport#MAX_LISTED} violations (the rest are counted). Segments are mapped read-only, not read
 * into the heap.
 * <p>
 * A live server is verified through {@link LiveVerifier}, which asks the processor for a consistent point first and
 * then runs this up to that point.
 */
public final class LogVerifier implements LogVisitor
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private final EngineState state = new EngineState(0);
    private final Applier applier = new Applier(state);
    private final CompletionLedger completions = new CompletionLedger();
    private final FencingLedger fencing = new FencingLedger();
    private final Violations violations = new Violations();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final StepCompletedDecoder stepCompleted = new StepCompletedDecoder();
    private final StepLeasedDecoder stepLeased = new StepLeasedDecoder();
    private final StepAttemptFailedDecoder attemptFailed = new StepAttemptFailedDecoder();
    private final WorkflowCompletedDecoder workflowCompleted = new WorkflowCompletedDecoder();
    private final WorkflowFailedDecoder workflowFailed = new WorkflowFailedDecoder();
    private final WorkflowCancelledDecoder workflowCancelled = new WorkflowCancelledDecoder();

    private long eventsRead;
    private long firstPosition = -1;
    private long lastPosition = -1;
    private long endPosition;
    private long tornRecords;
    private long tornWorkflowId = Violation.NONE;
    private int tornStepIndex = Violation.NONE;
    private String tornFirst = "";

    private LogVerifier()
    {
    }

    /**
     * Verify a whole log offline: every record of every segment, then the end-of-log checks. Read-only; it takes no
     * lock, but a directory a server is writing to may end in a unit still being written (a HALF_WRITTEN_COMMAND):
     * verify a live server through {@link LiveVerifier} instead.
     *
     * @param dataDir the data directory.
     * @return the report.
     * @throws IllegalArgumentException when dataDir is not a directory.
     */
    public static VerificationReport verify(final Path dataDir)
    {
        return verify(dataDir, Long.MAX_VALUE, null, System.nanoTime());
    }

    /**
     * Verify the log up to a consistent point of a live engine and compare the replayed state's digest with the live
     * one there (a difference is a STATE_MISMATCH).
     *
     * @param dataDir the engine's data directory.
     * @param point   where the log ended and the live digest there, read by the processor.
     * @param startNs when the verify started ({@link System#nanoTime()}), the point's query included.
     * @return the report, with {@link VerificationReport#live()} set.
     */
    static VerificationReport verify(final Path dataDir, final EngineReply.ConsistentPoint point, final long startNs)
    {
        return verify(dataDir, point.endPosition(), point, startNs);
    }

    private static VerificationReport verify(
        final Path dataDir, final long endPosition, final EngineReply.ConsistentPoint point, final long startNs)
    {
        final LogVerifier verifier = new LogVerifier();
        JournalInspector.read(dataDir, endPosition, verifier);
        return verifier.conclude(dataDir, point, startNs);
    }

    private VerificationReport conclude(final Path dataDir, final EngineReply.ConsistentPoint point, final long startNs)
    {
        completions.checkCompletedWorkflows(state, violations);
        StuckWorkflows.check(state, violations);
        final long digest = state.digest();
        VerificationReport.Live live = null;
        long verifiedTo = endPosition;
        if (null != point)
        {
            live = new VerificationReport.Live(point.endPosition(), point.digest(), point.heldNanos());
            verifiedTo = point.endPosition();
            if (point.digest() != digest)
            {
                violations.add(Violation.Kind.STATE_MISMATCH, Violation.NONE, Violation.NONE, point.endPosition(),
                    "the replay of the log up to position " + point.endPosition() + " builds a state with digest " +
                    VerificationReport.hex(digest) + " (" + state.workflowCount() + " workflows, the last record " +
                    "read ending at " + endPosition + "), but the live state at that point has digest " +
                    VerificationReport.hex(point.digest()) + " (" + point.workflows() + " workflows): the state in " +
                    "memory is not what the log says");
            }
        }
        final Map<String, Long> byState = new LinkedHashMap<>();
        for (final WorkflowState s : WorkflowState.values())
        {
            if (s != WorkflowState.NULL_VAL && state.stateCount(s) > 0)
            {
                byState.put(s.name(), state.stateCount(s));
            }
        }
        return new VerificationReport(dataDir.toAbsolutePath().normalize().toString(), eventsRead,
            state.workflowCount(), byState, firstPosition, lastPosition, verifiedTo, digest, live,
            System.nanoTime() - startNs, violations.count(), violations.inLogOrder());
    }

    // ------------------------------------------------------------------------------------------------ the walk

    /**
     * One record of a complete unit: the ledgers judge a StepCompleted first, then the strict applier applies the
     * event, or refuses it (and the event is left out of the state); the ledgers learn from what was applied.
     */
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
        eventsRead++;
        if (firstPosition < 0)
        {
            firstPosition = position;
        }
        lastPosition = position;
        endPosition = position + Journal.alignedFrameLength(length);

        final boolean flagged = StepCompletedDecoder.TEMPLATE_ID == type && judgeCompletion(buffer, offset, length,
            position);
        try
        {
            applier.apply(buffer, offset, length, type, position, timestamp);
        }
        catch (final IllegalEventException ex)
        {
            if (!flagged)
            {
                violations.addForEvent(Violation.Kind.ILLEGAL_TRANSITION, buffer, offset, length, type, version,
                    position, what(ex, position));
            }
            return;
        }
        catch (final RuntimeException ex)
        {
            if (!flagged)
            {
                violations.addForEvent(Violation.Kind.UNREADABLE_EVENT, buffer, offset, length, type, version,
                    position, "the event of type " + type + " (" + length + " bytes) does not decode: " + ex);
            }
            return;
        }
        learn(buffer, offset, type, position);
    }

    public void onFault(final LogFault fault)
    {
        final Violation.Kind kind = switch (fault.kind())
        {
            case CHECKSUM -> Violation.Kind.CHECKSUM_MISMATCH;
            case SEQUENCE -> Violation.Kind.SEQUENCE_GAP;
            default -> Violation.Kind.CORRUPT_LOG;
        };
        violations.add(kind, Violation.NONE, Violation.NONE, fault.position(), fault.description());
    }

    public void onTornRecord(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int type,
        final int version,
        final long position,
        final long sequence,
        final long timestamp)
    {
        if (0 == tornRecords++)
        {
            try
            {
                final EventView event = EventDescriber.describe(buffer, offset, length, type, version, position,
                    sequence, timestamp);
                tornWorkflowId = event.workflowId() > 0 ? event.workflowId() : Violation.NONE;
                if (event.fields().get("step_index") instanceof Integer step)
                {
                    tornStepIndex = step;
                }
                tornFirst = ", the first a " + event.type() + " of workflow " + event.workflowId();
            }
            catch (final RuntimeException ignore)
            {
                tornFirst = ", the first of type " + type;
            }
        }
    }

    public void onTornTail(final long position, final long records, final long bytes)
    {
        violations.add(Violation.Kind.HALF_WRITTEN_COMMAND, tornWorkflowId, tornStepIndex, position, records > 0 ?
            "the log ends in a command whose events were not all written: " + records + " record(s) from position " +
            position + tornFirst + ", without the commit mark that ends a unit (" + bytes + " bytes in all); " +
            "start-up truncates them, and no acknowledged command is among them" :
            "the log ends in a partial write at position " + position + " (" + bytes + " bytes that are not a whole " +
            "record); start-up truncates it, and no acknowledged command is in it");
    }

    // ------------------------------------------------------------------------------------------------ the ledgers

    /**
     * Judge a StepCompleted before it is applied: a second one for its step, or a worker's with a token that is not
     * the current lease's.
     *
     * @return true when it was reported (the applier's refusal of it is then not reported again).
     */
    private boolean judgeCompletion(final DirectBuffer buffer, final int offset, final int length, final long position)
    {
        final StepCompletedDecoder d;
        try
        {
            if (!wrapHeader(buffer, offset, length, StepCompletedDecoder.TEMPLATE_ID))
            {
                return false;
            }
            d = stepCompleted.wrap(buffer, offset + HEADER_LENGTH, header.blockLength(), header.version());
        }
        catch (final RuntimeException ex)
        {
            return false; // the applier reports what does not decode
        }
        final long workflowId = d.workflowId();
        final int step = d.stepIndex();
        final boolean byWorker = header.version() >= 2 && d.completedBy() == CompletedBy.WORKER;
        final long earlier = completions.committedAt(workflowId, step);
        if (CompletionLedger.UNKNOWN == earlier)
        {
            return false; // a workflow never created, or a step it does not have: the applier reports it
        }
        if (earlier > 0)
        {
            completions.duplicate(workflowId, step);
            violations.add(Violation.Kind.DUPLICATE_COMPLETION, workflowId, step, position,
                "a second StepCompleted for step " + step + " of workflow " + workflowId +
                (byWorker ? " (by a worker, token " + d.fencingToken() + ")" : "") + ": its result was committed at " +
                "position " + earlier + " already, and a step's result commits at most once");
            return true;
        }
        if (byWorker && d.fencingToken() != fencing.token(workflowId))
        {
            final long current = fencing.token(workflowId);
            violations.add(Violation.Kind.STALE_FENCING_TOKEN, workflowId, step, position,
                "a worker's StepCompleted for step " + step + " carries fencing token " + d.fencingToken() + ", but " +
                (FencingLedger.NO_LEASE == current ? "the step holds no lease (no StepLeased since its last attempt " +
                "ended)" : "the step's current lease is the StepLeased at position " + current + ", so its token is " +
                current) + ": a completion commits only with the current lease's token");
            return true;
        }
        return false;
    }

    /**
     * Teach the ledgers what an applied event changed: a workflow created, a step committed, a lease taken or ended.
     */
    private void learn(final DirectBuffer buffer, final int offset, final int type, final long position)
    {
        header.wrap(buffer, offset);
        final int body = offset + HEADER_LENGTH;
        final int block = header.blockLength();
        final int version = header.version();
        switch (type)
        {
            case WorkflowCreatedDecoder.TEMPLATE_ID ->
            {
                final Workflow created = state.workflows.get(state.workflows.size() - 1);
                completions.created(created.id, created.definition.stepCount());
            }
            case StepLeasedDecoder.TEMPLATE_ID ->
                fencing.leased(stepLeased.wrap(buffer, body, block, version).workflowId(), position);
            case StepAttemptFailedDecoder.TEMPLATE_ID ->
                fencing.ended(attemptFailed.wrap(buffer, body, block, version).workflowId());
            case StepCompletedDecoder.TEMPLATE_ID ->
            {
                final StepCompletedDecoder d = stepCompleted.wrap(buffer, body, block, version);
                completions.committed(d.workflowId(), d.stepIndex(), position);
                fencing.ended(d.workflowId());
            }
            case WorkflowCompletedDecoder.TEMPLATE_ID ->
                fencing.ended(workflowCompleted.wrap(buffer, body, block, version).workflowId());
            case WorkflowFailedDecoder.TEMPLATE_ID ->
                fencing.ended(workflowFailed.wrap(buffer, body, block, version).workflowId());
            case WorkflowCancelledDecoder.TEMPLATE_ID ->
                fencing.ended(workflowCancelled.wrap(buffer, body, block, version).workflowId());
            default ->
            {
                // the other events neither create a workflow nor take or end a lease
            }
        }
    }

    private boolean wrapHeader(final DirectBuffer buffer, final int offset, final int length, final int type)
    {
        if (length < HEADER_LENGTH)
        {
            return false;
        }
        header.wrap(buffer, offset);
        return header.templateId() == type && header.schemaId() == MessageHeaderDecoder.SCHEMA_ID &&
            header.version() <= MessageHeaderDecoder.SCHEMA_VERSION && length >= HEADER_LENGTH + header.blockLength();
    }

    private static String what(final IllegalEventException ex, final long position)
    {
        final String prefix = "illegal event in the journal at position " + position + ": ";
        final String message = ex.getMessage();
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
