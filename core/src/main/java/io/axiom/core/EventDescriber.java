package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.axiom.codecs.LeaseExtendedDecoder;
import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.StepAttemptFailedDecoder;
import io.axiom.codecs.StepCompletedDecoder;
import io.axiom.codecs.StepLeasedDecoder;
import io.axiom.codecs.StepScheduledDecoder;
import io.axiom.codecs.TimerFiredDecoder;
import io.axiom.codecs.TimerScheduledDecoder;
import io.axiom.codecs.WorkflowCancelledDecoder;
import io.axiom.codecs.WorkflowCompletedDecoder;
import io.axiom.codecs.WorkflowCreatedDecoder;
import io.axiom.codecs.WorkflowFailedDecoder;
import io.axiom.codecs.WorkflowResumedDecoder;
import io.axiom.codecs.WorkflowRetiredDecoder;
import io.axiom.codecs.WorkflowWaitingDecoder;
import io.axiom.core.api.EventView;
import io.axiom.core.api.RawJson;
import org.agrona.DirectBuffer;

/**
 * Turns one journal record into an {@link EventView} for people and tools: the events endpoint, {@code wal dump},
 * replay. Off the hot path: it allocates freely.
 */
public final class EventDescriber
{
    private EventDescriber()
    {
    }

    /**
     * @param buffer    holding the payload.
     * @param offset    of the payload (SBE message header included).
     * @param length    of the payload.
     * @param type      record type (template id).
     * @param version   record schema version.
     * @param position  journal position.
     * @param sequence  journal sequence.
     * @param timestamp epoch ms.
     * @return the event, or a view of type "Unknown(type)" for a type this version does not know.
     */
    public static EventView describe(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int type,
        final int version,
        final long position,
        final long sequence,
        final long timestamp)
    {
        return describe(buffer, offset, length, type, version, position, sequence, timestamp, null);
    }

    /**
     * As {@link #describe(DirectBuffer, int, int, int, int, long, long, long)}, adding a {@code step} field with the
     * step's name where the event names a step index.
     *
     * @param stepNames of the workflow, from its WorkflowCreated event, or null.
     * @return the event.
     */
    public static EventView describe(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int type,
        final int version,
        final long position,
        final long sequence,
        final long timestamp,
        final String[] stepNames)
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            fields.put("length", length);
            return new EventView(position, sequence, "Unknown(" + type + ")", timestamp, 0, fields);
        }
        header.wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int block = header.blockLength();
        final int ver = header.version();
        final long workflowId;
        final String name;
        switch (type)
        {
            case WorkflowCreatedDecoder.TEMPLATE_ID ->
            {
                final WorkflowCreatedDecoder d = new WorkflowCreatedDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "WorkflowCreated";
                final List<Map<String, Object>> steps = new ArrayList<>();
                for (final WorkflowCreatedDecoder.StepsDecoder step : d.steps())
                {
                    final Map<String, Object> s = new LinkedHashMap<>();
                    s.put("type", WorkflowDefinition.kind(step.type()).wireName());
                    if (step.timeoutMs() != 0)
                    {
                        s.put("timeout_ms", step.timeoutMs());
                    }
                    if (step.durationMs() != 0)
                    {
                        s.put("duration_ms", step.durationMs());
                    }
                    s.put("max_attempts", step.maxAttempts());
                    s.put("backoff_ms", step.backoffMs());
                    s.put("max_backoff_ms", step.maxBackoffMs());
                    s.put("multiplier", step.multiplier());
                    final Map<String, Object> named = new LinkedHashMap<>();
                    named.put("name", step.name());
                    named.putAll(s);
                    steps.add(named);
                }
                fields.put("name", d.name());
                fields.put("steps", steps);
                final String key = d.idempotencyKey();
                if (!key.isEmpty())
                {
                    fields.put("idempotency_key", key);
                }
                fields.put("input", json(bytes(d.inputLength(), d::getInput)));
            }
            case StepScheduledDecoder.TEMPLATE_ID ->
            {
                final StepScheduledDecoder d = new StepScheduledDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "StepScheduled";
                step(fields, d.stepIndex(), stepNames);
                fields.put("attempt", d.attempt());
            }
            case StepLeasedDecoder.TEMPLATE_ID ->
            {
                final StepLeasedDecoder d = new StepLeasedDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "StepLeased";
                step(fields, d.stepIndex(), stepNames);
                fields.put("attempt", d.attempt());
                fields.put("worker_id", d.workerId());
                fields.put("fencing_token", position);
                fields.put("lease_expires_at", d.leaseExpiresAt());
                fields.put("attempt_deadline", d.attemptDeadline());
            }
            case LeaseExtendedDecoder.TEMPLATE_ID ->
            {
                final LeaseExtendedDecoder d = new LeaseExtendedDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "LeaseExtended";
                step(fields, d.stepIndex(), stepNames);
                fields.put("fencing_token", d.fencingToken());
                fields.put("lease_expires_at", d.leaseExpiresAt());
            }
            case StepCompletedDecoder.TEMPLATE_ID ->
            {
                final StepCompletedDecoder d = new StepCompletedDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "StepCompleted";
                step(fields, d.stepIndex(), stepNames);
                fields.put("attempt", d.attempt());
                fields.put("fencing_token", d.fencingToken());
                fields.put("completed_by", (ver < 2 ? (d.fencingToken() == 0 ? "OPERATOR_OR_TIMER" : "WORKER") :
                    d.completedBy().name()));
                fields.put("output", json(bytes(d.outputLength(), d::getOutput)));
                idempotencyKey(fields, d.idempotencyKey());
            }
            case StepAttemptFailedDecoder.TEMPLATE_ID ->
            {
                final StepAttemptFailedDecoder d = new StepAttemptFailedDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "StepAttemptFailed";
                step(fields, d.stepIndex(), stepNames);
                fields.put("attempt", d.attempt());
                fields.put("fencing_token", d.fencingToken());
                fields.put("kind", d.kind().name());
                fields.put("retryable", d.retryable() != 0);
                fields.put("error", d.error());
            }
            case TimerScheduledDecoder.TEMPLATE_ID ->
            {
                final TimerScheduledDecoder d = new TimerScheduledDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "TimerScheduled";
                step(fields, d.stepIndex(), stepNames);
                fields.put("deadline", d.deadline());
                fields.put("purpose", d.purpose().name());
            }
            case TimerFiredDecoder.TEMPLATE_ID ->
            {
                final TimerFiredDecoder d = new TimerFiredDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "TimerFired";
                step(fields, d.stepIndex(), stepNames);
                fields.put("deadline", d.deadline());
                fields.put("purpose", d.purpose().name());
            }
            case WorkflowWaitingDecoder.TEMPLATE_ID ->
            {
                final WorkflowWaitingDecoder d = new WorkflowWaitingDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "WorkflowWaiting";
                step(fields, d.stepIndex(), stepNames);
                fields.put("reason", d.reason().name());
            }
            case WorkflowResumedDecoder.TEMPLATE_ID ->
            {
                final WorkflowResumedDecoder d = new WorkflowResumedDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "WorkflowResumed";
                step(fields, d.stepIndex(), stepNames);
            }
            case WorkflowCompletedDecoder.TEMPLATE_ID ->
            {
                final WorkflowCompletedDecoder d = new WorkflowCompletedDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "WorkflowCompleted";
            }
            case WorkflowFailedDecoder.TEMPLATE_ID ->
            {
                final WorkflowFailedDecoder d = new WorkflowFailedDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "WorkflowFailed";
                step(fields, d.stepIndex(), stepNames);
                fields.put("reason", d.reason());
            }
            case WorkflowCancelledDecoder.TEMPLATE_ID ->
            {
                final WorkflowCancelledDecoder d = new WorkflowCancelledDecoder().wrap(buffer, body, block, ver);
                workflowId = d.workflowId();
                name = "WorkflowCancelled";
                step(fields, d.stepIndex(), stepNames);
                fields.put("reason", d.reason());
                idempotencyKey(fields, d.idempotencyKey());
            }
            case WorkflowRetiredDecoder.TEMPLATE_ID ->
            {
                workflowId = new WorkflowRetiredDecoder().wrap(buffer, body, block, ver).workflowId();
                name = "WorkflowRetired";
            }
            default ->
            {
                workflowId = 0;
                name = "Unknown(" + type + ")";
                fields.put("length", length);
            }
        }
        return new EventView(position, sequence, name, timestamp, workflowId, fields);
    }

    /**
     * @param event a WorkflowCreated event from {@link #describe}.
     * @return its step names in order, or null if it is not a WorkflowCreated event.
     */
    @SuppressWarnings("unchecked")
    public static String[] stepNames(final EventView event)
    {
        if (!"WorkflowCreated".equals(event.type()))
        {
            return null;
        }
        final List<Map<String, Object>> steps = (List<Map<String, Object>>)event.fields().get("steps");
        final String[] names = new String[steps.size()];
        for (int i = 0; i < names.length; i++)
        {
            names[i] = (String)steps.get(i).get("name");
        }
        return names;
    }

    private static void step(final Map<String, Object> fields, final int stepIndex, final String[] stepNames)
    {
        fields.put("step_index", stepIndex);
        if (null != stepNames && stepIndex >= 0 && stepIndex < stepNames.length)
        {
            fields.put("step", stepNames[stepIndex]);
        }
    }

    private static void idempotencyKey(final Map<String, Object> fields, final String key)
    {
        if (!key.isEmpty())
        {
            fields.put("idempotency_key", key);
        }
    }

    private interface VarGetter
    {
        int get(byte[] dst, int dstOffset, int length);
    }

    private static String bytes(final int length, final VarGetter getter)
    {
        final byte[] bytes = new byte[length];
        getter.get(bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static RawJson json(final String text)
    {
        return null == text || text.isEmpty() ? null : new RawJson(text);
    }
}
