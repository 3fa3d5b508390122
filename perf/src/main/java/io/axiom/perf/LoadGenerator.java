package io.axiom.perf;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.axiom.codecs.AdvanceWorkflowEncoder;
import io.axiom.codecs.CreateWorkflowEncoder;
import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.ReplyStatus;
import io.axiom.codecs.StepType;
import io.axiom.codecs.WorkflowViewDecoder;
import io.axiom.core.CommandRing;
import io.axiom.core.CommandSlot;
import io.axiom.core.ReplySink;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * One producer thread driving workflows through the engine's ring with zero allocation per command.
 * <p>
 * The producer owns {@code window} lanes. A lane holds one workflow and has at most one command outstanding: it
 * sends CreateWorkflow, and on the reply (which carries the new workflow id) AdvanceWorkflow, once per step, then
 * creates the next workflow. So at most {@code window} commands of this producer are in flight. Replies arrive on
 * the processor thread at a {@link ReplySink} that stamps the time and workflow id into the lane's preallocated token
 * and hands the lane number back through a {@link CompletionQueue}. Encoders, tokens and queues are allocated once.
 * <p>
 * Latency is publish (nanoTime just before {@code ring.publish}) to reply (nanoTime in the sink, i.e. after the
 * group commit's fsync), recorded for commands published inside the measurement window; throughput counts replies
 * received inside it. With a fixed rate, a second histogram measures from the intended send time, so queueing in
 * the producer (coordinated omission) is not hidden.
 */
final class LoadGenerator implements Runnable
{
    static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final byte[] WORKFLOW_NAME = "perf-workflow".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INPUT = "{\"amount\":42}".getBytes(StandardCharsets.US_ASCII);
    private static final int NO_WORKFLOW = 0;

    /**
     * Preallocated per-lane state; the object handed to the ring as replyTo.
     */
    static final class Token
    {
        final int lane;
        long workflowId = NO_WORKFLOW;
        int advancesDone;
        boolean create;
        long intendedNs;
        long sendNs;
        long replyNs;
        long replyWorkflowId;
        boolean replyOk;

        Token(final int lane)
        {
            this.lane = lane;
        }
    }

    private final String name;
    private final CommandRing ring;
    private final int window;
    private final int steps;
    private final StepType stepType;
    private final long intervalNs;
    private final long measureStartNs;
    private final long measureEndNs;
    private volatile long stopSendingNs;
    private long createsLeft;

    private final Token[] tokens;
    private final int[] ready;
    private int readyHead;
    private int readyCount;
    private int outstanding;
    private int activeWorkflows;
    private final CompletionQueue completions;
    private final ReplySink sink;
    private final IdleStrategy idle;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final CreateWorkflowEncoder createEncoder = new CreateWorkflowEncoder();
    private final AdvanceWorkflowEncoder advanceEncoder = new AdvanceWorkflowEncoder();
    private final byte[][] stepNames;
    private final byte[] uniqueName = "wf-0000000000000000".getBytes(StandardCharsets.US_ASCII);
    /** Give every workflow a name of its own (as order numbers in names do), instead of one shared name. */
    boolean uniqueNames;
    /** Only create workflows (left live, at their first step): a lane creates again on each reply. */
    boolean createOnly;
    /**
     * When above 0: the advance after each create goes to one of the workflows 1..oldWorkflows made before (a
     * permutation of them shared by the producers by {@link #producerIndex}), not to the one just created, so that
     * commands change workflows a snapshot holds.
     */
    long oldWorkflows;
    int producerIndex;
    int producerCount = 1;
    private long oldCursor;
    /** When set: each measured command's intended send time and intended-to-reply latency, in order. */
    private long[] sampleIntendedNs;
    private long[] sampleLatencyNs;
    private int samples;
    long samplesDropped;
    /** Added to the correlation id in a unique name, so that producers and runs never share one. */
    long nameBase;
    private final byte[] uniqueKey = "idempotency-key-0000000000000000".getBytes(StandardCharsets.US_ASCII);
    /** Give every create an Idempotency-Key of its own (32 bytes, from the same number as a unique name). */
    boolean uniqueKeys;

    final Histogram publishToReply = new Histogram(HIGHEST_NANOS, 3);
    final Histogram intendedToReply = new Histogram(HIGHEST_NANOS, 3);
    final long[] repliesPerSecond;
    long measuredReplies;
    long totalReplies;
    long commandsSent;
    long problems;
    long workflowsCompleted;
    long measuredWorkflows;
    long maxProducerLagNs;
    long correlationId;
    volatile boolean done;

    /**
     * @param ratePerSecond  commands per second for this producer, 0 for as fast as the window allows.
     * @param workflowQuota  workflows to create in all, or Long.MAX_VALUE to run until stopSendingNs.
     */
    LoadGenerator(
        final String name,
        final CommandRing ring,
        final int window,
        final int steps,
        final StepType stepType,
        final double ratePerSecond,
        final long measureStartNs,
        final long measureEndNs,
        final long stopSendingNs,
        final long workflowQuota,
        final long maxParkNs)
    {
        this.name = name;
        this.ring = ring;
        this.window = window;
        this.steps = steps;
        this.stepType = stepType;
        this.intervalNs = ratePerSecond > 0 ? (long)(1e9 / ratePerSecond) : 0;
        this.measureStartNs = measureStartNs;
        this.measureEndNs = measureEndNs;
        this.stopSendingNs = stopSendingNs;
        this.createsLeft = workflowQuota;
        this.tokens = new Token[window];
        this.ready = new int[window];
        for (int i = 0; i < window; i++)
        {
            tokens[i] = new Token(i);
            tokens[i].create = true;
            ready[i] = i;
        }
        this.readyCount = window;
        this.completions = new CompletionQueue(window);
        this.stepNames = new byte[steps][];
        for (int i = 0; i < steps; i++)
        {
            stepNames[i] = ("approve-" + i).getBytes(StandardCharsets.US_ASCII);
        }
        this.repliesPerSecond = new long[(int)Math.max(1, (measureEndNs - measureStartNs) / 1_000_000_000L + 1)];
        this.idle = new BackoffIdleStrategy(10, 10, 1000, maxParkNs);
        this.sink = new Sink(completions);
    }

    /**
     * Runs on the processor thread: decode just enough of the reply, stamp the token, hand the lane back.
     */
    private static final class Sink implements ReplySink
    {
        private final CompletionQueue completions;
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final WorkflowViewDecoder view = new WorkflowViewDecoder();

        Sink(final CompletionQueue completions)
        {
            this.completions = completions;
        }

        public void onReply(final Object replyTo, final DirectBuffer buffer, final int offset, final int length)
        {
            final Token token = (Token)replyTo;
            token.replyNs = System.nanoTime();
            header.wrap(buffer, offset);
            if (header.templateId() == WorkflowViewDecoder.TEMPLATE_ID)
            {
                view.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
                final ReplyStatus status = view.status();
                token.replyOk = status == ReplyStatus.CREATED || status == ReplyStatus.OK;
                token.replyWorkflowId = view.workflowId();
            }
            else
            {
                token.replyOk = false;
                token.replyWorkflowId = NO_WORKFLOW;
            }
            completions.offer(token.lane);
        }
    }

    public void run()
    {
        long nextSendNs = System.nanoTime();
        while (true)
        {
            int work = drainCompletions();
            final long now = System.nanoTime();
            if (outstanding == 0 && (now >= stopSendingNs || (createsLeft <= 0 && activeWorkflows == 0)))
            {
                break;
            }
            if (now < stopSendingNs)
            {
                while (readyCount > 0 && (0 == intervalNs || nextSendNs <= now))
                {
                    final int lane = ready[readyHead];
                    final Token token = tokens[lane];
                    if (token.create && createsLeft <= 0)
                    {
                        readyHead = (readyHead + 1) % window;
                        readyCount--;
                        continue;
                    }
                    final long sequence = ring.tryNext();
                    if (sequence == CommandRing.FULL)
                    {
                        break;
                    }
                    readyHead = (readyHead + 1) % window;
                    readyCount--;
                    encode(ring.slot(sequence), token);
                    token.intendedNs = 0 == intervalNs ? 0 : nextSendNs;
                    nextSendNs += intervalNs;
                    token.sendNs = System.nanoTime();
                    ring.publish(sequence);
                    outstanding++;
                    commandsSent++;
                    work++;
                }
                if (0 != intervalNs && readyCount == 0 && nextSendNs < now)
                {
                    maxProducerLagNs = Math.max(maxProducerLagNs, now - nextSendNs);
                }
            }
            idle.idle(work);
        }
        done = true;
    }

    private void encode(final CommandSlot slot, final Token token)
    {
        final MutableDirectBuffer buffer = slot.buffer();
        final int length;
        if (token.create)
        {
            final CreateWorkflowEncoder encoder = createEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .correlationId(++correlationId);
            final CreateWorkflowEncoder.StepsEncoder group = encoder.stepsCount(steps);
            for (int i = 0; i < steps; i++)
            {
                group.next()
                    .type(stepType)
                    .timeoutMs(0)
                    .durationMs(0)
                    .maxAttempts(1)
                    .backoffMs(0)
                    .maxBackoffMs(0)
                    .multiplier(1.0)
                    .putName(stepNames[i], 0, stepNames[i].length);
            }
            if (uniqueNames)
            {
                // "wf-" and the correlation id in 16 hex digits: a name no other workflow has, without allocating.
                long id = nameBase + correlationId;
                for (int i = uniqueName.length - 1; i >= 3; i--)
                {
                    uniqueName[i] = (byte)"0123456789abcdef".charAt((int)(id & 0xF));
                    id >>>= 4;
                }
                encoder.putName(uniqueName, 0, uniqueName.length);
            }
            else
            {
                encoder.putName(WORKFLOW_NAME, 0, WORKFLOW_NAME.length);
            }
            if (uniqueKeys)
            {
                long id = nameBase + correlationId;
                for (int i = uniqueKey.length - 1; i >= uniqueKey.length - 16; i--)
                {
                    uniqueKey[i] = (byte)"0123456789abcdef".charAt((int)(id & 0xF));
                    id >>>= 4;
                }
                encoder.putIdempotencyKey(uniqueKey, 0, uniqueKey.length);
            }
            else
            {
                encoder.putIdempotencyKey(WORKFLOW_NAME, 0, 0);
            }
            encoder.putInput(INPUT, 0, INPUT.length);
            length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
            createsLeft--;
        }
        else
        {
            final AdvanceWorkflowEncoder encoder = advanceEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .correlationId(++correlationId)
                .workflowId(token.workflowId)
                .expectedStepIndex(-1);
            encoder.putExpectedStep(WORKFLOW_NAME, 0, 0);
            encoder.putOutput(INPUT, 0, INPUT.length);
            encoder.putIdempotencyKey(WORKFLOW_NAME, 0, 0);
            length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }
        slot.length(length).replyTo(sink, token);
    }

    private int drainCompletions()
    {
        int count = 0;
        int lane;
        while ((lane = completions.poll()) >= 0)
        {
            count++;
            outstanding--;
            totalReplies++;
            final Token token = tokens[lane];
            final long replyNs = token.replyNs;
            if (token.sendNs >= measureStartNs && token.sendNs < measureEndNs)
            {
                publishToReply.recordValue(Math.min(HIGHEST_NANOS, replyNs - token.sendNs));
                if (0 != token.intendedNs)
                {
                    intendedToReply.recordValue(Math.min(HIGHEST_NANOS, replyNs - token.intendedNs));
                    if (null != sampleIntendedNs)
                    {
                        if (samples < sampleIntendedNs.length)
                        {
                            sampleIntendedNs[samples] = token.intendedNs;
                            sampleLatencyNs[samples] = replyNs - token.intendedNs;
                            samples++;
                        }
                        else
                        {
                            samplesDropped++;
                        }
                    }
                }
            }
            if (replyNs >= measureStartNs && replyNs < measureEndNs)
            {
                measuredReplies++;
                repliesPerSecond[(int)((replyNs - measureStartNs) / 1_000_000_000L)]++;
            }

            if (!token.replyOk)
            {
                if (token.workflowId != NO_WORKFLOW)
                {
                    activeWorkflows--;
                }
                problems++;
                token.create = true;
                token.workflowId = NO_WORKFLOW;
            }
            else if (token.create && createOnly)
            {
                workflowsCompleted++;
            }
            else if (token.create)
            {
                token.create = false;
                token.workflowId = 0 != oldWorkflows ? nextOld() : token.replyWorkflowId;
                token.advancesDone = 0;
                activeWorkflows++;
            }
            else if (++token.advancesDone == steps)
            {
                workflowsCompleted++;
                if (replyNs >= measureStartNs && replyNs < measureEndNs)
                {
                    measuredWorkflows++;
                }
                activeWorkflows--;
                token.create = true;
                token.workflowId = NO_WORKFLOW;
            }
            ready[(readyHead + readyCount) % window] = lane;
            readyCount++;
        }
        return count;
    }

    String name()
    {
        return name;
    }

    /**
     * Keep every measured command's intended send time and latency (for a split by time after the run).
     *
     * @param capacity commands to keep at most; later ones are counted in {@link #samplesDropped}.
     */
    void recordSamples(final int capacity)
    {
        sampleIntendedNs = new long[capacity];
        sampleLatencyNs = new long[capacity];
    }

    int samples()
    {
        return samples;
    }

    long sampleIntendedNs(final int i)
    {
        return sampleIntendedNs[i];
    }

    long sampleLatencyNs(final int i)
    {
        return sampleLatencyNs[i];
    }

    /**
     * Stop sending at this time (commands outstanding still get their replies).
     */
    void stopSendingAt(final long nanos)
    {
        stopSendingNs = nanos;
    }

    private long nextOld()
    {
        // a stride coprime with most table sizes walks the old workflows in a scattered order, each once
        final long index = oldCursor++ * producerCount + producerIndex;
        return (index * 7_919L) % oldWorkflows + 1;
    }
}
