package io.axiom.gateway.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.axiom.gateway.config.ConfigKey;
import io.axiom.transport.WakeableIdleStrategy;
import io.axiom.worker.AxiomWorker;
import io.axiom.worker.RetryableTaskException;
import io.axiom.worker.Task;
import io.axiom.worker.TaskRejection;
import io.axiom.worker.WorkerListener;

/**
 * {@code axiom worker --demo --steps A,B}: a worker over Aeron with demo handlers, to try the engine's task steps by
 * hand. Each handler sleeps {@code --delay-ms}, fails (retryably) at {@code --fail-rate} and otherwise completes with
 * a small JSON output; one line is printed per task and per verdict. Runs until stopped (SIGINT/SIGTERM), then
 * finishes what it holds and says goodbye.
 * <p>
 * A failure is decided from the seed and the task (workflow, step, attempt), not from the order tasks arrive in, so
 * the same seed fails the same attempts on every run.
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Run a demo worker over Aeron for the given task steps (the Java SDK, io.axiom.worker, runs your own).",
        "Prints one line per task and per verdict; stops cleanly on SIGINT/SIGTERM."
    })
public final class WorkerCommand implements java.util.concurrent.Callable<Integer>, EnvironmentAware
{
    /** A comma splits a list of channels only before the next {@code aeron:} (a channel's own params may hold one). */
    static final String INGRESS_SPLIT = ",(?=\\s*aeron:)";

    @Spec
    private CommandSpec spec;

    @Option(names = "--demo", order = 0, required = true,
        description = "run the demo handlers (required: this command has no other handlers)")
    private boolean demo;

    @Option(names = "--steps", order = 1, required = true, split = ",", paramLabel = "STEP[,STEP...]",
        description = "the task step names to take, comma-separated")
    private List<String> steps = new ArrayList<>();

    @Option(names = "--capacity", order = 2, paramLabel = "N", defaultValue = "4",
        description = "tasks run at once (default ${DEFAULT-VALUE})")
    private int capacity;

    @Option(names = "--delay-ms", order = 3, paramLabel = "MS", defaultValue = "0",
        description = "how long each task takes (default ${DEFAULT-VALUE})")
    private long delayMs;

    @Option(names = "--fail-rate", order = 4, paramLabel = "R", defaultValue = "0",
        description = "share of attempts that fail retryably, 0 to 1 (default ${DEFAULT-VALUE})")
    private double failRate;

    @Option(names = "--seed", order = 5, paramLabel = "N", defaultValue = "1",
        description = "seed of the failures (default ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--ingress", order = 6, paramLabel = "CHANNEL", split = INGRESS_SPLIT,
        description = "the server's transport.ingress (default $AXIOM_TRANSPORT_INGRESS, else " +
            AxiomWorker.Context.INGRESS_CHANNEL_DEFAULT + "); repeat it, or give a comma list, for every member of " +
            "a cluster: the worker talks to one and fails over to the next, round-robin")
    private List<String> ingress;

    @Option(names = "--ingress-stream-id", order = 7, paramLabel = "N",
        description = "the server's transport.ingress-stream-id (default $AXIOM_TRANSPORT_INGRESS_STREAM_ID, else " +
            AxiomWorker.Context.INGRESS_STREAM_ID_DEFAULT + ")")
    private Integer ingressStreamId;

    @Option(names = "--worker-id", order = 8, paramLabel = "N", description = "this worker's id (default random)")
    private long workerId;

    @Option(names = "--max-park-us", order = 10, paramLabel = "US", defaultValue = "1000",
        description = "longest park of the worker's idle poller thread (default ${DEFAULT-VALUE}); lower answers " +
            "sooner when tasks are sparse, at more CPU while idle")
    private long maxParkUs;

    @Option(names = "--aeron-dir", order = 9, paramLabel = "DIR",
        description = "a running Aeron media driver to use (default: one embedded in this process)")
    private String aeronDir;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(final Map<String, String> env)
    {
        this.env = env;
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (failRate < 0 || failRate > 1 || Double.isNaN(failRate))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--fail-rate must be between 0 and 1, got " +
                failRate);
        }
        if (maxParkUs < 1 || maxParkUs > 1_000_000)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-park-us must be between 1 and " +
                "1000000, got " + maxParkUs);
        }
        if (delayMs < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--delay-ms must not be negative");
        }
        final List<String> channels = new ArrayList<>();
        for (final String channel : null != ingress && !ingress.isEmpty() ? ingress : List.of(env.getOrDefault(
            ConfigKey.TRANSPORT_INGRESS.envName(), AxiomWorker.Context.INGRESS_CHANNEL_DEFAULT).split(INGRESS_SPLIT)))
        {
            channels.add(channel.trim());
        }
        final int stream = null != ingressStreamId ? ingressStreamId :
            Integer.parseInt(env.getOrDefault(ConfigKey.TRANSPORT_INGRESS_STREAM_ID.envName(),
            Integer.toString(AxiomWorker.Context.INGRESS_STREAM_ID_DEFAULT)));

        final AtomicLong completed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AxiomWorker.Context ctx = new AxiomWorker.Context()
            .ingressChannels(channels)
            .ingressStreamId(stream)
            .capacity(capacity)
            .workerId(workerId)
            .aeronDirectoryName(aeronDir)
            .idleStrategy(new WakeableIdleStrategy(TimeUnit.MICROSECONDS.toNanos(maxParkUs)))
            .listener(new Printer(out, completed, failed, rejected));
        final AxiomWorker worker;
        try
        {
            worker = AxiomWorker.create(ctx);
            for (final String step : steps)
            {
                worker.handler(step.trim(), task -> run(out, task));
            }
            worker.start();
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            spec.commandLine().getErr().println("axiom: worker: " + ex.getMessage());
            return ExitStatus.EXIT_USAGE;
        }
        out.println("worker " + worker.workerId() + " for " + String.join(",", steps) + " (capacity " + capacity +
            ") connecting to " + String.join(" then ", channels) + " stream " + stream + "; answers on " +
            worker.responseChannel());
        out.flush();

        final CountDownLatch stopped = new CountDownLatch(1);
        final AtomicBoolean stopping = new AtomicBoolean();
        final Runnable stop = () ->
        {
            if (stopping.compareAndSet(false, true))
            {
                out.println("worker " + worker.workerId() + " stopping: finishing " + worker.tasksInFlight() +
                    " held task(s), then goodbye");
                out.flush();
                worker.close();
                out.println("worker " + worker.workerId() + " stopped: " + completed.get() + " completed, " +
                    failed.get() + " failed, " + rejected.get() + " rejected");
                out.flush();
            }
            stopped.countDown();
        };
        final Thread hook = new Thread(stop, "axiom-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            if (!worker.awaitConnected(Duration.ofSeconds(5)))
            {
                out.println("worker " + worker.workerId() + ": no Welcome yet (is the server running with " +
                    String.join(" or ", channels) + "?); saying hello every second until it answers");
                out.flush();
            }
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            // stopped from inside this JVM (a test, an embedding application): leave as on SIGTERM
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException alreadyShuttingDown)
            {
                // the hook runs anyway
            }
            stop.run();
        }
        return ExitStatus.EXIT_OK;
    }

    private String run(final PrintWriter out, final Task task) throws Exception
    {
        print(out, task, "running (key " + task.idempotencyKey() + ", input " + task.inputAsString() + ")");
        if (delayMs > 0)
        {
            TimeUnit.MILLISECONDS.sleep(delayMs);
        }
        if (failRate > 0 && draw(seed, task) < failRate)
        {
            print(out, task, "failing (demo, fail-rate " + failRate + ")");
            throw new RetryableTaskException("demo failure (fail-rate " + failRate + ", seed " + seed + ")");
        }
        return "{\"step\":\"" + task.stepName() + "\",\"attempt\":" + task.attempt() + ",\"by\":\"demo worker\"}";
    }

    /**
     * @return a number in [0, 1) fixed by the seed and the attempt.
     */
    static double draw(final long seed, final Task task)
    {
        long h = seed * 0x9E3779B97F4A7C15L;
        h = mix(h ^ task.workflowId());
        h = mix(h ^ task.stepIndex());
        h = mix(h ^ task.attempt());
        return (h >>> 11) * 0x1.0p-53;
    }

    private static long mix(final long value)
    {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void print(final PrintWriter out, final Task task, final String what)
    {
        synchronized (out)
        {
            out.println("task workflow=" + task.workflowId() + " step=" + task.stepIndex() + " " + task.stepName() +
                " attempt=" + task.attempt() + " token=" + task.fencingToken() + ": " + what);
            out.flush();
        }
    }

    /**
     * Prints every verdict and connection change.
     */
    private static final class Printer implements WorkerListener
    {
        private final PrintWriter out;
        private final AtomicLong completed;
        private final AtomicLong failed;
        private final AtomicLong rejected;

        Printer(final PrintWriter out, final AtomicLong completed, final AtomicLong failed, final AtomicLong rejected)
        {
            this.out = out;
            this.completed = completed;
            this.failed = failed;
            this.rejected = rejected;
        }

        @Override
        public void onConnected(final AxiomWorker worker, final long leaseDurationMs)
        {
            line("worker " + worker.workerId() + " welcomed by the engine (lease " + leaseDurationMs + " ms)");
        }

        @Override
        public void onDisconnected(final AxiomWorker worker, final String reason)
        {
            line("worker " + worker.workerId() + " lost the engine: " + reason + "; saying hello again");
        }

        @Override
        public void onAccepted(final Task task, final boolean failure)
        {
            (failure ? failed : completed).incrementAndGet();
            print(out, task, failure ? "failure recorded (the step is retried by its policy)" :
                "completed, committed");
        }

        @Override
        public void onRejected(final Task task, final TaskRejection rejection)
        {
            rejected.incrementAndGet();
            print(out, task, "REJECTED " + rejection.reason() + ": " + rejection.detail() +
                " (the effect must not be committed)");
        }

        @Override
        public void onAbandoned(final Task task, final String reason)
        {
            print(out, task, "abandoned: " + reason);
        }

        @Override
        public void onError(final String message, final Throwable cause)
        {
            line("worker: " + message + (null == cause ? "" : ": " + cause));
        }

        private void line(final String text)
        {
            synchronized (out)
            {
                out.println(text);
                out.flush();
            }
        }
    }
}
