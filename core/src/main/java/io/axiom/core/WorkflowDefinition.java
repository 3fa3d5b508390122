package io.axiom.core;

import io.axiom.codecs.StepType;
import io.axiom.core.api.StepKind;
import io.axiom.core.api.StepSpec;

/**
 * A workflow's ordered steps, shared by every workflow created with the same ones (the name is not part of it: it
 * stays in the WorkflowCreated record and is read back from the log for views).
 * <p>
 * Workflows are many and definitions few: keeping the definition once is what keeps a finished workflow to a few
 * hundred bytes of heap. Deduplicated by the bytes of its encoding, see {@link WorkflowDefinitions}.
 */
final class WorkflowDefinition
{
    final String[] stepNames;
    /** The step names as UTF-8, for frames written without allocating. */
    final byte[][] stepNameBytes;
    final StepType[] stepTypes;
    final long[] timeoutMs;
    final long[] durationMs;
    final int[] maxAttempts;
    final long[] backoffMs;
    final long[] maxBackoffMs;
    final double[] multiplier;
    final byte[] encoding;
    final long hash;
    WorkflowDefinition next;
    int index;

    WorkflowDefinition(final int stepCount, final byte[] encoding, final long hash)
    {
        this.stepNames = new String[stepCount];
        this.stepNameBytes = new byte[stepCount][];
        this.stepTypes = new StepType[stepCount];
        this.timeoutMs = new long[stepCount];
        this.durationMs = new long[stepCount];
        this.maxAttempts = new int[stepCount];
        this.backoffMs = new long[stepCount];
        this.maxBackoffMs = new long[stepCount];
        this.multiplier = new double[stepCount];
        this.encoding = encoding;
        this.hash = hash;
    }

    int stepCount()
    {
        return stepNames.length;
    }

    StepSpec spec(final int index)
    {
        return new StepSpec(
            stepNames[index],
            kind(stepTypes[index]),
            timeoutMs[index],
            durationMs[index],
            maxAttempts[index],
            backoffMs[index],
            maxBackoffMs[index],
            multiplier[index]);
    }

    static StepKind kind(final StepType type)
    {
        return switch (type)
        {
            case TASK -> StepKind.TASK;
            case APPROVAL -> StepKind.APPROVAL;
            case TIMER -> StepKind.TIMER;
            default -> throw new IllegalArgumentException("unknown step type " + type);
        };
    }

    static StepType type(final StepKind kind)
    {
        return switch (kind)
        {
            case TASK -> StepType.TASK;
            case APPROVAL -> StepType.APPROVAL;
            case TIMER -> StepType.TIMER;
        };
    }
}
