package io.axiom.chaos.soak;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak's judgement from the log: fed the lines of {@code bin/axiom wal dump} (one record a line, {@code pos=P
 * seq=S TIME EVENT field=value ...}), it rebuilds what the log says happened and holds it against the harness's two
 * ledgers, the acknowledged creates and the business effects.
 * <p>
 * What it checks ({@link #judge}); each failure is one violation naming the workflow, step, token or position:
 * <ul>
 *     <li>every acknowledged create is in the log, under its idempotency key, and one key made one workflow;</li>
 *     <li>every workflow in the log ended COMPLETED (one still running at the end, or failed, is a violation), with a
 *     {@code StepCompleted} for each of its steps;</li>
 *     <li>every step committed at most once (exactly one {@code StepCompleted}), with the fencing token of a lease of
 *     that same step, and was never leased again after its commit;</li>
 *     <li>every committed step has its one effect in the ledger, and the token that committed is the newest token the
 *     ledger was shown for that key (a newer one means a newer attempt ran while an older one committed; a token the
 *     ledger never saw means the committing attempt did not apply the effect);</li>
 *     <li>no effect exists for a step that never committed (unless its workflow is unfinished, which is already a
 *     violation of its own).</li>
 * </ul>
 * The log is read offline, after the server stopped cleanly: the log is the judge, not the server's memory.
 */
final class LogAudit
{
    private static final Pattern RECORD = Pattern.compile("^pos=(\\d+) seq=(\\d+) (\\S+) (\\w+)( .*)?$");
    private static final Pattern FIELD = Pattern.compile(" (\\w+)=(\\S*)");
    private static final Pattern STEP_NAME = Pattern.compile("\\{\"name\":");

    /**
     * What the log says about one step's commit.
     */
    private static final class Commit
    {
        final List<Long> positions = new ArrayList<>(1);
        long token;
        String completedBy;
    }

    private final Map<Long, String> keyOf = new HashMap<>();
    private final Map<String, List<Long>> workflowsOfKey = new HashMap<>();
    private final Map<Long, Integer> stepsOf = new HashMap<>();
    private final Map<Long, String> endOf = new HashMap<>();
    private final Map<String, Commit> commits = new HashMap<>();
    private final Map<Long, String> leaseStep = new HashMap<>();
    private final Map<Long, Long> leaseWorker = new HashMap<>();
    private final List<String> leasedAfterCommit = new ArrayList<>();
    private long records;
    private long leaseExpiries;
    private long attemptFailures;
    private long unparsed;

    /**
     * @param line one line of {@code wal dump}; lines that are not records (the trailing count) are skipped.
     */
    void accept(final String line)
    {
        final Matcher m = RECORD.matcher(line);
        if (!m.matches())
        {
            if (line.startsWith("pos="))
            {
                unparsed++;
            }
            return;
        }
        records++;
        final long position = Long.parseLong(m.group(1));
        final String event = m.group(4);
        final Map<String, String> fields = fields(null == m.group(5) ? "" : m.group(5));
        final String workflowText = fields.get("workflow_id");
        if (null == workflowText)
        {
            return;
        }
        final long workflow = Long.parseLong(workflowText);
        switch (event)
        {
            case "WorkflowCreated" ->
            {
                final String key = fields.getOrDefault("idempotency_key", "");
                keyOf.put(workflow, key);
                workflowsOfKey.computeIfAbsent(key, k -> new ArrayList<>(1)).add(workflow);
                stepsOf.put(workflow, count(STEP_NAME, fields.getOrDefault("steps", "")));
            }
            case "StepLeased" ->
            {
                final String step = workflow + "-" + fields.get("step_index");
                final long token = Long.parseLong(fields.get("fencing_token"));
                leaseStep.put(token, step);
                leaseWorker.put(token, Long.parseLong(fields.getOrDefault("worker_id", "0")));
                if (commits.containsKey(step))
                {
                    leasedAfterCommit.add("step " + step + " leased again at pos=" + position + " (token " + token +
                        ") after its commit at pos=" + commits.get(step).positions.getFirst());
                }
            }
            case "StepCompleted" ->
            {
                final String step = workflow + "-" + fields.get("step_index");
                final Commit commit = commits.computeIfAbsent(step, k -> new Commit());
                commit.positions.add(position);
                if (1 == commit.positions.size())
                {
                    commit.token = Long.parseLong(fields.getOrDefault("fencing_token", "-1"));
                    commit.completedBy = fields.getOrDefault("completed_by", "?");
                }
            }
            case "StepAttemptFailed" ->
            {
                attemptFailures++;
                if ("LEASE_EXPIRED".equals(fields.get("kind")))
                {
                    leaseExpiries++;
                }
            }
            case "WorkflowCompleted" -> endOf.put(workflow, "COMPLETED");
            case "WorkflowFailed" -> endOf.put(workflow, "FAILED");
            case "WorkflowCancelled" -> endOf.put(workflow, "CANCELLED");
            default ->
            {
            }
        }
    }

    /**
     * Hold the log against the ledgers.
     *
     * @param acknowledged every acknowledged create: idempotency key to workflow id.
     * @param effects      the effects ledger's contents, by idempotency key.
     * @param findings     where each violation goes.
     */
    void judge(
        final Map<String, Long> acknowledged, final Map<String, EffectsLedger.Effect> effects, final Findings findings)
    {
        if (unparsed > 0)
        {
            findings.violation(unparsed + " lines of wal dump could not be read as records");
        }
        for (final Map.Entry<String, Long> ack : new TreeMap<>(acknowledged).entrySet())
        {
            final String key = ack.getKey();
            final long workflow = ack.getValue();
            if (!keyOf.containsKey(workflow))
            {
                findings.violation("acknowledged create lost: " + key + " was acknowledged as workflow " + workflow +
                    ", the log has no WorkflowCreated for it");
            }
            else if (!key.equals(keyOf.get(workflow)))
            {
                findings.violation("create " + key + " was acknowledged as workflow " + workflow + ", which the log " +
                    "created for idempotency key '" + keyOf.get(workflow) + "'");
            }
        }
        for (final Map.Entry<String, List<Long>> entry : new TreeMap<>(workflowsOfKey).entrySet())
        {
            if (!entry.getKey().isEmpty() && entry.getValue().size() > 1)
            {
                findings.violation("idempotency key " + entry.getKey() + " created " + entry.getValue().size() +
                    " workflows: " + entry.getValue());
            }
        }
        for (final long workflow : new TreeMap<>(keyOf).keySet())
        {
            final String end = endOf.get(workflow);
            final boolean acked = acknowledged.containsKey(keyOf.get(workflow));
            if (!"COMPLETED".equals(end))
            {
                findings.violation("workflow " + workflow + " (" + keyOf.get(workflow) + (acked ? ", acknowledged" :
                    ", never acknowledged") + ") is " + (null == end ? "still unfinished" : end) + " at the end, " +
                    "with " + committedSteps(workflow) + " of " + stepsOf.get(workflow) + " steps committed");
                continue;
            }
            for (int step = 0; step < stepsOf.get(workflow); step++)
            {
                if (!commits.containsKey(workflow + "-" + step))
                {
                    findings.violation("workflow " + workflow + " is COMPLETED without a StepCompleted for step " +
                        step);
                }
            }
        }
        leasedAfterCommit.forEach(findings::violation);
        for (final Map.Entry<String, Commit> entry : new TreeMap<>(commits).entrySet())
        {
            judgeCommit(entry.getKey(), entry.getValue(), effects.get(entry.getKey()), findings);
        }
        for (final EffectsLedger.Effect effect : new TreeMap<>(effects).values())
        {
            if (!commits.containsKey(effect.key()))
            {
                final long workflow = workflowOf(effect.key());
                if (keyOf.containsKey(workflow) && !endOf.containsKey(workflow))
                {
                    continue; // its workflow is unfinished: reported above
                }
                findings.violation("effect " + effect.key() + " was applied (token " + effect.token() + ", worker " +
                    effect.worker() + ") but the log has no StepCompleted for that step");
            }
        }
    }

    private void judgeCommit(
        final String step, final Commit commit, final EffectsLedger.Effect effect, final Findings findings)
    {
        if (commit.positions.size() > 1)
        {
            findings.violation("step " + step + " committed " + commit.positions.size() + " times (StepCompleted " +
                "at pos=" + commit.positions + ")");
        }
        final String lease = leaseStep.get(commit.token);
        if ("WORKER".equals(commit.completedBy) && !step.equals(lease))
        {
            findings.violation("step " + step + " committed with fencing token " + commit.token + ", which is " +
                (null == lease ? "no lease's" : "a lease of step " + lease + ", not its own"));
        }
        if (null == effect)
        {
            findings.violation("step " + step + " committed (token " + commit.token + ", " + commit.completedBy +
                " " + leaseWorker.getOrDefault(commit.token, 0L) + ") but the effects ledger has no effect for it");
            return;
        }
        if (effect.newestToken() > commit.token)
        {
            findings.violation("step " + step + " committed with token " + commit.token + " but the ledger was " +
                "shown a newer attempt's token " + effect.newestToken() + " (tokens " + effect.tokens() + ")");
        }
        else if (!effect.tokens().contains(commit.token))
        {
            findings.violation("step " + step + " committed with token " + commit.token + ", which never reached " +
                "the ledger (tokens " + effect.tokens() + "): the committing attempt did not apply the effect");
        }
    }

    private int committedSteps(final long workflow)
    {
        int n = 0;
        final int steps = stepsOf.getOrDefault(workflow, 0);
        for (int step = 0; step < steps; step++)
        {
            n += commits.containsKey(workflow + "-" + step) ? 1 : 0;
        }
        return n;
    }

    private static long workflowOf(final String key)
    {
        final int dash = key.lastIndexOf('-');
        try
        {
            return Long.parseLong(dash > 0 ? key.substring(0, dash) : key);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private static Map<String, String> fields(final String text)
    {
        final Map<String, String> fields = new HashMap<>();
        final Matcher m = FIELD.matcher(text);
        while (m.find())
        {
            fields.putIfAbsent(m.group(1), m.group(2));
        }
        return fields;
    }

    private static int count(final Pattern pattern, final String text)
    {
        int n = 0;
        final Matcher m = pattern.matcher(text);
        while (m.find())
        {
            n++;
        }
        return n;
    }

    long records()
    {
        return records;
    }

    long workflows()
    {
        return keyOf.size();
    }

    long completed()
    {
        return endOf.values().stream().filter("COMPLETED"::equals).count();
    }

    long commits()
    {
        return commits.size();
    }

    long leases()
    {
        return leaseStep.size();
    }

    long attemptFailures()
    {
        return attemptFailures;
    }

    long leaseExpiries()
    {
        return leaseExpiries;
    }
}
