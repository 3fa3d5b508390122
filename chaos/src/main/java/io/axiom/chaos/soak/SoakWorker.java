package io.axiom.chaos.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.axiom.worker.AxiomWorker;
import io.axiom.worker.RetryableTaskException;
import io.axiom.worker.Task;
import io.axiom.worker.TaskRejection;
import io.axiom.worker.WorkerListener;

/**
 * The soak's worker process: an ordinary {@link AxiomWorker} (the SDK a user embeds) whose handler applies the step's
 * business effect to the harness's {@link EffectsLedger} with the step's idempotency key and the attempt's fencing
 * token, then reports the step done.
 * <pre>
 * java ... io.axiom.chaos.soak.SoakWorker --ingress CHANNEL[,CHANNEL...] --ledger URL --steps A,B,C,D --worker-id N
 *     [--capacity N] [--task-ms MS]
 * </pre>
 * Each task takes about {@code --task-ms}: half before the effect, half after it, so that a SIGKILL can land both
 * before the effect and between the effect and the completion (the case where a retry must be deduplicated
 * downstream). When the ledger refuses the token as stale (it has seen a newer attempt of the step), the handler fails
 * the attempt retryably and applies nothing: the engine fences that attempt off anyway. When the ledger cannot be
 * reached the attempt fails retryably too.
 * <p>
 * Several ingress channels (comma-separated) are a cluster's members: the worker talks to the first and fails over to
 * the next when it goes silent ({@link AxiomWorker.Context#ingressChannels(List)}).
 * <p>
 * It prints a line when it connects, loses the engine, or is told an outcome was rejected; SIGTERM closes it cleanly
 * (finish what it holds, say goodbye). It is SIGKILLed by the soak at scheduled moments.
 */
public final class SoakWorker
{
    private SoakWorker()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception when it cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = options(args);
        final String ingress = required(options, "ingress");
        final List<String> ingressChannels = List.of(ingress.split(","));
        final URI ledger = URI.create(required(options, "ledger"));
        final List<String> steps = List.of(required(options, "steps").split(","));
        final long workerId = Long.parseLong(required(options, "worker-id"));
        final int capacity = Integer.parseInt(options.getOrDefault("capacity", "4"));
        final long taskMs = Long.parseLong(options.getOrDefault("task-ms", "20"));

        final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
        final AtomicLong applied = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong stale = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AxiomWorker.Context ctx = new AxiomWorker.Context()
            .ingressChannels(ingressChannels)
            .workerId(workerId)
            .capacity(capacity)
            .listener(new Printer(workerId, rejected));
        final AxiomWorker worker = AxiomWorker.create(ctx);
        for (final String step : steps)
        {
            worker.handler(step, task -> run(http, ledger, workerId, taskMs, task, applied, duplicates, stale));
        }
        worker.start();
        line("soak worker " + workerId + " for " + String.join(",", steps) + " (capacity " + capacity + ") " +
            "connecting to " + ingress + "; effects ledger " + ledger);

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            line("soak worker " + workerId + " stopping");
            worker.close();
            line("soak worker " + workerId + " stopped: " + applied.get() + " effects applied, " + duplicates.get() +
                " deduplicated, " + stale.get() + " refused as stale, " + rejected.get() + " outcomes rejected");
            stopped.countDown();
        }, "soak-worker-shutdown"));
        stopped.await();
    }

    private static String run(
        final HttpClient http,
        final URI ledger,
        final long workerId,
        final long taskMs,
        final Task task,
        final AtomicLong applied,
        final AtomicLong duplicates,
        final AtomicLong stale) throws Exception
    {
        TimeUnit.MILLISECONDS.sleep(taskMs / 2);
        final URI uri = URI.create(ledger + "?key=" + task.idempotencyKey() + "&token=" + task.fencingToken() +
            "&worker=" + workerId);
        final HttpResponse<String> response;
        try
        {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            throw new RetryableTaskException("the effects ledger is unreachable: " + ex);
        }
        if (409 == response.statusCode())
        {
            stale.incrementAndGet();
            line("task " + task.idempotencyKey() + " token=" + task.fencingToken() + ": the ledger refused the " +
                "token as stale; failing the attempt");
            throw new RetryableTaskException("the effects ledger has seen a newer attempt than token " +
                task.fencingToken());
        }
        if (200 != response.statusCode())
        {
            throw new RetryableTaskException("the effects ledger answered " + response.statusCode() + " " +
                response.body());
        }
        final boolean duplicate = "DUPLICATE".equals(response.body());
        (duplicate ? duplicates : applied).incrementAndGet();
        TimeUnit.MILLISECONDS.sleep(taskMs - taskMs / 2);
        return "{\"effect\":\"" + response.body() + "\",\"token\":" + task.fencingToken() + ",\"worker\":" + workerId +
            "}";
    }

    private static Map<String, String> options(final String[] args)
    {
        final Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
            {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static String required(final Map<String, String> options, final String name)
    {
        final String value = options.get(name);
        if (null == value)
        {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    private static void line(final String text)
    {
        synchronized (System.out)
        {
            System.out.println(text);
            System.out.flush();
        }
    }

    /**
     * Prints connection changes and every outcome the engine refused.
     */
    private static final class Printer implements WorkerListener
    {
        private final long workerId;
        private final AtomicLong rejected;

        Printer(final long workerId, final AtomicLong rejected)
        {
            this.workerId = workerId;
            this.rejected = rejected;
        }

        @Override
        public void onConnected(final AxiomWorker worker, final long leaseDurationMs)
        {
            line("soak worker " + workerId + " welcomed by the engine (lease " + leaseDurationMs + " ms)");
        }

        @Override
        public void onDisconnected(final AxiomWorker worker, final String reason)
        {
            line("soak worker " + workerId + " lost the engine: " + reason);
        }

        @Override
        public void onRejected(final Task task, final TaskRejection rejection)
        {
            rejected.incrementAndGet();
            line("task " + task.idempotencyKey() + " token=" + task.fencingToken() + ": REJECTED " +
                rejection.reason() + ": " + rejection.detail());
        }

        @Override
        public void onAbandoned(final Task task, final String reason)
        {
            line("task " + task.idempotencyKey() + " token=" + task.fencingToken() + ": abandoned: " + reason);
        }

        @Override
        public void onError(final String message, final Throwable cause)
        {
            line("soak worker " + workerId + ": " + message + (null == cause ? "" : ": " + cause));
        }
    }
}
