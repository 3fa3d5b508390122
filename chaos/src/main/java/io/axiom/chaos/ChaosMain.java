package io.axiom.chaos;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.axiom.chaos.soak.Soak;

/**
 * {@code bin/axiom chaos soak ...}: the chaos module's command line. {@code bin/axiom} sends {@code chaos soak} here
 * (on the chaos module's classpath) and every other {@code chaos ...} to the gateway's client commands. Exit status: 0
 * when the soak found no violation, 1 when it found any, 2 for a usage error or a soak that could not start.
 */
@Command(
    name = "axiom chaos",
    mixinStandardHelpOptions = true,
    description = "Fault injection from the outside: the seeded SIGKILL soak.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = ChaosMain.SoakCommand.class)
public final class ChaosMain implements Runnable
{
    /** No violation. */
    public static final int EXIT_OK = 0;
    /** The soak found violations. */
    public static final int EXIT_VIOLATIONS = 1;
    /** Usage error, or the soak could not start. */
    public static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: give soak");
    }

    /**
     * @param args {@code soak --duration MS --seed N ...}.
     */
    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    /**
     * @param args {@code soak --duration MS --seed N ...}.
     * @return the exit status.
     */
    public static int execute(final String... args)
    {
        final CommandLine commandLine = new CommandLine(new ChaosMain());
        commandLine.setParameterExceptionHandler((ex, ignored) ->
        {
            ex.getCommandLine().getErr().println("axiom: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return EXIT_USAGE;
        });
        return commandLine.execute(args);
    }

    /**
     * {@code chaos soak --duration MS --seed N [--data-dir D] [--workers K] [--rate R] [--cluster N]}.
     */
    @Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run a real server and real worker processes under load, SIGKILL and restart them at moments drawn " +
                "from the seed, then check from the log and the harness's ledgers that every acknowledged create " +
                "completed and every step committed once with one business effect.",
            "The report ends with 'violations: N'; the exit status is 1 when N > 0."
        })
    static final class SoakCommand implements Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @Option(names = "--duration", required = true, paramLabel = "MS",
            description = "how long the load and the faults run, in milliseconds")
        private long durationMs;

        @Option(names = "--seed", required = true, paramLabel = "N",
            description = "seed of the fault schedule: the same seed gives the same schedule")
        private long seed;

        @Option(names = "--data-dir", paramLabel = "D",
            description = "the server's journal, missing or empty (default: a temporary directory, deleted when " +
                "the soak finds no violation); the processes' logs go to D.soak-logs")
        private Path dataDir;

        @Option(names = "--workers", paramLabel = "K", defaultValue = "" + Soak.Context.WORKERS_DEFAULT,
            description = "worker processes (default ${DEFAULT-VALUE})")
        private int workers;

        @Option(names = "--rate", paramLabel = "R", defaultValue = "" + Soak.Context.RATE_DEFAULT,
            description = "workflows created per second (default ${DEFAULT-VALUE})")
        private double rate;

        @Option(names = "--cluster", paramLabel = "N", defaultValue = "0",
            description = "run N cluster members (3 typical) instead of one server: leader and member kills, " +
                "every member's journal judged and compared (default ${DEFAULT-VALUE}: a single server)")
        private int clusterMembers;

        @Option(names = "--drain-timeout", paramLabel = "MS", defaultValue = "" +
            Soak.Context.DRAIN_TIMEOUT_MS_DEFAULT,
            description = "bound on the wait for every workflow to finish after the load (default ${DEFAULT-VALUE})")
        private long drainTimeoutMs;

        @Override
        public Integer call() throws Exception
        {
            final Soak.Context ctx = new Soak.Context()
                .durationMs(durationMs)
                .seed(seed)
                .dataDir(dataDir)
                .workers(workers)
                .rate(rate)
                .clusterMembers(clusterMembers)
                .drainTimeoutMs(drainTimeoutMs);
            try
            {
                ctx.conclude();
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
            }
            catch (final java.io.UncheckedIOException ex)
            {
                spec.commandLine().getErr().println("axiom: " + ex.getMessage() + ": " + ex.getCause().getMessage());
                return EXIT_USAGE;
            }
            final Soak soak = new Soak(ctx);
            final Thread hook = new Thread(soak::close, "axiom-soak-cleanup"); // Ctrl-C: no child outlives the soak
            Runtime.getRuntime().addShutdownHook(hook);
            try
            {
                final Soak.Result result = soak.run();
                return result.violations().isEmpty() ? EXIT_OK : EXIT_VIOLATIONS;
            }
            finally
            {
                soak.close();
                try
                {
                    Runtime.getRuntime().removeShutdownHook(hook);
                }
                catch (final IllegalStateException shuttingDown)
                {
                    // the hook runs anyway
                }
            }
        }
    }
}
