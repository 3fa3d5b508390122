package io.axiom.gateway.graphql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.Status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The merge of history and live events in one {@code workflowEvents} stream, with a fake engine: duplicates vanish,
 * a resync fills a gap from the log, the terminal event completes, a slow subscriber is dropped.
 */
class WorkflowEventStreamTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long WORKFLOW = 7;

    @Test
    void historyThenLiveEventsWithoutDuplicatesUntilTheTerminalEvent() throws Exception
    {
        final WorkflowEventStream stream = new WorkflowEventStream(WORKFLOW,
            id -> events(created(1), event(2, "StepScheduled")), s -> { }, 16);
        stream.loadHistory();
        stream.offer(event(2, "StepScheduled"));
        stream.offer(event(3, "StepCompleted"));
        final Recorder recorder = new Recorder(Long.MAX_VALUE);
        stream.subscribe(recorder);

        assertEquals(List.of(1L, 2L, 3L), recorder.positions(3));
        stream.offer(event(3, "StepCompleted"));
        stream.offer(event(4, "WorkflowCompleted"));
        stream.offer(event(5, "StepScheduled"));

        assertEquals(List.of(4L), recorder.positions(1));
        assertNotNull(recorder.completed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, recorder.items.size(), "nothing after the terminal event");
        assertEquals("A", recorder.all.get(1).get("step"), "the step is named from WorkflowCreated");
    }

    @Test
    void aResyncReadsTheLogAgainAndGoesOnAfterTheLastPositionDelivered() throws Exception
    {
        final AtomicInteger reads = new AtomicInteger();
        final WorkflowEventStream stream = new WorkflowEventStream(WORKFLOW, id -> reads.incrementAndGet() == 1 ?
            events(created(1), event(2, "StepScheduled")) :
            events(created(1), event(2, "StepScheduled"), event(3, "StepLeased"), event(4, "StepCompleted")),
            s -> { }, 16);
        stream.loadHistory();
        stream.offer(event(2, "StepScheduled"));
        stream.resync();
        stream.offer(event(4, "StepCompleted"));
        stream.offer(event(5, "StepScheduled"));
        final Recorder recorder = new Recorder(Long.MAX_VALUE);
        stream.subscribe(recorder);

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), recorder.positions(5));
        assertEquals(2, reads.get());
        stream.offer(event(6, "WorkflowCancelled"));
        assertEquals(List.of(6L), recorder.positions(1));
        assertNotNull(recorder.completed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void aSubscriberThatFallsTooFarBehindIsDroppedWithSlowSubscriber() throws Exception
    {
        final AtomicReference<WorkflowEventStream> released = new AtomicReference<>();
        final WorkflowEventStream stream = new WorkflowEventStream(WORKFLOW, id -> events(created(1)),
            released::set, 4);
        stream.loadHistory();
        final Recorder recorder = new Recorder(1);
        stream.subscribe(recorder);
        assertEquals(List.of(1L), recorder.positions(1));

        for (int position = 2; position <= 7; position++)
        {
            stream.offer(event(position, "StepScheduled"));
        }

        final Throwable error = recorder.failed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        final GraphQlProblem problem = assertInstanceOf(GraphQlProblem.class, error);
        assertEquals(GraphQlProblem.SLOW_SUBSCRIBER, problem.code());
        TestAwait.until("the stream is released", () -> stream == released.get());
    }

    @Test
    void anUnknownWorkflowIsNotFound()
    {
        final WorkflowEventStream stream = new WorkflowEventStream(WORKFLOW,
            id -> new EngineReply.Problem(Status.NOT_FOUND, "NOT_FOUND", "no workflow 7"), s -> { }, 4);
        final GraphQlProblem problem = assertThrows(GraphQlProblem.class, stream::loadHistory);
        assertEquals(GraphQlProblem.NOT_FOUND, problem.code());
    }

    @Test
    void cancelEndsThePumpWithoutAnySignal() throws Exception
    {
        final AtomicReference<WorkflowEventStream> released = new AtomicReference<>();
        final WorkflowEventStream stream = new WorkflowEventStream(WORKFLOW, id -> events(created(1)),
            released::set, 4);
        stream.loadHistory();
        final Recorder recorder = new Recorder(Long.MAX_VALUE);
        stream.subscribe(recorder);
        assertEquals(List.of(1L), recorder.positions(1));

        recorder.subscription.cancel();

        TestAwait.until("the stream is released", () -> stream == released.get());
        assertTrue(!recorder.completed.isDone() && !recorder.failed.isDone());
    }

    private static EngineReply events(final EventView... events)
    {
        return new EngineReply.Events(WORKFLOW, events.length, List.of(events), -1);
    }

    private static EventView created(final long position)
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", "w");
        fields.put("steps", List.of(Map.of("name", "A"), Map.of("name", "B")));
        return new EventView(position, position, "WorkflowCreated", 1000 + position, WORKFLOW, fields);
    }

    private static EventView event(final long position, final String type)
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("step_index", 0);
        return new EventView(position, position, type, 1000 + position, WORKFLOW, fields);
    }

    /**
     * Records what a stream signals.
     */
    private static final class Recorder implements Subscriber<Map<String, Object>>
    {
        private final long initialDemand;
        private final BlockingQueue<Map<String, Object>> items = new LinkedBlockingQueue<>();
        private final List<Map<String, Object>> all = new ArrayList<>();
        private final CompletableFuture<Boolean> completed = new CompletableFuture<>();
        private final CompletableFuture<Throwable> failed = new CompletableFuture<>();
        private Subscription subscription;

        Recorder(final long initialDemand)
        {
            this.initialDemand = initialDemand;
        }

        List<Long> positions(final int count) throws InterruptedException
        {
            final List<Long> positions = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                final Map<String, Object> item = items.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertNotNull(item, "item " + i + " of " + count + " within " + TIMEOUT + "; got " + positions);
                positions.add((Long)item.get("position"));
            }
            return positions;
        }

        @Override
        public void onSubscribe(final Subscription s)
        {
            subscription = s;
            s.request(initialDemand);
        }

        @Override
        public void onNext(final Map<String, Object> item)
        {
            all.add(item);
            items.add(item);
        }

        @Override
        public void onError(final Throwable t)
        {
            failed.complete(t);
        }

        @Override
        public void onComplete()
        {
            completed.complete(Boolean.TRUE);
        }
    }
}
