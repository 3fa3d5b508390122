package io.axiom.chaos.soak;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The soak's judge catches what it claims to: each broken promise, planted in a log of {@code wal dump} lines or in
 * a ledger, is one violation naming the workflow, step, token or position.
 */
class LogAuditTest
{
    private final List<String> log = new ArrayList<>();
    private final Map<String, Long> acknowledged = new HashMap<>();
    private final EffectsLedger ledger = new EffectsLedger();
    private long position = 64;
    private long sequence = 1;

    @Test
    void aCleanRunHasNoViolation()
    {
        cleanWorkflow(1, "soak-1-1");
        cleanWorkflow(2, "soak-1-2");
        // a retried step: the first lease expired after its worker applied the effect; the retry deduplicated
        created(3, "soak-1-3", 1);
        final long first = leased(3, 0, 1001);
        ledger.apply("3-0", first, 1001);
        record("StepAttemptFailed", "workflow_id=3 step_index=0 step=A attempt=1 fencing_token=" + first +
            " kind=LEASE_EXPIRED retryable=true error=\"\"");
        final long second = leased(3, 0, 2001);
        ledger.apply("3-0", second, 2001);
        completed(3, 0, second);
        record("WorkflowCompleted", "workflow_id=3");
        acknowledged.put("soak-1-3", 3L);

        final LogAudit audit = audit();
        assertEquals(List.of(), judge(audit));
        assertEquals(3, audit.workflows());
        assertEquals(3, audit.completed());
        assertEquals(5, audit.commits());
        assertEquals(6, audit.leases());
        assertEquals(1, audit.leaseExpiries());
    }

    @Test
    void aStepCommittedTwiceIsNamedWithItsPositions()
    {
        created(1, "soak-1-1", 1);
        final long token = leased(1, 0, 1001);
        ledger.apply("1-0", token, 1001);
        final long at = position;
        completed(1, 0, token);
        final long again = position;
        completed(1, 0, token);
        record("WorkflowCompleted", "workflow_id=1");
        acknowledged.put("soak-1-1", 1L);
        assertEquals(List.of("step 1-0 committed 2 times (StepCompleted at pos=[" + at + ", " + again + "])"),
            judge(audit()));
    }

    @Test
    void aLostAcknowledgedCreateAndAnUnfinishedWorkflowAreViolations()
    {
        cleanWorkflow(1, "soak-1-1");
        acknowledged.put("soak-1-2", 2L);
        created(3, "soak-1-3", 2);
        final long token = leased(3, 0, 1001);
        ledger.apply("3-0", token, 1001);
        completed(3, 0, token);
        final long unfinished = leased(3, 1, 1001);
        ledger.apply("3-1", unfinished, 1001); // applied, not committed: the workflow is unfinished, reported once
        acknowledged.put("soak-1-3", 3L);
        assertEquals(List.of(
            "acknowledged create lost: soak-1-2 was acknowledged as workflow 2, the log has no WorkflowCreated for it",
            "workflow 3 (soak-1-3, acknowledged) is still unfinished at the end, with 1 of 2 steps committed"),
            judge(audit()));
    }

    @Test
    void oneIdempotencyKeyMakingTwoWorkflowsIsAViolation()
    {
        cleanWorkflow(1, "soak-1-1");
        cleanWorkflow(2, "soak-1-1");
        acknowledged.put("soak-1-1", 1L);
        assertEquals(List.of("idempotency key soak-1-1 created 2 workflows: [1, 2]"), judge(audit()));
    }

    @Test
    void aCommitWithoutItsEffectAndAnEffectWithoutItsCommitAreViolations()
    {
        created(1, "soak-1-1", 1);
        final long token = leased(1, 0, 1001);
        completed(1, 0, token); // the worker never applied it
        record("WorkflowCompleted", "workflow_id=1");
        acknowledged.put("soak-1-1", 1L);
        ledger.apply("9-0", 5000, 2001); // an effect for a step the log never committed
        assertEquals(List.of(
            "step 1-0 committed (token " + token + ", WORKER 1001) but the effects ledger has no effect for it",
            "effect 9-0 was applied (token 5000, worker 2001) but the log has no StepCompleted for that step"),
            judge(audit()));
    }

    @Test
    void aCommitOlderThanAnAttemptTheLedgerSawAndATokenTheLedgerNeverSawAreViolations()
    {
        created(1, "soak-1-1", 2);
        final long old = leased(1, 0, 1001);
        ledger.apply("1-0", old, 1001);
        final long newer = leased(1, 0, 2001);
        ledger.apply("1-0", newer, 2001);
        completed(1, 0, old); // the engine accepted the older attempt's completion
        final long seen = leased(1, 1, 1001);
        ledger.apply("1-1", seen, 1001);
        final long unseen = leased(1, 1, 2001);
        completed(1, 1, unseen); // committed by an attempt that never applied the effect
        record("WorkflowCompleted", "workflow_id=1");
        acknowledged.put("soak-1-1", 1L);
        assertEquals(List.of(
            "step 1-0 committed with token " + old + " but the ledger was shown a newer attempt's token " + newer +
                " (tokens [" + old + ", " + newer + "])",
            "step 1-1 committed with token " + unseen + ", which never reached the ledger (tokens [" + seen +
                "]): the committing attempt did not apply the effect"),
            judge(audit()));
    }

    @Test
    void aStepLeasedAgainAfterItsCommitAndATokenOfAnotherStepAreViolations()
    {
        created(1, "soak-1-1", 2);
        final long token = leased(1, 0, 1001);
        ledger.apply("1-0", token, 1001);
        final long commitAt = position;
        completed(1, 0, token);
        final long again = position;
        leased(1, 0, 2001);
        completed(1, 1, token); // step 1 committed with step 0's lease
        ledger.apply("1-1", token, 1001);
        record("WorkflowCompleted", "workflow_id=1");
        acknowledged.put("soak-1-1", 1L);
        assertEquals(List.of(
            "step 1-0 leased again at pos=" + again + " (token " + again + ") after its commit at pos=" + commitAt,
            "step 1-1 committed with fencing token " + token + ", which is a lease of step 1-0, not its own"),
            judge(audit()));
    }

    // --- a log, written as wal dump prints it ------------------------------------------------------------------------

    private void cleanWorkflow(final long workflow, final String key)
    {
        created(workflow, key, 2);
        for (int step = 0; step < 2; step++)
        {
            final long token = leased(workflow, step, 1001);
            ledger.apply(workflow + "-" + step, token, 1001);
            completed(workflow, step, token);
        }
        record("WorkflowCompleted", "workflow_id=" + workflow);
        acknowledged.putIfAbsent(key, workflow);
    }

    private void created(final long workflow, final String key, final int steps)
    {
        final StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < steps; i++)
        {
            json.append(i > 0 ? "," : "").append("{\"name\":\"S").append(i).append("\",\"type\":\"task\",")
                .append("\"max_attempts\":1000,\"backoff_ms\":50,\"max_backoff_ms\":1000,\"multiplier\":2.0}");
        }
        record("WorkflowCreated", "workflow_id=" + workflow + " name=" + key + " steps=" + json + "] " +
            "idempotency_key=" + key + " input={\"key\":\"" + key + "\"}");
        record("StepScheduled", "workflow_id=" + workflow + " step_index=0 step=S0 attempt=1");
    }

    private long leased(final long workflow, final int step, final long worker)
    {
        final long token = position;
        record("StepLeased", "workflow_id=" + workflow + " step_index=" + step + " step=S" + step + " attempt=1 " +
            "worker_id=" + worker + " fencing_token=" + token + " lease_expires_at=1796027125660 " +
            "attempt_deadline=1796027183660");
        return token;
    }

    private void completed(final long workflow, final int step, final long token)
    {
        record("StepCompleted", "workflow_id=" + workflow + " step_index=" + step + " step=S" + step + " attempt=1 " +
            "fencing_token=" + token + " completed_by=WORKER output={\"effect\":\"APPLIED\",\"token\":" + token + "}");
    }

    private void record(final String event, final String fields)
    {
        log.add("pos=" + position + " seq=" + sequence++ + " 2026-11-30T08:25:23.658Z " + event + " " + fields);
        position += 128;
    }

    private LogAudit audit()
    {
        final LogAudit audit = new LogAudit();
        log.forEach(audit::accept);
        audit.accept(log.size() + " records");
        return audit;
    }

    private List<String> judge(final LogAudit audit)
    {
        final Findings findings = new Findings();
        audit.judge(acknowledged, ledger.effects(), findings);
        assertTrue(findings.count() == findings.violations().size());
        return findings.violations();
    }
}
