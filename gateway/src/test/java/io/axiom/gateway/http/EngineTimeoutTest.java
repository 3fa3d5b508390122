package io.axiom.gateway.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;
import io.axiom.gateway.TestServer;
import io.axiom.gateway.TestServer.Response;
import io.axiom.gateway.http.EngineProblems.Operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A write the engine did not answer in time has an unknown outcome: 503 without {@code Retry-After} (a blind retry
 * could act twice), saying so and saying how to retry safely. A read that timed out, and an overloaded ring where
 * nothing was written, keep {@code Retry-After}. Details about the engine never carry an exception.
 */
class EngineTimeoutTest
{
    private static final Duration TIMEOUT = Duration.ofMillis(10_000);
    private static final EngineReply.Problem TIMED_OUT = new EngineReply.Problem(Status.UNAVAILABLE, "TIMEOUT",
        "no reply from the engine in time; the command may still take effect (use an Idempotency-Key to retry safely)");

    @TempDir
    Path dataDir;

    @Test
    void aTimedOutCreateIs503WithoutRetryAfterAndSaysTheOutcomeIsUnknown()
    {
        final ApiProblem withoutKey = EngineProblems.toApiProblem(TIMED_OUT, Operation.CREATE, null, TIMEOUT);
        assertEquals(503, withoutKey.status());
        assertNull(withoutKey.retryAfter());
        assertEquals("TIMEOUT", withoutKey.code());
        assertTrue(withoutKey.detail().contains("no answer from the engine within 10000 ms: the outcome is unknown, " +
            "the workflow may or may not have been created"), withoutKey.detail());
        assertTrue(withoutKey.detail().contains("send creates with an Idempotency-Key header, which makes a retry " +
            "safe"), withoutKey.detail());

        final ApiProblem withKey = EngineProblems.toApiProblem(TIMED_OUT, Operation.CREATE, "order-7", TIMEOUT);
        assertNull(withKey.retryAfter());
        assertTrue(withKey.detail().contains("Send the same request again with the same Idempotency-Key"),
            withKey.detail());
    }

    @Test
    void timedOutAdvanceAndCancelAlsoHaveUnknownOutcomesWhileReadsAndOverloadKeepRetryAfter()
    {
        final ApiProblem advance = EngineProblems.toApiProblem(TIMED_OUT, Operation.ADVANCE, null, TIMEOUT);
        assertNull(advance.retryAfter());
        assertTrue(advance.detail().contains("the step may or may not have been completed"), advance.detail());
        assertTrue(advance.detail().contains("expected_step"), advance.detail());

        final ApiProblem cancel = EngineProblems.toApiProblem(TIMED_OUT, Operation.CANCEL, null, TIMEOUT);
        assertNull(cancel.retryAfter());

        final ApiProblem read = EngineProblems.toApiProblem(TIMED_OUT, Operation.READ, null, TIMEOUT);
        assertEquals("1", read.retryAfter());
        assertTrue(read.detail().contains("nothing was changed"), read.detail());

        final ApiProblem overloaded = EngineProblems.toApiProblem(new EngineReply.Problem(Status.OVERLOADED,
            "OVERLOADED", "the engine's command ring stayed full for 10000 ms; retry later"), Operation.CREATE, null,
            TIMEOUT);
        assertEquals(503, overloaded.status());
        assertEquals("1", overloaded.retryAfter());
    }

    @Test
    void anEngineFailureIsDescribedWithoutItsException()
    {
        final ApiProblem failed = EngineProblems.toApiProblem(new EngineReply.Problem(Status.UNAVAILABLE,
            "ENGINE_FAILED", "the engine stopped: java.io.IOException: No space left on device"), Operation.CREATE,
            null, TIMEOUT);
        assertEquals(503, failed.status());
        assertFalse(failed.detail().contains("IOException"), failed.detail());
        assertTrue(failed.detail().contains("the engine has stopped after a fatal error"), failed.detail());
    }

    @Test
    void aCreateThatTimesOutOverHttpAnswersSo() throws Exception
    {
        try (TestServer server = TestServer.start(dataDir, "--wal.max-segment-size", "1MiB", "--core.ring-size",
            "1024", "--gateway.request-timeout-ms", "1"))
        {
            final List<Response> timedOut = new ArrayList<>();
            try (ExecutorService clients = Executors.newFixedThreadPool(4))
            {
                for (int round = 0; round < 50 && timedOut.isEmpty(); round++)
                {
                    final List<Future<Response>> answers = new ArrayList<>();
                    for (int c = 0; c < 4; c++)
                    {
                        answers.add(clients.submit(() -> server.postJson("/api/v1/workflows",
                            "{\"name\":\"rush\",\"steps\":[\"A\"]}")));
                    }
                    for (final Future<Response> answer : answers)
                    {
                        final Response r = answer.get();
                        if (503 == r.status() && r.body().contains("\"TIMEOUT\""))
                        {
                            timedOut.add(r);
                        }
                    }
                }
            }
            assumeTrue(!timedOut.isEmpty(), "the engine answered every create within 1 ms on this machine");
            final Response r = timedOut.get(0);
            assertNull(r.header("Retry-After"), r::toString);
            final JsonNode problem = r.json();
            assertTrue(problem.get("detail").asText().contains("the outcome is unknown"), r::toString);
            assertTrue(problem.get("detail").asText().contains("Idempotency-Key"), r::toString);
        }
    }
}
