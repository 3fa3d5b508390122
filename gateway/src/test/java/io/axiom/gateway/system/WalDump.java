package io.axiom.gateway.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the log itself says about task steps, read with {@code bin/axiom wal dump} (offline, as an operator would):
 * every lease with its worker, every commit with its token, every failed attempt. System tests check exactly-once
 * commits against it rather than against the server's answers.
 */
final class WalDump
{
    private static final Pattern EVENT = Pattern.compile("^pos=(\\d+) seq=\\d+ \\S+ (\\w+) workflow_id=(\\d+)");

    /** Fencing token (the StepLeased position) to worker id. */
    final Map<Long, Long> leaseWorker = new HashMap<>();
    /** {@link #key} of a step to the token it committed with. */
    final Map<Long, Long> completedWith = new HashMap<>();
    /** {@link #key} of a step to how many StepCompleted it has. */
    final Map<Long, Integer> completions = new HashMap<>();
    /** Tokens of leases that ended LEASE_EXPIRED. */
    final Set<Long> expiredLeases = new HashSet<>();
    /** Lines of StepCompleted not by a worker. */
    int notByWorker;
    int attemptFailures;
    String output;

    /**
     * @param workflow a workflow id.
     * @param step     a step index (below 8).
     * @return the key of that step in the maps.
     */
    static long key(final long workflow, final long step)
    {
        return workflow * 8 + step;
    }

    /**
     * Run {@code bin/axiom wal dump --data-dir DIR} and read its lines.
     *
     * @param dataDir   the stopped server's data directory.
     * @param processes where the dump process is registered for clean-up.
     * @return what the log holds.
     */
    static WalDump read(final Path dataDir, final List<ServerProcess> processes)
    {
        final ServerProcess dump = ServerProcess.launch("wal-dump",
            List.of("wal", "dump", "--data-dir", dataDir.toString()));
        processes.add(dump);
        if (0 != dump.awaitExit(Duration.ofSeconds(120)))
        {
            throw dump.failure("bin/axiom wal dump failed", null);
        }
        final WalDump log = new WalDump();
        log.output = dump.output();
        for (final String line : log.output.split("\n"))
        {
            final Matcher m = EVENT.matcher(line);
            if (!m.find())
            {
                continue;
            }
            final long position = Long.parseLong(m.group(1));
            final long workflow = Long.parseLong(m.group(3));
            switch (m.group(2))
            {
                case "StepLeased" -> log.leaseWorker.put(position, field(line, "worker_id"));
                case "StepCompleted" ->
                {
                    final long key = key(workflow, field(line, "step_index"));
                    log.completions.merge(key, 1, Integer::sum);
                    log.completedWith.put(key, field(line, "fencing_token"));
                    if (!line.contains(" completed_by=WORKER "))
                    {
                        log.notByWorker++;
                    }
                }
                case "StepAttemptFailed" ->
                {
                    log.attemptFailures++;
                    if (line.contains(" kind=LEASE_EXPIRED "))
                    {
                        log.expiredLeases.add(field(line, "fencing_token"));
                    }
                }
                default ->
                {
                }
            }
        }
        return log;
    }

    /**
     * @param steps every (workflow, step) that must have committed, as {@link #key}s.
     * @return null when each committed exactly once, by a worker, with the token of a lease in the log and not an
     * expired one; else what is wrong.
     */
    String exactlyOnce(final Set<Long> steps)
    {
        final StringBuilder wrong = new StringBuilder();
        for (final long key : steps)
        {
            final int n = completions.getOrDefault(key, 0);
            if (1 != n)
            {
                wrong.append("workflow ").append(key / 8).append(" step ").append(key % 8).append(" has ").append(n)
                    .append(" StepCompleted\n");
            }
        }
        completedWith.forEach((key, token) ->
        {
            if (!leaseWorker.containsKey(token))
            {
                wrong.append("workflow ").append(key / 8).append(" step ").append(key % 8)
                    .append(" committed with token ").append(token).append(", not a lease's position\n");
            }
            if (expiredLeases.contains(token))
            {
                wrong.append("workflow ").append(key / 8).append(" step ").append(key % 8)
                    .append(" committed with the token of an expired lease ").append(token).append('\n');
            }
        });
        if (notByWorker > 0)
        {
            wrong.append(notByWorker).append(" StepCompleted not by a worker\n");
        }
        return wrong.isEmpty() ? null : wrong.toString();
    }

    /**
     * @return the last few thousand characters of the dump, for a failure message.
     */
    String tail()
    {
        return output.length() <= 4000 ? output : "..." + output.substring(output.length() - 4000);
    }

    private static long field(final String line, final String name)
    {
        final Matcher m = Pattern.compile(" " + name + "=(-?\\d+)").matcher(line);
        if (!m.find())
        {
            throw new AssertionError("no " + name + " in " + line);
        }
        return Long.parseLong(m.group(1));
    }
}
