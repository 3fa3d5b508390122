package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.axiom.codecs.ConsistentPointDecoder;
import io.axiom.codecs.EventListHeaderDecoder;
import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.ProblemDecoder;
import io.axiom.codecs.ReplyStatus;
import io.axiom.codecs.SnapshotTakenDecoder;
import io.axiom.codecs.TaskQueuesDecoder;
import io.axiom.codecs.WorkflowCreatedDecoder;
import io.axiom.codecs.WorkflowListHeaderDecoder;
import io.axiom.codecs.WorkflowReplayHeaderDecoder;
import io.axiom.codecs.WorkflowViewDecoder;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.ReplayStep;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.StepView;
import io.axiom.core.api.TaskQueue;
import io.axiom.core.api.WorkflowView;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decodes a reply of the processor into the plain Java records of {@code io.axiom.core.api}. Runs on the caller's
 * thread, never the processor's.
 */
public final class ReplyReader
{
    private ReplyReader()
    {
    }

    /**
     * @param buffer holding the reply.
     * @param offset of the reply.
     * @param length of the reply.
     * @return the reply as records.
     */
    public static EngineReply read(final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        switch (header.templateId())
        {
            case ProblemDecoder.TEMPLATE_ID ->
            {
                final ProblemDecoder d = new ProblemDecoder().wrap(buffer, body, header.blockLength(), header.version());
                final Status status = status(d.status());
                return new EngineReply.Problem(status, d.code(), d.detail());
            }
            case WorkflowViewDecoder.TEMPLATE_ID ->
            {
                final WorkflowViewDecoder d = new WorkflowViewDecoder();
                d.wrap(buffer, body, header.blockLength(), header.version());
                final Status status = status(d.status());
                return new EngineReply.Workflow(status, view(d));
            }
            case WorkflowListHeaderDecoder.TEMPLATE_ID ->
            {
                final WorkflowListHeaderDecoder d = new WorkflowListHeaderDecoder()
                    .wrap(buffer, body, header.blockLength(), header.version());
                final int count = d.count();
                final List<WorkflowView> views = new ArrayList<>(count);
                int limit = body + header.blockLength();
                final WorkflowViewDecoder viewDecoder = new WorkflowViewDecoder();
                for (int i = 0; i < count; i++)
                {
                    header.wrap(buffer, limit);
                    viewDecoder.wrap(
                        buffer, limit + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
                    views.add(view(viewDecoder));
                    limit = viewDecoder.limit();
                }
                return new EngineReply.WorkflowList(d.total(), views, d.nextOffset(), 0 != d.totalExact());
            }
            case ConsistentPointDecoder.TEMPLATE_ID ->
            {
                final ConsistentPointDecoder d = new ConsistentPointDecoder()
                    .wrap(buffer, body, header.blockLength(), header.version());
                return new EngineReply.ConsistentPoint(d.endPosition(), d.lastSequence(), d.digest(), d.workflows(),
                    d.eventsApplied(), d.heldNanos());
            }
            case SnapshotTakenDecoder.TEMPLATE_ID ->
            {
                final SnapshotTakenDecoder d = new SnapshotTakenDecoder()
                    .wrap(buffer, body, header.blockLength(), header.version());
                return new EngineReply.SnapshotTaken(d.position(), d.lastSequence(), d.bytes(), d.durationNanos(),
                    1 == d.joined(), d.file());
            }
            case EventListHeaderDecoder.TEMPLATE_ID ->
            {
                final EventListHeaderDecoder d = new EventListHeaderDecoder()
                    .wrap(buffer, body, header.blockLength(), header.version());
                final int count = d.count();
                final long workflowId = d.workflowId();
                final int total = d.total();
                final long nextAfter = d.nextAfter();
                final List<EventView> events = new ArrayList<>(count);
                String[] stepNames = null;
                final EventListHeaderDecoder.StepNamesDecoder names = d.stepNames();
                if (names.count() > 0)
                {
                    stepNames = new String[names.count()];
                    for (int i = 0; i < stepNames.length; i++)
                    {
                        stepNames[i] = names.next().name();
                    }
                }
                int frame = d.limit();
                for (int i = 0; i < count; i++)
                {
                    final int payloadLength = EventFrames.payloadLength(buffer, frame);
                    final EventView event = describeFrame(buffer, frame, stepNames);
                    if (null == stepNames)
                    {
                        stepNames = EventDescriber.stepNames(event);
                    }
                    events.add(event);
                    frame += EventFrames.FRAME_HEADER_LENGTH + payloadLength;
                }
                return new EngineReply.Events(workflowId, total, events, nextAfter);
            }
            case WorkflowReplayHeaderDecoder.TEMPLATE_ID ->
            {
                final WorkflowReplayHeaderDecoder d = new WorkflowReplayHeaderDecoder()
                    .wrap(buffer, body, header.blockLength(), header.version());
                final int count = d.count();
                final List<ReplayStep> steps = new ArrayList<>(count);
                int limit = body + header.blockLength();
                String[] stepNames = null;
                final WorkflowViewDecoder viewDecoder = new WorkflowViewDecoder();
                for (int i = 0; i < count; i++)
                {
                    final int payloadLength = EventFrames.payloadLength(buffer, limit);
                    final EventView event = describeFrame(buffer, limit, stepNames);
                    if (null == stepNames)
                    {
                        stepNames = EventDescriber.stepNames(event);
                    }
                    limit += EventFrames.FRAME_HEADER_LENGTH + payloadLength;
                    header.wrap(buffer, limit);
                    viewDecoder.wrap(
                        buffer, limit + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
                    steps.add(new ReplayStep(event, view(viewDecoder)));
                    limit = viewDecoder.limit();
                }
                header.wrap(buffer, limit);
                viewDecoder.wrap(
                    buffer, limit + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
                return new EngineReply.Replay(d.workflowId(), List.copyOf(steps), view(viewDecoder), d.matchesLive() == 1);
            }
            case TaskQueuesDecoder.TEMPLATE_ID ->
            {
                final TaskQueuesDecoder d = new TaskQueuesDecoder()
                    .wrap(buffer, body, header.blockLength(), header.version());
                final List<TaskQueue> queues = new ArrayList<>();
                for (final TaskQueuesDecoder.QueuesDecoder q : d.queues())
                {
                    final long queued = q.queued();
                    final long leased = q.leased();
                    final int workers = q.workers();
                    final long oldestQueuedAt = q.oldestQueuedAt();
                    queues.add(new TaskQueue(q.stepName(), queued, leased, workers, oldestQueuedAt));
                }
                return new EngineReply.TaskQueues(List.copyOf(queues));
            }
            default -> throw new IllegalArgumentException("not a reply: template " + header.templateId());
        }
    }

    private static EventView describeFrame(final DirectBuffer buffer, final int frame, final String[] stepNames)
    {
        return EventDescriber.describe(
            buffer,
            frame + EventFrames.FRAME_HEADER_LENGTH,
            EventFrames.payloadLength(buffer, frame),
            EventFrames.type(buffer, frame),
            EventFrames.version(buffer, frame),
            EventFrames.position(buffer, frame),
            EventFrames.sequence(buffer, frame),
            EventFrames.timestamp(buffer, frame),
            stepNames);
    }

    private static WorkflowView view(final WorkflowViewDecoder d)
    {
        final long id = d.workflowId();
        final String state = d.state().name();
        final int currentStep = d.currentStep();
        final long createdAt = d.createdAt();
        final long updatedAt = d.updatedAt();
        final int eventCount = d.eventCount();
        final long lastPosition = d.lastPosition();
        final long wakeAt = d.wakeAt();
        final boolean outputsOmitted = d.outputsOmitted() == 1;

        final List<String> statuses = new ArrayList<>();
        final List<Integer> attempts = new ArrayList<>();
        final List<Long> completedAts = new ArrayList<>();
        final List<String> outputs = new ArrayList<>();
        for (final WorkflowViewDecoder.StepStatesDecoder step : d.stepStates())
        {
            statuses.add(step.status().name());
            attempts.add(step.attempts());
            completedAts.add(step.completedAt());
            final int outputLength = step.outputLength();
            final byte[] output = new byte[outputLength];
            step.getOutput(output, 0, outputLength);
            outputs.add(outputLength == 0 ? null : new String(output, StandardCharsets.UTF_8));
        }

        final int definitionLength = d.definitionLength();
        final byte[] definition = new byte[definitionLength];
        d.getDefinition(definition, 0, definitionLength);
        final String reason = d.reason();

        final UnsafeBuffer created = new UnsafeBuffer(definition);
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(created, 0);
        final WorkflowCreatedDecoder c = new WorkflowCreatedDecoder().wrap(
            created, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        final List<StepView> steps = new ArrayList<>();
        int index = 0;
        for (final WorkflowCreatedDecoder.StepsDecoder s : c.steps())
        {
            final String stepName = s.name();
            final StepSpec spec = new StepSpec(stepName, WorkflowDefinition.kind(s.type()), s.timeoutMs(),
                s.durationMs(), s.maxAttempts(), s.backoffMs(), s.maxBackoffMs(), s.multiplier());
            steps.add(new StepView(index, stepName, spec.kind(), statuses.get(index), attempts.get(index),
                completedAts.get(index), outputs.get(index), spec));
            index++;
        }
        final String name = c.name();
        final String key = c.idempotencyKey();
        final int inputLength = c.inputLength();
        final byte[] input = new byte[inputLength];
        c.getInput(input, 0, inputLength);

        return new WorkflowView(
            id,
            name,
            state,
            currentStep,
            List.copyOf(steps),
            inputLength == 0 ? null : new String(input, StandardCharsets.UTF_8),
            key.isEmpty() ? null : key,
            createdAt,
            updatedAt,
            eventCount,
            lastPosition,
            wakeAt,
            reason.isEmpty() ? null : reason,
            outputsOmitted);
    }

    private static Status status(final ReplyStatus status)
    {
        return switch (status)
        {
            case OK -> Status.OK;
            case CREATED -> Status.CREATED;
            case EXISTING -> Status.EXISTING;
            case NOT_FOUND -> Status.NOT_FOUND;
            case CONFLICT -> Status.CONFLICT;
            case INVALID -> Status.INVALID;
            case OVERLOADED -> Status.OVERLOADED;
            case UNPROCESSABLE -> Status.UNPROCESSABLE;
            case INSUFFICIENT_STORAGE -> Status.INSUFFICIENT_STORAGE;
            case TOO_LARGE -> Status.TOO_LARGE;
            case INTERNAL -> Status.INTERNAL;
            case UNAVAILABLE, NULL_VAL -> Status.UNAVAILABLE;
        };
    }
}
