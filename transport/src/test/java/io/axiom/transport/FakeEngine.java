package io.axiom.transport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.axiom.wire.CompletionAcceptedEncoder;
import io.axiom.wire.CompletionRejectedEncoder;
import io.axiom.wire.HeartbeatDecoder;
import io.axiom.wire.MessageHeaderDecoder;
import io.axiom.wire.MessageHeaderEncoder;
import io.axiom.wire.RejectReason;
import io.axiom.wire.TaskAssignedEncoder;
import io.axiom.wire.TaskCompletedDecoder;
import io.axiom.wire.TaskFailedDecoder;
import io.axiom.wire.WelcomeEncoder;
import io.axiom.wire.WorkerGoodbyeDecoder;
import io.axiom.wire.WorkerHelloDecoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An {@link EngineInbox} that answers like the engine, on a thread of its own (as the processor does): Welcome for a
 * hello, TaskAssigned for queued tasks to workers with credit, CompletionAccepted for a completion or failure (and
 * ALREADY_COMMITTED for a repeat), a Welcome for a goodbye. Everything received is recorded for the test to check.
 */
final class FakeEngine implements EngineInbox, AutoCloseable
{
    /**
     * A frame as the fake engine received it.
     *
     * @param templateId  its template.
     * @param workerId    the worker id it carries.
     * @param taskId      for heartbeats, completions and failures.
     * @param token       likewise.
     * @param payload     output or error text, or the step names of a hello.
     * @param retryable   for failures.
     * @param connection  the connection it came with.
     */
    record Received(int templateId, long workerId, long taskId, long token, String payload, boolean retryable,
        WorkerConnection connection)
    {
    }

    /**
     * A task to deal.
     *
     * @param stepName the step.
     * @param input    its input.
     */
    record PendingTask(String stepName, String input)
    {
    }

    /** The output another attempt committed, sent with a rejection the test asks for. */
    static final byte[] OTHER_OUTPUT =
        "{\"by\":\"another attempt\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final long leaseMs;
    private final Queue<Object[]> inbox = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Queue<PendingTask> tasks = new ConcurrentLinkedQueue<>();
    private final Map<WorkerConnection, int[]> credits = new LinkedHashMap<>();
    private final Map<Long, byte[]> committed = new LinkedHashMap<>();
    private final Thread thread;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4096);
    final AtomicInteger dropAnswers = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicReference<RejectReason> nextRejection =
        new java.util.concurrent.atomic.AtomicReference<>();
    final AtomicInteger refuseOffers = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger rawSent = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicReference<String> rejectHellos =
        new java.util.concurrent.atomic.AtomicReference<>();
    private volatile boolean running = true;
    private long nextTaskId = 1;
    private long nextToken = 1000;

    FakeEngine(final long leaseMs)
    {
        this.leaseMs = leaseMs;
        this.thread = new Thread(this::run, "fake-engine");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public boolean offer(
        final DirectBuffer frame, final int offset, final int length, final WorkerConnection connection)
    {
        if (refuseOffers.get() > 0 && refuseOffers.getAndDecrement() > 0)
        {
            refused.incrementAndGet();
            return false;
        }
        final byte[] copy = new byte[length];
        frame.getBytes(offset, copy);
        inbox.add(new Object[] {copy, connection});
        LockSupport.unpark(thread);
        return true;
    }

    void deal(final String stepName, final String input)
    {
        tasks.add(new PendingTask(stepName, input));
        LockSupport.unpark(thread);
    }

    List<Received> received()
    {
        return received;
    }

    List<Received> received(final int templateId)
    {
        final List<Received> list = new ArrayList<>();
        for (final Received r : received)
        {
            if (r.templateId() == templateId)
            {
                list.add(r);
            }
        }
        return list;
    }

    /**
     * Send a raw frame to a connection from the engine's thread, as the processor's sink would.
     */
    void sendOnEngineThread(final WorkerConnection connection, final byte[] frame)
    {
        inbox.add(new Object[] {null, connection, frame});
        LockSupport.unpark(thread);
    }

    private void run()
    {
        while (running)
        {
            boolean idle = true;
            Object[] item;
            while (null != (item = inbox.poll()))
            {
                idle = false;
                final WorkerConnection connection = (WorkerConnection)item[1];
                if (null == item[0])
                {
                    final byte[] frame = (byte[])item[2];
                    connection.send(new UnsafeBuffer(frame), 0, frame.length);
                    rawSent.incrementAndGet();
                    continue;
                }
                onFrame(new UnsafeBuffer((byte[])item[0]), connection);
            }
            idle &= !dealTasks();
            if (idle)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    private void onFrame(final UnsafeBuffer buffer, final WorkerConnection connection)
    {
        header.wrap(buffer, 0);
        final int body = MessageHeaderDecoder.ENCODED_LENGTH;
        final int block = header.blockLength();
        final int version = header.version();
        switch (header.templateId())
        {
            case WorkerHelloDecoder.TEMPLATE_ID ->
            {
                final WorkerHelloDecoder d = new WorkerHelloDecoder().wrap(buffer, body, block, version);
                final StringBuilder names = new StringBuilder();
                final long workerId = d.workerId();
                final int capacity = d.capacity();
                for (final WorkerHelloDecoder.StepNamesDecoder n : d.stepNames())
                {
                    names.append(names.isEmpty() ? "" : ",").append(n.name());
                }
                received.add(new Received(WorkerHelloDecoder.TEMPLATE_ID, workerId, 0, 0, names.toString(), false,
                    connection));
                final String refusal = rejectHellos.get();
                if (null != refusal)
                {
                    final io.axiom.wire.HelloRejectedEncoder r = new io.axiom.wire.HelloRejectedEncoder()
                        .wrapAndApplyHeader(out, 0, headerEncoder).workerId(workerId).reason(refusal);
                    connection.send(out, 0, MessageHeaderEncoder.ENCODED_LENGTH + r.encodedLength());
                    return;
                }
                credits.put(connection, new int[] {capacity});
                new WelcomeEncoder().wrapAndApplyHeader(out, 0, headerEncoder).workerId(workerId)
                    .leaseDurationMs(leaseMs);
                connection.send(out, 0, MessageHeaderEncoder.ENCODED_LENGTH + WelcomeEncoder.BLOCK_LENGTH);
            }
            case HeartbeatDecoder.TEMPLATE_ID ->
            {
                final HeartbeatDecoder d = new HeartbeatDecoder().wrap(buffer, body, block, version);
                received.add(new Received(HeartbeatDecoder.TEMPLATE_ID, d.workerId(), d.taskId(), d.fencingToken(),
                    "", false, connection));
            }
            case TaskCompletedDecoder.TEMPLATE_ID ->
            {
                final TaskCompletedDecoder d = new TaskCompletedDecoder().wrap(buffer, body, block, version);
                final long workerId = d.workerId();
                final long taskId = d.taskId();
                final long token = d.fencingToken();
                final byte[] output = new byte[d.outputLength()];
                d.getOutput(output, 0, output.length);
                received.add(new Received(TaskCompletedDecoder.TEMPLATE_ID, workerId, taskId, token,
                    new String(output, java.nio.charset.StandardCharsets.UTF_8), false, connection));
                answer(connection, taskId, token, output);
            }
            case TaskFailedDecoder.TEMPLATE_ID ->
            {
                final TaskFailedDecoder d = new TaskFailedDecoder().wrap(buffer, body, block, version);
                final long workerId = d.workerId();
                final long taskId = d.taskId();
                final long token = d.fencingToken();
                final boolean retryable = 0 != d.retryable();
                received.add(new Received(TaskFailedDecoder.TEMPLATE_ID, workerId, taskId, token, d.error(),
                    retryable, connection));
                answer(connection, taskId, token, new byte[0]);
            }
            case WorkerGoodbyeDecoder.TEMPLATE_ID ->
            {
                final long workerId = new WorkerGoodbyeDecoder().wrap(buffer, body, block, version).workerId();
                received.add(new Received(WorkerGoodbyeDecoder.TEMPLATE_ID, workerId, 0, 0, "", false,
                    connection));
                credits.remove(connection);
                new WelcomeEncoder().wrapAndApplyHeader(out, 0, headerEncoder).workerId(workerId)
                    .leaseDurationMs(leaseMs);
                connection.send(out, 0, MessageHeaderEncoder.ENCODED_LENGTH + WelcomeEncoder.BLOCK_LENGTH);
            }
            default -> throw new IllegalStateException("the endpoint let template " + header.templateId() + " in");
        }
    }

    private void answer(
        final WorkerConnection connection, final long taskId, final long token, final byte[] output)
    {
        final int[] credit = credits.get(connection);
        final boolean repeat = committed.containsKey(token);
        if (!repeat)
        {
            committed.put(token, output);
            if (null != credit)
            {
                credit[0]++;
            }
        }
        if (dropAnswers.get() > 0 && dropAnswers.getAndDecrement() > 0)
        {
            return;
        }
        final RejectReason rejection = nextRejection.getAndSet(null);
        if (null != rejection)
        {
            final CompletionRejectedEncoder r = new CompletionRejectedEncoder()
                .wrapAndApplyHeader(out, 0, headerEncoder)
                .taskId(taskId)
                .fencingToken(token)
                .reason(rejection)
                .detail("the lease with token " + token + " is over; do not commit the effect")
                .putCommittedOutput(OTHER_OUTPUT, 0, OTHER_OUTPUT.length);
            connection.send(out, 0, MessageHeaderEncoder.ENCODED_LENGTH + r.encodedLength());
            return;
        }
        if (repeat)
        {
            final CompletionRejectedEncoder r = new CompletionRejectedEncoder()
                .wrapAndApplyHeader(out, 0, headerEncoder)
                .taskId(taskId)
                .fencingToken(token)
                .reason(RejectReason.ALREADY_COMMITTED)
                .detail("already committed with this lease")
                .putCommittedOutput(committed.get(token), 0, committed.get(token).length);
            connection.send(out, 0, MessageHeaderEncoder.ENCODED_LENGTH + r.encodedLength());
            return;
        }
        new CompletionAcceptedEncoder().wrapAndApplyHeader(out, 0, headerEncoder).taskId(taskId).fencingToken(token);
        connection.send(out, 0, MessageHeaderEncoder.ENCODED_LENGTH + CompletionAcceptedEncoder.BLOCK_LENGTH);
    }

    private boolean dealTasks()
    {
        boolean dealt = false;
        PendingTask task;
        while (null != (task = tasks.peek()))
        {
            WorkerConnection target = null;
            for (final Map.Entry<WorkerConnection, int[]> e : credits.entrySet())
            {
                if (e.getValue()[0] > 0 && !e.getKey().isClosed())
                {
                    target = e.getKey();
                    e.getValue()[0]--;
                    break;
                }
            }
            if (null == target)
            {
                return dealt;
            }
            tasks.poll();
            final long taskId = nextTaskId++;
            final long token = nextToken++;
            final long now = System.currentTimeMillis();
            final TaskAssignedEncoder e = new TaskAssignedEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
                .taskId(taskId)
                .workflowId(taskId)
                .stepIndex(0)
                .attempt(1)
                .fencingToken(token)
                .leaseExpiresAt(now + leaseMs)
                .attemptDeadline(now + 2 * leaseMs)
                .stepName(task.stepName())
                .idempotencyKey(taskId + "-0")
                .putInput(task.input().getBytes(java.nio.charset.StandardCharsets.UTF_8), 0,
                    task.input().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            target.send(out, 0, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
            dealt = true;
        }
        return dealt;
    }

    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(5000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
