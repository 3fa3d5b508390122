package io.axiom.gateway.http;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;
import io.axiom.gateway.TestServer.Response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP worker API against a real in-process server: long-polled fetches, completions, failures and heartbeats
 * through the engine's dealer and fencing, and what the log says about them. Each test uses step names of its own,
 * so that one test's tasks never reach another's fetch.
 */
class WorkerApiTest
{
    private static final String WORKFLOWS = "/api/v1/workflows";
    private static final String FETCH = "/api/v1/tasks/fetch";
    /** A lease short enough to expire within a test. */
    private static final long SHORT_LEASE_MS = 600;

    @TempDir
    static Path dataDir;
    @TempDir
    static Path shortLeaseDir;

    private static TestServer server;
    private static TestServer shortLease;

    @BeforeAll
    static void start()
    {
        server = TestServer.start(dataDir, "--wal.max-segment-size", "1MiB", "--core.ring-size", "1024");
        shortLease = TestServer.start(shortLeaseDir, "--wal.max-segment-size", "1MiB", "--core.ring-size", "1024",
            "--scheduler.lease-duration-ms", Long.toString(SHORT_LEASE_MS));
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
        if (null != shortLease)
        {
            shortLease.close();
        }
    }

    @Test
    void aFetchWithNoTaskWaitsAboutWaitMsAndAnswersEmpty()
    {
        final long position = server.engine().journalPosition();
        final long start = System.nanoTime();
        final Response r = fetch(server, "{\"steps\":[\"NOTHING_HERE\"],\"wait_ms\":700}");
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(200, r.status(), r::toString);
        assertEquals("application/json", r.contentType());
        assertEquals("{\"tasks\":[]}", r.body());
        assertTrue(elapsedMs >= 650, "a fetch without tasks waits for wait_ms, answered after " + elapsedMs + " ms");
        assertTrue(elapsedMs < 10_000, "and not much longer: " + elapsedMs + " ms");
        assertEquals(position, server.engine().journalPosition(), "a fetch that gets nothing writes nothing");

        final Response now = fetch(server, "{\"steps\":[\"NOTHING_HERE\"],\"wait_ms\":0}");
        assertEquals("{\"tasks\":[]}", now.body(), now::toString);
        assertEquals(0, workers(server, "NOTHING_HERE"), "a fetch leaves no worker behind");
    }

    @Test
    void aTaskCreatedWhileAFetchWaitsIsDeliveredToItAtOnce() throws Exception
    {
        final long start = System.nanoTime();
        final CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() ->
            fetch(server, "{\"steps\":[\"LATE_ARRIVAL\"],\"wait_ms\":25000,\"worker_id\":\"w-1\"}"));
        TestServer.await("the fetch waiting as a worker", () -> workers(server, "LATE_ARRIVAL") == 1);
        final String id = create(server, "{\"name\":\"late\",\"steps\":[\"LATE_ARRIVAL\"],\"input\":{\"n\":1}}");

        final Response r = waiting.get(30, TimeUnit.SECONDS);
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(200, r.status(), r::toString);
        assertTrue(elapsedMs < 20_000, "the task ended the long poll, after " + elapsedMs + " ms");
        final JsonNode tasks = r.json().get("tasks");
        assertEquals(1, tasks.size(), r::body);
        final JsonNode task = tasks.get(0);
        assertEquals(id, task.get("task_id").asText());
        assertEquals(id, task.get("workflow_id").asText());
        assertTrue(task.get("task_id").isTextual(), "ids are decimal strings");
        assertEquals(0, task.get("step_index").asInt());
        assertEquals("LATE_ARRIVAL", task.get("step").asText());
        assertEquals(1, task.get("attempt").asInt());
        assertTrue(task.get("fencing_token").asLong() > 0);
        assertTrue(task.get("lease_expires_at").asText().matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z"));
        assertTrue(task.get("attempt_deadline").asText().matches("\\d{4}-.*Z"));
        assertEquals(id + "-0", task.get("idempotency_key").asText());
        assertEquals("{\"n\":1}", task.get("input").toString(), "the input is embedded as JSON");
        assertEquals(0, workers(server, "LATE_ARRIVAL"));
        assertEquals(1, leased(server, "LATE_ARRIVAL"));

        final JsonNode leasedEvent = event(server, id, "StepLeased");
        assertEquals(task.get("fencing_token").asLong(), leasedEvent.get("fencing_token").asLong());
        assertEquals(WorkerTasks.workerId("w-1"), leasedEvent.get("worker_id").asLong(),
            "the worker_id text is logged as its stable hash");
    }

    @Test
    void aCompletionIsAcceptedOnceAndARepeatIsAlreadyCommittedWithNothingWritten()
    {
        final String id = create(server, "{\"name\":\"two\",\"steps\":[\"PACK\",\"SHIP_IT\"],\"input\":{\"o\":7}}");
        final JsonNode task = one(fetch(server, "{\"steps\":[\"PACK\"],\"wait_ms\":5000}"));
        final long token = task.get("fencing_token").asLong();

        final Response done = complete(server, id, "{\"fencing_token\":" + token + ",\"output\":{\"boxes\":2}}");
        assertEquals(200, done.status(), done::toString);
        assertEquals("{\"task_id\":\"" + id + "\",\"fencing_token\":" + token + ",\"status\":\"ACCEPTED\"}",
            done.body());

        final JsonNode workflow = server.get(WORKFLOWS + "/" + id).json();
        assertEquals("RUNNING", workflow.get("state").asText());
        assertEquals("SHIP_IT", workflow.get("current_step").asText());
        assertEquals("{\"boxes\":2}", workflow.get("steps").get(0).get("output").toString());

        final List<String> types = new ArrayList<>();
        server.get(WORKFLOWS + "/" + id + "/events").json().get("events").forEach(e -> types.add(e.get("type")
            .asText()));
        assertEquals(List.of("WorkflowCreated", "StepScheduled", "StepLeased", "StepCompleted", "StepScheduled"),
            types);
        final JsonNode leased = event(server, id, "StepLeased");
        final JsonNode completed = event(server, id, "StepCompleted");
        assertEquals(token, leased.get("fencing_token").asLong(), "the token is the StepLeased position");
        assertEquals(token, leased.get("position").asLong());
        assertEquals("WORKER", completed.get("completed_by").asText());
        assertEquals(token, completed.get("fencing_token").asLong());

        final long position = server.engine().journalPosition();
        final long events = server.engine().eventCount();
        final Response again = complete(server, id, "{\"fencing_token\":" + token + ",\"output\":{\"boxes\":3}}");
        assertEquals(409, again.status(), again::toString);
        assertEquals("application/problem+json", again.contentType());
        assertEquals("ALREADY_COMMITTED", again.json().get("code").asText());
        assertEquals("{\"boxes\":2}", again.json().get("committed_output").toString(),
            "the repeat gets the output that committed, not its own");
        assertTrue(again.json().get("detail").asText().contains("nothing was written"), again::body);
        assertEquals(position, server.engine().journalPosition(), "a repeated completion writes nothing");
        assertEquals(events, server.engine().eventCount());

        final Response failAfter = fail(server, id, "{\"fencing_token\":" + token + ",\"error\":\"late\"}");
        assertEquals(409, failAfter.status(), failAfter::toString);
        assertEquals("ALREADY_COMMITTED", failAfter.json().get("code").asText());
        assertEquals(position, server.engine().journalPosition());

        final JsonNode second = one(fetch(server, "{\"steps\":[\"SHIP_IT\"],\"wait_ms\":5000}"));
        assertEquals(1, second.get("step_index").asInt());
        assertTrue(second.get("fencing_token").asLong() > token, "tokens only grow");
        assertEquals(id + "-1", second.get("idempotency_key").asText());
        final Response last = complete(server, id, "{\"fencing_token\":" + second.get("fencing_token") + "}");
        assertEquals(200, last.status(), last::toString);
        assertEquals("COMPLETED", server.get(WORKFLOWS + "/" + id).json().get("state").asText());
        final Response afterEnd = complete(server, id, "{\"fencing_token\":" + second.get("fencing_token") + "}");
        assertEquals(409, afterEnd.status(), afterEnd::toString);
        assertEquals("ALREADY_COMMITTED", afterEnd.json().get("code").asText());
        assertTrue(afterEnd.json().get("committed_output").isNull(), "no output committed: null");
    }

    @Test
    void aRetryableFailureIsRetriedByThePolicyAndTheLastOneFailsTheWorkflow()
    {
        final String id = create(server, "{\"name\":\"flaky\",\"steps\":[{\"name\":\"FLAKY\",\"type\":\"task\"," +
            "\"retry\":{\"max_attempts\":2,\"backoff_ms\":0}}]}");
        final JsonNode first = one(fetch(server, "{\"steps\":[\"FLAKY\"],\"wait_ms\":5000}"));
        assertEquals(1, first.get("attempt").asInt());
        final Response failed = fail(server, id, "{\"fencing_token\":" + first.get("fencing_token") +
            ",\"retryable\":true,\"error\":\"gateway timeout\"}");
        assertEquals(200, failed.status(), failed::toString);
        assertEquals("ACCEPTED", failed.json().get("status").asText());
        assertEquals("RUNNING", server.get(WORKFLOWS + "/" + id).json().get("state").asText());

        final JsonNode second = one(fetch(server, "{\"steps\":[\"FLAKY\"],\"wait_ms\":5000}"));
        assertEquals(2, second.get("attempt").asInt(), "the retry is the second attempt");
        assertEquals(first.get("idempotency_key"), second.get("idempotency_key"), "the same key on every attempt");
        assertNotEquals(first.get("fencing_token"), second.get("fencing_token"));
        final JsonNode attemptFailed = event(server, id, "StepAttemptFailed");
        assertEquals("ERROR", attemptFailed.get("kind").asText());
        assertEquals("gateway timeout", attemptFailed.get("error").asText());

        final Response stale = complete(server, id, "{\"fencing_token\":" + first.get("fencing_token") + "}");
        assertEquals(409, stale.status(), stale::toString);
        assertEquals("STALE_FENCING_TOKEN", stale.json().get("code").asText(), "the first attempt is over");

        final Response lastFailure = fail(server, id, "{\"fencing_token\":" + second.get("fencing_token") +
            ",\"error\":\"still down\"}");
        assertEquals(200, lastFailure.status(), lastFailure::toString);
        final JsonNode workflow = server.get(WORKFLOWS + "/" + id).json();
        assertEquals("FAILED", workflow.get("state").asText());
        assertTrue(workflow.get("reason").asText().contains("still down"), workflow::toString);
    }

    @Test
    void aFailureThatIsNotRetryableFailsTheWorkflowAtOnceWithTheError()
    {
        final String id = create(server, "{\"name\":\"declined\",\"steps\":[{\"name\":\"CHARGE\",\"type\":\"task\"," +
            "\"retry\":{\"max_attempts\":5,\"backoff_ms\":0}},\"NEVER\"]}");
        final JsonNode task = one(fetch(server, "{\"steps\":[\"CHARGE\"],\"wait_ms\":5000}"));
        final Response failed = fail(server, id, "{\"fencing_token\":" + task.get("fencing_token") +
            ",\"retryable\":false,\"error\":\"card declined: insufficient funds\"}");
        assertEquals(200, failed.status(), failed::toString);
        final JsonNode workflow = server.get(WORKFLOWS + "/" + id).json();
        assertEquals("FAILED", workflow.get("state").asText());
        assertEquals("step 0 failed (not retryable) on attempt 1: ERROR: card declined: insufficient funds",
            workflow.get("reason").asText());
        assertEquals("{\"tasks\":[]}", fetch(server, "{\"steps\":[\"CHARGE\",\"NEVER\"],\"wait_ms\":0}").body());
    }

    @Test
    void aTokenWhoseLeaseExpiredIsStaleAndTheNextFetchGetsANewOne()
    {
        final String id = create(shortLease, "{\"name\":\"slow\",\"steps\":[{\"name\":\"SLOW\",\"type\":\"task\"," +
            "\"retry\":{\"max_attempts\":3,\"backoff_ms\":0}}]}");
        final JsonNode first = one(fetch(shortLease, "{\"steps\":[\"SLOW\"],\"wait_ms\":5000}"));
        final long oldToken = first.get("fencing_token").asLong();
        TestServer.await("the lease to expire", () -> null != eventOrNull(shortLease, id, "StepAttemptFailed"));
        assertEquals("LEASE_EXPIRED", event(shortLease, id, "StepAttemptFailed").get("kind").asText());

        final JsonNode second = one(fetch(shortLease, "{\"steps\":[\"SLOW\"],\"wait_ms\":5000}"));
        final long newToken = second.get("fencing_token").asLong();
        assertEquals(2, second.get("attempt").asInt());
        assertTrue(newToken > oldToken, "a new lease, a greater token");

        final long position = shortLease.engine().journalPosition();
        final Response stale = complete(shortLease, id, "{\"fencing_token\":" + oldToken + ",\"output\":1}");
        assertEquals(409, stale.status(), stale::toString);
        assertEquals("STALE_FENCING_TOKEN", stale.json().get("code").asText());
        assertTrue(stale.json().get("detail").asText().contains("do not commit the effect"), stale::body);
        assertFalse(stale.json().has("committed_output"));
        assertEquals(position, shortLease.engine().journalPosition(), "a stale completion writes nothing");
        final Response staleHeartbeat = heartbeat(shortLease, id, oldToken);
        assertEquals(202, staleHeartbeat.status(), "a heartbeat gets no verdict: " + staleHeartbeat);

        final Response done = complete(shortLease, id, "{\"fencing_token\":" + newToken + ",\"output\":2}");
        assertEquals(200, done.status(), done::toString);
        assertEquals("COMPLETED", shortLease.get(WORKFLOWS + "/" + id).json().get("state").asText());
    }

    @Test
    void heartbeatsKeepALeaseAlivePastTheLeaseDuration() throws InterruptedException
    {
        final String id = create(shortLease, "{\"name\":\"long\",\"steps\":[\"LONG_RUNNING\"]}");
        final JsonNode task = one(fetch(shortLease, "{\"steps\":[\"LONG_RUNNING\"],\"wait_ms\":5000}"));
        final long token = task.get("fencing_token").asLong();
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4 * SHORT_LEASE_MS);
        while (System.nanoTime() < until)
        {
            final Response beat = heartbeat(shortLease, id, token);
            assertEquals(202, beat.status(), beat::toString);
            assertEquals("{\"task_id\":\"" + id + "\",\"fencing_token\":" + token + ",\"status\":\"RECEIVED\"}",
                beat.body());
            Thread.sleep(SHORT_LEASE_MS / 4);
        }
        assertNull(eventOrNull(shortLease, id, "StepAttemptFailed"), "the lease never expired");
        final Response done = complete(shortLease, id, "{\"fencing_token\":" + token + "}");
        assertEquals(200, done.status(), "the lease outlived its duration by heartbeats: " + done);
        assertEquals("COMPLETED", shortLease.get(WORKFLOWS + "/" + id).json().get("state").asText());
    }

    @Test
    void aCompletionThatTimedOutHasAnUnknownOutcomeAndIsSafeToSendAgain()
    {
        final String id = create(server, "{\"name\":\"timeout\",\"steps\":[\"TIMED_OUT_COMPLETION\"]}");
        final long token = one(fetch(server, "{\"steps\":[\"TIMED_OUT_COMPLETION\"],\"wait_ms\":5000}"))
            .get("fencing_token").asLong();

        // Nothing answers within a nanosecond: the completion is on the ring, its answer is not awaited.
        final WorkerTasks impatient = new WorkerTasks(server.engine(), Duration.ofNanos(1));
        final WorkerTasks.Outcome outcome = impatient.complete(Long.parseLong(id), token,
            "{\"first\":true}".getBytes(StandardCharsets.UTF_8));
        final WorkerTasks.Refused refused = assertInstanceOf(WorkerTasks.Refused.class, outcome);
        final ApiProblem problem = EngineProblems.toApiProblem(refused.problem(), EngineProblems.Operation.COMPLETE,
            null, Duration.ofMillis(10_000));
        assertEquals(503, problem.status());
        assertEquals("TIMEOUT", problem.code());
        assertNull(problem.retryAfter(), "the outcome is unknown: no Retry-After");
        assertTrue(problem.detail().contains("the result may or may not have been committed") &&
            problem.detail().contains("same fencing_token"), problem.detail());

        final Response retry = complete(server, id, "{\"fencing_token\":" + token + ",\"output\":{\"first\":false}}");
        assertEquals(409, retry.status(), "the first completion committed: " + retry);
        assertEquals("ALREADY_COMMITTED", retry.json().get("code").asText());
        assertEquals("{\"first\":true}", retry.json().get("committed_output").toString());
        final List<String> types = new ArrayList<>();
        server.get(WORKFLOWS + "/" + id + "/events").json().get("events").forEach(e -> types.add(e.get("type")
            .asText()));
        assertEquals(1, types.stream().filter("StepCompleted"::equals).count(), types::toString);

        final ApiProblem failed = EngineProblems.toApiProblem(refused.problem(), EngineProblems.Operation.FAIL, null,
            Duration.ofMillis(10_000));
        assertNull(failed.retryAfter());
        assertTrue(failed.detail().contains("409 STALE_FENCING_TOKEN"), failed.detail());
    }

    @Test
    void aFetchThatTimedOutLosesItsTaskOnlyUntilTheLeaseExpires()
    {
        final String id = create(shortLease, "{\"name\":\"lost-answer\",\"steps\":[{\"name\":\"LOST_ANSWER\"," +
            "\"type\":\"task\",\"retry\":{\"max_attempts\":3,\"backoff_ms\":0}}]}");
        final long late = WorkerTasks.lateDispatches();
        final WorkerTasks impatient = new WorkerTasks(shortLease.engine(), Duration.ofNanos(1));
        // Nothing is awaited longer than a nanosecond, so each fetch gives up at once. Its hello and goodbye may fall
        // into one processor batch (nothing is dealt to it), or into two: then the task is dealt either before the
        // fetch gave up (it answers with the task in hand) or after (a fetch that has answered: the case to see).
        WorkerTasks.Task inHand = null;
        for (int i = 0; i < 50 && WorkerTasks.lateDispatches() == late && null == inHand; i++)
        {
            final WorkerTasks.Outcome outcome =
                impatient.fetch(new RequestParser.Fetch(List.of("LOST_ANSWER"), 1, 0, null));
            if (outcome instanceof WorkerTasks.Fetched fetched)
            {
                assertTrue(fetched.tasks().size() <= 1, fetched::toString);
                inHand = fetched.tasks().isEmpty() ? null : fetched.tasks().getFirst();
            }
            else
            {
                final WorkerTasks.Refused refused = assertInstanceOf(WorkerTasks.Refused.class, outcome);
                final ApiProblem problem = EngineProblems.toApiProblem(refused.problem(),
                    EngineProblems.Operation.FETCH, null, Duration.ofMillis(10_000));
                assertEquals(503, problem.status());
                assertEquals("TIMEOUT", problem.code());
                assertEquals("1", problem.retryAfter(), "a fetch is safe to repeat");
                assertTrue(problem.detail().contains("goes back to its queue when its lease expires"),
                    problem.detail());
            }
            // read through the ring, so after the goodbye and the replies released before it
            assertEquals(0, workers(shortLease, "LOST_ANSWER"), "the timed-out fetch left no session behind");
        }

        final long token;
        if (null != inHand)
        {
            System.out.println("a fetch that gave up still answered with the task it held");
            assertEquals(1, inHand.attempt());
            token = inHand.fencingToken();
        }
        else
        {
            final JsonNode again = one(fetch(shortLease, "{\"steps\":[\"LOST_ANSWER\"],\"wait_ms\":10000}"));
            if (WorkerTasks.lateDispatches() > late)
            {
                System.out.println("a task was dealt to a fetch that had answered; it came back on lease expiry");
                assertEquals(2, again.get("attempt").asInt(), "the task came back after its lease expired");
                assertEquals("LEASE_EXPIRED", event(shortLease, id, "StepAttemptFailed").get("kind").asText());
            }
            else
            {
                System.out.println("hello and goodbye always shared a batch: nothing was dealt to a fetch that gave up");
                assertEquals(1, again.get("attempt").asInt(), "the task was never dealt to a fetch that gave up");
            }
            token = again.get("fencing_token").asLong();
        }
        assertEquals(200, complete(shortLease, id, "{\"fencing_token\":" + token + "}").status());
    }

    @Test
    void aWaitingFetchDoesNotHoldUpTheServersStop(@TempDir final Path ownDir) throws Exception
    {
        final TestServer own = TestServer.start(ownDir, "--wal.max-segment-size", "1MiB", "--core.ring-size", "1024");
        final CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() ->
            fetch(own, "{\"steps\":[\"NEVER_COMES\"],\"wait_ms\":30000}"));
        TestServer.await("the fetch waiting as a worker", () -> workers(own, "NEVER_COMES") == 1);
        final long start = System.nanoTime();
        own.close();
        final long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        final Response r = waiting.get(30, TimeUnit.SECONDS);
        // Helidon waits for requests in flight when it stops: a fetch that waited out its 30 s would hold it that long.
        assertTrue(closeMs < 15_000, "the stop waited " + closeMs + " ms for a long poll");
        assertEquals(200, r.status(), r::toString);
        assertEquals("{\"tasks\":[]}", r.body());
        assertEquals("close", r.header("Connection"), "the connection ends with the server's stop");
    }

    @Test
    void anUnknownTaskIsNotFoundAndWritesNothing()
    {
        final String id = create(server, "{\"name\":\"known\",\"steps\":[\"KNOWN\"]}");
        final long position = server.engine().journalPosition();
        final Response none = complete(server, "987654", "{\"fencing_token\":1}");
        assertEquals(404, none.status(), none::toString);
        assertEquals("UNKNOWN_TASK", none.json().get("code").asText());
        assertEquals("no workflow 987654", none.json().get("detail").asText());

        final Response notAToken = fail(server, id, "{\"fencing_token\":3,\"error\":\"x\"}");
        assertEquals(404, notAToken.status(), notAToken::toString);
        assertEquals("UNKNOWN_TASK", notAToken.json().get("code").asText());
        assertTrue(notAToken.json().get("detail").asText().contains("is not a lease of workflow " + id),
            notAToken::body);

        final Response notAnId = complete(server, "abc", "{\"fencing_token\":1}");
        assertEquals(404, notAnId.status(), notAnId::toString);
        assertEquals("UNKNOWN_TASK", notAnId.json().get("code").asText());
        assertEquals(position, server.engine().journalPosition());
    }

    @Test
    void badBodiesAre400AndWriteNothing()
    {
        create(server, "{\"name\":\"bad-bodies\",\"steps\":[\"BAD_BODIES\"]}");
        final long position = server.engine().journalPosition();
        final long events = server.engine().eventCount();
        final String error5000 = "e".repeat(RequestParser.MAX_ERROR_BYTES + 1);
        final String[][] cases = {
            {FETCH, "", "EMPTY_BODY", "request body is empty"},
            {FETCH, "{}", "MISSING_FIELD", "steps is required"},
            {FETCH, "{\"steps\":[]}", "EMPTY_STEPS", "steps must name at least one step"},
            {FETCH, "{\"steps\":\"BAD_BODIES\"}", "WRONG_TYPE", "steps must be an array"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\",3]}", "WRONG_TYPE", "steps[1] must be a step name"},
            {FETCH, "{\"steps\":[\"\"]}", "INVALID_VALUE", "steps[0] must not be empty"},
            {FETCH, "{\"steps\":[\"" + "n".repeat(257) + "\"]}", "NAME_TOO_LONG", "steps[0] is 257 characters"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\"],\"max_tasks\":0}", "INVALID_VALUE", "max_tasks must be between 1 " +
                "and 100, got 0"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\"],\"max_tasks\":101}", "INVALID_VALUE", "max_tasks must be between"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\"],\"max_tasks\":1.5}", "WRONG_TYPE", "max_tasks must be an integer"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\"],\"wait_ms\":-1}", "INVALID_VALUE", "wait_ms must be between 0 and " +
                "30000, got -1"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\"],\"wait_ms\":30001}", "INVALID_VALUE", "wait_ms must be between"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\"],\"wait_ms\":\"5s\"}", "WRONG_TYPE", "wait_ms must be an integer"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\"],\"worker_id\":7}", "WRONG_TYPE", "worker_id must be a string"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\"],\"worker_id\":\"" + "w".repeat(257) + "\"}", "INVALID_VALUE",
                "worker_id must be 1 to 256 characters"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\"],\"lease_ms\":5}", "UNKNOWN_FIELD", "unknown field 'lease_ms' in " +
                "request body; allowed fields: max_tasks, steps, wait_ms, worker_id"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\"]", "MALFORMED_JSON", "malformed JSON at line 1"},
            {FETCH, "{\"steps\":[\"BAD_BODIES\"],\"wait_ms\":1e99999}", "NUMBER_OUT_OF_RANGE", "exponent"},
            {"/api/v1/tasks/1/complete", "", "EMPTY_BODY", "expected a JSON object with fencing_token"},
            {"/api/v1/tasks/1/complete", "{\"output\":1}", "MISSING_FIELD", "fencing_token is required"},
            {"/api/v1/tasks/1/complete", "{\"fencing_token\":null}", "MISSING_FIELD", "fencing_token is required"},
            {"/api/v1/tasks/1/complete", "{\"fencing_token\":0}", "INVALID_VALUE", "fencing_token must be between 1"},
            {"/api/v1/tasks/1/complete", "{\"fencing_token\":\"12\"}", "WRONG_TYPE", "fencing_token must be an " +
                "integer, got a string"},
            {"/api/v1/tasks/1/complete", "{\"fencing_token\":99999999999999999999}", "INVALID_VALUE",
                "fencing_token must be between 1 and 9223372036854775807"},
            {"/api/v1/tasks/1/complete", "{\"fencing_token\":1,\"result\":1}", "UNKNOWN_FIELD",
                "unknown field 'result'"},
            {"/api/v1/tasks/1/complete", "[1]", "WRONG_TYPE", "request body must be a JSON object, got an array"},
            {"/api/v1/tasks/1/fail", "{\"fencing_token\":1,\"retryable\":\"yes\"}", "WRONG_TYPE",
                "retryable must be true or false, got a string"},
            {"/api/v1/tasks/1/fail", "{\"fencing_token\":1,\"error\":{\"code\":1}}", "WRONG_TYPE",
                "error must be a string, got an object"},
            {"/api/v1/tasks/1/fail", "{\"fencing_token\":1,\"error\":\"" + error5000 + "\"}", "ERROR_TOO_LONG",
                "error is 4097 bytes long in UTF-8; the limit is 4096"},
            {"/api/v1/tasks/1/fail", "{\"fencing_token\":1,\"kind\":\"x\"}", "UNKNOWN_FIELD", "unknown field 'kind'"},
            {"/api/v1/tasks/1/heartbeat", "{}", "MISSING_FIELD", "fencing_token is required"},
            {"/api/v1/tasks/1/heartbeat", "{\"fencing_token\":1,\"extend_ms\":5}", "UNKNOWN_FIELD",
                "unknown field 'extend_ms'"},
            {"/api/v1/tasks/1/heartbeat", "{\"fencing_token\":-4}", "INVALID_VALUE", "fencing_token must be between"},
        };
        final List<String> failures = new ArrayList<>();
        for (final String[] c : cases)
        {
            final Response r = server.postJson(c[0], c[1]);
            if (r.status() != 400 || !"application/problem+json".equals(r.contentType()) ||
                !c[2].equals(r.json().path("code").asText()) || !r.json().path("detail").asText().contains(c[3]) ||
                !c[0].equals(r.json().path("instance").asText()))
            {
                failures.add("POST " + c[0] + " " + clip(c[1]) + " -> " + clip(r.toString()));
            }
        }
        assertTrue(failures.isEmpty(), "bodies not refused as expected:\n" + String.join("\n", failures));

        final Response text = server.post(FETCH, "text/plain", "{\"steps\":[\"BAD_BODIES\"]}");
        assertEquals(415, text.status(), text::toString);
        final Response get = server.get(FETCH);
        assertEquals(405, get.status(), get::toString);
        assertEquals("POST", get.header("Allow"));
        assertEquals(405, server.get("/api/v1/tasks/1/complete").status());

        assertEquals(position, server.engine().journalPosition(), "bad bodies write nothing");
        assertEquals(events, server.engine().eventCount());
        assertEquals(0, leased(server, "BAD_BODIES"), "and lease nothing");
        assertEquals(0, workers(server, "BAD_BODIES"));
    }

    @Test
    void concurrentFetchesForTheSameStepNeverGetTheSameTask() throws Exception
    {
        final int count = 30;
        final Set<String> created = new HashSet<>();
        for (int i = 0; i < count; i++)
        {
            created.add(create(server, "{\"name\":\"shared-" + i + "\",\"steps\":[\"SHARED\"]}"));
        }
        final Map<String, Integer> seen = new ConcurrentHashMap<>();
        final AtomicInteger total = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor())
        {
            final List<Future<?>> fetchers = new ArrayList<>();
            for (int f = 0; f < 4; f++)
            {
                fetchers.add(pool.submit(() ->
                {
                    while (total.get() < count)
                    {
                        final Response r = fetch(server, "{\"steps\":[\"SHARED\"],\"max_tasks\":3,\"wait_ms\":200}");
                        assertEquals(200, r.status(), r::toString);
                        for (final JsonNode task : r.json().get("tasks"))
                        {
                            seen.merge(task.get("task_id").asText(), 1, Integer::sum);
                            total.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (final Future<?> fetcher : fetchers)
            {
                fetcher.get(60, TimeUnit.SECONDS);
            }
        }
        assertEquals(created, seen.keySet(), "every task was fetched");
        seen.forEach((task, times) -> assertEquals(1, times, "task " + task + " was handed out " + times + " times"));
        assertEquals(count, total.get());
        assertEquals(count, leased(server, "SHARED"));
    }

    @Test
    void fetchesThatEndWhileTasksAreDealtLoseNone() throws Exception
    {
        final int workflows = 200;
        final int fetchers = 20;
        final Map<String, List<Integer>> handedOut = new ConcurrentHashMap<>();
        final List<String> problems = new CopyOnWriteArrayList<>();
        final Set<String> created = ConcurrentHashMap.newKeySet();
        final AtomicBoolean creating = new AtomicBoolean(true);
        final long lateBefore = WorkerTasks.lateDispatches();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor())
        {
            final Future<?> creator = pool.submit(() ->
            {
                for (int i = 0; i < workflows; i++)
                {
                    created.add(create(server, "{\"name\":\"race-" + i + "\",\"steps\":[\"RACE\"],\"input\":" + i +
                        "}"));
                }
                creating.set(false);
                return null;
            });
            final List<Future<?>> workers = new ArrayList<>();
            for (int f = 0; f < fetchers; f++)
            {
                final int n = f;
                workers.add(pool.submit(() ->
                {
                    // Short waits of different lengths, so that long polls keep ending while tasks are being dealt.
                    final String body = "{\"steps\":[\"RACE\"],\"max_tasks\":" + (1 + n % 5) + ",\"wait_ms\":" +
                        (n % 4) * 15 + "}";
                    while (creating.get() || completedCount(handedOut) < workflows)
                    {
                        final Response r = fetch(server, body);
                        if (r.status() != 200)
                        {
                            problems.add("fetch -> " + r);
                            return null;
                        }
                        for (final JsonNode task : r.json().get("tasks"))
                        {
                            final String id = task.get("task_id").asText();
                            handedOut.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>())
                                .add(task.get("attempt").asInt());
                            final Response done = complete(server, id, "{\"fencing_token\":" +
                                task.get("fencing_token") + ",\"output\":{\"by\":" + n + "}}");
                            if (done.status() != 200)
                            {
                                problems.add("complete " + id + " -> " + done);
                            }
                        }
                    }
                    return null;
                }));
            }
            creator.get(120, TimeUnit.SECONDS);
            for (final Future<?> worker : workers)
            {
                worker.get(120, TimeUnit.SECONDS);
            }
        }
        assertTrue(problems.isEmpty(), problems::toString);
        assertEquals(created, handedOut.keySet(), "every task was handed out");
        handedOut.forEach((id, attempts) -> assertEquals(List.of(1), attempts,
            "task " + id + " was handed out once, on its first attempt (a lost one would come back on attempt 2)"));
        assertEquals(lateBefore, WorkerTasks.lateDispatches(), "no task reached a fetch after it answered");
        final JsonNode list = server.get(WORKFLOWS + "?state=COMPLETED&limit=1000").json();
        final Set<String> completed = new HashSet<>();
        list.get("workflows").forEach(w -> completed.add(w.get("id").asText()));
        assertTrue(completed.containsAll(created), "every workflow completed");
        assertEquals(0, leased(server, "RACE"));
        assertEquals(0, workers(server, "RACE"));
    }

    private static int completedCount(final Map<String, List<Integer>> handedOut)
    {
        return handedOut.size();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static Response fetch(final TestServer on, final String body)
    {
        return on.postJson(FETCH, body);
    }

    static JsonNode one(final Response fetched)
    {
        assertEquals(200, fetched.status(), fetched::toString);
        final JsonNode tasks = fetched.json().get("tasks");
        assertEquals(1, tasks.size(), "one task expected: " + fetched.body());
        return tasks.get(0);
    }

    static Response complete(final TestServer on, final String taskId, final String body)
    {
        return on.postJson("/api/v1/tasks/" + taskId + "/complete", body);
    }

    static Response fail(final TestServer on, final String taskId, final String body)
    {
        return on.postJson("/api/v1/tasks/" + taskId + "/fail", body);
    }

    static Response heartbeat(final TestServer on, final String taskId, final long token)
    {
        return on.postJson("/api/v1/tasks/" + taskId + "/heartbeat", "{\"fencing_token\":" + token + "}");
    }

    static String create(final TestServer on, final String body)
    {
        final Response r = on.postJson(WORKFLOWS, body);
        if (r.status() != 201)
        {
            org.junit.jupiter.api.Assertions.fail("create " + body + " -> " + r);
        }
        return r.json().get("id").asText();
    }

    private static JsonNode queue(final TestServer on, final String step)
    {
        for (final JsonNode queue : on.get("/api/v1/tasks").json().get("queues"))
        {
            if (step.equals(queue.get("step").asText()))
            {
                return queue;
            }
        }
        return null;
    }

    private static int workers(final TestServer on, final String step)
    {
        final JsonNode queue = queue(on, step);
        return null == queue ? 0 : queue.get("workers").asInt();
    }

    private static long leased(final TestServer on, final String step)
    {
        final JsonNode queue = queue(on, step);
        return null == queue ? 0 : queue.get("leased").asLong();
    }

    private static JsonNode eventOrNull(final TestServer on, final String id, final String type)
    {
        for (final JsonNode event : on.get(WORKFLOWS + "/" + id + "/events").json().get("events"))
        {
            if (type.equals(event.get("type").asText()))
            {
                return event;
            }
        }
        return null;
    }

    private static JsonNode event(final TestServer on, final String id, final String type)
    {
        final JsonNode event = eventOrNull(on, id, type);
        if (null == event)
        {
            org.junit.jupiter.api.Assertions.fail("workflow " + id + " has no " + type + " event");
        }
        return event;
    }

    private static String clip(final String text)
    {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
